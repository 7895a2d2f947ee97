//! Decoding a whole folder in parallel, with progress, cancellation and per-file skip reasons.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::cache::{Cut, FeatureCache};
use super::features::{
    extract_track_with, FeatureConfig, FeatureConfigError, Featurizer, TrackFeatures,
};
use super::scan::{scan_folder, ScanError, ScanResult, Skipped};
use super::{DataSource, Dataset, Segment, Track};
use crate::audio::DecodeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    pub tracks_done: usize,
    pub tracks_total: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("invalid feature settings: {0}")]
    Config(#[from] FeatureConfigError),
    #[error("loading was cancelled")]
    Cancelled,
    #[error(
        "none of the {tried} audio files in {} could be used; first problem: {first_reason}",
        root.display()
    )]
    NothingUsable {
        root: PathBuf,
        tried: usize,
        first_reason: String,
    },
}

/// Scans `root` and loads it.
pub fn load_folder(
    root: &Path,
    genre_filter: Option<&[String]>,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    let scan = scan_folder(root, genre_filter)?;
    load_dataset(scan, cfg, cancel, progress)
}

/// Decodes, segments and pools every scanned track on rayon's pool, taking unchanged tracks
/// from the user's feature cache. Files that fail are skipped with their reason; genres left
/// without any track are dropped from the label list.
pub fn load_dataset(
    scan: ScanResult,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    load_dataset_cached(
        scan,
        cfg,
        cancel,
        progress,
        FeatureCache::default_location().as_ref(),
    )
}

/// [`load_dataset`] with the cache given (or none).
pub fn load_dataset_cached(
    scan: ScanResult,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
    cache: Option<&FeatureCache>,
) -> Result<Dataset, LoadError> {
    let featurizer = Featurizer::new(cfg)?;
    let total = scan.tracks.len();
    let mut cached = cache.map_or_else(Default::default, |c| c.read(&scan.root, cfg, Cut::Lead));
    let from_cache: Vec<Option<TrackFeatures>> = scan
        .tracks
        .iter()
        .map(|t| cached.tracks.remove(&t.path).map(|c| c.features))
        .collect();
    let all_cached = from_cache.iter().all(Option::is_some);
    let work: Vec<_> = scan.tracks.iter().zip(from_cache).collect();
    let results = decode_each(work, cancel, progress, |(track, cached)| match cached {
        Some(features) => Ok(features),
        None => extract_track_with(&track.path, &featurizer, cancel),
    })?;

    let mut skipped = scan.skipped;
    let mut used_genres: Vec<String> = Vec::new();
    let mut tracks = Vec::new();
    let mut segments = Vec::new();
    // One allocation for every vector; each track's own is freed as it is copied in.
    let values: usize = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|f| f.vectors.len())
        .sum();
    let mut vectors = Vec::with_capacity(values);
    let mut descriptors = Vec::with_capacity(values / cfg.dim().max(1));
    let mut fingerprints = Vec::with_capacity(scan.tracks.len());
    for (track_ref, result) in scan.tracks.iter().zip(results) {
        match result {
            Ok(features) => {
                let genre = match used_genres.iter().position(|g| *g == track_ref.genre) {
                    Some(g) => g,
                    None => {
                        used_genres.push(track_ref.genre.clone());
                        used_genres.len() - 1
                    }
                };
                let track_index = tracks.len();
                segments.extend((0..features.n_segments).map(|index| Segment {
                    track: track_index,
                    index,
                    offset_samples: index * cfg.segment_samples,
                }));
                vectors.extend_from_slice(&features.vectors);
                descriptors.extend_from_slice(&features.descriptors);
                fingerprints.push(features.fingerprint);
                tracks.push(Track {
                    size_bytes: std::fs::metadata(&track_ref.path).map_or(0, |m| m.len()),
                    path: track_ref.path.clone(),
                    genre,
                    content: features.content.finish(),
                    source: features.source,
                    n_segments: features.n_segments,
                    segments_in_track: 0,
                });
            }
            Err(DecodeError::Cancelled) => return Err(LoadError::Cancelled),
            Err(err) => skipped.push(Skipped {
                path: track_ref.path.clone(),
                reason: err.to_string(),
            }),
        }
    }
    if tracks.is_empty() {
        return Err(nothing_usable(scan.root, total, &skipped));
    }
    // Tracks arrive sorted by genre, so first-seen order is the scan's (alphabetical) order.
    let dataset = Dataset {
        source: DataSource::Folder(scan.root.clone()),
        genres: used_genres,
        features: *cfg,
        tracks,
        segments,
        vectors,
        descriptors,
        fingerprints,
        skipped,
        cache_repaired: cached.damaged,
        spread_limit: 0,
        layout: Default::default(),
    };
    if let (Some(cache), false) = (cache, all_cached) {
        // The cache only saves time: a folder it cannot be written to still loads.
        let _ = cache.write(&scan.root, Cut::Lead, &dataset, None);
    }
    Ok(dataset)
}

/// Runs `decode` on every item on rayon's pool, reporting tracks done as each ends and stopping
/// early when `cancel` is set. Each item's own failure is kept for its skip reason.
pub(super) fn decode_each<I: Send, T: Send>(
    items: Vec<I>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
    decode: impl Fn(I) -> Result<T, DecodeError> + Sync,
) -> Result<Vec<Result<T, DecodeError>>, LoadError> {
    let total = items.len();
    let done = AtomicUsize::new(0);
    progress(LoadProgress {
        tracks_done: 0,
        tracks_total: total,
    });
    let results = items
        .into_par_iter()
        .map(|item| {
            let result = if cancel.load(Ordering::Relaxed) {
                Err(DecodeError::Cancelled)
            } else {
                decode(item)
            };
            let tracks_done = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(LoadProgress {
                tracks_done,
                tracks_total: total,
            });
            result
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(LoadError::Cancelled);
    }
    Ok(results)
}

/// None of `tried` files under `root` could be used: said with the first reason.
pub(super) fn nothing_usable(root: PathBuf, tried: usize, skipped: &[Skipped]) -> LoadError {
    let first_reason = skipped
        .first()
        .map(|s| s.reason.clone())
        .unwrap_or_else(|| "no audio files".into());
    LoadError::NothingUsable {
        root,
        tried,
        first_reason,
    }
}
