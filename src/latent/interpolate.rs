//! Walking the 64-d bottleneck between two clips: the codes along the way, what the decoder makes
//! of each, the classifier's genre probabilities there, and that output as audio.

use serde::{Deserialize, Serialize};

use crate::dsp::descriptors::Descriptors;
use crate::model::{softmax_rows, Model, ModelError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PathKind {
    /// Straight line: z = (1 - t) a + t b.
    #[default]
    Linear,
    /// Great-circle arc (slerp), which keeps the code's norm from sagging mid-way.
    Spherical,
}

/// The code at `t` in [0, 1] on the path from `a` to `b`.
pub fn interpolate(a: &[f32], b: &[f32], t: f32, kind: PathKind) -> Vec<f32> {
    let lerp = || a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect();
    if kind == PathKind::Linear {
        return lerp();
    }
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na < 1e-12 || nb < 1e-12 {
        return lerp();
    }
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum::<f64>()
        / (na * nb);
    let omega = dot.clamp(-1.0, 1.0).acos();
    let sin = omega.sin();
    if sin.abs() < 1e-6 {
        return lerp();
    }
    let t = f64::from(t);
    let (wa, wb) = (((1.0 - t) * omega).sin() / sin, (t * omega).sin() / sin);
    a.iter()
        .zip(b)
        .map(|(x, y)| (wa * f64::from(*x) + wb * f64::from(*y)) as f32)
        .collect()
}

/// `steps` values of t from 0 to 1 inclusive (at least two).
pub fn steps_t(steps: usize) -> Vec<f32> {
    let steps = steps.max(2);
    (0..steps).map(|k| k as f32 / (steps - 1) as f32).collect()
}

/// One point of a path (an interpolation, a walk along a component, a move toward a genre).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStep {
    /// Where on its path the point is: t in [0, 1], or a walk's σ, or a move's α.
    pub t: f32,
    pub code: Vec<f32>,
    /// The decoder's output: a pooled signal of `input_dim` values.
    pub decoded: Vec<f32>,
    /// The classifier's logits and genre probabilities at the code (models with one).
    pub logits: Option<Vec<f32>>,
    pub probabilities: Option<Vec<f32>>,
    /// The descriptors of the decoded audio (at the decoder's own level), once described.
    pub descriptors: Option<Descriptors>,
}

/// Decodes the codes at each `t` (and classifies them) in one batch.
pub fn decode_path(
    model: &Model,
    a: &[f32],
    b: &[f32],
    ts: &[f32],
    kind: PathKind,
) -> Result<Vec<PathStep>, ModelError> {
    let codes = ts.iter().map(|&t| interpolate(a, b, t, kind)).collect();
    decode_codes(model, ts, codes)
}

/// Decodes `codes` (and classifies them) in one batch; `params[k]` is what code `k` stands
/// for on its path (t, a walk's σ, a move's α).
pub fn decode_codes(
    model: &Model,
    params: &[f32],
    codes: Vec<Vec<f32>>,
) -> Result<Vec<PathStep>, ModelError> {
    let flat: Vec<f32> = codes.iter().flatten().copied().collect();
    let decoded = model.decode(&flat)?;
    let dim = model.config().input_dim;
    let n_classes = model.config().n_classes;
    let logits = if model.config().kind.has_classifier() {
        Some(model.head_logits(&flat)?)
    } else {
        None
    };
    let probs = logits.as_ref().map(|l| softmax_rows(l, n_classes));
    Ok(params
        .iter()
        .zip(codes)
        .enumerate()
        .map(|(k, (&t, code))| PathStep {
            t,
            code,
            decoded: decoded[k * dim..(k + 1) * dim].to_vec(),
            logits: logits
                .as_ref()
                .map(|l| l[k * n_classes..(k + 1) * n_classes].to_vec()),
            probabilities: probs
                .as_ref()
                .map(|p| p[k * n_classes..(k + 1) * n_classes].to_vec()),
            descriptors: None,
        })
        .collect())
}
