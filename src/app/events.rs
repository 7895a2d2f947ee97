//! What flows into the one place that changes state: `Command`s from the panels (what the user
//! asked for) and `Event`s from worker threads (what finished).

use std::path::PathBuf;

use crate::dataset::{Dataset, LoadProgress};
use crate::experiment::Experiment;
use crate::model::SavedModel;
use crate::projection::Projection;
use crate::train::EpochReport;

use super::state::{ModelMaps, Tab};

/// A user's request, returned by the panels.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenFolderDialog,
    LoadFolder(PathBuf),
    CancelLoad,
    StartTraining,
    CancelTraining,
    OpenModelDialog,
    LoadModel(PathBuf),
    SaveModelDialog,
    SaveModel(PathBuf),
    /// The segment under the pointer on any map (None: nothing).
    Hover(Option<usize>),
    /// A click on a segment: select it and play its original audio.
    Select(usize),
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
        result: Result<Dataset, String>,
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
        result: Result<ModelMaps, String>,
    },
    ModelLoaded {
        path: PathBuf,
        result: Result<SavedModel, String>,
    },
    ModelSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    FolderPicked(Option<PathBuf>),
    ModelFilePicked {
        save: bool,
        path: Option<PathBuf>,
    },
    ClipReady {
        request: u64,
        result: Result<Box<[f32]>, String>,
    },
}
