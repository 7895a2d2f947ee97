//! Audio fingerprints of a track, for finding repeats in a folder.
//! - **Anchors** find the *same decoded audio*: positions chosen by the content itself (a sample
//!   that is the loudest within ±[`ANCHOR_RADIUS`] samples), each with a hash of the exact
//!   samples that follow it. The same audio at another offset, or in another lossless format,
//!   has the same anchors at the same distances from each other.
//! - **Landmarks** find the *same recording* at another level, offset or encoding: pairs of
//!   spectral peaks (the strongest local maxima of each frame of a 1024-sample STFT) hashed as
//!   (frequency of the first, frequency of the second, frames between them), with the frame of
//!   the first (the idea of Wang's 2003 Shazam landmarks). A gain leaves the peaks where they
//!   are; a lossy codec keeps most of them; an offset shifts every frame alike.

use std::collections::VecDeque;
use std::hash::Hasher;

use super::stft::Stft;

/// Samples either side of a candidate anchor it must be the loudest of.
pub const ANCHOR_RADIUS: usize = 2_048;
/// Samples an anchor's hash covers.
const ANCHOR_SPAN: usize = 1_024;
const N_FFT: usize = 1_024;
const HOP: usize = 512;
/// Spectral peaks kept per frame, and the neighbourhood they must top (frames, bins).
const PEAKS_PER_FRAME: usize = 4;
const PEAK_FRAMES: usize = 2;
const PEAK_BINS: usize = 4;
/// Bins landmarks are taken from (up to about 4.7 kHz at 22,050 Hz: what lossy codecs keep).
const MAX_BIN: usize = 220;
/// Each peak is paired with this many later peaks within the target zone.
const FAN_OUT: usize = 3;
const ZONE_FRAMES: usize = 40;
const ZONE_BINS: usize = 64;

/// A track's fingerprint (see the module's words).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// (hash of the samples from the anchor on, the anchor's position in samples).
    pub anchors: Vec<(u64, u32)>,
    /// (hash of a pair of peaks, the frame of the first).
    pub landmarks: Vec<(u32, u32)>,
}

impl Fingerprint {
    /// As 32-bit words, for the feature cache: counts, then anchors (hash low, hash high,
    /// position), then landmarks (hash, frame).
    pub fn to_words(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(2 + 3 * self.anchors.len() + 2 * self.landmarks.len());
        out.push(self.anchors.len() as u32);
        out.push(self.landmarks.len() as u32);
        for &(h, p) in &self.anchors {
            out.extend([h as u32, (h >> 32) as u32, p]);
        }
        for &(h, f) in &self.landmarks {
            out.extend([h, f]);
        }
        out
    }

    /// [`Fingerprint::to_words`] back (`None` when the words do not add up).
    pub fn from_words(words: &[u32]) -> Option<Self> {
        let (&anchors, &landmarks) = (words.first()?, words.get(1)?);
        let (anchors, landmarks) = (anchors as usize, landmarks as usize);
        if words.len() != 2 + 3 * anchors + 2 * landmarks {
            return None;
        }
        let a = &words[2..2 + 3 * anchors];
        let l = &words[2 + 3 * anchors..];
        Some(Self {
            anchors: a
                .chunks_exact(3)
                .map(|w| (u64::from(w[0]) | (u64::from(w[1]) << 32), w[2]))
                .collect(),
            landmarks: l.chunks_exact(2).map(|w| (w[0], w[1])).collect(),
        })
    }

    /// 32-bit words the fingerprint takes.
    pub fn words(&self) -> usize {
        2 + 3 * self.anchors.len() + 2 * self.landmarks.len()
    }
}

/// The fingerprint of a track's samples.
pub fn fingerprint(samples: &[f32], stft: &Stft) -> Fingerprint {
    Fingerprint {
        anchors: anchors(samples),
        landmarks: landmarks(samples, stft),
    }
}

/// The plan landmarks need (built once per folder).
pub fn landmark_stft() -> Stft {
    Stft::new(N_FFT, HOP)
}

fn anchors(x: &[f32]) -> Vec<(u64, u32)> {
    let n = x.len();
    if n < 2 * ANCHOR_RADIUS + ANCHOR_SPAN {
        return Vec::new();
    }
    // The loudest |x| within ±R of every position, by a sliding-window maximum (a deque of
    // candidate positions, each pushed and popped once).
    let mut out = Vec::new();
    let mut window: VecDeque<usize> = VecDeque::new();
    let level = |i: usize| x[i].abs();
    let mut next = 0;
    for centre in ANCHOR_RADIUS..n - ANCHOR_RADIUS - ANCHOR_SPAN {
        while next <= centre + ANCHOR_RADIUS {
            while window.back().is_some_and(|&b| level(b) <= level(next)) {
                window.pop_back();
            }
            window.push_back(next);
            next += 1;
        }
        while window.front().is_some_and(|&f| f + ANCHOR_RADIUS < centre) {
            window.pop_front();
        }
        // The first of equals is kept at the front: ties resolve the same way wherever the
        // audio starts.
        if window.front() == Some(&centre) && level(centre) > 0.0 {
            let mut hasher = fnv::FnvHasher::default();
            for s in &x[centre..centre + ANCHOR_SPAN] {
                hasher.write_u32(s.to_bits());
            }
            out.push((hasher.finish(), centre as u32));
        }
    }
    out
}

