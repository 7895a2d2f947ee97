//! What drawing a map needs beyond its points: the map's default view, and the colour scales
//! computed once when a model's maps arrive.

use crate::maps::projection::Projection;

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
}

/// A map's points and what drawing them needs, computed once when the map arrives.
#[derive(Debug, Clone)]
pub struct MapLayer {
    pub projection: Projection,
    /// The default view: the 1st to 99th percentile of each axis with a margin, so a few
    /// outliers do not squash the rest into a dot. Zooming out still reaches them.
    pub bounds: [(f64, f64); 2],
}

impl MapLayer {
    pub fn new(projection: Projection) -> Self {
        let bounds = [0, 1].map(|axis| robust_range(&projection.points, axis));
        Self { projection, bounds }
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

/// Steps of the reconstruction-error colour scale.
pub const ERROR_LEVELS: usize = 8;

/// Each clip's reconstruction error on a log colour scale between the 5th and 95th
/// percentiles, computed once when a model's maps arrive.
#[derive(Debug, Clone)]
pub struct ErrorScale {
    pub levels: Vec<u8>,
    /// The errors at the scale's ends (mean squared error per value).
    pub low: f32,
    pub high: f32,
}

impl ErrorScale {
    pub fn new(errors: &[f32]) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let logs: Vec<f64> = errors
            .iter()
            .map(|&e| f64::from(e).max(1e-12).ln())
            .collect();
        let mut sorted = logs.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.05), at(0.95));
        let span = (hi - lo).max(1e-12);
        let levels = logs
            .iter()
            .map(|&l| {
                (((l - lo) / span * ERROR_LEVELS as f64) as isize)
                    .clamp(0, ERROR_LEVELS as isize - 1) as u8
            })
            .collect();
        Some(Self {
            levels,
            low: lo.exp() as f32,
            high: hi.exp() as f32,
        })
    }

    /// The error at the lower edge of `level`.
    pub fn level_value(&self, level: usize) -> f32 {
        let (lo, hi) = (f64::from(self.low).ln(), f64::from(self.high).ln());
        (lo + (hi - lo) * level as f64 / ERROR_LEVELS as f64).exp() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_scale_spans_the_middle_of_the_errors() {
        let errors: Vec<f32> = (1..=100).map(|k| k as f32 * 1e-3).collect();
        let scale = ErrorScale::new(&errors).unwrap();
        assert_eq!(scale.levels[0], 0);
        assert_eq!(scale.levels[99] as usize, ERROR_LEVELS - 1);
        assert!((scale.low - 0.006).abs() < 1e-6 && (scale.high - 0.095).abs() < 1e-6);
        assert!((scale.level_value(0) - scale.low).abs() < 1e-6);
    }
}
