//! Cross-validation's table: every fold's held-out clip and track accuracy, the model's and a
//! linear probe's, with their mean and standard deviation over the folds.

use serde::{Deserialize, Serialize};

/// One fold's held-out scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScore {
    /// 1-based, as reports name it.
    pub fold: usize,
    pub test_tracks: usize,
    pub test_clips: usize,
    /// The model's clip and track (majority vote) accuracy on the test fold.
    pub accuracy: f64,
    pub track_accuracy: f64,
    /// The linear probe's, on the model's input vectors, same folds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_track_accuracy: Option<f64>,
    /// With early stopping on the dev fold: the epoch whose weights were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_epoch: Option<usize>,
}

/// Mean and sample standard deviation (n - 1) of a score over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub sd: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n.max(1) as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Self { mean, sd }
    }

    /// "84.2 ± 6.1 %".
    pub fn percent(&self) -> String {
        format!("{:.1} ± {:.1} %", 100.0 * self.mean, 100.0 * self.sd)
    }
}

/// What cross-validation found; kept in the model file of a model trained after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// How the folds were made, in words.
    pub protocol: String,
    /// What the folds could not do as asked (a genre with fewer artists than folds...).
    pub notes: Vec<String>,
    pub folds: Vec<FoldScore>,
    pub accuracy: Spread,
    pub track_accuracy: Spread,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_accuracy: Option<Spread>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_track_accuracy: Option<Spread>,
}

impl CrossValidation {
    pub fn summarise(protocol: String, notes: Vec<String>, folds: Vec<FoldScore>) -> Self {
        let of = |f: &dyn Fn(&FoldScore) -> Option<f64>| -> Option<Spread> {
            let values: Option<Vec<f64>> = folds.iter().map(f).collect();
            values.map(|v| Spread::of(&v))
        };
        Self {
            accuracy: of(&|f| Some(f.accuracy)).unwrap_or(Spread { mean: 0.0, sd: 0.0 }),
            track_accuracy: of(&|f| Some(f.track_accuracy))
                .unwrap_or(Spread { mean: 0.0, sd: 0.0 }),
            probe_accuracy: of(&|f| f.probe_accuracy),
            probe_track_accuracy: of(&|f| f.probe_track_accuracy),
            protocol,
            notes,
            folds,
        }
    }

    /// The folds and the summary as a plain-text table.
    pub fn render(&self) -> String {
        let mut out = format!("Cross-validation: {}\n", self.protocol);
        for note in &self.notes {
            out += &format!("note: {note}\n");
        }
        out += &format!(
            "{:>4} {:>7} {:>6} {:>10} {:>10} {:>10} {:>12}\n",
            "fold", "tracks", "clips", "accuracy", "tracks", "probe", "probe tracks"
        );
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
        for f in &self.folds {
            out += &format!(
                "{:>4} {:>7} {:>6} {:>10} {:>10} {:>10} {:>12}\n",
                f.fold,
                f.test_tracks,
                f.test_clips,
                pct(Some(f.accuracy)),
                pct(Some(f.track_accuracy)),
                pct(f.probe_accuracy),
                pct(f.probe_track_accuracy)
            );
        }
        out += &format!(
            "mean ± sd: clips {}, tracks {}",
            self.accuracy.percent(),
            self.track_accuracy.percent()
        );
        if let (Some(p), Some(t)) = (self.probe_accuracy, self.probe_track_accuracy) {
            out += &format!(
                "; linear probe on the same inputs: clips {}, tracks {}",
                p.percent(),
                t.percent()
            );
        }
        out + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_the_sample_standard_deviation() {
        let s = Spread::of(&[0.5, 0.7, 0.9]);
        assert!((s.mean - 0.7).abs() < 1e-12);
        assert!((s.sd - 0.2).abs() < 1e-12);
        assert_eq!(Spread::of(&[0.4]).sd, 0.0);
        assert_eq!(s.percent(), "70.0 ± 20.0 %");
    }
}
