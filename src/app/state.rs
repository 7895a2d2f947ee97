//! Everything the window knows, owned by the UI thread. Panels read it; `apply` changes it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use crate::audible::Voice;
use crate::audio::playback::OutputFormat;
use crate::dataset::{Dataset, FeatureConfig, InputKind, Split, SplitConfig, SplitProtocol};
use crate::interpolate::{PathKind, PathStep};
pub use crate::maps::ModelMaps;
use crate::model::{ModelConfig, ModelKind, SavedModel, TrainConfig};
use crate::presets::{Preset, Settings};
use crate::projection::Projection;
use crate::report::EvalReport;
use crate::shipped::Shipped;
use crate::train::EpochReport;

use super::notices::Notices;
use super::paths::FileTarget;
use super::registry::{JobId, JobKind, JobRegistry, Progress};

/// What the map markers' colour shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorBy {
    #[default]
    Genre,
    /// Each clip's reconstruction error (models with a decoder).
    ReconstructionError,
}

/// How loud decoded audio plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loudness {
    /// Brought to the level of the music it stands for, so A/B listening compares content.
    #[default]
    Matched,
    /// As the decoder made it (much quieter than music).
    Raw,
}

/// Walking the bottleneck between clips A (`ViewState::selected`) and B: the settings.
#[derive(Debug, Clone)]
pub struct Interpolation {
    pub b: Option<usize>,
    pub t: f32,
    pub kind: PathKind,
    pub steps: usize,
    /// Loop the decoded step while the slider is held.
    pub looping: bool,
}

impl Default for Interpolation {
    fn default() -> Self {
        Self {
            b: None,
            t: 0.5,
            kind: PathKind::Linear,
            steps: 8,
            looping: false,
        }
    }
}

/// What the decoder last made for an instrument: a path of codes (t from A to B, α toward a
/// genre, a probe's stroke) and the current point, on the code and logits maps.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub instrument: Instrument,
    pub path: Vec<PathStep>,
    pub current: Option<PathStep>,
    pub path_code_xy: Vec<[f64; 2]>,
    pub path_logits_xy: Vec<[f64; 2]>,
    pub current_code_xy: Option<[f64; 2]>,
    pub current_logits_xy: Option<[f64; 2]>,
}

/// The decoder's sound: the newest request, its latency, and *Play path* in progress.
#[derive(Debug, Clone, Default)]
pub struct Sounding {
    /// The newest request, until its answer arrives.
    pub request: Option<JobId>,
    pub requested_at: Option<Instant>,
    /// Player id of the clip the newest request produced, to measure its latency.
    pub playing_id: Option<u64>,
    /// Pointer or slider change to first sample written to the device, last measured.
    pub latency_ms: Option<f64>,
    /// Gain applied to the decoded sound by loudness matching, in dB.
    pub gain_db: Option<f32>,
    /// The job preparing *Play path*'s audio.
    pub path_clip_job: Option<JobId>,
    /// While *Play path* plays: its player id and where each step starts (device frames).
    pub playing_path: Option<(u64, Vec<usize>)>,
    /// The step of the path being heard during *Play path*.
    pub path_step_playing: Option<usize>,
}

/// The instruments of the latent space, one shown at a time under the maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Instrument {
    #[default]
    Interpolate,
    Components,
    Steer,
    Probe,
    Neighbours,
    Place,
    Selection,
}

impl Instrument {
    pub const ALL: [Instrument; 7] = [
        Instrument::Interpolate,
        Instrument::Components,
        Instrument::Steer,
        Instrument::Probe,
        Instrument::Neighbours,
        Instrument::Place,
        Instrument::Selection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Interpolate => "A → B",
            Self::Components => "Components",
            Self::Steer => "Toward a genre",
            Self::Probe => "Probe",
            Self::Neighbours => "Sounds like",
            Self::Place => "Place a song",
            Self::Selection => "Selection",
        }
    }

    /// What a path's parameter is called.
    pub fn parameter(self) -> &'static str {
        match self {
            Self::Steer => "α",
            Self::Components => "σ",
            Self::Probe => "stroke",
            _ => "t",
        }
    }
}

/// What a drag on a map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tool {
    /// Pan the view (click picks a clip).
    #[default]
    Pan,
    /// Decode the code under the pointer on the bottleneck map, and play it.
    Probe,
    BoxSelect,
    LassoSelect,
}

