//! What a model's spaces hold, on a folder: each space (the raw input, the bottleneck, the
//! logits) scored on an extrinsic task (k-nearest-neighbour genre accuracy and precision@10
//! with a clip's own track left out, and a linear probe over track-grouped folds); what each
//! direction of the bottleneck follows (the Spearman correlation of its principal components,
//! of each code dimension and of each logit with every audio descriptor); and how disentangled
//! the code is (the mutual information gap for genre and for each descriptor).

use serde::Serialize;

use super::correlation::{ranks, spearman};
use super::mig::{mutual_information_gap, quantile_bins, BINS};
use super::neighbours::neighbour_scores;
use crate::dataset::{Dataset, Descriptor, Split, SplitConfig};
use crate::latent::Space;
use crate::maps::ModelMaps;
use crate::model::SavedModel;
use crate::tables::metrics::argmax_rows;
use crate::training::probe::probe;

/// Folds of the linear probe (fewer when a genre has fewer tracks, at least 3).
pub const PROBE_FOLDS: usize = 5;
/// Principal components of the bottleneck whose directions are explained (the map's two and
/// the two more the components instrument can walk).
pub const EXPLAINED_PCS: usize = 4;

/// A direction of a space that can follow a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Principal component `k` of the bottleneck (0-based).
    Pc(usize),
    /// Dimension `j` of the code.
    Code(usize),
    /// The logit of the model's genre `g`.
    Logit(usize),
}

impl Axis {
    /// Its name in files: `pc1`, `code_12`, `logit_jazz`.
    pub fn name(self, genres: &[String]) -> String {
        match self {
            Self::Pc(k) => format!("pc{}", k + 1),
            Self::Code(j) => format!("code_{j}"),
            Self::Logit(g) => format!("logit_{}", genres.get(g).map_or("?", String::as_str)),
        }
    }
}

/// One space's extrinsic scores.
#[derive(Debug, Clone, Serialize)]
pub struct SpaceScores {
    pub space: &'static str,
    pub dim: usize,
    pub knn_accuracy: Option<f64>,
    pub probe_accuracy: Option<f64>,
    pub precision_at_10: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AxisCorrelation {
    pub descriptor: &'static str,
    pub axis: String,
    pub spearman: f64,
    #[serde(skip)]
    pub which: Axis,
    #[serde(skip)]
    pub of: Descriptor,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactorGap {
    /// `genre` or a descriptor's column name.
    pub factor: &'static str,
    pub mig: f64,
    /// The code dimension with the most mutual information with the factor.
    pub dimension: usize,
    /// That mutual information and the factor's entropy, in nats.
    pub information_nats: f64,
    pub entropy_nats: f64,
}

/// Everything `explain` says.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub clips: usize,
    pub tracks: usize,
    /// Of those tracks, the ones the model was trained on (its spaces were fitted to them).
    pub tracks_in_training: usize,
    pub spaces: Vec<SpaceScores>,
    pub correlations: Vec<AxisCorrelation>,
    pub mig: Vec<FactorGap>,
    /// Code dimensions with one value over every clip (dead units): no correlation and no
    /// information.
    pub constant_dimensions: Vec<usize>,
    /// What could not be measured, and why.
    pub notes: Vec<String>,
    /// How the probe's folds were made.
    pub probe_protocol: String,
}

impl Explanation {
    /// The correlation of `axis` with `descriptor`, if defined.
    pub fn correlation(&self, axis: Axis, descriptor: Descriptor) -> Option<f64> {
        self.correlations
            .iter()
            .find(|c| c.which == axis && c.of == descriptor)
            .map(|c| c.spearman)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error(transparent)]
    Fit(#[from] crate::model::FitError),
    #[error("the folder has no clips")]
    Empty,
    #[error(
        "explaining scores each space against the folder's genre labels, and this folder is a \
         library without them; explain the model on the labelled folder it was trained on (one \
         sub-folder per genre)"
    )]
    Unlabelled,
}

/// Each clip's value of descriptor `d` (`None` where it has none).
pub fn descriptor_values(dataset: &Dataset, d: Descriptor) -> Vec<Option<f64>> {
    dataset
        .descriptors
        .iter()
        .map(|x| x.get(d).map(f64::from))
        .collect()
}

