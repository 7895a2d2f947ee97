//! The bodies of the window's jobs: each owns its inputs, reports progress through the
//! `Reporter`, checks its cancel flag where the work allows, and returns one `Output`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::{JobError, JobResult, Reporter};
use crate::app::events::{Event, Output};
use crate::app::paths::FileTarget;
use crate::app::registry::JobId;
use crate::audio::clip::ClipSource;
use crate::audio::playback::OutputFormat;
use crate::dataset::sources::{load_source, Reading};
use crate::dataset::{DataSource, Dataset, FeatureConfig, Layout, LoadError, Split, SplitProtocol};
use crate::maps::model_maps;
use crate::maps::projection::Projection;
use crate::model::shipped::Shipped;
use crate::model::{load, save, SavedModel};
use crate::training::crossval::cross_validate_then_train;
use crate::training::experiment::run_experiment;
use crate::training::train::EpochReport;

/// How the window asks for a folder to be read.
pub struct DataReading {
    pub features: FeatureConfig,
    /// As this layout whatever it looks like (`None`: as it looks).
    pub layout: Option<Layout>,
    /// The model a library will be seen through, when none is in use: a library is read in its
    /// features.
    pub library_model: Option<Shipped>,
}

pub fn load_data(
    job: JobId,
    source: DataSource,
    reading: DataReading,
    cancel: &AtomicBool,
    reporter: &Reporter,
) -> JobResult {
    let progress = |p| reporter.send(Event::LoadProgress { job, progress: p });
    // Only its features are needed; should it not load, the model's own load says why later.
    let library_features = reading
        .library_model
        .and_then(|m| m.load().ok())
        .map(|m| m.meta.features);
    let how = Reading {
        genres: None,
        layout: reading.layout,
        library_features,
    };
    match load_source(&source, &how, &reading.features, cancel, &progress) {
        Ok(dataset) => Ok(Output::Data(Box::new(dataset))),
        Err(LoadError::Cancelled) => Err(JobError::Cancelled),
        Err(e) => Err(JobError::Failed(format!(
            "Cannot load {}: {e}",
            source.label()
        ))),
    }
}

pub fn raw_map(dataset: Arc<Dataset>) -> JobResult {
    Projection::fit(&dataset.vectors, dataset.dim())
        .map(|p| Output::RawMap(Box::new(p)))
        .map_err(JobError::failed)
}

/// What a training run is asked to do.
pub struct TrainJob {
    pub template: crate::model::ModelConfig,
    pub train: crate::model::TrainConfig,
    pub split: crate::dataset::SplitConfig,
    pub standardize: bool,
}

pub fn train(
    job: JobId,
    dataset: Arc<Dataset>,
    run: TrainJob,
    cancel: &AtomicBool,
    reporter: &Reporter,
) -> JobResult {
    let send = |report: EpochReport| reporter.send(Event::Epoch { job, report });
    let result = if run.split.protocol == SplitProtocol::KFold {
        // The folds one after another, then the model on every track: the curve shows each
        // run in turn, numbered on one axis so the progress bar counts all of them.
        let per_run = run.train.epochs;
        let all = crate::training::crossval::total_epochs(run.split.folds, per_run);
        cross_validate_then_train(
            &dataset,
            run.template,
            &run.train,
            &run.split,
            run.standardize,
            cancel,
            &mut |at, r| {
                let before = at.map_or(run.split.folds, |a| a.fold) * per_run;
                send(EpochReport {
                    epoch: before + r.epoch,
                    epochs: all,
                    ..r.clone()
                })
            },
        )
        .map(|c| c.experiment)
    } else {
        run_experiment(
            &dataset,
            run.template,
            &run.train,
            &run.split,
            run.standardize,
            cancel,
            &mut |r| send(r.clone()),
        )
    };
    result
        .map(|e| Output::Trained(Box::new(e)))
        .map_err(|e| match e {
            crate::training::experiment::ExperimentError::Train(
                crate::training::train::TrainError::Cancelled,
            ) => JobError::Cancelled,
            e => JobError::Failed(format!("Training failed: {e}. The previous model is kept.")),
        })
}

