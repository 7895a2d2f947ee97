//! A whole run on a dataset: split, train, evaluate, and describe the result so it can be saved.
//! The CLI and the window both call these.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::dataset::{
    Dataset, GroupBy, Representation, Split, SplitConfig, SplitError, SplitProtocol,
};
use crate::model::{
    BandNorm, FitError, Inference, Model, ModelConfig, ModelError, ModelMeta, SavedModel,
    TrackStamp, TrainConfig, TrainingRecord,
};
use crate::tables::report::{EvalReport, Group};
use crate::training::scoring::{evaluate, Truth};
use crate::training::train::{train_model, EpochReport, Examples, TrainError};

#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(transparent)]
    Split(#[from] SplitError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Fit(#[from] FitError),
    #[error("{0}")]
    Probe(String),
}

/// A trained model with everything needed to save, show and explain it.
pub struct Experiment {
    pub saved: SavedModel,
    pub history: Vec<EpochReport>,
    pub splits: Vec<Split>,
}

/// Words for a split protocol, as every report states it.
pub fn describe_protocol(cfg: &SplitConfig) -> String {
    let grouped = match cfg.group {
        GroupBy::Track => "grouped by track",
        GroupBy::Artist => "grouped by artist where GTZAN's index names one",
    };
    match cfg.protocol {
        SplitProtocol::Segment => format!(
            "segment split (the paper's protocol: every track has segments in train, dev and \
            test, which flatters dev/test), seed {}",
            cfg.seed
        ),
        SplitProtocol::Track => format!(
            "track split (each track in one split, stratified by genre, {grouped}), seed {}",
            cfg.seed
        ),
        SplitProtocol::KFold => format!(
            "fold {} of {} (test), fold {} the dev, the rest train: tracks {grouped}, \
             stratified by genre, seed {}",
            cfg.fold % cfg.folds.max(1) + 1,
            cfg.folds,
            (cfg.fold + 1) % cfg.folds.max(1) + 1,
            cfg.seed
        ),
        SplitProtocol::Files => "GTZAN's published fault-filtered, artist-conditional split \
            (Kereliuk, Sturm and Larsen 2015), as far as the folder holds it"
            .to_string(),
    }
}

/// The model settings for a dataset: its input width and one output per genre.
pub fn config_for(dataset: &Dataset, template: ModelConfig) -> ModelConfig {
    ModelConfig {
        input_dim: dataset.dim(),
        n_classes: dataset.genres.len(),
        ..template
    }
}

fn rows_of(dataset: &Dataset, indices: &[usize]) -> (Vec<f32>, Vec<u32>) {
    let mut x = Vec::with_capacity(indices.len() * dataset.dim());
    let mut y = Vec::with_capacity(indices.len());
    for &i in indices {
        x.extend_from_slice(dataset.vector(i));
        y.push(dataset.label(i) as u32);
    }
    (x, y)
}

