//! A model in use on the loaded data: the model itself, its tables and maps of that data, and
//! what the instruments found through those maps. It lives inside the data's state; a new
//! model replaces it whole.

use std::sync::{Arc, Mutex, OnceLock};

use crate::analysis::audit::SuspectedMislabel;
use crate::analysis::explain::Explanation;
use crate::analysis::predict::{track_verdict, TrackVerdict};
use crate::dataset::{Dataset, Split};
use crate::latent::audible::Voice;
use crate::maps::ModelMaps;
use crate::model::shipped::Shipped;
use crate::model::{softmax_rows, SavedModel};
use crate::tables::report::EvalReport;

use super::data::Derived;
use super::instruments::InstrumentResults;
use super::layers::{ColorScale, Embedded, MapLayer};
use super::track_points::TrackPoints;

/// A model's maps of the data, with what drawing them needs.
pub struct ModelView {
    pub maps: Arc<ModelMaps>,
    pub code: Option<MapLayer>,
    pub logits: Option<MapLayer>,
    pub error_scale: Option<ColorScale>,
    /// Each clip's predicted genre (index into the model's genres), for drawing a library.
    pub predicted_labels: Option<Vec<u32>>,
    /// How sure each prediction is, as a shade (see [`confidence_shade`]).
    pub shades: Option<Vec<u8>>,
    /// A library's tracks, each with the model's verdict on it (from all its segments), the
    /// surest first within each genre.
    pub track_verdicts: Vec<(usize, TrackVerdict)>,
    /// The last clip whose reconstruction was asked for, and it: the maps keep no
    /// reconstructions (390 MB at 40,000 log-mel clips), and the listening panel asks every
    /// frame.
    last_reconstruction: Mutex<Option<(usize, Arc<[f32]>)>>,
    /// Each map (raw, code, logits) gathered by track, made once when first drawn: the maps'
    /// *tracks* view would otherwise go over every clip every frame.
    pub track_points: [OnceLock<TrackPoints>; 3],
}

/// How many shades of a colour say how sure a prediction is.
pub const SHADES: usize = 3;

/// The shade of a prediction of probability `p`: 0 below one half (the model is torn), 1 below
/// 0.8, 2 above.
pub fn confidence_shade(p: f32) -> u8 {
    if p < 0.5 {
        0
    } else if p < 0.8 {
        1
    } else {
        2
    }
}

impl ModelView {
    pub fn new(maps: ModelMaps, dataset: &Dataset) -> Self {
        let predicted = maps.predicted.as_deref();
        let n_classes = maps
            .inference
            .logits
            .as_ref()
            .map_or(0, |l| l.len() / dataset.len().max(1));
        let track_verdicts = match (&maps.inference.logits, dataset.is_library()) {
            (Some(logits), true) => verdicts(dataset, &softmax_rows(logits, n_classes), n_classes),
            _ => Vec::new(),
        };
        Self {
            last_reconstruction: Mutex::new(None),
            track_points: Default::default(),
            track_verdicts,
            predicted_labels: predicted.map(|p| p.iter().map(|&(g, _)| g as u32).collect()),
            shades: predicted.map(|p| p.iter().map(|&(_, conf)| confidence_shade(conf)).collect()),
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

    /// The decoder's output for clip `i`, when `model` has a decoder: its code decoded.
    pub fn reconstruction(&self, i: usize, model: &crate::model::Model) -> Option<Arc<[f32]>> {
        let mut last = self
            .last_reconstruction
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((clip, values)) = last.as_ref() {
            if *clip == i {
                return Some(Arc::clone(values));
            }
        }
        let values: Arc<[f32]> = model.decode(self.code(i)?).ok()?.into();
        *last = Some((i, Arc::clone(&values)));
        Some(values)
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
    /// The model's labelled training folder drawn underneath a library's maps, once asked for.
    pub underneath: Option<Derived<Arc<crate::latent::Underneath>>>,
    /// The tracks whose label this model and their neighbours both doubt (from the audit).
    pub mislabels: Option<Vec<SuspectedMislabel>>,
    pub results: InstrumentResults,
    /// The bottleneck and logits maps by t-SNE or UMAP, when asked for.
    pub embedded: [Option<Embedded>; 2],
    /// A second model beside this one, when asked for.
    pub compare: Option<Derived<Arc<super::compare::CompareView>>>,
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

/// Each track's verdict from its segments' probabilities (`segments × n_classes`), grouped by
/// verdict and the surest first.
fn verdicts(
    dataset: &Dataset,
    probabilities: &[f32],
    n_classes: usize,
) -> Vec<(usize, TrackVerdict)> {
    let mut rows: Vec<Vec<f32>> = vec![Vec::new(); dataset.tracks.len()];
    for (segment, row) in dataset
        .segments
        .iter()
        .zip(probabilities.chunks_exact(n_classes.max(1)))
    {
        rows[segment.track].extend_from_slice(row);
    }
    let mut out: Vec<(usize, TrackVerdict)> = rows
        .iter()
        .enumerate()
        .filter_map(|(t, p)| Some((t, track_verdict(p, n_classes)?)))
        .collect();
    out.sort_by(|a, b| {
        a.1.verdict
            .cmp(&b.1.verdict)
            .then(b.1.confidence().total_cmp(&a.1.confidence()))
    });
    out
}
