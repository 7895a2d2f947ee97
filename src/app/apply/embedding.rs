//! Maps by t-SNE or UMAP: computed on a worker when a map's method is chosen (and again for new
//! data or a new model, the choice being kept), with progress and a cancel; the PCA map is shown
//! until the points arrive.

use std::sync::Arc;

use crate::app::events::{Event, Output};
use crate::app::jobs::JobError;
use crate::app::registry::{JobId, JobKind};
use crate::app::state::{Derived, Embedded, MapId, MapLayer};
use crate::app::GenrescopeApp;
use crate::dataset::Dataset;
use crate::maps::method::{embed, Control, EmbedError, MapMethod};
use crate::maps::ModelMaps;

/// The rows a map was made of, held by the worker.
enum Rows {
    Raw(Arc<Dataset>),
    Code(Arc<ModelMaps>),
    Logits(Arc<ModelMaps>, usize),
}

impl Rows {
    fn get(&self) -> (&[f32], usize) {
        match self {
            Self::Raw(ds) => (&ds.vectors, ds.dim()),
            Self::Code(maps) => (&maps.inference.code, maps.inference.code_dim),
            Self::Logits(maps, n) => (maps.inference.logits.as_deref().unwrap_or(&[]), *n),
        }
    }
}

impl GenrescopeApp {
    pub(super) fn set_map_method(&mut self, map: MapId, method: MapMethod) {
        self.state.view.map_methods[map as usize] = method;
        self.state.view.map_drafts[map as usize] = None;
        self.request_embedding(map);
    }

    /// Parameters edited under a map are kept aside until the user asks for the map again:
    /// a drag through perplexities would otherwise start (and stop) a run for every frame.
    pub(super) fn edit_map_params(&mut self, map: MapId, method: MapMethod) {
        let drawn = self.state.view.map_methods[map as usize];
        self.state.view.map_drafts[map as usize] = (method != drawn).then_some(method);
    }

    fn rows_of(&self, map: MapId) -> Option<Rows> {
        match map {
            MapId::Raw => Some(Rows::Raw(Arc::clone(self.state.dataset()?))),
            MapId::Code => Some(Rows::Code(Arc::clone(&self.state.model_view()?.maps))),
            MapId::Logits => {
                let view = self.state.model_view()?;
                view.maps.inference.logits.as_ref()?;
                let n = self.state.model()?.saved.meta.model.n_classes;
                Some(Rows::Logits(Arc::clone(&view.maps), n))
            }
        }
    }

    fn stop_embedding(&mut self, map: MapId) {
        self.state
            .jobs
            .cancel(|k| matches!(k, JobKind::Embed { map: m } if *m == map as usize));
    }

    /// Starts drawing `map` by its chosen method, unless it is PCA or drawn (or being drawn)
    /// so already. A map switched back to PCA keeps a finished non-linear map for next time.
    pub(super) fn request_embedding(&mut self, map: MapId) {
        let method = self.state.view.map_methods[map as usize];
        let current = self
            .state
            .embedded(map)
            .map(|e| (e.method, e.job.is_some()));
        if method.is_linear() {
            if current.is_some_and(|(_, running)| running) {
                self.stop_embedding(map);
                if let Some(slot) = self.state.embedded_mut(map) {
                    *slot = None;
                }
            }
            return;
        }
        let failed = self
            .state
            .embedded(map)
            .is_some_and(|e| e.layer.failed().is_some());
        if current.is_some_and(|(m, _)| m == method) && !failed {
            return;
        }
        // Its PCA map is where both methods start; without it (still computing) the request
        // is made again when it arrives.
        let (Some(pca), Some(rows)) = (
            self.state.layer(map).map(|l| l.projection.clone()),
            self.rows_of(map),
        ) else {
            return;
        };
        self.stop_embedding(map);
        let stamp = match map {
            MapId::Raw => self.state.data_stamp(),
            MapId::Code | MapId::Logits => self.state.stamp(),
        };
        let job = self.start_job(
            JobKind::Embed { map: map as usize },
            stamp,
            move |job, cancel, reporter| {
                let (rows, dim) = rows.get();
                let progress = |share| reporter.send(Event::MapProgress { job, share });
                let control = Control {
                    cancel,
                    progress: &progress,
                };
                embed(rows, dim, &method, &pca, &control)
                    .map(|points| Output::Embedded { method, points })
                    .map_err(|e| match e {
                        EmbedError::Cancelled => JobError::Cancelled,
                        e => JobError::Failed(format!(
                            "Cannot draw the {} map by {}: {e}. It is shown by PCA.",
                            map.describe(),
                            method.name()
                        )),
                    })
            },
        );
        if let Some(slot) = self.state.embedded_mut(map) {
            *slot = Some(Embedded::computing(method, job));
        }
    }

