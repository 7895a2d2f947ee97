//! PCA maps: fit on a set of rows, project them on the first two components (and new rows, such
//! as an interpolation path or a placed song, through the same fit), lift a map point back into
//! the space, and say how much of the total variance each axis explains. The first
//! [`COMPONENTS`] components are kept, for walking a code along them.
//!
//! Narrow inputs (the logits, a handful of genres) go through linfa-reduction's PCA. Wider ones
//! go around it, for speed: linfa-reduction 0.8 without BLAS runs LOBPCG on XᵀX in f64 to a
//! 1e-10 tolerance, which takes a second on 8,000 × 500; a map needs four components. Up to
//! [`EXACT_MAX_DIM`] columns the covariance matrix (f32 products of centred blocks, summed in
//! f64) and its symmetric eigendecomposition (linfa-linalg) give them exactly; beyond, a
//! randomized subspace iteration (Halko, Martinsson and Tropp 2011) finds them in a few passes
//! over the data, centring by the product's linearity instead of a centred copy. The products
//! are the `gemm` crate's on the rows in place ([`crate::matmul`]): ndarray's own, without BLAS,
//! ran these skinny shapes at a fifth of the speed.

use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_linalg::eigh::Eigh;
use linfa_linalg::qr::QRInto;
use linfa_reduction::Pca;
use ndarray::{s, Array1, Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::matmul::{product, Strided};
use crate::simd::vectorized;

/// Components kept (fewer when the data has fewer dimensions); the map shows the first two.
pub const COMPONENTS: usize = 4;
/// Inputs at most this wide use linfa-reduction's PCA directly.
const LINFA_MAX_DIM: usize = 16;
/// Inputs at most this wide use the exact covariance eigendecomposition.
pub const EXACT_MAX_DIM: usize = 128;
/// Most rows a wider input's directions are fitted on (an even sample; every row is projected).
pub const FIT_ROWS: usize = 10_000;
/// Extra directions and passes of the randomized iteration: with 8 directions more than wanted
/// and 6 passes, the leading components agree with the exact ones to within 1e-5 (see the
/// tests).
const OVERSAMPLE: usize = 8;
const PASSES: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("a map needs at least 3 points, got {0}")]
    TooFew(usize),
    #[error("rows of {dim} values cannot be cut from {len} values")]
    Shape { dim: usize, len: usize },
    #[error("row {row} holds a non-finite value; a map needs finite values")]
    NonFinite { row: usize },
    #[error("PCA failed: {0}")]
    Pca(String),
}

/// A fitted PCA and the points it was fitted on.
#[derive(Debug, Clone)]
pub struct Projection {
    pub dim: usize,
    mean: Vec<f32>,
    /// The principal directions, largest variance first, each `dim` long and of unit length
    /// (at least two: zero vectors stand in when the data has fewer dimensions).
    components: Vec<Vec<f32>>,
    /// Fraction of the data's total variance along each component.
    pub explained: Vec<f64>,
    /// Standard deviation of the fitted rows along each component.
    pub std: Vec<f64>,
    /// The fitted rows on the first two components (the map).
    pub points: Vec<[f64; 2]>,
}

fn check_shape(rows: &[f32], dim: usize) -> Result<usize, ProjectionError> {
    if dim == 0 || !rows.len().is_multiple_of(dim) {
        return Err(ProjectionError::Shape {
            dim,
            len: rows.len(),
        });
    }
    Ok(rows.len() / dim)
}

/// The first row holding a NaN or an infinity, as an error.
fn non_finite(rows: &[f32], dim: usize) -> Result<(), ProjectionError> {
    match rows.iter().position(|v| !v.is_finite()) {
        Some(k) => Err(ProjectionError::NonFinite { row: k / dim }),
        None => Ok(()),
    }
}

fn check(rows: &[f32], dim: usize) -> Result<usize, ProjectionError> {
    let n = check_shape(rows, dim)?;
    non_finite(rows, dim)?;
    Ok(n)
}

