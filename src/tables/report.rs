//! The paper's tables for any run: accuracy per split (Table 1), per-genre precision, recall and
//! F1 on the held-out split (Table 2), its confusion matrix (Figure 4), and track-level accuracy
//! by majority vote. A report always states the split protocol it was measured under.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::tables::metrics::{ConfusionMatrix, TrackVote};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitResult {
    pub split: String,
    pub segments: usize,
    /// Segment accuracy (classifiers only).
    pub accuracy: Option<f64>,
    /// Track accuracy by majority vote over the split's segments of each track.
    pub track_vote: Option<TrackVote>,
    /// Mean squared reconstruction error per value (models with a decoder).
    pub reconstruction_mse: Option<f64>,
    /// That error as a fraction of the split's own variance (per value, around each value's
    /// mean over the split): 1 is no better than decoding every clip as the average clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconstruction_fraction: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenreScore {
    pub genre: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// The kind of model scored (dsae, autoencoder, baseline).
    pub model: String,
    /// How the segments were divided, in words (e.g. "segment split (seed 0)").
    pub protocol: String,
    pub genres: Vec<String>,
    /// Table 1.
    pub splits: Vec<SplitResult>,
    /// The split Table 2 and the confusion matrix are measured on.
    pub held_out: String,
    /// Table 2 (empty for the autoencoder, which does not classify).
    pub per_genre: Vec<GenreScore>,
    /// Figure 4, on the held-out split.
    pub confusion: Option<ConfusionMatrix>,
    /// Of the tracks scored, how many the model was trained on (scoring a saved model on a
    /// folder), and how many there were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks_in_training: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks_total: Option<usize>,
    /// The segments Table 2 and the confusion matrix count (indices into the data scored), so
    /// a cell can select exactly its clips. Not saved with a model: it describes one dataset.
    #[serde(skip)]
    pub held_out_segments: Vec<usize>,
    /// Each of those segments' true genre as the model's output index.
    #[serde(skip)]
    pub held_out_truth: Vec<usize>,
}

/// A named set of segments to score (a split, or a whole held-out folder).
pub struct Group<'a> {
    pub name: &'a str,
    pub indices: Vec<usize>,
}

fn percent(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

impl EvalReport {
    /// The held-out segments counted in confusion cell (`truth`, `predicted`), given each
    /// segment's predicted output.
    pub fn cell_segments(
        &self,
        truth: usize,
        predicted: usize,
        predictions: &[usize],
    ) -> Vec<usize> {
        self.held_out_segments
            .iter()
            .zip(&self.held_out_truth)
            .filter(|&(&i, &t)| t == truth && predictions.get(i) == Some(&predicted))
            .map(|(&i, _)| i)
            .collect()
    }

    /// How many of `selected` fall in each cell of the confusion matrix (row-major, true genre
    /// by predicted), counting only the held-out segments the matrix was made from.
    pub fn selection_cells(&self, selected: &[usize], predictions: &[usize]) -> Vec<usize> {
        let n = self.genres.len();
        let mut counts = vec![0; n * n];
        let mut wanted = selected.to_vec();
        wanted.sort_unstable();
        for (&i, &t) in self.held_out_segments.iter().zip(&self.held_out_truth) {
            if let (Ok(_), Some(&p)) = (wanted.binary_search(&i), predictions.get(i)) {
                if t < n && p < n {
                    counts[t * n + p] += 1;
                }
            }
        }
        counts
    }

    /// The tables as the paper prints them, in plain text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} — {}", self.model, self.protocol);
        let _ = writeln!(out);
        let _ = writeln!(out, "Table 1: accuracy");
        let _ = writeln!(
            out,
            "{:<10} {:>9} {:>10} {:>18} {:>14} {:>10}",
            "split", "segments", "accuracy", "tracks (vote)", "recon. MSE", "of var."
        );
        for s in &self.splits {
            let vote = s.track_vote.as_ref().map_or("-".to_string(), |v| {
                format!("{}/{} {}", v.correct, v.tracks, percent(v.accuracy))
            });
            let _ = writeln!(
                out,
                "{:<10} {:>9} {:>10} {:>18} {:>14} {:>10}",
                s.split,
                s.segments,
                s.accuracy.map_or("-".to_string(), percent),
                vote,
                s.reconstruction_mse
                    .map_or("-".to_string(), |m| format!("{m:.3e}")),
                s.reconstruction_fraction.map_or("-".to_string(), percent)
            );
        }
        if let Some(cm) = &self.confusion {
            let width = self
                .genres
                .iter()
                .map(|g| g.len())
                .max()
                .unwrap_or(5)
                .max(9);
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Table 2: per-genre metrics on the {} set ({} segments)",
                self.held_out,
                cm.total()
            );
            let _ = writeln!(
                out,
                "{:<width$} {:>9} {:>7} {:>7} {:>8}",
                "genre", "precision", "recall", "F1", "support"
            );
            for g in &self.per_genre {
                let _ = writeln!(
                    out,
                    "{:<width$} {:>9.3} {:>7.3} {:>7.3} {:>8}",
                    g.genre, g.precision, g.recall, g.f1, g.support
                );
            }
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Confusion matrix on the {} set (rows: true genre, columns: predicted)",
                self.held_out
            );
            let col = self
                .genres
                .iter()
                .map(|g| g.len())
                .max()
                .unwrap_or(5)
                .max(5);
            let _ = write!(out, "{:<width$}", "");
            for g in &self.genres {
                let _ = write!(out, " {g:>col$}");
            }
            let _ = writeln!(out);
            for (t, g) in self.genres.iter().enumerate() {
                let _ = write!(out, "{g:<width$}");
                for p in 0..self.genres.len() {
                    let _ = write!(out, " {:>col$}", cm.get(t, p));
                }
                let _ = writeln!(out);
            }
        }
        out
    }
}
