//! Two models on the same clips: how often they give the same genre, the cross-table of their
//! predictions, and which clips' neighbourhoods moved most between their bottlenecks (a clip's
//! k nearest clips from other tracks in one code space against the other, by Jaccard distance).
//!
//! Models with different genre lists are compared on genre names: agreement counts a clip when
//! both models name the same genre, and the cross-table has each model's own list on its side.
//! Models with different inputs (waveform, log-mel) read the folder twice; their clips are
//! paired by track and start time, and only the clips both read are compared.

use std::collections::HashMap;

use serde::Serialize;

use super::neighbours::{nearest_other_tracks, NeighbourError};
use crate::dataset::Dataset;
use crate::maps::ModelMaps;

/// Neighbours whose overlap says how far a clip moved.
pub const MOVED_K: usize = 10;

/// The first model's predictions (rows) against the second's (columns), in clips.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub counts: Vec<Vec<usize>>,
}

/// Share of clips to which both models give the same genre name (0 when there are none).
pub fn agreement(first: &[&str], second: &[&str]) -> f64 {
    let same = first.iter().zip(second).filter(|(a, b)| a == b).count();
    same as f64 / first.len().min(second.len()).max(1) as f64
}

/// The cross-table of two models' predictions (output indices into their genre lists).
pub fn cross_table(
    first: &[usize],
    first_genres: &[String],
    second: &[usize],
    second_genres: &[String],
) -> CrossTable {
    let mut counts = vec![vec![0usize; second_genres.len()]; first_genres.len()];
    for (&a, &b) in first.iter().zip(second) {
        if let Some(cell) = counts.get_mut(a).and_then(|row| row.get_mut(b)) {
            *cell += 1;
        }
    }
    CrossTable {
        rows: first_genres.to_vec(),
        columns: second_genres.to_vec(),
        counts,
    }
}

/// `1 - |A ∩ B| / |A ∪ B|` of two lists of distinct indices (0 when both are empty).
pub fn jaccard_distance(a: &[usize], b: &[usize]) -> f64 {
    let shared = a.iter().filter(|i| b.contains(i)).count();
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        1.0 - shared as f64 / union as f64
    }
}

/// For every clip, the Jaccard distance between its `k` nearest clips from other tracks in the
/// first space (`first`, `first_dim` wide) and in the second: 0 when the two models see the same
/// neighbourhood, 1 when they share no neighbour.
pub fn neighbourhood_change(
    first: &[f32],
    first_dim: usize,
    second: &[f32],
    second_dim: usize,
    tracks: &[usize],
    k: usize,
) -> Result<Vec<f64>, NeighbourError> {
    let a = nearest_other_tracks(first, first_dim, tracks, k)?;
    let b = nearest_other_tracks(second, second_dim, tracks, k)?;
    Ok(a.iter()
        .zip(&b)
        .map(|(a, b)| jaccard_distance(a, b))
        .collect())
}

/// The clips two readings of one folder share: pairs of segment indices (into `first` and
/// `second`) of the same file starting at the same time (to a millisecond), in `first`'s order.
pub fn paired_clips(first: &Dataset, second: &Dataset) -> Vec<(usize, usize)> {
    let start_ms = |d: &Dataset, i: usize| {
        let s = &d.segments[i];
        let rate = f64::from(d.features.sample_rate_hz.max(1));
        (s.offset_samples as f64 * 1000.0 / rate).round() as u64
    };
    let mut in_second = HashMap::with_capacity(second.segments.len());
    for i in 0..second.segments.len() {
        let track = &second.tracks[second.segments[i].track];
        in_second.insert((track.path.as_path(), start_ms(second, i)), i);
    }
    (0..first.segments.len())
        .filter_map(|i| {
            let track = &first.tracks[first.segments[i].track];
            in_second
                .get(&(track.path.as_path(), start_ms(first, i)))
                .map(|&j| (i, j))
        })
        .collect()
}

/// One model's reading of the folder: its clips, its genre list and its maps of them.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    pub dataset: &'a Dataset,
    pub genres: &'a [String],
    pub maps: &'a ModelMaps,
}

impl Reading<'_> {
    /// The genre the model predicts for clip `i` of its reading.
    pub fn predicted(&self, i: usize) -> Option<&str> {
        let (g, _) = *self.maps.predicted.as_ref()?.get(i)?;
        self.genres.get(g).map(String::as_str)
    }
}

/// Two models compared on the clips both read.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Clip pairs (index in the first reading, in the second), in the first reading's order.
    pub pairs: Vec<(usize, usize)>,
    /// Share of paired clips given the same genre name by both (models that classify).
    pub agreement: Option<f64>,
    pub cross_table: Option<CrossTable>,
    /// Each pair's Jaccard distance between its [`MOVED_K`] nearest clips (other tracks) in
    /// the two bottlenecks, in `pairs`' order; empty when there are no neighbourhoods.
    pub moved: Vec<f64>,
    /// What the two do not share, in sentences (genres, clips, a model that does not classify,
    /// neighbourhoods that cannot be measured).
    pub notes: Vec<String>,
}

impl Comparison {
    /// Indices into `pairs` of the clips that moved most, most first (ties by order).
    pub fn most_moved(&self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.moved.len()).collect();
        order.sort_by(|&x, &y| self.moved[y].total_cmp(&self.moved[x]).then(x.cmp(&y)));
        order.truncate(n);
        order
    }

    pub fn mean_moved(&self) -> Option<f64> {
        (!self.moved.is_empty()).then(|| self.moved.iter().sum::<f64>() / self.moved.len() as f64)
    }
}

