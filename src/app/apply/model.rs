//! Models: training (with its live curves), opening and saving files, the shipped models, and
//! making a model the current one (its maps and tables computed on a worker).

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::jobs::work;
use crate::app::notices::Topic;
use crate::app::registry::{JobId, JobKind, Progress, Stamp};
use crate::app::state::{Derived, ModelState, ModelView, PendingModel};
use crate::app::GenrescopeApp;
use crate::dataset::Split;
use crate::latent::audible::Voice;
use crate::maps::ModelMaps;
use crate::model::shipped::Shipped;
use crate::model::{FitError, SavedModel};
use crate::tables::report::EvalReport;
use crate::training::experiment::Experiment;
use crate::training::train::EpochReport;

impl GenrescopeApp {
    pub(super) fn start_training(&mut self) {
        let Some(data) = self.state.data.as_ref() else {
            self.state.notices.error(
                Topic::Training,
                "Open a folder first: there is nothing to train on.",
            );
            return;
        };
        if self.state.is_training() {
            return;
        }
        if data.dataset.is_library() {
            self.state.notices.error(
                Topic::Training,
                "This folder is a library without genre folders, so there are no labels to \
                 train on: train on a labelled folder (one sub-folder per genre, as GTZAN), then \
                 open this one again to see it through that model.",
            );
            return;
        }
        let settings = self.state.settings.clone();
        let features = settings.features(&data.dataset.features);
        if features != data.dataset.features {
            // The form asks for another representation: read the folder that way first.
            self.state.train_when_loaded = true;
            self.state.notices.info(
                Topic::Training,
                format!(
                    "Reading the clips as {} first; training starts when they are ready.",
                    features.describe()
                ),
            );
            let (source, layout) = (data.dataset.source.clone(), data.dataset.layout.layout);
            self.load_with(source, features, Some(layout));
            return;
        }
        let dataset = Arc::clone(&data.dataset);
        let kind = JobKind::Train {
            epochs: settings.total_epochs(),
            data: data.id,
        };
        self.state.history.clear();
        self.state.history_model = None;
        self.state.notices.clear(Topic::Training);
        let run = work::TrainJob {
            template: settings.model_template(),
            train: settings.train_config(),
            split: settings.split_config(),
            standardize: settings.knobs.standardize,
        };
        self.start_job(kind, Stamp::default(), move |job, cancel, reporter| {
            work::train(job, dataset, run, cancel, reporter)
        });
    }

    pub(super) fn cancel_training(&mut self) {
        if self
            .state
            .jobs
            .cancel(|k| matches!(k, JobKind::Train { .. }))
            > 0
        {
            self.state.notices.info(
                Topic::Training,
                if self.state.model().is_some() {
                    "Training cancelled; the previous model is kept."
                } else {
                    "Training cancelled."
                },
            );
        }
    }

    pub(super) fn epoch(&mut self, job: u64, report: EpochReport) {
        let current = self.state.training().is_some_and(|t| t.id == job);
        if current {
            self.state
                .jobs
                .set_progress(job, Progress::Epoch(report.epoch));
            self.state.history.push(report);
        }
    }

    /// A training run ended with a model. Its splits and tables describe the data it was trained
    /// on (`data`): when other data has been opened since, they are left behind and the model is
    /// scored on what is shown instead.
    pub(super) fn trained(&mut self, data: JobId, experiment: Experiment) {
        let report = experiment
            .saved
            .meta
            .training
            .as_ref()
            .and_then(|t| t.report.clone());
        let kind = experiment.saved.meta.model.kind;
        let input = experiment.saved.meta.features.input.kind();
        let epochs = experiment.history.len();
        let source = format!("{input} {kind} trained here ({epochs} epochs)");
        self.state.notices.info(
            Topic::Training,
            format!("Trained a {input} {kind} in {epochs} epochs."),
        );
        let pending = PendingModel {
            saved: Arc::new(experiment.saved),
            source,
            shipped: None,
        };
        let same_data = self.state.data.as_ref().is_some_and(|d| d.id == data);
        let (splits, report) = match same_data {
            true => (Some(experiment.splits), report),
            false => (None, None),
        };
        self.activate_model(pending, splits, report);
        // The curves now describe the model on screen.
        self.state.history_model = self.state.model().map(|m| m.id);
    }

    pub(super) fn load_model(&mut self, path: PathBuf) {
        let source = format!("loaded from {}", path.display());
        let kind = JobKind::LoadModel {
            source,
            shipped: None,
        };
        self.start_job(kind, Stamp::default(), move |_, _, _| {
            work::load_model(path)
        });
    }

    pub(super) fn load_shipped(&mut self, model: Shipped) {
        let kind = JobKind::LoadModel {
            source: model.label(),
            shipped: Some(model),
        };
        self.start_job(kind, Stamp::default(), move |_, _, _| {
            work::load_shipped(model)
        });
    }

