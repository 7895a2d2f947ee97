//! Which tracks repeat each other, from their fingerprints (`dsp::fingerprint`): exactly (the
//! same decoded audio at some offset, in any format) or nearly (the same recording at another
//! level, offset or encoding). Splits keep a repeat and its twin on one side; the audit lists
//! them.
//!
//! Thresholds: an exact repeat shares at least [`EXACT_MIN_ANCHORS`] content anchors at one
//! offset, at least [`EXACT_SHARE`] of the shorter track's; a near repeat shares at least
//! [`NEAR_SHARE`] of the shorter track's spectral landmarks at one offset (give or take one
//! frame), and either alignment must count [`MIN_CONTRAST`] times what any other offset does.
//! Measured on gtzan-mini (`tests/audit.rs`): distinct tracks share at most 0.5 % of
//! their landmarks and no anchor; the same track trimmed by 2 s, 6 dB quieter, in Ogg Vorbis
//! shares 24 % of its landmarks; the same audio trimmed by 1.5 s in FLAC shares 91 % of its
//! anchors.

use std::collections::HashMap;

use fnv::FnvHashMap;

use serde::Serialize;

use crate::dsp::fingerprint::Fingerprint;

pub const EXACT_MIN_ANCHORS: usize = 5;
pub const EXACT_SHARE: f64 = 0.5;
pub const NEAR_SHARE: f64 = 0.12;
/// A repeat's alignment counts at least this many times what any other offset does (a held
/// tone matches itself everywhere and so is no repeat of a similar tone).
pub const MIN_CONTRAST: f64 = 3.0;
/// A landmark shared by more tracks than this says nothing about any two of them.
const COMMON: usize = 50;
/// Landmark frames are this many samples apart.
const LANDMARK_HOP: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RepeatKind {
    Exact,
    Near,
}

/// For each pair of tracks sharing `(hash, position)` items, the best count at one offset;
/// with `jitter`, items one position off the offset count too (spectral frames move by one
/// when the audio starts part of a hop later).
fn best_offsets(items: &[Vec<(u64, u32)>], jitter: bool) -> HashMap<(usize, usize), Best> {
    // FNV, not the default SipHash: these maps take a hash per pair of tracks sharing an item
    // (24.5 -> 20.8 s for `features` of the peers' 400 synthesised tracks).
    let mut postings: FnvHashMap<u64, Vec<(usize, u32)>> = FnvHashMap::default();
    for (t, list) in items.iter().enumerate() {
        for &(h, at) in list {
            postings.entry(h).or_default().push((t, at));
        }
    }
    let mut counts: FnvHashMap<(usize, usize, i64), usize> = FnvHashMap::default();
    for posting in postings.values() {
        let mut tracks: Vec<usize> = posting.iter().map(|p| p.0).collect();
        tracks.sort_unstable();
        tracks.dedup();
        if tracks.len() < 2 || tracks.len() > COMMON {
            continue;
        }
        for (i, &(ta, pa)) in posting.iter().enumerate() {
            for &(tb, pb) in &posting[i + 1..] {
                if ta == tb {
                    continue;
                }
                let (key, offset) = if ta < tb {
                    ((ta, tb), i64::from(pa) - i64::from(pb))
                } else {
                    ((tb, ta), i64::from(pb) - i64::from(pa))
                };
                *counts.entry((key.0, key.1, offset)).or_default() += 1;
            }
        }
    }
    let mut by_pair: FnvHashMap<(usize, usize), Vec<(usize, i64)>> = FnvHashMap::default();
    for (&(a, b, offset), &n) in &counts {
        let n = match jitter {
            true => n + counts.get(&(a, b, offset + 1)).copied().unwrap_or(0),
            false => n,
        };
        by_pair.entry((a, b)).or_default().push((n, offset));
    }
    by_pair
        .into_iter()
        .map(|(pair, mut offsets)| {
            offsets.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            let (n, offset) = offsets[0];
            // The best count at an offset clearly elsewhere: audio that repeats itself (a held
            // tone) matches at every offset alike, which is no alignment at all.
            let elsewhere = offsets
                .iter()
                .find(|(_, o)| (o - offset).abs() > 2)
                .map_or(0, |x| x.0);
            (
                pair,
                Best {
                    n,
                    offset,
                    elsewhere,
                },
            )
        })
        .collect()
}

