//! `genrescope neighbours MODEL DIR --clip T:S --space raw|bottleneck|logits --k 10`: the clips
//! nearest to one clip in one of the model's spaces (exact search); `--track NAME` instead: the
//! tracks nearest to one track, each track the mean of its segments, never the track itself.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::model_data::{find_clip, load_model_and_data};
use crate::latent::{check_neighbour_count, nearest, track_means, Space, DEFAULT_NEIGHBOURS};
use crate::maps::model_maps;
use crate::model::softmax_rows;

#[derive(Debug, Args)]
pub struct NeighboursArgs {
    pub model: PathBuf,
    pub dir: PathBuf,
    /// The clip, as TRACK:SEGMENT (e.g. jazz.00003.wav:4)
    #[arg(long, required_unless_present = "track", conflicts_with = "track")]
    pub clip: Option<String>,
    /// A whole track (its file name, or a path ending in it): the tracks that sound like it
    #[arg(long)]
    pub track: Option<String>,
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

/// A track near the one asked about.
#[derive(Serialize)]
struct TrackNeighbour {
    rank: usize,
    track: String,
    /// Its folder's genre, or in a library the model's verdict on it.
    genre: String,
    distance: f32,
}

pub fn run(args: &NeighboursArgs) -> anyhow::Result<()> {
    let md = load_model_and_data(&args.model, &args.dir, args.json)?;
    let ds = &md.dataset;
    let Some(spec) = &args.clip else {
        return tracks(args, &md);
    };
    let clip = find_clip(ds, spec, &args.dir)?;
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

/// `--track`: the tracks whose mean point is nearest the track's own.
fn tracks(args: &NeighboursArgs, md: &super::model_data::ModelAndData) -> anyhow::Result<()> {
    let ds = &md.dataset;
    let name = args.track.as_deref().unwrap_or_default();
    let track = ds
        .tracks
        .iter()
        .position(|t| {
            t.path.ends_with(name)
                || t.path.file_name().is_some_and(|n| n == name)
                || t.path.file_stem().is_some_and(|n| n == name)
        })
        .with_context(|| {
            format!(
                "no track '{name}' in {}; write its file name, e.g. {}",
                args.dir.display(),
                ds.tracks[0].file_name()
            )
        })?;
    check_neighbour_count(args.k, ds.tracks.len()).with_context(|| {
        format!(
            "--k {} among the {} tracks of {}",
            args.k,
            ds.tracks.len(),
            args.dir.display()
        )
    })?;
    let maps = model_maps(ds, &md.saved, None, false)?;
    let n_classes = md.saved.meta.model.n_classes;
    let (rows, dim) = args
        .space
        .rows(ds, &maps.inference, n_classes)
        .context("this model has no classifier, so no logits: use --space bottleneck")?;
    let means = track_means(ds, rows, dim);
    let query = &means[track * dim..(track + 1) * dim];
    // A library's tracks go by the genre the model hears in them (the mean of their
    // probabilities, as `predict` says).
    let verdicts = maps
        .inference
        .logits
        .as_ref()
        .filter(|_| ds.is_library())
        .map(|logits| track_means(ds, &softmax_rows(logits, n_classes), n_classes));
    let genre_of = |t: usize| match &verdicts {
        Some(p) => {
            let row = &p[t * n_classes..(t + 1) * n_classes];
            let best = (0..n_classes)
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .unwrap_or(0);
            format!("{}? {:.0}%", md.saved.meta.genres[best], 100.0 * row[best])
        }
        None => ds.genres[ds.tracks[t].genre].clone(),
    };
    let shown = |t: usize| {
        let path = &ds.tracks[t].path;
        ds.source
            .folder()
            .and_then(|root| path.strip_prefix(root).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let found: Vec<TrackNeighbour> = nearest(&means, dim, query, args.k, Some(track))
        .into_iter()
        .enumerate()
        .map(|(rank, (t, distance))| TrackNeighbour {
            rank: rank + 1,
            track: shown(t),
            genre: genre_of(t),
            distance,
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(());
    }
    println!(
        "the {} tracks nearest to {} ({}) in the {} space, each track the mean of its segments",
        args.k,
        shown(track),
        genre_of(track),
        args.space.name()
    );
    println!(
        "{:>4}  {:<40} {:<14} {:>10}",
        "rank", "track", "genre", "distance"
    );
    for n in &found {
        println!(
            "{:>4}  {:<40} {:<14} {:>10.4}",
            n.rank, n.track, n.genre, n.distance
        );
    }
    Ok(())
}
