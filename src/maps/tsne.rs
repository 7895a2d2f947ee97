//! Barnes-Hut t-SNE (van der Maaten 2014) with scikit-learn's defaults: perplexity 30 on the
//! exact 3 × perplexity nearest neighbours, early exaggeration 12 for 250 iterations, momentum
//! 0.5 then 0.8, per-coordinate gains, learning rate max(n / 48, 50), θ = 0.5, PCA start.
//!
//! Written here rather than taken from linfa-tsne (bhtsne 0.4): the window needs progress and a
//! cancel between iterations, and a seed that makes the same rows give the same map; neither
//! crate offers the first two. It reuses the crate's gemm neighbour search.

use std::sync::atomic::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::knn::nearest_within;
use super::method::{check, Control, EmbedError};

/// Barnes-Hut's accuracy: a cell is summarised when its width is below θ times its distance.
pub const THETA: f64 = 0.5;
const EXAGGERATION: f64 = 12.0;
const EXPLORATION_ITERATIONS: usize = 250;
/// Cells are not split below this depth (coincident points share a leaf).
const MAX_DEPTH: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TsneParams {
    pub perplexity: f64,
    pub iterations: usize,
    /// Breaks ties in the start (PCA's start is deterministic; the seed jitters coincident
    /// points apart).
    pub seed: u64,
}

impl Default for TsneParams {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            iterations: 1000,
            seed: 0,
        }
    }
}

/// The joint probabilities P as a symmetric sparse matrix, one row per point.
struct Affinities {
    start: Vec<usize>,
    column: Vec<u32>,
    p: Vec<f64>,
}

/// Each point's conditional distribution over its neighbours, with the precision found by
/// bisection so its perplexity is `perplexity` (scikit-learn's `_binary_search_perplexity`).
fn conditional(squared: &[f64], perplexity: f64, out: &mut [f64]) {
    let target = perplexity.ln();
    let (mut beta, mut lo, mut hi) = (1.0f64, f64::NEG_INFINITY, f64::INFINITY);
    for _ in 0..100 {
        let mut sum = 0.0;
        for (o, &d) in out.iter_mut().zip(squared) {
            *o = (-d * beta).exp();
            sum += *o;
        }
        let sum = sum.max(1e-12);
        let weighted: f64 = out.iter().zip(squared).map(|(o, d)| o * d).sum();
        let entropy = sum.ln() + beta * weighted / sum;
        for o in out.iter_mut() {
            *o /= sum;
        }
        let gap = entropy - target;
        if gap.abs() <= 1e-5 {
            break;
        }
        if gap > 0.0 {
            lo = beta;
            beta = if hi.is_finite() {
                (beta + hi) / 2.0
            } else {
                beta * 2.0
            };
        } else {
            hi = beta;
            beta = if lo.is_finite() {
                (beta + lo) / 2.0
            } else {
                beta / 2.0
            };
        }
    }
}

fn affinities(
    rows: &[f32],
    dim: usize,
    n: usize,
    perplexity: f64,
    control: &Control,
) -> Result<Affinities, EmbedError> {
    let k = ((3.0 * perplexity) as usize + 1).min(n - 1);
    let nearest = nearest_within(rows, dim, k, control.cancel)?;
    let mut conditional_p = vec![0.0f64; n * k];
    conditional_p
        .par_chunks_mut(k)
        .enumerate()
        .for_each(|(i, out)| {
            let squared: Vec<f64> = nearest
                .of(i)
                .1
                .iter()
                .map(|&d| f64::from(d).powi(2))
                .collect();
            conditional(&squared, perplexity, out);
        });
    // P = (P_j|i + P_i|j) / 2n, gathered row by row from both directions.
    let mut entries: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * n * k);
    for i in 0..n {
        for (&j, &p) in nearest
            .of(i)
            .0
            .iter()
            .zip(&conditional_p[i * k..(i + 1) * k])
        {
            entries.push((i as u32, j, p));
            entries.push((j, i as u32, p));
        }
    }
    entries.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let scale = 1.0 / (2.0 * n as f64);
    let mut start = vec![0usize; n + 1];
    let (mut column, mut p) = (
        Vec::with_capacity(entries.len()),
        Vec::with_capacity(entries.len()),
    );
    let mut last: Option<(u32, u32)> = None;
    for &(i, j, v) in &entries {
        if last == Some((i, j)) {
            if let Some(x) = p.last_mut() {
                *x += v * scale;
            }
            continue;
        }
        last = Some((i, j));
        start[i as usize + 1] += 1;
        column.push(j);
        p.push(v * scale);
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    Ok(Affinities { start, column, p })
}

