//! What flows into the one place that changes state: `Command`s (what the user asked for, from
//! the panels, dropped files and start-up options) and `Event`s (what happened: a worker's
//! progress or ending, news from the audio device, a captured screenshot).

use std::path::PathBuf;
use std::time::Instant;

use crate::audio::clip::PreparedClip;
use crate::audio::playback::PlayerNews;
use crate::dataset::{DataSource, Dataset};
use crate::experiment::Experiment;
use crate::interpolate::PathKind;
use crate::maps::ModelMaps;
use crate::model::SavedModel;
use crate::projection::Projection;
use crate::shipped::Shipped;
use crate::train::EpochReport;

use super::jobs::decoder::Decoded;
use super::jobs::registry::JobId;
use super::state::{ColorBy, Loudness, Tab, TrainSettings};

/// Which version of a clip to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipVersion {
    Original,
    /// What the model sees, made audible (the pooled samples upsampled, or the log-mel patch
    /// resynthesized).
    Input,
    Reconstruction,
    /// The three one after another.
    All,
}

/// What a file dialog (or the path field standing in for it) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileTarget {
    DataFolder,
    OpenModel,
    SaveModel,
    PathWav,
    EmbeddingsFolder,
    MapsFolder,
}

impl FileTarget {
    /// What the path field asks for.
    pub fn prompt(self) -> &'static str {
        match self {
            Self::DataFolder => "Dataset folder to open",
            Self::OpenModel => "Model file to open",
            Self::SaveModel => "Save the model as",
            Self::PathWav => "Save the path as",
            Self::EmbeddingsFolder => "Folder for embeddings.csv, vectors.tsv and metadata.tsv",
            Self::MapsFolder => "Folder for the map PNGs",
        }
    }

    /// The button that confirms the path field.
    pub fn verb(self) -> &'static str {
        match self {
            Self::DataFolder | Self::OpenModel => "Open",
            Self::SaveModel | Self::PathWav => "Save",
            Self::EmbeddingsFolder | Self::MapsFolder => "Export",
        }
    }
}

/// A user's request.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenFolderDialog,
    /// Open a folder, or the built-in synthetic demo set (with its shipped model).
    LoadData(DataSource),
    UseShippedModel(Shipped),
    CancelLoad,
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
    /// A click on a segment: select it as A and play its original audio.
    Select(usize),
    /// A shift-click: select it as B (the other end of the interpolation) and play it.
    SelectB(usize),
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
    /// The slider was let go: stop looping.
    ReleaseT,
    SetPathKind(PathKind),
    SetSteps(usize),
    SetLooping(bool),
    /// Play every step of the path one after another.
    PlayPath,
    /// A's original audio, what the model sees, its reconstruction, or all three.
    PlayVersion {
        segment: usize,
        version: ClipVersion,
    },
    SetLoudness(Loudness),
    SetColorBy(ColorBy),
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
    Clip(PreparedClip),
    Decoded(Box<Decoded>),
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
