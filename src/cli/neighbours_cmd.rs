//! `genrescope neighbours MODEL DIR --clip T:S --space raw|bottleneck|logits --k 10`: the clips
//! nearest to one clip in one of the model's spaces (exact search).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::model_data::{find_clip, load_model_and_data};
use crate::latent::{check_neighbour_count, nearest, Space, DEFAULT_NEIGHBOURS};
use crate::maps::model_maps;

#[derive(Debug, Args)]
pub struct NeighboursArgs {
    pub model: PathBuf,
    pub dir: PathBuf,
    /// The clip, as TRACK:SEGMENT (e.g. jazz.00003.wav:4)
    #[arg(long)]
    pub clip: String,
    /// Where distances are measured
    #[arg(long, value_enum, default_value_t = Space::Bottleneck)]
    pub space: Space,
    /// How many neighbours
    #[arg(long, default_value_t = DEFAULT_NEIGHBOURS)]
    pub k: usize,
    /// Print the neighbours as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Neighbour {
    rank: usize,
    clip: String,
    genre: String,
    distance: f32,
}

pub fn run(args: &NeighboursArgs) -> anyhow::Result<()> {
    let md = load_model_and_data(&args.model, &args.dir, args.json)?;
    let ds = &md.dataset;
    let clip = find_clip(ds, &args.clip, &args.dir)?;
    check_neighbour_count(args.k, ds.len())
        .with_context(|| format!("--k {} in {}", args.k, args.dir.display()))?;
    let maps = model_maps(ds, &md.saved, None, false)?;
    let (rows, dim) = args
        .space
        .rows(ds, &maps.inference, md.saved.meta.model.n_classes)
        .context("this model has no classifier, so no logits: use --space bottleneck")?;
    let query = &rows[clip * dim..(clip + 1) * dim];
    let found: Vec<Neighbour> = nearest(rows, dim, query, args.k, Some(clip))
        .into_iter()
        .enumerate()
        .map(|(rank, (i, distance))| Neighbour {
            rank: rank + 1,
            clip: ds.segment_label(i),
            genre: ds.genres[ds.label(i)].clone(),
            distance,
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        println!(
            "the {} clips nearest to {} ({}) in the {} space",
            args.k,
            ds.segment_label(clip),
            ds.genres[ds.label(clip)],
            args.space.name()
        );
        println!(
            "{:>4}  {:<28} {:<12} {:>10}",
            "rank", "clip", "genre", "distance"
        );
        for n in &found {
            println!(
                "{:>4}  {:<28} {:<12} {:>10.4}",
                n.rank, n.clip, n.genre, n.distance
            );
        }
    }
    Ok(())
}