/// Runs the model over every segment and fits the two model maps. With `evaluate`, also makes
/// the paper's tables: on `splits` when given, else with the whole folder held out.
pub fn project(
    dataset: Arc<Dataset>,
    saved: Arc<SavedModel>,
    splits: Option<Vec<Split>>,
    evaluate: bool,
) -> JobResult {
    model_maps(&dataset, &saved, splits.as_deref(), evaluate)
        .map(|m| Output::Maps(Box::new(m)))
        .map_err(|e| JobError::Failed(format!("Cannot encode the clips: {e}")))
}

pub fn load_model(path: PathBuf) -> JobResult {
    load(&path)
        .map(|m| Output::Model(Box::new(m)))
        .map_err(JobError::failed)
}

pub fn load_shipped(model: Shipped) -> JobResult {
    model
        .load()
        .map(|m| Output::Model(Box::new(m)))
        .map_err(JobError::failed)
}

pub fn save_model(path: PathBuf, saved: Arc<SavedModel>) -> JobResult {
    save(&path, &saved.model, &saved.meta)
        .map(|()| Output::Written(format!("Saved the model to {}.", path.display())))
        .map_err(JobError::failed)
}

/// A native file or folder dialog for `target` (it blocks its thread).
pub fn pick(target: FileTarget) -> JobResult {
    let dialog = rfd::FileDialog::new();
    let path = match target {
        FileTarget::OpenModel => dialog
            .add_filter("genrescope model", &["safetensors"])
            .pick_file(),
        FileTarget::CompareModel => dialog
            .set_title("A second model to compare with")
            .add_filter("genrescope model", &["safetensors"])
            .pick_file(),
        FileTarget::SaveModel => dialog
            .add_filter("genrescope model", &["safetensors"])
            .set_file_name("model.safetensors")
            .save_file(),
        FileTarget::PathWav => dialog
            .add_filter("WAV audio", &["wav"])
            .set_file_name("interpolation.wav")
            .save_file(),
        FileTarget::AuditCsv => dialog
            .add_filter("CSV", &["csv"])
            .set_file_name("genrescope-audit.csv")
            .save_file(),
        FileTarget::StrokeWav => dialog
            .add_filter("WAV audio", &["wav"])
            .set_file_name("probe-stroke.wav")
            .save_file(),
        FileTarget::PlaceFile => dialog
            .set_title("Place a song on the maps")
            .add_filter("audio", crate::audio::AUDIO_EXTENSIONS)
            .pick_file(),
        FileTarget::DataFolder => dialog
            .set_title("Open a dataset folder (one sub-folder per genre)")
            .pick_folder(),
        FileTarget::EmbeddingsFolder | FileTarget::MapsFolder | FileTarget::SelectionFolder => {
            dialog.pick_folder()
        }
    };
    Ok(Output::Picked(path))
}

/// Makes a clip ready for the output device (decoding, upsampling, resampling).
pub fn render_clip(source: ClipSource, format: OutputFormat) -> JobResult {
    source
        .prepare(&format)
        .map(Output::Clip)
        .map_err(|e| JobError::Failed(format!("Cannot play the clip: {e}")))
}

pub use crate::app::state::compare::CompareSource;

/// The model in use (its reading `first`, its maps, its genres) and what it is compared with.
pub struct CompareJob {
    pub source: CompareSource,
    pub first: Arc<Dataset>,
    pub first_maps: Arc<crate::maps::ModelMaps>,
    pub first_genres: Vec<String>,
    /// The first reading's raw map, if drawn (PCA): the second's when both read alike.
    pub first_raw_map: Option<crate::app::state::MapLayer>,
}

