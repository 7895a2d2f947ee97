//! A linear probe: multinomial logistic regression on a space's vectors (the model's input, its
//! bottleneck, its logits), each feature standardised with the training rows' mean and
//! standard deviation. Fitted by linfa-logistic (L-BFGS), with scikit-learn's defaults: an L2
//! penalty of 1/C with C = 1 on the summed log-loss (linfa's `alpha`), 100 iterations. What
//! it scores on held-out tracks is what a linear read-out of that space can tell of genre.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};

/// The L2 penalty: scikit-learn's `LogisticRegression(C=1.0)`.
pub const PROBE_ALPHA: f64 = 1.0;
/// scikit-learn's default `max_iter` for L-BFGS.
pub const PROBE_ITERATIONS: u64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("the probe has no training rows")]
    Empty,
    #[error("the linear probe could not be fitted: {0}")]
    Fit(String),
}

/// Each column's mean and standard deviation over `rows` (a constant column gets 1).
fn standardiser(x: &[f32], dim: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0f64; dim];
    let mut square = vec![0.0f64; dim];
    for &r in rows {
        for (j, &v) in x[r * dim..(r + 1) * dim].iter().enumerate() {
            mean[j] += f64::from(v);
            square[j] += f64::from(v) * f64::from(v);
        }
    }
    let std = mean
        .iter_mut()
        .zip(&square)
        .map(|(m, q)| {
            *m /= n;
            let var = (q / n - *m * *m).max(0.0);
            if var > 1e-24 {
                var.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    (mean, std)
}

fn matrix(x: &[f32], dim: usize, rows: &[usize], mean: &[f64], std: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((rows.len(), dim), |(i, j)| {
        (f64::from(x[rows[i] * dim + j]) - mean[j]) / std[j]
    })
}

/// Fits the probe on `train` rows of `x` (rows of `dim`, labels `y`) and returns each `test`
/// row's probabilities over `n_classes` (a class absent from training gets 0).
pub fn probe(
    x: &[f32],
    dim: usize,
    y: &[usize],
    n_classes: usize,
    train: &[usize],
    test: &[usize],
) -> Result<Vec<Vec<f64>>, ProbeError> {
    if train.is_empty() {
        return Err(ProbeError::Empty);
    }
    let (mean, std) = standardiser(x, dim, train);
    let records = matrix(x, dim, train, &mean, &std);
    let targets = Array1::from_iter(train.iter().map(|&r| y[r]));
    let classes_seen = {
        let mut c: Vec<usize> = targets.to_vec();
        c.sort_unstable();
        c.dedup();
        c
    };
    if classes_seen.len() < 2 {
        // One class: that is every prediction.
        let mut row = vec![0.0; n_classes];
        row[classes_seen[0]] = 1.0;
        return Ok(vec![row; test.len()]);
    }
    let fitted = MultiLogisticRegression::default()
        .alpha(PROBE_ALPHA)
        .max_iterations(PROBE_ITERATIONS)
        .fit(&Dataset::new(records, targets))
        .map_err(|e| ProbeError::Fit(e.to_string()))?;
    let held = matrix(x, dim, test, &mean, &std);
    let probabilities = fitted.predict_probabilities(&held);
    Ok(probabilities
        .rows()
        .into_iter()
        .map(|row| {
            let mut out = vec![0.0; n_classes];
            for (p, &class) in row.iter().zip(fitted.classes()) {
                out[class] = *p;
            }
            out
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_probe_separates_what_a_line_separates() {
        // Two classes along the first feature, noise in the second.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let class = i % 2;
            x.push(class as f32 * 2.0 - 1.0 + (i as f32 * 0.37).sin() * 0.3);
            x.push((i as f32 * 1.7).cos());
            y.push(class);
        }
        let train: Vec<usize> = (0..30).collect();
        let test: Vec<usize> = (30..40).collect();
        let p = probe(&x, 2, &y, 3, &train, &test).unwrap();
        for (row, &i) in p.iter().zip(&test) {
            let guess = if row[1] > row[0] { 1 } else { 0 };
            assert_eq!(guess, y[i]);
            assert_eq!(row[2], 0.0, "a class never seen has no probability");
        }
    }
}
