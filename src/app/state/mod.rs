//! Everything the window knows, owned by the UI thread. Panels read it; `apply` changes it.
//!
//! State is nested by what it derives from: the loaded data ([`DataState`]) holds its raw map and
//! the clips picked on it, and the model in use on it ([`ModelState`]), which holds its tables,
//! maps and what the instruments found. Replacing the data or the model replaces everything
//! under it, and the jobs started for either carry its id, so a result computed for earlier
//! data or another model is dropped where results arrive instead of being shown.

pub mod compare;
pub mod data;
pub mod instruments;
pub mod layers;
pub mod model;
pub mod playback;
pub mod track_points;
pub mod training;

use std::sync::Arc;

use crate::dataset::{Dataset, Split};
use crate::training::train::EpochReport;

use super::notices::Notices;
use super::paths::FileTarget;
use super::registry::{JobKind, JobRegistry, Progress, Stamp};

pub use compare::CompareView;
pub use data::{DataState, Derived, Picks, Selection};
pub use instruments::{
    Instrument, InstrumentResults, InstrumentSettings, Neighbours, Outline, Stroke, Tool, Trace,
    MAX_QUEUE,
};
pub use layers::{ColorBy, ColorScale, Embedded, MapId, MapLayer, ERROR_LEVELS, NO_LEVEL};
pub use model::{ModelState, ModelView, PendingModel, SHADES};
pub use playback::{AudioDevice, DecoderLink, Loudness, Playback, Stage};
pub use track_points::TrackPoints;
pub use training::TrainSettings;

/// What colours the maps' points when the colour says genre.
pub struct GenreColouring<'a> {
    pub genres: &'a [String],
    /// Each clip's genre (index into `genres`).
    pub labels: &'a [u32],
    /// Each clip's shade of that colour: how sure the model is (a library's clips only).
    pub shades: Option<&'a [u8]>,
    /// The genres are the model's predictions, not the folders' labels.
    pub predicted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Maps,
    Metrics,
    /// What the model's spaces hold: extrinsic scores, what each direction follows, MIG.
    Explain,
}

/// How the window is laid out and what the markers show: the user's choices, whatever the data.
#[derive(Debug, Default)]
pub struct ViewState {
    pub color_by: ColorBy,
    pub tab: Tab,
    pub side_panel_hidden: bool,
    /// The maps show one point per track (the mean of its clips) instead of every clip.
    pub track_points: bool,
    /// The model's labelled training folder is drawn underneath a library's maps.
    pub underneath: bool,
    /// How each map (raw, code, logits) is drawn; kept across data and models.
    pub map_methods: [crate::maps::method::MapMethod; 3],
    /// Parameters being edited under a map, not drawn yet (None: as drawn).
    pub map_drafts: [Option<crate::maps::method::MapMethod>; 3],
    /// The second model the one in use is compared with; kept across models.
    pub compare_with: Option<compare::CompareSource>,
}

/// The path field shown when no native dialog can open.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    pub target: FileTarget,
    pub path: String,
}

/// What the segment under the pointer (or picked) is.
pub struct SegmentInfo {
    pub track: String,
    pub start_secs: f64,
    pub end_secs: f64,
    /// Its folder's genre; in a library (no labels) the predicted genre, or "unknown".
    pub genre: String,
    /// `genre` is a label, not a prediction.
    pub labelled: bool,
    pub predicted: Option<(String, f32)>,
    pub split: Option<Split>,
    /// What GTZAN's index says of the track.
    pub artist: Option<String>,
    pub title: Option<String>,
    pub descriptors: Option<crate::dataset::Descriptors>,
}

/// Start-up requests that wait for the data and the model's maps.
#[derive(Debug, Clone, Default)]
pub struct OnLoad {
    /// `--a` / `--b`: clips to pick as A and B (`TRACK:SEGMENT`).
    pub picks: Option<(Option<String>, Option<String>)>,
    /// `--place`: a song to place on the maps.
    pub place: Option<std::path::PathBuf>,
    /// `--underneath`: the model's training folder beneath a library's maps.
    pub underneath: bool,
}

#[derive(Default)]
pub struct AppState {
    pub jobs: JobRegistry,
    pub data: Option<DataState>,
    pub pending_model: Option<PendingModel>,
    /// Start training once the data arrives in the representation the form asks for.
    pub train_when_loaded: bool,
    /// Epoch reports of the running or last training run (the live curves), and the model
    /// they belong to once it is in use.
    pub history: Vec<EpochReport>,
    pub history_model: Option<u64>,
    pub settings: TrainSettings,
    /// The folder path field.
    pub folder_input: String,
    pub view: ViewState,
    pub instruments: InstrumentSettings,
    pub loudness: Loudness,
    pub playback: Playback,
    pub decoder: DecoderLink,
    pub notices: Notices,
    pub audio: Option<AudioDevice>,
    pub path_prompt: Option<PathPrompt>,
    pub on_load: OnLoad,
    /// The last model id handed out.
    pub last_model_id: u64,
}

