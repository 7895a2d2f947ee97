//! `genrescope predict MODEL DIR`: what a model makes of every track of any folder (one's own
//! library, flat or by artist and album, or a labelled one): per track the verdict, the mean
//! probabilities and the share of segments for each genre, segments taken across each track's
//! whole length; `--playlists` writes one playlist per predicted genre.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::predict::{score_against_labels, track_verdict, LabelledScore, TrackVerdict};
use crate::dataset::features::Featurizer;
use crate::dataset::whole_track::{extract_spread, SpreadTrack, SPREAD_SEGMENTS};
use crate::dataset::{scan_any, Layout, Skipped, Split, TrackRef};
use crate::export::{write_csv_rows, write_m3u8, PlaylistEntry};
use crate::model::meta::content_key;
use crate::model::{load, softmax_rows, SavedModel};

#[derive(Debug, Args)]
pub struct PredictArgs {
    pub model: PathBuf,
    /// Any folder of music: flat, by artist and album, or one sub-folder per genre
    pub dir: PathBuf,
    /// How to read the folder; by default genre folders are recognised by their names (or
    /// GTZAN's file names) and anything else is a library without labels
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// Most segments per track, spread evenly over its whole length (a longer track is sampled,
    /// and the output says so)
    #[arg(long, default_value_t = SPREAD_SEGMENTS as u64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_segments: u64,
    /// Print the predictions as JSON
    #[arg(long)]
    pub json: bool,
    /// Write <genre>.m3u8 for each predicted genre (entries relative to it, the surest first) and
    /// predictions.csv into this folder
    #[arg(long, value_name = "OUTDIR")]
    pub playlists: Option<PathBuf>,
}

/// One track's prediction as printed.
#[derive(Debug, Serialize)]
struct TrackOut {
    path: String,
    /// The genre folder it sits in, for a labelled folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    verdict: String,
    confidence: f32,
    /// Where the model's training put this track (known by its content), if it saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    training: Option<Split>,
    /// Mean of the segments' probabilities, per genre.
    probabilities: BTreeMap<String, f32>,
    segments: SegmentsOut,
    duration_secs: f64,
}

#[derive(Debug, Serialize)]
struct SegmentsOut {
    /// Segments the verdict rests on.
    count: usize,
    /// Whole segments the track holds (more than `count` when the limit sampled it).
    in_track: usize,
    /// Share of the segments whose own verdict is each genre.
    share: BTreeMap<String, f32>,
}

#[derive(Debug, Serialize)]
struct PredictOut<'a> {
    model: String,
    folder: String,
    layout: Layout,
    layout_found: &'a str,
    genres: &'a [String],
    max_segments_per_track: u64,
    segment_secs: f64,
    tracks: Vec<TrackOut>,
    skipped: &'a [Skipped],
    /// A labelled folder's tracks the model never trained on, against their labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<&'a LabelledScore>,
    /// Its tracks the model was trained on: a training score, not evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    score_training: Option<&'a LabelledScore>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    playlists: Vec<String>,
    seconds: f64,
}

struct Predicted {
    track: TrackRef,
    training: Option<Split>,
    spread: SpreadTrack,
    verdict: TrackVerdict,
}

