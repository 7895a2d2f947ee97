//! `genrescope export MODEL DIR --out DIR [--map-method pca|tsne|umap]`: embeddings with
//! provenance for other tools, and the three maps by the method asked for, with its parameters.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;

use super::model_data::load_model_and_data;
use crate::export::{write_maps, Embeddings, ExportedMap};
use crate::files::check_folder;
use crate::maps::method::{
    embed, Control, MapMethod, MIN_DIST_RANGE, NEIGHBOURS_RANGE, PERPLEXITY_RANGE,
};
use crate::maps::model_maps;
use crate::maps::projection::Projection;
use crate::maps::trust::trustworthiness;
use crate::maps::{tsne::TsneParams, umap::UmapParams};

/// Above this many clips the maps' trustworthiness is not measured (it compares every pair).
const TRUST_MAX_CLIPS: usize = 10_000;

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub model: PathBuf,
    pub dir: PathBuf,
    /// Folder to write embeddings.csv, vectors.tsv, metadata.tsv, maps.csv and maps.json into
    /// (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// How maps.csv's maps are drawn: pca (the paper's), tsne or umap
    #[arg(long, default_value = "pca", value_parser = ["pca", "tsne", "umap"])]
    pub map_method: String,
    /// t-SNE's perplexity (default 30)
    #[arg(long)]
    pub perplexity: Option<f64>,
    /// UMAP's neighbours, the clip itself counted (default 15)
    #[arg(long)]
    pub neighbours: Option<usize>,
    /// UMAP's minimum distance, 0 to 1 (default 0.1)
    #[arg(long)]
    pub min_dist: Option<f64>,
    /// Seed of t-SNE's or UMAP's start and sampling (default 0)
    #[arg(long)]
    pub seed: Option<u64>,
}

/// The method asked for, with the parameters given; an error says which is out of range.
pub fn method_from(
    name: &str,
    perplexity: Option<f64>,
    neighbours: Option<usize>,
    min_dist: Option<f64>,
    seed: Option<u64>,
) -> anyhow::Result<MapMethod> {
    let wrong = |what: &str, why: &str| anyhow::anyhow!("--{what} {why}");
    let stray = |flag: &str, method: &str| {
        anyhow::anyhow!("--{flag} is a {method} parameter; add --map-method {method} to use it")
    };
    let method = match name {
        "tsne" => {
            if neighbours.is_some() || min_dist.is_some() {
                return Err(stray(
                    if neighbours.is_some() {
                        "neighbours"
                    } else {
                        "min-dist"
                    },
                    "umap",
                ));
            }
            let mut p = TsneParams::default();
            if let Some(v) = perplexity {
                if !(v.is_finite() && PERPLEXITY_RANGE.contains(&v)) {
                    return Err(wrong(
                        "perplexity",
                        &format!(
                            "must be between {} and {} (5 to 50 is usual)",
                            PERPLEXITY_RANGE.start(),
                            PERPLEXITY_RANGE.end()
                        ),
                    ));
                }
                p.perplexity = v;
            }
            p.seed = seed.unwrap_or(p.seed);
            MapMethod::Tsne(p)
        }
        "umap" => {
            if perplexity.is_some() {
                return Err(stray("perplexity", "tsne"));
            }
            let mut p = UmapParams::default();
            if let Some(v) = neighbours {
                if !NEIGHBOURS_RANGE.contains(&v) {
                    return Err(wrong(
                        "neighbours",
                        &format!(
                            "must be between {} and {} (15 is umap-learn's)",
                            NEIGHBOURS_RANGE.start(),
                            NEIGHBOURS_RANGE.end()
                        ),
                    ));
                }
                p.neighbours = v;
            }
            if let Some(v) = min_dist {
                if !(v.is_finite() && MIN_DIST_RANGE.contains(&v)) {
                    return Err(wrong(
                        "min-dist",
                        &format!(
                            "must be between {} and {} (0.1 is umap-learn's)",
                            MIN_DIST_RANGE.start(),
                            MIN_DIST_RANGE.end()
                        ),
                    ));
                }
                p.min_dist = v;
            }
            p.seed = seed.unwrap_or(p.seed);
            MapMethod::Umap(p)
        }
        _ => {
            for (flag, given) in [
                ("perplexity", perplexity.is_some()),
                ("neighbours", neighbours.is_some()),
                ("min-dist", min_dist.is_some()),
                ("seed", seed.is_some()),
            ] {
                if given {
                    anyhow::bail!(
                        "--{flag} has no effect on PCA maps; add --map-method tsne or umap"
                    );
                }
            }
            MapMethod::Pca
        }
    };
    Ok(method)
}