impl AppState {
    pub fn dataset(&self) -> Option<&Arc<Dataset>> {
        self.data.as_ref().map(|d| &d.dataset)
    }

    /// The model in use on the loaded data.
    pub fn model(&self) -> Option<&ModelState> {
        self.data.as_ref()?.model.as_ref()
    }

    pub fn model_mut(&mut self) -> Option<&mut ModelState> {
        self.data.as_mut()?.model.as_mut()
    }

    /// The model's maps of the data, once they are ready.
    pub fn model_view(&self) -> Option<&ModelView> {
        self.model()?.view.ready()
    }

    /// What the genre colour of the maps says: the folders' labels, or for a library the
    /// genres the model predicts (with how sure it is), once it has.
    pub fn genre_colouring(&self) -> Option<GenreColouring<'_>> {
        let data = self.data.as_ref()?;
        if data.dataset.is_library() {
            if let (Some(model), Some(view)) = (self.model(), self.model_view()) {
                if let Some(labels) = view.predicted_labels.as_deref() {
                    return Some(GenreColouring {
                        genres: model.genres(),
                        labels,
                        shades: view.shades.as_deref(),
                        predicted: true,
                    });
                }
            }
        }
        Some(GenreColouring {
            genres: &data.dataset.genres,
            labels: &data.labels,
            shades: None,
            predicted: false,
        })
    }

    /// The genre clip `i` is drawn as (its label, or in a library its predicted genre).
    pub fn shown_genre(&self, i: usize) -> Option<usize> {
        self.genre_colouring()?.labels.get(i).map(|&g| g as usize)
    }

    pub fn picks(&self) -> Picks {
        self.data.as_ref().map_or_else(Picks::default, |d| d.picks)
    }

    /// Clip A.
    pub fn clip_a(&self) -> Option<usize> {
        self.picks().a
    }

    /// The clip under the pointer.
    pub fn hovered(&self) -> Option<usize> {
        self.data.as_ref()?.hovered
    }

    pub fn selected(&self) -> &[usize] {
        self.data.as_ref().map_or(&[], |d| d.selected())
    }

    /// What jobs started now are for.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            data: self.data.as_ref().map(|d| d.id),
            model: self.model().map(|m| m.id),
        }
    }

    /// For work on the data alone (its raw map, a clip's spectrogram): a model arriving meanwhile
    /// does not make it stale.
    pub fn data_stamp(&self) -> Stamp {
        Stamp {
            data: self.data.as_ref().map(|d| d.id),
            model: None,
        }
    }

    /// The data and the model a job was started for are still the ones in use.
    pub fn is_current(&self, stamp: Stamp) -> bool {
        stamp.holds_for(self.stamp())
    }

    /// The data being loaded, if any.
    pub fn loading(&self) -> Option<&super::registry::Job> {
        self.jobs.find(|k| matches!(k, JobKind::LoadData { .. }))
    }

    pub fn load_progress(&self) -> Option<crate::dataset::LoadProgress> {
        match self.loading()?.progress {
            Some(Progress::Load(p)) => Some(p),
            _ => None,
        }
    }

    pub fn training(&self) -> Option<&super::registry::Job> {
        self.jobs.find(|k| matches!(k, JobKind::Train { .. }))
    }

    pub fn is_training(&self) -> bool {
        self.training().is_some()
    }

    pub fn is_projecting(&self) -> bool {
        self.jobs.any(|k| *k == JobKind::Project)
    }

    pub fn is_loading_model(&self) -> bool {
        self.jobs.any(|k| matches!(k, JobKind::LoadModel { .. }))
    }

    /// Nothing runs in the background (the window is settled).
    pub fn is_idle(&self) -> bool {
        self.jobs.is_empty()
    }

    /// The decoder's output for clip `i`, when the model has a decoder and its maps are ready.
    pub fn reconstruction(&self, i: usize) -> Option<std::sync::Arc<[f32]>> {
        let model = self.model()?;
        if !model.has_decoder() {
            return None;
        }
        self.model_view()?.reconstruction(i, &model.saved.model)
    }

    /// Map `map` (its clips drawn as `layer`) gathered into one point per track, coloured as
    /// the maps are. Made once per map, data and model.
    pub fn track_points(&self, map: MapId, layer: &MapLayer) -> Option<&TrackPoints> {
        let data = self.data.as_ref()?;
        let colouring = self.genre_colouring()?;
        let slot = match (self.embedded(map), self.model_view()) {
            (Some(e), _) if !layer.is_linear() => &e.track_points,
            (_, Some(view)) => &view.track_points[map as usize],
            (_, None) => &data.raw_track_points,
        };
        Some(slot.get_or_init(|| {
            TrackPoints::gather(
                layer,
                &data.dataset,
                colouring.labels,
                colouring.genres.len(),
            )
        }))
    }

    /// The model's code of clip `i`.
    pub fn code(&self, i: usize) -> Option<&[f32]> {
        self.model_view()?.code(i)
    }

    /// The three maps' layers (raw, code, logits), where computed.
    pub fn layer(&self, map: MapId) -> Option<&MapLayer> {
        match map {
            MapId::Raw => self.data.as_ref()?.raw_map.ready(),
            MapId::Code => self.model_view()?.code.as_ref(),
            MapId::Logits => self.model_view()?.logits.as_ref(),
        }
    }

    /// A map by t-SNE or UMAP, computed or computing.
    pub fn embedded(&self, map: MapId) -> Option<&Embedded> {
        match map {
            MapId::Raw => self.data.as_ref()?.raw_embedded.as_ref(),
            MapId::Code => self.model()?.embedded[0].as_ref(),
            MapId::Logits => self.model()?.embedded[1].as_ref(),
        }
    }

    pub fn embedded_mut(&mut self, map: MapId) -> Option<&mut Option<Embedded>> {
        match map {
            MapId::Raw => Some(&mut self.data.as_mut()?.raw_embedded),
            MapId::Code => Some(&mut self.model_mut()?.embedded[0]),
            MapId::Logits => Some(&mut self.model_mut()?.embedded[1]),
        }
    }

    /// The layer a map is drawn with: the method chosen for it once computed, its PCA map
    /// until then (and always for PCA).
    pub fn shown_layer(&self, map: MapId) -> Option<&MapLayer> {
        let chosen = self.view.map_methods[map as usize];
        match self.embedded(map) {
            Some(e) if !chosen.is_linear() && e.method == chosen => match e.layer.ready() {
                Some(layer) => Some(layer),
                None => self.layer(map),
            },
            _ => self.layer(map),
        }
    }

    /// What the instruments found through the model's maps.
    pub fn results(&self) -> Option<&InstrumentResults> {
        self.model().map(|m| &m.results)
    }

    pub fn trace(&self) -> Option<&Trace> {
        self.results().map(|r| &r.trace)
    }

    /// The id of a map's plot: new data or a new model gives a new id, so the view is reset to
    /// fit; the user's own zoom is kept while both stay the same.
    pub fn map_plot_id(&self, map: MapId) -> egui::Id {
        let Stamp { data, model } = self.stamp();
        let generation = match map {
            MapId::Raw => (data, None),
            _ => (data, model),
        };
        // A map drawn by another method has other coordinates: its view starts fitted too.
        let method = self.shown_layer(map).map_or("PCA", |l| l.method.name());
        egui::Id::unique(("genrescope-map", map.name(), generation, method))
    }

    /// Clips of genres not hidden.
    pub fn visible_clips(&self) -> usize {
        let (Some(d), Some(colouring)) = (self.data.as_ref(), self.genre_colouring()) else {
            return 0;
        };
        colouring
            .labels
            .iter()
            .filter(|&&g| !d.hidden_genres.contains(&(g as usize)))
            .count()
    }

    pub fn segment_info(&self, i: usize) -> Option<SegmentInfo> {
        let ds = self.dataset()?;
        if i >= ds.len() {
            return None;
        }
        let track = ds.track_of(i);
        let (start_secs, end_secs) = ds.segment_time_secs(i);
        let model = self.model();
        let predicted = model.and_then(|m| {
            let (p, conf) = m.view.ready()?.maps.predicted.as_ref()?.get(i).copied()?;
            Some((m.genres().get(p)?.clone(), conf))
        });
        let credit = crate::dataset::gtzan_meta::credit(&track.file_name());
        Some(SegmentInfo {
            artist: credit.and_then(|c| c.artist.clone()),
            title: credit.and_then(|c| c.title.clone()),
            descriptors: ds.descriptors.get(i).copied(),
            track: track.file_name(),
            start_secs,
            end_secs,
            genre: match (&predicted, ds.is_library()) {
                (Some((genre, _)), true) => genre.clone(),
                _ => ds.genres[track.genre].clone(),
            },
            labelled: !ds.is_library(),
            predicted,
            split: model.and_then(|m| m.splits.as_ref()?.get(i).copied()),
        })
    }

    /// The shipped models that fit the data and are neither in use nor on their way.
    pub fn offers(&self) -> Vec<crate::model::shipped::Shipped> {
        use crate::model::shipped::GTZAN_MODELS;
        let Some(ds) = self.dataset() else {
            return Vec::new();
        };
        let in_use = self.model().and_then(|m| m.shipped);
        let waiting = self.pending_model.as_ref().and_then(|m| m.shipped);
        let coming = |m| {
            self.jobs
                .any(|k| matches!(k, JobKind::LoadModel { shipped: Some(s), .. } if *s == m))
        };
        GTZAN_MODELS
            .iter()
            .copied()
            .filter(|&m| m.fits(ds) && Some(m) != in_use && Some(m) != waiting && !coming(m))
            .collect()
    }
}
