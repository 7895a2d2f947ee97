//! Saving and loading models as safetensors. The file describes itself: the model settings, the
//! genre names and the ingestion parameters sit in its metadata, so a saved model can be checked
//! against a folder before it is used. Writes are atomic (temporary file, then rename).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::meta::ModelMeta;
use super::network::{Model, ModelError};
use crate::files::{read_regular_file, write_atomic, FileError};

/// Metadata key whose value marks a genrescope model file and its format version.
const FORMAT_KEY: &str = "genrescope.format";
const FORMAT_VALUE: &str = "genrescope-model/1";
const META_KEY: &str = "genrescope.meta";
/// A checksum of the metadata and every tensor's bytes (files saved before it have none).
const CHECKSUM_KEY: &str = "genrescope.checksum";

/// FNV-64 of the metadata and of each tensor, by name, in name order: one flipped bit in a
/// saved model changes it. Not a defence against tampering, only against damage.
fn checksum<'a>(meta_json: &str, tensors: impl Iterator<Item = (&'a str, &'a [u8])>) -> String {
    use std::hash::Hasher;
    let mut named: Vec<(&str, &[u8])> = tensors.collect();
    named.sort_by_key(|(name, _)| *name);
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(meta_json.as_bytes());
    for (name, bytes) in named {
        hasher.write_u8(0);
        hasher.write(name.as_bytes());
        hasher.write_u8(0);
        hasher.write(bytes);
    }
    format!("fnv64:{:016x}", hasher.finish())
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
    #[error(
        "{} is damaged: its contents do not match the checksum saved with them (a changed byte, \
         or a copy cut short); open another copy of the model or train it again",
        path.display()
    )]
    Damaged { path: PathBuf },
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
    let sum = checksum(
        &meta_json,
        named.iter().map(|(n, _, b)| (n.as_str(), b.as_slice())),
    );
    let metadata = HashMap::from([
        (FORMAT_KEY.to_string(), FORMAT_VALUE.to_string()),
        (META_KEY.to_string(), meta_json),
        (CHECKSUM_KEY.to_string(), sum),
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
    let meta_json = metadata
        .get(META_KEY)
        .ok_or_else(|| meta_err(format!("the {META_KEY} entry is missing")))?;
    if let Some(saved_sum) = metadata.get(CHECKSUM_KEY) {
        let views = st.tensors();
        let sum = checksum(meta_json, views.iter().map(|(n, v)| (n.as_str(), v.data())));
        if sum != *saved_sum {
            return Err(ModelFileError::Damaged {
                path: path.to_path_buf(),
            });
        }
    }
    let meta: ModelMeta = serde_json::from_str(meta_json).map_err(|e| meta_err(e.to_string()))?;
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
