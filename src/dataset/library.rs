//! One's own music as a dataset: every track of a folder without genre folders, each read over
//! its whole length (segments spread evenly, see `whole_track`), with one unlabelled genre until
//! a model predicts one. `load_any` opens any folder, labelled or not.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::cache::{Cut, FeatureCache};
use super::features::{FeatureConfig, Featurizer};
use super::layout::{scan_any, Layout, LayoutFound};
use super::load::{decode_each, load_dataset_cached, nothing_usable, LoadError, LoadProgress};
use super::scan::{ScanResult, Skipped};
use super::whole_track::{extract_spread, SpreadTrack, SPREAD_SEGMENTS};
use super::{DataSource, Dataset, Segment, Track};
use crate::audio::DecodeError;

/// Segments a library is read into, in all, before each track gives fewer than
/// [`SPREAD_SEGMENTS`]. A log-mel segment is 2,432 values: 40,000 of them are 390 MB, and with
/// the maps of them a second open of 10,000 tracks peaks at 0.9 GB (`genrescope bench
/// --library 10000`; the window under Xvfb at about 1.5 GB).
pub const LIBRARY_SEGMENTS: usize = 40_000;
/// Fewest segments a track gives, however large the library: enough for a verdict that is not
/// one moment's.
pub const MIN_TRACK_SEGMENTS: usize = 4;

/// At most how many segments each of `tracks` tracks gives: [`SPREAD_SEGMENTS`] up to 625
/// tracks, then fewer so the library stays within [`LIBRARY_SEGMENTS`], never below
/// [`MIN_TRACK_SEGMENTS`].
pub fn per_track_limit(tracks: usize) -> usize {
    (LIBRARY_SEGMENTS / tracks.max(1)).clamp(MIN_TRACK_SEGMENTS, SPREAD_SEGMENTS)
}

/// Opens `root` as `layout`, or however it is laid out: genre folders as a labelled dataset
/// (the model's cut of each track, as training reads it), anything else as a library of whole
/// tracks (in `library_cfg` when given). Unchanged tracks come from the user's feature cache.
pub fn load_any(
    root: &Path,
    layout: Option<Layout>,
    cfg: &FeatureConfig,
    library_cfg: Option<&FeatureConfig>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
) -> Result<Dataset, LoadError> {
    let cache = FeatureCache::default_location();
    let reading = AnyReading {
        layout,
        cfg,
        library_cfg,
    };
    load_any_cached(root, &reading, cancel, progress, cache.as_ref())
}

/// How [`load_any_cached`] reads a folder: as `layout` (or as it looks), in `cfg`, a library in
/// `library_cfg` when given.
#[derive(Debug, Clone, Copy)]
pub struct AnyReading<'a> {
    pub layout: Option<Layout>,
    pub cfg: &'a FeatureConfig,
    pub library_cfg: Option<&'a FeatureConfig>,
}

/// [`load_any`] with the cache given (or none).
pub fn load_any_cached(
    root: &Path,
    reading: &AnyReading<'_>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
    cache: Option<&FeatureCache>,
) -> Result<Dataset, LoadError> {
    let (scan, found) = scan_any(root, reading.layout)?;
    let mut dataset = match found.layout {
        Layout::Genres => load_dataset_cached(scan, reading.cfg, cancel, progress, cache)?,
        Layout::Library => {
            let limit = per_track_limit(scan.tracks.len());
            let cfg = reading.library_cfg.unwrap_or(reading.cfg);
            load_library(scan, cfg, limit, cancel, progress, cache)?
        }
    };
    dataset.layout = found;
    Ok(dataset)
}

/// Decodes every track of a library scan on rayon's pool, at most `limit` segments per track
/// spread over its length, taking unchanged tracks from `cache`. Files that fail are skipped
/// with their reason.
pub fn load_library(
    scan: ScanResult,
    cfg: &FeatureConfig,
    limit: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(LoadProgress) + Sync),
    cache: Option<&FeatureCache>,
) -> Result<Dataset, LoadError> {
    let featurizer = Featurizer::new(cfg)?;
    let total = scan.tracks.len();
    let cut = Cut::Spread { limit };
    let mut cached = cache.map_or_else(Default::default, |c| c.read(&scan.root, cfg, cut));
    let from_cache: Vec<Option<SpreadTrack>> = scan
        .tracks
        .iter()
        .map(|t| {
            let hit = cached.tracks.remove(&t.path)?;
            Some(SpreadTrack::from_parts(hit.features, hit.spread?))
        })
        .collect();
    let all_cached = from_cache.iter().all(Option::is_some);
    let work: Vec<_> = scan.tracks.iter().zip(from_cache).collect();
    let results: Vec<Result<SpreadTrack, DecodeError>> =
        decode_each(work, cancel, progress, |(track, hit)| match hit {
            Some(spread) => Ok(spread),
            None => extract_spread(&track.path, &featurizer, limit, cancel),
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
        cache_repaired: cached.damaged,
        spread_limit: limit,
        layout: LayoutFound {
            layout: Layout::Library,
            why: String::new(),
        },
    };
    let mut metas = Vec::with_capacity(total);
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
        metas.push(spread.meta());
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
    if let (Some(cache), false) = (cache, all_cached) {
        // The cache only saves time: a library it cannot be written for still loads.
        let _ = cache.write(&scan.root, cut, &dataset, Some(&metas));
    }
    Ok(dataset)
}
