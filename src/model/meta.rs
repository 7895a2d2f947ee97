//! What a model file says about its model besides the weights: its settings, genres and
//! feature pipeline, how it was trained, and whether it fits a dataset (and was trained on it).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::config::{ModelConfig, TrainConfig};
use super::norm::BandNorm;
use crate::dataset::{Dataset, FeatureConfig, Representation, Split, SplitConfig};
use crate::tables::report::EvalReport;

/// How a model was made, kept with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub train: TrainConfig,
    pub split: SplitConfig,
    /// The folder (or demo set) it was trained on, as given.
    pub data: String,
    /// What that folder held ([`Dataset::fingerprint`]): decides "trained on this folder?"
    /// wherever the folder is. Files saved before it existed compare `data` as a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_fingerprint: Option<String>,
    pub epochs_run: usize,
    pub seconds: f64,
    pub report: Option<EvalReport>,
}

/// Everything in a model file besides the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub model: ModelConfig,
    /// Label order of the classifier.
    pub genres: Vec<String>,
    /// How the training data was cut and pooled; new data must be made the same way.
    pub features: FeatureConfig,
    pub training: Option<TrainingRecord>,
    /// Per-band input standardisation (log-mel models), fitted on the training split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_norm: Option<BandNorm>,
}

/// Why a model cannot be used on a dataset.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FitError {
    #[error(
        "the model knows the genres {} but this data has {}; open a folder with those genres or \
         train a new model on this one",
        model.join(", "),
        unknown.join(", ")
    )]
    Genres {
        model: Vec<String>,
        unknown: Vec<String>,
    },
    #[error(
        "the model expects {}-d vectors ({}) but this data has {}-d vectors ({}); reload the \
         folder with the model's settings",
        model.dim(),
        model.describe(),
        data.dim(),
        data.describe()
    )]
    Features {
        model: Box<FeatureConfig>,
        data: Box<FeatureConfig>,
    },
}

impl ModelMeta {
    /// The model was trained on this data: the same tracks by content (wherever the folder is
    /// now), or, for files saved before fingerprints, the same folder path.
    pub fn trained_on(&self, dataset: &Dataset) -> bool {
        let Some(record) = self.training.as_ref() else {
            return false;
        };
        match &record.data_fingerprint {
            Some(fingerprint) => *fingerprint == dataset.fingerprint(),
            None => {
                let canonical =
                    |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                canonical(Path::new(&record.data))
                    == canonical(Path::new(&dataset.source.to_string()))
            }
        }
    }

    /// Each segment's split during training, when the model was trained on this very data (same
    /// tracks, genres and cutting): the seeded split can be recomputed exactly.
    pub fn training_splits(&self, dataset: &Dataset) -> Option<Vec<Split>> {
        let record = self.training.as_ref()?;
        let same = self.trained_on(dataset)
            && self.genres == dataset.genres
            && self.features == dataset.features;
        same.then(|| dataset.splits(&record.split).ok()).flatten()
    }

    /// For each genre of the data, the model's output for it. Every data genre must be one the
    /// model knows (the data may have fewer), and vectors must be made the same way.
    pub fn genre_map(
        &self,
        data_genres: &[String],
        data_features: &FeatureConfig,
    ) -> Result<Vec<usize>, FitError> {
        if !same_vectors(data_features, &self.features) {
            return Err(FitError::Features {
                model: Box::new(self.features),
                data: Box::new(*data_features),
            });
        }
        let unknown: Vec<String> = data_genres
            .iter()
            .filter(|g| !self.genres.contains(g))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(FitError::Genres {
                model: self.genres.clone(),
                unknown,
            });
        }
        Ok(data_genres
            .iter()
            .map(|g| self.genres.iter().position(|m| m == g).unwrap_or(0))
            .collect())
    }
}

/// Two settings make the same kind of vector (how many segments a track gives does not matter).
fn same_vectors(a: &FeatureConfig, b: &FeatureConfig) -> bool {
    let cut = a.sample_rate_hz == b.sample_rate_hz
        && a.segment_samples == b.segment_samples
        && a.input == b.input;
    cut && (a.input != Representation::Waveform || a.pool == b.pool)
}
