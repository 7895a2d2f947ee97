//! How a map is drawn: the paper's PCA, or one of the non-linear embeddings (t-SNE, UMAP) of
//! the same rows. PCA has an inverse (the probe and the components walk use it); the non-linear
//! maps do not, and they place a new point at the weighted mean of its nearest clips' positions.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::knn::{nearest_in, Cancelled};
use super::projection::Projection;
use super::{tsne, umap};

/// The parameters' sensible ranges, the same on the command line and in the window.
pub const PERPLEXITY_RANGE: std::ops::RangeInclusive<f64> = 1.0..=500.0;
pub const NEIGHBOURS_RANGE: std::ops::RangeInclusive<usize> = 2..=200;
pub const MIN_DIST_RANGE: std::ops::RangeInclusive<f64> = 0.0..=1.0;

/// A map's method and its parameters (each seeded: the same rows give the same map).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum MapMethod {
    #[default]
    Pca,
    Tsne(tsne::TsneParams),
    Umap(umap::UmapParams),
}

impl MapMethod {
    /// The method with its default parameters, by its command-line name.
    pub fn by_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "pca" => Some(Self::Pca),
            "tsne" | "t-sne" => Some(Self::Tsne(tsne::TsneParams::default())),
            "umap" => Some(Self::Umap(umap::UmapParams::default())),
            _ => None,
        }
    }

    /// Its short name ("PCA", "t-SNE", "UMAP").
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pca => "PCA",
            Self::Tsne(_) => "t-SNE",
            Self::Umap(_) => "UMAP",
        }
    }

    /// Whether the map is PCA's (linear, invertible).
    pub fn is_linear(&self) -> bool {
        matches!(self, Self::Pca)
    }

    /// The method and every parameter that decides the map, as a caption says it.
    pub fn describe(&self) -> String {
        match self {
            Self::Pca => "PCA (first two components)".into(),
            Self::Tsne(p) => format!(
                "t-SNE (perplexity {}, {} iterations, Barnes-Hut θ {}, seed {})",
                p.perplexity,
                p.iterations,
                tsne::THETA,
                p.seed
            ),
            Self::Umap(p) => format!(
                "UMAP ({} neighbours, minimum distance {}, {}, seed {})",
                p.neighbours,
                p.min_dist,
                p.epochs
                    .map_or_else(|| "epochs by size".to_string(), |e| format!("{e} epochs")),
                p.seed
            ),
        }
    }

    /// Its parameters in a few words, for a map's caption ("perplexity 30 · seed 0").
    pub fn caption(&self) -> String {
        match self {
            Self::Pca => "first two components".into(),
            Self::Tsne(p) => format!("perplexity {} · seed {}", p.perplexity, p.seed),
            Self::Umap(p) => format!(
                "{} neighbours · min. distance {} · seed {}",
                p.neighbours, p.min_dist, p.seed
            ),
        }
    }

    /// Its parameters as `key=value` pairs (a CSV header line, a sidecar).
    pub fn parameters(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("method", self.name().to_string())];
        match self {
            Self::Pca => {}
            Self::Tsne(p) => {
                out.push(("perplexity", p.perplexity.to_string()));
                out.push(("iterations", p.iterations.to_string()));
                out.push(("theta", tsne::THETA.to_string()));
                out.push(("seed", p.seed.to_string()));
            }
            Self::Umap(p) => {
                out.push(("neighbours", p.neighbours.to_string()));
                out.push(("min_dist", p.min_dist.to_string()));
                out.push((
                    "epochs",
                    p.epochs
                        .map_or_else(|| "auto".to_string(), |e| e.to_string()),
                ));
                out.push(("seed", p.seed.to_string()));
            }
        }
        out
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EmbedError {
    #[error("a map needs at least {need} points, got {got}")]
    TooFew { need: usize, got: usize },
    #[error("rows of {dim} values cannot be cut from {len} values")]
    Shape { dim: usize, len: usize },
    #[error("row {row} holds a non-finite value; a map needs finite values")]
    NonFinite { row: usize },
    #[error("stopped")]
    Cancelled,
}

impl From<Cancelled> for EmbedError {
    fn from(_: Cancelled) -> Self {
        Self::Cancelled
    }
}

