//! 2-d PCA maps with linfa-reduction: fit on a set of rows, project them (and new rows, such as
//! an interpolation path, through the same fit), and say how much variance each axis explains.

use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_reduction::Pca;
use ndarray::{Array2, ArrayView2, Axis};

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("a map needs at least 3 points, got {0}")]
    TooFew(usize),
    #[error("rows of {dim} values cannot be cut from {len} values")]
    Shape { dim: usize, len: usize },
    #[error("PCA failed: {0}")]
    Pca(String),
}

/// A fitted 2-d PCA and the points it was fitted on.
#[derive(Debug, Clone)]
pub struct Projection {
    pca: Pca<f64>,
    pub dim: usize,
    /// Fraction of the data's total variance along each axis (PC1, PC2).
    pub explained: [f64; 2],
    /// The fitted rows, projected.
    pub points: Vec<[f64; 2]>,
}

fn to_array(rows: &[f32], dim: usize) -> Result<Array2<f64>, ProjectionError> {
    if dim == 0 || rows.len() % dim != 0 {
        return Err(ProjectionError::Shape {
            dim,
            len: rows.len(),
        });
    }
    Array2::from_shape_vec(
        (rows.len() / dim, dim),
        rows.iter().map(|&v| f64::from(v)).collect(),
    )
    .map_err(|e| ProjectionError::Pca(e.to_string()))
}

fn to_points(a: &Array2<f64>) -> Vec<[f64; 2]> {
    a.rows()
        .into_iter()
        .map(|r| [r[0], r.get(1).copied().unwrap_or(0.0)])
        .collect()
}

impl Projection {
    /// Fits PCA to `rows` (row-major, `dim` wide) and projects them.
    pub fn fit(rows: &[f32], dim: usize) -> Result<Self, ProjectionError> {
        let x = to_array(rows, dim)?;
        let n = x.nrows();
        if n < 3 {
            return Err(ProjectionError::TooFew(n));
        }
        let components = dim.min(2);
        let pca = Pca::params(components)
            .fit(&DatasetBase::from(x.view()))
            .map_err(|e| ProjectionError::Pca(e.to_string()))?;
        let projected = pca.predict(&x);
        // Ratios against the data's total variance (linfa normalises over kept components only).
        let total: f64 = x
            .var_axis(Axis(0), 1.0)
            .iter()
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mut explained = [0.0; 2];
        for (k, col) in projected.axis_iter(Axis(1)).enumerate().take(2) {
            explained[k] = col.var(1.0) / total;
        }
        Ok(Self {
            points: to_points(&projected),
            pca,
            dim,
            explained,
        })
    }

    /// Projects new rows through the same fit.
    pub fn project(&self, rows: &[f32]) -> Result<Vec<[f64; 2]>, ProjectionError> {
        let x = to_array(rows, self.dim)?;
        Ok(to_points(&self.pca.predict(&x)))
    }

    /// Projects a view without copying into f32 first.
    pub fn project_view(&self, x: ArrayView2<f64>) -> Vec<[f64; 2]> {
        to_points(&self.pca.predict(&x))
    }
}
