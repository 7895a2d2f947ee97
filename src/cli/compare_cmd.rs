//! `genrescope compare MODEL_A MODEL_B DIR [--json]`: two models on one folder, side by side:
//! how often they give the same genre, the cross-table of their predictions, the clips whose
//! neighbourhoods moved most between the two bottlenecks, and each model's scores.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::model_data::{load_model_and_data, ModelAndData};
use crate::analysis::compare::{compare, CrossTable, Reading, MOVED_K};
use crate::maps::{model_maps, ModelMaps};
use crate::tables::report::EvalReport;
use crate::training::experiment::evaluate_folder;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first model (.safetensors)
    pub first: PathBuf,
    /// The second model
    pub second: PathBuf,
    /// The folder both are run on
    pub dir: PathBuf,
    /// How many of the clips that moved most to list
    #[arg(long, default_value_t = 20)]
    pub moved: usize,
    /// Print the comparison as JSON
    #[arg(long)]
    pub json: bool,
}

/// One model's side of the comparison.
#[derive(Serialize)]
struct Side {
    model: String,
    kind: String,
    input: String,
    genres: Vec<String>,
    /// Its tables on the folder (`genrescope eval`'s), where it classifies and the folder's
    /// genres fit it.
    scores: Option<EvalReport>,
}

#[derive(Serialize)]
struct MovedClip {
    clip: String,
    genre: String,
    /// Jaccard distance between the clip's nearest clips (other tracks) in the two bottlenecks.
    distance: f64,
    first_prediction: Option<String>,
    second_prediction: Option<String>,
}

#[derive(Serialize)]
struct Comparison {
    first: Side,
    second: Side,
    /// Clips both models read (paired by track and start time).
    clips_compared: usize,
    /// Share of those clips to which both give the same genre name (models that classify).
    agreement: Option<f64>,
    cross_table: Option<CrossTable>,
    /// Neighbours per clip whose overlap measures how far it moved.
    neighbours: usize,
    /// Mean Jaccard distance over every compared clip.
    mean_moved: Option<f64>,
    moved: Vec<MovedClip>,
    notes: Vec<String>,
}

/// A model on the folder: its maps (codes and predictions) and its tables.
struct Run {
    md: ModelAndData,
    maps: ModelMaps,
    scores: Option<EvalReport>,
    /// Why there are no scores, when the model classifies but could not be scored.
    unscored: Option<String>,
}

fn run_model(model: &Path, dir: &Path, quiet: bool) -> anyhow::Result<Run> {
    let md = load_model_and_data(model, dir, quiet)?;
    let maps = model_maps(&md.dataset, &md.saved, None, false)
        .with_context(|| format!("cannot run {} on {}", model.display(), dir.display()))?;
    let (scores, unscored) =
        if md.saved.meta.model.kind.has_classifier() && !md.dataset.is_library() {
            match evaluate_folder(&md.saved, &md.dataset, Some(&maps.inference)) {
                Ok(report) => (Some(report), None),
                Err(e) => (
                    None,
                    Some(format!("{} is not scored: {e}", model.display())),
                ),
            }
        } else {
            (None, None)
        };
    Ok(Run {
        md,
        maps,
        scores,
        unscored,
    })
}

fn side(path: &Path, run: &Run) -> Side {
    Side {
        model: path.display().to_string(),
        kind: run.md.saved.meta.model.kind.name().to_string(),
        input: run.md.saved.meta.features.describe(),
        genres: run.md.saved.meta.genres.clone(),
        scores: run.scores.clone(),
    }
}

fn reading(run: &Run) -> Reading<'_> {
    Reading {
        dataset: &run.md.dataset,
        genres: &run.md.saved.meta.genres,
        maps: &run.maps,
    }
}

