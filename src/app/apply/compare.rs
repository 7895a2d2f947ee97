//! A second model beside the one in use: asked for from the model panel or `--compare`, kept
//! across models (the comparison is made again for a new one), computed on a worker.

use std::sync::Arc;

use crate::app::jobs::work::{self, CompareJob, CompareSource};
use crate::app::registry::JobKind;
use crate::app::state::{CompareView, Derived};
use crate::app::GenrescopeApp;

impl GenrescopeApp {
    pub(super) fn compare_with(&mut self, source: CompareSource) {
        self.stop_comparing();
        self.state.view.compare_with = Some(source);
        self.request_comparison();
    }

    pub(super) fn stop_comparing(&mut self) {
        self.state
            .jobs
            .cancel(|k| matches!(k, JobKind::Compare { .. }));
        self.state.view.compare_with = None;
        if let Some(model) = self.state.model_mut() {
            model.compare = None;
        }
    }

    /// Starts the comparison asked for, once the model in use has its maps.
    pub(super) fn request_comparison(&mut self) {
        let Some(source) = self.state.view.compare_with.clone() else {
            return;
        };
        let (Some(first), Some(model)) = (self.state.dataset().cloned(), self.state.model()) else {
            return;
        };
        let Some(view) = model.view.ready() else {
            return;
        };
        if model.compare.is_some() {
            return;
        }
        let job = CompareJob {
            source: source.clone(),
            first,
            first_maps: Arc::clone(&view.maps),
            first_genres: model.genres().to_vec(),
            first_raw_map: self
                .state
                .data
                .as_ref()
                .and_then(|d| d.raw_map.ready().cloned()),
        };
        if let Some(model) = self.state.model_mut() {
            model.compare = Some(Derived::Computing);
        }
        let stamp = self.state.stamp();
        self.start_job(
            JobKind::Compare {
                source: source.label(),
            },
            stamp,
            move |_, cancel, _| work::compare(job, cancel),
        );
    }

    pub(super) fn compared(&mut self, view: CompareView) {
        if let Some(model) = self.state.model_mut() {
            model.compare = Some(Derived::Ready(Arc::new(view)));
        }
    }

    pub(super) fn comparison_failed(&mut self, why: &str) {
        self.state.view.compare_with = None;
        if let Some(model) = self.state.model_mut() {
            model.compare = Some(Derived::Failed(why.to_string()));
        }
    }
}
