//! UMAP (McInnes, Healy & Melville 2018) as umap-learn computes it with a seed: the fuzzy
//! graph of each point's exact 15 nearest neighbours (itself counted, local connectivity 1),
//! their fuzzy union, a, b fitted to the minimum distance, and single-threaded stochastic
//! gradient descent with 5 negative samples per positive one (500 epochs up to 10,000 points,
//! 200 above), started from the PCA map scaled to [0, 10].
//!
//! Written here: of the crates, manifolds-rs pulls in burn and cubecl (minutes of every clean
//! build), umap-rs needs ndarray 0.17 beside the 0.16 linfa uses and its own neighbour graph;
//! neither reports progress or stops when asked, which the window needs between epochs.

use std::sync::atomic::Ordering;

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::knn::nearest_within;
use super::method::{check, Control, EmbedError};

const NEGATIVE_SAMPLES: f64 = 5.0;
const SPREAD: f64 = 1.0;
const GRADIENT_CLIP: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UmapParams {
    /// Neighbours of each point in the fuzzy graph, the point itself included (umap-learn's
    /// `n_neighbors`).
    pub neighbours: usize,
    pub min_dist: f64,
    /// `None`: 500 up to 10,000 points, 200 above (umap-learn's choice).
    pub epochs: Option<usize>,
    pub seed: u64,
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            neighbours: 15,
            min_dist: 0.1,
            epochs: None,
            seed: 0,
        }
    }
}

/// A point's membership strengths to its neighbours at `distance` (nearest first): 1 up to the
/// nearest, then exp(−(d − ρ)/σ) with σ such that they sum to log2(`k`) (umap-learn's
/// `smooth_knn_dist`, local connectivity 1).
pub fn memberships(distance: &[f32], k: f64) -> Vec<f64> {
    let d: Vec<f64> = distance.iter().map(|&v| f64::from(v)).collect();
    let rho = d.iter().copied().find(|&v| v > 0.0).unwrap_or(0.0);
    let target = k.max(2.0).log2();
    let total = |sigma: f64| -> f64 {
        d.iter()
            .map(|&v| {
                if v - rho > 0.0 {
                    (-(v - rho) / sigma).exp()
                } else {
                    1.0
                }
            })
            .sum()
    };
    let (mut lo, mut hi, mut sigma) = (0.0f64, f64::INFINITY, 1.0f64);
    for _ in 0..64 {
        let psum = total(sigma);
        if (psum - target).abs() < 1e-5 {
            break;
        }
        if psum > target {
            hi = sigma;
            sigma = (lo + hi) / 2.0;
        } else {
            lo = sigma;
            sigma = if hi.is_finite() {
                (lo + hi) / 2.0
            } else {
                sigma * 2.0
            };
        }
    }
    let mean = d.iter().sum::<f64>() / d.len().max(1) as f64;
    let sigma = sigma.max(1e-3 * mean).max(1e-300);
    d.iter()
        .map(|&v| {
            if v - rho <= 0.0 {
                1.0
            } else {
                (-(v - rho) / sigma).exp()
            }
        })
        .collect()
}

/// The curve 1 / (1 + a·x^(2b)) closest (least squares, Levenberg-Marquardt) to 1 below
/// `min_dist` and exp(−(x − min_dist)/spread) above, on 300 points up to 3 × spread: umap-learn's
/// `find_ab_params`.
pub fn curve(min_dist: f64, spread: f64) -> (f64, f64) {
    let xs: Vec<f64> = (0..300).map(|k| 3.0 * spread * k as f64 / 299.0).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    let residual = |a: f64, b: f64| -> f64 {
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| (1.0 / (1.0 + a * x.powf(2.0 * b)) - y).powi(2))
            .sum()
    };
    let (mut a, mut b, mut damping) = (1.0f64, 1.0f64, 1e-3f64);
    let mut cost = residual(a, b);
    for _ in 0..200 {
        // Normal equations J^T J δ = −J^T r, with the diagonal damped.
        let (mut jtj, mut jtr) = ([[0.0f64; 2]; 2], [0.0f64; 2]);
        for (&x, &y) in xs.iter().zip(&ys) {
            if x <= 0.0 {
                continue;
            }
            let u = x.powf(2.0 * b);
            let f = 1.0 / (1.0 + a * u);
            let r = f - y;
            let j = [-u * f * f, -a * u * 2.0 * x.ln() * f * f];
            for p in 0..2 {
                jtr[p] += j[p] * r;
                for q in 0..2 {
                    jtj[p][q] += j[p] * j[q];
                }
            }
        }
        let m = [
            [jtj[0][0] * (1.0 + damping), jtj[0][1]],
            [jtj[1][0], jtj[1][1] * (1.0 + damping)],
        ];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        if det.abs() < 1e-300 {
            break;
        }
        let step = [
            -(m[1][1] * jtr[0] - m[0][1] * jtr[1]) / det,
            -(m[0][0] * jtr[1] - m[1][0] * jtr[0]) / det,
        ];
        let (na, nb) = (a + step[0], b + step[1]);
        let new_cost = if na > 0.0 && nb > 0.0 {
            residual(na, nb)
        } else {
            f64::INFINITY
        };
        if new_cost < cost {
            let converged = (cost - new_cost) < 1e-15 * cost.max(1e-300);
            (a, b, cost) = (na, nb, new_cost);
            damping = (damping / 10.0).max(1e-12);
            if converged {
                break;
            }
        } else {
            damping *= 10.0;
            if damping > 1e12 {
                break;
            }
        }
    }
    (a, b)
}