/// A quadtree cell: its points' count and centre of mass, its side, and its children.
#[derive(Clone, Copy)]
struct Cell {
    centre_of_mass: [f64; 2],
    count: f64,
    /// The cell's side, squared.
    width2: f64,
    /// Indices of the four quadrants' cells (`u32::MAX`: empty).
    children: [u32; 4],
    leaf: bool,
}

struct QuadTree {
    cells: Vec<Cell>,
    /// The points in the tree's order (neighbours in the plane near each other): traversals in
    /// this order find the cells they visit still in cache.
    order: Vec<u32>,
}

impl QuadTree {
    fn new(y: &[[f64; 2]]) -> Self {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in y {
            for a in 0..2 {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        let width = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9) * (1.0 + 1e-9);
        let mut tree = Self {
            cells: Vec::with_capacity(2 * y.len()),
            order: Vec::new(),
        };
        let mut index: Vec<u32> = (0..y.len() as u32).collect();
        tree.build(
            y,
            &mut index,
            [lo[0] + width / 2.0, lo[1] + width / 2.0],
            width,
            0,
        );
        tree.order = index;
        tree
    }

    fn build(
        &mut self,
        y: &[[f64; 2]],
        index: &mut [u32],
        centre: [f64; 2],
        width: f64,
        depth: usize,
    ) -> u32 {
        let id = self.cells.len() as u32;
        let mut sum = [0.0; 2];
        for &i in index.iter() {
            sum[0] += y[i as usize][0];
            sum[1] += y[i as usize][1];
        }
        let count = index.len() as f64;
        self.cells.push(Cell {
            centre_of_mass: [sum[0] / count, sum[1] / count],
            count,
            width2: width * width,
            children: [u32::MAX; 4],
            leaf: true,
        });
        if index.len() <= 1 || depth >= MAX_DEPTH {
            return id;
        }
        // Quadrants: split on x, then each half on y (lower parts first).
        let left = partition(index, |i| y[i as usize][0] < centre[0]);
        let (left_half, right_half) = index.split_at_mut(left);
        let left_low = partition(left_half, |i| y[i as usize][1] < centre[1]);
        let right_low = partition(right_half, |i| y[i as usize][1] < centre[1]);
        let (ll, lu) = left_half.split_at_mut(left_low);
        let (rl, ru) = right_half.split_at_mut(right_low);
        let q = width / 4.0;
        let quadrants: [(&mut [u32], [f64; 2]); 4] = [
            (ll, [centre[0] - q, centre[1] - q]),
            (lu, [centre[0] - q, centre[1] + q]),
            (rl, [centre[0] + q, centre[1] - q]),
            (ru, [centre[0] + q, centre[1] + q]),
        ];
        let mut children = [u32::MAX; 4];
        for (slot, (part, c)) in quadrants.into_iter().enumerate() {
            if !part.is_empty() {
                children[slot] = self.build(y, part, c, width / 2.0, depth + 1);
            }
        }
        let cell = &mut self.cells[id as usize];
        cell.children = children;
        cell.leaf = false;
        id
    }

    /// The repulsive force on a point at `at` (unnormalised: Σ q²·(at − y_j)) and its share of
    /// the normalisation Z (Σ q, its own term included).
    fn repulsion(&self, at: [f64; 2], theta: f64, stack: &mut Vec<u32>) -> ([f64; 2], f64) {
        let (mut force, mut z) = ([0.0; 2], 0.0);
        let theta2 = theta * theta;
        stack.clear();
        stack.push(0);
        while let Some(id) = stack.pop() {
            let cell = &self.cells[id as usize];
            let d = [
                at[0] - cell.centre_of_mass[0],
                at[1] - cell.centre_of_mass[1],
            ];
            let d2 = d[0] * d[0] + d[1] * d[1];
            if cell.leaf || cell.width2 < theta2 * d2 {
                let q = 1.0 / (1.0 + d2);
                z += cell.count * q;
                let m = cell.count * q * q;
                force[0] += m * d[0];
                force[1] += m * d[1];
            } else {
                stack.extend(cell.children.iter().copied().filter(|&c| c != u32::MAX));
            }
        }
        (force, z)
    }
}

/// Moves the elements for which `left` holds to the front; returns how many there are.
fn partition(index: &mut [u32], left: impl Fn(u32) -> bool) -> usize {
    let mut split = 0;
    for k in 0..index.len() {
        if left(index[k]) {
            index.swap(split, k);
            split += 1;
        }
    }
    split
}

/// scikit-learn's PCA start: the map's points scaled so the first axis has a standard deviation
/// of 1e-4; coincident points nudged apart by the seed.
fn start(pca: &[[f64; 2]], seed: u64) -> Vec<[f64; 2]> {
    use rand::{Rng, SeedableRng};
    let n = pca.len() as f64;
    let mean = pca.iter().map(|p| p[0]).sum::<f64>() / n;
    let std = (pca.iter().map(|p| (p[0] - mean).powi(2)).sum::<f64>() / n).sqrt();
    let scale = if std > 0.0 { 1e-4 / std } else { 1.0 };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    pca.iter()
        .map(|p| {
            let jitter: [f64; 2] = [rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5];
            [
                p[0] * scale + jitter[0] * 1e-8,
                p[1] * scale + jitter[1] * 1e-8,
            ]
        })
        .collect()
}

/// t-SNE of `rows` (`dim` wide) from the PCA map `pca` (one point per row).
pub fn tsne(
    rows: &[f32],
    dim: usize,
    params: &TsneParams,
    pca: &[[f64; 2]],
    control: &Control,
) -> Result<Vec<[f64; 2]>, EmbedError> {
    let n = check(rows, dim, 4)?;
    // scikit-learn refuses a perplexity of n or more; this keeps 3 × perplexity neighbours.
    let perplexity = params
        .perplexity
        .clamp(1.0, ((n - 1) as f64 / 3.0).max(1.0));
    let p = affinities(rows, dim, n, perplexity, control)?;
    let mut y = start(pca, params.seed);
    let mut update = vec![[0.0f64; 2]; n];
    let mut gains = vec![[1.0f64; 2]; n];
    let learning_rate = (n as f64 / EXAGGERATION / 4.0).max(50.0);
    let iterations = params.iterations.max(1);
    for iteration in 0..iterations {
        if control.cancel.load(Ordering::Relaxed) {
            return Err(EmbedError::Cancelled);
        }
        let exploring = iteration < EXPLORATION_ITERATIONS;
        if iteration == EXPLORATION_ITERATIONS {
            // scikit-learn runs its optimiser twice, each with fresh steps and gains: the
            // exaggerated steps would otherwise carry on into the second stage.
            update.fill([0.0; 2]);
            gains.fill([1.0; 2]);
        }
        let (exaggeration, momentum) = if exploring {
            (EXAGGERATION, 0.5)
        } else {
            (1.0, 0.8)
        };
        let tree = QuadTree::new(&y);
        let in_order: Vec<([f64; 2], [f64; 2], f64)> = tree
            .order
            .par_iter()
            .map_init(Vec::new, |stack, &i| {
                let i = i as usize;
                let at = y[i];
                let mut attraction = [0.0; 2];
                for e in p.start[i]..p.start[i + 1] {
                    let other = y[p.column[e] as usize];
                    let d = [at[0] - other[0], at[1] - other[1]];
                    let m = p.p[e] / (1.0 + d[0] * d[0] + d[1] * d[1]);
                    attraction[0] += m * d[0];
                    attraction[1] += m * d[1];
                }
                let (repulsion, z) = tree.repulsion(at, THETA, stack);
                (attraction, repulsion, z)
            })
            .collect();
        let mut forces = vec![([0.0; 2], [0.0; 2], 0.0); n];
        for (&i, f) in tree.order.iter().zip(in_order) {
            forces[i as usize] = f;
        }
        // Each point's own term (q = 1 at distance 0) is in its share of Z.
        let z = (forces.iter().map(|f| f.2).sum::<f64>() - n as f64).max(1e-12);
        for (i, (attraction, repulsion, _)) in forces.iter().enumerate() {
            for a in 0..2 {
                let gradient = 4.0 * (exaggeration * attraction[a] - repulsion[a] / z);
                let gain = &mut gains[i][a];
                *gain = if gradient * update[i][a] < 0.0 {
                    *gain + 0.2
                } else {
                    (*gain * 0.8).max(0.01)
                };
                update[i][a] = momentum * update[i][a] - learning_rate * *gain * gradient;
                y[i][a] += update[i][a];
            }
        }
        if iteration % 10 == 0 {
            (control.progress)(iteration as f32 / iterations as f32);
        }
    }
    (control.progress)(1.0);
    Ok(y)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::maps::projection::Projection;
    use crate::maps::trust::trustworthiness;

    /// `clusters` tight blobs in `dim` dimensions, each around a random centre.
    pub(crate) fn blobs(clusters: usize, per: usize, dim: usize) -> (Vec<f32>, Vec<usize>) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let centres: Vec<Vec<f32>> = (0..clusters)
            .map(|_| (0..dim).map(|_| rng.random_range(-10.0..10.0)).collect())
            .collect();
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (c, centre) in centres.iter().enumerate() {
            for _ in 0..per {
                rows.extend(centre.iter().map(|&v| v + rng.random_range(-1.0f32..1.0)));
                labels.push(c);
            }
        }
        (rows, labels)
    }