impl Projection {
    /// Fits PCA to `rows` (row-major, `dim` wide) and projects them.
    pub fn fit(rows: &[f32], dim: usize) -> Result<Self, ProjectionError> {
        // Small fits (an explain view's handful of rows) are not worth the hand-over.
        if rows.len() < 1 << 16 {
            return Self::fit_on_this_thread(rows, dim);
        }
        crate::runtime::on_workers(|| Self::fit_on_this_thread(rows, dim))
    }

    fn fit_on_this_thread(rows: &[f32], dim: usize) -> Result<Self, ProjectionError> {
        let n = check_shape(rows, dim)?;
        if n < 3 {
            return Err(ProjectionError::TooFew(n));
        }
        let (mean, total) = mean_and_total_variance(rows, dim);
        // The sums are finite exactly when every value is (f32's largest, squared, is far
        // inside f64's range): only then is the data searched for the culprit.
        if !total.is_finite() || mean.iter().any(|m| !m.is_finite()) {
            non_finite(rows, dim)?;
        }
        let x = ArrayView2::from_shape((n, dim), rows)
            .map_err(|e| ProjectionError::Pca(e.to_string()))?;
        let wanted = COMPONENTS.min(dim);
        let components = if dim <= LINFA_MAX_DIM {
            // Only the map's two: narrow maps (the logits) are never walked along further
            // components.
            let mean = Array1::from(mean.clone());
            narrow_components(&x, &(&x - &mean), 2.min(dim))?
        } else if dim <= EXACT_MAX_DIM {
            covariance_components(rows, dim, &mean, wanted)?
        } else {
            // Wide rows (a log-mel patch is 2,432 values) are fitted on an even sample of at
            // most FIT_ROWS of them, then every row is projected: at 40,000 rows a full fit
            // takes four times as long, and the sample's leading directions are the full fit's
            // to within a cosine of 0.999 (see the tests).
            let stride = n.div_ceil(FIT_ROWS).max(1);
            let sample = Strided {
                data: rows,
                row_stride: stride * dim,
                col_stride: 1,
            };
            randomized_components(sample, n.div_ceil(stride), dim, &mean, wanted)?
        };
        let mut projection = Self {
            dim,
            mean,
            components: at_least_two(components, dim),
            explained: Vec::new(),
            std: Vec::new(),
            points: Vec::new(),
        };
        let coordinates = projection.orient(rows);
        for column in coordinates.columns() {
            let var = column.iter().map(|v| v * v).sum::<f64>() / (n - 1) as f64;
            projection
                .explained
                .push(var / total.max(f64::MIN_POSITIVE));
            projection.std.push(var.sqrt());
        }
        projection.points = coordinates
            .rows()
            .into_iter()
            .map(|r| [r[0], r[1]])
            .collect();
        Ok(projection)
    }

    /// Projects new rows through the same fit, onto the map's two axes.
    pub fn project(&self, rows: &[f32]) -> Result<Vec<[f64; 2]>, ProjectionError> {
        Ok(self
            .project_all(rows)?
            .into_iter()
            .map(|c| [c[0], c[1]])
            .collect())
    }

    /// Projects new rows onto every kept component.
    pub fn project_all(&self, rows: &[f32]) -> Result<Vec<Vec<f64>>, ProjectionError> {
        check(rows, self.dim)?;
        Ok(self
            .coordinates(rows)
            .rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect())
    }

    /// The point of the space that projects to `xy` and lies on the map's plane: the mean plus
    /// the two components scaled by the coordinates.
    pub fn lift(&self, xy: [f64; 2]) -> Vec<f32> {
        self.mean
            .iter()
            .zip(&self.components[0])
            .zip(&self.components[1])
            .map(|((m, c0), c1)| m + (xy[0] as f32) * c0 + (xy[1] as f32) * c1)
            .collect()
    }

    /// How many components were kept.
    pub fn component_count(&self) -> usize {
        self.components.len()
    }

    /// The principal direction `k`, of unit length.
    pub fn component(&self, k: usize) -> &[f32] {
        &self.components[k.min(self.components.len() - 1)]
    }

