//! A model's verdict on a whole track from its segments' genre probabilities: the genre of their
//! mean (the paper classifies segments; a song is many), with the share of segments that point to
//! each genre so a split decision shows as one.

use serde::Serialize;

/// What a model makes of one track.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackVerdict {
    /// Index into the model's genres of the largest mean probability.
    pub verdict: usize,
    /// Mean of the segments' probabilities, per genre (sums to 1).
    pub probabilities: Vec<f32>,
    /// Share of the segments whose own most likely genre is each genre (sums to 1).
    pub segment_share: Vec<f32>,
    pub segments: usize,
}

impl TrackVerdict {
    /// The verdict's mean probability: how sure the model is of this track.
    pub fn confidence(&self) -> f32 {
        self.probabilities[self.verdict]
    }
}

fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// The verdict from `probabilities` (`segments × n_classes`, each row summing to 1); `None` for
/// no segments.
pub fn track_verdict(probabilities: &[f32], n_classes: usize) -> Option<TrackVerdict> {
    if n_classes == 0 || probabilities.len() < n_classes {
        return None;
    }
    let rows = probabilities.len() / n_classes;
    let mut mean = vec![0.0f64; n_classes];
    let mut votes = vec![0usize; n_classes];
    for row in probabilities.chunks_exact(n_classes) {
        for (m, &p) in mean.iter_mut().zip(row) {
            *m += f64::from(p);
        }
        votes[argmax(row)] += 1;
    }
    let probabilities: Vec<f32> = mean.iter().map(|m| (m / rows as f64) as f32).collect();
    Some(TrackVerdict {
        verdict: argmax(&probabilities),
        segment_share: votes.iter().map(|&v| v as f32 / rows as f32).collect(),
        probabilities,
        segments: rows,
    })
}

/// How the verdicts on a labelled folder compare with its labels, on the genres the model knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledScore {
    /// Tracks whose label the model knows, and how many of them it calls right.
    pub tracks_scored: usize,
    pub tracks_right: usize,
    /// The folder's genres the model was not trained on: their tracks get a verdict but no score.
    pub genres_ignored: Vec<String>,
}

impl LabelledScore {
    pub fn accuracy(&self) -> Option<f64> {
        (self.tracks_scored > 0).then(|| self.tracks_right as f64 / self.tracks_scored as f64)
    }
}

/// Scores `verdicts` (model genre indices) against `labels` (folder genre names).
pub fn score_against_labels(
    model_genres: &[String],
    labels: &[&str],
    verdicts: &[usize],
) -> LabelledScore {
    let mut ignored: Vec<String> = Vec::new();
    let (mut scored, mut right) = (0, 0);
    for (&label, &verdict) in labels.iter().zip(verdicts) {
        match model_genres.iter().position(|g| g == label) {
            Some(g) => {
                scored += 1;
                right += usize::from(g == verdict);
            }
            None if !ignored.iter().any(|i| i == label) => ignored.push(label.to_string()),
            None => {}
        }
    }
    ignored.sort();
    LabelledScore {
        tracks_scored: scored,
        tracks_right: right,
        genres_ignored: ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_is_the_mean_and_the_share_counts_segments() {
        // Two segments lean jazz a little, one is sure of metal: the mean says metal, the
        // share says two thirds of the song sound like jazz.
        let p = [0.6, 0.4, 0.55, 0.45, 0.0, 1.0];
        let v = track_verdict(&p, 2).expect("a verdict");
        assert_eq!(v.verdict, 1);
        assert!((v.probabilities[1] - (0.4 + 0.45 + 1.0) / 3.0).abs() < 1e-6);
        assert!((v.segment_share[0] - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(v.segments, 3);
        assert!((v.confidence() - v.probabilities[1]).abs() < 1e-9);
        assert!(track_verdict(&[], 2).is_none());
    }

    #[test]
    fn labels_the_model_does_not_know_are_ignored_and_named() {
        let genres: Vec<String> = ["jazz", "metal"].map(String::from).to_vec();
        let labels = ["jazz", "metal", "blues", "metal", "blues", "rock"];
        let verdicts = [0, 0, 1, 1, 0, 0];
        let s = score_against_labels(&genres, &labels, &verdicts);
        assert_eq!((s.tracks_scored, s.tracks_right), (3, 2));
        assert_eq!(s.genres_ignored, ["blues", "rock"]);
        assert!((s.accuracy().expect("scored") - 2.0 / 3.0).abs() < 1e-12);
    }
}
