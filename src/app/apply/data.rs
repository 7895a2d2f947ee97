//! Opening data: folders (dialog, path, drop), the demo set, the raw-input map, and what a new
//! dataset means for the model and the offers of shipped models.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::events::FileTarget;
use crate::app::jobs::work;
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind};
use crate::app::state::{Interpolation, LoadedData, MapLayer, PendingModel};
use crate::app::GenrescopeApp;
use crate::dataset::{DataSource, Dataset, FeatureConfig};
use crate::projection::Projection;
use crate::shipped::{Shipped, GTZAN_MODELS};

use super::export::dialogs_available;

impl GenrescopeApp {
    pub(super) fn open_folder_dialog(&mut self) {
        if !dialogs_available() {
            self.state.notices.error(
                Topic::Data,
                "No file dialog is available here (it needs xdg-desktop-portal or zenity). Drag \
                 a folder onto the window, or type its path in the folder field and press Load.",
            );
            return;
        }
        let target = FileTarget::DataFolder;
        self.start_job(JobKind::Dialog { target }, move |_, _, _| {
            work::pick(target)
        });
    }

    /// Opens a folder or the demo set, cancelling any load still running. The demo comes with
    /// its shipped model.
    pub(super) fn load_data(&mut self, source: DataSource) {
        if source.is_demo() {
            self.state.pending_model = None;
            self.load_shipped(Shipped::Demo);
        }
        let features = self
            .state
            .pending_model
            .as_ref()
            .map(|p| p.saved.meta.features)
            .or_else(|| self.state.model.as_ref().map(|m| m.saved.meta.features))
            .unwrap_or_default();
        self.load_with(source, features);
    }

    /// (Re)reads `source` cut as `features` (a model may need another representation).
    pub(super) fn load_with(&mut self, source: DataSource, features: FeatureConfig) {
        self.state
            .jobs
            .cancel(|k| matches!(k, JobKind::LoadData { .. } | JobKind::RawMap { .. }));
        if let DataSource::Folder(path) = &source {
            self.state.folder_input = path.display().to_string();
        }
        self.state.notices.clear(Topic::Data);
        let kind = JobKind::LoadData {
            source: source.clone(),
        };
        self.start_job(kind, move |job, cancel, reporter| {
            work::load_data(job, source, features, cancel, reporter)
        });
    }

    pub(super) fn cancel_load(&mut self) {
        if self
            .state
            .jobs
            .cancel(|k| matches!(k, JobKind::LoadData { .. }))
            > 0
        {
            self.state.notices.info(Topic::Data, "Loading cancelled.");
        }
    }

    pub(super) fn dropped(&mut self, paths: Vec<PathBuf>) {
        for path in paths {
            if path.is_dir() {
                self.load_data(DataSource::Folder(path));
            } else if path.extension().is_some_and(|e| e == "safetensors") {
                self.load_model(path);
            } else if crate::audio::has_audio_extension(&path) {
                self.place_file(path);
            } else {
                self.state.notices.error(
                    Topic::Data,
                    format!(
                        "{} is neither a folder, a model nor audio; drop the folder that holds \
                         the genre folders, a .safetensors model, or a song to place it on the \
                         maps.",
                        path.display()
                    ),
                );
            }
        }
    }

