//! The loaded data and everything derived from it: its raw-input map, the clips picked on it
//! (A, B, the selection), and under it the model and what the model made. New data replaces
//! the whole tree, so nothing computed for earlier data survives it.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use crate::dataset::Dataset;

use super::super::registry::JobId;
use super::instruments::Outline;
use super::layers::{descriptor_scales, ColorScale, Embedded, MapLayer};
use super::model::ModelState;
use super::track_points::TrackPoints;
use crate::analysis::audit::Audit;
use crate::dataset::Descriptor;

/// Something a worker computes for the state it sits in.
#[derive(Debug, Clone, Default)]
pub enum Derived<T> {
    #[default]
    Computing,
    Ready(T),
    /// Why not, in words a user can act on.
    Failed(String),
}

impl<T> Derived<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Self::Ready(v) => Some(v),
            _ => None,
        }
    }

    pub fn failed(&self) -> Option<&str> {
        match self {
            Self::Failed(why) => Some(why),
            _ => None,
        }
    }
}

/// Clips A and B (the two ends of a path) and where on the path the slider is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Picks {
    pub a: Option<usize>,
    pub b: Option<usize>,
    pub t: f32,
}

impl Default for Picks {
    fn default() -> Self {
        Self {
            a: None,
            b: None,
            t: 0.5,
        }
    }
}

/// Clips picked as a group (a box, a lasso, a confusion cell), and what they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub clips: Vec<usize>,
    pub label: String,
}

/// A loaded dataset and what depends on it.
pub struct DataState {
    /// Identifies this data (the job that loaded it): jobs started for it carry it, and their
    /// results are dropped when other data has replaced it.
    pub id: JobId,
    pub dataset: Arc<Dataset>,
    /// Each clip's genre, for drawing.
    pub labels: Vec<u32>,
    pub raw_map: Derived<MapLayer>,
    /// The raw map by t-SNE or UMAP, when asked for.
    pub raw_embedded: Option<Embedded>,
    /// A log-mel patch of clip A's original audio (for inputs that are not log-mel), and the
    /// clip it is of.
    pub original_spectrogram: Option<(usize, Derived<Vec<f32>>)>,
    pub hovered: Option<usize>,
    pub picks: Picks,
    pub selection: Option<Selection>,
    pub hidden_genres: BTreeSet<usize>,
    pub outline: Option<Outline>,
    /// Each descriptor's colour scale over the clips.
    pub descriptor_scales: Vec<(Descriptor, ColorScale)>,
    /// The audit of the data (repeats, published repeats), once asked for; the model's
    /// suspected mislabels are the model's own (`ModelState::mislabels`).
    pub audit: Option<Derived<Arc<Audit>>>,
    /// The raw map gathered by track, made once when first drawn with no model (with one,
    /// the model's view holds its own: a library's colours are its predictions).
    pub raw_track_points: OnceLock<TrackPoints>,
    pub model: Option<ModelState>,
}

impl DataState {
    pub fn new(id: JobId, dataset: Arc<Dataset>) -> Self {
        Self {
            id,
            labels: dataset.labels(),
            descriptor_scales: descriptor_scales(&dataset.descriptors),
            audit: None,
            dataset,
            raw_map: Derived::Computing,
            raw_embedded: None,
            original_spectrogram: None,
            hovered: None,
            picks: Picks::default(),
            selection: None,
            hidden_genres: BTreeSet::new(),
            outline: None,
            raw_track_points: OnceLock::new(),
            model: None,
        }
    }

    /// The colour scale of descriptor `d`.
    pub fn descriptor_scale(&self, d: Descriptor) -> Option<&ColorScale> {
        self.descriptor_scales
            .iter()
            .find(|(of, _)| *of == d)
            .map(|(_, s)| s)
    }

    /// The selected clips (none when nothing is selected).
    pub fn selected(&self) -> &[usize] {
        self.selection.as_ref().map_or(&[], |s| &s.clips)
    }
}
