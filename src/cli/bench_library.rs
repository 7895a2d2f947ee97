//! `bench --library N`: a library of N full-length synthetic tracks opened the way the window
//! opens one (the shipped log-mel model's features, spread segments, the feature cache): first
//! from the audio, then again from the cache, then through the model to every map, with the
//! peak memory of it all.
//!
//! The tracks are hard links to [`RECORDINGS`] distinct synthesizer renderings of three to five
//! and a half minutes: 10,000 tracks of their own would take 100 GB of WAV on disk. Every path
//! is decoded and featurized in full, as its own file, so decoding costs what it would; only the
//! disk reads are the page cache's (a real library on a cold disk reads slower).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;

use crate::dataset::cache::FeatureCache;
use crate::dataset::demo::{render_track, RATE_HZ, STYLES};
use crate::dataset::{load_any_cached, AnyReading, Dataset};
use crate::export::write_wav;
use crate::maps::model_maps;
use crate::maps::projection::Projection;
use crate::model::shipped::Shipped;

/// Distinct renderings the tracks share.
const RECORDINGS: usize = 48;
/// Tracks per album and albums per artist in the generated folders.
const TRACKS_PER_ALBUM: usize = 10;
const ALBUMS_PER_ARTIST: usize = 2;
/// Marks a folder this command made, with its track count, so a second run reuses it.
const MARKER: &str = ".genrescope-bench-library";

/// What one library measurement found.
pub struct LibraryTimes {
    pub tracks: usize,
    pub audio_hours: f64,
    pub segments: usize,
    pub per_track_limit: usize,
    pub first_open_secs: f64,
    pub second_open_secs: f64,
    /// From the data to every map: the model over every clip, the code and logits maps, the
    /// raw map, the per-track verdicts and means.
    pub maps_secs: f64,
    /// Of which: the model over every clip with its two maps; the raw map.
    pub model_maps_secs: f64,
    pub raw_map_secs: f64,
    /// Peak memory of the first open, then of the second open and every map.
    pub first_open_peak_mb: Option<f64>,
    pub peak_rss_mb: Option<f64>,
}

/// Length of rendering `r`: 180 to 329 s, 4.2 minutes on average (GTZAN's 1,000 tracks are 30 s;
/// a library's songs are whole).
fn recording_secs(r: usize) -> usize {
    180 + (r * 53) % 150
}

/// Makes (or finds, from an earlier run) a library of `tracks` tracks under `dir`, laid out as
/// `Artist NNN/Album N/NN Track.wav`. Returns the hours of audio it holds.
pub fn make_library(dir: &Path, tracks: usize) -> anyhow::Result<f64> {
    let hours = |n: usize| -> f64 {
        (0..n)
            .map(|t| recording_secs(t % RECORDINGS) as f64)
            .sum::<f64>()
            / 3600.0
    };
    let marker = dir.join(MARKER);
    if std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == tracks.to_string()) {
        return Ok(hours(tracks));
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("cannot empty {} for the library", dir.display()))?;
    }
    // Hidden, so the scan skips the renderings themselves.
    let recordings = dir.join(".recordings");
    std::fs::create_dir_all(&recordings)
        .with_context(|| format!("cannot create {}", recordings.display()))?;
    let sources: Vec<PathBuf> = (0..RECORDINGS.min(tracks))
        .map(|r| recordings.join(format!("{r:02}.wav")))
        .collect();
    use rayon::prelude::*;
    sources
        .par_iter()
        .enumerate()
        .try_for_each(|(r, path)| -> anyhow::Result<()> {
            let samples = recording_secs(r) * RATE_HZ as usize;
            let audio = render_track(r % STYLES.len(), r, samples);
            write_wav(path, &audio, RATE_HZ)
                .with_context(|| format!("cannot write {}", path.display()))
        })?;
    for t in 0..tracks {
        let album = t / TRACKS_PER_ALBUM;
        let folder = dir
            .join(format!("Artist {:03}", album / ALBUMS_PER_ARTIST))
            .join(format!("Album {}", album % ALBUMS_PER_ARTIST + 1));
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let track = folder.join(format!("{:02} Track.wav", t % TRACKS_PER_ALBUM + 1));
        std::fs::hard_link(&sources[t % sources.len()], &track)
            .with_context(|| format!("cannot link {}", track.display()))?;
    }
    std::fs::write(&marker, tracks.to_string())
        .with_context(|| format!("cannot write {}", marker.display()))?;
    Ok(hours(tracks))
}

/// Resets this process's peak memory (Linux: `clear_refs` 5), so what follows is measured alone.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Opens `dir` as the window does (its layout found by the scan) with `cache`.
fn open(
    dir: &Path,
    cache: &FeatureCache,
    cfg: &crate::dataset::FeatureConfig,
) -> anyhow::Result<Dataset> {
    let reading = AnyReading {
        layout: None,
        cfg,
        library_cfg: None,
    };
    let dataset = load_any_cached(dir, &reading, &AtomicBool::new(false), &|_| {}, Some(cache))?;
    anyhow::ensure!(
        dataset.is_library(),
        "{} did not read as a library: {}",
        dir.display(),
        dataset.layout.why
    );
    Ok(dataset)
}

/// Opens the library in `dir` twice and maps it through the shipped log-mel model.
pub fn measure(
    dir: &Path,
    tracks: usize,
    peak_rss_mb: impl Fn() -> Option<f64>,
) -> anyhow::Result<LibraryTimes> {
    let audio_hours = make_library(dir, tracks)?;
    let saved = Shipped::GtzanLogmel.load()?;
    let cfg = saved.meta.features;
    let cache_dir =
        std::env::temp_dir().join(format!("genrescope-bench-library-{}", std::process::id()));
    let cache = FeatureCache::at(&cache_dir);
    reset_peak_rss();
    let start = Instant::now();
    let first = open(dir, &cache, &cfg)?;
    let first_open_secs = start.elapsed().as_secs_f64();
    drop(first);
    let first_open_peak_mb = peak_rss_mb();
    // As the window does when a job ends: freed memory goes back to the system.
    crate::runtime::release_memory();
    reset_peak_rss();
    let start = Instant::now();
    let dataset = open(dir, &cache, &cfg)?;
    let second_open_secs = start.elapsed().as_secs_f64();
    crate::runtime::release_memory();
    let start = Instant::now();
    let maps = model_maps(&dataset, &saved, None, false)?;
    let model_maps_secs = start.elapsed().as_secs_f64();
    let raw_start = Instant::now();
    let raw = Projection::fit(&dataset.vectors, dataset.dim())?;
    let raw_map_secs = raw_start.elapsed().as_secs_f64();
    let code_means =
        crate::latent::track_means(&dataset, &maps.inference.code, maps.inference.code_dim);
    #[cfg(feature = "window")]
    let view = crate::app::state::model::ModelView::new(maps, &dataset);
    let maps_secs = start.elapsed().as_secs_f64();
    let times = LibraryTimes {
        tracks: dataset.tracks.len(),
        audio_hours,
        segments: dataset.len(),
        per_track_limit: dataset.spread_limit,
        first_open_secs,
        second_open_secs,
        maps_secs,
        model_maps_secs,
        raw_map_secs,
        first_open_peak_mb,
        peak_rss_mb: peak_rss_mb(),
    };
    #[cfg(feature = "window")]
    drop(view);
    drop((raw, code_means));
    let _ = std::fs::remove_dir_all(&cache_dir);
    Ok(times)
}
