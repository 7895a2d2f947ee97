//! The models that ship with genrescope (in `models/`, each with a model card), built into the
//! binary so the app opens on them from any directory.

use std::path::Path;

use crate::dataset::{Dataset, FeatureConfig};
use crate::model::io::load_bytes;
use crate::model::{ModelFileError, SavedModel};

/// A DSAE trained on the built-in demo set: what the window opens with.
pub const DEMO_MODEL_PATH: &str = "models/demo-dsae.safetensors";
const DEMO_MODEL: &[u8] = include_bytes!("../models/demo-dsae.safetensors");

/// A DSAE trained on all 32 tracks of ../shared/gtzan-mini (classical, jazz, metal, pop).
pub const GTZAN_MODEL_PATH: &str = "models/gtzan-mini-dsae.safetensors";
const GTZAN_MODEL: &[u8] = include_bytes!("../models/gtzan-mini-dsae.safetensors");

pub fn demo_model() -> Result<SavedModel, ModelFileError> {
    load_bytes(DEMO_MODEL, Path::new(DEMO_MODEL_PATH))
}

pub fn gtzan_model() -> Result<SavedModel, ModelFileError> {
    load_bytes(GTZAN_MODEL, Path::new(GTZAN_MODEL_PATH))
}

/// The shipped GTZAN model can be used on this data: the paper's four genres, cut the same way.
pub fn gtzan_model_fits(dataset: &Dataset) -> bool {
    let paper = ["classical", "jazz", "metal", "pop"];
    dataset.genres.len() == paper.len()
        && dataset.genres.iter().zip(paper).all(|(g, p)| g == p)
        && dataset.features == FeatureConfig::default()
}