    /// Coordinates of row-major rows on every kept component, centred a block at a time (no
    /// centred copy of all of them).
    fn coordinates(&self, rows: &[f32]) -> Array2<f64> {
        let (dim, k) = (self.dim, self.components.len());
        // About 4 MB of centred values a block.
        let block_rows = ((1usize << 20) / dim.max(1)).max(16);
        let c: Vec<f32> = (0..dim)
            .flat_map(|j| self.components.iter().map(move |comp| comp[j]))
            .collect();
        let n = rows.len() / dim.max(1);
        let mut out = Array2::<f64>::zeros((n, k));
        let mut block = Vec::with_capacity(block_rows.min(n) * dim);
        let mut coords = Vec::with_capacity(block_rows.min(n) * k);
        for (b, chunk) in rows.chunks(block_rows * dim).enumerate() {
            let r = chunk.len() / dim;
            center_into(&mut block, chunk, &self.mean);
            coords.clear();
            coords.resize(r * k, 0.0);
            product(
                &mut coords,
                false,
                Strided::rows(&block, dim),
                Strided::rows(&c, k),
                r,
                dim,
                k,
            );
            let start = b * block_rows;
            for (mut row, values) in out
                .slice_mut(s![start..start + r, ..])
                .rows_mut()
                .into_iter()
                .zip(coords.chunks_exact(k))
            {
                for (o, &v) in row.iter_mut().zip(values) {
                    *o = f64::from(v);
                }
            }
        }
        out
    }

    /// Fixes each component's sign (an eigenvector's is arbitrary) so that the data's largest
    /// coordinate along it is positive: the same data always gives the same map. Returns the
    /// data's coordinates with those signs.
    fn orient(&mut self, rows: &[f32]) -> Array2<f64> {
        let mut coordinates = self.coordinates(rows);
        for (k, mut column) in coordinates.columns_mut().into_iter().enumerate() {
            let extreme = column.iter().fold(
                0.0f64,
                |best, &v| {
                    if v.abs() > best.abs() {
                        v
                    } else {
                        best
                    }
                },
            );
            if extreme < 0.0 {
                column.mapv_inplace(|v| -v);
                for v in &mut self.components[k] {
                    *v = -*v;
                }
            }
        }
        coordinates
    }
}

fn pca_err(e: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Pca(e.to_string())
}

/// At least two components (the map's axes), zero vectors standing in for missing ones.
fn at_least_two(mut rows: Vec<Vec<f32>>, dim: usize) -> Vec<Vec<f32>> {
    if rows.len() < 2 {
        rows.resize(2, vec![0.0; dim]);
    }
    rows
}

fn linfa_components(x: &ArrayView2<f32>, count: usize) -> Result<Vec<Vec<f32>>, ProjectionError> {
    let data = x.mapv(f64::from);
    let pca = Pca::params(count)
        .fit(&DatasetBase::from(data))
        .map_err(pca_err)?;
    let rows: Vec<Vec<f32>> = pca
        .components()
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| v as f32).collect())
        .collect();
    if rows.iter().flatten().any(|v| !v.is_finite()) {
        return Err(ProjectionError::Pca(
            "linfa's solver did not converge".into(),
        ));
    }
    Ok(rows)
}

/// linfa-reduction's PCA, or the exact decomposition where its iterative solver fails: its
/// LOBPCG can stop on a NaN (a panic inside linfa-linalg) when eigenvalues lie close together,
/// as they do for a few strong directions over even noise (the test below has such data).
fn narrow_components(
    x: &ArrayView2<f32>,
    centered: &Array2<f32>,
    count: usize,
) -> Result<Vec<Vec<f32>>, ProjectionError> {
    let linfa = std::panic::catch_unwind(|| linfa_components(x, count));
    match linfa {
        Ok(Ok(rows)) => Ok(rows),
        _ => exact_components(centered, count),
    }
}

