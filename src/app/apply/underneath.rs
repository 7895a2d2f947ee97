//! The model's labelled training folder underneath a library's maps: read in the model's
//! features and placed through the library's maps on a worker, once per model; switched off
//! without forgetting it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::events::Output;
use crate::app::jobs::JobError;
use crate::app::notices::Topic;
use crate::app::registry::JobKind;
use crate::app::state::Derived;
use crate::app::GenrescopeApp;
use crate::dataset::sources::{load_source, Reading};
use crate::dataset::{DataSource, Layout};
use crate::latent::{underneath, MapsOfData, Underneath};

impl GenrescopeApp {
    pub(super) fn show_underneath(&mut self, on: bool) {
        self.state.view.underneath = on;
        if !on {
            return;
        }
        let (Some(data), Some(model)) = (self.state.data.as_ref(), self.state.model()) else {
            return;
        };
        let Some(view) = model.view.ready() else {
            return;
        };
        if matches!(
            model.underneath,
            Some(Derived::Ready(_) | Derived::Computing)
        ) {
            return;
        }
        let Some(folder) = training_folder(&model.saved) else {
            let message = match model.saved.meta.training.as_ref() {
                Some(record) => format!(
                    "The {} was trained on {}, which is not a folder here (a relative path is \
                     read from where genrescope runs): there is nothing to show underneath.",
                    model.source, record.data
                ),
                None => format!(
                    "The {} does not record the folder it was trained on: there is nothing to \
                     show underneath.",
                    model.source
                ),
            };
            self.state.view.underneath = false;
            self.state.notices.error(Topic::Model, message);
            return;
        };
        let (saved, maps) = (Arc::clone(&model.saved), Arc::clone(&view.maps));
        let raw = data.raw_map.ready().map(|l| l.projection.clone());
        let stamp = self.state.stamp();
        if let Some(model) = self.state.model_mut() {
            model.underneath = Some(Derived::Computing);
        }
        self.start_job(JobKind::Underneath, stamp, move |_, cancel, _| {
            let reading = Reading {
                layout: Some(Layout::Genres),
                ..Reading::default()
            };
            let source = DataSource::Folder(folder.clone());
            let fail = |e: String| {
                JobError::Failed(format!("Cannot show {} underneath: {e}", folder.display()))
            };
            let labelled = load_source(&source, &reading, &saved.meta.features, cancel, &|_| {})
                .map_err(|e| match e {
                    crate::dataset::LoadError::Cancelled => JobError::Cancelled,
                    e => fail(e.to_string()),
                })?;
            let of_data = MapsOfData::new(&maps, raw.as_ref());
            underneath(&labelled, &saved, &of_data)
                .map(|u| Output::Underneath(Box::new(u)))
                .map_err(|e| fail(e.to_string()))
        });
    }

    pub(super) fn underneath_ready(&mut self, found: Underneath) {
        if !found.ignored_genres.is_empty() {
            self.state.notices.info(
                Topic::Model,
                format!(
                    "Underneath: the clips of {} are left out (genres the model does not know).",
                    found.ignored_genres.join(", ")
                ),
            );
        }
        if let Some(model) = self.state.model_mut() {
            model.underneath = Some(Derived::Ready(Arc::new(found)));
        }
    }
}

/// The folder the model says it was trained on, if it is here (a relative path is read from
/// where genrescope runs, as it was given).
fn training_folder(saved: &crate::model::SavedModel) -> Option<PathBuf> {
    let record = saved.meta.training.as_ref()?;
    let folder = PathBuf::from(&record.data);
    (folder.is_dir() && !DataSource::from_arg(&folder).is_demo()).then_some(folder)
}