    pub(super) fn model_loaded(
        &mut self,
        saved: SavedModel,
        source: String,
        shipped: Option<Shipped>,
    ) {
        let pending = PendingModel {
            saved: Arc::new(saved),
            source,
            shipped,
        };
        // A model that arrives while a folder loads is meant for that folder, and one that
        // arrives before any folder waits for one.
        if self.state.loading().is_some() || self.state.data.is_none() {
            self.state.pending_model = Some(pending);
        } else {
            self.activate_model(pending, None, None);
        }
    }

    /// A model waiting for a folder that did not come is used with what is shown.
    pub(super) fn activate_pending_model(&mut self) {
        if let Some(pending) = self.state.pending_model.take() {
            self.activate_model(pending, None, None);
        }
    }

    /// Makes a model the current one if it fits the data, then computes its maps (and its
    /// tables, unless `report` is given). A model for the same genres in another
    /// representation has the folder read again its way first. The model's state replaces the
    /// previous model's whole: its maps, tables and everything the instruments found.
    pub(super) fn activate_model(
        &mut self,
        pending: PendingModel,
        splits: Option<Vec<Split>>,
        report: Option<EvalReport>,
    ) {
        let Some(ds) = self.state.dataset().cloned() else {
            self.state.pending_model = Some(pending);
            return;
        };
        let meta = &pending.saved.meta;
        let splits = match meta.fits_data(&ds, &ds.features) {
            Ok(()) => splits.or_else(|| meta.training_splits(&ds)),
            Err(FitError::Features { .. }) if meta.fits_data(&ds, &meta.features).is_ok() => {
                let (source, features, layout) =
                    (ds.source.clone(), meta.features, ds.layout.layout);
                self.state.notices.info(
                    Topic::Model,
                    format!(
                        "Reading the clips as {} for the model ({})…",
                        features.describe(),
                        pending.source
                    ),
                );
                self.state.pending_model = Some(pending);
                self.load_with(source, features, Some(layout));
                return;
            }
            Err(e) => {
                self.state.notices.error(
                    Topic::Model,
                    format!("The model ({}) does not fit this data: {e}", pending.source),
                );
                return;
            }
        };
        let voice = match Voice::new(&meta.features) {
            Ok(voice) => Arc::new(voice),
            Err(e) => {
                self.state.notices.error(
                    Topic::Model,
                    format!("The model ({}) cannot be listened to: {e}", pending.source),
                );
                return;
            }
        };
        self.state.last_model_id += 1;
        let id = self.state.last_model_id;
        // A library has no labels to score against.
        let evaluate = report.is_none() && !ds.is_library();
        self.state.notices.clear(Topic::Model);
        if self.state.history_model.is_some() {
            // Curves of an earlier run do not describe this model.
            self.state.history.clear();
            self.state.history_model = None;
        }
        let saved = Arc::clone(&pending.saved);
        let model = ModelState {
            id,
            saved: pending.saved,
            voice,
            source: pending.source,
            shipped: pending.shipped,
            splits: splits.clone(),
            report,
            view: Derived::Computing,
            explanation: None,
            underneath: None,
            mislabels: None,
            results: Default::default(),
            embedded: [None, None],
            compare: None,
        };
        if let Some(data) = self.state.data.as_mut() {
            if data.dataset.is_library() {
                // The chips hid predicted genres of the model before.
                data.hidden_genres.clear();
            }
            data.model = Some(model);
        }
        // Everything computed for the replaced model (its maps, comparison, findings).
        let now = self.state.stamp();
        self.state.jobs.cancel_stale(now);
        self.start_job(JobKind::Project, self.state.stamp(), move |_, _, _| {
            work::project(ds, saved, splits, evaluate)
        });
    }

    pub(super) fn maps_ready(&mut self, mut maps: ModelMaps) {
        let report = match maps.report.take() {
            Some(Ok(report)) => Some(report),
            Some(Err(e)) => {
                self.state.notices.error(
                    Topic::Model,
                    format!("Cannot score the model on this data: {e}"),
                );
                None
            }
            None => None,
        };
        let Some(dataset) = self.state.dataset().cloned() else {
            return;
        };
        let Some(model) = self.state.model_mut() else {
            return;
        };
        if report.is_some() {
            model.report = report;
        }
        model.view = Derived::Ready(ModelView::new(maps, &dataset));
        self.refresh_trace();
        self.request_embedding(crate::app::state::MapId::Code);
        self.request_embedding(crate::app::state::MapId::Logits);
        self.request_comparison();
        if self.state.view.underneath && dataset.is_library() {
            // Asked for with the model before: the new one's placement of its training folder.
            self.show_underneath(true);
        }
        if self.state.view.tab == crate::app::state::Tab::Explain {
            self.request_explanation();
        }
    }
}
