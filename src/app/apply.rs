//! The one place that changes the window's state: commands from the panels and events from the
//! workers both land here. Each error is turned into a notice once, in words a user can act on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::dataset::{Dataset, FeatureConfig, LoadProgress, Split};
use crate::model::SavedModel;

use super::events::{Command, Event};
use super::state::{ActiveModel, LoadJob, LoadedData, NowPlaying, Running, Tab, TrainJob};
use super::GenrescopeApp;

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
            Command::CancelLoad => {
                if let Some(job) = self.state.loading.take() {
                    job.run.cancel.store(true, Ordering::Relaxed);
                    self.state.info("Loading cancelled.");
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
                self.jobs.pick_model_file(false);
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
                    self.jobs.pick_model_file(true);
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
                self.play_segment(segment);
            }
            Command::PlaySegment(segment) => self.play_segment(segment),
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
                match result {
                    Ok(dataset) => {
                        self.set_dataset(dataset, loading.path.display().to_string(), job)
                    }
                    Err(e) => self
                        .state
                        .error(format!("Cannot load {}: {e}", loading.path.display())),
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
                        model.maps = Some(maps);
                        model.maps_error = None;
                    }
                    Err(e) => model.maps_error = Some(e),
                }
            }
            Event::ModelLoaded { path, result } => {
                self.state.model_loads_pending = self.state.model_loads_pending.saturating_sub(1);
                match result {
                    Ok(saved) => self.activate_model(
                        Arc::new(saved),
                        format!("loaded from {}", path.display()),
                        None,
                        None,
                    ),
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
            Event::ModelFilePicked {
                save,
                path: Some(path),
            } => self.apply(if save {
                Command::SaveModel(path)
            } else {
                Command::LoadModel(path)
            }),
            Event::ModelFilePicked { path: None, .. } => {}
            Event::ClipReady { request, result } => {
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
                        .play_prepared(frames, false)
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
        if let Some(model) = self.state.model.take() {
            // Keep the model if it fits the new data; its maps and splits must be redone.
            self.activate_model(model.saved, model.source, None, None);
        }
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
                splits.or_else(|| same_data_splits(&saved, ds))
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

    fn play_segment(&mut self, segment: usize) {
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
        let (start, end) = ds.segment_time_secs(segment);
        let label = format!(
            "{} {:.1}-{:.1} s ({})",
            file_name(&track.path),
            start,
            end,
            ds.genres[track.genre]
        );
        let request = self.state.new_job();
        self.jobs.prepare_clip(
            request,
            track.path.clone(),
            ds.features.sample_rate_hz,
            seg.offset_samples,
            ds.features.segment_samples,
            player.format().clone(),
        );
        self.state.now_playing = Some(NowPlaying {
            request,
            label,
            player_id: None,
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

/// When a loaded model was trained on this very folder, its splits can be recomputed exactly.
fn same_data_splits(saved: &SavedModel, ds: &Dataset) -> Option<Vec<Split>> {
    let record = saved.meta.training.as_ref()?;
    let same = record.data == ds.root.display().to_string()
        && saved.meta.genres == ds.genres
        && saved.meta.features == ds.features;
    same.then(|| ds.splits(&record.split).ok()).flatten()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
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
