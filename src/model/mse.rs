//! The reconstruction loss, `mean((prediction - target)²)`, as one candle op.
//!
//! candle-nn's `mse` is a subtraction, a square and a mean, and its gradient a broadcast and two
//! products: six passes over a batch's reconstruction (512 × 500 values for the paper's batch),
//! each into a new buffer. Here the loss is one pass, summed in f64, and its gradient another.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

use super::activate::vectorized;
use super::fused::{contiguous_f32, cpu_slice};

/// The mean squared difference of two tensors of the same shape, a scalar.
pub fn mse(prediction: &Tensor, target: &Tensor) -> candle_core::Result<Tensor> {
    if prediction.shape() != target.shape() {
        candle_core::bail!(
            "mse: prediction {:?} and target {:?} differ in shape",
            prediction.dims(),
            target.dims()
        );
    }
    prediction
        .contiguous()?
        .apply_op2(&target.contiguous()?, MseOp)
}

struct MseOp;

impl CustomOp2 for MseOp {
    fn name(&self) -> &'static str {
        "mse"
    }

    fn cpu_fwd(
        &self,
        p_storage: &CpuStorage,
        p_layout: &Layout,
        t_storage: &CpuStorage,
        t_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let p = contiguous_f32(p_storage, p_layout)?;
        let t = contiguous_f32(t_storage, t_layout)?;
        if p.len() != t.len() {
            candle_core::bail!("mse: {} predictions for {} targets", p.len(), t.len());
        }
        let sum = vectorized(|| {
            // Eight running sums, so the loop vectorises without reordering one sum's terms.
            let mut lanes = [0.0f64; 8];
            let (p_chunks, t_chunks) = (p.chunks_exact(8), t.chunks_exact(8));
            let tail: f64 = p_chunks
                .remainder()
                .iter()
                .zip(t_chunks.remainder())
                .map(|(&a, &b)| f64::from(a - b) * f64::from(a - b))
                .sum();
            for (pc, tc) in p_chunks.zip(t_chunks) {
                for ((lane, &a), &b) in lanes.iter_mut().zip(pc).zip(tc) {
                    let d = f64::from(a - b);
                    *lane += d * d;
                }
            }
            lanes.iter().sum::<f64>() + tail
        });
        let mean = sum / p.len().max(1) as f64;
        Ok((CpuStorage::F32(vec![mean as f32]), Shape::from(())))
    }

    fn bwd(
        &self,
        prediction: &Tensor,
        target: &Tensor,
        _loss: &Tensor,
        grad_loss: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let scale = 2.0 * grad_loss.to_scalar::<f32>()? / prediction.elem_count().max(1) as f32;
        let grad = {
            let (p_storage, p_layout) = prediction.storage_and_layout();
            let (t_storage, t_layout) = target.storage_and_layout();
            let p = cpu_slice(&p_storage, p_layout)?;
            let t = cpu_slice(&t_storage, t_layout)?;
            let mut grad = vec![0.0f32; p.len()];
            vectorized(|| {
                for ((g, &a), &b) in grad.iter_mut().zip(p).zip(t) {
                    *g = scale * (a - b);
                }
            });
            Tensor::from_vec(grad, prediction.shape(), prediction.device())?
        };
        // The target is data (the clean batch) everywhere genrescope trains.
        let grad_target = if target.track_op() {
            Some(grad.neg()?)
        } else {
            None
        };
        Ok((Some(grad), grad_target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fused::tests::{max_diff, values};
    use candle_core::{Device, Var};

    #[test]
    fn the_fused_loss_and_its_gradients_are_candle_nns() {
        let dev = Device::Cpu;
        // 37 × 13: not a multiple of the eight lanes, so the tail is summed too.
        let p = Var::from_vec(values(37 * 13, 1), (37, 13), &dev).unwrap();
        let t = Var::from_vec(values(37 * 13, 2), (37, 13), &dev).unwrap();
        let fused = mse(p.as_tensor(), t.as_tensor()).unwrap();
        let plain = candle_nn::loss::mse(p.as_tensor(), t.as_tensor()).unwrap();
        let (f, q) = (
            fused.to_scalar::<f32>().unwrap(),
            plain.to_scalar::<f32>().unwrap(),
        );
        assert!(q > 0.5, "the example has a real loss: {q}");
        assert!((f - q).abs() < 1e-6 * q, "fused {f}, candle-nn {q}");

        // Scaled as the training loss scales it, so the incoming gradient is not 1.
        let g_fused = (fused * 0.9).unwrap().backward().unwrap();
        let g_plain = (plain * 0.9).unwrap().backward().unwrap();
        for (name, var) in [("prediction", &p), ("target", &t)] {
            let got = g_fused.get(var).expect("a gradient");
            let want = g_plain.get(var).expect("a gradient");
            assert!(max_diff(got, want) < 1e-7, "gradient of the {name}");
        }
    }

    #[test]
    fn data_targets_get_no_gradient_and_shapes_must_match() {
        let dev = Device::Cpu;
        let p = Var::from_vec(values(12, 3), (3, 4), &dev).unwrap();
        let t = Tensor::from_vec(values(12, 4), (3, 4), &dev).unwrap();
        let grads = mse(p.as_tensor(), &t).unwrap().backward().unwrap();
        assert!(grads.get(&t).is_none());
        assert!(grads.get(&p).is_some());
        let wrong = Tensor::from_vec(values(12, 4), (4, 3), &dev).unwrap();
        let err = mse(p.as_tensor(), &wrong).unwrap_err().to_string();
        assert!(err.contains("differ in shape"), "{err}");
    }
}