/// A graph's directed edges: heads, tails and weights.
struct Edges {
    heads: Vec<u32>,
    tails: Vec<u32>,
    weights: Vec<f32>,
}

/// The fuzzy union of every point's memberships as directed edges (both directions of each
/// pair).
fn graph(
    rows: &[f32],
    dim: usize,
    n: usize,
    neighbours: usize,
    control: &Control,
) -> Result<Edges, EmbedError> {
    // umap-learn counts the point itself among its neighbours.
    let k = neighbours.saturating_sub(1).clamp(1, n - 1);
    let nearest = nearest_within(rows, dim, k, control.cancel)?;
    let strengths: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| memberships(nearest.of(i).1, (k + 1) as f64))
        .collect();
    // Each unordered pair once, with the strengths both ways: a + b − a·b.
    let mut pairs: Vec<(u32, u32, f64, f64)> = Vec::with_capacity(n * k);
    for (i, strength) in strengths.iter().enumerate() {
        for (&j, &w) in nearest.of(i).0.iter().zip(strength) {
            let i = i as u32;
            pairs.push(if i < j {
                (i, j, w, 0.0)
            } else {
                (j, i, 0.0, w)
            });
        }
    }
    pairs.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut merged: Vec<(u32, u32, f64, f64)> = Vec::with_capacity(pairs.len());
    for p in pairs {
        match merged.last_mut() {
            Some(last) if (last.0, last.1) == (p.0, p.1) => {
                last.2 = last.2.max(p.2);
                last.3 = last.3.max(p.3);
            }
            _ => merged.push(p),
        }
    }
    let (mut heads, mut tails, mut weights) = (Vec::new(), Vec::new(), Vec::new());
    for (i, j, a, b) in merged {
        let w = (a + b - a * b) as f32;
        if w > 0.0 {
            heads.extend([i, j]);
            tails.extend([j, i]);
            weights.extend([w, w]);
        }
    }
    Ok(Edges {
        heads,
        tails,
        weights,
    })
}

/// umap-learn's PCA start: each axis scaled to [0, 10], with a little seeded noise so no two
/// points coincide.
fn start(pca: &[[f64; 2]], rng: &mut impl Rng) -> Vec<[f32; 2]> {
    let mut out: Vec<[f32; 2]> = vec![[0.0; 2]; pca.len()];
    for a in 0..2 {
        let lo = pca.iter().map(|p| p[a]).fold(f64::INFINITY, f64::min);
        let hi = pca.iter().map(|p| p[a]).fold(f64::NEG_INFINITY, f64::max);
        let span = (hi - lo).max(1e-12);
        for (o, p) in out.iter_mut().zip(pca) {
            let noise: f64 = rng.random::<f64>() - 0.5;
            o[a] = (10.0 * (p[a] - lo) / span + noise * 1e-4) as f32;
        }
    }
    out
}

fn clip(v: f32) -> f32 {
    v.clamp(-GRADIENT_CLIP, GRADIENT_CLIP)
}

