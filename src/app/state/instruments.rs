//! The instruments of the latent space: which one is shown and how they are set (the same for
//! every model), and what they found or drew (which belongs to one model: see
//! [`InstrumentResults`], held by the model's state and gone with it).

use std::sync::Arc;

use crate::analysis::explain::Axis;
use crate::dataset::Descriptor;
use crate::latent::interpolate::{PathKind, PathStep};
use crate::latent::{OffPlane, Placement, Space, DEFAULT_NEIGHBOURS};

use super::layers::MapId;

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
    /// The model beside a second one (compare mode).
    Compare,
}

impl Instrument {
    pub const ALL: [Instrument; 8] = [
        Instrument::Interpolate,
        Instrument::Components,
        Instrument::Steer,
        Instrument::Probe,
        Instrument::Neighbours,
        Instrument::Place,
        Instrument::Selection,
        Instrument::Compare,
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
            Self::Compare => "Compare",
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

    /// It plays what the decoder makes of a code.
    pub fn decodes(self) -> bool {
        matches!(
            self,
            Self::Interpolate | Self::Components | Self::Steer | Self::Probe
        )
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

/// Clips played from a selection at most, one after another.
pub const MAX_QUEUE: usize = 24;

/// How the instruments are set: the same whatever the data or the model.
#[derive(Debug, Clone)]
pub struct InstrumentSettings {
    pub tool: Tool,
    pub shown: Instrument,
    pub off_plane: OffPlane,
    /// The path from A to B: a line or a great circle, and how many steps *Play path* plays.
    pub path_kind: PathKind,
    pub path_steps: usize,
    /// Every slider (t, the components, α) loops its decoded sound while it is held.
    pub loop_while_held: bool,
    pub space: Space,
    pub k: usize,
    /// *Sounds like* compares whole tracks, not clips.
    pub whole_tracks: bool,
    /// The file path field of *Place a song*.
    pub place_input: String,
    /// The descriptor of the decoded audio plotted along a path.
    pub path_descriptor: Descriptor,
}

impl Default for InstrumentSettings {
    fn default() -> Self {
        Self {
            tool: Tool::Pan,
            shown: Instrument::Interpolate,
            off_plane: OffPlane::Plane,
            path_kind: PathKind::Linear,
            path_steps: 8,
            loop_while_held: false,
            space: Space::Bottleneck,
            k: DEFAULT_NEIGHBOURS,
            whole_tracks: false,
            place_input: String::new(),
            path_descriptor: Descriptor::CentroidHz,
        }
    }
}

/// What the decoder last made for an instrument: a path of codes (t from A to B, α toward a
/// genre, σ along a component) and the current point, on the bottleneck and logits maps.
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

/// A's move toward a genre: the model's genre index (none chosen yet: the first that is not
/// A's own) and how far.
#[derive(Debug, Clone, Copy, Default)]
pub struct SteerSetting {
    pub toward: Option<usize>,
    pub alpha: f32,
}

/// The clips nearest A, found in one space.
#[derive(Debug, Clone)]
pub struct Neighbours {
    pub of: usize,
    pub space: Space,
    /// Clips and their distances; for whole tracks, each found track's middle clip and the
    /// distance between the tracks' means.
    pub found: Vec<(usize, f32)>,
    pub whole_tracks: bool,
}

/// A probe's stroke: each point's code, in order, and the same points on the bottleneck map.
#[derive(Debug, Clone, Default)]
pub struct Stroke {
    pub codes: Vec<Vec<f32>>,
    pub xy: Vec<[f64; 2]>,
    /// The clip nearest the probe's last point.
    pub nearest: Option<usize>,
}

/// What the instruments found or drew through one model's maps: it lives in that model's state
/// and goes with it, so nothing of an earlier model can be drawn on a later one's maps.
#[derive(Debug, Clone, Default)]
pub struct InstrumentResults {
    pub trace: Trace,
    pub stroke: Stroke,
    /// Standard deviations along the bottleneck's first components (the walk).
    pub walk: [f32; 3],
    pub steer: SteerSetting,
    pub neighbours: Option<Neighbours>,
    pub placed: Option<Arc<Placement>>,
    /// A direction of the space shown on the maps (a heatmap cell: an axis, and the sign of
    /// its correlation with the descriptor the maps are coloured by).
    pub direction: Option<(Axis, f64)>,
}

/// A box or lasso being drawn: on which map, its outline in map coordinates, and how that map
/// was drawn when it began (a t-SNE map arriving mid-drag has other coordinates).
#[derive(Debug, Clone)]
pub struct Outline {
    pub map: MapId,
    pub points: Vec<[f64; 2]>,
    pub method: crate::maps::method::MapMethod,
}
