//! What the model's spaces hold: measured on a worker when the Explain tab first asks for it
//! (it takes seconds), and a heatmap cell shown on the maps as the direction it stands for,
//! coloured by its descriptor.

use std::sync::Arc;

use crate::analysis::explain::{explain, Axis};
use crate::app::events::Output;
use crate::app::jobs::JobError;
use crate::app::registry::JobKind;
use crate::app::state::{ColorBy, Derived, Tab};
use crate::app::GenrescopeApp;
use crate::dataset::Descriptor;

impl GenrescopeApp {
    pub(super) fn set_tab(&mut self, tab: Tab) {
        self.state.view.tab = tab;
        if tab == Tab::Explain {
            self.request_explanation();
        }
    }

    /// Starts measuring the model's spaces, once per model, when its maps are there.
    pub(super) fn request_explanation(&mut self) {
        let (Some(ds), Some(model)) = (self.state.dataset().cloned(), self.state.model()) else {
            return;
        };
        let Some(view) = model.view.ready() else {
            return;
        };
        if model.explanation.is_some() {
            return;
        }
        let (saved, maps) = (Arc::clone(&model.saved), Arc::clone(&view.maps));
        let stamp = self.state.stamp();
        if let Some(model) = self.state.model_mut() {
            model.explanation = Some(Derived::Computing);
        }
        self.start_job(JobKind::Explain, stamp, move |_, _, _| {
            explain(&ds, &saved, &maps)
                .map(|e| Output::Explained(Box::new(e)))
                .map_err(|e| JobError::Failed(format!("Cannot measure the spaces: {e}")))
        });
    }

    pub(super) fn explained(&mut self, explanation: crate::analysis::explain::Explanation) {
        if let Some(model) = self.state.model_mut() {
            model.explanation = Some(Derived::Ready(Arc::new(explanation)));
        }
    }

    /// A heatmap cell: the maps coloured by its descriptor, its direction drawn on them.
    pub(super) fn show_direction(&mut self, axis: Axis, descriptor: Descriptor, rho: f64) {
        self.state.view.color_by = ColorBy::Descriptor(descriptor);
        self.state.view.tab = Tab::Maps;
        if let Some(model) = self.state.model_mut() {
            model.results.direction = Some((axis, rho));
        }
    }
}
