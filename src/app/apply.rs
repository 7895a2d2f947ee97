//! The one place that changes the window's state: commands from the panels and events from the
//! workers both land here. Each error is turned into a notice once, in words a user can act on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::dataset::{Dataset, FeatureConfig, LoadProgress, Split};
use crate::model::SavedModel;

use super::events::{ClipVersion, Command, Event, FileTarget};
use super::jobs::{ClipSource, InterpRequest};
use super::state::{ActiveModel, LoadJob, LoadedData, NowPlaying, Running, Tab, TrainJob};
use super::GenrescopeApp;
use crate::interpolate::PathStep;

impl GenrescopeApp {
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::OpenFolderDialog => {
                if !dialogs_available() {
                    self.state.error(NO_DIALOG);
                }
                self.jobs.pick_folder();
            }
            Command::LoadFolder(path) => self.load_folder(path),
            Command::OpenDemo => {
                let run = self.running();
                self.jobs.open_demo(run.job);
                self.state.loading = Some(LoadJob {
                    run,
                    path: PathBuf::from(crate::demo::ROOT),
                    progress: LoadProgress {
                        tracks_done: 0,
                        tracks_total: 0,
                    },
                });
                self.state.model_loads_pending += 1;
                self.jobs.load_shipped_model(
                    format!("shipped demo model ({})", crate::shipped::DEMO_MODEL_PATH),
                    crate::shipped::demo_model,
                );
            }
            Command::UseShippedGtzanModel => {
                self.state.offer_gtzan_model = false;
                self.state.model_loads_pending += 1;
                self.jobs.load_shipped_model(
                    format!(
                        "shipped gtzan-mini model ({})",
                        crate::shipped::GTZAN_MODEL_PATH
                    ),
                    crate::shipped::gtzan_model,
                );
            }
            Command::CancelLoad => {
                if let Some(job) = self.state.loading.take() {
                    job.run.cancel.store(true, Ordering::Relaxed);
                    self.state.info("Loading cancelled.");
                    self.activate_pending_model();
                }
            }
            Command::StartTraining => self.start_training(),
            Command::CancelTraining => {
                if let Some(job) = self.state.training.take() {
                    job.run.cancel.store(true, Ordering::Relaxed);
                    self.state.info(if self.state.model.is_some() {
                        "Training cancelled; the previous model is kept."
                    } else {
                        "Training cancelled."
                    });
                }
            }
            Command::OpenModelDialog => {
                if !dialogs_available() {
                    self.state.error(NO_DIALOG);
                }
                self.jobs.pick_file(FileTarget::OpenModel);
            }
            Command::LoadModel(path) => {
                self.state.model_loads_pending += 1;
                self.jobs.load_model(path);
            }
            Command::SaveModelDialog => {
                if self.state.model.is_none() {
                    self.state
                        .error("There is no model to save yet: train one or open one first.");
                } else {
                    if !dialogs_available() {
                        self.state.error(NO_DIALOG);
                    }
                    self.jobs.pick_file(FileTarget::SaveModel);
                }
            }
            Command::SaveModel(path) => {
                if let Some(model) = &self.state.model {
                    self.jobs.save_model(path, Arc::clone(&model.saved));
                }
            }
            Command::Hover(segment) => self.state.hovered = segment,
            Command::Select(segment) => {
                self.state.selected = Some(segment);
                self.play_version(segment, ClipVersion::Original);
                self.request_interpolation(false, false);
            }
            Command::SelectB(segment) => {
                self.state.interp.b = Some(segment);
                self.play_version(segment, ClipVersion::Original);
                self.request_interpolation(false, false);
            }
            Command::PlaySegment(segment) => self.play_version(segment, ClipVersion::Original),
            Command::PlayVersion { segment, version } => self.play_version(segment, version),
            Command::SetT { t, held } => {
                self.state.interp.t = t.clamp(0.0, 1.0);
                let looping = held && self.state.interp.looping;
                self.request_interpolation(true, looping);
            }
            Command::ReleaseT => {
                if let Some(player) = self.player.as_mut() {
                    player.set_looping(false);
                }
            }
            Command::SetPathKind(kind) => {
                self.state.interp.kind = kind;
                self.request_interpolation(false, false);
            }
            Command::SetSteps(steps) => {
                self.state.interp.steps = steps.clamp(2, 64);
                self.request_interpolation(false, false);
            }
            Command::SetLooping(looping) => self.state.interp.looping = looping,
            Command::PlayPath => self.play_path(),
            Command::ExportPathDialog => self.pick(FileTarget::PathWav),
            Command::ExportPath(path) => self.export_path(path),
            Command::SetColorBy(color_by) => self.state.color_by = color_by,
            Command::ExportEmbeddingsDialog => self.pick(FileTarget::EmbeddingsFolder),
            Command::ExportEmbeddings(dir) => self.export_embeddings(dir),
            Command::ExportMapsDialog => self.pick(FileTarget::MapsFolder),
            Command::ExportMaps(dir) => {
                self.state.maps_export = Some(dir);
                self.state.tab = Tab::Maps;
            }
            Command::StopAudio => {
                if let Some(player) = self.player.as_mut() {
                    player.stop();
                }
                self.state.now_playing = None;
            }
            Command::ToggleGenre(genre) => {
                if !self.state.hidden_genres.remove(&genre) {
                    self.state.hidden_genres.insert(genre);
                }
            }
            Command::SelectCell { truth, predicted } => self.select_cell(truth, predicted),
            Command::ClearSelection => {
                self.state.highlighted.clear();
                self.state.highlight_label = None;
                self.state.selected = None;
                self.state.interp = Default::default();
            }
            Command::SetTab(tab) => self.state.tab = tab,
            Command::DismissNotice(i) => {
                if i < self.state.notices.len() {
                    self.state.notices.remove(i);
                }
            }
        }
    }

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::LoadProgress { job, progress } => {
                if let Some(loading) = self.state.loading.as_mut().filter(|l| l.run.job == job) {
                    loading.progress = progress;
                }
            }
            Event::Loaded { job, result } => {
                let Some(loading) = self.state.loading.take_if(|l| l.run.job == job) else {
                    return;
                };
                let source = if crate::demo::is_demo(&loading.path) {
                    crate::demo::LABEL.to_string()
                } else {
                    loading.path.display().to_string()
                };
                match result {
                    Ok(dataset) => self.set_dataset(*dataset, source, job),
                    Err(e) => {
                        self.state
                            .error(format!("Cannot load {}: {e}", loading.path.display()));
                        self.activate_pending_model();
                    }
                }
            }
            Event::RawMap { job, result } => {
                if let Some(data) = self.state.data.as_mut().filter(|d| d.job == job) {
                    match result {
                        Ok(map) => data.raw_map = Some(map),
                        Err(e) => data.raw_map_error = Some(e),
                    }
                }
            }
            Event::Epoch { job, report } => {
                if self
                    .state
                    .training
                    .as_ref()
                    .is_some_and(|t| t.run.job == job)
                {
                    self.state.history.push(report);
                }
            }
            Event::Trained { job, result } => {
                if self.state.training.take_if(|t| t.run.job == job).is_none() {
                    return;
                }
                match result {
                    Ok(experiment) => {
                        let report = experiment
                            .saved
                            .meta
                            .training
                            .as_ref()
                            .and_then(|t| t.report.clone());
                        let kind = experiment.saved.meta.model.kind;
                        let epochs = experiment.history.len();
                        self.activate_model(
                            Arc::new(experiment.saved),
                            format!("{kind} trained here ({epochs} epochs)"),
                            Some(experiment.splits),
                            report,
                        );
                    }
                    Err(e) => self
                        .state
                        .error(format!("Training failed: {e}. The previous model is kept.")),
                }
            }
            Event::Projected { job, result } => {
                if self.state.projecting.take_if(|p| *p == job).is_none() {
                    return;
                }
                let Some(model) = self.state.model.as_mut() else {
                    return;
                };
                match result {
                    Ok(mut maps) => {
                        if let Some(report) = maps.report.take() {
                            model.report = Some(report);
                        }
                        if let Some(e) = maps.report_error.take() {
                            self.state.notices.push(super::state::Notice {
                                text: format!("Cannot score the model on this data: {e}"),
                                error: true,
                            });
                        }
                        model.maps = Some(Arc::from(maps));
                        model.maps_error = None;
                        self.request_interpolation(false, false);
                    }
                    Err(e) => model.maps_error = Some(e),
                }
            }
            Event::ModelLoaded { source, result } => {
                self.state.model_loads_pending = self.state.model_loads_pending.saturating_sub(1);
                match result {
                    // A model that arrives while a folder loads is meant for that folder.
                    Ok(saved) if self.state.loading.is_some() => {
                        self.state.pending_model = Some((Arc::from(saved), source));
                    }
                    Ok(saved) => self.activate_model(Arc::from(saved), source, None, None),
                    Err(e) => self.state.error(e),
                }
            }
            Event::ModelSaved { path, result } => match result {
                Ok(()) => self
                    .state
                    .info(format!("Saved the model to {}.", path.display())),
                Err(e) => self.state.error(e),
            },
            Event::FolderPicked(Some(path)) => self.load_folder(path),
            Event::FolderPicked(None) => {}
            Event::FilePicked {
                target,
                path: Some(path),
            } => self.apply(match target {
                FileTarget::OpenModel => Command::LoadModel(path),
                FileTarget::SaveModel => Command::SaveModel(path),
                FileTarget::PathWav => Command::ExportPath(path),
                FileTarget::EmbeddingsFolder => Command::ExportEmbeddings(path),
                FileTarget::MapsFolder => Command::ExportMaps(path),
            }),
            Event::FilePicked { path: None, .. } => {}
            Event::Interpolated {
                request,
                current,
                path,
                frames,
                looping,
            } => {
                if request != self.state.interp.request {
                    return;
                }
                self.state.interp.answered = request;
                self.show_interpolation(current, path);
                match frames {
                    Some(Ok(frames)) => {
                        if let Some(player) = self.player.as_mut() {
                            match player.play_prepared(frames, looping) {
                                Ok(id) => {
                                    self.state.interp.playing_id = Some(id);
                                    self.state.now_playing = Some(NowPlaying {
                                        request,
                                        label: format!(
                                            "decoded step at t = {:.2}",
                                            self.state.interp.t
                                        ),
                                        player_id: Some(id),
                                    });
                                }
                                Err(e) => self
                                    .state
                                    .error(format!("Cannot play the decoded step: {e}")),
                            }
                        }
                    }
                    Some(Err(e)) => self
                        .state
                        .error(format!("Cannot make the decoded step audible: {e}")),
                    None => {}
                }
            }
            Event::InterpolationFailed(e) => {
                self.state.interp.answered = self.state.interp.request;
                self.state.error(e);
            }
            Event::Exported(result) => {
                self.state.writes_pending = self.state.writes_pending.saturating_sub(1);
                match result {
                    Ok(what) => self.state.info(what),
                    Err(e) => self.state.error(e),
                }
            }
            Event::ClipReady {
                request,
                looping,
                result,
            } => {
                let Some(playing) = self
                    .state
                    .now_playing
                    .as_mut()
                    .filter(|p| p.request == request)
                else {
                    return;
                };
                let Some(player) = self.player.as_mut() else {
                    return;
                };
                match result.and_then(|frames| {
                    player
                        .play_prepared(frames, looping)
                        .map_err(|e| e.to_string())
                }) {
                    Ok(id) => playing.player_id = Some(id),
                    Err(e) => {
                        self.state.now_playing = None;
                        self.state.error(format!("Cannot play the clip: {e}"));
                    }
                }
            }
        }
    }

    fn running(&mut self) -> Running {
        Running {
            job: self.state.new_job(),
            cancel: Arc::new(AtomicBool::new(false)),
            started: Instant::now(),
        }
    }

    pub fn load_folder(&mut self, path: PathBuf) {
        if let Some(old) = self.state.loading.take() {
            old.run.cancel.store(true, Ordering::Relaxed);
        }
        // A model made from other settings needs its own kind of vectors.
        let features = self
            .state
            .model
            .as_ref()
            .map_or_else(FeatureConfig::default, |m| m.saved.meta.features);
        let run = self.running();
        self.jobs
            .load_folder(run.job, path.clone(), features, Arc::clone(&run.cancel));
        self.state.folder_input = path.display().to_string();
        self.state.loading = Some(LoadJob {
            run,
            path,
            progress: LoadProgress {
                tracks_done: 0,
                tracks_total: 0,
            },
        });
    }

    /// A model waiting for a folder that did not come is used with what is shown.
    fn activate_pending_model(&mut self) {
        if let Some((saved, source)) = self.state.pending_model.take() {
            self.activate_model(saved, source, None, None);
        }
    }

    /// Shows a dataset that is already in memory (a loaded folder, or the built-in demo).
    pub fn set_dataset(&mut self, dataset: Dataset, source: String, job: u64) {
        let dataset = Arc::new(dataset);
        self.state.data = Some(LoadedData {
            dataset: Arc::clone(&dataset),
            source,
            raw_map: None,
            raw_map_error: None,
            job,
        });
        self.state.hidden_genres.clear();
        self.state.hovered = None;
        self.state.selected = None;
        self.state.highlighted.clear();
        self.state.highlight_label = None;
        let gtzan = crate::shipped::gtzan_model_fits(&dataset);
        if let Some((saved, source)) = self.state.pending_model.take() {
            // Opened together with this data: it replaces the current model.
            self.state.model = None;
            self.activate_model(saved, source, None, None);
        } else if let Some(model) = self.state.model.take() {
            // Keep the model if it fits the new data (its maps and splits must be redone);
            // one made for other genres is set aside without fuss.
            let fits = model
                .saved
                .meta
                .genre_map(&dataset.genres, &dataset.features)
                .is_ok();
            if fits {
                self.activate_model(model.saved, model.source, None, None);
            } else {
                self.state.info(format!(
                    "The {} knows other genres ({}), so it was set aside: train a model on this data{}.",
                    model.source,
                    model.saved.meta.genres.join(", "),
                    if gtzan { ", or use the shipped gtzan-mini model" } else { "" }
                ));
            }
        }
        self.state.offer_gtzan_model = gtzan && self.state.model.is_none();
    }

    fn start_training(&mut self) {
        let Some(dataset) = self.state.dataset().cloned() else {
            self.state
                .error("Open a folder first: there is nothing to train on.");
            return;
        };
        if self.state.training.is_some() {
            return;
        }
        let run = self.running();
        self.jobs.train(
            run.job,
            dataset,
            self.state.settings.clone(),
            Arc::clone(&run.cancel),
        );
        self.state.history.clear();
        self.state.training = Some(TrainJob {
            run,
            epochs: self.state.settings.epochs,
        });
    }

    /// Makes `saved` the current model if it fits the data, then computes its maps (and its
    /// tables, unless `report` is given).
    pub fn activate_model(
        &mut self,
        saved: Arc<SavedModel>,
        source: String,
        splits: Option<Vec<Split>>,
        report: Option<crate::report::EvalReport>,
    ) {
        let splits = match self.state.dataset() {
            Some(ds) => {
                if let Err(e) = saved.meta.genre_map(&ds.genres, &ds.features) {
                    self.state
                        .error(format!("The model ({source}) does not fit this data: {e}"));
                    return;
                }
                splits.or_else(|| saved.meta.training_splits(ds))
            }
            None => None,
        };
        let evaluate = report.is_none();
        self.state.model = Some(ActiveModel {
            saved: Arc::clone(&saved),
            source,
            splits: splits.clone(),
            report,
            maps: None,
            maps_error: None,
        });
        if let Some(ds) = self.state.dataset().cloned() {
            let job = self.state.new_job();
            self.state.projecting = Some(job);
            self.jobs.project(job, ds, saved, splits, evaluate);
        }
    }

    /// Plays a version of a clip: its original audio, the pooled input, the reconstruction,
    /// or all three in turn.
    fn play_version(&mut self, segment: usize, version: ClipVersion) {
        let Some(player) = self.player.as_ref() else {
            // Said once at start-up; clicking again should not repeat it.
            return;
        };
        let Some(ds) = self.state.dataset().cloned() else {
            return;
        };
        if segment >= ds.len() {
            return;
        }
        let track = ds.track_of(segment);
        let seg = ds.segments[segment];
        let original = ClipSource::File {
            path: track.path.clone(),
            rate_hz: ds.features.sample_rate_hz,
            offset_samples: seg.offset_samples,
            len_samples: ds.features.segment_samples,
        };
        let pooled = ClipSource::Pooled {
            values: ds.vector(segment).to_vec(),
            features: ds.features,
        };
        let reconstruction = self
            .state
            .reconstruction(segment)
            .map(|values| ClipSource::Pooled {
                values: values.to_vec(),
                features: ds.features,
            });
        let (source, what) = match (version, reconstruction) {
            (ClipVersion::Original, _) => (original, ""),
            (ClipVersion::Pooled, _) => (pooled, " (pooled input)"),
            (ClipVersion::Reconstruction, Some(r)) => (r, " (reconstruction)"),
            (ClipVersion::All, Some(r)) => (
                ClipSource::Sequence(vec![original, pooled, r]),
                " (original, pooled input, reconstruction)",
            ),
            (_, None) => {
                self.state
                    .error("This model has no decoder, so there is no reconstruction to play.");
                return;
            }
        };
        let (start, end) = ds.segment_time_secs(segment);
        let label = format!(
            "{} {:.1}-{:.1} s ({}){what}",
            track.file_name(),
            start,
            end,
            ds.genres[track.genre]
        );
        let request = self.state.new_job();
        self.jobs
            .prepare_clip(request, source, player.format().clone(), false);
        self.state.now_playing = Some(NowPlaying {
            request,
            label,
            player_id: None,
        });
    }

    /// Asks for the decoded point at the current t (and the path), once A and B are chosen
    /// and the model can decode. With `play`, the point is played (looping if asked).
    fn request_interpolation(&mut self, play: bool, looping: bool) {
        let (Some(a), Some(b)) = (self.state.selected, self.state.interp.b) else {
            return;
        };
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        if !model.saved.meta.model.kind.has_decoder() {
            return;
        }
        let Some(maps) = model.maps.as_ref() else {
            return;
        };
        let dim = maps.inference.code_dim;
        let code = |i: usize| {
            maps.inference
                .code
                .get(i * dim..(i + 1) * dim)
                .map(<[f32]>::to_vec)
        };
        let (Some(code_a), Some(code_b)) = (code(a), code(b)) else {
            return;
        };
        let saved = Arc::clone(&model.saved);
        let request = self.state.new_job();
        let interp = &mut self.state.interp;
        interp.request = request;
        interp.requested_at = Some(Instant::now());
        interp.playing_id = None;
        let audio = if play {
            self.player.as_ref().map(|p| (p.format().clone(), looping))
        } else {
            None
        };
        self.jobs.interpolate(InterpRequest {
            request,
            saved,
            a: code_a,
            b: code_b,
            t: interp.t,
            kind: interp.kind,
            steps: interp.steps,
            audio,
        });
    }

    /// Puts a worker's answer on the maps: the path and the point through the same PCA fits.
    fn show_interpolation(&mut self, current: PathStep, path: Vec<PathStep>) {
        let interp = &mut self.state.interp;
        let maps = self.state.model.as_ref().and_then(|m| m.maps.clone());
        let project =
            |map: Option<&crate::projection::Projection>, rows: &[&[f32]]| -> Vec<[f64; 2]> {
                let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
                map.and_then(|m| m.project(&flat).ok()).unwrap_or_default()
            };
        let code_map = maps.as_ref().and_then(|m| m.code_map.as_ref().ok());
        let logits_map = maps
            .as_ref()
            .and_then(|m| m.logits_map.as_ref()?.as_ref().ok());
        let codes: Vec<&[f32]> = path.iter().map(|s| s.code.as_slice()).collect();
        interp.path_code_xy = project(code_map, &codes);
        interp.current_code_xy = project(code_map, &[&current.code]).first().copied();
        let logits: Vec<&[f32]> = path.iter().filter_map(|s| s.logits.as_deref()).collect();
        interp.path_logits_xy = project(logits_map, &logits);
        interp.current_logits_xy = current
            .logits
            .as_deref()
            .and_then(|l| project(logits_map, &[l]).first().copied());
        interp.current = Some(current);
        interp.path = path;
    }

    fn play_path(&mut self) {
        let Some(player) = self.player.as_ref() else {
            return;
        };
        let Some(ds) = self.state.dataset() else {
            return;
        };
        if self.state.interp.path.is_empty() {
            self.state
                .error("Pick A (click) and B (shift-click) on a map first.");
            return;
        }
        let parts = self
            .state
            .interp
            .path
            .iter()
            .map(|s| ClipSource::Pooled {
                values: s.decoded.clone(),
                features: ds.features,
            })
            .collect();
        let request = self.state.new_job();
        let label = format!("the path A → B, {} steps", self.state.interp.path.len());
        self.jobs.prepare_clip(
            request,
            ClipSource::Sequence(parts),
            player.format().clone(),
            false,
        );
        self.state.now_playing = Some(NowPlaying {
            request,
            label,
            player_id: None,
        });
    }

    fn pick(&mut self, target: FileTarget) {
        if !dialogs_available() {
            self.state.error(NO_DIALOG);
        }
        self.jobs.pick_file(target);
    }

    fn export_path(&mut self, path: PathBuf) {
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        if self.state.interp.path.is_empty() {
            self.state.error(
                "Pick A (click) and B (shift-click) on a map first: there is no path to export.",
            );
            return;
        }
        let steps = self.state.interp.path.clone();
        let saved = Arc::clone(&model.saved);
        self.state.writes_pending += 1;
        self.jobs.write("path-export", move || {
            crate::export::write_path_wav(&path, &steps, &saved.meta)
                .map(|table| format!("Wrote {} and {}.", path.display(), table.display()))
                .map_err(|e| e.to_string())
        });
    }

    fn export_embeddings(&mut self, dir: PathBuf) {
        let (Some(ds), Some(model)) = (self.state.dataset().cloned(), self.state.model.as_ref())
        else {
            self.state
                .error("Open a folder and a model first: there are no embeddings yet.");
            return;
        };
        let Some(maps) = model.maps.clone() else {
            self.state
                .error("The model is still encoding the clips; export again in a moment.");
            return;
        };
        let saved = Arc::clone(&model.saved);
        let splits = model.splits.clone();
        let raw = self
            .state
            .data
            .as_ref()
            .and_then(|d| d.raw_map.as_ref())
            .map(|p| p.points.clone());
        self.state.writes_pending += 1;
        self.jobs.write("embeddings-export", move || {
            let e = crate::export::Embeddings::new(
                &ds,
                &saved.meta,
                &maps,
                splits.as_deref(),
                raw.as_deref(),
            );
            let csv = dir.join("embeddings.csv");
            e.write_csv(&csv).map_err(|e| e.to_string())?;
            e.write_projector(&dir).map_err(|e| e.to_string())?;
            Ok(format!(
                "Wrote embeddings.csv, vectors.tsv and metadata.tsv to {}.",
                dir.display()
            ))
        });
    }

    fn select_cell(&mut self, truth: usize, predicted: usize) {
        let (Some(ds), Some(model)) = (self.state.dataset(), self.state.model.as_ref()) else {
            return;
        };
        let Some(pred) = model.maps.as_ref().and_then(|m| m.predicted.as_ref()) else {
            return;
        };
        let Ok(map) = model.saved.meta.genre_map(&ds.genres, &ds.features) else {
            return;
        };
        // The table's cell counts the held-out split when there is one.
        let held_out = model.splits.as_ref();
        let picked: Vec<usize> = (0..ds.len())
            .filter(|&i| held_out.is_none_or(|s| s[i] == Split::Test))
            .filter(|&i| map[ds.label(i)] == truth && pred[i].0 == predicted)
            .collect();
        let genres = &model.saved.meta.genres;
        self.state.highlight_label = Some(format!(
            "{} segment(s): true {}, predicted {}{}",
            picked.len(),
            genres[truth],
            genres[predicted],
            if held_out.is_some() {
                " (test split)"
            } else {
                ""
            }
        ));
        self.state.highlighted = picked;
        self.state.tab = Tab::Maps;
    }
}

const NO_DIALOG: &str = "No file dialog is available here (it needs xdg-desktop-portal or zenity). Drag a folder onto the window, or type its path in the folder field and press Load.";

/// rfd answers `None` both when the user cancels and when no dialog can be shown, so look for
/// what it needs first: a session bus (for the portal) or zenity.
fn dialogs_available() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
    bus || zenity
}
