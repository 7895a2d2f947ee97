//! Everything the window knows, owned by the UI thread. Panels read it; `apply` changes it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use crate::audio::playback::OutputFormat;
use crate::dataset::{Dataset, LoadProgress, Split, SplitConfig, SplitProtocol};
use crate::interpolate::{PathKind, PathStep};
pub use crate::maps::ModelMaps;
use crate::model::{Activation, ModelConfig, ModelKind, SavedModel, TrainConfig};
use crate::projection::Projection;
use crate::report::EvalReport;
use crate::train::EpochReport;

/// What the map markers' colour shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorBy {
    #[default]
    Genre,
    /// Each clip's reconstruction error (models with a decoder).
    ReconstructionError,
}

/// Walking the bottleneck between clips A (`AppState::selected`) and B.
#[derive(Debug, Clone)]
pub struct Interpolation {
    pub b: Option<usize>,
    pub t: f32,
    pub kind: PathKind,
    pub steps: usize,
    /// Loop the decoded step while the slider is held.
    pub looping: bool,
    /// The decoded point at the latest t, and the whole path, once computed.
    pub current: Option<PathStep>,
    pub path: Vec<PathStep>,
    /// The path through the code and logits maps' PCA, and the current point on each.
    pub path_code_xy: Vec<[f64; 2]>,
    pub path_logits_xy: Vec<[f64; 2]>,
    pub current_code_xy: Option<[f64; 2]>,
    pub current_logits_xy: Option<[f64; 2]>,
    /// The newest request; older answers are dropped.
    pub request: u64,
    /// The request the shown answer belongs to.
    pub answered: u64,
    pub requested_at: Option<Instant>,
    /// Player id of the clip the newest request produced, to measure its latency.
    pub playing_id: Option<u64>,
    /// Slider change to first sample written to the device, last measured.
    pub latency_ms: Option<f64>,
}

impl Interpolation {
    /// A request is out and its answer has not arrived.
    pub fn is_pending(&self) -> bool {
        self.request != self.answered
    }
}

impl Default for Interpolation {
    fn default() -> Self {
        Self {
            b: None,
            t: 0.5,
            kind: PathKind::Linear,
            steps: 8,
            looping: false,
            current: None,
            path: Vec::new(),
            path_code_xy: Vec::new(),
            path_logits_xy: Vec::new(),
            current_code_xy: None,
            current_logits_xy: None,
            request: 0,
            answered: 0,
            requested_at: None,
            playing_id: None,
            latency_ms: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Maps,
    Metrics,
}

/// The training form. Defaults are the paper's, with the listening-friendly linear decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    pub kind: ModelKind,
    pub epochs: usize,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub gamma: f64,
    pub dropout_keep: f64,
    pub output_activation: Activation,
    pub protocol: SplitProtocol,
    pub seed: u64,
    /// Scale inputs to unit variance (beyond the paper).
    pub standardize: bool,
}

impl Default for TrainSettings {
    fn default() -> Self {
        let train = TrainConfig::default();
        let model = ModelConfig::dsae(0, 0);
        Self {
            kind: model.kind,
            epochs: train.epochs,
            learning_rate: train.learning_rate,
            batch_size: train.batch_size,
            gamma: model.gamma,
            dropout_keep: model.dropout_keep,
            output_activation: model.output_activation,
            protocol: SplitProtocol::Segment,
            seed: 0,
            standardize: false,
        }
    }
}

impl TrainSettings {
    pub fn model_template(&self) -> ModelConfig {
        ModelConfig {
            kind: self.kind,
            input_dim: 0,
            n_classes: 0,
            output_activation: self.output_activation,
            dropout_keep: self.dropout_keep,
            gamma: self.gamma,
            input_scale: 1.0,
        }
    }

    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            epochs: self.epochs,
            seed: self.seed,
        }
    }

    pub fn split_config(&self) -> SplitConfig {
        SplitConfig {
            protocol: self.protocol,
            seed: self.seed,
            ..SplitConfig::default()
        }
    }
}

/// A loaded dataset and its raw-input map.
pub struct LoadedData {
    pub dataset: Arc<Dataset>,
    /// Where it came from, for the window ("../gtzan-mini", "synthetic demo set").
    pub source: String,
    pub raw_map: Option<Projection>,
    pub raw_map_error: Option<String>,
    /// The job that produced it (its raw map arrives in a second event).
    pub job: u64,
}

pub struct ActiveModel {
    pub saved: Arc<SavedModel>,
    /// "trained here", "loaded from …", "shipped with genrescope".
    pub source: String,
    /// Each segment's split, when the model was trained on this dataset (marker shapes).
    pub splits: Option<Vec<Split>>,
    /// The paper's tables for this model on this data.
    pub report: Option<EvalReport>,
    pub maps: Option<Arc<ModelMaps>>,
    pub maps_error: Option<String>,
}

/// A worker that is running.
pub struct Running {
    pub job: u64,
    pub cancel: Arc<AtomicBool>,
    pub started: Instant,
}

pub struct LoadJob {
    pub run: Running,
    pub path: PathBuf,
    pub progress: LoadProgress,
}

pub struct TrainJob {
    pub run: Running,
    pub epochs: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct NowPlaying {
    pub request: u64,
    pub label: String,
    /// The player's id for the clip, once it has been decoded and handed over.
    pub player_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AudioStatus {
    Ready(OutputFormat),
    Unavailable(String),
}

/// What the window shows about one segment.
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
    pub data: Option<LoadedData>,
    pub loading: Option<LoadJob>,
    pub model: Option<ActiveModel>,
    pub training: Option<TrainJob>,
    /// Epoch reports of the running or last training run (the live curves).
    pub history: Vec<EpochReport>,
    pub projecting: Option<u64>,
    /// Model files being read.
    pub model_loads_pending: usize,
    /// A model read while a folder was loading, waiting for that folder.
    pub pending_model: Option<(Arc<SavedModel>, String)>,
    /// Exports being written.
    pub writes_pending: usize,
    pub settings: TrainSettings,
    /// The folder path field.
    pub folder_input: String,
    pub hidden_genres: BTreeSet<usize>,
    pub hovered: Option<usize>,
    pub selected: Option<usize>,
    /// Segments picked as a group (a confusion-matrix cell), and what they are.
    pub highlighted: Vec<usize>,
    pub highlight_label: Option<String>,
    pub interp: Interpolation,
    pub color_by: ColorBy,
    pub tab: Tab,
    pub notices: Vec<Notice>,
    pub audio: Option<AudioStatus>,
    pub now_playing: Option<NowPlaying>,
    /// Where to save the maps once the next screenshot arrives.
    pub maps_export: Option<PathBuf>,
    /// The data has the paper's four genres and the shipped GTZAN model could be used.
    pub offer_gtzan_model: bool,
    pub next_job: u64,
}

impl AppState {
    pub fn new_job(&mut self) -> u64 {
        self.next_job += 1;
        self.next_job
    }

    pub fn dataset(&self) -> Option<&Arc<Dataset>> {
        self.data.as_ref().map(|d| &d.dataset)
    }

    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.notices.iter().any(|n| n.text == text) {
            self.notices.push(Notice { text, error: true });
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.notices.push(Notice {
            text: text.into(),
            error: false,
        });
    }

    /// Nothing is loading, training or projecting.
    pub fn is_idle(&self) -> bool {
        self.loading.is_none()
            && self.training.is_none()
            && self.projecting.is_none()
            && self.model_loads_pending == 0
            && self.writes_pending == 0
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