    /// Asserts every point's nearest other point on the map `y` is of its own blob.
    pub(crate) fn nearest_on_the_map_is_of_its_blob(y: &[[f64; 2]], labels: &[usize]) {
        for i in 0..y.len() {
            let d = |j: usize| (y[i][0] - y[j][0]).powi(2) + (y[i][1] - y[j][1]).powi(2);
            let nearest = (0..y.len())
                .filter(|&j| j != i)
                .min_by(|&a, &b| d(a).total_cmp(&d(b)))
                .unwrap();
            assert_eq!(labels[nearest], labels[i], "point {i}");
        }
    }

    #[test]
    fn the_tree_sums_the_repulsion_of_every_point() {
        let (rows, _) = blobs(3, 70, 2);
        let y: Vec<[f64; 2]> = rows
            .chunks_exact(2)
            .map(|p| [f64::from(p[0]), f64::from(p[1])])
            .collect();
        let tree = QuadTree::new(&y);
        let mut stack = Vec::new();
        for i in (0..y.len()).step_by(7) {
            let (mut force, mut z) = ([0.0; 2], 0.0);
            for other in &y {
                let d = [y[i][0] - other[0], y[i][1] - other[1]];
                let q = 1.0 / (1.0 + d[0] * d[0] + d[1] * d[1]);
                z += q;
                force[0] += q * q * d[0];
                force[1] += q * q * d[1];
            }
            let (exact, exact_z) = tree.repulsion(y[i], 0.0, &mut stack);
            assert!((exact_z - z).abs() < 1e-9 * z);
            assert!((exact[0] - force[0]).abs() < 1e-9 && (exact[1] - force[1]).abs() < 1e-9);
            let (near, near_z) = tree.repulsion(y[i], THETA, &mut stack);
            let size = force[0].hypot(force[1]);
            assert!((near_z - z).abs() < 0.05 * z, "Z {near_z} vs {z}");
            assert!((near[0] - force[0]).hypot(near[1] - force[1]) < 0.1 * size.max(1e-3));
        }
    }

