//! Instruments for the latent space, beyond the paper's interpolation (its future work asks to
//! "interpolate components in our encodings to interpret the latent space" and for "musical
//! style transfer"): the code under any point of the bottleneck map, a code walked along the
//! map's principal components, a code moved toward a genre, the nearest clips in any space, where
//! a new file lands on the maps, and the clips inside a drawn region. Pure: the window and the
//! command line both use these.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::audio::DecodeError;
use crate::dataset::features::{extract_track, FeatureConfig};
use crate::dataset::Dataset;
use crate::maps::ModelMaps;
use crate::model::{softmax_rows, FitError, Inference, ModelError, ModelMeta, SavedModel};
use crate::projection::{Projection, ProjectionError};

/// Where a probe's code gets the dimensions the map does not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffPlane {
    /// On the map's plane: the mean code plus the two components at the point.
    #[default]
    Plane,
    /// The point's plane position plus the off-plane part of the nearest clip's code, so the
    /// probe sounds like music where there is music.
    NearestClip,
}

/// The code under map point `xy` of `map` (fitted on `codes`, rows of `dim`), and the nearest
/// clip on the map.
pub fn probe_code(
    map: &Projection,
    codes: &[f32],
    dim: usize,
    xy: [f64; 2],
    off: OffPlane,
) -> (Vec<f32>, Option<usize>) {
    let mut code = map.lift(xy);
    let nearest = map
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (i, (p[0] - xy[0]).powi(2) + (p[1] - xy[1]).powi(2)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    if let (OffPlane::NearestClip, Some(i)) = (off, nearest) {
        if let Some(clip) = codes.get(i * dim..(i + 1) * dim) {
            // The clip's code minus its own lift: what the plane leaves out of it.
            let on_plane = map.lift(map.points[i]);
            for ((c, x), p) in code.iter_mut().zip(clip).zip(&on_plane) {
                *c += x - p;
            }
        }
    }
    (code, nearest)
}

/// `code` moved along the map's principal components: `sigmas[k]` standard deviations of
/// component k.
pub fn walk(code: &[f32], map: &Projection, sigmas: &[f32]) -> Vec<f32> {
    let mut out = code.to_vec();
    for (k, &s) in sigmas.iter().enumerate().take(map.component_count()) {
        let step = s * map.std.get(k).copied().unwrap_or(0.0) as f32;
        for (o, c) in out.iter_mut().zip(map.component(k)) {
            *o += step * c;
        }
    }
    out
}

/// The mean code of each genre's clips (`labels[i]` is clip i's genre); `None` for a genre
/// without clips.
pub fn centroids(
    codes: &[f32],
    dim: usize,
    labels: &[usize],
    genres: usize,
) -> Vec<Option<Vec<f32>>> {
    let mut sums = vec![vec![0.0f64; dim]; genres];
    let mut counts = vec![0usize; genres];
    for (row, &g) in codes.chunks_exact(dim).zip(labels) {
        if g < genres {
            counts[g] += 1;
            for (s, v) in sums[g].iter_mut().zip(row) {
                *s += f64::from(*v);
            }
        }
    }
    sums.into_iter()
        .zip(counts)
        .map(|(s, n)| (n > 0).then(|| s.iter().map(|v| (v / n as f64) as f32).collect()))
        .collect()
}

/// What moving toward a genre needs: each clip's genre as the model's output index, and the
/// centroid of each of the model's genres (`None` when the data has none of its clips).
pub struct GenreCentroids {
    pub labels: Vec<usize>,
    pub centres: Vec<Option<Vec<f32>>>,
}

/// [`GenreCentroids`] of `codes` (rows of `dim`, one per clip of `ds`).
pub fn genre_centroids(
    ds: &Dataset,
    meta: &ModelMeta,
    codes: &[f32],
    dim: usize,
) -> Result<GenreCentroids, FitError> {
    let genre_map = meta.genre_map(&ds.genres, &ds.features)?;
    let labels: Vec<usize> = (0..ds.len()).map(|i| genre_map[ds.label(i)]).collect();
    let centres = centroids(codes, dim, &labels, meta.genres.len());
    Ok(GenreCentroids { labels, centres })
}

/// The paper's style transfer: `code` moved by `alpha` times the step from one genre's
/// centroid to another's.
pub fn steer(code: &[f32], from: &[f32], to: &[f32], alpha: f32) -> Vec<f32> {
    code.iter()
        .zip(from.iter().zip(to))
        .map(|(c, (f, t))| c + alpha * (t - f))
        .collect()
}

/// The spaces nearest neighbours are searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    /// The model's input: pooled samples or log-mel patches
    Raw,
    /// The 64-d code
    #[default]
    Bottleneck,
    /// The classifier's outputs
    Logits,
}