/// The largest move toward a genre: 1.5 times the step between the genres' centroids.
pub const MAX_ALPHA: f32 = 1.5;
/// Clips played from a selection at most, one after another.
pub const MAX_QUEUE: usize = 24;

/// The instruments' settings and results.
#[derive(Debug, Default)]
pub struct Instruments {
    pub tool: Tool,
    pub shown: Instrument,
    pub off_plane: crate::latent::OffPlane,
    /// The probe's stroke so far: each point's code, in order.
    pub stroke: Vec<Vec<f32>>,
    /// The same points on the bottleneck map, to draw the stroke.
    pub stroke_xy: Vec<[f64; 2]>,
    /// The clip nearest the probe.
    pub probe_nearest: Option<usize>,
    /// Standard deviations along the bottleneck's first components (the walk).
    pub walk: [f32; 3],
    pub steer_toward: Option<usize>,
    pub alpha: f32,
    pub space: crate::latent::Space,
    pub k: usize,
    /// The neighbours found, and of which clip.
    pub neighbours: Vec<(usize, f32)>,
    pub neighbours_of: Option<usize>,
    /// The file path field of *Place a song*, and what was placed.
    pub place_input: String,
    pub placed: Option<std::sync::Arc<crate::latent::Placement>>,
    /// A box or lasso being drawn: on which map, and its outline in map coordinates.
    pub outline: Option<(MapId, Vec<[f64; 2]>)>,
}

impl Instruments {
    /// Drops what was found or drawn on the maps of other data or another model (a placed
    /// song, neighbours, a stroke, an outline), keeping the settings (tool, space, k, α...).
    pub fn forget_results(&mut self) {
        self.stroke.clear();
        self.stroke_xy.clear();
        self.probe_nearest = None;
        self.walk = [0.0; 3];
        self.neighbours.clear();
        self.neighbours_of = None;
        self.placed = None;
        self.outline = None;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Maps,
    Metrics,
}

/// The training form. It starts on the recommended preset for the waveform; choosing a preset
/// or a representation refills the knobs from that preset.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    pub kind: ModelKind,
    pub input: InputKind,
    pub preset: Preset,
    /// What the preset set, as edited.
    pub knobs: Settings,
    pub protocol: SplitProtocol,
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        Self::from_preset(
            ModelKind::Dsae,
            InputKind::Waveform,
            Preset::Recommended,
            SplitProtocol::Track,
            0,
        )
    }
}

impl TrainSettings {
    pub fn from_preset(
        kind: ModelKind,
        input: InputKind,
        preset: Preset,
        protocol: SplitProtocol,
        seed: u64,
    ) -> Self {
        Self {
            kind,
            input,
            preset,
            knobs: Settings::of(preset, input),
            protocol,
            seed,
        }
    }

    /// The knobs differ from the preset they started from.
    pub fn is_modified(&self) -> bool {
        *self != Self::from_preset(self.kind, self.input, self.preset, self.protocol, self.seed)
    }

    pub fn model_template(&self) -> ModelConfig {
        self.knobs.model_template(self.kind)
    }

    pub fn train_config(&self) -> TrainConfig {
        self.knobs.train_config(self.seed)
    }

    pub fn split_config(&self) -> SplitConfig {
        SplitConfig {
            protocol: self.protocol,
            seed: self.seed,
            ..SplitConfig::default()
        }
    }

    /// How the data must be cut for this training (the representation chosen).
    pub fn features(&self, current: &FeatureConfig) -> FeatureConfig {
        if current.input.kind() == self.input {
            *current
        } else {
            current.with_input(self.input)
        }
    }
}

/// A map's points and what drawing them needs, computed once when the map arrives.
#[derive(Debug, Clone)]
pub struct MapLayer {
    pub projection: Projection,
    /// The default view: the 1st to 99th percentile of each axis with a margin, so a few
    /// outliers do not squash the rest into a dot. Zooming out still reaches them.
    pub bounds: [(f64, f64); 2],
}

impl MapLayer {
    pub fn new(projection: Projection) -> Self {
        let bounds = [0, 1].map(|axis| robust_range(&projection.points, axis));
        Self { projection, bounds }
    }
}

fn robust_range(points: &[[f64; 2]], axis: usize) -> (f64, f64) {
    let mut v: Vec<f64> = points
        .iter()
        .map(|p| p[axis])
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return (-1.0, 1.0);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.01), at(0.99));
    let margin = ((hi - lo) * 0.08).max(1e-9);
    (lo - margin, hi + margin)
}

