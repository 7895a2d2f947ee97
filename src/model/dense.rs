//! One dense layer of a network (`act(x W + b)`, optionally followed by seeded dropout), and a
//! stack of them run in order.

use candle_core::{DType, Tensor, Var};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::{Activation, LayerSpec};

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

fn activate(x: Tensor, activation: Activation) -> candle_core::Result<Tensor> {
    match activation {
        Activation::Sigmoid => candle_nn::ops::sigmoid(&x),
        Activation::Tanh => x.tanh(),
        Activation::Relu => x.relu(),
        Activation::Linear => Ok(x),
    }
}

impl Dense {
    fn forward(&self, x: &Tensor, dropout: &mut Option<Dropout>) -> candle_core::Result<Tensor> {
        // The bias enters as a rank-1 product (a column of ones times the bias row) rather
        // than a broadcast: its gradient is then one matrix product instead of candle's slow
        // strided sum over the batch.
        let ones = Tensor::ones((x.dim(0)?, 1), DType::F32, x.device())?;
        let y = (x.matmul(self.weight.as_tensor())?
            + ones.matmul(&self.bias.as_tensor().unsqueeze(0)?)?)?;
        let y = activate(y, self.spec.activation)?;
        match dropout {
            Some(d) if self.spec.dropout_after => d.apply(&y),
            _ => Ok(y),
        }
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
