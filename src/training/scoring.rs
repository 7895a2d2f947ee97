//! Scoring a model on a folder's segments: its outputs turned into the paper's tables
//! ([`EvalReport`]), split by split, with the track vote and the reconstruction error.

use crate::model::{Inference, Model, ModelError};
use crate::tables::metrics::{argmax_rows, softmax_rows, track_vote, ConfusionMatrix};
use crate::tables::report::{EvalReport, GenreScore, Group, SplitResult};

/// What is known of each segment: `truth[i]` is segment i's genre as the model's output index,
/// `track[i]` its track.
pub struct Truth<'a> {
    pub truth: &'a [usize],
    pub track: &'a [usize],
}

/// Scores `model` on the rows of `x` (with the model's outputs for them when already known).
/// The last group is the held-out one.
pub fn evaluate(
    model: &Model,
    genres: &[String],
    x: &[f32],
    known_truth: Truth,
    groups: &[Group],
    protocol: String,
    known: Option<&Inference>,
) -> Result<EvalReport, ModelError> {
    let Truth {
        truth,
        track: segment_track,
    } = known_truth;
    let cfg = model.config();
    // The maps have encoded every clip already: scoring them again would double the work and
    // the memory (a second copy of every reconstruction).
    let computed;
    let inference = match known {
        Some(inference) => inference,
        None => {
            computed = model.infer_lean(x)?;
            &computed
        }
    };
    let n_classes = cfg.n_classes;
    let probs = inference
        .logits
        .as_ref()
        .map(|l| softmax_rows(l, n_classes));
    let predicted = inference.logits.as_ref().map(|l| argmax_rows(l, n_classes));
    let dim = cfg.input_dim;

    let mut splits = Vec::new();
    let mut confusion = None;
    for group in groups {
        let idx = &group.indices;
        let mut result = SplitResult {
            split: group.name.to_string(),
            segments: idx.len(),
            accuracy: None,
            track_vote: None,
            reconstruction_mse: None,
            reconstruction_fraction: None,
        };
        if let (Some(pred), Some(probs)) = (&predicted, &probs) {
            let t: Vec<usize> = idx.iter().map(|&i| truth[i]).collect();
            let p: Vec<usize> = idx.iter().map(|&i| pred[i]).collect();
            let cm = ConfusionMatrix::new(&t, &p, n_classes);
            result.accuracy = Some(cm.accuracy());
            let tracks: Vec<usize> = idx.iter().map(|&i| segment_track[i]).collect();
            let rows: Vec<f32> = idx
                .iter()
                .flat_map(|&i| probs[i * n_classes..(i + 1) * n_classes].iter().copied())
                .collect();
            result.track_vote = Some(track_vote(&tracks, &t, &rows, n_classes));
            confusion = Some(cm);
        }
        if let Some(errors) = &inference.reconstruction_error {
            // The mean of the clips' own errors is the mean over all their values (every clip
            // has `dim` of them).
            let sum: f64 = idx.iter().map(|&i| f64::from(errors[i])).sum();
            let mse = sum / idx.len().max(1) as f64;
            result.reconstruction_mse = Some(mse);
            let variance = split_variance(x, dim, idx);
            result.reconstruction_fraction = (variance > 0.0).then(|| mse / variance);
        }
        splits.push(result);
    }
    let per_genre = confusion
        .as_ref()
        .map(|cm| {
            cm.per_class()
                .into_iter()
                .zip(genres)
                .map(|(m, g)| GenreScore {
                    genre: g.clone(),
                    precision: m.precision,
                    recall: m.recall,
                    f1: m.f1,
                    support: m.support,
                })
                .collect()
        })
        .unwrap_or_default();
    let held_out_segments = groups.last().map(|g| g.indices.clone()).unwrap_or_default();
    Ok(EvalReport {
        held_out_truth: held_out_segments.iter().map(|&i| truth[i]).collect(),
        held_out_segments,
        model: cfg.kind.name().to_string(),
        protocol,
        genres: genres.to_vec(),
        held_out: groups
            .last()
            .map_or_else(String::new, |g| g.name.to_string()),
        splits,
        per_genre,
        confusion,
        tracks_in_training: None,
        tracks_total: None,
    })
}

/// Mean over the values of each value's variance across the rows `idx` of `x`.
fn split_variance(x: &[f32], dim: usize, idx: &[usize]) -> f64 {
    if idx.len() < 2 {
        return 0.0;
    }
    let mut sum = vec![0.0f64; dim];
    let mut sum_sq = vec![0.0f64; dim];
    for &i in idx {
        for (j, &v) in x[i * dim..(i + 1) * dim].iter().enumerate() {
            sum[j] += f64::from(v);
            sum_sq[j] += f64::from(v) * f64::from(v);
        }
    }
    let n = idx.len() as f64;
    sum.iter()
        .zip(&sum_sq)
        .map(|(s, q)| (q / n - (s / n).powi(2)).max(0.0))
        .sum::<f64>()
        / dim as f64
}