pub fn run(args: &PredictArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let saved = load(&args.model)?;
    let genres = &saved.meta.genres;
    anyhow::ensure!(
        saved.meta.model.kind.has_classifier(),
        "{} has no genre head (it is a {}); predict needs a DSAE, a β-TCVAE with a head or a \
         classifier",
        args.model.display(),
        saved.meta.model.kind
    );
    let (scan, found) = scan_any(&args.dir, args.layout)
        .with_context(|| format!("cannot read {}", args.dir.display()))?;
    if !args.json {
        eprintln!("{}: {}", args.dir.display(), found.why);
    }
    let featurizer = Featurizer::new(&saved.meta.features).with_context(|| {
        format!(
            "{} has feature settings this build cannot use",
            args.model.display()
        )
    })?;
    let limit = args.max_segments as usize;
    let progress = Progress::new(scan.tracks.len(), args.json);
    let cancel = AtomicBool::new(false);
    let results: Vec<Result<Predicted, Skipped>> = scan
        .tracks
        .par_iter()
        .map(|track| {
            let out = predict_track(&saved, &featurizer, track, limit, &cancel);
            progress.tick();
            out
        })
        .collect();
    let mut skipped = scan.skipped.clone();
    let mut predicted = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => predicted.push(p),
            Err(s) => skipped.push(s),
        }
    }
    anyhow::ensure!(
        !predicted.is_empty(),
        "none of the {} audio file(s) in {} could be read; the reasons are above",
        scan.tracks.len(),
        args.dir.display()
    );
    let stamps = training_stamps(&saved);
    for p in &mut predicted {
        p.training = stamps
            .get(content_key(p.spread.trained_cut_content).as_str())
            .copied();
    }
    let labelled = found.layout == Layout::Genres;
    let score_where = |trained: bool| {
        let (labels, verdicts): (Vec<&str>, Vec<usize>) = predicted
            .iter()
            .filter(|p| (p.training == Some(Split::Train)) == trained)
            .map(|p| (p.track.genre.as_str(), p.verdict.verdict))
            .unzip();
        (labelled && !labels.is_empty()).then(|| score_against_labels(genres, &labels, &verdicts))
    };
    let (score, score_training) = (score_where(false), score_where(true));
    let playlists = match &args.playlists {
        Some(out) => write_playlists(out, &predicted, genres, &scan.root)?,
        None => Vec::new(),
    };
    let shown = |path: &Path| {
        path.strip_prefix(&scan.root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let per_genre = |values: &[f32]| -> BTreeMap<String, f32> {
        genres.iter().cloned().zip(values.iter().copied()).collect()
    };
    let tracks: Vec<TrackOut> = predicted
        .iter()
        .map(|p| TrackOut {
            path: shown(&p.track.path),
            label: labelled.then(|| p.track.genre.clone()),
            verdict: genres[p.verdict.verdict].clone(),
            confidence: p.verdict.confidence(),
            training: p.training,
            probabilities: per_genre(&p.verdict.probabilities),
            segments: SegmentsOut {
                count: p.verdict.segments,
                in_track: p.spread.segments_in_track,
                share: per_genre(&p.verdict.segment_share),
            },
            duration_secs: p.spread.duration_secs,
        })
        .collect();
    let out = PredictOut {
        model: args.model.display().to_string(),
        folder: args.dir.display().to_string(),
        layout: found.layout,
        layout_found: &found.why,
        genres,
        max_segments_per_track: args.max_segments,
        segment_secs: saved.meta.features.segment_secs(),
        tracks,
        skipped: &skipped,
        score: score.as_ref(),
        score_training: score_training.as_ref(),
        playlists,
        seconds: started.elapsed().as_secs_f64(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_text(&out);
    }
    Ok(())
}

fn predict_track(
    saved: &SavedModel,
    featurizer: &Featurizer,
    track: &TrackRef,
    limit: usize,
    cancel: &AtomicBool,
) -> Result<Predicted, Skipped> {
    let skip = |reason: String| Skipped {
        path: track.path.clone(),
        reason,
    };
    let spread =
        extract_spread(&track.path, featurizer, limit, cancel).map_err(|e| skip(e.to_string()))?;
    let inference = saved.model.infer(&spread.features.vectors).map_err(|e| {
        skip(format!(
            "{}: the model cannot read it: {e}",
            track.path.display()
        ))
    })?;
    let n_classes = saved.meta.model.n_classes;
    let verdict = inference
        .logits
        .as_ref()
        .and_then(|l| track_verdict(&softmax_rows(l, n_classes), n_classes))
        .ok_or_else(|| skip(format!("{}: the model gave no genre", track.path.display())))?;
    Ok(Predicted {
        track: track.clone(),
        training: None,
        spread,
        verdict,
    })
}

/// The model's training stamps by content: where training put each track it knew.
fn training_stamps(saved: &SavedModel) -> HashMap<&str, Split> {
    saved
        .meta
        .training
        .iter()
        .flat_map(|r| &r.tracks)
        .map(|t| (t.content.as_str(), t.split))
        .collect()
}

/// One playlist per predicted genre, the surest tracks first, and every track's row in
/// `predictions.csv`; returns the files written.
fn write_playlists(
    out: &Path,
    predicted: &[Predicted],
    genres: &[String],
    root: &Path,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot make the playlist folder {}", out.display()))?;
    let mut written = Vec::new();
    for (g, genre) in genres.iter().enumerate() {
        let mut members: Vec<&Predicted> = predicted
            .iter()
            .filter(|p| p.verdict.verdict == g)
            .collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| b.verdict.confidence().total_cmp(&a.verdict.confidence()));
        let entries: Vec<PlaylistEntry> = members
            .iter()
            .map(|p| PlaylistEntry {
                path: p.track.path.clone(),
                duration_secs: Some(p.spread.duration_secs),
                title: format!(
                    "{} ({genre} {:.0}%)",
                    p.track
                        .path
                        .strip_prefix(root)
                        .unwrap_or(&p.track.path)
                        .display(),
                    100.0 * p.verdict.confidence()
                ),
            })
            .collect();
        let path = out.join(format!("{}.m3u8", file_safe(genre)));
        write_m3u8(&path, &entries)?;
        written.push(path.display().to_string());
    }
    let csv = out.join("predictions.csv");
    write_csv_rows(&csv, |w| {
        let mut header = vec![
            "path".to_string(),
            "label".into(),
            "verdict".into(),
            "confidence".into(),
            "segments".into(),
            "segments_in_track".into(),
            "duration_secs".into(),
        ];
        header.extend(genres.iter().map(|g| format!("p_{g}")));
        header.extend(genres.iter().map(|g| format!("share_{g}")));
        w.write_record(&header)?;
        for p in predicted {
            let mut row = vec![
                p.track.path.display().to_string(),
                p.track.genre.clone(),
                genres[p.verdict.verdict].clone(),
                format!("{:.4}", p.verdict.confidence()),
                p.verdict.segments.to_string(),
                p.spread.segments_in_track.to_string(),
                format!("{:.3}", p.spread.duration_secs),
            ];
            row.extend(p.verdict.probabilities.iter().map(|v| format!("{v:.4}")));
            row.extend(p.verdict.segment_share.iter().map(|v| format!("{v:.4}")));
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    written.push(csv.display().to_string());
    Ok(written)
}

/// A genre name as a file name: path separators and other characters a file system refuses
/// become `_` (`r&b` stays, `drum/bass` does not).
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

fn print_text(out: &PredictOut) {
    let limited = out
        .tracks
        .iter()
        .filter(|t| t.segments.count < t.segments.in_track)
        .count();
    println!(
        "{} track(s) of {} through {}: up to {} segments of {:.2} s per track, spread over its \
         whole length{}",
        out.tracks.len(),
        out.folder,
        out.model,
        out.max_segments_per_track,
        out.segment_secs,
        if limited > 0 {
            format!(" ({limited} track(s) longer than that were sampled)")
        } else {
            String::new()
        }
    );
    let width = out
        .tracks
        .iter()
        .map(|t| t.path.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 60);
    let mut header = format!("{:<width$} ", "track");
    if out.score.is_some() {
        header += &format!("{:<12} ", "label");
    }
    header += &format!("{:<12} {:>6}  segments by genre", "verdict", "sure");
    println!("{header}");
    for t in &out.tracks {
        let mut line = format!("{:<width$} ", t.path);
        if let Some(label) = &t.label {
            line += &format!("{label:<12} ");
        }
        let shares: Vec<String> = t
            .segments
            .share
            .iter()
            .filter(|(_, s)| **s > 0.0)
            .map(|(g, s)| format!("{g} {:.0}%", 100.0 * s))
            .collect();
        line += &format!(
            "{:<12} {:>5.1}%  {} of {}: {}",
            t.verdict,
            100.0 * t.confidence,
            t.segments.count,
            t.segments.in_track,
            shares.join(", ")
        );
        if let Some(split) = t.training {
            line += &format!("  [model's {} track]", split.name());
        }
        println!("{line}");
    }
    let said = |score: &LabelledScore, which: &str| match score.accuracy() {
        Some(acc) => println!(
            "{which}: {} of {} right ({:.1}%) on the genres the model knows",
            score.tracks_right,
            score.tracks_scored,
            100.0 * acc
        ),
        None => println!("{which}: none of their genres is one the model knows"),
    };
    if let Some(score) = out.score {
        said(score, "tracks the model never trained on");
    }
    if let Some(score) = out.score_training {
        said(
            score,
            "tracks the model was trained on (a training score, not evidence)",
        );
    }
    let ignored: std::collections::BTreeSet<&String> = out
        .score
        .iter()
        .chain(&out.score_training)
        .flat_map(|s| &s.genres_ignored)
        .collect();
    if !ignored.is_empty() {
        let names: Vec<&str> = ignored.iter().map(|g| g.as_str()).collect();
        println!(
            "not scored (the model was not trained on these genres): {}",
            names.join(", ")
        );
    }
    const SHOWN_SKIPS: usize = 20;
    for s in out.skipped.iter().take(SHOWN_SKIPS) {
        eprintln!("skipped: {}", s.reason);
    }
    if out.skipped.len() > SHOWN_SKIPS {
        eprintln!(
            "skipped: {} more file(s); --json lists them all",
            out.skipped.len() - SHOWN_SKIPS
        );
    }
    for p in &out.playlists {
        println!("wrote {p}");
    }
}

/// Tracks done and time left on stderr: one updating line on a terminal, a line per 5% otherwise.
struct Progress {
    total: usize,
    done: AtomicUsize,
    started: Instant,
    quiet: bool,
    tty: bool,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            started: Instant::now(),
            quiet,
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.quiet {
            return;
        }
        let step = (self.total / 20).max(1);
        if !self.tty && !done.is_multiple_of(step) && done != self.total {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = elapsed / done as f64 * (self.total - done) as f64;
        let line = format!(
            "predicting: {done}/{} tracks, {} left",
            self.total,
            human_secs(left)
        );
        if self.tty {
            eprint!("\r{line}   ");
            if done == self.total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{line}");
        }
    }
}

fn human_secs(secs: f64) -> String {
    let secs = secs.round() as u64;
    if secs >= 3600 {
        format!("{} h {:02} min", secs / 3600, secs / 60 % 60)
    } else if secs >= 60 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("{secs} s")
    }
}
