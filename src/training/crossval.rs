//! Cross-validation over tracks: K runs, each fold of tracks the test once (the next fold the
//! dev), the folds grouped (by track or artist, duplicates together) and stratified by genre;
//! every fold's clip and track accuracy, their mean and standard deviation, and beside them a
//! linear probe (logistic regression) on the very same input vectors in the same folds: what a
//! linear read-out of the input scores without any network.

use std::sync::atomic::AtomicBool;

use super::experiment::{describe_protocol, run_experiment, Experiment, ExperimentError};
use super::train::EpochReport;
use crate::dataset::{Dataset, Split, SplitConfig, SplitProtocol};
use crate::model::{ModelConfig, TrainConfig};
use crate::tables::crossval::{CrossValidation, FoldScore};
use crate::tables::metrics::{argmax_rows, track_vote};
use crate::training::probe::probe;

/// What one fold ran on, for progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoldProgress {
    pub fold: usize,
    pub folds: usize,
}

/// Runs `split.folds`-fold cross-validation of `template` on `dataset` (`split` must be a
/// k-fold split). With `with_probe`, fits the linear probe in every fold too.
#[allow(clippy::too_many_arguments)]
pub fn cross_validate(
    dataset: &Dataset,
    template: ModelConfig,
    train_config: &TrainConfig,
    split: &SplitConfig,
    standardize: bool,
    with_probe: bool,
    cancel: &AtomicBool,
    on_epoch: &mut dyn FnMut(FoldProgress, &EpochReport),
) -> Result<CrossValidation, ExperimentError> {
    debug_assert_eq!(split.protocol, SplitProtocol::KFold);
    let k = split.folds;
    let notes = dataset.split_plan(&split.kfold(k, 0))?.notes;
    let mut folds = Vec::with_capacity(k);
    for fold in 0..k {
        let cfg = split.kfold(k, fold);
        let progress = FoldProgress { fold, folds: k };
        let experiment = run_experiment(
            dataset,
            template,
            train_config,
            &cfg,
            standardize,
            cancel,
            &mut |r| on_epoch(progress, r),
        )?;
        folds.push(fold_score(dataset, &experiment, fold, with_probe)?);
    }
    let protocol = format!(
        "{k} folds of tracks, each the test once with the next as dev; {}",
        describe_protocol(&split.kfold(k, 0))
            .split_once(": ")
            .map_or(String::new(), |(_, rest)| rest.to_string())
    );
    Ok(CrossValidation::summarise(protocol, notes, folds))
}

fn fold_score(
    dataset: &Dataset,
    experiment: &Experiment,
    fold: usize,
    with_probe: bool,
) -> Result<FoldScore, ExperimentError> {
    let record = experiment.saved.meta.training.as_ref();
    let report = record.and_then(|t| t.report.as_ref());
    let test = report.and_then(|r| r.splits.iter().find(|s| s.split == Split::Test.name()));
    let of = |s: Split| -> Vec<usize> {
        (0..dataset.len())
            .filter(|&i| experiment.splits[i] == s)
            .collect()
    };
    let test_clips = of(Split::Test);
    let test_tracks = {
        let mut t: Vec<usize> = test_clips
            .iter()
            .map(|&i| dataset.segments[i].track)
            .collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    let (probe_accuracy, probe_track_accuracy) = if with_probe {
        let (accuracy, tracks) = probe_scores(dataset, &of(Split::Train), &test_clips)?;
        (Some(accuracy), Some(tracks))
    } else {
        (None, None)
    };
    Ok(FoldScore {
        fold: fold + 1,
        test_tracks,
        test_clips: test_clips.len(),
        accuracy: test.and_then(|t| t.accuracy).unwrap_or(0.0),
        track_accuracy: test
            .and_then(|t| t.track_vote.as_ref())
            .map_or(0.0, |v| v.accuracy),
        probe_accuracy,
        probe_track_accuracy,
        best_epoch: record.and_then(|t| t.best_epoch),
    })
}

/// The linear probe's clip and track accuracy on `test`, fitted on `train`.
pub fn probe_scores(
    dataset: &Dataset,
    train: &[usize],
    test: &[usize],
) -> Result<(f64, f64), ExperimentError> {
    let labels: Vec<usize> = (0..dataset.len()).map(|i| dataset.label(i)).collect();
    let n = dataset.genres.len();
    let probabilities = probe(&dataset.vectors, dataset.dim(), &labels, n, train, test)
        .map_err(|e| ExperimentError::Probe(e.to_string()))?;
    let flat: Vec<f32> = probabilities.iter().flatten().map(|&p| p as f32).collect();
    let predicted = argmax_rows(&flat, n);
    let truth: Vec<usize> = test.iter().map(|&i| labels[i]).collect();
    let right = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
    let tracks: Vec<usize> = test.iter().map(|&i| dataset.segments[i].track).collect();
    let vote = track_vote(&tracks, &truth, &flat, n);
    Ok((right as f64 / test.len().max(1) as f64, vote.accuracy))
}

/// Cross-validation, then the model trained on every track with the folds kept in its record:
/// what `train --split kfold:K` and the window's cross-validation do.
pub struct CrossValidated {
    pub experiment: Experiment,
    pub crossval: CrossValidation,
    /// With early stopping: the folds' kept epochs, whose median the final model trained for.
    pub kept_epochs: Vec<usize>,
}

/// Epochs a cross-validation trains in all: every fold, then the model on every track (at most
/// as many again; fewer when early stopping picks the folds' median kept epoch).
pub fn total_epochs(folds: usize, epochs_per_run: usize) -> usize {
    epochs_per_run * (folds + 1)
}

/// Runs [`cross_validate`] (with the probe), then trains on every track. Early stopping has no
/// dev tracks left once every track trains, so the final model trains for the median of the
/// epochs the folds kept. `on_epoch` sees the folds' epochs (`Some(fold)`) and the final
/// model's (`None`).
#[allow(clippy::too_many_arguments)]
pub fn cross_validate_then_train(
    dataset: &Dataset,
    template: ModelConfig,
    train_config: &TrainConfig,
    split: &SplitConfig,
    standardize: bool,
    cancel: &AtomicBool,
    on_epoch: &mut dyn FnMut(Option<FoldProgress>, &EpochReport),
) -> Result<CrossValidated, ExperimentError> {
    let crossval = cross_validate(
        dataset,
        template,
        train_config,
        split,
        standardize,
        true,
        cancel,
        &mut |at, r| on_epoch(Some(at), r),
    )?;
    let mut final_config = *train_config;
    let kept_epochs: Vec<usize> = crossval.folds.iter().filter_map(|f| f.best_epoch).collect();
    if train_config.regularization.best_on_dev && !kept_epochs.is_empty() {
        let mut sorted = kept_epochs.clone();
        sorted.sort_unstable();
        final_config.epochs = sorted[sorted.len() / 2];
        final_config.regularization.best_on_dev = false;
    }
    let all = SplitConfig {
        protocol: SplitProtocol::Track,
        train_fraction: 1.0,
        dev_fraction: 0.0,
        ..*split
    };
    let mut experiment = run_experiment(
        dataset,
        template,
        &final_config,
        &all,
        standardize,
        cancel,
        &mut |r| on_epoch(None, r),
    )?;
    if let Some(record) = experiment.saved.meta.training.as_mut() {
        record.crossval = Some(crossval.clone());
    }
    Ok(CrossValidated {
        experiment,
        crossval,
        kept_epochs,
    })
}
