//! A dense layer's matrix product, bias and activation as one candle op, forward and backward.
//!
//! Built from candle's own ops a layer is a matrix product, a second product for the bias
//! (a column of ones times the bias row), an addition and an activation: four passes over the
//! output and four buffers, and in the backward pass candle computes the gradient of every
//! product's left side, the input layer's included, whose input is data and needs none (a third
//! of that layer's backward work). Here the output is seeded with the bias, the product added
//! onto it and the activation applied in place; the backward pass takes the activation's
//! derivative from the output, sums the bias gradient in the same sweep, and skips the input's
//! gradient when nothing upstream learns. The products are the `gemm` crate's, the one candle
//! runs on the CPU.
//!
//! The same kernel serves single rows without tensors ([`forward_rows`]), so a decoder step or
//! a probe's classifier gives what the batched pass gives.

use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Storage, Tensor};
use rayon::prelude::*;

use super::activate::{activate_in_place, slope, vectorized};
use super::config::Activation;
use crate::matmul::{product, Strided};

/// Outputs above this many values take their activation on rayon's pool.
const PARALLEL_VALUES: usize = 1 << 16;

/// `act(x · W + b)` for `x` (rows × inputs), `W` (inputs × outputs), `b` (outputs).
pub(super) struct DenseOp {
    pub(super) activation: Activation,
}

/// The tensor's matrix, read in place at its strides.
fn strided<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    what: &str,
) -> candle_core::Result<Strided<'a>> {
    let CpuStorage::F32(all) = storage else {
        return Err(candle_core::Error::Msg(format!("{what} must be f32")));
    };
    let (row_stride, col_stride) = match layout.stride() {
        [r, c] => (*r, *c),
        [c] => (0, *c),
        other => {
            return Err(candle_core::Error::Msg(format!(
                "{what} must be a matrix, has strides {other:?}"
            )))
        }
    };
    Ok(Strided {
        data: &all[layout.start_offset()..],
        row_stride,
        col_stride,
    })
}

/// The activation in place, on rayon's pool for large outputs.
fn activate(values: &mut [f32], activation: Activation) {
    if values.len() >= PARALLEL_VALUES {
        values
            .par_chunks_mut(PARALLEL_VALUES / 4)
            .for_each(|chunk| activate_in_place(chunk, activation));
    } else {
        activate_in_place(values, activation);
    }
}

/// `g = grad_y · act'(y)` for row-major `y` and `grad_y` (`outputs` wide), and the bias's
/// gradient (the column sums of `g`), in one vectorised sweep.
fn pre_activation_gradient(
    y: &[f32],
    grad_y: &[f32],
    outputs: usize,
    activation: Activation,
) -> (Vec<f32>, Vec<f32>) {
    let mut g = vec![0.0f32; y.len()];
    let mut grad_b = vec![0.0f32; outputs];
    #[inline(always)]
    fn sweep(
        g: &mut [f32],
        grad_b: &mut [f32],
        y: &[f32],
        grad_y: &[f32],
        outputs: usize,
        slope: impl Fn(f32) -> f32,
    ) {
        let rows = g
            .chunks_exact_mut(outputs)
            .zip(y.chunks_exact(outputs))
            .zip(grad_y.chunks_exact(outputs));
        for ((g_row, y_row), gy_row) in rows {
            for (((g, &yv), &gv), sum) in g_row.iter_mut().zip(y_row).zip(gy_row).zip(&mut *grad_b)
            {
                let v = gv * slope(yv);
                *g = v;
                *sum += v;
            }
        }
    }
    if outputs > 0 {
        vectorized(|| match activation {
            Activation::Sigmoid => sweep(&mut g, &mut grad_b, y, grad_y, outputs, |y| {
                slope(Activation::Sigmoid, y)
            }),
            Activation::Tanh => sweep(&mut g, &mut grad_b, y, grad_y, outputs, |y| {
                slope(Activation::Tanh, y)
            }),
            Activation::Relu => sweep(&mut g, &mut grad_b, y, grad_y, outputs, |y| {
                slope(Activation::Relu, y)
            }),
            Activation::Linear => sweep(&mut g, &mut grad_b, y, grad_y, outputs, |_| 1.0),
        });
    }
    (g, grad_b)
}

