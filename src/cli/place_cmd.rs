//! `genrescope place MODEL DIR FILE`: where a song the folder does not hold lands on the
//! folder's three maps (which do not move), what the model thinks of each of its segments and of
//! the whole, and the folder's clips nearest to it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::model_data::load_model_and_data;
use crate::latent::{place, MapsOfData};
use crate::maps::model_maps;
use crate::maps::projection::Projection;

#[derive(Debug, Args)]
pub struct PlaceArgs {
    pub model: PathBuf,
    /// The folder whose maps the file is placed on
    pub dir: PathBuf,
    /// The audio file to place
    pub file: PathBuf,
    /// How many of the folder's clips nearest to the file to list
    #[arg(long, default_value_t = 5)]
    pub k: usize,
    /// Print the placement as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &PlaceArgs) -> anyhow::Result<()> {
    let md = load_model_and_data(&args.model, &args.dir, args.json)?;
    let ds = &md.dataset;
    let maps = model_maps(ds, &md.saved, None, false)?;
    let raw = Projection::fit(&ds.vectors, ds.dim())?;
    let of_data = MapsOfData::new(&maps, Some(&raw));
    let placement = place(&args.file, &md.saved, &of_data, args.k)
        .with_context(|| format!("cannot place {}", args.file.display()))?;
    let genres = &md.saved.meta.genres;
    if args.json {
        #[derive(serde::Serialize)]
        struct Near {
            clip: String,
            genre: String,
            distance: f32,
        }
        #[derive(serde::Serialize)]
        struct Out<'a> {
            path: &'a str,
            genres: &'a [String],
            /// The genre of the mean of the segments' probabilities.
            verdict: Option<&'a str>,
            overall: Option<&'a [f32]>,
            segments: &'a [crate::latent::PlacedSegment],
            /// The folder's clips nearest to the file's mean code (bottleneck distance).
            nearest: Vec<Near>,
        }
        let out = Out {
            path: &placement.path,
            genres,
            verdict: placement.verdict.map(|g| genres[g].as_str()),
            overall: placement.overall.as_deref(),
            segments: &placement.segments,
            nearest: placement
                .nearest
                .iter()
                .map(|&(i, distance)| Near {
                    clip: ds.segment_label(i),
                    genre: ds.genres[ds.label(i)].clone(),
                    distance,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{}: {} segment(s) placed on the maps of {}",
        args.file.display(),
        placement.segments.len(),
        args.dir.display()
    );
    let mut header = format!(
        "{:>4} {:>7} {:>18} {:>18} {:>18}",
        "seg", "start", "raw map", "bottleneck map", "logits map"
    );
    for g in genres {
        header += &format!(" {g:>10}");
    }
    println!("{header}");
    let xy =
        |p: Option<[f64; 2]>| p.map_or("-".to_string(), |p| format!("{:.3}, {:.3}", p[0], p[1]));
    for s in &placement.segments {
        let mut line = format!(
            "{:>4} {:>6.2}s {:>18} {:>18} {:>18}",
            s.index,
            s.start_secs,
            xy(s.raw_xy),
            xy(s.code_xy),
            xy(s.logits_xy)
        );
        for p in s.probabilities.iter().flatten() {
            line += &format!(" {:>9.1}%", 100.0 * p);
        }
        println!("{line}");
    }
    if let (Some(overall), Some(verdict)) = (&placement.overall, placement.verdict) {
        let parts: Vec<String> = genres
            .iter()
            .zip(overall)
            .map(|(g, p)| format!("{g} {:.1}%", 100.0 * p))
            .collect();
        println!(
            "overall: {} (mean of the segments: {})",
            genres[verdict],
            parts.join(", ")
        );
    }
    println!("nearest clips of the folder (bottleneck):");
    for (i, d) in &placement.nearest {
        println!(
            "  {:<28} {:<12} {d:.4}",
            ds.segment_label(*i),
            ds.genres[ds.label(*i)]
        );
    }
    Ok(())
}
