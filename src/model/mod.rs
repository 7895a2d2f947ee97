//! The paper's three networks (`config`, `network`) and their files (`io`).

pub mod config;
pub mod io;
pub mod network;

pub use config::{Activation, LayerSpec, ModelConfig, ModelKind, TrainConfig, BOTTLENECK_DIM};
pub use io::{load, save, FitError, ModelFileError, ModelMeta, SavedModel, TrainingRecord};
pub use network::{argmax_rows, softmax_rows, Dropout, Inference, Model, ModelError};