/// The clips two readings share could not be found: they cut the folder differently.
#[derive(Debug, thiserror::Error)]
#[error(
    "the two models read no clip alike (the same file at the same start time): their segments \
     are cut differently, so there is nothing to compare clip by clip"
)]
pub struct NothingShared;

/// Compares two models' readings of one folder on the clips both read.
pub fn compare(a: Reading, b: Reading) -> Result<Comparison, NothingShared> {
    let (da, db) = (a.dataset, b.dataset);
    let pairs = paired_clips(da, db);
    if pairs.is_empty() {
        return Err(NothingShared);
    }
    let mut notes = Vec::new();
    if pairs.len() < da.len().max(db.len()) {
        notes.push(format!(
            "{} clips compared: the first model reads {}, the second {}",
            pairs.len(),
            da.len(),
            db.len()
        ));
    }
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|g| !y.contains(g)).cloned().collect()
    };
    let (only_a, only_b) = (only(a.genres, b.genres), only(b.genres, a.genres));
    if !only_a.is_empty() || !only_b.is_empty() {
        notes.push(format!(
            "the models share {} genre(s); only the first knows [{}], only the second [{}]: \
             agreement counts a clip when both name the same genre",
            a.genres.len() - only_a.len(),
            only_a.join(", "),
            only_b.join(", ")
        ));
    }
    let classifies = a.maps.predicted.is_some() && b.maps.predicted.is_some();
    let (agreement_share, table) = if classifies {
        let names_a: Vec<&str> = pairs
            .iter()
            .map(|&(i, _)| a.predicted(i).unwrap_or(""))
            .collect();
        let names_b: Vec<&str> = pairs
            .iter()
            .map(|&(_, j)| b.predicted(j).unwrap_or(""))
            .collect();
        let index = |r: &Reading, i: usize| r.maps.predicted.as_ref().map_or(0, |p| p[i].0);
        let first: Vec<usize> = pairs.iter().map(|&(i, _)| index(&a, i)).collect();
        let second: Vec<usize> = pairs.iter().map(|&(_, j)| index(&b, j)).collect();
        (
            Some(agreement(&names_a, &names_b)),
            Some(cross_table(&first, a.genres, &second, b.genres)),
        )
    } else {
        notes.push("a model that does not classify has no predictions to agree on".into());
        (None, None)
    };
    let gather = |r: &Reading, pick: fn(&(usize, usize)) -> usize| -> Vec<f32> {
        let dim = r.maps.inference.code_dim;
        pairs
            .iter()
            .flat_map(|p| {
                let i = pick(p);
                r.maps.inference.code[i * dim..(i + 1) * dim]
                    .iter()
                    .copied()
            })
            .collect()
    };
    let tracks: Vec<usize> = pairs.iter().map(|&(i, _)| da.segments[i].track).collect();
    let moved = match neighbourhood_change(
        &gather(&a, |p| p.0),
        a.maps.inference.code_dim,
        &gather(&b, |p| p.1),
        b.maps.inference.code_dim,
        &tracks,
        MOVED_K,
    ) {
        Ok(distances) => distances,
        Err(e) => {
            notes.push(format!("no neighbourhoods to compare: {e}"));
            Vec::new()
        }
    };
    Ok(Comparison {
        pairs,
        agreement: agreement_share,
        cross_table: table,
        moved,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_counts_same_names_and_the_table_keeps_each_models_list() {
        let first = ["jazz", "pop", "metal", "jazz"];
        let second = ["jazz", "metal", "metal", "blues"];
        assert!((agreement(&first, &second) - 0.5).abs() < 1e-12);
        let a_genres: Vec<String> = ["jazz", "metal", "pop"].map(String::from).to_vec();
        let b_genres: Vec<String> = ["blues", "jazz", "metal"].map(String::from).to_vec();
        let table = cross_table(&[0, 2, 1, 0], &a_genres, &[1, 2, 2, 0], &b_genres);
        assert_eq!(
            table.counts,
            vec![vec![1, 1, 0], vec![0, 0, 1], vec![0, 0, 1]]
        );
        assert_eq!(table.counts.iter().flatten().sum::<usize>(), 4);
    }

    #[test]
    fn jaccard_distance_runs_from_same_to_disjoint() {
        assert_eq!(jaccard_distance(&[1, 2, 3], &[3, 2, 1]), 0.0);
        assert_eq!(jaccard_distance(&[1, 2], &[3, 4]), 1.0);
        assert!((jaccard_distance(&[1, 2, 3], &[2, 3, 4]) - 0.5).abs() < 1e-12);
        assert_eq!(jaccard_distance(&[], &[]), 0.0);
    }

    #[test]
    fn a_clip_whose_neighbours_change_is_the_one_that_moved() {
        // Six tracks of one clip each on a line. In the second space clip 0 jumps to the far
        // end; the others keep their order.
        let first = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let second = [9.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let tracks = [0, 1, 2, 3, 4, 5];
        let moved = neighbourhood_change(&first, 1, &second, 1, &tracks, 2).unwrap();
        let most = moved
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        assert_eq!(most, Some(0), "{moved:?}");
        assert_eq!(moved[0], 1.0, "{{1, 2}} against {{5, 4}}");
        assert_eq!(moved[3], 0.0, "clip 3 keeps {{2, 4}}");
    }
}
