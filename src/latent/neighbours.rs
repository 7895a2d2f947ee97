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
