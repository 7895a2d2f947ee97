//! Worker threads. Each owns its inputs, reports only through the event channel (then asks for a
//! repaint), checks its cancel flag, and carries a name that says what it does.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use crate::audio::playback::{OutputFormat, Player};
use crate::audio::read_clip;
use crate::dataset::{load_folder, Dataset, FeatureConfig, Split};
use crate::experiment::run_experiment;
use crate::model::{load, save, SavedModel};
use crate::projection::Projection;

use super::events::{Event, FileTarget};
use super::state::TrainSettings;
use crate::interpolate::{decode_path, pooled_to_audio, steps_t, PathKind};
use crate::maps::model_maps;

#[derive(Clone)]
pub struct Jobs {
    tx: Sender<Event>,
    ctx: egui::Context,
    interp: Sender<InterpRequest>,
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
        let (interp, requests) = channel();
        let jobs = Self { tx, ctx, interp };
        jobs.spawn("interpolation", move |r| interpolation_worker(requests, r));
        jobs
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
                .map(Box::new)
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
                settings.standardize,
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
            let result = model_maps(&dataset, &saved, splits.as_deref(), evaluate).map(Box::new);
            r.send(Event::Projected { job, result });
        });
    }

    pub fn load_model(&self, path: PathBuf) {
        self.spawn("model-loader", move |r| {
            let result = load(&path).map(Box::new).map_err(|e| e.to_string());
            let source = format!("loaded from {}", path.display());
            r.send(Event::ModelLoaded { source, result });
        });
    }

    /// A model built into the binary (see `shipped`).
    pub fn load_shipped_model(
        &self,
        source: String,
        load: fn() -> Result<SavedModel, crate::model::ModelFileError>,
    ) {
        self.spawn("model-loader", move |r| {
            let result = load().map(Box::new).map_err(|e| e.to_string());
            r.send(Event::ModelLoaded { source, result });
        });
    }

    /// The built-in demo set and its raw map, like a folder load.
    pub fn open_demo(&self, job: u64) {
        self.spawn("demo", move |r| {
            let dataset = crate::demo::dataset(&FeatureConfig::default());
            let (vectors, dim) = (dataset.vectors.clone(), dataset.dim());
            r.send(Event::Loaded {
                job,
                result: Ok(Box::new(dataset)),
            });
            let result = Projection::fit(&vectors, dim).map_err(|e| e.to_string());
            r.send(Event::RawMap { job, result });
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

    /// A native file or folder dialog for `target`, on its own thread (it blocks).
    pub fn pick_file(&self, target: FileTarget) {
        self.spawn("file-dialog", move |r| {
            let dialog = rfd::FileDialog::new();
            let path = match target {
                FileTarget::OpenModel => dialog
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
                FileTarget::EmbeddingsFolder | FileTarget::MapsFolder => dialog.pick_folder(),
            };
            r.send(Event::FilePicked { target, path });
        });
    }

    /// Makes a clip ready for the output device (decoding, upsampling, resampling).
    pub fn prepare_clip(
        &self,
        request: u64,
        source: ClipSource,
        format: OutputFormat,
        looping: bool,
    ) {
        self.spawn("clip", move |r| {
            let result = source.render().and_then(|(audio, rate)| {
                Player::prepare(&format, &audio, rate).map_err(|e| e.to_string())
            });
            r.send(Event::ClipReady {
                request,
                looping,
                result,
            });
        });
    }

    /// Asks the interpolation worker for a point (and the whole path); a newer request
    /// replaces any that has not started.
    pub fn interpolate(&self, request: InterpRequest) {
        // The worker lives as long as the window; if it is gone there is nothing to do.
        let _ = self.interp.send(request);
    }

    /// Runs a write (an export) on a worker and reports its outcome.
    pub fn write(
        &self,
        name: &str,
        work: impl FnOnce() -> Result<String, String> + Send + 'static,
    ) {
        self.spawn(name, move |r| r.send(Event::Exported(work())));
    }
}

/// Audio to play: a segment of a file, a pooled signal, or several with gaps between them.
#[derive(Debug, Clone)]
pub enum ClipSource {
    File {
        path: PathBuf,
        rate_hz: u32,
        offset_samples: usize,
        len_samples: usize,
    },
    Pooled {
        values: Vec<f32>,
        features: FeatureConfig,
    },
    Sequence(Vec<ClipSource>),
}

/// Silence between the parts of a sequence, so they are heard as separate sounds.
const SEQUENCE_GAP_SECS: f64 = 0.3;

impl ClipSource {
    /// Mono audio and its rate.
    pub fn render(&self) -> Result<(Vec<f32>, u32), String> {
        match self {
            Self::File {
                path,
                offset_samples,
                len_samples,
                ..
            } if crate::demo::is_demo(path) => {
                // Demo tracks have no file: the synthesizer makes the clip again.
                crate::demo::render_clip(path, *offset_samples, *len_samples)
                    .map(|clip| (clip, crate::demo::RATE_HZ))
                    .ok_or_else(|| format!("{} is not a demo track", path.display()))
            }
            Self::File {
                path,
                rate_hz,
                offset_samples,
                len_samples,
            } => read_clip(path, *rate_hz, *offset_samples, *len_samples)
                .map(|clip| (clip, *rate_hz))
                .map_err(|e| e.to_string()),
            Self::Pooled { values, features } => {
                pooled_to_audio(values, features).map(|a| (a, features.sample_rate_hz))
            }
            Self::Sequence(parts) => {
                let mut out = Vec::new();
                let mut rate = 22_050;
                for (k, part) in parts.iter().enumerate() {
                    let (audio, r) = part.render()?;
                    if k > 0 {
                        out.extend(std::iter::repeat_n(
                            0.0,
                            (SEQUENCE_GAP_SECS * f64::from(r)) as usize,
                        ));
                    }
                    rate = r;
                    out.extend(audio);
                }
                Ok((out, rate))
            }
        }
    }
}

/// One interpolation question.
pub struct InterpRequest {
    pub request: u64,
    pub saved: Arc<SavedModel>,
    pub a: Vec<f32>,
    pub b: Vec<f32>,
    pub t: f32,
    pub kind: PathKind,
    pub steps: usize,
    /// Prepare the point's audio for this device, looping or not.
    pub audio: Option<(OutputFormat, bool)>,
}

fn interpolation_worker(rx: Receiver<InterpRequest>, r: Reporter) {
    while let Ok(mut request) = rx.recv() {
        // Only the newest question matters while the slider moves.
        while let Ok(newer) = rx.try_recv() {
            request = newer;
        }
        let model = &request.saved.model;
        let features = &request.saved.meta.features;
        let answer = decode_path(
            model,
            &request.a,
            &request.b,
            &steps_t(request.steps),
            request.kind,
        )
        .and_then(|path| {
            let current = decode_path(model, &request.a, &request.b, &[request.t], request.kind)?;
            Ok((path, current))
        });
        let (path, mut current) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                r.send(Event::InterpolationFailed(format!(
                    "Cannot decode the path: {e}"
                )));
                continue;
            }
        };
        let Some(current) = current.pop() else {
            continue;
        };
        let looping = request.audio.as_ref().is_some_and(|a| a.1);
        let frames = request.audio.map(|(format, _)| {
            pooled_to_audio(&current.decoded, features).and_then(|audio| {
                Player::prepare(&format, &audio, features.sample_rate_hz).map_err(|e| e.to_string())
            })
        });
        r.send(Event::Interpolated {
            request: request.request,
            current,
            path,
            frames,
            looping,
        });
    }
}
