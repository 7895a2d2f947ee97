//! A model's view of a dataset: every clip's code, logits and reconstruction, its predicted
//! genre, and the bottleneck and logits maps (plus, when asked, the paper's tables). Pure: the
//! window computes it on a worker, the CLI's `export` directly.

use crate::dataset::{Dataset, Split};
use crate::experiment::{evaluate_folder, evaluate_splits};
use crate::model::{softmax_rows, Inference, SavedModel};
use crate::projection::Projection;
use crate::report::EvalReport;

/// A model's view of the current dataset: codes, predictions and the two model maps.
pub struct ModelMaps {
    pub inference: Inference,
    /// Predicted output (model genre index) and its probability, per segment (classifiers).
    pub predicted: Option<Vec<(usize, f32)>>,
    pub code_map: Result<Projection, String>,
    pub logits_map: Option<Result<Projection, String>>,
    /// Mean squared error of each clip's reconstruction (models with a decoder).
    pub reconstruction_error: Option<Vec<f32>>,
    /// The paper's tables, when the projector was asked for them.
    pub report: Option<EvalReport>,
    pub report_error: Option<String>,
}

/// Codes, predictions, the bottleneck and logits maps, and optionally the tables.
pub fn model_maps(
    dataset: &Dataset,
    saved: &SavedModel,
    splits: Option<&[Split]>,
    evaluate: bool,
) -> Result<ModelMaps, String> {
    let model = &saved.model;
    let cfg = model.config();
    let inference = model.infer(&dataset.vectors).map_err(|e| e.to_string())?;
    let predicted = inference.logits.as_ref().map(|logits| {
        softmax_rows(logits, cfg.n_classes)
            .chunks_exact(cfg.n_classes)
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
    });
    let code_map = Projection::fit(&inference.code, inference.code_dim).map_err(|e| e.to_string());
    let logits_map = inference
        .logits
        .as_ref()
        .map(|l| Projection::fit(l, cfg.n_classes).map_err(|e| e.to_string()));
    let dim = cfg.input_dim;
    let reconstruction_error = inference.reconstruction.as_ref().map(|recon| {
        recon
            .chunks_exact(dim)
            .zip(dataset.vectors.chunks_exact(dim))
            .map(|(r, x)| r.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() / dim as f32)
            .collect()
    });
    let report: Option<Result<EvalReport, String>> =
        evaluate.then(|| match (splits, &saved.meta.training) {
            (Some(splits), Some(record)) => evaluate_splits(
                model,
                dataset,
                splits,
                crate::experiment::describe_protocol(&record.split),
            )
            .map_err(|e| e.to_string()),
            _ => evaluate_folder(saved, dataset).map_err(|e| e.to_string()),
        });
    let (report, report_error) = match report {
        Some(Ok(r)) => (Some(r), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    Ok(ModelMaps {
        inference,
        predicted,
        code_map,
        logits_map,
        reconstruction_error,
        report,
        report_error,
    })
}
