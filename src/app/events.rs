//! What flows into the one place that changes state: `Command`s from the panels (what the user
//! asked for) and `Event`s from worker threads (what finished).

use std::path::PathBuf;

use crate::dataset::{Dataset, LoadProgress};
use crate::experiment::Experiment;
use crate::model::SavedModel;
use crate::projection::Projection;
use crate::train::EpochReport;

use super::state::{ColorBy, ModelMaps, Tab};
use crate::interpolate::{PathKind, PathStep};

/// Which version of a clip to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipVersion {
    Original,
    /// The 500 pooled values the model sees, upsampled.
    Pooled,
    Reconstruction,
    /// The three one after another.
    All,
}

/// What the file dialogs were opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTarget {
    OpenModel,
    SaveModel,
    PathWav,
    EmbeddingsFolder,
    MapsFolder,
}

/// A user's request, returned by the panels.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenFolderDialog,
    LoadFolder(PathBuf),
    /// The built-in synthetic demo set with its shipped model.
    OpenDemo,
    /// Use the DSAE shipped for gtzan-mini's four genres.
    UseShippedGtzanModel,
    CancelLoad,
    StartTraining,
    CancelTraining,
    OpenModelDialog,
    LoadModel(PathBuf),
    SaveModelDialog,
    SaveModel(PathBuf),
    /// The segment under the pointer on any map (None: nothing).
    Hover(Option<usize>),
    /// A click on a segment: select it as A and play its original audio.
    Select(usize),
    /// A shift-click: select it as B (the other end of the interpolation) and play it.
    SelectB(usize),
    /// Move the interpolation slider; `held` while the user is still dragging it.
    SetT {
        t: f32,
        held: bool,
    },
    /// The slider was let go: stop looping.
    ReleaseT,
    SetPathKind(PathKind),
    SetSteps(usize),
    SetLooping(bool),
    /// Play every step of the path one after another.
    PlayPath,
    ExportPathDialog,
    ExportPath(PathBuf),
    /// A's original audio, the pooled input the model sees, its reconstruction, or all three.
    PlayVersion {
        segment: usize,
        version: ClipVersion,
    },
    SetColorBy(ColorBy),
    ExportEmbeddingsDialog,
    ExportEmbeddings(PathBuf),
    ExportMapsDialog,
    ExportMaps(PathBuf),
    PlaySegment(usize),
    StopAudio,
    ToggleGenre(usize),
    /// Select the segments of one confusion-matrix cell (true genre, predicted genre).
    SelectCell {
        truth: usize,
        predicted: usize,
    },
    ClearSelection,
    SetTab(Tab),
    DismissNotice(usize),
}

/// A worker's report. `job` ties it to the request that started it; stale ones are dropped.
pub enum Event {
    LoadProgress {
        job: u64,
        progress: LoadProgress,
    },
    Loaded {
        job: u64,
        result: Result<Box<Dataset>, String>,
    },
    RawMap {
        job: u64,
        result: Result<Projection, String>,
    },
    Epoch {
        job: u64,
        report: EpochReport,
    },
    Trained {
        job: u64,
        result: Result<Box<Experiment>, String>,
    },
    Projected {
        job: u64,
        result: Result<Box<ModelMaps>, String>,
    },
    ModelLoaded {
        /// Where it came from, as the window names it.
        source: String,
        result: Result<Box<SavedModel>, String>,
    },
    ModelSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    FolderPicked(Option<PathBuf>),
    FilePicked {
        target: FileTarget,
        path: Option<PathBuf>,
    },
    ClipReady {
        request: u64,
        looping: bool,
        result: Result<Box<[f32]>, String>,
    },
    /// The interpolation worker's answer: the point at t, the whole path, and the audio to play.
    Interpolated {
        request: u64,
        current: PathStep,
        path: Vec<PathStep>,
        frames: Option<Result<Box<[f32]>, String>>,
        looping: bool,
    },
    InterpolationFailed(String),
    /// Something written to disk (a sentence saying what), or why not.
    Exported(Result<String, String>),
}
