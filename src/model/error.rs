//! Why a model cannot be built or run: its settings, its standardisation, its tensors.

use super::config::{ConfigError, ModelKind};
use super::norm::NormError;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("invalid model settings: {0}")]
    Config(#[from] ConfigError),
    #[error("invalid input standardisation: {0}")]
    Norm(#[from] NormError),
    #[error("the model has no {0}")]
    Missing(&'static str),
    #[error("expected {expected} values per row, got {got}")]
    Shape { expected: usize, got: usize },
    #[error("tensor {name} is missing (a {kind} needs it)")]
    MissingTensor { name: String, kind: ModelKind },
    #[error(
        "tensor {name} is {got:?} but a {kind} on {input_dim}-d input with {n_classes} genres \
        needs {expected:?}"
    )]
    TensorShape {
        name: String,
        got: Vec<usize>,
        expected: Vec<usize>,
        kind: ModelKind,
        input_dim: usize,
        n_classes: usize,
    },
    #[error("tensor {name} is not part of a {kind} (is this a model of another kind?)")]
    ExtraTensor { name: String, kind: ModelKind },
    #[error(
        "tensor {name} holds {value} at position {index}; a usable model has only finite weights"
    )]
    NonFinite {
        name: String,
        index: usize,
        value: f32,
    },
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, ModelError>;
