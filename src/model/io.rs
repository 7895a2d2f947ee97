//! Saving and loading models as safetensors. The file describes itself: the model settings, the
//! genre names and the ingestion parameters sit in its metadata, so a saved model can be checked
//! against a folder before it is used. Writes are atomic (temporary file, then rename).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::config::{ModelConfig, TrainConfig};
use super::network::{Model, ModelError};
use super::norm::BandNorm;
use crate::dataset::{Dataset, FeatureConfig, Representation, Split, SplitConfig};
use crate::files::{read_regular_file, write_atomic, FileError};
use crate::tables::report::EvalReport;

/// Metadata key whose value marks a genrescope model file and its format version.
const FORMAT_KEY: &str = "genrescope.format";
const FORMAT_VALUE: &str = "genrescope-model/1";
const META_KEY: &str = "genrescope.meta";

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

pub struct SavedModel {
    pub model: Model,
    pub meta: ModelMeta,
}

/// Model files larger than this are not genrescope models (ours are a few megabytes).
pub const MAX_MODEL_BYTES: u64 = 512 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(
        "{} is not a safetensors model file ({detail}); pick a .safetensors file saved by \
        genrescope",
        path.display()
    )]
    NotSafetensors { path: PathBuf, detail: String },
    #[error(
        "{} is a safetensors file but not a genrescope model (no genrescope metadata); \
         genrescope opens only models it saved",
        path.display()
    )]
    NotGenrescope { path: PathBuf },
    #[error(
        "{} was saved by another version of genrescope ({found}); retrain it with this version",
        path.display()
    )]
    Version { path: PathBuf, found: String },
    #[error(
        "{}: the model description in its metadata is damaged ({detail}); the model file is \
         unusable: retrain it or open another",
        path.display()
    )]
    Metadata { path: PathBuf, detail: String },
    #[error("{}: the weights do not match the model it describes: {error}", path.display())]
    Architecture { path: PathBuf, error: ModelError },
    #[error("cannot save the model: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// Saves `model` and `meta` to `path`, replacing it only once the new file is complete.
pub fn save(path: &Path, model: &Model, meta: &ModelMeta) -> Result<(), ModelFileError> {
    let named: Vec<(String, Vec<usize>, Vec<u8>)> = model
        .named_tensors()?
        .into_iter()
        .map(|(name, t)| {
            let dims = t.dims().to_vec();
            let bytes = t
                .flatten_all()?
                .to_vec1::<f32>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            Ok((name, dims, bytes))
        })
        .collect::<Result<_, candle_core::Error>>()?;
    let meta_err = |detail: String| ModelFileError::Metadata {
        path: path.to_path_buf(),
        detail,
    };
    let views = named
        .iter()
        .map(|(name, dims, bytes)| {
            TensorView::new(Dtype::F32, dims.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| meta_err(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The standardisation the weights were trained with is the model's own, whatever `meta` says.
    let meta = ModelMeta {
        input_norm: model.norm().cloned(),
        ..meta.clone()
    };
    let meta_json = serde_json::to_string(&meta).map_err(|e| meta_err(e.to_string()))?;
    let metadata = HashMap::from([
        (FORMAT_KEY.to_string(), FORMAT_VALUE.to_string()),
        (META_KEY.to_string(), meta_json),
    ]);
    let bytes = safetensors::tensor::serialize(views, Some(metadata))
        .map_err(|e| meta_err(e.to_string()))?;
    write_atomic(path, |w| w.write_all(&bytes))?;
    Ok(())
}

/// Loads a model saved by [`save`].
pub fn load(path: &Path) -> Result<SavedModel, ModelFileError> {
    let bytes = read_regular_file(path, MAX_MODEL_BYTES, "genrescope model file")?;
    load_bytes(&bytes, path)
}

/// Loads a model from the bytes of a model file; `path` only names it in errors.
pub fn load_bytes(bytes: &[u8], path: &Path) -> Result<SavedModel, ModelFileError> {
    let not_st = |detail: String| ModelFileError::NotSafetensors {
        path: path.to_path_buf(),
        detail,
    };
    let st = SafeTensors::deserialize(bytes).map_err(|e| not_st(e.to_string()))?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| not_st(e.to_string()))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    match metadata.get(FORMAT_KEY).map(String::as_str) {
        Some(FORMAT_VALUE) => {}
        Some(other) => {
            return Err(ModelFileError::Version {
                path: path.to_path_buf(),
                found: other.to_string(),
            })
        }
        None => {
            return Err(ModelFileError::NotGenrescope {
                path: path.to_path_buf(),
            })
        }
    }
    let meta_err = |detail: String| ModelFileError::Metadata {
        path: path.to_path_buf(),
        detail,
    };
    let meta: ModelMeta = serde_json::from_str(
        metadata
            .get(META_KEY)
            .ok_or_else(|| meta_err(format!("the {META_KEY} entry is missing")))?,
    )
    .map_err(|e| meta_err(e.to_string()))?;
    if meta.genres.len() != meta.model.n_classes {
        return Err(meta_err(format!(
            "{} genre names for a model with {} outputs",
            meta.genres.len(),
            meta.model.n_classes
        )));
    }
    meta.features
        .validate()
        .map_err(|e| meta_err(format!("its feature settings: {e}")))?;
    meta.model
        .validate()
        .map_err(|e| meta_err(format!("its model settings: {e}")))?;
    if meta.features.dim() != meta.model.input_dim {
        return Err(meta_err(format!(
            "{}-d features for a model with {}-d input",
            meta.features.dim(),
            meta.model.input_dim
        )));
    }
    let arch_err = |error: ModelError| ModelFileError::Architecture {
        path: path.to_path_buf(),
        error,
    };
    let mut tensors = HashMap::new();
    for (name, view) in st.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(meta_err(format!(
                "tensor {name} is {:?}, genrescope models are F32",
                view.dtype()
            )));
        }
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let t = Tensor::from_vec(values, view.shape(), &Device::Cpu)
            .map_err(|e| arch_err(ModelError::Candle(e)))?;
        tensors.insert(name, t);
    }
    let model = Model::from_tensors(meta.model, tensors)
        .and_then(|m| m.with_norm(meta.input_norm.clone()))
        .map_err(arch_err)?;
    Ok(SavedModel { model, meta })
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