/// The top eigenvectors of a symmetric matrix, largest eigenvalue first.
fn top_eigenvectors(
    matrix: &Array2<f64>,
    count: usize,
) -> Result<Vec<Array1<f64>>, ProjectionError> {
    let (values, vectors) = matrix.eigh().map_err(pca_err)?;
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    Ok(order
        .into_iter()
        .take(count)
        .map(|k| vectors.column(k).to_owned())
        .collect())
}

fn exact_components(
    centered: &Array2<f32>,
    count: usize,
) -> Result<Vec<Vec<f32>>, ProjectionError> {
    let c64 = centered.mapv(f64::from);
    let cov = c64.t().dot(&c64);
    Ok(top_eigenvectors(&cov, count)?
        .into_iter()
        .map(|v| v.iter().map(|&x| x as f32).collect())
        .collect())
}

/// The rows minus the mean, into `block` (cleared first).
fn center_into(block: &mut Vec<f32>, rows: &[f32], mean: &[f32]) {
    block.clear();
    block.reserve(rows.len());
    vectorized(|| {
        for row in rows.chunks_exact(mean.len()) {
            block.extend(row.iter().zip(mean).map(|(v, m)| v - m));
        }
    });
}

/// Each column's mean, and the total variance (the sum of the columns' variances), from one
/// pass of f64 sums of values and squares: no f64 copy of the data (40,000 clips × 500 would be
/// 160 MB), and f64 holds the difference of the two sums to far more digits than a map needs.
fn mean_and_total_variance(rows: &[f32], dim: usize) -> (Vec<f32>, f64) {
    let n = rows.len() / dim.max(1);
    let mut sums = vec![0.0f64; dim];
    let mut squares = vec![0.0f64; dim];
    vectorized(|| {
        for row in rows.chunks_exact(dim) {
            for ((s, q), &v) in sums.iter_mut().zip(squares.iter_mut()).zip(row) {
                let v = f64::from(v);
                *s += v;
                *q += v * v;
            }
        }
    });
    let n64 = n as f64;
    let total = sums
        .iter()
        .zip(&squares)
        .map(|(s, q)| (q - s * s / n64).max(0.0))
        .sum::<f64>()
        / (n64 - 1.0).max(1.0);
    (sums.iter().map(|s| (s / n64) as f32).collect(), total)
}

/// The leading eigenvectors of the covariance matrix of row-major `rows`, which is summed in
/// f64 from the f32 products of centred blocks of rows.
fn covariance_components(
    rows: &[f32],
    dim: usize,
    mean: &[f32],
    count: usize,
) -> Result<Vec<Vec<f32>>, ProjectionError> {
    const BLOCK_ROWS: usize = 2048;
    let mut cov = Array2::<f64>::zeros((dim, dim));
    let mut block = Vec::with_capacity(BLOCK_ROWS * dim);
    let mut partial = vec![0.0f32; dim * dim];
    for chunk in rows.chunks(BLOCK_ROWS * dim) {
        center_into(&mut block, chunk, mean);
        let r = chunk.len() / dim;
        let centred = Strided::rows(&block, dim);
        product(&mut partial, false, centred.t(), centred, dim, r, dim);
        for (c, &p) in cov.iter_mut().zip(&partial) {
            *c += f64::from(p);
        }
    }
    Ok(top_eigenvectors(&cov, count)?
        .into_iter()
        .map(|v| v.iter().map(|&x| x as f32).collect())
        .collect())
}