    #[test]
    fn perplexity_is_met() {
        let squared: Vec<f64> = (0..90).map(|k| k as f64 * 0.1).collect();
        let mut p = vec![0.0; 90];
        conditional(&squared, 30.0, &mut p);
        let entropy: f64 = -p
            .iter()
            .filter(|&&v| v > 0.0)
            .map(|v| v * v.ln())
            .sum::<f64>();
        assert!(
            (entropy.exp() - 30.0).abs() < 0.01,
            "perplexity {}",
            entropy.exp()
        );
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn blobs_stay_apart_and_neighbourhoods_survive() {
        let (rows, labels) = blobs(5, 60, 20);
        let dim = 20;
        let pca = Projection::fit(&rows, dim).unwrap();
        let cancel = AtomicBool::new(false);
        let control = Control {
            cancel: &cancel,
            progress: &|_| {},
        };
        let params = TsneParams {
            iterations: 500,
            ..TsneParams::default()
        };
        let y = tsne(&rows, dim, &params, &pca.points, &control).unwrap();
        assert_eq!(
            y,
            tsne(&rows, dim, &params, &pca.points, &control).unwrap(),
            "seeded"
        );
        nearest_on_the_map_is_of_its_blob(&y, &labels);
        let t = trustworthiness(&rows, dim, &y, 10, &cancel).unwrap();
        let t_pca = trustworthiness(&rows, dim, &pca.points, 10, &cancel).unwrap();
        assert!(t > 0.9 && t >= t_pca, "t-SNE {t}, PCA {t_pca}");
    }

    #[test]
    fn it_stops_when_cancelled_and_refuses_too_few_rows() {
        let (rows, _) = blobs(2, 10, 3);
        let pca = Projection::fit(&rows, 3).unwrap();
        let cancel = AtomicBool::new(true);
        let control = Control {
            cancel: &cancel,
            progress: &|_| {},
        };
        let params = TsneParams::default();
        assert_eq!(
            tsne(&rows, 3, &params, &pca.points, &control),
            Err(EmbedError::Cancelled)
        );
        let ok = AtomicBool::new(false);
        let control = Control {
            cancel: &ok,
            progress: &|_| {},
        };
        assert!(matches!(
            tsne(&rows[..9], 3, &params, &pca.points[..3], &control),
            Err(EmbedError::TooFew { .. })
        ));
    }
}
