//! The networks in candle. A model is a list of dense layers (encoder, decoder, classifier head)
//! whose weights are candle `Var`s; which parts exist depends on the kind.

use candle_core::{DType, Device, Tensor, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::{Activation, LayerSpec, ModelConfig};

/// Rows per forward pass when running a whole dataset through a model in evaluation mode.
const INFERENCE_BATCH: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("invalid model settings: {0}")]
    Config(String),
    #[error("the model has no {0}")]
    Missing(&'static str),
    #[error("expected {expected} values per row, got {got}")]
    Shape { expected: usize, got: usize },
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, ModelError>;

struct Dense {
    spec: LayerSpec,
    weight: Var,
    bias: Var,
}

pub struct Model {
    config: ModelConfig,
    device: Device,
    encoder: Vec<Dense>,
    decoder: Vec<Dense>,
    head: Vec<Dense>,
}

/// What one forward pass produces.
pub struct Outputs {
    /// The encoder's output: the 64-d bottleneck (or the baseline's 128-d hidden layer).
    pub code: Tensor,
    pub reconstruction: Option<Tensor>,
    pub logits: Option<Tensor>,
}

/// One evaluation-mode pass over many rows, as flat row-major vectors.
#[derive(Debug, Clone, Default)]
pub struct Inference {
    pub code: Vec<f32>,
    pub code_dim: usize,
    pub logits: Option<Vec<f32>>,
    pub reconstruction: Option<Vec<f32>>,
}

/// Inverted dropout masks drawn from a seeded generator, so training is reproducible.
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
        let y = x
            .matmul(&self.weight.as_tensor().t()?)?
            .broadcast_add(self.bias.as_tensor())?;
        let y = activate(y, self.spec.activation)?;
        match dropout {
            Some(d) if self.spec.dropout_after => d.apply(&y),
            _ => Ok(y),
        }
    }
}

fn run(layers: &[Dense], x: &Tensor, dropout: &mut Option<Dropout>) -> candle_core::Result<Tensor> {
    layers
        .iter()
        .try_fold(x.clone(), |h, l| l.forward(&h, dropout))
}

impl Model {
    /// A fresh model: Glorot-uniform weights from a seeded generator, zero biases (as the
    /// authors' `xavier_initializer`).
    pub fn new(config: ModelConfig, seed: u64) -> Result<Self> {
        config.validate().map_err(ModelError::Config)?;
        let device = Device::Cpu;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut make = |specs: Vec<LayerSpec>| -> Result<Vec<Dense>> {
            specs
                .into_iter()
                .map(|spec| {
                    let limit = (6.0 / (spec.inputs + spec.outputs) as f64).sqrt();
                    let w: Vec<f32> = (0..spec.inputs * spec.outputs)
                        .map(|_| rng.random_range(-limit..limit) as f32)
                        .collect();
                    let weight = Tensor::from_vec(w, (spec.outputs, spec.inputs), &device)?;
                    let bias = Tensor::zeros(spec.outputs, DType::F32, &device)?;
                    Ok(Dense {
                        spec,
                        weight: Var::from_tensor(&weight)?,
                        bias: Var::from_tensor(&bias)?,
                    })
                })
                .collect()
        };
        Ok(Self {
            encoder: make(config.encoder_layers())?,
            decoder: make(config.decoder_layers())?,
            head: make(config.head_layers())?,
            config,
            device,
        })
    }

