//! From a folder of music to labelled vectors with provenance: `scan` finds tracks and their
//! genres, `features` segments and pools one track, `load` does a whole folder in parallel, and
//! `split` assigns train/dev/test.

pub mod cache;
pub mod demo;
pub mod features;
pub mod gtzan_meta;
pub mod layout;
pub mod library;
pub mod load;
pub mod repeats;
pub mod scan;
pub mod sources;
pub mod split;
pub mod whole_track;

use std::hash::Hasher;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use features::{FeatureConfig, InputKind, MelParams, Representation};
pub use layout::{scan_any, Layout, LayoutFound, UNLABELLED};
pub use library::{
    load_any, load_any_cached, load_library, per_track_limit, AnyReading, LIBRARY_SEGMENTS,
};
pub use load::{load_dataset, load_dataset_cached, load_folder, LoadError, LoadProgress};
pub use scan::{scan_folder, ScanError, ScanResult, Skipped, TrackRef};
pub use split::{
    assign_splits, GroupBy, Split, SplitConfig, SplitError, SplitPlan, SplitProtocol, SplitTrack,
};

use crate::audio::SourceInfo;
pub use crate::dsp::descriptors::{Descriptor, Descriptors};

/// What a user writes for the demo set wherever a folder is expected, and what its track paths
/// start with.
pub const DEMO_ROOT: &str = "builtin:demo";
/// How the window and the reports name the demo set.
pub const DEMO_LABEL: &str = "synthetic demo set (made by genrescope's synthesizer, not GTZAN)";

/// Where a dataset comes from: a folder of music, or the built-in synthetic demo set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataSource {
    Folder(PathBuf),
    Demo,
}

impl DataSource {
    /// What a user wrote: `builtin:demo` is the demo set, anything else a folder.
    pub fn from_arg(path: &Path) -> Self {
        if path.as_os_str() == DEMO_ROOT {
            Self::Demo
        } else {
            Self::Folder(path.to_path_buf())
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, Self::Demo)
    }

    pub fn folder(&self) -> Option<&Path> {
        match self {
            Self::Folder(p) => Some(p),
            Self::Demo => None,
        }
    }

    /// How the window and the reports name it.
    pub fn label(&self) -> String {
        match self {
            Self::Folder(p) => p.display().to_string(),
            Self::Demo => DEMO_LABEL.to_string(),
        }
    }
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Folder(p) => write!(f, "{}", p.display()),
            Self::Demo => f.write_str(DEMO_ROOT),
        }
    }
}

/// One track that loaded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Track {
    pub path: PathBuf,
    /// Index into [`Dataset::genres`].
    pub genre: usize,
    pub source: SourceInfo,
    pub n_segments: usize,
    /// The file's size when it was read (0 for the synthesizer's tracks).
    #[serde(default)]
    pub size_bytes: u64,
    /// FNV-64 of the samples its segments were made of (see `features::ContentHash`); for a
    /// library's track, of the segments a model's own cut takes (the key of its training stamps).
    #[serde(default)]
    pub content: u64,
    /// Whole segments the file holds, when it was read to its end (a library's tracks); 0 when
    /// only the first `n_segments` were read.
    #[serde(default)]
    pub segments_in_track: usize,
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
    pub source: DataSource,
    /// Label order: genre `i` is label `i`.
    pub genres: Vec<String>,
    pub features: FeatureConfig,
    pub tracks: Vec<Track>,
    pub segments: Vec<Segment>,
    /// `segments.len() × features.dim()`, row-major.
    pub vectors: Vec<f32>,
    /// Each segment's audio descriptors (of its original audio, not of its vector).
    pub descriptors: Vec<Descriptors>,
    /// Each track's fingerprint (of the samples its segments were made of), for repeats.
    pub fingerprints: Vec<crate::dsp::fingerprint::Fingerprint>,
    pub skipped: Vec<Skipped>,
    /// Tracks whose feature-cache entry was damaged (it failed its checksum): decoded again,
    /// and the cache rewritten.
    pub cache_repaired: usize,
    /// Labelled (genre folders) or a library without labels, and what the scan said of it.
    pub layout: LayoutFound,
    /// A library's most segments per track (see `library::per_track_limit`); 0 when labelled.
    pub spread_limit: usize,
}

/// Tracks and segments of one genre, for summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenreCount {
    pub genre: String,
    pub tracks: usize,
    pub segments: usize,
}

impl Dataset {
    /// What a user should hear about how the folder was read, beyond the files skipped.
    pub fn cache_note(&self) -> Option<String> {
        (self.cache_repaired > 0).then(|| {
            format!(
                "{} track(s) of {} had a damaged feature-cache entry: they were decoded again and \
                 the cache rewritten.",
                self.cache_repaired,
                self.source.label()
            )
        })
    }

    pub fn dim(&self) -> usize {
        self.features.dim()
    }

