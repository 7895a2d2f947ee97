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
use super::network::Model;
use crate::dataset::{Dataset, FeatureConfig, Split, SplitConfig};
use crate::report::EvalReport;

/// Metadata key whose value marks a genrescope model file and its format version.
const FORMAT_KEY: &str = "genrescope.format";
const FORMAT_VALUE: &str = "genrescope-model/1";
const META_KEY: &str = "genrescope.meta";

/// How a model was made, kept with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub train: TrainConfig,
    pub split: SplitConfig,
    /// The folder (or demo set) it was trained on.
    pub data: String,
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
}

pub struct SavedModel {
    pub model: Model,
    pub meta: ModelMeta,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}; check that the folder exists and is writable", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a safetensors model file ({detail}); pick a .safetensors file saved by genrescope", path.display())]
    NotSafetensors { path: PathBuf, detail: String },
    #[error("{} is a safetensors file but not a genrescope model (no genrescope metadata); genrescope opens only models it saved", path.display())]
    NotGenrescope { path: PathBuf },
    #[error("{} was saved by another version of genrescope ({found}); retrain it with this version", path.display())]
    Version { path: PathBuf, found: String },
    #[error("{}: the model description in its metadata is damaged ({detail})", path.display())]
    Metadata { path: PathBuf, detail: String },
    #[error("{}: the weights do not match the model it describes: {detail}", path.display())]
    Architecture { path: PathBuf, detail: String },
    #[error("cannot save the model: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// Saves `model` and `meta` to `path`, replacing it only once the new file is complete.
pub fn save(path: &Path, model: &Model, meta: &ModelMeta) -> Result<(), ModelFileError> {
    let write_err = |source| ModelFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let named: Vec<(String, Vec<usize>, Vec<u8>)> = model
        .named_tensors()
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
    let views = named
        .iter()
        .map(|(name, dims, bytes)| {
            TensorView::new(Dtype::F32, dims.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| ModelFileError::Metadata {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let meta_json = serde_json::to_string(meta).map_err(|e| ModelFileError::Metadata {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let metadata = HashMap::from([
        (FORMAT_KEY.to_string(), FORMAT_VALUE.to_string()),
        (META_KEY.to_string(), meta_json),
    ]);
    let bytes = safetensors::tensor::serialize(views, Some(metadata)).map_err(|e| {
        ModelFileError::Metadata {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile makes private (0600) files, and the rename keeps that: a saved model gets the
    // permissions of any other file the user writes.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(write_err)?;
    tmp.write_all(&bytes).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(path).map_err(|e| write_err(e.error))?;
    Ok(())
}

/// Loads a model saved by [`save`].
pub fn load(path: &Path) -> Result<SavedModel, ModelFileError> {
    let bytes = std::fs::read(path).map_err(|source| ModelFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
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
    if meta.features.dim() != meta.model.input_dim {
        return Err(meta_err(format!(
            "{}-d features for a model with {}-d input",
            meta.features.dim(),
            meta.model.input_dim
        )));
    }
    let arch_err = |detail: String| ModelFileError::Architecture {
        path: path.to_path_buf(),
        detail,
    };
    let mut tensors = HashMap::new();
    for (name, view) in st.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(arch_err(format!(
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
            .map_err(|e| arch_err(format!("tensor {name}: {e}")))?;
        tensors.insert(name, t);
    }
    let model = Model::from_tensors(meta.model, tensors).map_err(arch_err)?;
    Ok(SavedModel { model, meta })
}

/// Why a model cannot be used on a dataset.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FitError {
    #[error("the model knows the genres {} but this data has {}; open a folder with those genres or train a new model on this one", model.join(", "), unknown.join(", "))]
    Genres {
        model: Vec<String>,
        unknown: Vec<String>,
    },
    #[error("the model expects {}-d vectors ({}) but this data has {}-d vectors ({}); reload the folder with the model's settings", model.dim(), describe(model), data.dim(), describe(data))]
    Features {
        model: FeatureConfig,
        data: FeatureConfig,
    },
}

fn describe(f: &FeatureConfig) -> String {
    format!(
        "segments of {} samples at {} Hz pooled by {}",
        f.segment_samples, f.sample_rate_hz, f.pool
    )
}

impl ModelMeta {
    /// The model was trained on the folder `root` (paths compared once resolved, so
    /// `../shared/x` and `/work/shared/x` are the same folder).
    pub fn trained_on(&self, root: &Path) -> bool {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        self.training
            .as_ref()
            .is_some_and(|t| canonical(Path::new(&t.data)) == canonical(root))
    }

    /// Each segment's split during training, when the model was trained on this very data (same
    /// folder, genres and cutting): the seeded split can be recomputed exactly.
    pub fn training_splits(&self, dataset: &Dataset) -> Option<Vec<Split>> {
        let record = self.training.as_ref()?;
        let same = self.trained_on(&dataset.root)
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
        if data_features.dim() != self.features.dim()
            || data_features.pool != self.features.pool
            || data_features.sample_rate_hz != self.features.sample_rate_hz
        {
            return Err(FitError::Features {
                model: self.features,
                data: *data_features,
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