pub fn run(args: &CompareArgs) -> anyhow::Result<()> {
    let a = run_model(&args.first, &args.dir, args.json)?;
    let b = run_model(&args.second, &args.dir, args.json)?;
    let (ra, rb) = (reading(&a), reading(&b));
    let found = compare(ra, rb).with_context(|| {
        format!(
            "cannot compare {} and {} on {}",
            args.first.display(),
            args.second.display(),
            args.dir.display()
        )
    })?;
    let mut notes: Vec<String> = [&a.unscored, &b.unscored]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    notes.extend(found.notes.iter().cloned());
    let da = &a.md.dataset;
    let moved = found
        .most_moved(args.moved)
        .into_iter()
        .map(|k| {
            let (i, j) = found.pairs[k];
            MovedClip {
                clip: da.segment_label(i),
                genre: da.genres[da.label(i)].clone(),
                distance: found.moved[k],
                first_prediction: ra.predicted(i).map(String::from),
                second_prediction: rb.predicted(j).map(String::from),
            }
        })
        .collect();
    let comparison = Comparison {
        first: side(&args.first, &a),
        second: side(&args.second, &b),
        clips_compared: found.pairs.len(),
        agreement: found.agreement,
        cross_table: found.cross_table.clone(),
        neighbours: MOVED_K,
        mean_moved: found.mean_moved(),
        moved,
        notes,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        print!("{}", render(&comparison, &args.dir));
    }
    Ok(())
}

fn held_out_accuracy(report: &EvalReport) -> Option<(f64, Option<f64>)> {
    let split = report.splits.iter().find(|s| s.split == report.held_out)?;
    Some((
        split.accuracy?,
        split.track_vote.as_ref().map(|v| v.accuracy),
    ))
}

fn render(c: &Comparison, dir: &Path) -> String {
    let mut out = format!(
        "compare on {} ({} clips both read)\n  A: {} ({}, {})\n  B: {} ({}, {})\n",
        dir.display(),
        c.clips_compared,
        c.first.model,
        c.first.kind,
        c.first.input,
        c.second.model,
        c.second.kind,
        c.second.input
    );
    for (name, s) in [("A", &c.first), ("B", &c.second)] {
        if let Some((acc, track)) = s.scores.as_ref().and_then(held_out_accuracy) {
            out += &format!("  {name} on the folder: {:.1} % of clips", 100.0 * acc);
            if let Some(t) = track {
                out += &format!(", {:.1} % of tracks by vote", 100.0 * t);
            }
            let report = s.scores.as_ref();
            if let Some((heard, total)) = report
                .and_then(|r| r.tracks_in_training.zip(r.tracks_total))
                .filter(|(heard, _)| *heard > 0)
            {
                out += &format!(" (it was trained on {heard} of these {total} tracks)");
            }
            out += "\n";
        }
    }
    if let (Some(share), Some(table)) = (c.agreement, &c.cross_table) {
        out += &format!(
            "\nagreement: {:.1} % of clips get the same genre from both\n\
             cross-table (rows: A's prediction, columns: B's)\n",
            100.0 * share
        );
        let width = table
            .rows
            .iter()
            .chain(&table.columns)
            .map(|g| g.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        out += &format!("  {:width$}", "");
        for g in &table.columns {
            out += &format!(" {g:>width$}");
        }
        out += "\n";
        for (g, row) in table.rows.iter().zip(&table.counts) {
            out += &format!("  {g:width$}");
            for n in row {
                out += &format!(" {n:>width$}");
            }
            out += "\n";
        }
    }
    if let Some(mean) = c.mean_moved {
        out += &format!(
            "\nmoved most: each clip's {} nearest clips from other tracks in A's bottleneck \
             against B's (Jaccard distance, 1 = no neighbour shared; mean {:.2})\n",
            c.neighbours, mean
        );
        for m in &c.moved {
            let said = |p: &Option<String>| p.clone().unwrap_or_else(|| "-".into());
            out += &format!(
                "  {:.2}  {}  ({}; A says {}, B says {})\n",
                m.distance,
                m.clip,
                m.genre,
                said(&m.first_prediction),
                said(&m.second_prediction)
            );
        }
    }
    for note in &c.notes {
        out += &format!("note: {note}\n");
    }
    out
}
