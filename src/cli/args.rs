//! Command-line arguments shared by several subcommands.

use std::path::PathBuf;

use clap::Args;

use crate::dataset::{DataSource, FeatureConfig, GroupBy, InputKind, SplitConfig, SplitProtocol};

/// How a folder becomes vectors (the paper's settings by default).
#[derive(Debug, Clone, Args)]
pub struct IngestArgs {
    /// Only these genres, comma-separated (e.g. the paper's classical,jazz,metal,pop); default: all
    /// found
    #[arg(long, value_delimiter = ',')]
    pub genres: Option<Vec<String>>,
    /// Segments per track from the start, or `all`
    #[arg(long, default_value = "20", value_parser = parse_segments)]
    pub segments: SegmentCount,
    /// Raw samples per segment (at 22,050 Hz)
    #[arg(long, default_value_t = 20_000)]
    pub segment_samples: usize,
    /// Boxcar pool size of the waveform representation: raw samples averaged into one value
    #[arg(long, default_value_t = 40)]
    pub pool: usize,
    /// Input representation: the paper's pooled waveform, or log-mel spectrogram patches
    #[arg(long, value_enum, default_value_t = InputKind::Waveform)]
    pub input: InputKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCount(pub Option<usize>);

fn parse_segments(s: &str) -> Result<SegmentCount, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(SegmentCount(None));
    }
    match s.parse::<usize>() {
        Ok(0) | Err(_) => Err(format!(
            "'{s}' is not a positive number of segments or 'all'"
        )),
        Ok(n) => Ok(SegmentCount(Some(n))),
    }
}

impl IngestArgs {
    pub fn feature_config(&self) -> FeatureConfig {
        FeatureConfig {
            segment_samples: self.segment_samples,
            pool: self.pool,
            max_segments_per_track: self.segments.0,
            ..FeatureConfig::default()
        }
        .with_input(self.input)
    }
}

/// A split as written on the command line: `segment`, `track`, `kfold:K` or `files`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitChoice {
    pub protocol: SplitProtocol,
    pub folds: usize,
}

impl std::fmt::Display for SplitChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.protocol {
            SplitProtocol::KFold => write!(f, "kfold:{}", self.folds),
            other => write!(f, "{other}"),
        }
    }
}

fn parse_split(s: &str) -> Result<SplitChoice, String> {
    let choice = |protocol, folds| Ok(SplitChoice { protocol, folds });
    match s {
        "segment" => choice(SplitProtocol::Segment, 0),
        "track" => choice(SplitProtocol::Track, 0),
        "files" => choice(SplitProtocol::Files, 0),
        _ => match s.strip_prefix("kfold:").map(str::parse::<usize>) {
            Some(Ok(k)) if (3..=100).contains(&k) => choice(SplitProtocol::KFold, k),
            _ => Err(format!(
                "'{s}' is not a split: use segment (the paper's), track, kfold:K (K from 3 to \
                 100, e.g. kfold:8) or files (GTZAN's published filtered lists)"
            )),
        },
    }
}

/// How segments are divided into train/dev/test.
#[derive(Debug, Clone, Args)]
pub struct SplitArgs {
    /// `segment` (the paper's: tracks leak across splits), `track` (each track in one split),
    /// `kfold:K` (cross-validation over K folds of tracks, each fold the test once) or `files`
    /// (GTZAN's published fault-filtered, artist-conditional lists)
    #[arg(long, default_value = "segment", value_parser = parse_split)]
    pub split: SplitChoice,
    /// What stays on one side of the split besides a track: `track` (with its published
    /// duplicates) or `artist` (GTZAN's index; tracks it cannot place stay alone)
    #[arg(long, value_enum, default_value_t = GroupBy::Track)]
    pub group: GroupBy,
    /// Fraction for training; dev gets --dev-fraction, test the rest
    #[arg(long, default_value_t = 0.75, allow_negative_numbers = true)]
    pub train_fraction: f64,
    #[arg(long, default_value_t = 0.125, allow_negative_numbers = true)]
    pub dev_fraction: f64,
    /// Seed of the split (and of training, where there is one)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl SplitArgs {
    pub fn split_config(&self) -> SplitConfig {
        SplitConfig {
            protocol: self.split.protocol,
            train_fraction: self.train_fraction,
            dev_fraction: self.dev_fraction,
            seed: self.seed,
            folds: self.split.folds,
            fold: 0,
            group: self.group,
        }
    }
}

/// A folder to load.
#[derive(Debug, Clone, Args)]
pub struct FolderArg {
    /// Dataset folder: <DIR>/<genre>/*, GTZAN's genres/<genre>/ or Kaggle's
    /// genres_original/<genre>/; `builtin:demo` is the synthetic demo set
    pub dir: PathBuf,
}

impl FolderArg {
    pub fn source(&self) -> DataSource {
        DataSource::from_arg(&self.dir)
    }
}
