//! Exact nearest neighbours for the non-linear maps (t-SNE's perplexities, UMAP's fuzzy graph,
//! placing a new point, trustworthiness). Squared distances by one matrix product per block of
//! queries (|q|² + |r|² - 2 q·r, through gemm), the k smallest picked per query on rayon. Exact
//! rather than approximate: 40,000 × 40,000 × 64 is ~1 s here, and exact is reproducible.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::matmul::{product, Strided};

/// Queries whose distances to every row are held at once (256 × 40,000 × 4 bytes = 40 MB).
const BLOCK: usize = 256;

/// Each query's `k` nearest rows, nearest first (ties by row index).
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    pub k: usize,
    /// `k` row indices per query.
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
    search(rows, rows, dim, k, true, cancel)
}

/// For every row of `queries`, its `k` nearest rows of `rows` (`k` ≤ rows).
pub fn nearest_in(
    queries: &[f32],
    rows: &[f32],
    dim: usize,
    k: usize,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    search(queries, rows, dim, k, false, cancel)
}

fn search(
    queries: &[f32],
    rows: &[f32],
    dim: usize,
    k: usize,
    skip_self: bool,
    cancel: &AtomicBool,
) -> Result<Nearest, Cancelled> {
    let dim = dim.max(1);
    let (n_queries, n_rows) = (queries.len() / dim, rows.len() / dim);
    let k = k.min(n_rows.saturating_sub(usize::from(skip_self)));
    let query_norms = squared_norms(queries, dim);
    let row_norms = squared_norms(rows, dim);
    let mut index = vec![0u32; n_queries * k];
    let mut distance = vec![0f32; n_queries * k];
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
            Vec::new,
            |candidates: &mut Vec<(f32, u32)>, (q, ((index, distance), dot))| {
                let query = start + q;
                candidates.clear();
                candidates.extend(
                    dot.iter()
                        .zip(&row_norms)
                        .enumerate()
                        .filter(|&(j, _)| !(skip_self && j == query))
                        .map(|(j, (&d, &norm))| {
                            ((query_norms[query] + norm - 2.0 * d).max(0.0), j as u32)
                        }),
                );
                let by_distance =
                    |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < candidates.len() {
                    candidates.select_nth_unstable_by(k, by_distance);
                }
                let nearest = &mut candidates[..k];
                nearest.sort_unstable_by(by_distance);
                for (slot, &(d2, j)) in nearest.iter().enumerate() {
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
}