/// Loads the second model, reads the folder in its features (the same reading when they
/// match), fits its maps and compares the two on the clips both read.
pub fn compare(job: CompareJob, cancel: &AtomicBool) -> JobResult {
    use crate::analysis::compare::{compare, Reading as Side};
    use crate::app::state::{CompareView, MapLayer};
    let label = job.source.label();
    let fail =
        |e: &dyn std::fmt::Display| JobError::Failed(format!("Cannot compare with {label}: {e}"));
    let saved = match &job.source {
        CompareSource::File(p) => load(p),
        CompareSource::Shipped(s) => s.load(),
    }
    .map_err(|e| fail(&e))?;
    let voice = crate::latent::audible::Voice::new(&saved.meta.features).map_err(|e| fail(&e))?;
    let first = &job.first;
    let dataset = if saved.meta.features == first.features {
        Arc::clone(first)
    } else {
        let how = Reading {
            genres: None,
            layout: Some(first.layout.layout),
            library_features: Some(saved.meta.features),
        };
        match load_source(&first.source, &how, &saved.meta.features, cancel, &|_| {}) {
            Ok(d) => Arc::new(d),
            Err(LoadError::Cancelled) => return Err(JobError::Cancelled),
            Err(e) => return Err(fail(&e)),
        }
    };
    saved
        .meta
        .fits_data(&dataset, &dataset.features)
        .map_err(|e| fail(&e))?;
    // The second reading's raw map needs neither model: drawn beside the forward pass and the
    // comparison (the first's own, when both read the folder alike).
    let same_reading = Arc::ptr_eq(&dataset, first);
    let (compared, raw_layer) = rayon::join(
        || -> Result<_, JobError> {
            let maps =
                crate::maps::model_maps_without_errors(&dataset, &saved).map_err(|e| fail(&e))?;
            let comparison = compare(
                Side {
                    dataset: first,
                    genres: &job.first_genres,
                    maps: &job.first_maps,
                },
                Side {
                    dataset: &dataset,
                    genres: &saved.meta.genres,
                    maps: &maps,
                },
            )
            .map_err(|e| fail(&e))?;
            Ok((maps, comparison))
        },
        || match (&job.first_raw_map, same_reading) {
            (Some(raw), true) => Some(raw.clone()),
            _ => Projection::fit(&dataset.vectors, dataset.dim())
                .ok()
                .map(MapLayer::new),
        },
    );
    let (maps, comparison) = compared?;
    let [to_second, to_first] = CompareView::lookups(&comparison.pairs, first.len(), dataset.len());
    let shared = format!(
        "{} of {} clips read alike by both ({} input beside {}){}",
        comparison.pairs.len(),
        first.len(),
        first.features.input.kind().name(),
        saved.meta.features.input.kind().name(),
        if comparison.notes.is_empty() {
            String::new()
        } else {
            format!("; {}", comparison.notes.join("; "))
        }
    );
    let layers = [
        raw_layer,
        maps.code_map.as_ref().ok().cloned().map(MapLayer::new),
        maps.logits_map
            .as_ref()
            .and_then(|m| m.as_ref().ok().cloned())
            .map(MapLayer::new),
    ];
    // A library's folder names are no genres: its points are coloured by what the model says,
    // as the first row's are.
    let predicted = maps
        .predicted
        .as_ref()
        .filter(|_| dataset.is_library())
        .map(|p| p.iter().map(|&(g, _)| g as u32).collect());
    let (genres, labels) = match predicted {
        Some(labels) => (saved.meta.genres.clone(), labels),
        None => (dataset.genres.clone(), dataset.labels()),
    };
    Ok(Output::Compared(Box::new(CompareView {
        source: label.clone(),
        saved: Arc::new(saved),
        voice: Arc::new(voice),
        genres,
        labels,
        dataset,
        maps: Arc::new(maps),
        layers,
        comparison,
        to_second,
        to_first,
        shared,
    })))
}

/// The log-mel patch (64 bands, n_fft 1024, hop 512: the log-mel models' own settings) of
/// segment `i`'s original audio, for a spectrogram beside a waveform model's pooled line.
pub fn original_spectrogram(ds: &Dataset, i: usize) -> JobResult {
    let rate = ds.features.sample_rate_hz;
    let parts = crate::dataset::sources::original(ds, i)
        .render_at(rate)
        .map_err(|e| JobError::Failed(format!("Cannot read the clip for its spectrogram: {e}")))?;
    let samples: Vec<f32> = parts.into_iter().flatten().collect();
    // Bands above the clips' Nyquist frequency would be empty rows.
    let defaults = crate::dataset::MelParams::default();
    let params = crate::dataset::MelParams {
        fmax_hz: defaults.fmax_hz.min(rate / 2),
        ..defaults
    };
    let analysis = crate::dataset::features::MelAnalysis::new(rate, params);
    let mut db = Vec::new();
    analysis.patch_into(&samples, &mut db);
    Ok(Output::Spectrogram { clip: i, db })
}