/// A progress line for one map's embedding on stderr.
fn reporter(label: String) -> impl Fn(f32) + Sync {
    let tty = std::io::stderr().is_terminal();
    let last = std::sync::atomic::AtomicU32::new(u32::MAX);
    move |share: f32| {
        let percent = (share * 100.0) as u32;
        let step = if tty { 1 } else { 25 };
        let previous = last.load(std::sync::atomic::Ordering::Relaxed);
        if previous != u32::MAX && percent / step == previous / step {
            return;
        }
        last.store(percent, std::sync::atomic::Ordering::Relaxed);
        if tty {
            eprint!("\r{label}: {percent}%");
            if percent >= 100 {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{label}: {percent}%");
        }
    }
}

pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    let method = method_from(
        &args.map_method,
        args.perplexity,
        args.neighbours,
        args.min_dist,
        args.seed,
    )?;
    check_folder(&args.out)?;
    let md = load_model_and_data(&args.model, &args.dir, false)?;
    let maps = model_maps(&md.dataset, &md.saved, md.splits.as_deref(), false)?;
    let raw = Projection::fit(&md.dataset.vectors, md.dataset.dim()).ok();
    let embeddings = Embeddings::new(
        &md.dataset,
        &md.saved.meta,
        &maps,
        md.splits.as_deref(),
        raw.as_ref().map(|p| p.points.as_slice()),
    );
    let csv = args.out.join("embeddings.csv");
    embeddings.write_csv(&csv)?;
    let [vectors, metadata] = embeddings.write_projector(&args.out)?;
    // The three maps by the method asked for, each from its own PCA map.
    let inference = &maps.inference;
    let n_classes = md.saved.meta.model.n_classes;
    let sources: [(&'static str, &[f32], usize, Option<&Projection>); 3] = [
        ("raw", &md.dataset.vectors, md.dataset.dim(), raw.as_ref()),
        (
            "code",
            &inference.code,
            inference.code_dim,
            maps.code_map.as_ref().ok(),
        ),
        (
            "logits",
            inference.logits.as_deref().unwrap_or(&[]),
            n_classes,
            maps.logits_map.as_ref().and_then(|m| m.as_ref().ok()),
        ),
    ];
    let cancel = AtomicBool::new(false);
    let mut mapped = Vec::new();
    for (name, rows, dim, pca) in sources {
        let Some(pca) = pca else { continue };
        let progress = reporter(format!("{} of the {name} map", method.name()));
        let control = Control {
            cancel: &cancel,
            progress: &progress,
        };
        let points = embed(rows, dim, &method, pca, &control)
            .with_context(|| format!("cannot draw the {name} map by {}", method.name()))?;
        let measure = md.dataset.len() <= TRUST_MAX_CLIPS;
        let trust = |xy: &[[f64; 2]]| {
            measure
                .then(|| trustworthiness(rows, dim, xy, 10, &cancel).ok())
                .flatten()
        };
        let pca_trust = (!method.is_linear()).then(|| trust(&pca.points)).flatten();
        mapped.push((name, dim, trust(&points), pca_trust, points));
    }
    let exported: Vec<ExportedMap> = mapped
        .iter()
        .map(|(name, dim, trust, pca_trust, points)| ExportedMap {
            name,
            method,
            dim: *dim,
            points,
            trustworthiness: *trust,
            pca_trustworthiness: *pca_trust,
        })
        .collect();
    let source = serde_json::json!({
        "model": args.model.display().to_string(),
        "folder": args.dir.display().to_string(),
    });
    let [maps_csv, maps_json] = write_maps(
        &args.out,
        &md.dataset,
        md.splits.as_deref(),
        &exported,
        &source,
    )?;
    for p in [csv, vectors, metadata, maps_csv, maps_json] {
        eprintln!("wrote {}", p.display());
    }
    if md.dataset.len() > TRUST_MAX_CLIPS {
        eprintln!(
            "note: trustworthiness not measured above {TRUST_MAX_CLIPS} clips (it compares every pair)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_out_of_range_or_for_another_method_are_refused() {
        assert_eq!(
            method_from("pca", None, None, None, None).unwrap(),
            MapMethod::Pca
        );
        let t = method_from("tsne", Some(12.0), None, None, Some(3)).unwrap();
        assert!(matches!(t, MapMethod::Tsne(p) if p.perplexity == 12.0 && p.seed == 3));
        let u = method_from("umap", None, Some(30), Some(0.5), None).unwrap();
        assert!(matches!(u, MapMethod::Umap(p) if p.neighbours == 30 && p.min_dist == 0.5));
        let e = method_from("tsne", Some(0.0), None, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--perplexity"), "{e}");
        let e = method_from("tsne", None, Some(15), None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--map-method umap"), "{e}");
        let e = method_from("pca", None, None, None, Some(1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no effect on PCA"), "{e}");
        assert!(method_from("umap", None, None, Some(1.5), None).is_err());
    }
}
