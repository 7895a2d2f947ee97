//! Exact nearest neighbours for the non-linear maps (t-SNE's perplexities, UMAP's fuzzy graph,
//! placing a new point, trustworthiness). Squared distances by one matrix product per block of
//! queries (|q|² + |r|² - 2 q·r, through gemm), the k smallest picked per query on rayon. Exact
//! rather than approximate: 40,000 × 40,000 × 64 is ~1 s here, and exact is reproducible.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::matmul::{product, Strided};

/// Rows whose distances to a query are tested together against its k-th nearest so far.
const LANES: usize = 16;

/// An empty slot of [`Nearest::index`] (its distance is infinite).
pub const NONE: u32 = u32::MAX;

/// Queries whose distances to every row are held at once (256 × 40,000 × 4 bytes = 40 MB).
const BLOCK: usize = 256;

/// Each query's `k` nearest rows, nearest first (ties by row index).
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    pub k: usize,
    /// `k` row indices per query; [`NONE`] in the slots of a query that had fewer than `k` rows
    /// to choose from (only [`nearest_in_other_groups`] leaves any: a clip of a long track).
    pub index: Vec<u32>,
    /// Their Euclidean distances, in the rows' units.
    pub distance: Vec<f32>,
}

impl Nearest {
    pub fn len(&self) -> usize {
        self.index.len() / self.k.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Query `q`'s neighbours and their distances.
    pub fn of(&self, q: usize) -> (&[u32], &[f32]) {
        let span = q * self.k..(q + 1) * self.k;
        (&self.index[span.clone()], &self.distance[span])
    }
}

/// Stopped because the cancel flag was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

fn squared_norms(rows: &[f32], dim: usize) -> Vec<f32> {
    rows.chunks_exact(dim)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect()
}

/// For every row of `rows` (`dim` wide), its `k` nearest *other* rows (`k` ≤ rows − 1).
pub fn nearest_within(
    rows: &[f32],
    dim: usize,
    k: usize,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    let k = k.min((rows.len() / dim.max(1)).saturating_sub(1));
    search(rows, rows, dim, k, |q, j| q == j, cancel)
}

/// For every row of `rows`, its `k` nearest rows of other groups (`group[i]` is row i's: its
/// track, so a clip's neighbours are not its own track's other clips).
pub fn nearest_in_other_groups(
    rows: &[f32],
    dim: usize,
    group: &[usize],
    k: usize,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    // As many as the query with the most rows outside its group has; the others' spare slots
    // stay empty.
    let mut sizes = std::collections::HashMap::new();
    for &g in group {
        *sizes.entry(g).or_insert(0usize) += 1;
    }
    let smallest = sizes.values().copied().min().unwrap_or(0);
    let k = k.min(group.len() - smallest);
    search(rows, rows, dim, k, |q, j| group[q] == group[j], cancel)
}

/// For every row of `queries`, its `k` nearest rows of `rows` (`k` ≤ rows).
pub fn nearest_in(
    queries: &[f32],
    rows: &[f32],
    dim: usize,
    k: usize,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    let k = k.min(rows.len() / dim.max(1));
    search(queries, rows, dim, k, |_, _| false, cancel)
}

fn search(
    queries: &[f32],
    rows: &[f32],
    dim: usize,
    k: usize,
    skip: impl Fn(usize, usize) -> bool + Sync,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    let dim = dim.max(1);
    let (n_queries, n_rows) = (queries.len() / dim, rows.len() / dim);
    let query_norms = squared_norms(queries, dim);
    let row_norms = squared_norms(rows, dim);
    let mut index = vec![NONE; n_queries * k];
    let mut distance = vec![f32::INFINITY; n_queries * k];
    let mut dots = Vec::new();
    for start in (0..n_queries).step_by(BLOCK) {
        if cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        let here = BLOCK.min(n_queries - start);
        dots.resize(here * n_rows, 0.0);
        product(
            &mut dots,
            false,
            Strided::rows(&queries[start * dim..(start + here) * dim], dim),
            Strided::rows(rows, dim).t(),
            here,
            dim,
            n_rows,
        );
        let out = index[start * k..(start + here) * k]
            .par_chunks_mut(k.max(1))
            .zip(distance[start * k..(start + here) * k].par_chunks_mut(k.max(1)))
            .zip(dots.par_chunks(n_rows.max(1)));
        out.enumerate().for_each_init(
            || Vec::with_capacity(k + 1),
            |best: &mut Vec<(f32, u32)>, (q, ((index, distance), dot))| {
                let query = start + q;
                let query_norm = query_norms[query];
                // The k nearest so far, in order: rows farther than the k-th (most of them) are
                // passed over a lane's worth at a time (collecting every row and selecting among
                // them took 0.55 s for 8,320 queries). Rows come in index order and a tie with
                // the k-th is passed over: ties go to the lower index.
                best.clear();
                if k == 0 {
                    return;
                }
                let mut worst = f32::INFINITY;
                let mut d2 = [0f32; LANES];
                for (c, (dot, norms)) in dot.chunks(LANES).zip(row_norms.chunks(LANES)).enumerate()
                {
                    // A lane's worth of distances at once, and one test whether any of them
                    // comes nearer than the k-th: for most chunks none does.
                    let d2 = &mut d2[..dot.len()];
                    for ((out, &d), &norm) in d2.iter_mut().zip(dot).zip(norms) {
                        *out = (query_norm + norm - 2.0 * d).max(0.0);
                    }
                    // (`worst` is infinite until k are kept: even an infinite distance, from
                    // values near f32's limit, is kept then.)
                    let filling = best.len() < k;
                    if filling || d2.iter().fold(false, |any, &d| any | (d < worst)) {
                        for (t, &d) in d2.iter().enumerate() {
                            let j = c * LANES + t;
                            if best.len() == k && d >= worst || skip(query, j) {
                                continue;
                            }
                            let at = best.partition_point(|b| b.0 <= d);
                            best.insert(at, (d, j as u32));
                            best.truncate(k);
                            if best.len() == k {
                                worst = best[k - 1].0;
                            }
                        }
                    }
                }
                for (slot, &(d2, j)) in best.iter().enumerate() {
                    index[slot] = j;
                    distance[slot] = d2.sqrt();
                }
            },
        );
    }
    Ok(Nearest { k, index, distance })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_rows_are_the_brute_force_ones() {
        let dim = 3;
        let rows: Vec<f32> = (0..300)
            .map(|v| ((v * 37 % 101) as f32 * 0.13).sin())
            .collect();
        let n = rows.len() / dim;
        let found = nearest_within(&rows, dim, 4, &AtomicBool::new(false)).unwrap();
        assert_eq!((found.k, found.len()), (4, n));
        for q in 0..n {
            let mut all: Vec<(f64, usize)> = (0..n)
                .filter(|&j| j != q)
                .map(|j| {
                    let d2: f64 = (0..dim)
                        .map(|c| f64::from(rows[q * dim + c] - rows[j * dim + c]).powi(2))
                        .sum();
                    (d2.sqrt(), j)
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (index, distance) = found.of(q);
            for (slot, &(d, _)) in all.iter().take(4).enumerate() {
                assert!((f64::from(distance[slot]) - d).abs() < 1e-3, "query {q}");
                assert_ne!(index[slot] as usize, q);
            }
        }
        let queries = [rows[0], rows[1], rows[2]];
        let me = nearest_in(&queries, &rows, dim, 1, &AtomicBool::new(false)).unwrap();
        assert_eq!(me.of(0).0, &[0]);
        let cancel = AtomicBool::new(true);
        assert_eq!(nearest_within(&rows, dim, 4, &cancel), Err(Cancelled));
    }

    #[test]
    fn neighbours_from_other_groups_never_come_from_ones_own() {
        // 70 rows in groups of 7 consecutive rows (a track's clips), ties included.
        let dim = 2;
        let rows: Vec<f32> = (0..140).map(|v| ((v * 13 % 29) / 3) as f32).collect();
        let n = rows.len() / dim;
        let group: Vec<usize> = (0..n).map(|i| i / 7).collect();
        let found =
            nearest_in_other_groups(&rows, dim, &group, 5, &AtomicBool::new(false)).unwrap();
        assert_eq!((found.k, found.len()), (5, n));
        for q in 0..n {
            let d2 = |j: usize| {
                (0..dim)
                    .map(|c| (rows[q * dim + c] - rows[j * dim + c]).powi(2))
                    .sum::<f32>()
            };
            // Brute force, ties to the lower index.
            let mut others: Vec<usize> = (0..n).filter(|&j| group[j] != group[q]).collect();
            others.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
            let (index, _) = found.of(q);
            let index: Vec<usize> = index.iter().map(|&j| j as usize).collect();
            assert_eq!(index, others[..5], "query {q}");
        }
        // Asking for more than any row has: every row outside its group, nearest first, and
        // the spare slots of a long group's rows left empty.
        let uneven: Vec<usize> = (0..n).map(|i| usize::from(i >= 60)).collect();
        let most =
            nearest_in_other_groups(&rows, dim, &uneven, 500, &AtomicBool::new(false)).unwrap();
        assert_eq!(most.k, 60);
        let (index, distance) = most.of(0);
        assert!(index[..10].iter().all(|&j| j >= 60));
        assert!(index[10..].iter().all(|&j| j == NONE));
        assert!(distance[10..].iter().all(|d| d.is_infinite()));
        assert!(most.of(65).0.iter().all(|&j| j < 60));
        // Distances beyond f32's range still fill the slots (as infinity).
        let huge = [0.0f32, 0.0, 3e19, 0.0, -3e19, 0.0];
        let far = nearest_within(&huge, 2, 2, &AtomicBool::new(false)).unwrap();
        assert_eq!(far.of(1).0, &[0, 2]);
    }
}