/// The best alignment of two tracks: the count there, its offset, and the best count at any
/// offset more than two positions away.
#[derive(Debug, Clone, Copy, Default)]
struct Best {
    n: usize,
    offset: i64,
    elsewhere: usize,
}

impl Best {
    /// The alignment stands out: [`MIN_CONTRAST`] times the best count anywhere else.
    fn stands_out(&self) -> bool {
        self.n as f64 >= MIN_CONTRAST * self.elsewhere.max(1) as f64
    }
}

/// How much two tracks share, at the offset where they share most.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    pub a: usize,
    pub b: usize,
    /// Content anchors shared at one offset, and their share of the shorter track's.
    pub anchors: usize,
    pub anchor_share: f64,
    pub anchor_offset_secs: f64,
    /// Spectral landmarks shared at one offset, as a share of the shorter track's.
    pub landmark_share: f64,
    pub landmark_offset_secs: f64,
    /// Both alignments stand out from every other offset (see [`MIN_CONTRAST`]).
    pub anchors_stand_out: bool,
    pub landmarks_stand_out: bool,
}

/// Every pair of tracks that share anything, with how much (pairs that share nothing are left
/// out).
pub fn pair_scores(fingerprints: &[Fingerprint], rate_hz: u32) -> Vec<PairScore> {
    let rate = f64::from(rate_hz);
    let anchors: Vec<Vec<(u64, u32)>> = fingerprints.iter().map(|f| f.anchors.clone()).collect();
    let landmarks: Vec<Vec<(u64, u32)>> = fingerprints
        .iter()
        .map(|f| {
            f.landmarks
                .iter()
                .map(|&(h, t)| (u64::from(h), t))
                .collect()
        })
        .collect();
    let by_anchor = best_offsets(&anchors, false);
    let by_landmark = best_offsets(&landmarks, true);
    let mut pairs: Vec<(usize, usize)> = by_anchor
        .keys()
        .chain(by_landmark.keys())
        .copied()
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|(a, b)| {
            let share = |n: usize, x: &[Vec<(u64, u32)>]| {
                n as f64 / x[a].len().min(x[b].len()).max(1) as f64
            };
            let ba = by_anchor.get(&(a, b)).copied().unwrap_or_default();
            let bl = by_landmark.get(&(a, b)).copied().unwrap_or_default();
            PairScore {
                a,
                b,
                anchors: ba.n,
                anchor_share: share(ba.n, &anchors),
                anchor_offset_secs: ba.offset as f64 / rate,
                landmark_share: share(bl.n, &landmarks),
                landmark_offset_secs: bl.offset as f64 * LANDMARK_HOP as f64 / rate,
                anchors_stand_out: ba.stands_out(),
                landmarks_stand_out: bl.stands_out(),
            }
        })
        .collect()
}

/// The repeats among tracks with these fingerprints (`rate_hz`: their sample rate): each pair
/// with its kind, score and offset.
pub fn find_repeats(
    fingerprints: &[Fingerprint],
    rate_hz: u32,
) -> Vec<(usize, usize, RepeatKind, f64, f64)> {
    pair_scores(fingerprints, rate_hz)
        .into_iter()
        .filter_map(|p| {
            if p.anchors >= EXACT_MIN_ANCHORS
                && p.anchor_share >= EXACT_SHARE
                && p.anchors_stand_out
            {
                Some((
                    p.a,
                    p.b,
                    RepeatKind::Exact,
                    p.anchor_share,
                    p.anchor_offset_secs,
                ))
            } else if p.landmark_share >= NEAR_SHARE && p.landmarks_stand_out {
                Some((
                    p.a,
                    p.b,
                    RepeatKind::Near,
                    p.landmark_share,
                    p.landmark_offset_secs,
                ))
            } else {
                None
            }
        })
        .collect()
}