    /// Shows a dataset that has arrived, and decides what becomes of the model.
    pub(super) fn data_loaded(&mut self, job: JobId, source: DataSource, dataset: Dataset) {
        let dataset = Arc::new(dataset);
        let raw = Arc::clone(&dataset);
        self.start_job(JobKind::RawMap { data: job }, move |_, _, _| {
            work::raw_map(raw)
        });
        if let DataSource::Folder(path) = &source {
            self.state.folder_input = path.display().to_string();
        }
        self.state.data = Some(LoadedData {
            labels: dataset.labels(),
            dataset: Arc::clone(&dataset),
            job,
            raw_map: None,
            raw_map_error: None,
        });
        let view = &mut self.state.view;
        view.hidden_genres.clear();
        view.hovered = None;
        view.selected = None;
        view.highlighted.clear();
        view.highlight_label = None;
        self.state.interp = Interpolation {
            kind: self.state.interp.kind,
            steps: self.state.interp.steps,
            looping: self.state.interp.looping,
            ..Interpolation::default()
        };
        // Paths, strokes and placed songs were drawn through the previous data's maps.
        self.state.trace = Default::default();
        self.state.instruments.forget_results();
        if let Some(pending) = self.state.pending_model.take() {
            // Opened together with this data (or waiting for it in its representation).
            self.state.model = None;
            self.activate_model(pending, None, None);
        } else if let Some(model) = self.state.model.take() {
            // Keep the model if it fits the new data (its maps and splits are redone); one
            // made for other genres is set aside without fuss.
            let fits = model
                .saved
                .meta
                .genre_map(&dataset.genres, &dataset.features)
                .is_ok();
            let pending = PendingModel {
                saved: model.saved,
                source: model.source,
                shipped: model.shipped,
            };
            if fits {
                self.activate_model(pending, None, None);
            } else {
                let offer = GTZAN_MODELS.iter().any(|m| m.fits(&dataset));
                self.state.notices.info(
                    Topic::Model,
                    format!(
                        "The {} knows other genres ({}), so it was set aside: train a model on \
                         this data{}.",
                        pending.source,
                        pending.saved.meta.genres.join(", "),
                        if offer {
                            ", or use a shipped gtzan-mini model"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        self.refresh_offers();
        if std::mem::take(&mut self.state.train_when_loaded) {
            self.start_training();
        }
    }

    pub(super) fn raw_map_ready(&mut self, data: JobId, map: Projection) {
        if let Some(d) = self.state.data.as_mut().filter(|d| d.job == data) {
            d.raw_map = Some(MapLayer::new(map));
        }
    }

    /// The shipped models that fit the data and are not the one in use.
    pub(super) fn refresh_offers(&mut self) {
        let Some(ds) = self.state.dataset() else {
            self.state.offers.clear();
            return;
        };
        let in_use = self.state.model.as_ref().and_then(|m| m.shipped);
        let waiting = self.state.pending_model.as_ref().and_then(|m| m.shipped);
        let offers = GTZAN_MODELS
            .iter()
            .copied()
            .filter(|m| m.fits(ds) && Some(*m) != in_use && Some(*m) != waiting)
            .collect();
        self.state.offers = offers;
    }

    pub(super) fn toggle_genre(&mut self, genre: usize) {
        let hidden = &mut self.state.view.hidden_genres;
        if !hidden.remove(&genre) {
            hidden.insert(genre);
        }
    }

    /// Selects the clips one confusion-matrix cell counts: exactly those, from the report's own
    /// held-out segments and the predictions behind it.
    pub(super) fn select_cell(&mut self, truth: usize, predicted: usize) {
        let Some(model) = self.state.model.as_ref() else {
            return;
        };
        let (Some(report), Some(pred)) = (
            model.report.as_ref(),
            model.maps.as_ref().and_then(|m| m.predicted.as_ref()),
        ) else {
            return;
        };
        let predictions: Vec<usize> = pred.iter().map(|p| p.0).collect();
        let picked = report.cell_segments(truth, predicted, &predictions);
        let genres = &report.genres;
        self.state.view.highlight_label = Some(format!(
            "{} clip(s): true {}, predicted {} ({} set)",
            picked.len(),
            genres.get(truth).map_or("?", String::as_str),
            genres.get(predicted).map_or("?", String::as_str),
            report.held_out
        ));
        self.state.view.highlighted = picked;
        self.state.view.tab = crate::app::state::Tab::Maps;
    }

    pub(super) fn clear_selection(&mut self) {
        let view = &mut self.state.view;
        view.highlighted.clear();
        view.highlight_label = None;
        view.selected = None;
        self.state.interp = Interpolation {
            kind: self.state.interp.kind,
            steps: self.state.interp.steps,
            looping: self.state.interp.looping,
            ..Interpolation::default()
        };
    }
}
