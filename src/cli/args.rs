//! Command-line arguments shared by several subcommands.

use std::path::PathBuf;

use clap::Args;

use crate::dataset::{DataSource, FeatureConfig, InputKind, SplitConfig, SplitProtocol};

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

/// How segments are divided into train/dev/test.
#[derive(Debug, Clone, Args)]
pub struct SplitArgs {
    /// `segment` (the paper's: tracks leak across splits) or `track` (each track in one split)
    #[arg(long, value_enum, default_value_t = SplitProtocol::Segment)]
    pub split: SplitProtocol,
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
            protocol: self.split,
            train_fraction: self.train_fraction,
            dev_fraction: self.dev_fraction,
            seed: self.seed,
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