/// The leading principal directions of the `n` rows of `x` (`dim` wide) about `mean`, by a
/// randomized subspace iteration. `(X - 1·meanᵀ)·q` is computed as `X·q - 1·(meanᵀq)`, so the
/// data is read in place.
fn randomized_components(
    x: Strided,
    n: usize,
    dim: usize,
    mean: &[f32],
    count: usize,
) -> Result<Vec<Vec<f32>>, ProjectionError> {
    let k = (count + OVERSAMPLE).min(dim);
    let mut rng = ChaCha8Rng::seed_from_u64(0x70_6361);
    let mut q = Array2::from_shape_fn((dim, k), |_| rng.random::<f32>() - 0.5);
    let mut y = vec![0.0f32; n * k];
    let mut z = vec![0.0f32; dim * k];
    // y = (X - 1·meanᵀ)·q, n × k.
    let centred_product = |y: &mut Vec<f32>, q: &Array2<f32>| {
        let q = q.as_standard_layout();
        let q = q.as_slice().expect("a standard-layout array");
        product(y, false, x, Strided::rows(q, k), n, dim, k);
        let mean_q: Vec<f32> = (0..k)
            .map(|l| (0..dim).map(|j| mean[j] * q[j * k + l]).sum())
            .collect();
        for row in y.chunks_exact_mut(k) {
            for (v, m) in row.iter_mut().zip(&mean_q) {
                *v -= m;
            }
        }
    };
    for _ in 0..PASSES {
        centred_product(&mut y, &q);
        // z = (X - 1·meanᵀ)ᵀ·y = Xᵀ·y - mean·(1ᵀy).
        product(&mut z, false, x.t(), Strided::rows(&y, k), dim, n, k);
        let column_sums: Vec<f32> = (0..k)
            .map(|l| y.chunks_exact(k).map(|row| row[l]).sum())
            .collect();
        for (row, &m) in z.chunks_exact_mut(k).zip(mean) {
            for (v, s) in row.iter_mut().zip(&column_sums) {
                *v -= m * s;
            }
        }
        let z_matrix = Array2::from_shape_vec((dim, k), z.clone()).map_err(pca_err)?;
        q = orthonormal(z_matrix)?;
    }
    // The small problem: the covariance of the data within the subspace.
    centred_product(&mut y, &q);
    let b = Array2::from_shape_vec((n, k), y)
        .map_err(pca_err)?
        .mapv(f64::from);
    let small = b.t().dot(&b);
    let q64 = q.mapv(f64::from);
    Ok(top_eigenvectors(&small, count)?
        .into_iter()
        .map(|v| q64.dot(&v).iter().map(|&x| x as f32).collect())
        .collect())
}

