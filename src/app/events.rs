//! What flows into the one place that changes state: `Command`s (what the user asked for, from
//! the panels, dropped files and start-up options) and `Event`s (what happened: a worker's
//! progress or ending, news from the audio device, a captured screenshot).

use std::path::PathBuf;
use std::time::Instant;

use crate::audio::clip::PreparedClip as Clip;
use crate::audio::playback::PlayerNews;
use crate::dataset::{DataSource, Dataset};
use crate::latent::interpolate::{PathKind, PathStep};
use crate::latent::{OffPlane, Space};
use crate::maps::projection::Projection;
use crate::maps::ModelMaps;
use crate::model::shipped::Shipped;
use crate::model::SavedModel;
use crate::training::experiment::Experiment;
use crate::training::train::EpochReport;

pub use super::paths::FileTarget;
pub use super::registry::JobId;
use super::state::{ColorBy, Instrument, Loudness, MapId, Tab, Tool, TrainSettings};

/// The decoder's answer to one question.
pub struct Decoded {
    /// The instrument that asked.
    pub instrument: Instrument,
    pub point: PathStep,
    pub path: Vec<PathStep>,
    pub clip: Option<Clip>,
    /// Play the clip in a loop (while a slider is held).
    pub looping: bool,
    /// The loudness matching applied to the clip, in dB.
    pub gain_db: f32,
}
/// Which version of a clip to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipVersion {
    Original,
    /// What the model sees, made audible (the pooled samples upsampled, or the log-mel patch
    /// resynthesized).
    Input,
    Reconstruction,
    /// The second model's reconstruction of the clip (compare mode).
    SecondReconstruction,
    /// The three one after another.
    All,
}

/// A user's request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenFolderDialog,
    /// Open a folder, or the built-in synthetic demo set (with its shipped model).
    LoadData(DataSource),
    /// Read the folder shown again as genre folders or as a library.
    ReadAs(crate::dataset::Layout),
    /// Draw (or stop drawing) the model's labelled training folder underneath a library's maps.
    ShowUnderneath(bool),
    UseShippedModel(Shipped),
    CancelLoad,
    /// Draw a map by this method (PCA, t-SNE, UMAP).
    SetMapMethod {
        map: crate::app::state::MapId,
        method: crate::maps::method::MapMethod,
    },
    /// The parameters under a map were edited (drawn only on `SetMapMethod`).
    EditMapParams {
        map: crate::app::state::MapId,
        method: crate::maps::method::MapMethod,
    },
    /// Stop drawing a map by t-SNE or UMAP; it goes back to PCA.
    CancelMapMethod(crate::app::state::MapId),
    /// Compare the model in use with this one (a file) on the same folder.
    CompareWith(std::path::PathBuf),
    /// Compare the model in use with a shipped model.
    CompareWithShipped(Shipped),
    StopComparing,
    /// The folder path field was edited.
    EditFolderField(String),
    /// The training form was edited.
    EditSettings(TrainSettings),
    StartTraining,
    CancelTraining,
    OpenModelDialog,
    LoadModel(PathBuf),
    SaveModelDialog,
    /// Files and folders dropped on the window.
    Dropped(Vec<PathBuf>),
    /// The segment under the pointer on any map (None: nothing).
    Hover(Option<usize>),
    /// A click on a segment: pick it as clip A and play its original audio.
    PickA(usize),
    /// A shift-click: pick it as clip B (the other end of the interpolation) and play it.
    PickB(usize),
    /// Forget A, B and the interpolation's t.
    ClearPicks,
    /// `--a` / `--b` at start-up: pick these clips once they are loaded, without playing them.
    PickOnLoad {
        a: Option<String>,
        b: Option<String>,
    },
    /// Move the interpolation slider; `held` while the user is still dragging it.
    SetT {
        t: f32,
        held: bool,
    },
    /// A slider (t, a component, α) was let go: stop looping its sound.
    ReleaseSlider,
    SetPathKind(PathKind),
    SetSteps(usize),
    /// Every slider loops its decoded sound while it is held.
    SetLoopWhileHeld(bool),
    /// Which descriptor of the decoded audio is plotted along a path.
    SetPathDescriptor(crate::dataset::Descriptor),
    /// Play every step of the path one after another.
    PlayPath,
    /// Compare mode: the same A → B path (its steps of t) in the second model's own space,
    /// decoded by its decoder, one step after another.
    PlaySecondPath,
    /// A's original audio, what the model sees, its reconstruction, or all three.
    PlayVersion {
        segment: usize,
        version: ClipVersion,
    },
    SetLoudness(Loudness),
    SetColorBy(ColorBy),
    /// Show one point per track on the maps (true) or every clip.
    ShowTrackPoints(bool),
    StopAudio,
    ToggleGenre(usize),
    /// Select the segments of one confusion-matrix cell (true genre, predicted genre).
    SelectCell {
        truth: usize,
        predicted: usize,
    },
    /// Select every clip the model predicts as this genre (its index among the model's).
    SelectPredicted(usize),
    /// Select every clip of one track.
    SelectTrack(usize),
    /// Forget the selection (the clips of a box, a lasso or a confusion cell).
    ClearSelection,
    SetTab(Tab),
    DismissNotice(usize),
    ShowSidePanel(bool),
    /// Ask for a path (a native dialog, or the path field when there is none).
    AskPath(FileTarget),
    /// The path field was edited, confirmed or dismissed.
    EditPathField(String),
    ConfirmPathField,
    CancelPathField,
    /// A path chosen for `target`.
    UsePath {
        target: FileTarget,
        path: PathBuf,
    },
    /// What a drag on a map does.
    SetTool(Tool),
    /// Which instrument the panel under the maps shows.
    ShowInstrument(Instrument),
    /// The probe pressed (`start`) or moved to `xy` on the bottleneck map.
    ProbeAt {
        xy: [f64; 2],
        start: bool,
    },
    SetOffPlane(OffPlane),
    /// Clip A moved along the bottleneck's component `component` by `sigma` deviations.
    SetWalk {
        component: usize,
        sigma: f32,
        held: bool,
    },
    ResetWalk,
    /// Clip A moved toward genre `toward` (the model's index) by `alpha`.
    SetSteer {
        toward: usize,
        alpha: f32,
        held: bool,
    },
    /// The `k` clips nearest to A in `space`.
    /// `whole_tracks`: the tracks nearest A's track (each the mean of its segments), each
    /// found track standing for itself by its middle clip.
    FindNeighbours {
        space: Space,
        k: usize,
        whole_tracks: bool,
    },
    /// Clips' original audio one after another.
    PlayQueue(Vec<usize>),
    EditPlaceField(String),
    /// Place an audio file on the maps.
    PlaceFile(PathBuf),
    ClearPlaced,
    /// Show direction `axis` of the space on the maps, coloured by `descriptor` (a heatmap
    /// cell); `rho` is their correlation.
    ShowDirection {
        axis: crate::analysis::explain::Axis,
        descriptor: crate::dataset::Descriptor,
        rho: f64,
    },
    /// Stop drawing the direction.
    HideDirection,
    /// Measure what the model's spaces hold (without leaving the tab).
    MeasureSpaces,
    /// Audit the data (repeats; with a model, suspected mislabels).
    AuditData,
    /// Select the clips of these tracks on the maps (an audit finding), saying what they are.
    SelectTracks {
        tracks: Vec<usize>,
        label: String,
    },
    /// A box or lasso being drawn on `map` (`start`: a new one; `done`: let go, select).
    Outline {
        map: MapId,
        xy: [f64; 2],
        start: bool,
        done: bool,
    },
}

