//! Feature vectors with their provenance: CSV (optionally with the vectors) and NPY.

use std::path::Path;

use super::{provenance_row, write_csv_rows, ExportError, PROVENANCE_COLUMNS};
use crate::dataset::{Dataset, Split};
use crate::files::{write_atomic, FileError};

/// Every vector of `dataset` with its provenance; without `with_vectors`, the provenance alone
/// (the sidecar of an NPY file).
pub fn write_features_csv(
    path: &Path,
    dataset: &Dataset,
    splits: &[Split],
    with_vectors: bool,
) -> Result<(), ExportError> {
    write_csv_rows(path, |w| {
        let mut header: Vec<String> = PROVENANCE_COLUMNS.iter().map(|s| s.to_string()).collect();
        if with_vectors {
            header.extend((0..dataset.dim()).map(|j| format!("v{j}")));
        }
        w.write_record(&header)?;
        for (i, split) in splits.iter().enumerate().take(dataset.len()) {
            let mut row = provenance_row(dataset, i, split.name());
            if with_vectors {
                // `{}` prints the shortest text that parses back to the same f32.
                row.extend(dataset.vector(i).iter().map(|v| v.to_string()));
            }
            w.write_record(&row)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Every vector as a float32 `.npy` matrix (rows in the order of the provenance CSV).
pub fn write_features_npy(path: &Path, dataset: &Dataset) -> Result<(), ExportError> {
    write_matrix(path, &dataset.vectors, dataset.dim())
}

/// Row-major `values`, `dim` wide, as a float32 `.npy` matrix.
pub fn write_matrix(path: &Path, values: &[f32], dim: usize) -> Result<(), ExportError> {
    use ndarray_npy::WriteNpyExt;
    let rows = values.len() / dim.max(1);
    let matrix =
        ndarray::ArrayView2::from_shape((rows, dim), values).map_err(|e| FileError::Write {
            path: path.to_path_buf(),
            cause: e.to_string(),
        })?;
    write_atomic(path, |w| matrix.write_npy(w))?;
    Ok(())
}
