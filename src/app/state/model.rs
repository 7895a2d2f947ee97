//! A model in use on the loaded data: the model itself, its tables and maps of that data, and
//! what the instruments found through those maps. It lives inside the data's state; a new
//! model replaces it whole.

use std::sync::Arc;

use crate::analysis::audit::SuspectedMislabel;
use crate::analysis::explain::Explanation;
use crate::dataset::Split;
use crate::latent::audible::Voice;
use crate::maps::ModelMaps;
use crate::model::shipped::Shipped;
use crate::model::SavedModel;
use crate::tables::report::EvalReport;

use super::data::Derived;
use super::instruments::InstrumentResults;
use super::layers::{ColorScale, MapLayer};

/// A model's maps of the data, with what drawing them needs.
pub struct ModelView {
    pub maps: Arc<ModelMaps>,
    pub code: Option<MapLayer>,
    pub logits: Option<MapLayer>,
    pub error_scale: Option<ColorScale>,
}

impl ModelView {
    pub fn new(maps: ModelMaps) -> Self {
        Self {
            code: maps.code_map.as_ref().ok().cloned().map(MapLayer::new),
            logits: maps
                .logits_map
                .as_ref()
                .and_then(|m| m.as_ref().ok().cloned().map(MapLayer::new)),
            error_scale: maps
                .reconstruction_error
                .as_deref()
                .and_then(ColorScale::errors),
            maps: Arc::new(maps),
        }
    }

    /// The model's code of clip `i`.
    pub fn code(&self, i: usize) -> Option<&[f32]> {
        let dim = self.maps.inference.code_dim;
        self.maps.inference.code.get(i * dim..(i + 1) * dim)
    }

    /// The decoder's output for clip `i` (`dim` values a clip), when the model has a decoder.
    pub fn reconstruction(&self, i: usize, dim: usize) -> Option<&[f32]> {
        self.maps
            .inference
            .reconstruction
            .as_ref()?
            .get(i * dim..(i + 1) * dim)
    }
}

pub struct ModelState {
    /// Identifies this model's time in use: jobs started for it carry it, and their results
    /// are dropped once another model has taken its place.
    pub id: u64,
    pub saved: Arc<SavedModel>,
    /// Turns its vectors into sound (built once per model).
    pub voice: Arc<Voice>,
    /// "trained here", "loaded from …", "shipped …".
    pub source: String,
    /// Which shipped model this is, if one.
    pub shipped: Option<Shipped>,
    /// Each segment's split, when the model was trained on this dataset (marker shapes).
    pub splits: Option<Vec<Split>>,
    /// The paper's tables for this model on this data.
    pub report: Option<EvalReport>,
    pub view: Derived<ModelView>,
    /// What its spaces hold on the data (`None` until asked for: it takes seconds).
    pub explanation: Option<Derived<Arc<Explanation>>>,
    /// The tracks whose label this model and their neighbours both doubt (from the audit).
    pub mislabels: Option<Vec<SuspectedMislabel>>,
    pub results: InstrumentResults,
}

impl ModelState {
    pub fn has_decoder(&self) -> bool {
        self.saved.meta.model.kind.has_decoder()
    }

    pub fn genres(&self) -> &[String] {
        &self.saved.meta.genres
    }
}

/// A model waiting for its data (read while a folder loads, or needing the folder in its own
/// representation).
pub struct PendingModel {
    pub saved: Arc<SavedModel>,
    pub source: String,
    pub shipped: Option<Shipped>,
}