impl Space {
    pub fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw input",
            Self::Bottleneck => "bottleneck",
            Self::Logits => "logits",
        }
    }

    /// The rows of this space for every clip of `ds` and their width; `None` for logits of a
    /// model without a classifier.
    pub fn rows<'a>(
        self,
        ds: &'a Dataset,
        inference: &'a Inference,
        n_classes: usize,
    ) -> Option<(&'a [f32], usize)> {
        match self {
            Self::Raw => Some((&ds.vectors, ds.dim())),
            Self::Bottleneck => Some((&inference.code, inference.code_dim)),
            Self::Logits => Some((inference.logits.as_deref()?, n_classes)),
        }
    }
}

/// The `k` rows of `rows` (each `dim` wide) nearest to `query` by Euclidean distance, nearest
/// first, leaving out `exclude`. Exact: every row is measured.
pub fn nearest(
    rows: &[f32],
    dim: usize,
    query: &[f32],
    k: usize,
    exclude: Option<usize>,
) -> Vec<(usize, f32)> {
    let mut all: Vec<(usize, f32)> = rows
        .chunks_exact(dim.max(1))
        .enumerate()
        .filter(|(i, _)| Some(*i) != exclude)
        .map(|(i, row)| {
            let d: f32 = row.iter().zip(query).map(|(a, b)| (a - b) * (a - b)).sum();
            (i, d.sqrt())
        })
        .collect();
    let k = k.min(all.len());
    if k == 0 {
        return Vec::new();
    }
    all.select_nth_unstable_by(k - 1, |a, b| a.1.total_cmp(&b.1));
    all.truncate(k);
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    all
}

/// The indices of `points` inside the polygon `outline` (ray casting; a box is a polygon of
/// four corners).
pub fn inside(points: &[[f64; 2]], outline: &[[f64; 2]]) -> Vec<usize> {
    if outline.len() < 3 {
        return Vec::new();
    }
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let mut inside = false;
            let mut j = outline.len() - 1;
            for i in 0..outline.len() {
                let (a, b) = (outline[i], outline[j]);
                if (a[1] > p[1]) != (b[1] > p[1])
                    && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
                {
                    inside = !inside;
                }
                j = i;
            }
            inside
        })
        .map(|(i, _)| i)
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_is_exact_and_ordered() {
        let rows = [0.0, 0.0, 3.0, 4.0, 1.0, 0.0, 0.0, 2.0];
        assert_eq!(
            nearest(&rows, 2, &[0.0, 0.0], 2, Some(0)),
            vec![(2, 1.0), (3, 2.0)]
        );
        assert_eq!(nearest(&rows, 2, &[0.0, 0.0], 10, None).len(), 4);
    }

    #[test]
    fn polygons_hold_what_is_inside() {
        let square = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let points = [[1.0, 1.0], [3.0, 1.0], [1.9, 0.1], [-0.1, 1.0]];
        assert_eq!(inside(&points, &square), vec![0, 2]);
    }

    #[test]
    fn steering_and_centroids() {
        let codes = [0.0, 0.0, 2.0, 0.0, 10.0, 10.0];
        let c = centroids(&codes, 2, &[0, 0, 1], 3);
        assert_eq!(c[0].as_deref(), Some(&[1.0, 0.0][..]));
        assert_eq!(c[2], None);
        let moved = steer(
            &[1.0, 1.0],
            c[0].as_ref().unwrap(),
            c[1].as_ref().unwrap(),
            0.5,
        );
        assert_eq!(moved, vec![5.5, 6.0]);
    }
}