/// Explains `saved` on `dataset` through its maps of it.
pub fn explain(
    dataset: &Dataset,
    saved: &SavedModel,
    maps: &ModelMaps,
) -> Result<Explanation, ExplainError> {
    if dataset.is_library() {
        return Err(ExplainError::Unlabelled);
    }
    // The spaces are the model's view of the clips: its genres must cover the folder's.
    saved.meta.genre_map(&dataset.genres, &dataset.features)?;
    if dataset.is_empty() {
        return Err(ExplainError::Empty);
    }
    let mut notes = Vec::new();
    let (spaces, probe_protocol) = score_spaces(dataset, saved, maps, &mut notes);
    let labels: Vec<usize> = (0..dataset.len()).map(|i| dataset.label(i)).collect();
    let n_classes = dataset.genres.len();
    let n_model = saved.meta.model.n_classes;
    let inference = &maps.inference;
    let axes = axes_of(maps, n_model);
    let dim = inference.code_dim;
    let constant_dimensions: Vec<usize> = (0..dim)
        .filter(|&j| {
            let mut column = inference.code.iter().skip(j).step_by(dim);
            let first = column.next();
            column.all(|v| Some(v) == first)
        })
        .collect();
    if !constant_dimensions.is_empty() {
        notes.push(format!(
            "{} of the {dim} code dimensions are the same for every clip (dead units: {}): they \
             follow nothing",
            constant_dimensions.len(),
            constant_dimensions
                .iter()
                .map(|j| format!("code_{j}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let correlations = correlate(dataset, &axes, &saved.meta.genres, &mut notes);
    let mig = gaps(
        dataset,
        &inference.code,
        inference.code_dim,
        &labels,
        n_classes,
    );
    Ok(Explanation {
        clips: dataset.len(),
        tracks: dataset.tracks.len(),
        tracks_in_training: saved.meta.tracks_in_training(dataset),
        spaces,
        correlations,
        mig,
        constant_dimensions,
        notes,
        probe_protocol,
    })
}

/// Each space (raw input, bottleneck, logits) on the extrinsic tasks, and how the probe's
/// folds were made; what could not be measured goes to `notes`.
pub fn score_spaces(
    dataset: &Dataset,
    saved: &SavedModel,
    maps: &ModelMaps,
    notes: &mut Vec<String>,
) -> (Vec<SpaceScores>, String) {
    let labels: Vec<usize> = (0..dataset.len()).map(|i| dataset.label(i)).collect();
    let tracks: Vec<usize> = dataset.segments.iter().map(|s| s.track).collect();
    let n_classes = dataset.genres.len();
    let n_model = saved.meta.model.n_classes;
    let (probe_folds, probe_protocol) = probe_folds(dataset, notes);
    let inference = &maps.inference;
    let mut spaces = Vec::new();
    for space in [Space::Raw, Space::Bottleneck, Space::Logits] {
        let Some((rows, dim)) = space.rows(dataset, inference, n_model) else {
            continue;
        };
        if rows.chunks_exact(dim).all(|r| r == &rows[..dim]) {
            notes.push(format!(
                "every clip has the same {} vector: its scores say nothing",
                space.name()
            ));
        }
        let neighbours = match neighbour_scores(rows, dim, &labels, &tracks, n_classes) {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("{}: {e}", space.name()));
                None
            }
        };
        let probe_accuracy = probe_folds
            .as_ref()
            .and_then(|folds| probe_accuracy(rows, dim, &labels, n_classes, folds, notes));
        spaces.push(SpaceScores {
            space: space.name_in_files(),
            dim,
            knn_accuracy: neighbours.map(|s| s.knn_accuracy),
            probe_accuracy,
            precision_at_10: neighbours.map(|s| s.precision_at_10),
        });
    }
    (spaces, probe_protocol)
}

/// The probe's folds: each a list of test clips (the others train), or why there are none.
fn probe_folds(dataset: &Dataset, notes: &mut Vec<String>) -> (Option<Vec<Vec<usize>>>, String) {
    let fewest = dataset
        .genre_counts()
        .iter()
        .map(|c| (c.tracks, c.genre.clone()))
        .min();
    let Some((fewest, genre)) = fewest else {
        return (None, String::new());
    };
    let k = PROBE_FOLDS.min(fewest);
    if k < 3 {
        notes.push(format!(
            "no linear probe: its folds of tracks need at least 3 tracks of each genre, and {genre} \
             has {fewest}"
        ));
        return (None, String::new());
    }
    let folds: Result<Vec<Vec<usize>>, _> = (0..k)
        .map(|fold| {
            let splits = dataset.splits(&SplitConfig::default().kfold(k, fold))?;
            Ok::<_, crate::dataset::SplitError>(
                (0..splits.len())
                    .filter(|&i| splits[i] == Split::Test)
                    .collect(),
            )
        })
        .collect();
    match folds {
        Ok(folds) => (
            Some(folds),
            format!(
                "{k} folds of tracks (each track tested once, stratified by genre, grouped by \
                 track with GTZAN's published repeats together)"
            ),
        ),
        Err(e) => {
            notes.push(format!("no linear probe: {e}"));
            (None, String::new())
        }
    }
}

fn probe_accuracy(
    rows: &[f32],
    dim: usize,
    labels: &[usize],
    n_classes: usize,
    folds: &[Vec<usize>],
    notes: &mut Vec<String>,
) -> Option<f64> {
    let n = labels.len();
    let mut right = 0usize;
    let mut tested = 0usize;
    for test in folds {
        let mut is_test = vec![false; n];
        for &i in test {
            is_test[i] = true;
        }
        let train: Vec<usize> = (0..n).filter(|&i| !is_test[i]).collect();
        match probe(rows, dim, labels, n_classes, &train, test) {
            Ok(p) => {
                let flat: Vec<f32> = p.iter().flatten().map(|&v| v as f32).collect();
                let guesses = argmax_rows(&flat, n_classes);
                right += guesses
                    .iter()
                    .zip(test)
                    .filter(|(g, &i)| **g == labels[i])
                    .count();
                tested += test.len();
            }
            Err(e) => {
                notes.push(e.to_string());
                return None;
            }
        }
    }
    Some(right as f64 / tested.max(1) as f64)
}

/// Every axis with its value for every clip.
fn axes_of(maps: &ModelMaps, n_model: usize) -> Vec<(Axis, Vec<f64>)> {
    let inference = &maps.inference;
    let dim = inference.code_dim;
    let mut axes = Vec::new();
    if let Ok(projection) = &maps.code_map {
        if let Ok(scores) = projection.project_all(&inference.code) {
            let kept = projection.component_count().min(EXPLAINED_PCS);
            for k in 0..kept {
                axes.push((Axis::Pc(k), scores.iter().map(|s| s[k]).collect()));
            }
        }
    }
    for j in 0..dim {
        let column = inference
            .code
            .iter()
            .skip(j)
            .step_by(dim)
            .map(|&v| f64::from(v));
        axes.push((Axis::Code(j), column.collect()));
    }
    if let Some(logits) = &inference.logits {
        for g in 0..n_model {
            let column = logits
                .iter()
                .skip(g)
                .step_by(n_model)
                .map(|&v| f64::from(v));
            axes.push((Axis::Logit(g), column.collect()));
        }
    }
    axes
}

fn correlate(
    dataset: &Dataset,
    axes: &[(Axis, Vec<f64>)],
    genres: &[String],
    notes: &mut Vec<String>,
) -> Vec<AxisCorrelation> {
    let mut out = Vec::new();
    for d in Descriptor::ALL {
        let values = descriptor_values(dataset, d);
        let known = values.iter().filter(|v| v.is_some()).count();
        if known < 3 {
            notes.push(format!(
                "{}: defined for {known} clip(s){}, too few to correlate",
                d.column(),
                if d == Descriptor::TempoBpm {
                    " (clips under 3 s have no tempo)"
                } else {
                    ""
                }
            ));
            continue;
        }
        // Complete columns: rank once, then each axis is one Pearson over ranks.
        let complete = known == values.len();
        let ranked: Option<Vec<Option<f64>>> = complete.then(|| {
            let flat: Vec<f64> = values.iter().flatten().copied().collect();
            ranks(&flat).into_iter().map(Some).collect()
        });
        for (axis, column) in axes {
            let rho = match &ranked {
                Some(r) => spearman(r, &ranks(column)),
                None => spearman(&values, column),
            };
            if let Some(spearman) = rho {
                out.push(AxisCorrelation {
                    descriptor: d.column(),
                    axis: axis.name(genres),
                    spearman,
                    which: *axis,
                    of: d,
                });
            }
        }
    }
    out
}

fn gaps(
    dataset: &Dataset,
    codes: &[f32],
    dim: usize,
    labels: &[usize],
    n_classes: usize,
) -> Vec<FactorGap> {
    let genre: Vec<Option<usize>> = labels.iter().map(|&l| Some(l)).collect();
    let mut factors: Vec<(&'static str, Vec<Option<usize>>, usize)> =
        vec![("genre", genre, n_classes)];
    for d in Descriptor::ALL {
        factors.push((
            d.column(),
            quantile_bins(&descriptor_values(dataset, d), BINS),
            BINS,
        ));
    }
    factors
        .into_iter()
        .filter_map(|(factor, values, states)| {
            let gap = mutual_information_gap(codes, dim, &values, states)?;
            Some(FactorGap {
                factor,
                mig: gap.mig,
                dimension: gap.dimension,
                information_nats: gap.information,
                entropy_nats: gap.entropy,
            })
        })
        .collect()
}
