//! Where a new file lands on the maps: decoded with the model's pipeline, every segment
//! encoded and projected through the data's maps (which do not move), with the model's verdict
//! and the data's clips nearest it.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::neighbours::nearest;
use crate::audio::DecodeError;
use crate::dataset::features::{extract_track, FeatureConfig};
use crate::maps::projection::{Projection, ProjectionError};
use crate::maps::ModelMaps;
use crate::model::{softmax_rows, ModelError, SavedModel};

/// The maps a placement projects through, fitted on the loaded data.
pub struct MapsOfData<'a> {
    pub raw: Option<&'a Projection>,
    pub code: Option<&'a Projection>,
    pub logits: Option<&'a Projection>,
    /// The data's codes (rows of the model's code width), for the nearest clips.
    pub codes: &'a [f32],
}

impl<'a> MapsOfData<'a> {
    /// A model's maps of the data, with the raw map fitted on its input.
    pub fn new(maps: &'a ModelMaps, raw: Option<&'a Projection>) -> Self {
        Self {
            raw,
            code: maps.code_map.as_ref().ok(),
            logits: maps.logits_map.as_ref().and_then(|m| m.as_ref().ok()),
            codes: &maps.inference.code,
        }
    }
}

/// One segment of a placed file.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedSegment {
    pub index: usize,
    pub start_secs: f64,
    pub raw_xy: Option<[f64; 2]>,
    pub code_xy: Option<[f64; 2]>,
    pub logits_xy: Option<[f64; 2]>,
    /// Genre probabilities (the model's genre order), for classifiers.
    pub probabilities: Option<Vec<f32>>,
}

/// Where a file's segments land on the maps, and what the model makes of them.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    pub path: String,
    pub segments: Vec<PlacedSegment>,
    /// Mean of the segments' probabilities, and the genre it points to.
    pub overall: Option<Vec<f32>>,
    pub verdict: Option<usize>,
    /// The data's clips nearest to the file's mean code, with distances.
    pub nearest: Vec<(usize, f32)>,
    /// The file's codes, one row per segment.
    #[serde(skip)]
    pub codes: Vec<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

/// Most segments of a placed file (about 3 minutes at the paper's cut).
pub const MAX_PLACED_SEGMENTS: usize = 200;

/// Decodes `path` with the model's pipeline, encodes every segment and places them through the
/// data's maps (which do not move).
pub fn place(
    path: &Path,
    saved: &SavedModel,
    maps: &MapsOfData,
    neighbours: usize,
) -> Result<Placement, PlaceError> {
    let features = FeatureConfig {
        max_segments_per_track: Some(MAX_PLACED_SEGMENTS),
        ..saved.meta.features
    };
    let track = extract_track(path, &features, &AtomicBool::new(false))?;
    let inference = saved.model.infer(&track.vectors)?;
    let n_classes = saved.meta.model.n_classes;
    let probabilities = inference
        .logits
        .as_ref()
        .map(|l| softmax_rows(l, n_classes));
    let through =
        |map: Option<&Projection>, rows: &[f32]| -> Result<Vec<Option<[f64; 2]>>, PlaceError> {
            Ok(match map {
                Some(m) => m.project(rows)?.into_iter().map(Some).collect(),
                None => vec![None; track.n_segments],
            })
        };
    let raw = through(maps.raw, &track.vectors)?;
    let code = through(maps.code, &inference.code)?;
    let logits = match (&inference.logits, maps.logits) {
        (Some(l), Some(m)) => through(Some(m), l)?,
        _ => vec![None; track.n_segments],
    };
    let secs = features.segment_secs();
    let segments = (0..track.n_segments)
        .map(|k| PlacedSegment {
            index: k,
            start_secs: k as f64 * secs,
            raw_xy: raw[k],
            code_xy: code[k],
            logits_xy: logits[k],
            probabilities: probabilities
                .as_ref()
                .map(|p| p[k * n_classes..(k + 1) * n_classes].to_vec()),
        })
        .collect();
    let overall = probabilities.as_ref().map(|p| {
        let mut mean = vec![0.0f32; n_classes];
        for row in p.chunks_exact(n_classes) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / track.n_segments as f32;
            }
        }
        mean
    });
    let verdict = overall.as_ref().and_then(|o| {
        o.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(g, _)| g)
    });
    let dim = inference.code_dim;
    let mut mean_code = vec![0.0f32; dim];
    for row in inference.code.chunks_exact(dim) {
        for (m, v) in mean_code.iter_mut().zip(row) {
            *m += v / track.n_segments as f32;
        }
    }
    Ok(Placement {
        path: path.display().to_string(),
        segments,
        overall,
        verdict,
        nearest: nearest(maps.codes, dim, &mean_code, neighbours, None),
        codes: inference.code,
    })
}