/// Steps of the reconstruction-error colour scale.
pub const ERROR_LEVELS: usize = 8;

/// Each clip's reconstruction error on a log colour scale between the 5th and 95th
/// percentiles, computed once when a model's maps arrive.
#[derive(Debug, Clone)]
pub struct ErrorScale {
    pub levels: Vec<u8>,
    /// The errors at the scale's ends (mean squared error per value).
    pub low: f32,
    pub high: f32,
}

impl ErrorScale {
    pub fn new(errors: &[f32]) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let logs: Vec<f64> = errors
            .iter()
            .map(|&e| f64::from(e).max(1e-12).ln())
            .collect();
        let mut sorted = logs.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.05), at(0.95));
        let span = (hi - lo).max(1e-12);
        let levels = logs
            .iter()
            .map(|&l| {
                (((l - lo) / span * ERROR_LEVELS as f64) as isize)
                    .clamp(0, ERROR_LEVELS as isize - 1) as u8
            })
            .collect();
        Some(Self {
            levels,
            low: lo.exp() as f32,
            high: hi.exp() as f32,
        })
    }

    /// The error at the lower edge of `level`.
    pub fn level_value(&self, level: usize) -> f32 {
        let (lo, hi) = (f64::from(self.low).ln(), f64::from(self.high).ln());
        (lo + (hi - lo) * level as f64 / ERROR_LEVELS as f64).exp() as f32
    }
}

/// A loaded dataset and its raw-input map.
pub struct LoadedData {
    pub dataset: Arc<Dataset>,
    /// Each clip's genre, for drawing.
    pub labels: Vec<u32>,
    /// The job that loaded it: the maps' view is reset when it changes.
    pub job: JobId,
    pub raw_map: Option<MapLayer>,
    pub raw_map_error: Option<String>,
}

pub struct ActiveModel {
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
    pub maps: Option<Arc<ModelMaps>>,
    pub code_layer: Option<MapLayer>,
    pub logits_layer: Option<MapLayer>,
    pub error_scale: Option<ErrorScale>,
    pub maps_error: Option<String>,
    /// Identifies this activation: the maps' view is reset when it changes.
    pub generation: u64,
}

/// A model waiting for its data (read while a folder loads, or needing the folder in its own
/// representation).
pub struct PendingModel {
    pub saved: Arc<SavedModel>,
    pub source: String,
    pub shipped: Option<Shipped>,
}

pub struct NowPlaying {
    /// The job preparing it, until the player has it.
    pub job: Option<JobId>,
    pub label: String,
    /// The player's id for the clip, once handed over.
    pub player_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AudioStatus {
    Ready(OutputFormat),
    /// Sound stopped (the device failed); the next play tries again.
    Failed(String),
    Unavailable(String),
}

/// What the maps show and which clips are picked.
#[derive(Debug, Default)]
pub struct ViewState {
    pub hidden_genres: BTreeSet<usize>,
    pub hovered: Option<usize>,
    /// Clip A.
    pub selected: Option<usize>,
    /// Segments picked as a group (a confusion-matrix cell), and what they are.
    pub highlighted: Vec<usize>,
    pub highlight_label: Option<String>,
    pub color_by: ColorBy,
    pub tab: Tab,
    pub side_panel_hidden: bool,
}

/// The path field shown when no native dialog can open.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    pub target: FileTarget,
    pub path: String,
}

/// What the segment under the pointer (or selected) is.
pub struct SegmentInfo {
    pub track: String,
    pub start_secs: f64,
    pub end_secs: f64,
    pub genre: String,
    pub predicted: Option<(String, f32)>,
    pub split: Option<Split>,
}

#[derive(Default)]
pub struct AppState {
    pub jobs: JobRegistry,
    pub data: Option<LoadedData>,
    pub model: Option<ActiveModel>,
    pub pending_model: Option<PendingModel>,
    /// Start training once the data arrives in the representation the form asks for.
    pub train_when_loaded: bool,
    /// Epoch reports of the running or last training run (the live curves), and the model
    /// generation they belong to once it is active.
    pub history: Vec<EpochReport>,
    pub history_model: Option<u64>,
    pub settings: TrainSettings,
    /// The folder path field.
    pub folder_input: String,
    pub view: ViewState,
    pub interp: Interpolation,
    pub trace: Trace,
    pub sound: Sounding,
    pub instruments: Instruments,
    pub loudness: Loudness,
    pub notices: Notices,
    pub audio: Option<AudioStatus>,
    pub now_playing: Option<NowPlaying>,
    /// Shipped models that fit the data and are not in use: offered in the model panel.
    pub offers: Vec<Shipped>,
    pub path_prompt: Option<PathPrompt>,
    /// `--a` / `--b` picks waiting for the data and the model's maps.
    pub picks: Option<(Option<String>, Option<String>)>,
    /// `--place` at start-up: a song to place once the folder and the model are ready.
    pub place_on_load: Option<std::path::PathBuf>,
    pub next_generation: u64,
}

