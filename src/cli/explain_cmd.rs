//! `genrescope explain MODEL DIR [--json]`: what the model's spaces hold on a folder: each
//! space scored on an extrinsic task, what each direction of the bottleneck follows among the
//! audio descriptors, and how disentangled its code is (MIG).

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::model_data::load_model_and_data;
use crate::analysis::explain::{explain, Axis, Explanation, SpaceScores, EXPLAINED_PCS};
use crate::dataset::Descriptor;
use crate::maps::model_maps;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A model saved by genrescope
    pub model: PathBuf,
    /// The folder to look at it through
    pub dir: PathBuf,
    /// Print everything as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<()> {
    let md = load_model_and_data(&args.model, &args.dir, args.json)?;
    let maps = model_maps(&md.dataset, &md.saved, None, false)?;
    let explanation = explain(&md.dataset, &md.saved, &maps).with_context(|| {
        format!(
            "cannot explain {} on {}",
            args.model.display(),
            args.dir.display()
        )
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", render(&explanation, &md.saved.meta.genres));
    }
    Ok(())
}

fn cell(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn rho(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:+.2}"))
}

/// The spaces' extrinsic scores as a plain-text table.
pub fn render_spaces(spaces: &[SpaceScores], probe_protocol: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nEach space on an extrinsic task (a clip's own track never counts; linear probe: \
         {probe_protocol})"
    );
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>13} {:>13} {:>15}",
        "space", "dim", "5-NN accuracy", "linear probe", "precision@10"
    );
    for s in spaces {
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>13} {:>13} {:>15}",
            s.space,
            s.dim,
            cell(s.knn_accuracy),
            cell(s.probe_accuracy),
            cell(s.precision_at_10)
        );
    }
    out
}

/// The explanation as plain-text tables.
pub fn render(e: &Explanation, genres: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} clips of {} tracks ({} of them in the model's training)",
        e.clips, e.tracks, e.tracks_in_training
    );
    out += &render_spaces(&e.spaces, &e.probe_protocol);
    let _ = writeln!(
        out,
        "\nWhat each direction follows (Spearman's rho with each descriptor)"
    );
    let mut header = format!("{:<14}", "axis");
    for d in Descriptor::ALL {
        header += &format!(" {:>13}", d.column());
    }
    let _ = writeln!(out, "{header}");
    let mut row = |axis: Axis| {
        let mut line = format!("{:<14}", axis.name(genres));
        for d in Descriptor::ALL {
            line += &format!(" {:>13}", rho(e.correlation(axis, d)));
        }
        let _ = writeln!(out, "{line}");
    };
    for k in 0..EXPLAINED_PCS {
        if Descriptor::ALL
            .iter()
            .any(|&d| e.correlation(Axis::Pc(k), d).is_some())
        {
            row(Axis::Pc(k));
        }
    }
    for g in 0..genres.len() {
        row(Axis::Logit(g));
    }
    let _ = writeln!(
        out,
        "\nThe code dimensions that follow each descriptor most"
    );
    for d in Descriptor::ALL {
        let mut dims: Vec<(f64, usize)> = e
            .correlations
            .iter()
            .filter_map(|c| match c.which {
                Axis::Code(j) if c.of == d => Some((c.spearman, j)),
                _ => None,
            })
            .collect();
        if dims.is_empty() {
            continue;
        }
        dims.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        let best: Vec<String> = dims
            .iter()
            .take(3)
            .map(|(r, j)| format!("code_{j} {r:+.2}"))
            .collect();
        let _ = writeln!(out, "{:<14} {}", d.column(), best.join(", "));
    }
    let _ = writeln!(
        out,
        "\nDisentanglement: mutual information gap of the code (Chen et al. 2018)"
    );
    let _ = writeln!(out, "{:<14} {:>7} {:>10}", "factor", "MIG", "dimension");
    for g in &e.mig {
        let _ = writeln!(
            out,
            "{:<14} {:>7.3} {:>10}",
            g.factor,
            g.mig,
            format!("code_{}", g.dimension)
        );
    }
    for note in &e.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