fn landmarks(x: &[f32], stft: &Stft) -> Vec<(u32, u32)> {
    let mut power = Vec::new();
    stft.power_into(x, &mut power);
    let bins = stft.bins();
    let frames = power.len() / bins;
    let top = MAX_BIN.min(bins - 1);
    let db: Vec<f32> = power.iter().map(|&p| 10.0 * p.max(1e-12).log10()).collect();
    let at = |t: usize, k: usize| db[t * bins + k];
    // Peaks: local maxima over ±PEAK_FRAMES frames and ±PEAK_BINS bins, the strongest few of
    // each frame, and not in silence (within 60 dB of the track's loudest bin).
    let loudest = db.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let peaks: Vec<Vec<usize>> = (0..frames)
        .map(|t| {
            let mut found: Vec<(f32, usize)> = (1..top)
                .filter(|&k| {
                    let v = at(t, k);
                    v > loudest - 60.0
                        && (t.saturating_sub(PEAK_FRAMES)..(t + PEAK_FRAMES + 1).min(frames)).all(
                            |u| {
                                (k.saturating_sub(PEAK_BINS)..(k + PEAK_BINS + 1).min(top + 1))
                                    .all(|j| (u, j) == (t, k) || at(u, j) < v)
                            },
                        )
                })
                .map(|k| (at(t, k), k))
                .collect();
            found.sort_by(|a, b| b.0.total_cmp(&a.0));
            found
                .into_iter()
                .take(PEAKS_PER_FRAME)
                .map(|(_, k)| k)
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (t, here) in peaks.iter().enumerate() {
        for &f1 in here {
            let mut paired = 0;
            'zone: for (dt, later) in peaks
                .iter()
                .enumerate()
                .take((t + ZONE_FRAMES).min(frames))
                .skip(t + 1)
            {
                for &f2 in later {
                    if f1.abs_diff(f2) <= ZONE_BINS {
                        // Frames between the peaks in pairs: a peak's frame moves by one when the
                        // audio starts half a hop later, and the pair should still match.
                        let dt = ((dt - t) / 2) as u32;
                        out.push(((f1 as u32) << 16 | (f2 as u32) << 6 | dt, t as u32));
                        paired += 1;
                        if paired == FAN_OUT {
                            break 'zone;
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn music(n: usize, seed: u32) -> Vec<f32> {
        // Notes that change every quarter second, with a few harmonics (peaks to find) and a
        // little noise (a loudest sample here and there, as in a recording).
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let note = (i / 5_512) as u32 * 7 + seed;
                let f = 110.0 * 2f32.powf((note % 24) as f32 / 12.0);
                let t = i as f32 / 22_050.0;
                (0.4 * (std::f32::consts::TAU * f * t).sin()
                    + 0.2 * (std::f32::consts::TAU * 2.0 * f * t).sin())
                    + 0.3 * noise
            })
            .collect()
    }

    #[test]
    fn the_same_audio_at_an_offset_has_the_same_anchors() {
        let a = music(200_000, 1);
        let b = a[12_345..].to_vec();
        let (fa, fb) = (anchors(&a), anchors(&b));
        assert!(fa.len() > 20, "{} anchors", fa.len());
        let shared: Vec<(u32, u32)> = fb
            .iter()
            .filter_map(|(h, pb)| fa.iter().find(|(g, _)| g == h).map(|(_, pa)| (*pa, *pb)))
            .collect();
        assert!(
            shared.len() * 10 >= fb.len() * 9,
            "{} of {}",
            shared.len(),
            fb.len()
        );
        assert!(shared.iter().all(|(pa, pb)| pa - pb == 12_345));
    }

    #[test]
    fn words_round_trip() {
        let f = fingerprint(&music(100_000, 3), &landmark_stft());
        assert!(!f.landmarks.is_empty());
        assert_eq!(Fingerprint::from_words(&f.to_words()), Some(f.clone()));
        assert_eq!(f.words(), f.to_words().len());
        assert_eq!(Fingerprint::from_words(&[5, 0, 1]), None);
    }
}
