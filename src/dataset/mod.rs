//! From a folder of music to labelled vectors with provenance: `scan` finds tracks and their
//! genres, `features` segments and pools one track, `load` does a whole folder in parallel, and
//! `split` assigns train/dev/test.

pub mod features;
pub mod load;
pub mod scan;
pub mod split;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use features::FeatureConfig;
pub use load::{load_dataset, load_folder, LoadError, LoadProgress};
pub use scan::{scan_folder, ScanError, ScanResult, Skipped, TrackRef};
pub use split::{assign_splits, Split, SplitConfig, SplitError, SplitProtocol};

use crate::audio::SourceInfo;

/// One track that loaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Track {
    pub path: PathBuf,
    /// Index into [`Dataset::genres`].
    pub genre: usize,
    pub source: SourceInfo,
    pub n_segments: usize,
}

impl Track {
    /// The file's name without its folder (e.g. `jazz.00003.wav`).
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Where one vector came from: enough to find and play its original audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Index into [`Dataset::tracks`].
    pub track: usize,
    /// Position of the segment within its track (0 = first).
    pub index: usize,
    /// First sample of the segment in the track, at `features.sample_rate_hz`.
    pub offset_samples: usize,
}

/// Every pooled vector of a folder with its label and provenance.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub root: PathBuf,
    /// Label order: genre `i` is label `i`.
    pub genres: Vec<String>,
    pub features: FeatureConfig,
    pub tracks: Vec<Track>,
    pub segments: Vec<Segment>,
    /// `segments.len() × features.dim()`, row-major.
    pub vectors: Vec<f32>,
    pub skipped: Vec<Skipped>,
}

/// Tracks and segments of one genre, for summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenreCount {
    pub genre: String,
    pub tracks: usize,
    pub segments: usize,
}

impl Dataset {
    pub fn dim(&self) -> usize {
        self.features.dim()
    }

    pub fn len(&self) -> usize {
        self.segments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    pub fn vector(&self, i: usize) -> &[f32] {
        let dim = self.dim();
        &self.vectors[i * dim..(i + 1) * dim]
    }

    /// The genre index of segment `i`.
    pub fn label(&self, i: usize) -> usize {
        self.tracks[self.segments[i].track].genre
    }

    pub fn labels(&self) -> Vec<u32> {
        (0..self.len()).map(|i| self.label(i) as u32).collect()
    }

    pub fn track_of(&self, i: usize) -> &Track {
        &self.tracks[self.segments[i].track]
    }

    /// Time range of segment `i` in its track, in seconds.
    pub fn segment_time_secs(&self, i: usize) -> (f64, f64) {
        let rate = f64::from(self.features.sample_rate_hz);
        let start = self.segments[i].offset_samples as f64 / rate;
        (start, start + self.features.segment_secs())
    }

    pub fn genre_counts(&self) -> Vec<GenreCount> {
        let mut counts: Vec<GenreCount> = self
            .genres
            .iter()
            .map(|g| GenreCount {
                genre: g.clone(),
                tracks: 0,
                segments: 0,
            })
            .collect();
        for track in &self.tracks {
            counts[track.genre].tracks += 1;
            counts[track.genre].segments += track.n_segments;
        }
        counts
    }

    /// The split of every segment under `cfg`.
    pub fn splits(&self, cfg: &SplitConfig) -> Result<Vec<Split>, SplitError> {
        let segment_track: Vec<usize> = self.segments.iter().map(|s| s.track).collect();
        let track_genre: Vec<usize> = self.tracks.iter().map(|t| t.genre).collect();
        assign_splits(&segment_track, &track_genre, &self.genres, cfg)
    }

    /// `TRACK:SEGMENT` label of segment `i` (file name without folder), as the CLI accepts it.
    pub fn segment_label(&self, i: usize) -> String {
        format!(
            "{}:{}",
            self.track_of(i).file_name(),
            self.segments[i].index
        )
    }

    /// Finds a segment by `TRACK:SEGMENT`, where TRACK is a file name (or a path ending in it)
    /// and SEGMENT its index in the track.
    pub fn find_segment(&self, spec: &str) -> Option<usize> {
        let (track, segment) = spec.rsplit_once(':')?;
        let segment: usize = segment.trim().parse().ok()?;
        (0..self.len()).find(|&i| {
            let t = self.track_of(i);
            self.segments[i].index == segment
                && (t.path.ends_with(track)
                    || t.path.file_name().is_some_and(|n| n == track)
                    || t.path.file_stem().is_some_and(|n| n == track))
        })
    }
}
