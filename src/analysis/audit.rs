//! An audit of a folder's data: tracks that repeat each other, exactly (the same decoded audio
//! at some offset, in any format) or nearly (the same recording at another level, offset or
//! encoding), from the tracks' fingerprints (`dsp::fingerprint`); with a model, tracks whose
//! label both the model and their nearest neighbours from other tracks disagree with; and on a
//! GTZAN folder, which of the published exact repeats it holds and whether they were found.
//!
//! The thresholds are `dataset::repeats`'.

use std::collections::HashMap;

use serde::Serialize;

pub use crate::dataset::repeats::{
    find_repeats, pair_scores, PairScore, RepeatKind, EXACT_MIN_ANCHORS, EXACT_SHARE, NEAR_SHARE,
};
use crate::dataset::{gtzan_meta, Dataset};

/// Two tracks that repeat each other (indices into the dataset's tracks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repeat {
    pub a: String,
    pub b: String,
    pub kind: RepeatKind,
    /// The share of the shorter track's anchors (exact) or landmarks (near) found at one
    /// offset in the other.
    pub score: f64,
    /// Where b's audio starts in a's, in seconds (negative: a starts later in b).
    pub offset_secs: f64,
    #[serde(skip)]
    pub tracks: (usize, usize),
}

/// A track that the model and its neighbours both place in another genre than its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuspectedMislabel {
    pub path: String,
    pub label: String,
    /// The model's genre for it, by majority over its clips.
    pub predicted: String,
    /// The genre its clips' 5 nearest clips from other tracks vote for, by majority.
    pub neighbours: String,
    #[serde(skip)]
    pub track: usize,
}

/// One of GTZAN's published exact repeats the folder holds, and whether the audit found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRepeat {
    pub a: String,
    pub b: String,
    pub found: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    pub tracks: usize,
    pub duplicates: Vec<Repeat>,
    pub suspected_mislabels: Vec<SuspectedMislabel>,
    pub published_repeats: Vec<PublishedRepeat>,
    pub notes: Vec<String>,
}

/// The pairs the folder's fingerprints say repeat each other.
pub fn repeats_of(dataset: &Dataset) -> Vec<Repeat> {
    let name = |t: usize| dataset.tracks[t].path.display().to_string();
    find_repeats(&dataset.fingerprints, dataset.features.sample_rate_hz)
        .into_iter()
        .map(|(a, b, kind, score, offset_secs)| Repeat {
            a: name(a),
            b: name(b),
            kind,
            score,
            offset_secs,
            tracks: (a, b),
        })
        .collect()
}

/// Which published exact repeats of GTZAN the folder holds, and whether `repeats` has each.
pub fn published_repeats(dataset: &Dataset, repeats: &[Repeat]) -> Vec<PublishedRepeat> {
    let by_name: HashMap<String, usize> = dataset
        .tracks
        .iter()
        .enumerate()
        .filter_map(|(t, track)| Some((gtzan_meta::gtzan_name(&track.file_name())?, t)))
        .collect();
    gtzan_meta::exact_repeats()
        .iter()
        .filter_map(|(a, b)| {
            let (ta, tb) = (*by_name.get(a)?, *by_name.get(b)?);
            let pair = (ta.min(tb), ta.max(tb));
            Some(PublishedRepeat {
                a: a.clone(),
                b: b.clone(),
                found: repeats.iter().any(|r| r.tracks == pair),
            })
        })
        .collect()
}

/// What a model makes of a folder's clips, for the audit.
pub struct ModelOpinion<'a> {
    /// Each clip's predicted genre as the folder's genre index (`None`: a genre it lacks).
    pub predicted: &'a [Option<usize>],
    /// Each clip's code, rows of `dim`.
    pub codes: &'a [f32],
    pub dim: usize,
}

/// The folder's audit; with a model's opinion, the suspected mislabels too.
pub fn audit(dataset: &Dataset, model: Option<ModelOpinion>) -> Audit {
    let mut notes = Vec::new();
    if dataset.tracks.len() < 2 {
        notes.push("a single track: nothing to compare it with".to_string());
    }
    let silent = dataset
        .fingerprints
        .iter()
        .filter(|f| f.anchors.is_empty() && f.landmarks.is_empty())
        .count();
    if silent > 0 {
        notes.push(format!(
            "{silent} track(s) have no fingerprint (silence, or shorter than 0.2 s): they cannot \
             be compared"
        ));
    }
    let duplicates = repeats_of(dataset);
    let published_repeats = published_repeats(dataset, &duplicates);
    let suspected_mislabels = match model {
        Some(m) => mislabels(dataset, m.predicted, m.codes, m.dim),
        None => Vec::new(),
    };
    Audit {
        tracks: dataset.tracks.len(),
        duplicates,
        suspected_mislabels,
        published_repeats,
        notes,
    }
}

/// The genre most of `votes` say (ties: the lowest index), `None` without votes.
fn majority(votes: impl Iterator<Item = usize>, genres: usize) -> Option<usize> {
    let mut counts = vec![0usize; genres];
    for v in votes {
        counts[v] += 1;
    }
    let most = *counts.iter().max()?;
    (most > 0)
        .then(|| counts.iter().position(|&c| c == most))
        .flatten()
}

fn mislabels(
    dataset: &Dataset,
    predicted: &[Option<usize>],
    codes: &[f32],
    dim: usize,
) -> Vec<SuspectedMislabel> {
    let genres = dataset.genres.len();
    let labels: Vec<usize> = (0..dataset.len()).map(|i| dataset.label(i)).collect();
    let tracks: Vec<usize> = dataset.segments.iter().map(|s| s.track).collect();
    let neighbour_votes =
        crate::analysis::neighbours::neighbour_genres(codes, dim, &labels, &tracks, genres);
    let mut out = Vec::new();
    for (t, track) in dataset.tracks.iter().enumerate() {
        let clips: Vec<usize> = (0..dataset.len()).filter(|&i| tracks[i] == t).collect();
        let model_says = majority(clips.iter().filter_map(|&i| predicted[i]), genres);
        let neighbours_say = majority(clips.iter().filter_map(|&i| neighbour_votes[i]), genres);
        if let (Some(m), Some(n)) = (model_says, neighbours_say) {
            if m != track.genre && n != track.genre {
                out.push(SuspectedMislabel {
                    path: track.path.display().to_string(),
                    label: dataset.genres[track.genre].clone(),
                    predicted: dataset.genres[m].clone(),
                    neighbours: dataset.genres[n].clone(),
                    track: t,
                });
            }
        }
    }
    out
}
