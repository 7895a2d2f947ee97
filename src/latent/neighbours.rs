//! The clips nearest to a clip in one of a model's spaces: exact search, and the rules every
//! caller shares (how many to ask for by default, how many there can be).

use serde::Serialize;

use crate::dataset::Dataset;
use crate::model::Inference;

/// Neighbours asked for when nobody says how many.
pub const DEFAULT_NEIGHBOURS: usize = 10;

/// `k` neighbours cannot be found among the clips there are.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "cannot find {k} neighbours among the {others} other clips here; use 1 to {others}",
    others = clips.saturating_sub(1)
)]
pub struct TooManyNeighbours {
    pub k: usize,
    pub clips: usize,
}

/// `k` neighbours of one of `clips` clips can be found: at least one, and no more than the
/// other clips.
pub fn check_neighbour_count(k: usize, clips: usize) -> Result<(), TooManyNeighbours> {
    if k == 0 || k >= clips {
        return Err(TooManyNeighbours { k, clips });
    }
    Ok(())
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
    /// Its name in files and JSON (`raw`, `bottleneck`, `logits`).
    pub fn name_in_files(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Bottleneck => "bottleneck",
            Self::Logits => "logits",
        }
    }

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

/// Each track's point in a space: the mean of its segments' rows (`rows` has one row of `dim`
/// per clip of `ds`), one row per track. What "sounds like this song" compares, rather than a
/// single 3-second clip.
pub fn track_means(ds: &Dataset, rows: &[f32], dim: usize) -> Vec<f32> {
    let mut sums = vec![0.0f64; ds.tracks.len() * dim];
    let mut counts = vec![0usize; ds.tracks.len()];
    for (segment, row) in ds.segments.iter().zip(rows.chunks_exact(dim.max(1))) {
        let sum = &mut sums[segment.track * dim..(segment.track + 1) * dim];
        for (s, &v) in sum.iter_mut().zip(row) {
            *s += f64::from(v);
        }
        counts[segment.track] += 1;
    }
    sums.chunks_exact(dim.max(1))
        .zip(&counts)
        .flat_map(|(sum, &n)| sum.iter().map(move |s| (s / n.max(1) as f64) as f32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracks_point_is_the_mean_of_its_segments_and_its_nearest_track_is_another() {
        let mut ds = crate::dataset::demo::dataset(
            &crate::dataset::features::Featurizer::new(&Default::default()).expect("featurizer"),
        );
        // Two clips per track, three tracks, 2-d rows: track 1 sits between 0 and 2, nearer 2.
        ds.tracks.truncate(3);
        ds.segments = (0..6)
            .map(|i| crate::dataset::Segment {
                track: i / 2,
                index: i % 2,
                offset_samples: 0,
            })
            .collect();
        let rows = [0.0, 0.0, 2.0, 0.0, 6.0, 0.0, 8.0, 0.0, 9.0, 1.0, 11.0, 1.0];
        let means = track_means(&ds, &rows, 2);
        assert_eq!(means, [1.0, 0.0, 7.0, 0.0, 10.0, 1.0]);
        let found = nearest(&means, 2, &means[2..4], 2, Some(1));
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [2, 0]);
    }
}