/// The layer's output for `rows` rows of `x` (row-major, `inputs` wide), weights `w` (inputs ×
/// outputs, row-major) and bias `b`.
fn dense_forward(
    x: Strided,
    w: Strided,
    b: &[f32],
    rows: usize,
    inputs: usize,
    activation: Activation,
) -> Vec<f32> {
    let outputs = b.len();
    let mut out = Vec::with_capacity(rows * outputs);
    for _ in 0..rows {
        out.extend_from_slice(b);
    }
    product(&mut out, true, x, w, rows, inputs, outputs);
    activate(&mut out, activation);
    out
}

/// One layer over row-major `x` (`inputs` values a row) with row-major weights `w` and bias `b`,
/// in evaluation mode: what the batched op computes, without building a tensor.
pub(super) fn forward_rows(x: &[f32], w: &[f32], b: &[f32], activation: Activation) -> Vec<f32> {
    let outputs = b.len();
    let inputs = w.len().checked_div(outputs).unwrap_or(0);
    let rows = x.len().checked_div(inputs).unwrap_or(0);
    let x = Strided {
        data: x,
        row_stride: inputs,
        col_stride: 1,
    };
    let w = Strided {
        data: w,
        row_stride: outputs,
        col_stride: 1,
    };
    dense_forward(x, w, b, rows, inputs, activation)
}

fn shape_error(what: String) -> candle_core::Error {
    candle_core::Error::Msg(format!("dense layer: {what}"))
}

impl CustomOp3 for DenseOp {
    fn name(&self) -> &'static str {
        "dense"
    }

    fn cpu_fwd(
        &self,
        x_storage: &CpuStorage,
        x_layout: &Layout,
        w_storage: &CpuStorage,
        w_layout: &Layout,
        b_storage: &CpuStorage,
        b_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (rows, inputs) = x_layout.shape().dims2()?;
        let (w_inputs, outputs) = w_layout.shape().dims2()?;
        if w_inputs != inputs || b_layout.shape().dims1()? != outputs {
            return Err(shape_error(format!(
                "input {:?}, weight {:?}, bias {:?} do not fit",
                x_layout.dims(),
                w_layout.dims(),
                b_layout.dims()
            )));
        }
        let x = strided(x_storage, x_layout, "the input")?;
        let w = strided(w_storage, w_layout, "the weight")?;
        let b = strided(b_storage, b_layout, "the bias")?;
        let bias: Vec<f32> = (0..outputs).map(|j| b.data[j * b.col_stride]).collect();
        let out = dense_forward(x, w, &bias, rows, inputs, self.activation);
        Ok((CpuStorage::F32(out), Shape::from((rows, outputs))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        y: &Tensor,
        grad_y: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (rows, inputs) = x.dims2()?;
        let outputs = w.dim(1)?;
        let device = x.device().clone();

        // The gradient at the activation's input, and the bias's (its column sums), in one pass.
        let (g, grad_b) = {
            let y = y.contiguous()?;
            let grad_y = grad_y.contiguous()?;
            let (y_storage, y_layout) = y.storage_and_layout();
            let (gy_storage, gy_layout) = grad_y.storage_and_layout();
            let y = cpu_slice(&y_storage, y_layout)?;
            let gy = cpu_slice(&gy_storage, gy_layout)?;
            if y.len() != rows * outputs || gy.len() != y.len() {
                return Err(shape_error(
                    "the output's gradient does not fit the output".into(),
                ));
            }
            pre_activation_gradient(y, gy, outputs, self.activation)
        };
        let g_matrix = Strided {
            data: &g,
            row_stride: outputs,
            col_stride: 1,
        };

        let (x_storage, x_layout) = x.storage_and_layout();
        let (w_storage, w_layout) = w.storage_and_layout();
        let xs = strided(storage_cpu(&x_storage)?, x_layout, "the input")?;
        let ws = strided(storage_cpu(&w_storage)?, w_layout, "the weight")?;

        // Data (a batch of inputs) learns nothing: no gradient to compute for it.
        let grad_x = if x.track_op() {
            let mut grad_x = vec![0.0f32; rows * inputs];
            product(&mut grad_x, false, g_matrix, ws.t(), rows, outputs, inputs);
            Some(Tensor::from_vec(grad_x, (rows, inputs), &device)?)
        } else {
            None
        };
        let mut grad_w = vec![0.0f32; inputs * outputs];
        product(&mut grad_w, false, xs.t(), g_matrix, inputs, rows, outputs);
        Ok((
            grad_x,
            Some(Tensor::from_vec(grad_w, (inputs, outputs), &device)?),
            Some(Tensor::from_vec(grad_b, outputs, &device)?),
        ))
    }
}

fn storage_cpu(storage: &Storage) -> candle_core::Result<&CpuStorage> {
    match storage {
        Storage::Cpu(cpu) => Ok(cpu),
        _ => Err(shape_error("runs on the CPU only".into())),
    }
}

/// A contiguous f32 tensor's values.
pub(super) fn cpu_slice<'a>(
    storage: &'a Storage,
    layout: &Layout,
) -> candle_core::Result<&'a [f32]> {
    contiguous_f32(storage_cpu(storage)?, layout)
}