/// UMAP of `rows` (`dim` wide) from the PCA map `pca` (one point per row).
pub fn umap(
    rows: &[f32],
    dim: usize,
    params: &UmapParams,
    pca: &[[f64; 2]],
    control: &Control,
) -> Result<Vec<[f64; 2]>, EmbedError> {
    let n = check(rows, dim, 4)?;
    let Edges {
        heads,
        tails,
        weights,
    } = graph(rows, dim, n, params.neighbours, control)?;
    let epochs = params
        .epochs
        .unwrap_or(if n <= 10_000 { 500 } else { 200 })
        .max(1);
    let (a, b) = curve(params.min_dist, SPREAD);
    let (a, b) = (a as f32, b as f32);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(params.seed);
    let mut y = start(pca, &mut rng);
    // Each edge is sampled in proportion to its weight: every epoch for the strongest, and
    // not at all when it would come less than once in the whole run.
    let strongest = weights.iter().copied().fold(0.0f32, f32::max);
    let kept: Vec<usize> = (0..weights.len())
        .filter(|&e| weights[e] >= strongest / epochs as f32)
        .collect();
    let per_sample: Vec<f64> = kept
        .iter()
        .map(|&e| f64::from(strongest) / f64::from(weights[e]))
        .collect();
    let per_negative: Vec<f64> = per_sample.iter().map(|e| e / NEGATIVE_SAMPLES).collect();
    let mut next_sample = per_sample.clone();
    let mut next_negative = per_negative.clone();
    let n_u32 = n as u32;
    for epoch in 0..epochs {
        if control.cancel.load(Ordering::Relaxed) {
            return Err(EmbedError::Cancelled);
        }
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        let now = epoch as f64;
        for (slot, &e) in kept.iter().enumerate() {
            if next_sample[slot] > now {
                continue;
            }
            let (j, k) = (heads[e] as usize, tails[e] as usize);
            let (current, other) = (y[j], y[k]);
            let d = [current[0] - other[0], current[1] - other[1]];
            let d2 = d[0] * d[0] + d[1] * d[1];
            if d2 > 0.0 {
                let d2_b = d2.powf(b);
                let coef = -2.0 * a * b * (d2_b / d2) / (a * d2_b + 1.0);
                for c in 0..2 {
                    let g = clip(coef * d[c]) * alpha;
                    y[j][c] += g;
                    y[k][c] -= g;
                }
            }
            next_sample[slot] += per_sample[slot];
            let negatives = ((now - next_negative[slot]) / per_negative[slot])
                .floor()
                .max(0.0);
            for _ in 0..negatives as usize {
                let k = rng.random_range(0..n_u32) as usize;
                if k == j {
                    continue;
                }
                let (current, other) = (y[j], y[k]);
                let d = [current[0] - other[0], current[1] - other[1]];
                let d2 = d[0] * d[0] + d[1] * d[1];
                if d2 <= 0.0 {
                    continue;
                }
                let coef = 2.0 * b / ((0.001 + d2) * (a * d2.powf(b) + 1.0));
                for c in 0..2 {
                    y[j][c] += clip(coef * d[c]) * alpha;
                }
            }
            next_negative[slot] += negatives * per_negative[slot];
        }
        if epoch % 5 == 0 {
            (control.progress)(epoch as f32 / epochs as f32);
        }
    }
    (control.progress)(1.0);
    Ok(y.iter()
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::maps::projection::Projection;
    use crate::maps::trust::trustworthiness;

    #[test]
    fn the_curve_is_umap_learns_for_its_defaults() {
        // umap-learn's find_ab_params(1.0, 0.1) = (1.5769434603113077, 0.8950608779109733).
        let (a, b) = curve(0.1, 1.0);
        assert!(
            (a - 1.5769).abs() < 2e-3 && (b - 0.8951).abs() < 2e-3,
            "a {a}, b {b}"
        );
    }

    #[test]
    fn memberships_sum_to_log2_k() {
        let d = [0.5f32, 0.7, 0.9, 1.2, 1.5, 2.0];
        let w = memberships(&d, 7.0);
        assert_eq!(w[0], 1.0);
        assert!((w.iter().sum::<f64>() - 7f64.log2()).abs() < 1e-4);
        assert!(w.windows(2).all(|p| p[0] >= p[1]));
    }

    #[test]
    fn blobs_stay_apart_and_neighbourhoods_survive() {
        let (rows, labels) = crate::maps::tsne::tests::blobs(5, 60, 20);
        let dim = 20;
        let pca = Projection::fit(&rows, dim).unwrap();
        let cancel = AtomicBool::new(false);
        let control = Control {
            cancel: &cancel,
            progress: &|_| {},
        };
        let params = UmapParams::default();
        let y = umap(&rows, dim, &params, &pca.points, &control).unwrap();
        assert_eq!(
            y,
            umap(&rows, dim, &params, &pca.points, &control).unwrap(),
            "seeded"
        );
        crate::maps::tsne::tests::nearest_on_the_map_is_of_its_blob(&y, &labels);
        let t = trustworthiness(&rows, dim, &y, 10, &cancel).unwrap();
        let t_pca = trustworthiness(&rows, dim, &pca.points, 10, &cancel).unwrap();
        assert!(t > 0.9 && t >= t_pca, "UMAP {t}, PCA {t_pca}");
        let stop = AtomicBool::new(true);
        let control = Control {
            cancel: &stop,
            progress: &|_| {},
        };
        assert_eq!(
            umap(&rows, dim, &params, &pca.points, &control),
            Err(EmbedError::Cancelled)
        );
    }
}