/// An orthonormal basis of the columns of `z` (QR, in f64 for stability).
fn orthonormal(z: Array2<f32>) -> Result<Array2<f32>, ProjectionError> {
    let cols = z.ncols();
    let (q, _) = z.mapv(f64::from).qr_into().map_err(pca_err)?.into_decomp();
    Ok(q.slice(s![.., ..cols]).mapv(|v| v as f32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Axis;

    /// Rows with a strong direction, two weaker ones and noise.
    fn data(n: usize, dim: usize) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let d1: Vec<f32> = (0..dim).map(|j| ((j as f32) * 0.37).sin()).collect();
        let d2: Vec<f32> = (0..dim).map(|j| ((j as f32) * 0.11).cos()).collect();
        let d3: Vec<f32> = (0..dim).map(|j| ((j as f32) * 0.73 + 1.0).sin()).collect();
        (0..n)
            .flat_map(|_| {
                let (a, b, c) = (
                    rng.random::<f32>() * 6.0 - 3.0,
                    rng.random::<f32>() * 2.0 - 1.0,
                    rng.random::<f32>() - 0.5,
                );
                let noise: Vec<f32> = (0..dim).map(|_| rng.random::<f32>() * 0.1).collect();
                (0..dim)
                    .map(|j| 1.0 + a * d1[j] + b * d2[j] + c * d3[j] + noise[j])
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum()
    }

    #[test]
    fn every_path_finds_the_same_components_as_the_exact_decomposition() {
        for dim in [12, 100, 300] {
            let rows = data(600, dim);
            let fast = Projection::fit(&rows, dim).unwrap();
            let x = ArrayView2::from_shape((600, dim), &rows[..]).unwrap();
            let mean = x
                .mapv(f64::from)
                .mean_axis(Axis(0))
                .unwrap()
                .mapv(|v| v as f32);
            let reference = exact_components(&(&x - &mean), 2).unwrap();
            for (k, reference) in reference.iter().enumerate() {
                let cos = dot(fast.component(k), reference).abs();
                assert!(cos > 0.999_99, "dim {dim}, component {k}: |cos| {cos}");
            }
            assert!(fast.explained[0] > fast.explained[1]);
            assert!(fast.explained.iter().sum::<f64>() <= 1.0 + 1e-9);
            // Wide inputs keep more components, which agree with the exact decomposition.
            if dim > LINFA_MAX_DIM {
                let exact = exact_components(&(&x - &mean), COMPONENTS).unwrap();
                assert_eq!(fast.component_count(), COMPONENTS);
                // The data has three directions; beyond them is even noise.
                for (k, exact) in exact.iter().enumerate().take(3).skip(2) {
                    let cos = dot(fast.component(k), exact).abs();
                    assert!(cos > 0.999, "dim {dim}, component {}: |cos| {cos}", k + 1);
                }
            }
        }
    }

    #[test]
    fn a_wide_input_fitted_on_a_sample_has_the_full_fits_directions() {
        // 2.5 × FIT_ROWS rows: the directions come from every third row, the map has them all.
        let (n, dim) = (FIT_ROWS * 5 / 2, 160);
        let rows = data(n, dim);
        let sampled = Projection::fit(&rows, dim).unwrap();
        assert_eq!(sampled.points.len(), n);
        let x = ArrayView2::from_shape((n, dim), &rows[..]).unwrap();
        let mean = x
            .mapv(f64::from)
            .mean_axis(Axis(0))
            .unwrap()
            .mapv(|v| v as f32);
        let full = exact_components(&(&x - &mean), 3).unwrap();
        for (k, full) in full.iter().enumerate() {
            let cos = dot(sampled.component(k), full).abs();
            assert!(cos > 0.999, "component {k}: |cos| {cos}");
        }
        // Every row is projected through the fit, as a new row would be.
        let again = sampled.project(&rows[..3 * dim]).unwrap();
        for (p, q) in again.iter().zip(&sampled.points) {
            assert!((p[0] - q[0]).abs() < 1e-4 && (p[1] - q[1]).abs() < 1e-4);
        }
    }

    /// On data where linfa's solver works, the exact path and linfa agree; on the data above
    /// (12 dimensions) linfa's LOBPCG panics, and the map is made anyway.
    #[test]
    fn linfa_and_the_exact_decomposition_agree_where_linfa_works() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let rows: Vec<f32> = (0..500)
            .flat_map(|_| {
                let a = rng.random::<f32>() * 4.0 - 2.0;
                let b = rng.random::<f32>() - 0.5;
                [a, 0.5 * a + b, -a + 0.1 * b, b]
            })
            .collect();
        let x = ArrayView2::from_shape((500, 4), &rows[..]).unwrap();
        let mean = x
            .mapv(f64::from)
            .mean_axis(Axis(0))
            .unwrap()
            .mapv(|v| v as f32);
        let exact = exact_components(&(&x - &mean), 2).unwrap();
        let linfa = linfa_components(&x, 2).unwrap();
        for k in 0..2 {
            assert!(dot(&exact[k], &linfa[k]).abs() > 0.999_99, "component {k}");
        }
        assert!(Projection::fit(&data(600, 12), 12).is_ok());
    }

    #[test]
    fn lifting_a_point_projects_back_to_it() {
        let rows = data(200, 40);
        let p = Projection::fit(&rows, 40).unwrap();
        let lifted = p.lift([1.5, -0.25]);
        let back = p.project(&lifted).unwrap()[0];
        assert!(
            (back[0] - 1.5).abs() < 1e-4 && (back[1] + 0.25).abs() < 1e-4,
            "{back:?}"
        );
    }

    #[test]
    fn non_finite_rows_are_refused() {
        let mut rows = data(10, 4);
        rows[9] = f32::NAN;
        assert!(matches!(
            Projection::fit(&rows, 4),
            Err(ProjectionError::NonFinite { row: 2 })
        ));
    }
}
