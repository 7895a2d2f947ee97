//! How a space groups the clips: for every clip, its nearest clips from *other* tracks (a
//! clip's own track never counts: its neighbours there are the same music a second later). The
//! genre of the k = 5 nearest decides a k-nearest-neighbour guess; the share of same-genre clips
//! among the 10 nearest is precision@10. Exact search, by the maps' neighbour search
//! (`maps::knn`: one gemm product per block of clips, the nearest picked on rayon), which took
//! a comparison's two searches over 8,320 clips from 0.3 s each (candle's product, a sorted
//! insert per candidate) to a fraction of that.

use std::sync::atomic::AtomicBool;

use crate::maps::knn::{nearest_in_other_groups, NONE};

/// Neighbours voting in the k-nearest-neighbour classifier.
pub const KNN_K: usize = 5;
/// Neighbours precision is measured over.
pub const PRECISION_AT: usize = 10;

/// A space's neighbour scores over its clips.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighbourScores {
    /// Share of clips whose k nearest (other tracks) vote for their genre.
    pub knn_accuracy: f64,
    /// Mean share of same-genre clips among the 10 nearest from other tracks.
    pub precision_at_10: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum NeighbourError {
    #[error(
        "every clip comes from one track: neighbours from other tracks need at least two \
         tracks"
    )]
    OneTrack,
}

/// For every clip of `rows` (`dim` wide), its `k` nearest clips from other tracks, nearest first
/// (fewer for a clip whose track leaves fewer than `k` others).
pub fn nearest_other_tracks(
    rows: &[f32],
    dim: usize,
    tracks: &[usize],
    k: usize,
) -> Result<Vec<Vec<usize>>, NeighbourError> {
    let n = tracks.len();
    if tracks.iter().all(|&t| t == tracks[0]) {
        return Err(NeighbourError::OneTrack);
    }
    let nearest = nearest_in_other_groups(rows, dim, tracks, k, &AtomicBool::new(false))
        .unwrap_or_else(|_| unreachable!("a search nobody can cancel"));
    Ok((0..n)
        .map(|i| {
            let found = nearest.of(i).0.iter().filter(|&&j| j != NONE);
            found.map(|&j| j as usize).collect()
        })
        .collect())
}

/// The genre the [`KNN_K`] nearest clips (other tracks) vote for; a tie goes to the genre of
/// the nearest among the tied.
fn vote(nearest: &[usize], labels: &[usize], n_classes: usize) -> Option<usize> {
    let mut votes = vec![0usize; n_classes];
    for &j in nearest.iter().take(KNN_K) {
        votes[labels[j]] += 1;
    }
    let most = votes.iter().copied().max().unwrap_or(0);
    nearest
        .iter()
        .take(KNN_K)
        .map(|&j| labels[j])
        .find(|&g| votes[g] == most)
}

/// The scores of `rows` (`dim` wide), each clip's genre `labels[i]` and track `tracks[i]`.
pub fn neighbour_scores(
    rows: &[f32],
    dim: usize,
    labels: &[usize],
    tracks: &[usize],
    n_classes: usize,
) -> Result<NeighbourScores, NeighbourError> {
    let nearest = nearest_other_tracks(rows, dim, tracks, PRECISION_AT)?;
    let n = labels.len();
    let (mut right, mut precision) = (0usize, 0.0f64);
    for (i, found) in nearest.iter().enumerate() {
        let same = found.iter().filter(|&&j| labels[j] == labels[i]).count();
        precision += same as f64 / found.len().max(1) as f64;
        right += usize::from(vote(found, labels, n_classes) == Some(labels[i]));
    }
    Ok(NeighbourScores {
        knn_accuracy: right as f64 / n.max(1) as f64,
        precision_at_10: precision / n.max(1) as f64,
    })
}

/// Each clip's k-nearest-neighbour genre (other tracks only); all `None` when every clip is of
/// one track.
pub fn neighbour_genres(
    rows: &[f32],
    dim: usize,
    labels: &[usize],
    tracks: &[usize],
    n_classes: usize,
) -> Vec<Option<usize>> {
    match nearest_other_tracks(rows, dim, tracks, KNN_K) {
        Ok(nearest) => nearest
            .iter()
            .map(|found| vote(found, labels, n_classes))
            .collect(),
        Err(_) => vec![None; labels.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clips_own_track_never_counts() {
        // Two genres on a line; each track's clips sit together. Clip 0 (genre 0, track 0) is
        // closest to its own track's clip 1, but that does not count: its other-track
        // neighbours are genre 0 track 2 (near) and genre 1 (far).
        let rows = [0.0, 0.1, 1.0, 1.1, 5.0, 5.1, 6.0, 6.1];
        let labels = [0, 0, 0, 0, 1, 1, 1, 1];
        let tracks = [0, 0, 1, 1, 2, 2, 3, 3];
        let s = neighbour_scores(&rows, 1, &labels, &tracks, 2).unwrap();
        // Each clip has 6 other-track clips: 2 of its genre, 4 of the other; k = 5 votes 2-3.
        assert_eq!(s.knn_accuracy, 0.0);
        assert!((s.precision_at_10 - 2.0 / 6.0).abs() < 1e-12);
        let one = neighbour_scores(&rows, 1, &labels, &[0; 8], 2);
        assert!(matches!(one, Err(NeighbourError::OneTrack)));
    }
}