/// Splits `dataset`, trains a model of `template`'s kind on the train split (watching dev),
/// and evaluates it on every split. `standardize` scales waveform inputs to unit variance (see
/// `ModelConfig::input_scale`); log-mel inputs are always standardised band by band, with
/// statistics from the train split only.
pub fn run_experiment(
    dataset: &Dataset,
    template: ModelConfig,
    train_config: &TrainConfig,
    split_config: &SplitConfig,
    standardize: bool,
    cancel: &AtomicBool,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Experiment, ExperimentError> {
    let started = Instant::now();
    let splits = dataset.splits(split_config)?;
    let of = |which: Split| -> Vec<usize> {
        (0..splits.len()).filter(|&i| splits[i] == which).collect()
    };
    let (train_x, train_y) = rows_of(dataset, &of(Split::Train));
    let (dev_x, dev_y) = rows_of(dataset, &of(Split::Dev));
    let mut config = config_for(dataset, template);
    let norm = match dataset.features.input {
        Representation::LogMel(_) | Representation::Mfcc(_) => {
            config.input_scale = 1.0;
            Some(BandNorm::fit(
                &train_x,
                dataset.dim(),
                dataset.features.bands(),
            ))
        }
        Representation::Waveform if standardize => {
            config.input_scale = standardizing_scale(&train_x);
            None
        }
        Representation::Waveform => None,
    };
    let model = Model::new(config, train_config.seed)?.with_norm(norm)?;
    let trained = train_model(
        model,
        train_config,
        Examples {
            x: &train_x,
            y: &train_y,
        },
        Some(Examples {
            x: &dev_x,
            y: &dev_y,
        }),
        cancel,
        on_epoch,
    )?;
    let report = evaluate_splits(
        &trained.model,
        dataset,
        &splits,
        describe_protocol(split_config),
        None,
    )?;
    let meta = ModelMeta {
        model: config,
        genres: dataset.genres.clone(),
        features: dataset.features,
        input_norm: trained.model.norm().cloned(),
        training: Some(TrainingRecord {
            train: *train_config,
            split: *split_config,
            data: dataset.source.to_string(),
            data_fingerprint: Some(dataset.fingerprint()),
            epochs_run: trained.history.len(),
            best_epoch: trained.best_epoch,
            seconds: started.elapsed().as_secs_f64(),
            report: Some(report),
            tracks: TrackStamp::of(dataset, &splits),
            crossval: None,
        }),
    };
    Ok(Experiment {
        saved: SavedModel {
            model: trained.model,
            meta,
        },
        history: trained.history,
        splits,
    })
}

/// 1 / the standard deviation of the values (1 when they are all equal).
pub fn standardizing_scale(x: &[f32]) -> f64 {
    let n = x.len().max(1) as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    if var > 1e-20 {
        1.0 / var.sqrt()
    } else {
        1.0
    }
}

/// Table 1 on train/dev/test, Table 2 and the confusion matrix on test.
pub fn evaluate_splits(
    model: &Model,
    dataset: &Dataset,
    splits: &[Split],
    protocol: String,
    known: Option<&Inference>,
) -> Result<EvalReport, ModelError> {
    let groups: Vec<Group> = Split::ALL
        .iter()
        .map(|&s| Group {
            name: s.name(),
            indices: (0..splits.len()).filter(|&i| splits[i] == s).collect(),
        })
        .filter(|g| !g.indices.is_empty())
        .collect();
    // With nothing held out, every table measures the training data: say so.
    let protocol = if groups.len() == 1 && groups[0].name == Split::Train.name() {
        format!(
            "every clip was in the training split ({protocol}): these are training scores, not \
             held-out ones"
        )
    } else {
        protocol
    };
    let truth: Vec<usize> = (0..dataset.len()).map(|i| dataset.label(i)).collect();
    score_groups(
        model,
        &dataset.genres,
        dataset,
        &truth,
        &groups,
        protocol,
        known,
    )
}

/// The tables of `model` (whose outputs are `genres`) on `groups` of `dataset`'s clips, whose
/// genres as the model's outputs are `truth`.
fn score_groups(
    model: &Model,
    genres: &[String],
    dataset: &Dataset,
    truth: &[usize],
    groups: &[Group],
    protocol: String,
    known: Option<&Inference>,
) -> Result<EvalReport, ModelError> {
    let tracks: Vec<usize> = dataset.segments.iter().map(|s| s.track).collect();
    let truth = Truth {
        truth,
        track: &tracks,
    };
    evaluate(
        model,
        genres,
        &dataset.vectors,
        truth,
        groups,
        protocol,
        known,
    )
}

/// A saved model on a folder: the tracks it was trained on (known by content from its stamps,
/// wherever and in whatever format they are now) scored apart from the others, which are
/// held out. Table 2 and the confusion matrix count the held-out ones.
pub fn evaluate_folder(
    saved: &SavedModel,
    dataset: &Dataset,
    known: Option<&Inference>,
) -> Result<EvalReport, ExperimentError> {
    let map = saved.meta.genre_map(&dataset.genres, &dataset.features)?;
    let truth: Vec<usize> = (0..dataset.len()).map(|i| map[dataset.label(i)]).collect();
    let heard: Vec<bool> = saved
        .meta
        .track_splits(dataset)
        .into_iter()
        .map(|s| s == Some(Split::Train))
        .collect();
    let (in_training, held_out): (Vec<usize>, Vec<usize>) =
        (0..dataset.len()).partition(|&i| heard[dataset.segments[i].track]);
    let heard_tracks = heard.iter().filter(|h| **h).count();
    let total = dataset.tracks.len();
    let label = dataset.source.label();
    let protocol = match heard_tracks {
        0 => format!("every segment of {label} held out: the model was trained on none of its {total} tracks"),
        n if n == total => format!(
            "every segment of {label}, all {total} of whose tracks this model was trained on: \
             training scores, not held-out ones"
        ),
        n => format!(
            "{n} of these {total} tracks of {label} were in training: scored apart (\"in \
             training\"), the other {} held out",
            total - n
        ),
    };
    let groups: Vec<Group> = [("in training", in_training), ("held-out", held_out)]
        .into_iter()
        .filter(|(_, indices)| !indices.is_empty())
        .map(|(name, indices)| Group { name, indices })
        .collect();
    let mut report = score_groups(
        &saved.model,
        &saved.meta.genres,
        dataset,
        &truth,
        &groups,
        protocol,
        known,
    )?;
    report.tracks_in_training = Some(heard_tracks);
    report.tracks_total = Some(total);
    Ok(report)
}
