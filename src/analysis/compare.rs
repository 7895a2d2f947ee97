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
