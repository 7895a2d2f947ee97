//! How raw features become a model's own units (a scale, or per-band standardisation) and how
//! what the decoder makes goes back, on tensors and on plain rows.

use candle_core::{Device, Tensor};

use super::config::ModelConfig;
use super::error::Result;
use super::norm::BandNorm;

/// How raw features become the model's units (and back, for what the decoder makes).
pub(super) enum InputMap {
    /// `x * scale` (1: the paper's raw values).
    Scale(f64),
    /// `(x - shift) * multiplier`, value by value (per-band standardisation).
    Affine {
        shift: Tensor,
        multiplier: Tensor,
        shift_values: Vec<f32>,
        multiplier_values: Vec<f32>,
    },
}

impl InputMap {
    pub(super) fn new(
        config: &ModelConfig,
        norm: Option<&BandNorm>,
        device: &Device,
    ) -> Result<Self> {
        let Some(norm) = norm else {
            return Ok(Self::Scale(config.input_scale));
        };
        norm.validate(config.input_dim)?;
        let (shift_values, multiplier_values) = norm.expand(config.input_dim);
        Ok(Self::Affine {
            shift: Tensor::from_slice(&shift_values, (1, config.input_dim), device)?,
            multiplier: Tensor::from_slice(&multiplier_values, (1, config.input_dim), device)?,
            shift_values,
            multiplier_values,
        })
    }

    pub(super) fn to_model(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Scale(s) if *s == 1.0 => Ok(x.clone()),
            Self::Scale(s) => x * *s,
            Self::Affine {
                shift, multiplier, ..
            } => x.broadcast_sub(shift)?.broadcast_mul(multiplier),
        }
    }

    pub(super) fn back_from_model(&self, r: Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Scale(s) if *s == 1.0 => Ok(r),
            Self::Scale(s) => r / *s,
            Self::Affine {
                shift, multiplier, ..
            } => r.broadcast_div(multiplier)?.broadcast_add(shift),
        }
    }

    pub(super) fn to_model_values_owned(&self, x: &[f32]) -> Option<Vec<f32>> {
        match self {
            Self::Scale(s) if *s == 1.0 => None,
            Self::Scale(s) => {
                let s = *s as f32;
                Some(x.iter().map(|v| v * s).collect())
            }
            Self::Affine {
                shift_values,
                multiplier_values,
                ..
            } => {
                let dim = shift_values.len();
                Some(
                    x.iter()
                        .enumerate()
                        .map(|(j, v)| (v - shift_values[j % dim]) * multiplier_values[j % dim])
                        .collect(),
                )
            }
        }
    }

    pub(super) fn back_from_model_values(&self, r: &mut [f32]) {
        match self {
            Self::Scale(s) if *s == 1.0 => {}
            Self::Scale(s) => {
                let s = *s as f32;
                for v in r {
                    *v /= s;
                }
            }
            Self::Affine {
                shift_values,
                multiplier_values,
                ..
            } => {
                let dim = shift_values.len();
                for (j, v) in r.iter_mut().enumerate() {
                    *v = *v / multiplier_values[j % dim] + shift_values[j % dim];
                }
            }
        }
    }
}
