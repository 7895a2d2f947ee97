//! One's own music as a dataset: every track of a folder without genre folders, each read over
//! its whole length (segments spread evenly, see `whole_track`), with one unlabelled genre until
//! a model predicts one. `load_any` opens any folder, labelled or not.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::features::{FeatureConfig, Featurizer};
use super::layout::{scan_any, Layout, LayoutFound};
use super::load::{decode_each, load_dataset, nothing_usable, LoadError, LoadProgress};
use super::scan::{ScanResult, Skipped};
use super::whole_track::{extract_spread, SpreadTrack, SPREAD_SEGMENTS};
use super::{DataSource, Dataset, Segment, Track};
use crate::audio::DecodeError;

/// Opens `root` however it is laid out: genre folders as a labelled dataset (the model's cut of
/// each track, as training reads it), anything else as a library of whole tracks.
pub fn load_any(
    root: &Path,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    let (scan, found) = scan_any(root, None)?;
    let mut dataset = match found.layout {
        Layout::Genres => load_dataset(scan, cfg, cancel, progress)?,
        Layout::Library => load_library(scan, cfg, SPREAD_SEGMENTS, cancel, progress)?,
    };
    dataset.layout = found;
    Ok(dataset)
}

/// Decodes every track of a library scan on rayon's pool, at most `limit` segments per track
/// spread over its length. Files that fail are skipped with their reason.
pub fn load_library(
    scan: ScanResult,
    cfg: &FeatureConfig,
    limit: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    let featurizer = Featurizer::new(cfg)?;
    let total = scan.tracks.len();
    let results: Vec<Result<SpreadTrack, DecodeError>> =
        decode_each(scan.tracks.iter().collect(), cancel, progress, |track| {
            extract_spread(&track.path, &featurizer, limit, cancel)
        })?;
    let values: usize = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|s| s.features.vectors.len())
        .sum();
    let mut dataset = Dataset {
        source: DataSource::Folder(scan.root.clone()),
        genres: scan.genres.clone(),
        features: *cfg,
        tracks: Vec::new(),
        segments: Vec::new(),
        vectors: Vec::with_capacity(values),
        descriptors: Vec::new(),
        fingerprints: Vec::new(),
        skipped: scan.skipped,
        cache_repaired: 0,
        layout: LayoutFound {
            layout: Layout::Library,
            why: String::new(),
        },
    };
    for (track_ref, result) in scan.tracks.iter().zip(results) {
        let spread = match result {
            Ok(spread) => spread,
            Err(DecodeError::Cancelled) => return Err(LoadError::Cancelled),
            Err(err) => {
                dataset.skipped.push(Skipped {
                    path: track_ref.path.clone(),
                    reason: err.to_string(),
                });
                continue;
            }
        };
        let track = dataset.tracks.len();
        dataset
            .segments
            .extend(spread.segment_index.iter().map(|&index| Segment {
                track,
                index,
                offset_samples: index * cfg.segment_samples,
            }));
        let features = spread.features;
        dataset.vectors.extend_from_slice(&features.vectors);
        dataset.descriptors.extend_from_slice(&features.descriptors);
        dataset.fingerprints.push(features.fingerprint);
        dataset.tracks.push(Track {
            size_bytes: std::fs::metadata(&track_ref.path).map_or(0, |m| m.len()),
            path: track_ref.path.clone(),
            genre: 0,
            // The key of a model's training stamps, so a track it trained on is known as such.
            content: spread.trained_cut_content,
            source: features.source,
            n_segments: features.n_segments,
            segments_in_track: spread.segments_in_track,
        });
    }
    if dataset.tracks.is_empty() {
        return Err(nothing_usable(scan.root, total, &dataset.skipped));
    }
    Ok(dataset)
}