/// A worker's product.
pub enum Output {
    Data(Box<Dataset>),
    RawMap(Box<Projection>),
    Trained(Box<Experiment>),
    Maps(Box<ModelMaps>),
    Model(Box<SavedModel>),
    /// A file written: a sentence saying what.
    Written(String),
    /// A dialog's answer (`None`: the user cancelled).
    Picked(Option<PathBuf>),
    Clip(Clip),
    Decoded(Box<Decoded>),
    Placed(Box<crate::latent::Placement>),
    Explained(Box<crate::analysis::explain::Explanation>),
    Audited(Box<crate::analysis::audit::Audit>),
    Underneath(Box<crate::latent::Underneath>),
    /// A log-mel patch (dB, frame after frame) of a clip's original audio.
    Spectrogram {
        clip: usize,
        db: Vec<f32>,
    },
    /// A second model's reading of the folder, compared with the first.
    Compared(Box<crate::app::state::CompareView>),
    /// The placed song's segments on the bottleneck's non-linear map, for this placement and
    /// the map drawn by `method`.
    PlacedOnMap {
        placement: std::sync::Arc<crate::latent::Placement>,
        method: crate::maps::method::MapMethod,
        points: Vec<[f64; 2]>,
    },
    /// A map's points by a non-linear method.
    Embedded {
        method: crate::maps::method::MapMethod,
        points: Vec<[f64; 2]>,
    },
}

/// How a job ended: exactly one of these per job, also when its thread panicked.
pub enum Outcome {
    Done(Output),
    Cancelled,
    /// Why, in words a user can act on.
    Failed(String),
}

/// Something that happened.
pub enum Event {
    LoadProgress {
        job: JobId,
        progress: crate::dataset::LoadProgress,
    },
    Epoch {
        job: JobId,
        report: EpochReport,
    },
    /// A non-linear map is this far (0 to 1).
    MapProgress {
        job: JobId,
        share: f32,
    },
    Ended {
        job: JobId,
        outcome: Outcome,
    },
    /// The audio device finished a clip or failed.
    Player(PlayerNews),
    /// The first samples of clip `id` reached the device at `at`.
    PlaybackStarted {
        id: u64,
        at: Instant,
    },
    /// Clip `id` has played `frames` frames (followed while a path plays).
    PlaybackPosition {
        id: u64,
        frames: usize,
    },
}