    /// One's own music without genre folders: its one genre is [`UNLABELLED`], and what a
    /// model predicts stands in for labels.
    pub fn is_library(&self) -> bool {
        self.layout.layout == Layout::Library
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

    /// Identifies the tracks wherever the folder is and whatever it is called: a hash of each
    /// track's genre, file name and size. Two folders with the same fingerprint hold the same
    /// tracks (a model trained on one was trained on the other); a folder with one track more or
    /// less, or the same audio in another format, has another fingerprint.
    pub fn fingerprint(&self) -> String {
        if self.source.is_demo() {
            return "demo".into();
        }
        let mut lines: Vec<String> = self
            .tracks
            .iter()
            .map(|t| {
                format!(
                    "{}/{}:{}",
                    self.genres[t.genre],
                    t.file_name(),
                    t.size_bytes
                )
            })
            .collect();
        lines.sort();
        let mut hasher = fnv::FnvHasher::default();
        for line in &lines {
            hasher.write(line.as_bytes());
            hasher.write_u8(b'\n');
        }
        format!("fnv64:{:016x}:{}", hasher.finish(), lines.len())
    }

    /// The genre index of segment `i`.
    pub fn label(&self, i: usize) -> usize {
        self.tracks[self.segments[i].track].genre
    }

    pub fn labels(&self) -> Vec<u32> {
        (0..self.len()).map(|i| self.label(i) as u32).collect()
    }

    /// The segments of track `t` (a track's segments are consecutive, in track order).
    pub fn track_segments(&self, t: usize) -> std::ops::Range<usize> {
        let start = self.segments.partition_point(|s| s.track < t);
        let end = self.segments.partition_point(|s| s.track <= t);
        start..end
    }

    /// The segment nearest the middle of track `t`: what a whole track is best heard by.
    pub fn middle_segment(&self, t: usize) -> Option<usize> {
        let range = self.track_segments(t);
        (!range.is_empty()).then(|| range.start + range.len() / 2)
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
        Ok(self.split_plan(cfg)?.splits)
    }

    /// The split of every segment under `cfg`, with what a report should say of it.
    pub fn split_plan(&self, cfg: &SplitConfig) -> Result<SplitPlan, SplitError> {
        let segment_track: Vec<usize> = self.segments.iter().map(|s| s.track).collect();
        let groups = self.track_groups(cfg.group);
        let tracks: Vec<SplitTrack> = self
            .tracks
            .iter()
            .zip(groups)
            .map(|(t, group)| SplitTrack {
                genre: t.genre,
                group,
                listed: gtzan_meta::filtered_split(&t.file_name()),
            })
            .collect();
        assign_splits(&segment_track, &tracks, &self.genres, cfg)
    }

    /// Which tracks must stay on one side of a split: a group id per track. GTZAN's published
    /// exact repeats and the repeats the tracks' fingerprints show are always together; by
    /// artist, so is every track of an artist GTZAN's index names (tracks it cannot place are
    /// alone).
    pub fn track_groups(&self, by: GroupBy) -> Vec<usize> {
        let mut parent: Vec<usize> = (0..self.tracks.len()).collect();
        fn root(parent: &mut [usize], mut t: usize) -> usize {
            while parent[t] != t {
                parent[t] = parent[parent[t]];
                t = parent[t];
            }
            t
        }
        let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (root(parent, a), root(parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        };
        let mut by_name: std::collections::HashMap<String, usize> = Default::default();
        for (t, track) in self.tracks.iter().enumerate() {
            if let Some(name) = gtzan_meta::gtzan_name(&track.file_name()) {
                by_name.entry(name).or_insert(t);
            }
        }
        for (a, b) in gtzan_meta::exact_repeats() {
            if let (Some(&ta), Some(&tb)) = (by_name.get(a), by_name.get(b)) {
                join(&mut parent, ta, tb);
            }
        }
        for (a, b, _, _, _) in
            repeats::find_repeats(&self.fingerprints, self.features.sample_rate_hz)
        {
            join(&mut parent, a, b);
        }
        if by == GroupBy::Artist {
            let mut first_of: std::collections::HashMap<&str, usize> = Default::default();
            for (t, track) in self.tracks.iter().enumerate() {
                let artist =
                    gtzan_meta::credit(&track.file_name()).and_then(|c| c.artist.as_deref());
                if let Some(artist) = artist {
                    let first = *first_of.entry(artist).or_insert(t);
                    join(&mut parent, first, t);
                }
            }
        }
        (0..parent.len()).map(|t| root(&mut parent, t)).collect()
    }

    /// How many tracks GTZAN's index names an artist for.
    pub fn tracks_with_artist(&self) -> usize {
        self.tracks
            .iter()
            .filter(|t| gtzan_meta::credit(&t.file_name()).is_some_and(|c| c.artist.is_some()))
            .count()
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