    pub(super) fn cancel_map_method(&mut self, map: MapId) {
        self.stop_embedding(map);
        self.state.view.map_methods[map as usize] = MapMethod::Pca;
        self.state.view.map_drafts[map as usize] = None;
        if let Some(slot) = self.state.embedded_mut(map) {
            *slot = None;
        }
    }

    pub(super) fn embedded_ready(
        &mut self,
        job: JobId,
        map: MapId,
        method: MapMethod,
        points: Vec<[f64; 2]>,
    ) {
        let Some(pca) = self.state.layer(map).map(|l| l.projection.clone()) else {
            return;
        };
        let Some(Some(e)) = self.state.embedded_mut(map) else {
            return;
        };
        if e.job != Some(job) || e.method != method {
            return;
        }
        e.layer = Derived::Ready(MapLayer::embedded(&pca, points, method));
        e.job = None;
        if map == MapId::Code {
            self.place_on_embedded_code_map();
        }
    }

    /// Finds the placed song's segments on a t-SNE or UMAP bottleneck map (which has no
    /// transform of its own) on a worker, at the weighted mean of their nearest clips'
    /// positions: once per placement or map, not per frame (a search over every clip).
    pub(super) fn place_on_embedded_code_map(&mut self) {
        self.state.jobs.cancel(|k| *k == JobKind::PlaceOnMap);
        let Some(model) = self.state.model_mut() else {
            return;
        };
        let Some(e) = model.embedded[0].as_mut() else {
            return;
        };
        e.placed.clear();
        let (Some(placement), Some(view), Some(layer)) = (
            model.results.placed.clone(),
            model.view.ready(),
            e.layer.ready(),
        ) else {
            return;
        };
        let maps = Arc::clone(&view.maps);
        let (method, points) = (layer.method, layer.projection.points.clone());
        let stamp = self.state.stamp();
        self.start_job(JobKind::PlaceOnMap, stamp, move |_, _, _| {
            let inference = &maps.inference;
            crate::maps::method::place(
                &placement.codes,
                &inference.code,
                inference.code_dim,
                &points,
            )
            .map(|points| Output::PlacedOnMap {
                placement,
                method,
                points,
            })
            .map_err(|e| {
                JobError::Failed(format!(
                    "Cannot place the song on the {} map: {e}. It is shown on PCA maps.",
                    method.name()
                ))
            })
        });
    }

    pub(super) fn placed_on_map(
        &mut self,
        placement: &Arc<crate::latent::Placement>,
        method: MapMethod,
        points: Vec<[f64; 2]>,
    ) {
        let Some(model) = self.state.model_mut() else {
            return;
        };
        let current = model
            .results
            .placed
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, placement));
        if let Some(e) = model.embedded[0].as_mut() {
            let drawn = e.layer.ready().is_some_and(|l| l.method == method);
            if current && drawn {
                e.placed = points;
            }
        }
    }

    pub(super) fn embedding_failed(&mut self, job: JobId, map: MapId, why: &str) {
        if let Some(Some(e)) = self.state.embedded_mut(map) {
            if e.job == Some(job) {
                e.layer = Derived::Failed(why.to_string());
                e.job = None;
            }
        }
    }
}