impl AppState {
    pub fn dataset(&self) -> Option<&Arc<Dataset>> {
        self.data.as_ref().map(|d| &d.dataset)
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
    pub fn reconstruction(&self, i: usize) -> Option<&[f32]> {
        let maps = self.model.as_ref()?.maps.as_ref()?;
        let dim = self.dataset()?.dim();
        maps.inference
            .reconstruction
            .as_ref()?
            .get(i * dim..(i + 1) * dim)
    }

    /// The model's code of clip `i`.
    pub fn code(&self, i: usize) -> Option<&[f32]> {
        let maps = self.model.as_ref()?.maps.as_ref()?;
        let dim = maps.inference.code_dim;
        maps.inference.code.get(i * dim..(i + 1) * dim)
    }

    /// The three maps' layers (raw, code, logits), where computed.
    pub fn layer(&self, map: MapId) -> Option<&MapLayer> {
        match map {
            MapId::Raw => self.data.as_ref()?.raw_map.as_ref(),
            MapId::Code => self.model.as_ref()?.code_layer.as_ref(),
            MapId::Logits => self.model.as_ref()?.logits_layer.as_ref(),
        }
    }

    /// The id of a map's plot: new data or a new model gives a new id, so the view is reset to
    /// fit; the user's own zoom is kept while both stay the same.
    pub fn map_plot_id(&self, map: MapId) -> egui::Id {
        let data = self.data.as_ref().map_or(0, |d| d.job);
        let model = self.model.as_ref().map_or(0, |m| m.generation);
        let generation = match map {
            MapId::Raw => (data, 0),
            _ => (data, model),
        };
        egui::Id::unique(("genrescope-map", map.name(), generation))
    }

    /// Clips of genres not hidden.
    pub fn visible_clips(&self) -> usize {
        self.dataset().map_or(0, |ds| {
            (0..ds.len())
                .filter(|&i| !self.view.hidden_genres.contains(&ds.label(i)))
                .count()
        })
    }

    pub fn segment_info(&self, i: usize) -> Option<SegmentInfo> {
        let ds = self.dataset()?;
        if i >= ds.len() {
            return None;
        }
        let track = ds.track_of(i);
        let (start_secs, end_secs) = ds.segment_time_secs(i);
        let model = self.model.as_ref();
        let predicted = model.and_then(|m| {
            let (p, conf) = m.maps.as_ref()?.predicted.as_ref()?.get(i).copied()?;
            Some((m.saved.meta.genres.get(p)?.clone(), conf))
        });
        Some(SegmentInfo {
            track: track.file_name(),
            start_secs,
            end_secs,
            genre: ds.genres[track.genre].clone(),
            predicted,
            split: model.and_then(|m| m.splits.as_ref()?.get(i).copied()),
        })
    }
}

/// The three maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapId {
    Raw,
    Code,
    Logits,
}

impl MapId {
    pub const ALL: [MapId; 3] = [MapId::Raw, MapId::Code, MapId::Logits];

    /// Its name in files and plot ids ("map-raw").
    pub fn name(self) -> &'static str {
        match self {
            Self::Raw => "map-raw",
            Self::Code => "map-code",
            Self::Logits => "map-logits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_scale_spans_the_middle_of_the_errors() {
        let errors: Vec<f32> = (1..=100).map(|k| k as f32 * 1e-3).collect();
        let scale = ErrorScale::new(&errors).unwrap();
        assert_eq!(scale.levels[0], 0);
        assert_eq!(scale.levels[99] as usize, ERROR_LEVELS - 1);
        assert!((scale.low - 0.006).abs() < 1e-6 && (scale.high - 0.095).abs() < 1e-6);
        assert!((scale.level_value(0) - scale.low).abs() < 1e-6);
    }
}
