//! Trustworthiness (Venna & Kaski 2001, scikit-learn's `manifold.trustworthiness`): how far a
//! map's k nearest neighbours of each point are from being its k nearest in the input, 1 when
//! every map neighbour is a true one. The score the non-linear maps are checked by.

use std::sync::atomic::AtomicBool;

use super::knn::nearest_within;
use crate::matmul::{product, Strided};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("the measure was cancelled")]
    Cancelled,
    /// The score's normalisation holds only below n / 2 (scikit-learn refuses the same).
    #[error(
        "trustworthiness over {k} neighbours needs more than {} points; there are {n}",
        2 * k
    )]
    TooFewPoints { n: usize, k: usize },
    #[error("trustworthiness needs at least one neighbour per point")]
    NoNeighbours,
}

/// Trustworthiness of the map `xy` of `rows` (`dim` wide) over `k` neighbours (k < n / 2).
pub fn trustworthiness(
    rows: &[f32],
    dim: usize,
    xy: &[[f64; 2]],
    k: usize,
    cancel: &AtomicBool,
) -> Result<f64, TrustError> {
    let n = xy.len();
    if k == 0 {
        return Err(TrustError::NoNeighbours);
    }
    if 2 * k >= n {
        return Err(TrustError::TooFewPoints { n, k });
    }
    let mapped: Vec<f32> = xy.iter().flat_map(|p| [p[0] as f32, p[1] as f32]).collect();
    let on_map = nearest_within(&mapped, 2, k, cancel).map_err(|_| TrustError::Cancelled)?;
    let norms: Vec<f32> = rows
        .chunks_exact(dim)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    let mut penalty = 0.0f64;
    let mut dots = vec![0f32; n];
    for i in 0..n {
        // Point i's squared distance to every row; the rank of a map neighbour is one more
        // than the rows nearer than it (i itself excluded).
        product(
            &mut dots,
            false,
            Strided::rows(&rows[i * dim..(i + 1) * dim], dim),
            Strided::rows(rows, dim).t(),
            1,
            dim,
            n,
        );
        let d2: Vec<f32> = (0..n)
            .map(|j| (norms[i] + norms[j] - 2.0 * dots[j]).max(0.0))
            .collect();
        for &j in on_map.of(i).0 {
            let dj = d2[j as usize];
            let rank = (0..n)
                .filter(|&m| m != i && (d2[m] < dj || (d2[m] == dj && m < j as usize)))
                .count()
                + 1;
            if rank > k {
                penalty += (rank - k) as f64;
            }
        }
    }
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faithful_map_scores_one_and_a_shuffled_one_less() {
        // Points on a line in 3-d, mapped onto a line: every neighbourhood kept.
        let rows: Vec<f32> = (0..50)
            .flat_map(|k| [k as f32, 0.5 * k as f32, 0.0])
            .collect();
        let line: Vec<[f64; 2]> = (0..50).map(|k| [k as f64, 0.0]).collect();
        let cancel = AtomicBool::new(false);
        assert!((trustworthiness(&rows, 3, &line, 5, &cancel).unwrap() - 1.0).abs() < 1e-12);
        // The line's positions dealt out in a scrambled order.
        let mut order: Vec<u64> = (0..50).collect();
        order.sort_by_key(|&k| (k * 2_654_435_761) % 1009);
        let shuffled: Vec<[f64; 2]> = order.iter().map(|&k| [k as f64, 0.0]).collect();
        assert!(trustworthiness(&rows, 3, &shuffled, 5, &cancel).unwrap() < 0.8);
    }

    #[test]
    fn too_few_points_for_k_are_refused_rather_than_scored_above_one() {
        let rows: Vec<f32> = (0..20).flat_map(|k| [k as f32, 0.0]).collect();
        let line: Vec<[f64; 2]> = (0..20).map(|k| [(k * 7 % 20) as f64, 0.0]).collect();
        let cancel = AtomicBool::new(false);
        assert_eq!(
            trustworthiness(&rows, 2, &line, 10, &cancel),
            Err(TrustError::TooFewPoints { n: 20, k: 10 })
        );
        let t = trustworthiness(&rows, 2, &line, 9, &cancel).unwrap();
        assert!((0.0..=1.0).contains(&t), "{t}");
    }
}
