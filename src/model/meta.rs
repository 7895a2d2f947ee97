//! What a model file says about its model besides the weights: its settings, genres and
//! feature pipeline, how it was trained, and whether it fits a dataset (and was trained on it).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::config::{ModelConfig, TrainConfig};
use super::norm::BandNorm;
use crate::dataset::{Dataset, FeatureConfig, Representation, Split, SplitConfig, SplitProtocol};
use crate::tables::crossval::CrossValidation;
use crate::tables::report::EvalReport;

/// One track a model was trained (or held out) on: known by what its samples hash to, so it is
/// recognised in any folder and any format; its path and size say where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackStamp {
    /// Relative to the folder trained on.
    pub path: String,
    pub size_bytes: u64,
    /// `fnv64:…` of the samples its segments were made of (`features::ContentHash`).
    pub content: String,
    /// Where training put it: `train` if any of its segments was trained on.
    pub split: Split,
}

/// How a content hash is written in a stamp.
pub fn content_key(content: u64) -> String {
    format!("fnv64:{content:016x}")
}

impl TrackStamp {
    /// The stamps of `dataset`'s tracks under `splits` (one per segment).
    pub fn of(dataset: &Dataset, splits: &[Split]) -> Vec<TrackStamp> {
        let root = dataset.source.folder();
        let mut track_split: Vec<Option<Split>> = vec![None; dataset.tracks.len()];
        for (segment, &split) in dataset.segments.iter().zip(splits) {
            let slot = &mut track_split[segment.track];
            // Heard in training beats held out: a segment split leaks tracks into every split.
            *slot = Some(match *slot {
                Some(Split::Train) => Split::Train,
                Some(other) if split != Split::Train => other.min(split),
                _ => split,
            });
        }
        dataset
            .tracks
            .iter()
            .zip(track_split)
            .map(|(track, split)| TrackStamp {
                path: root
                    .and_then(|r| track.path.strip_prefix(r).ok())
                    .unwrap_or(&track.path)
                    .display()
                    .to_string(),
                size_bytes: track.size_bytes,
                content: content_key(track.content),
                split: split.unwrap_or(Split::Excluded),
            })
            .collect()
    }
}

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
    /// With `best_on_dev`: the epoch whose weights were kept (the file holds those).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_epoch: Option<usize>,
    pub seconds: f64,
    pub report: Option<EvalReport>,
    /// Every track of the folder trained on, with where training put it (files saved before
    /// stamps have none: they fall back to `data_fingerprint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<TrackStamp>,
    /// Cross-validation run before this model was trained on every track, when there was one:
    /// the estimate of how it does on tracks it never heard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossval: Option<CrossValidation>,
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
    /// For each track of `dataset`, where the model's training put it, if the model knows it:
    /// by content from its stamps, or (files saved before stamps) every track when the whole
    /// folder is the one it was trained on.
    pub fn track_splits(&self, dataset: &Dataset) -> Vec<Option<Split>> {
        let Some(record) = self.training.as_ref() else {
            return vec![None; dataset.tracks.len()];
        };
        if record.tracks.is_empty() {
            let whole = self.trained_on(dataset);
            let splits = whole
                .then(|| self.recomputed_splits(dataset))
                .flatten()
                .map(|s| TrackStamp::of(dataset, &s));
            return match splits {
                Some(stamps) => stamps.into_iter().map(|s| Some(s.split)).collect(),
                None => vec![whole.then_some(Split::Train); dataset.tracks.len()],
            };
        }
        let known: std::collections::HashMap<&str, Split> = record
            .tracks
            .iter()
            .map(|t| (t.content.as_str(), t.split))
            .collect();
        dataset
            .tracks
            .iter()
            .map(|t| known.get(content_key(t.content).as_str()).copied())
            .collect()
    }

    /// How many of `dataset`'s tracks the model was trained on (heard in training).
    pub fn tracks_in_training(&self, dataset: &Dataset) -> usize {
        self.track_splits(dataset)
            .iter()
            .filter(|s| **s == Some(Split::Train))
            .count()
    }

    /// The model was trained on exactly this folder's tracks (by content, wherever the folder
    /// is now), or, for files saved before fingerprints, on the same folder path.
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

    /// The seeded split recomputed on the very data trained on (same tracks, genres, cutting).
    fn recomputed_splits(&self, dataset: &Dataset) -> Option<Vec<Split>> {
        let record = self.training.as_ref()?;
        let same = self.genres == dataset.genres && self.features == dataset.features;
        same.then(|| dataset.splits(&record.split).ok()).flatten()
    }

    /// Each segment's split during training, where it can be known: for the paper's segment
    /// split only on the very folder trained on (the seeded shuffle is recomputed); for track
    /// splits from the stamps, on any folder holding some of those tracks (the others `None`).
    pub fn training_splits(&self, dataset: &Dataset) -> Option<Vec<Split>> {
        let record = self.training.as_ref()?;
        if record.split.protocol == SplitProtocol::Segment || record.tracks.is_empty() {
            return self
                .trained_on(dataset)
                .then(|| self.recomputed_splits(dataset))
                .flatten();
        }
        let per_track = self.track_splits(dataset);
        per_track.iter().any(Option::is_some).then(|| {
            dataset
                .segments
                .iter()
                .map(|s| per_track[s.track].unwrap_or(Split::Excluded))
                .collect()
        })
    }

    /// For each genre of the data, the model's output for it. Every data genre must be one the
    /// model knows (the data may have fewer), and vectors must be made the same way.
    pub fn genre_map(
        &self,
        data_genres: &[String],
        data_features: &FeatureConfig,
    ) -> Result<Vec<usize>, FitError> {
        self.fits_vectors(data_features)?;
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

impl ModelMeta {
    /// Vectors made with `features` are the model's kind of input.
    pub fn fits_vectors(&self, features: &FeatureConfig) -> Result<(), FitError> {
        if same_vectors(features, &self.features) {
            Ok(())
        } else {
            Err(FitError::Features {
                model: Box::new(self.features),
                data: Box::new(*features),
            })
        }
    }

    /// The model can be used on `dataset` read with `features`: a labelled folder's genres must
    /// be ones it knows; a library has no labels to check, only its vectors.
    pub fn fits_data(&self, dataset: &Dataset, features: &FeatureConfig) -> Result<(), FitError> {
        if dataset.is_library() {
            self.fits_vectors(features)
        } else {
            self.genre_map(&dataset.genres, features).map(|_| ())
        }
    }
}

/// Two settings make the same kind of vector (how many segments a track gives does not matter).
fn same_vectors(a: &FeatureConfig, b: &FeatureConfig) -> bool {
    let cut = a.sample_rate_hz == b.sample_rate_hz
        && a.segment_samples == b.segment_samples
        && a.input == b.input;
    cut && (a.input != Representation::Waveform || a.pool == b.pool)
}