    /// Rebuilds a model from named tensors (`<layer>.weight`, `<layer>.bias`), checking every
    /// name and shape against what `config` needs. The error says exactly what differs.
    pub fn from_tensors(
        config: ModelConfig,
        mut tensors: std::collections::HashMap<String, Tensor>,
    ) -> std::result::Result<Self, String> {
        config.validate()?;
        let mut take = |specs: Vec<LayerSpec>| -> std::result::Result<Vec<Dense>, String> {
            specs
                .into_iter()
                .map(|spec| {
                    let mut get = |suffix: &str, shape: &[usize]| {
                        let name = format!("{}.{suffix}", spec.name);
                        let t = tensors.remove(&name).ok_or_else(|| {
                            format!("tensor {name} is missing (a {} needs it)", config.kind)
                        })?;
                        if t.dims() != shape {
                            return Err(format!(
                                "tensor {name} is {:?} but a {} on {}-d input with {} genres needs {shape:?}",
                                t.dims(),
                                config.kind,
                                config.input_dim,
                                config.n_classes
                            ));
                        }
                        let t = t.to_dtype(DType::F32).map_err(|e| e.to_string())?;
                        Var::from_tensor(&t).map_err(|e| e.to_string())
                    };
                    Ok(Dense {
                        weight: get("weight", &[spec.outputs, spec.inputs])?,
                        bias: get("bias", &[spec.outputs])?,
                        spec,
                    })
                })
                .collect()
        };
        let encoder = take(config.encoder_layers())?;
        let decoder = take(config.decoder_layers())?;
        let head = take(config.head_layers())?;
        if let Some(extra) = tensors.keys().min() {
            return Err(format!(
                "tensor {extra} is not part of a {} (is this a model of another kind?)",
                config.kind
            ));
        }
        Ok(Self {
            config,
            device: Device::Cpu,
            encoder,
            decoder,
            head,
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    fn layers(&self) -> impl Iterator<Item = &Dense> {
        self.encoder.iter().chain(&self.decoder).chain(&self.head)
    }

    /// Every trainable variable, for the optimiser.
    pub fn vars(&self) -> Vec<Var> {
        self.layers()
            .flat_map(|l| [l.weight.clone(), l.bias.clone()])
            .collect()
    }

    /// Every weight by name, for saving.
    pub fn named_tensors(&self) -> Vec<(String, Tensor)> {
        self.layers()
            .flat_map(|l| {
                [
                    (
                        format!("{}.weight", l.spec.name),
                        l.weight.as_tensor().clone(),
                    ),
                    (format!("{}.bias", l.spec.name), l.bias.as_tensor().clone()),
                ]
            })
            .collect()
    }

    /// A forward pass over a batch `x` (rows × input_dim). With `dropout`, in training mode.
    pub fn forward(&self, x: &Tensor, dropout: Option<Dropout>) -> candle_core::Result<Outputs> {
        let mut dropout = dropout;
        let scale = self.config.input_scale;
        let scaled;
        let x = if scale == 1.0 {
            x
        } else {
            scaled = (x * scale)?;
            &scaled
        };
        let code = run(&self.encoder, x, &mut dropout)?;
        let reconstruction = if self.decoder.is_empty() {
            None
        } else {
            let r = run(&self.decoder, &code, &mut dropout)?;
            Some(if scale == 1.0 { r } else { (r / scale)? })
        };
        let logits = if self.head.is_empty() {
            None
        } else {
            Some(run(&self.head, &code, &mut dropout)?)
        };
        Ok(Outputs {
            code,
            reconstruction,
            logits,
        })
    }

    fn rows(&self, x: &[f32], width: usize) -> Result<usize> {
        if width == 0 || x.len() % width != 0 {
            return Err(ModelError::Shape {
                expected: width,
                got: x.len(),
            });
        }
        Ok(x.len() / width)
    }

    /// `x` (row-major, `width` wide) as tensors of at most `INFERENCE_BATCH` rows.
    fn batches<'a>(
        &'a self,
        x: &'a [f32],
        width: usize,
    ) -> Result<impl Iterator<Item = candle_core::Result<Tensor>> + 'a> {
        let n = self.rows(x, width)?;
        Ok((0..n).step_by(INFERENCE_BATCH).map(move |start| {
            let rows = INFERENCE_BATCH.min(n - start);
            Tensor::from_slice(
                &x[start * width..(start + rows) * width],
                (rows, width),
                &self.device,
            )
        }))
    }

    /// Runs `layers` over row-major `x` in evaluation mode, in batches.
    fn apply(&self, layers: &[Dense], x: &[f32], width: usize) -> Result<Vec<f32>> {
        let mut out = Vec::new();
        for batch in self.batches(x, width)? {
            out.extend(flat(&run(layers, &batch?, &mut None)?)?);
        }
        Ok(out)
    }

    /// The code of each input row: 64-d bottleneck (baseline: its 128-d hidden layer).
    pub fn encode(&self, x: &[f32]) -> Result<Vec<f32>> {
        let scale = self.config.input_scale as f32;
        if scale == 1.0 {
            return self.apply(&self.encoder, x, self.config.input_dim);
        }
        let scaled: Vec<f32> = x.iter().map(|v| v * scale).collect();
        self.apply(&self.encoder, &scaled, self.config.input_dim)
    }

    /// Genre logits of each code row (the classifier head alone: for interpolated codes).
    pub fn head_logits(&self, code: &[f32]) -> Result<Vec<f32>> {
        if self.head.is_empty() {
            return Err(ModelError::Missing(
                "classifier (the autoencoder is unsupervised)",
            ));
        }
        self.apply(&self.head, code, self.config.code_dim())
    }

    /// The decoder's reconstruction of each code row.
    pub fn decode(&self, code: &[f32]) -> Result<Vec<f32>> {
        if self.decoder.is_empty() {
            return Err(ModelError::Missing(
                "decoder (the baseline only classifies)",
            ));
        }
        let mut out = self.apply(&self.decoder, code, self.config.code_dim())?;
        // Back from the model's (possibly standardized) units to raw amplitude, as `forward`.
        let scale = self.config.input_scale as f32;
        if scale != 1.0 {
            for v in &mut out {
                *v /= scale;
            }
        }
        Ok(out)
    }

    /// Codes, logits and reconstructions of every input row in one evaluation-mode pass.
    pub fn infer(&self, x: &[f32]) -> Result<Inference> {
        let mut result = Inference {
            code_dim: self.config.code_dim(),
            logits: (!self.head.is_empty()).then(Vec::new),
            reconstruction: (!self.decoder.is_empty()).then(Vec::new),
            ..Inference::default()
        };
        for batch in self.batches(x, self.config.input_dim)? {
            let out = self.forward(&batch?, None)?;
            result.code.extend(flat(&out.code)?);
            if let (Some(acc), Some(l)) = (result.logits.as_mut(), out.logits) {
                acc.extend(flat(&l)?);
            }
            if let (Some(acc), Some(r)) = (result.reconstruction.as_mut(), out.reconstruction) {
                acc.extend(flat(&r)?);
            }
        }
        Ok(result)
    }
}

/// A tensor's values, row-major.
fn flat(t: &Tensor) -> candle_core::Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}

/// Softmax of each row of `logits` (row-major, `n_classes` wide).
pub fn softmax_rows(logits: &[f32], n_classes: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(n_classes.max(1)) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = row.iter().map(|&v| (v - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        out.extend(exp.iter().map(|e| e / sum));
    }
    out
}

/// Index of the largest value of each row.
pub fn argmax_rows(values: &[f32], width: usize) -> Vec<usize> {
    values
        .chunks_exact(width.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
                    if v > best.1 {
                        (i, v)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}
