//! A model's view of a dataset: every clip's code, logits and reconstruction error, its predicted
//! genre, and the bottleneck and logits maps (plus, when asked, the paper's tables). Pure: the
//! window computes it on a worker, the CLI's `export` directly.

pub mod knn;
pub mod method;
pub mod projection;
pub mod trust;
pub mod tsne;
pub mod umap;

use crate::dataset::{Dataset, Split};
use crate::maps::projection::{Projection, ProjectionError};
use crate::model::{softmax_rows, Inference, ModelError, SavedModel};
use crate::tables::report::EvalReport;
use crate::training::experiment::{
    describe_protocol, evaluate_folder, evaluate_splits, ExperimentError,
};

/// A model's view of the current dataset: codes, predictions and the two model maps.
pub struct ModelMaps {
    pub inference: Inference,
    /// Predicted output (model genre index) and its probability, per segment (classifiers).
    pub predicted: Option<Vec<(usize, f32)>>,
    pub code_map: Result<Projection, ProjectionError>,
    pub logits_map: Option<Result<Projection, ProjectionError>>,
    /// Mean squared error of each clip's reconstruction, in the vectors' own units (amplitude
    /// or dB; models with a decoder).
    pub reconstruction_error: Option<Vec<f32>>,
    /// The paper's tables, when the projector was asked for them.
    pub report: Option<Result<EvalReport, ExperimentError>>,
}

/// Each row's most probable output and its probability.
pub fn predictions(logits: &[f32], n_classes: usize) -> Vec<(usize, f32)> {
    softmax_rows(logits, n_classes)
        .chunks_exact(n_classes.max(1))
        .map(|row| {
            row.iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f32::MIN),
                    |best, (k, p)| if p > best.1 { (k, p) } else { best },
                )
        })
        .collect()
}

/// Codes, predictions, the bottleneck and logits maps, and optionally the tables.
pub fn model_maps(
    dataset: &Dataset,
    saved: &SavedModel,
    splits: Option<&[Split]>,
    evaluate: bool,
) -> Result<ModelMaps, ModelError> {
    let inference = saved.model.infer_lean(&dataset.vectors)?;
    Ok(maps_of(dataset, saved, inference, splits, evaluate))
}

/// [`model_maps`] without the decoder's pass (no reconstruction errors, no tables): a model
/// compared with the one in use.
pub fn model_maps_without_errors(
    dataset: &Dataset,
    saved: &SavedModel,
) -> Result<ModelMaps, ModelError> {
    let inference = saved.model.infer_codes(&dataset.vectors)?;
    Ok(maps_of(dataset, saved, inference, None, false))
}

fn maps_of(
    dataset: &Dataset,
    saved: &SavedModel,
    inference: Inference,
    splits: Option<&[Split]>,
    evaluate: bool,
) -> ModelMaps {
    let model = &saved.model;
    let cfg = model.config();
    let predicted = inference
        .logits
        .as_ref()
        .map(|logits| predictions(logits, cfg.n_classes));
    let code_map = Projection::fit(&inference.code, inference.code_dim);
    let logits_map = inference
        .logits
        .as_ref()
        .map(|l| Projection::fit(l, cfg.n_classes));
    let reconstruction_error = inference.reconstruction_error.clone();
    let report = evaluate.then(|| match (splits, &saved.meta.training) {
        (Some(splits), Some(record)) => {
            let protocol = describe_protocol(&record.split);
            evaluate_splits(model, dataset, splits, protocol, Some(&inference))
                .map_err(ExperimentError::from)
        }
        _ => evaluate_folder(saved, dataset, Some(&inference)),
    });
    ModelMaps {
        inference,
        predicted,
        code_map,
        logits_map,
        reconstruction_error,
        report,
    }
}
