//! Worker threads. Each owns its inputs, reports only through the event channel (then asks for a
//! repaint), checks its cancel flag, and carries a name that says what it does.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use crate::audio::playback::{OutputFormat, Player};
use crate::audio::read_clip;
use crate::dataset::{load_folder, Dataset, FeatureConfig, Split};
use crate::experiment::{evaluate_folder, evaluate_splits, run_experiment};
use crate::model::{load, save, softmax_rows, SavedModel};
use crate::projection::Projection;
use crate::report::EvalReport;

use super::events::Event;
use super::state::{ModelMaps, TrainSettings};

#[derive(Clone)]
pub struct Jobs {
    tx: Sender<Event>,
    ctx: egui::Context,
}

/// Sends events for one worker and wakes the UI for each.
#[derive(Clone)]
struct Reporter {
    tx: Sender<Event>,
    ctx: egui::Context,
}

impl Reporter {
    fn send(&self, event: Event) {
        // A closed channel means the window is gone: nothing left to tell.
        let _ = self.tx.send(event);
        self.ctx.request_repaint();
    }
}

impl Jobs {
    pub fn new(tx: Sender<Event>, ctx: egui::Context) -> Self {
        Self { tx, ctx }
    }

    fn spawn(&self, name: &str, work: impl FnOnce(Reporter) + Send + 'static) {
        let reporter = Reporter {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        };
        if let Err(e) = std::thread::Builder::new()
            .name(format!("genrescope-{name}"))
            .spawn(move || work(reporter))
        {
            eprintln!("genrescope: cannot start the {name} thread: {e}");
        }
    }

    pub fn load_folder(
        &self,
        job: u64,
        path: PathBuf,
        features: FeatureConfig,
        cancel: Arc<AtomicBool>,
    ) {
        self.spawn("loader", move |r| {
            let progress = |p| r.send(Event::LoadProgress { job, progress: p });
            let result = load_folder(&path, None, &features, &cancel, &progress)
                .map_err(|e| format!("{e:#}"));
            let vectors = result.as_ref().ok().map(|d| (d.vectors.clone(), d.dim()));
            r.send(Event::Loaded { job, result });
            // The raw-input map follows the counts, so they show while PCA runs.
            if let Some((vectors, dim)) = vectors {
                let result = Projection::fit(&vectors, dim).map_err(|e| e.to_string());
                r.send(Event::RawMap { job, result });
            }
        });
    }

    pub fn train(
        &self,
        job: u64,
        dataset: Arc<Dataset>,
        settings: TrainSettings,
        cancel: Arc<AtomicBool>,
    ) {
        self.spawn("trainer", move |r| {
            let result = run_experiment(
                &dataset,
                settings.model_template(),
                &settings.train_config(),
                &settings.split_config(),
                &cancel,
                &mut |report| {
                    r.send(Event::Epoch {
                        job,
                        report: report.clone(),
                    })
                },
            )
            .map(Box::new)
            .map_err(|e| e.to_string());
            r.send(Event::Trained { job, result });
        });
    }

    /// Runs the model over every segment and fits the two model maps. With `evaluate`, also
    /// makes the paper's tables: on `splits` when given, else with the whole folder held out.
    pub fn project(
        &self,
        job: u64,
        dataset: Arc<Dataset>,
        saved: Arc<SavedModel>,
        splits: Option<Vec<Split>>,
        evaluate: bool,
    ) {
        self.spawn("projector", move |r| {
            let result = model_maps(&dataset, &saved, splits.as_deref(), evaluate);
            r.send(Event::Projected { job, result });
        });
    }

    pub fn load_model(&self, path: PathBuf) {
        self.spawn("model-loader", move |r| {
            let result = load(&path).map_err(|e| e.to_string());
            r.send(Event::ModelLoaded { path, result });
        });
    }

    pub fn save_model(&self, path: PathBuf, saved: Arc<SavedModel>) {
        self.spawn("model-saver", move |r| {
            let result = save(&path, &saved.model, &saved.meta).map_err(|e| e.to_string());
            r.send(Event::ModelSaved { path, result });
        });
    }

    /// The native folder dialog blocks its thread, so it gets one of its own.
    pub fn pick_folder(&self) {
        self.spawn("folder-dialog", move |r| {
            let picked = rfd::FileDialog::new()
                .set_title("Open a dataset folder (one sub-folder per genre)")
                .pick_folder();
            r.send(Event::FolderPicked(picked));
        });
    }

    pub fn pick_model_file(&self, save: bool) {
        self.spawn("model-dialog", move |r| {
            let dialog = rfd::FileDialog::new().add_filter("genrescope model", &["safetensors"]);
            let path = if save {
                dialog.set_file_name("model.safetensors").save_file()
            } else {
                dialog.pick_file()
            };
            r.send(Event::ModelFilePicked { save, path });
        });
    }

    /// Decodes a segment's original audio and converts it for the output device.
    pub fn prepare_clip(
        &self,
        request: u64,
        path: PathBuf,
        rate_hz: u32,
        offset_samples: usize,
        len_samples: usize,
        format: OutputFormat,
    ) {
        self.spawn("clip", move |r| {
            let result = read_clip(&path, rate_hz, offset_samples, len_samples)
                .map_err(|e| e.to_string())
                .and_then(|clip| {
                    Player::prepare(&format, &clip, rate_hz).map_err(|e| e.to_string())
                });
            r.send(Event::ClipReady { request, result });
        });
    }
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
        report,
        report_error,
    })
}
