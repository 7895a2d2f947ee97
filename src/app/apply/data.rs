//! Opening data: folders (dialog, path, drop), the demo set, the raw-input map, and what a new
//! dataset means for the model and the offers of shipped models.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::events::FileTarget;
use crate::app::jobs::work;
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind, Stamp};
use crate::app::state::{DataState, Derived, MapLayer, PendingModel, Picks, Selection, Tab};
use crate::app::GenrescopeApp;
use crate::dataset::{DataSource, Dataset, FeatureConfig, Layout};
use crate::maps::projection::Projection;
use crate::model::shipped::{Shipped, GTZAN_MODELS};

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
        self.start_job(
            JobKind::Dialog { target },
            Stamp::default(),
            move |_, _, _| work::pick(target),
        );
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
            .or_else(|| self.state.model().map(|m| m.saved.meta.features))
            .unwrap_or_default();
        self.load_with(source, features, None);
    }

    /// Reads the folder shown again as `layout`, whatever it looks like (the scan's guess can
    /// be wrong: `Artist/track.mp3` looks like genre folders).
    pub(super) fn read_as(&mut self, layout: Layout) {
        let Some(ds) = self.state.dataset() else {
            return;
        };
        if ds.source.is_demo() || ds.layout.layout == layout {
            return;
        }
        let (source, features) = (ds.source.clone(), ds.features);
        self.load_with(source, features, Some(layout));
    }

    /// (Re)reads `source` cut as `features` (a model may need another representation), as
    /// `layout` or as it looks.
    pub(super) fn load_with(
        &mut self,
        source: DataSource,
        features: FeatureConfig,
        layout: Option<Layout>,
    ) {
        self.state
            .jobs
            .cancel(|k| matches!(k, JobKind::LoadData { .. }));
        if let DataSource::Folder(path) = &source {
            self.state.folder_input = path.display().to_string();
        }
        self.state.notices.clear(Topic::Data);
        let kind = JobKind::LoadData {
            source: source.clone(),
        };
        // With no model in use or on its way, a library will get the shipped log-mel model:
        // read it in that model's features at once rather than twice.
        let library_model = (self.state.model().is_none() && !self.model_on_its_way())
            .then_some(Shipped::GtzanLogmel);
        let reading = work::DataReading {
            features,
            layout,
            library_model,
        };
        self.start_job(kind, Stamp::default(), move |job, cancel, reporter| {
            work::load_data(job, source, reading, cancel, reporter)
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

    /// Shows a dataset that has arrived (replacing the old data and everything derived from
    /// it), and decides what becomes of the model.
    pub(super) fn data_loaded(&mut self, job: JobId, source: DataSource, dataset: Dataset) {
        if let Some(note) = dataset.cache_note() {
            self.state.notices.info(Topic::Data, note);
        }
        let dataset = Arc::new(dataset);
        if let DataSource::Folder(path) = &source {
            self.state.folder_input = path.display().to_string();
        }
        let previous = self
            .state
            .data
            .replace(DataState::new(job, Arc::clone(&dataset)));
        // Whatever was being computed from the replaced data is of no use now.
        let now = self.state.stamp();
        self.state.jobs.cancel_stale(now);
        let raw = Arc::clone(&dataset);
        self.start_job(JobKind::RawMap, self.state.data_stamp(), move |_, _, _| {
            work::raw_map(raw)
        });
        let previous_model = previous.and_then(|d| d.model);
        if dataset.is_library() {
            let has_model = previous_model.is_some() || self.model_on_its_way();
            self.state
                .notices
                .info(Topic::Data, library_note(&dataset, has_model));
        }
        if let Some(pending) = self.state.pending_model.take() {
            // Opened together with this data (or waiting for it in its representation).
            self.activate_model(pending, None, None);
        } else if let Some(model) = previous_model {
            // Keep the model if it fits the new data (its maps and splits are redone); one
            // made for other genres is set aside without fuss.
            let fits = model
                .saved
                .meta
                .fits_data(&dataset, &dataset.features)
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
        if self.state.model().is_none() && dataset.is_library() && !self.model_on_its_way() {
            // A library is only seen through a model: the shipped one is the one to start from.
            self.load_shipped(Shipped::GtzanLogmel);
        }
        if std::mem::take(&mut self.state.train_when_loaded) {
            self.start_training();
        }
    }

    /// A model is being opened or waits for data.
    fn model_on_its_way(&self) -> bool {
        self.state.pending_model.is_some()
            || self
                .state
                .jobs
                .any(|k| matches!(k, JobKind::LoadModel { .. }))
    }

    pub(super) fn raw_map_ready(&mut self, map: Projection) {
        if let Some(d) = self.state.data.as_mut() {
            d.raw_map = Derived::Ready(MapLayer::new(map));
        }
        self.request_embedding(crate::app::state::MapId::Raw);
    }

    pub(super) fn toggle_genre(&mut self, genre: usize) {
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        let hidden = &mut data.hidden_genres;
        if !hidden.remove(&genre) {
            hidden.insert(genre);
        }
    }

    /// Selects the clips one confusion-matrix cell counts: exactly those, from the report's own
    /// held-out segments and the predictions behind it.
    pub(super) fn select_cell(&mut self, truth: usize, predicted: usize) {
        let Some(model) = self.state.model() else {
            return;
        };
        let (Some(report), Some(pred)) = (
            model.report.as_ref(),
            model.view.ready().and_then(|v| v.maps.predicted.as_ref()),
        ) else {
            return;
        };
        let predictions: Vec<usize> = pred.iter().map(|p| p.0).collect();
        let clips = report.cell_segments(truth, predicted, &predictions);
        let genres = &report.genres;
        let label = format!(
            "{} clip(s): true {}, predicted {} ({} set)",
            clips.len(),
            genres.get(truth).map_or("?", String::as_str),
            genres.get(predicted).map_or("?", String::as_str),
            report.held_out
        );
        if let Some(data) = self.state.data.as_mut() {
            data.selection = Some(Selection { clips, label });
        }
        self.state.view.tab = Tab::Maps;
    }

    /// Selects every clip the model predicts as `genre` (a library's way to a playlist).
    pub(super) fn select_predicted(&mut self, genre: usize) {
        let Some(model) = self.state.model() else {
            return;
        };
        let Some(predicted) = model.view.ready().and_then(|v| v.maps.predicted.as_ref()) else {
            return;
        };
        let clips: Vec<usize> = (0..predicted.len())
            .filter(|&i| predicted[i].0 == genre)
            .collect();
        let label = format!(
            "{} clip(s) predicted {}",
            clips.len(),
            model.genres().get(genre).map_or("?", String::as_str)
        );
        self.select(clips, label);
    }

    /// Selects the clips of track `track`.
    pub(super) fn select_track(&mut self, track: usize) {
        let Some(ds) = self.state.dataset() else {
            return;
        };
        let Some(name) = ds.tracks.get(track).map(|t| t.file_name()) else {
            return;
        };
        let clips: Vec<usize> = ds.track_segments(track).collect();
        let label = format!("{} clip(s) of {name}", clips.len());
        self.select(clips, label);
    }

    fn select(&mut self, clips: Vec<usize>, label: String) {
        if let Some(data) = self.state.data.as_mut() {
            data.selection = Some(Selection { clips, label });
        }
        self.state.view.tab = Tab::Maps;
        self.state.instruments.shown = crate::app::state::Instrument::Selection;
    }

    pub(super) fn clear_selection(&mut self) {
        if let Some(data) = self.state.data.as_mut() {
            data.selection = None;
        }
    }

    /// Forgets A, B and the interpolation's t (and what the instruments made of them).
    pub(super) fn clear_picks(&mut self) {
        if let Some(data) = self.state.data.as_mut() {
            data.picks = Picks::default();
            if let Some(model) = data.model.as_mut() {
                model.results.trace = Default::default();
                model.results.neighbours = None;
            }
        }
    }
}

/// What the window says when a folder opens as a library.
fn library_note(dataset: &Dataset, has_model: bool) -> String {
    let limited = dataset
        .tracks
        .iter()
        .filter(|t| t.segments_in_track > t.n_segments)
        .count();
    let sampled = if limited > 0 {
        format!(
            " {limited} long track(s) are sampled: {} segments of each, spread over its whole \
             length{}.",
            dataset.spread_limit,
            if dataset.spread_limit < crate::dataset::whole_track::SPREAD_SEGMENTS {
                format!(
                    " (fewer than {} as {} tracks share {} segments)",
                    crate::dataset::whole_track::SPREAD_SEGMENTS,
                    dataset.tracks.len(),
                    crate::dataset::LIBRARY_SEGMENTS
                )
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    format!(
        "{} is {}. The maps colour each clip by the genre the model predicts, paler where it is \
         less sure{}.{sampled} A folder of genre folders, each holding its tracks, opens \
         labelled instead.",
        dataset.source.label(),
        dataset.layout.why,
        if has_model {
            ""
        } else {
            "; the shipped gtzan-mini log-mel model is opened for it (open another on the left)"
        }
    )
}
