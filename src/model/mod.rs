//! The paper's three networks (`config`, `network`), their input standardisation (`norm`) and
//! their files (`io`).

mod activate;
pub mod adam;
pub mod config;
mod dense;
pub mod error;
mod fused;
mod input_map;
pub mod io;
pub mod kl;
pub mod meta;
mod mse;
pub mod network;
pub mod norm;
pub mod shipped;

pub use crate::tables::metrics::{argmax_rows, softmax_rows};
pub use config::{
    Activation, ConfigError, LayerSpec, ModelConfig, ModelKind, Regularization, TrainConfig,
    VaeWeights, BOTTLENECK_DIM,
};
pub use io::{load, save, ModelFileError, SavedModel};
pub use meta::{FitError, ModelMeta, TrackStamp, TrainingRecord};
pub use mse::mse;
pub use network::{Dropout, Inference, Model, ModelError, Posterior};
pub use norm::BandNorm;
