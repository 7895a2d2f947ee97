//! A whole track as segments: every whole segment of a song, or, for a long one, segments evenly
//! spread over its full length (a verdict on a song must not rest on its intro, which is all the
//! paper's first-20-segments cut sees of a 4-minute track).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::features::{ContentHash, Featurizer, TrackFeatures};
use crate::audio::{open_at_rate, DecodeError};

/// Most segments a library's track gives by default: a track of up to 58 s is read whole (the
/// paper's segments are 0.9 s), a 4-minute song (about 265 segments) one every 3.7 s.
pub const SPREAD_SEGMENTS: usize = 64;

/// The segments taken from one track, and where they start.
#[derive(Debug, Clone)]
pub struct SpreadTrack {
    pub features: TrackFeatures,
    /// Index of each taken segment among the track's whole segments (start = index × segment).
    pub segment_index: Vec<usize>,
    /// Whole segments the track holds; more than taken when the limit applied.
    pub segments_in_track: usize,
    pub duration_secs: f64,
    /// What the model's own cut of this track (its first `max_segments_per_track` segments, as
    /// training saw them) hashes to: the key of the model's training stamps, so a track it was
    /// trained on is known as such wherever it is.
    pub trained_cut_content: u64,
}

impl SpreadTrack {
    pub fn limited(&self) -> bool {
        self.segment_index.len() < self.segments_in_track
    }

    /// Where its segments came from, for the feature cache.
    pub fn meta(&self) -> SpreadMeta {
        SpreadMeta {
            segment_index: self.segment_index.clone(),
            segments_in_track: self.segments_in_track,
            duration_secs: self.duration_secs,
            trained_cut_content: self.trained_cut_content,
        }
    }

    pub fn from_parts(features: TrackFeatures, meta: SpreadMeta) -> Self {
        Self {
            features,
            segment_index: meta.segment_index,
            segments_in_track: meta.segments_in_track,
            duration_secs: meta.duration_secs,
            trained_cut_content: meta.trained_cut_content,
        }
    }
}

/// A [`SpreadTrack`] but its features: what the feature cache keeps beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpreadMeta {
    pub segment_index: Vec<usize>,
    pub segments_in_track: usize,
    pub duration_secs: f64,
    pub trained_cut_content: u64,
}

/// Which of `total` segments to take, at most `limit`: all of them, or the middle segment of
/// each of `limit` equal stretches of the track.
pub fn spread_indices(total: usize, limit: usize) -> Vec<usize> {
    if total <= limit {
        return (0..total).collect();
    }
    (0..limit)
        .map(|k| (2 * k + 1) * total / (2 * limit))
        .collect()
}

/// Decodes `path` to its end and featurizes at most `limit` of its whole segments, spread evenly
/// over its length. A file whose header does not say its length is decoded twice (once to
/// count), not held in memory: a 3-hour file must cost no more than a 3-minute one.
pub fn extract_spread(
    path: &Path,
    featurizer: &Featurizer,
    limit: usize,
    cancel: &AtomicBool,
) -> Result<SpreadTrack, DecodeError> {
    let cfg = featurizer.config();
    let segment = cfg.segment_samples.max(1);
    let rate_hz = cfg.sample_rate_hz;
    let mut source = open_at_rate(path, rate_hz)?;
    let info = source.info().clone();
    let declared_samples = info
        .declared_frames
        .map(|f| (f as u128 * u128::from(rate_hz) / u128::from(info.sample_rate_hz.max(1))) as u64);
    let total_samples = match declared_samples {
        Some(n) => n,
        None => {
            let mut counter = open_at_rate(path, rate_hz)?;
            let mut n = 0u64;
            while let Some(block) = counter.next_block()? {
                if cancel.load(Ordering::Relaxed) {
                    return Err(DecodeError::Cancelled);
                }
                n += block.len() as u64;
            }
            n
        }
    };
    let planned = spread_indices((total_samples / segment as u64) as usize, limit.max(1));
    let mut track = TrackFeatures::new(info, cfg.dim() * planned.len().clamp(1, 256));
    // The model's cut is the first segments of the track (all, when it took every one).
    let lead = cfg.max_segments_per_track.unwrap_or(usize::MAX);
    let mut lead_content = ContentHash::default();
    let mut taken = Vec::with_capacity(planned.len());
    let mut wanted = planned.iter().copied().peekable();
    let mut buffer = Vec::with_capacity(segment);
    // Samples of the current segment seen so far (copied only when it is one to take).
    let mut filled = 0usize;
    let mut index = 0usize;
    let mut samples_seen = 0u64;
    // A header may promise more than the file holds (a cut download): the segments that are
    // there are taken, the plan's later ones are not.
    let mut next = wanted.peek().copied();
    'decode: while next.is_some() || index < lead {
        if cancel.load(Ordering::Relaxed) {
            return Err(DecodeError::Cancelled);
        }
        let Some(mut block) = source.next_block()? else {
            break;
        };
        samples_seen += block.len() as u64;
        while !block.is_empty() {
            let take = (segment - filled).min(block.len());
            let wanted_here = next == Some(index);
            if wanted_here || index < lead {
                buffer.extend_from_slice(&block[..take]);
            }
            filled += take;
            block = &block[take..];
            if filled == segment {
                if index < lead {
                    lead_content.add(&buffer);
                }
                if wanted_here {
                    featurizer.add_segment(&buffer, &mut track);
                    taken.push(index);
                    wanted.next();
                    next = wanted.peek().copied();
                }
                buffer.clear();
                filled = 0;
                index += 1;
                if next.is_none() && index >= lead {
                    break 'decode;
                }
            }
        }
    }
    if track.n_segments == 0 {
        return Err(DecodeError::TooShort {
            path: path.to_path_buf(),
            duration_secs: samples_seen as f64 / f64::from(rate_hz),
            segment_secs: cfg.segment_secs(),
        });
    }
    featurizer.finish(&mut track);
    track.vectors.shrink_to_fit();
    let ended_early = taken.len() < planned.len();
    // A file that ended before its header said is as long as what was read.
    let (segments_in_track, duration_samples) = if ended_early {
        (index.max(taken.len()), samples_seen)
    } else {
        ((total_samples / segment as u64) as usize, total_samples)
    };
    Ok(SpreadTrack {
        features: track,
        segment_index: taken,
        segments_in_track,
        duration_secs: duration_samples as f64 / f64::from(rate_hz),
        trained_cut_content: lead_content.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_all_or_the_middle_of_equal_stretches() {
        assert_eq!(spread_indices(5, 10), [0, 1, 2, 3, 4]);
        assert_eq!(spread_indices(10, 10), (0..10).collect::<Vec<_>>());
        assert_eq!(spread_indices(100, 4), [12, 37, 62, 87]);
        let many = spread_indices(11_907, 64);
        assert_eq!(many.len(), 64);
        assert!(many.windows(2).all(|w| w[0] < w[1]));
        assert!(many[0] < 11_907 / 64 && *many.last().unwrap_or(&0) > 11_907 * 63 / 64);
        assert!(spread_indices(0, 8).is_empty());
    }
}