/// What a running embedding is told and tells: stop when `cancel` is raised; `progress` gets
/// the share done (0 to 1) every few iterations.
pub struct Control<'a> {
    pub cancel: &'a AtomicBool,
    pub progress: &'a (dyn Fn(f32) + Sync),
}

/// The rows' count, after checking their shape and values.
pub(crate) fn check(rows: &[f32], dim: usize, need: usize) -> Result<usize, EmbedError> {
    if dim == 0 || !rows.len().is_multiple_of(dim) {
        return Err(EmbedError::Shape {
            dim,
            len: rows.len(),
        });
    }
    if let Some(k) = rows.iter().position(|v| !v.is_finite()) {
        return Err(EmbedError::NonFinite { row: k / dim });
    }
    let n = rows.len() / dim;
    if n < need {
        return Err(EmbedError::TooFew { need, got: n });
    }
    Ok(n)
}

/// The 2-d positions of `rows` by a non-linear `method`, started from the PCA map `pca` (both
/// t-SNE and UMAP start from it, as scikit-learn's and umap-learn's `init="pca"` do).
/// PCA itself is the projection's own points.
pub fn embed(
    rows: &[f32],
    dim: usize,
    method: &MapMethod,
    pca: &Projection,
    control: &Control,
) -> Result<Vec<[f64; 2]>, EmbedError> {
    match method {
        MapMethod::Pca => Ok(pca.points.clone()),
        MapMethod::Tsne(p) => tsne::tsne(rows, dim, p, &pca.points, control),
        MapMethod::Umap(p) => umap::umap(rows, dim, p, &pca.points, control),
    }
}

/// Neighbours a new point's position is the weighted mean of.
pub const PLACE_NEIGHBOURS: usize = 10;

/// Where new rows land on a non-linear map of `rows` (positions `xy`): at the mean of their
/// [`PLACE_NEIGHBOURS`] nearest rows' positions, weighted by UMAP's fuzzy membership (1 for the
/// nearest, falling off with the distance beyond it), as uwot places new points.
pub fn place(
    queries: &[f32],
    rows: &[f32],
    dim: usize,
    xy: &[[f64; 2]],
) -> Result<Vec<[f64; 2]>, EmbedError> {
    let n = check(rows, dim, 1)?;
    check(queries, dim, 0)?;
    let nearest = nearest_in(
        queries,
        rows,
        dim,
        PLACE_NEIGHBOURS.min(n),
        &AtomicBool::new(false),
    )?;
    Ok((0..nearest.len())
        .map(|q| {
            let (index, distance) = nearest.of(q);
            let weights = umap::memberships(distance, index.len() as f64);
            let total: f64 = weights.iter().sum::<f64>().max(1e-300);
            let mut at = [0.0; 2];
            for (&j, w) in index.iter().zip(&weights) {
                at[0] += w * xy[j as usize][0];
                at[1] += w * xy[j as usize][1];
            }
            [at[0] / total, at[1] / total]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_parameters_round_trip() {
        for name in ["pca", "tsne", "umap"] {
            let m = MapMethod::by_name(name).unwrap();
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<MapMethod>(&json).unwrap(), m);
            assert_eq!(m.parameters()[0].1, m.name());
        }
        assert!(MapMethod::by_name("isomap").is_none());
        assert!(MapMethod::by_name("tsne")
            .unwrap()
            .describe()
            .contains("perplexity 30"));
    }

    #[test]
    fn a_new_point_lands_among_its_nearest_rows() {
        // Two clusters on a line, mapped to two far-apart spots.
        let rows: Vec<f32> = (0..40)
            .map(|k| {
                if k < 20 {
                    k as f32 * 0.01
                } else {
                    10.0 + k as f32 * 0.01
                }
            })
            .collect();
        let xy: Vec<[f64; 2]> = (0..40)
            .map(|k| if k < 20 { [-5.0, 0.0] } else { [5.0, 1.0] })
            .collect();
        let placed = place(&[0.1, 10.3], &rows, 1, &xy).unwrap();
        assert!((placed[0][0] + 5.0).abs() < 1e-9 && placed[0][1].abs() < 1e-9);
        assert!((placed[1][0] - 5.0).abs() < 1e-9 && (placed[1][1] - 1.0).abs() < 1e-9);
        assert!(matches!(
            place(&[f32::NAN], &rows, 1, &xy),
            Err(EmbedError::NonFinite { row: 0 })
        ));
    }
}
