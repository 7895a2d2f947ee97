//! Moving a code: the code under any point of the bottleneck map (the probe), a code walked
//! along the map's principal components, and a code moved toward a genre (the paper's style
//! transfer), with the genre centroids it moves between.

use crate::dataset::Dataset;
use crate::maps::projection::Projection;
use crate::model::{FitError, ModelMeta};

/// The largest move toward a genre (the window's slider and `steer`'s default): 1.5 times the
/// step between the genres' centroids.
pub const MAX_ALPHA: f32 = 1.5;
/// Points of a path toward a genre (α from 0 to the largest), ends included; also the points of
/// a walk along a component from -3σ to 3σ.
pub const PATH_POINTS: usize = 7;
/// How far the components walk reaches, in standard deviations either way.
pub const MAX_SIGMA: f32 = 3.0;

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

/// [`GenreCentroids`] of `codes` (rows of `dim`, one per clip of `ds`). A library has no labels:
/// its clips count as the genre the model predicts (`predicted`, each clip's output index).
pub fn genre_centroids(
    ds: &Dataset,
    meta: &ModelMeta,
    codes: &[f32],
    dim: usize,
    predicted: Option<&[(usize, f32)]>,
) -> Result<GenreCentroids, FitError> {
    let labels: Vec<usize> = match predicted {
        Some(p) if ds.is_library() => p.iter().map(|&(g, _)| g).collect(),
        _ => {
            let genre_map = meta.genre_map(&ds.genres, &ds.features)?;
            (0..ds.len()).map(|i| genre_map[ds.label(i)]).collect()
        }
    };
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

/// `count` evenly spaced values from 0 to `max`, ends included (α along a move toward a genre).
pub fn alphas(max: f32, count: usize) -> Vec<f32> {
    let last = count.saturating_sub(1).max(1) as f32;
    (0..count).map(|k| max * k as f32 / last).collect()
}

/// The path of `code` moved toward a genre: each α of [`alphas`] with its code.
pub fn steer_path(
    code: &[f32],
    from: &[f32],
    to: &[f32],
    max_alpha: f32,
    count: usize,
) -> Vec<(f32, Vec<f32>)> {
    alphas(max_alpha, count)
        .into_iter()
        .map(|a| (a, steer(code, from, to, a)))
        .collect()
}

/// The path of `code` walked along component `moved` from -[`MAX_SIGMA`] to [`MAX_SIGMA`], the
/// other components staying at `sigmas`.
pub fn walk_path(
    code: &[f32],
    map: &Projection,
    sigmas: &[f32; 3],
    moved: usize,
) -> Vec<(f32, Vec<f32>)> {
    (0..PATH_POINTS)
        .map(|k| {
            let s = -MAX_SIGMA + 2.0 * MAX_SIGMA * k as f32 / (PATH_POINTS - 1) as f32;
            let mut along = *sigmas;
            if let Some(v) = along.get_mut(moved) {
                *v = s;
            }
            (s, walk(code, map, &along))
        })
        .collect()
}
