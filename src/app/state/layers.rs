//! What drawing a map needs beyond its points: the map's default view, and the colour scales
//! computed once when a model's maps arrive.

use std::sync::OnceLock;

use crate::app::registry::JobId;
use crate::dataset::{Descriptor, Descriptors};
use crate::maps::method::MapMethod;
use crate::maps::projection::Projection;

use super::data::Derived;
use super::track_points::TrackPoints;

/// The three maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapId {
    Raw,
    Code,
    Logits,
}

impl MapId {
    pub const ALL: [MapId; 3] = [MapId::Raw, MapId::Code, MapId::Logits];

    /// Its name in files and plot ids ("map-raw").
    pub fn name(self) -> &'static str {
        match self {
            Self::Raw => "map-raw",
            Self::Code => "map-code",
            Self::Logits => "map-logits",
        }
    }

    /// Its name in exported columns ("raw", "code", "logits").
    pub fn short_name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Code => "code",
            Self::Logits => "logits",
        }
    }

    /// How a sentence names it ("the bottleneck map").
    pub fn describe(self) -> &'static str {
        match self {
            Self::Raw => "raw input",
            Self::Code => "bottleneck",
            Self::Logits => "logits",
        }
    }
}

/// What the map markers' colour shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorBy {
    #[default]
    Genre,
    /// Each clip's reconstruction error (models with a decoder).
    ReconstructionError,
    /// One of each clip's audio descriptors.
    Descriptor(Descriptor),
}

/// A map's points and what drawing them needs, computed once when the map arrives.
#[derive(Debug, Clone)]
pub struct MapLayer {
    pub projection: Projection,
    /// The default view: the 1st to 99th percentile of each axis with a margin, so a few
    /// outliers do not squash the rest into a dot. Zooming out still reaches them.
    pub bounds: [(f64, f64); 2],
    /// How the points were placed. Only a PCA map's points are `projection`'s own: anything
    /// else projected through `projection` (a path, a probe) lands on the PCA map, not this one.
    pub method: MapMethod,
}

impl MapLayer {
    pub fn new(projection: Projection) -> Self {
        let bounds = [0, 1].map(|axis| robust_range(&projection.points, axis));
        Self {
            projection,
            bounds,
            method: MapMethod::Pca,
        }
    }

    /// The points of a non-linear map of the same rows as the PCA map `pca`.
    pub fn embedded(pca: &Projection, points: Vec<[f64; 2]>, method: MapMethod) -> Self {
        let mut projection = pca.clone();
        projection.points = points;
        Self {
            method,
            ..Self::new(projection)
        }
    }

    /// Whether things projected through the PCA fit (paths, a probe, directions) belong on it.
    pub fn is_linear(&self) -> bool {
        self.method.is_linear()
    }
}

/// A map drawn by a non-linear method (t-SNE, UMAP), computed on a worker when asked for.
pub struct Embedded {
    pub method: MapMethod,
    pub layer: Derived<MapLayer>,
    /// The job computing it, while it runs.
    pub job: Option<JobId>,
    /// The placed song's segments on this map (the weighted mean of their nearest clips'
    /// positions), found when the map or the placement arrives; empty without either.
    pub placed: Vec<[f64; 2]>,
    /// The map gathered by track, made once when first drawn so.
    pub track_points: OnceLock<TrackPoints>,
}

impl Embedded {
    pub fn computing(method: MapMethod, job: JobId) -> Self {
        Self {
            method,
            layer: Derived::Computing,
            job: Some(job),
            placed: Vec::new(),
            track_points: OnceLock::new(),
        }
    }
}

fn robust_range(points: &[[f64; 2]], axis: usize) -> (f64, f64) {
    let mut v: Vec<f64> = points
        .iter()
        .map(|p| p[axis])
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return (-1.0, 1.0);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.01), at(0.99));
    let margin = ((hi - lo) * 0.08).max(1e-9);
    (lo - margin, hi + margin)
}

/// Steps of a colour scale.
pub const ERROR_LEVELS: usize = 8;
/// The level of a clip that has no value on the scale (drawn grey).
pub const NO_LEVEL: u8 = u8::MAX;

/// A quantity of each clip on a colour scale between its 5th and 95th percentiles (on a log
/// scale for reconstruction errors), computed once when the data or the model's maps arrive.
#[derive(Debug, Clone)]
pub struct ColorScale {
    /// Each clip's level, 0 to `ERROR_LEVELS - 1`, or [`NO_LEVEL`].
    pub levels: Vec<u8>,
    /// The values at the scale's ends.
    pub low: f32,
    pub high: f32,
    pub log: bool,
}

impl ColorScale {
    /// Reconstruction errors on a log scale.
    pub fn errors(errors: &[f32]) -> Option<Self> {
        let values: Vec<Option<f32>> = errors.iter().map(|&e| Some(e)).collect();
        Self::new(&values, true)
    }

    /// Values (missing ones have no level), linear or logarithmic; `None` when none is there.
    pub fn new(values: &[Option<f32>], log: bool) -> Option<Self> {
        let to_scale = |v: f32| {
            if log {
                f64::from(v).max(1e-12).ln()
            } else {
                f64::from(v)
            }
        };
        let mut sorted: Vec<f64> = values.iter().flatten().map(|&v| to_scale(v)).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.05), at(0.95));
        let span = (hi - lo).max(1e-12);
        let levels = values
            .iter()
            .map(|v| match v {
                Some(v) => (((to_scale(*v) - lo) / span * ERROR_LEVELS as f64) as isize)
                    .clamp(0, ERROR_LEVELS as isize - 1) as u8,
                None => NO_LEVEL,
            })
            .collect();
        let back = |x: f64| if log { x.exp() as f32 } else { x as f32 };
        Some(Self {
            levels,
            low: back(lo),
            high: back(hi),
            log,
        })
    }

    /// The value at the lower edge of `level`.
    pub fn level_value(&self, level: usize) -> f32 {
        let fraction = level as f64 / ERROR_LEVELS as f64;
        if self.log {
            let (lo, hi) = (f64::from(self.low).ln(), f64::from(self.high).ln());
            (lo + (hi - lo) * fraction).exp() as f32
        } else {
            (f64::from(self.low) + (f64::from(self.high) - f64::from(self.low)) * fraction) as f32
        }
    }
}

/// Each descriptor's colour scale over the data's clips.
pub fn descriptor_scales(descriptors: &[Descriptors]) -> Vec<(Descriptor, ColorScale)> {
    Descriptor::ALL
        .iter()
        .filter_map(|&d| {
            let values: Vec<Option<f32>> = descriptors.iter().map(|x| x.get(d)).collect();
            Some((d, ColorScale::new(&values, false)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_scale_spans_the_middle_of_the_errors() {
        let errors: Vec<f32> = (1..=100).map(|k| k as f32 * 1e-3).collect();
        let scale = ColorScale::errors(&errors).unwrap();
        assert_eq!(scale.levels[0], 0);
        assert_eq!(scale.levels[99] as usize, ERROR_LEVELS - 1);
        assert!((scale.low - 0.006).abs() < 1e-6 && (scale.high - 0.095).abs() < 1e-6);
        assert!((scale.level_value(0) - scale.low).abs() < 1e-6);
    }

    #[test]
    fn a_missing_value_has_no_level() {
        let scale = ColorScale::new(&[Some(1.0), None, Some(3.0)], false).unwrap();
        assert_eq!(scale.levels[1], NO_LEVEL);
        assert!(ColorScale::new(&[None, None], false).is_none());
    }
}
