//! Standardisation of a model's inputs. The paper feeds raw values; `--standardize` scales
//! waveform inputs by one number (`ModelConfig::input_scale`); log-mel models standardise each
//! mel band with statistics fitted on the training split only and stored in the model file.

use serde::{Deserialize, Serialize};

/// Per-band mean and standard deviation: value `j` of a vector belongs to band `j % bands`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandNorm {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

/// A band whose values barely vary is divided by at least this (log-mel bands are in dB, so this
/// is a hundredth of a decibel), so silence-only bands do not blow up.
const MIN_STD: f32 = 1e-2;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NormError {
    #[error("{means} band means but {stds} band deviations")]
    Lengths { means: usize, stds: usize },
    #[error("{bands} bands do not divide {dim}-value inputs")]
    Bands { bands: usize, dim: usize },
    #[error("band {band}: mean {mean} and deviation {std} must be finite, the deviation positive")]
    Value { band: usize, mean: f32, std: f32 },
}

impl BandNorm {
    /// Fits per-band statistics to row-major `rows` of `dim` values.
    pub fn fit(rows: &[f32], dim: usize, bands: usize) -> Self {
        let mut sum = vec![0.0f64; bands];
        let mut sum_sq = vec![0.0f64; bands];
        for (j, &v) in rows.iter().enumerate() {
            let band = (j % dim) % bands;
            sum[band] += f64::from(v);
            sum_sq[band] += f64::from(v) * f64::from(v);
        }
        let count = (rows.len() / bands).max(1) as f64;
        let mean: Vec<f32> = sum.iter().map(|s| (s / count) as f32).collect();
        let std = sum
            .iter()
            .zip(&sum_sq)
            .map(|(s, q)| {
                let m = s / count;
                ((q / count - m * m).max(0.0).sqrt() as f32).max(MIN_STD)
            })
            .collect();
        Self { mean, std }
    }

    pub fn bands(&self) -> usize {
        self.mean.len()
    }

    pub fn validate(&self, dim: usize) -> Result<(), NormError> {
        if self.mean.len() != self.std.len() {
            return Err(NormError::Lengths {
                means: self.mean.len(),
                stds: self.std.len(),
            });
        }
        if self.mean.is_empty() || !dim.is_multiple_of(self.mean.len()) {
            return Err(NormError::Bands {
                bands: self.mean.len(),
                dim,
            });
        }
        for (band, (&mean, &std)) in self.mean.iter().zip(&self.std).enumerate() {
            let ok = mean.is_finite() && std.is_finite() && (MIN_STD * 0.999..1e12).contains(&std);
            if !ok {
                return Err(NormError::Value { band, mean, std });
            }
        }
        Ok(())
    }

    /// Shift and multiplier for each of `dim` values: `model = (raw - shift) * multiplier`.
    pub fn expand(&self, dim: usize) -> (Vec<f32>, Vec<f32>) {
        let bands = self.bands().max(1);
        let shift = (0..dim).map(|j| self.mean[j % bands]).collect();
        let multiplier = (0..dim).map(|j| 1.0 / self.std[j % bands]).collect();
        (shift, multiplier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_standardises_each_band() {
        // Two bands: band 0 around 10 ± 2, band 1 constant 5.
        let rows: Vec<f32> = (0..100)
            .flat_map(|i| [10.0 + if i % 2 == 0 { 2.0 } else { -2.0 }, 5.0])
            .collect();
        let norm = BandNorm::fit(&rows, 4, 2);
        assert!((norm.mean[0] - 10.0).abs() < 1e-5 && (norm.std[0] - 2.0).abs() < 1e-5);
        assert_eq!((norm.mean[1], norm.std[1]), (5.0, MIN_STD));
        norm.validate(4).unwrap();
        assert!(norm.validate(3).is_err());
        let (shift, mult) = norm.expand(4);
        assert_eq!(shift, vec![10.0, 5.0, 10.0, 5.0]);
        assert_eq!(mult[2], 0.5);
    }
}
