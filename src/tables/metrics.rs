//! Classification metrics: accuracy, per-genre precision/recall/F1, the confusion matrix and
//! track-level accuracy by majority vote over a track's segments.

use serde::{Deserialize, Serialize};

/// Counts of (true genre, predicted genre) pairs; rows are the truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub n_classes: usize,
    /// Row-major `n_classes × n_classes`: `counts[truth * n + predicted]`.
    pub counts: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Examples whose true genre is this one.
    pub support: usize,
}

impl ConfusionMatrix {
    pub fn new(truth: &[usize], predicted: &[usize], n_classes: usize) -> Self {
        let mut counts = vec![0; n_classes * n_classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            counts[t * n_classes + p] += 1;
        }
        Self { n_classes, counts }
    }

    pub fn get(&self, truth: usize, predicted: usize) -> usize {
        self.counts[truth * self.n_classes + predicted]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Fraction on the diagonal (0 for an empty matrix).
    pub fn accuracy(&self) -> f64 {
        let correct: usize = (0..self.n_classes).map(|c| self.get(c, c)).sum();
        ratio(correct, self.total())
    }

    /// Precision, recall and F1 of each genre. A genre never predicted (or never present) has
    /// precision (or recall) 0, as scikit-learn reports it.
    pub fn per_class(&self) -> Vec<ClassMetrics> {
        (0..self.n_classes)
            .map(|c| {
                let tp = self.get(c, c);
                let predicted: usize = (0..self.n_classes).map(|t| self.get(t, c)).sum();
                let support: usize = (0..self.n_classes).map(|p| self.get(c, p)).sum();
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Track-level predictions: each track's segments vote with their predicted genre; a tie goes
/// to the tied genre with the higher mean probability over the track's segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackVote {
    pub tracks: usize,
    pub correct: usize,
    pub accuracy: f64,
}

/// `segment_track[i]`, `truth[i]` and the probability rows `probs` (n_classes wide) describe the
/// segments to vote with; tracks with no segment among them are not counted.
pub fn track_vote(
    segment_track: &[usize],
    truth: &[usize],
    probs: &[f32],
    n_classes: usize,
) -> TrackVote {
    use std::collections::BTreeMap;
    // track -> (truth, votes per class, summed probability per class)
    let mut per_track: BTreeMap<usize, (usize, Vec<usize>, Vec<f64>)> = BTreeMap::new();
    for (i, (&track, &t)) in segment_track.iter().zip(truth).enumerate() {
        let row = &probs[i * n_classes..(i + 1) * n_classes];
        let predicted = argmax_rows(row, n_classes)[0];
        let entry = per_track
            .entry(track)
            .or_insert_with(|| (t, vec![0; n_classes], vec![0.0; n_classes]));
        entry.1[predicted] += 1;
        for (acc, &p) in entry.2.iter_mut().zip(row) {
            *acc += f64::from(p);
        }
    }
    let correct = per_track
        .values()
        .filter(|(t, votes, prob)| {
            let winner = (0..n_classes)
                .max_by(|&a, &b| votes[a].cmp(&votes[b]).then(prob[a].total_cmp(&prob[b])))
                .unwrap_or(0);
            winner == *t
        })
        .count();
    TrackVote {
        tracks: per_track.len(),
        correct,
        accuracy: ratio(correct, per_track.len()),
    }
}

/// The variance of the values around their mean (0 for fewer than one), in f64.
pub fn variance(values: &[f32]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n
}

/// Softmax of each row of `logits` (row-major, `n_classes` wide).
pub fn softmax_rows(logits: &[f32], n_classes: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(n_classes.max(1)) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = row.iter().map(|&v| (v - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        out.extend(exp.iter().map(|e| e / sum));
    }
    out
}

/// Index of the largest value of each row.
pub fn argmax_rows(values: &[f32], width: usize) -> Vec<usize> {
    values
        .chunks_exact(width.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
                    if v > best.1 {
                        (i, v)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}
