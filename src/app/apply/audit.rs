//! The audit of the data: run on a worker when asked (with the model, if one is in use, for
//! suspected mislabels), its repeats kept with the data and its mislabels with the model; a
//! finding selects its tracks' clips on the maps; the findings export as CSV.

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::audit::{audit, Audit, ModelOpinion};
use crate::app::events::Output;
use crate::app::jobs::JobError;
use crate::app::notices::Topic;
use crate::app::registry::{JobKind, Stamp};
use crate::app::state::{Derived, Selection, Tab};
use crate::app::GenrescopeApp;

impl GenrescopeApp {
    pub(super) fn audit_data(&mut self) {
        let Some(data) = self.state.data.as_ref() else {
            return;
        };
        let ds = Arc::clone(&data.dataset);
        let model = self.state.model().and_then(|m| {
            let view = m.view.ready()?;
            let genre_map = m.saved.meta.genre_map(&ds.genres, &ds.features).ok()?;
            Some((Arc::clone(&view.maps), genre_map, m.genres().len()))
        });
        let stamp = self.state.stamp();
        if let Some(data) = self.state.data.as_mut() {
            data.audit = Some(Derived::Computing);
        }
        self.start_job(JobKind::Audit, stamp, move |_, _, _| {
            let found = match &model {
                Some((maps, genre_map, genres)) => {
                    let to_data: Vec<Option<usize>> = (0..*genres)
                        .map(|m| genre_map.iter().position(|&g| g == m))
                        .collect();
                    let predicted: Vec<Option<usize>> = maps
                        .predicted
                        .as_ref()
                        .map(|p| p.iter().map(|&(m, _)| to_data[m]).collect())
                        .unwrap_or_else(|| vec![None; ds.len()]);
                    let inference = &maps.inference;
                    let opinion = ModelOpinion {
                        predicted: &predicted,
                        codes: &inference.code,
                        dim: inference.code_dim,
                    };
                    audit(&ds, Some(opinion))
                }
                None => audit(&ds, None),
            };
            Ok(Output::Audited(Box::new(found)))
        });
    }

    pub(super) fn audited(&mut self, mut found: Audit) {
        let mislabels = std::mem::take(&mut found.suspected_mislabels);
        if let Some(model) = self.state.model_mut() {
            model.mislabels = Some(mislabels);
        }
        if let Some(data) = self.state.data.as_mut() {
            data.audit = Some(Derived::Ready(Arc::new(found)));
        }
    }

    /// Selects every clip of `tracks` on the maps.
    pub(super) fn select_tracks(&mut self, tracks: Vec<usize>, label: String) {
        let Some(data) = self.state.data.as_mut() else {
            return;
        };
        let clips: Vec<usize> = (0..data.dataset.len())
            .filter(|&i| tracks.contains(&data.dataset.segments[i].track))
            .collect();
        data.selection = Some(Selection { clips, label });
        self.state.view.tab = Tab::Maps;
    }

    /// The audit's findings (with the model's mislabels) as a CSV file.
    pub(super) fn export_audit(&mut self, path: PathBuf) {
        let Some(Derived::Ready(found)) = self.state.data.as_ref().and_then(|d| d.audit.clone())
        else {
            self.state.notices.error(
                Topic::Export,
                "Audit the folder first (Data: Audit this folder): there is nothing to export.",
            );
            return;
        };
        let mut found = (*found).clone();
        found.suspected_mislabels = self
            .state
            .model()
            .and_then(|m| m.mislabels.clone())
            .unwrap_or_default();
        let what = format!("audit {}", path.display());
        self.start_job(JobKind::Write { what }, Stamp::default(), move |_, _, _| {
            crate::export::write_audit_csv(&path, &found)
                .map(|()| Output::Written(format!("Wrote the audit to {}.", path.display())))
                .map_err(JobError::failed)
        });
    }
}
