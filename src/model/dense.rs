//! One dense layer of a network (`act(x W + b)`, one fused op, optionally followed by seeded
//! dropout), and a stack of them run in order.

use candle_core::{Tensor, Var};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::LayerSpec;
use super::fused::{self, DenseOp};

pub(super) struct Dense {
    pub(super) spec: LayerSpec,
    /// Held as `inputs × outputs` (the transpose of the file's `outputs × inputs`): the forward
    /// pass is then `x · W` with no transposed view in the graph, so the weight's gradient comes
    /// out of one matrix product already contiguous instead of through candle's strided copy.
    pub(super) weight: Var,
    pub(super) bias: Var,
}

/// Training mode: inverted dropout masks (and the β-TCVAE's code samples) drawn from a seeded
/// generator, so training is reproducible.
pub struct Dropout<'a> {
    pub keep: f64,
    pub rng: &'a mut ChaCha8Rng,
}

impl Dropout<'_> {
    fn apply(&mut self, x: &Tensor) -> candle_core::Result<Tensor> {
        if self.keep >= 1.0 {
            return Ok(x.clone());
        }
        let scale = (1.0 / self.keep) as f32;
        let keep = self.keep;
        let mask: Vec<f32> = (0..x.elem_count())
            .map(|_| {
                if self.rng.random::<f64>() < keep {
                    scale
                } else {
                    0.0
                }
            })
            .collect();
        x.mul(&Tensor::from_vec(mask, x.shape(), x.device())?)
    }
}

impl Dense {
    fn forward(&self, x: &Tensor, dropout: &mut Option<Dropout>) -> candle_core::Result<Tensor> {
        let y = x.apply_op3(
            self.weight.as_tensor(),
            self.bias.as_tensor(),
            DenseOp {
                activation: self.spec.activation,
            },
        )?;
        match dropout {
            Some(d) if self.spec.dropout_after => d.apply(&y),
            _ => Ok(y),
        }
    }

    /// The layer over row-major rows in evaluation mode, on plain slices: no tensor is made.
    fn forward_rows(&self, x: &[f32]) -> candle_core::Result<Vec<f32>> {
        let (w_storage, w_layout) = self.weight.as_tensor().storage_and_layout();
        let (b_storage, b_layout) = self.bias.as_tensor().storage_and_layout();
        Ok(fused::forward_rows(
            x,
            fused::cpu_slice(&w_storage, w_layout)?,
            fused::cpu_slice(&b_storage, b_layout)?,
            self.spec.activation,
        ))
    }
}

pub(super) fn run(
    layers: &[Dense],
    x: &Tensor,
    dropout: &mut Option<Dropout>,
) -> candle_core::Result<Tensor> {
    layers
        .iter()
        .try_fold(x.clone(), |h, l| l.forward(&h, dropout))
}

/// [`run`] in evaluation mode over row-major rows, without tensors.
pub(super) fn run_rows(layers: &[Dense], x: &[f32]) -> candle_core::Result<Vec<f32>> {
    let Some((first, rest)) = layers.split_first() else {
        return Ok(x.to_vec());
    };
    rest.iter()
        .try_fold(first.forward_rows(x)?, |h, l| l.forward_rows(&h))
}
