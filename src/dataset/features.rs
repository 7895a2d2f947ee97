//! Segmenting a track and pooling each segment into the vector the models learn from, as the
//! authors' code does: `audio[:n*seg].reshape(-1, pool).mean(1)`, `seg / pool` values a segment.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::audio::{open_at_rate, DecodeError, SourceInfo};

/// How tracks become vectors. The defaults are the paper's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    pub sample_rate_hz: u32,
    /// Raw samples in one segment (20,000 = 0.907 s at 22,050 Hz).
    pub segment_samples: usize,
    /// Boxcar width: this many raw samples average into one value.
    pub pool: usize,
    /// Segments taken from the start of each track; `None` takes every whole segment.
    pub max_segments_per_track: Option<usize>,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            sample_rate_hz: 22_050,
            segment_samples: 20_000,
            pool: 40,
            max_segments_per_track: Some(20),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FeatureConfigError {
    #[error("pool size must be at least 1")]
    ZeroPool,
    #[error("segment length {segment_samples} is not a multiple of the pool size {pool}; pick a pool that divides it (e.g. 10, 20, 40, 50, 100)")]
    NotDivisible { segment_samples: usize, pool: usize },
    #[error("segments per track must be at least 1 (or 'all')")]
    ZeroSegments,
    #[error("sample rate {0} Hz is outside 1,000-768,000 Hz")]
    Rate(u32),
}

impl FeatureConfig {
    /// Length of one pooled vector (500 with the defaults).
    pub fn dim(&self) -> usize {
        self.segment_samples / self.pool.max(1)
    }

    /// Rate of the pooled signal (551.25 Hz with the defaults).
    pub fn pooled_rate_hz(&self) -> f64 {
        f64::from(self.sample_rate_hz) / self.pool as f64
    }

    pub fn segment_secs(&self) -> f64 {
        self.segment_samples as f64 / f64::from(self.sample_rate_hz)
    }

    pub fn validate(&self) -> Result<(), FeatureConfigError> {
        if self.pool == 0 {
            return Err(FeatureConfigError::ZeroPool);
        }
        if self.segment_samples == 0 || self.segment_samples % self.pool != 0 {
            return Err(FeatureConfigError::NotDivisible {
                segment_samples: self.segment_samples,
                pool: self.pool,
            });
        }
        if self.max_segments_per_track == Some(0) {
            return Err(FeatureConfigError::ZeroSegments);
        }
        if !crate::audio::decode::PLAUSIBLE_RATE_HZ.contains(&self.sample_rate_hz) {
            return Err(FeatureConfigError::Rate(self.sample_rate_hz));
        }
        Ok(())
    }
}

/// Boxcar mean of `pool` consecutive samples, accumulated in f64 so the result matches numpy's
/// float32 mean to well within 1e-6.
pub fn pool_into(segment: &[f32], pool: usize, out: &mut Vec<f32>) {
    out.extend(
        segment
            .chunks_exact(pool)
            .map(|w| (w.iter().map(|&s| f64::from(s)).sum::<f64>() / pool as f64) as f32),
    );
}

/// The pooled vectors of one track.
#[derive(Debug, Clone)]
pub struct TrackFeatures {
    /// `n_segments × dim`, row-major.
    pub vectors: Vec<f32>,
    pub n_segments: usize,
    pub source: SourceInfo,
}

/// Decodes `path` (only as far as the segments need), cuts it into segments from the start and
/// pools each. Fails with `TooShort` when not even one whole segment is there.
pub fn extract_track(
    path: &Path,
    cfg: &FeatureConfig,
    cancel: &AtomicBool,
) -> Result<TrackFeatures, DecodeError> {
    let mut source = open_at_rate(path, cfg.sample_rate_hz)?;
    let info = source.info().clone();
    let max_segments = cfg.max_segments_per_track.unwrap_or(usize::MAX);
    let mut vectors = Vec::with_capacity(cfg.dim() * max_segments.min(64));
    let mut segment = Vec::with_capacity(cfg.segment_samples);
    let mut n_segments = 0usize;
    let mut samples_seen = 0usize;
    'decode: while n_segments < max_segments {
        if cancel.load(Ordering::Relaxed) {
            return Err(DecodeError::Cancelled);
        }
        let Some(mut block) = source.next_block()? else {
            break;
        };
        samples_seen += block.len();
        while !block.is_empty() {
            let take = (cfg.segment_samples - segment.len()).min(block.len());
            segment.extend_from_slice(&block[..take]);
            block = &block[take..];
            if segment.len() == cfg.segment_samples {
                pool_into(&segment, cfg.pool, &mut vectors);
                segment.clear();
                n_segments += 1;
                if n_segments == max_segments {
                    break 'decode;
                }
            }
        }
    }
    if n_segments == 0 {
        return Err(DecodeError::TooShort {
            path: path.to_path_buf(),
            duration_secs: samples_seen as f64 / f64::from(cfg.sample_rate_hz),
            segment_secs: cfg.segment_secs(),
        });
    }
    Ok(TrackFeatures {
        vectors,
        n_segments,
        source: info,
    })
}
