//! `genrescope scan DIR`: what a folder holds and what would be skipped.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::args::{FolderArg, IngestArgs};
use super::progress::load_reporter;
use crate::dataset::sources::load_source;
use crate::dataset::{FeatureConfig, GenreCount, Layout, LayoutFound, Skipped};

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub folder: FolderArg,
    #[command(flatten)]
    pub ingest: IngestArgs,
    /// How to read the folder: `genres` (sub-folders are genres) or `library` (no labels);
    /// default: as it looks
    #[arg(long, value_enum, conflicts_with = "genres")]
    pub layout: Option<Layout>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct ScanSummary {
    pub root: String,
    /// Labelled (genre folders) or a library, and what the scan found.
    pub layout: LayoutFound,
    pub features: FeatureConfig,
    pub genres: Vec<GenreCount>,
    pub tracks: usize,
    pub segments: usize,
    /// A library's most segments per track (fewer in a large library); 0 when labelled.
    pub segments_per_track_limit: usize,
    pub skipped: Vec<Skipped>,
    pub seconds: f64,
}

pub fn run(args: &ScanArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let cfg = args.ingest.feature_config();
    let cancel = AtomicBool::new(false);
    let dataset = load_source(
        &args.folder.source(),
        &crate::dataset::sources::Reading {
            genres: args.ingest.genres.as_deref(),
            layout: args.layout,
            library_features: None,
        },
        &cfg,
        &cancel,
        &load_reporter(args.json),
    )
    .with_context(|| format!("cannot scan {}", args.folder.dir.display()))?;
    let summary = ScanSummary {
        root: dataset.source.to_string(),
        layout: dataset.layout.clone(),
        features: cfg,
        genres: dataset.genre_counts(),
        tracks: dataset.tracks.len(),
        segments: dataset.len(),
        segments_per_track_limit: dataset.spread_limit,
        skipped: dataset.skipped.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render(&summary));
    }
    Ok(())
}

fn render(s: &ScanSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.root);
    if !s.layout.why.is_empty() {
        let _ = writeln!(out, "{}", s.layout.why);
    }
    let per_track = match s.layout.layout {
        Layout::Library => format!(
            "up to {} spread over each whole track",
            s.segments_per_track_limit
        ),
        Layout::Genres => s
            .features
            .max_segments_per_track
            .map_or("all".to_string(), |n| format!("up to {n}")),
    };
    let _ = writeln!(
        out,
        "segments of {} samples at {} Hz, pooled by {} -> {}-d vectors, {per_track} per track",
        s.features.segment_samples,
        s.features.sample_rate_hz,
        s.features.pool,
        s.features.dim(),
    );
    let _ = writeln!(out, "{:<14} {:>7} {:>9}", "genre", "tracks", "segments");
    for g in &s.genres {
        let _ = writeln!(out, "{:<14} {:>7} {:>9}", g.genre, g.tracks, g.segments);
    }
    let _ = writeln!(out, "{:<14} {:>7} {:>9}", "total", s.tracks, s.segments);
    if s.skipped.is_empty() {
        let _ = writeln!(out, "skipped: none");
    } else {
        let _ = writeln!(out, "skipped {}:", s.skipped.len());
        for skip in &s.skipped {
            let _ = writeln!(out, "  {}", skip.reason);
        }
    }
    let _ = writeln!(out, "time: {:.2} s", s.seconds);
    out
}