/// The values of a contiguous f32 storage under `layout` (also Adam's parameters and gradients).
pub(super) fn contiguous_f32<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
) -> candle_core::Result<&'a [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(all), Some((start, end))) => Ok(&all[start..end]),
        _ => Err(shape_error("values must be contiguous f32".into())),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use candle_core::{Device, Var, D};

    const ACTIVATIONS: [Activation; 4] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Linear,
    ];

    /// Values in [-1, 1) from a fixed linear congruential sequence.
    pub(in crate::model) fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// The layer from candle's own ops: what the fused op replaces.
    fn reference(x: &Tensor, w: &Tensor, b: &Tensor, a: Activation) -> Tensor {
        let y = x.matmul(w).unwrap().broadcast_add(b).unwrap();
        match a {
            Activation::Sigmoid => candle_nn::ops::sigmoid(&y).unwrap(),
            Activation::Tanh => y.tanh().unwrap(),
            Activation::Relu => y.relu().unwrap(),
            Activation::Linear => y,
        }
    }

    pub(in crate::model) fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(D::Minus1)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    #[test]
    fn the_fused_layer_computes_what_candle_ops_compute_forward_and_backward() {
        let dev = Device::Cpu;
        let (rows, inputs, outputs) = (9, 7, 5);
        for (i, &a) in ACTIVATIONS.iter().enumerate() {
            // The input a transposed view, as a strided layout the op must read correctly.
            let x_t = Tensor::from_vec(values(rows * inputs, 1 + i as u32), (inputs, rows), &dev)
                .unwrap();
            let x = Var::from_tensor(&x_t.t().unwrap()).unwrap();
            let w = Var::from_vec(values(inputs * outputs, 11), (inputs, outputs), &dev).unwrap();
            let b = Var::from_vec(values(outputs, 21), outputs, &dev).unwrap();
            let r = Tensor::from_vec(values(rows * outputs, 31), (rows, outputs), &dev).unwrap();

            let fused = x
                .as_tensor()
                .apply_op3(w.as_tensor(), b.as_tensor(), DenseOp { activation: a })
                .unwrap();
            let plain = reference(x.as_tensor(), w.as_tensor(), b.as_tensor(), a);
            assert!(max_diff(&fused, &plain) < 1e-6, "{a:?} forward");

            let grads_fused = (&fused * &r)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            let grads_plain = (&plain * &r)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap();
            for (name, var) in [("x", &x), ("w", &w), ("b", &b)] {
                let got = grads_fused.get(var).expect("a gradient");
                let want = grads_plain.get(var).expect("a gradient");
                assert!(max_diff(got, want) < 1e-5, "{a:?} gradient of {name}");
            }
        }
    }

    #[test]
    fn the_weight_gradient_agrees_with_finite_differences() {
        let (rows, inputs, outputs) = (6, 4, 3);
        let x = values(rows * inputs, 5);
        let b = values(outputs, 6);
        let r = values(rows * outputs, 7);
        for &a in &ACTIVATIONS {
            let w0 = values(inputs * outputs, 8);
            let loss = |w: &[f32]| -> f64 {
                forward_rows(&x, w, &b, a)
                    .iter()
                    .zip(&r)
                    .map(|(&y, &r)| f64::from(y) * f64::from(r))
                    .sum()
            };
            let dev = Device::Cpu;
            let w = Var::from_vec(w0.clone(), (inputs, outputs), &dev).unwrap();
            let xt = Tensor::from_vec(x.clone(), (rows, inputs), &dev).unwrap();
            let bt = Tensor::from_vec(b.clone(), outputs, &dev).unwrap();
            let rt = Tensor::from_vec(r.clone(), (rows, outputs), &dev).unwrap();
            let y = xt
                .apply_op3(w.as_tensor(), &bt, DenseOp { activation: a })
                .unwrap();
            let grads = (&y * &rt).unwrap().sum_all().unwrap().backward().unwrap();
            let analytic = grads.get(&w).unwrap().flatten_all().unwrap();
            let analytic = analytic.to_vec1::<f32>().unwrap();
            let eps = 1e-2f32;
            for (k, &g) in analytic.iter().enumerate() {
                let (mut up, mut down) = (w0.clone(), w0.clone());
                up[k] += eps;
                down[k] -= eps;
                let numeric = (loss(&up) - loss(&down)) / (2.0 * f64::from(eps));
                assert!(
                    (numeric - f64::from(g)).abs() < 2e-3,
                    "{a:?} weight {k}: finite difference {numeric}, gradient {g}"
                );
            }
        }
    }

    #[test]
    fn data_gets_no_gradient_and_the_rows_path_matches_the_batched_op() {
        let dev = Device::Cpu;
        let (rows, inputs, outputs) = (33, 64, 40);
        let x_values = values(rows * inputs, 3);
        let x = Tensor::from_vec(x_values.clone(), (rows, inputs), &dev).unwrap();
        let w_values = values(inputs * outputs, 4);
        let b_values = values(outputs, 5);
        let w = Var::from_vec(w_values.clone(), (inputs, outputs), &dev).unwrap();
        let b = Var::from_vec(b_values.clone(), outputs, &dev).unwrap();
        let y = x
            .apply_op3(
                w.as_tensor(),
                b.as_tensor(),
                DenseOp {
                    activation: Activation::Tanh,
                },
            )
            .unwrap();
        let grads = y.sum_all().unwrap().backward().unwrap();
        assert!(grads.get(&x).is_none(), "a batch of data learns nothing");
        assert!(grads.get(&w).is_some() && grads.get(&b).is_some());

        let batched = y.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let one = forward_rows(
            &x_values[5 * inputs..6 * inputs],
            &w_values,
            &b_values,
            Activation::Tanh,
        );
        let all = forward_rows(&x_values, &w_values, &b_values, Activation::Tanh);
        assert_eq!(all, batched, "the rows path is the batched op's kernel");
        let row = &batched[5 * outputs..6 * outputs];
        let worst = one
            .iter()
            .zip(row)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-6,
            "one row alone differs from its batch by {worst}"
        );
    }
}
