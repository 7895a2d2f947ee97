//! The networks in candle. A model is a list of dense layers (encoder, decoder, classifier head)
//! whose weights are candle `Var`s; which parts exist depends on the kind.

use candle_core::{DType, Device, Tensor, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::{Activation, ConfigError, LayerSpec, ModelConfig, ModelKind};
use super::norm::{BandNorm, NormError};

/// Rows per forward pass when running a whole dataset through a model in evaluation mode.
const INFERENCE_BATCH: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("invalid model settings: {0}")]
    Config(#[from] ConfigError),
    #[error("invalid input standardisation: {0}")]
    Norm(#[from] NormError),
    #[error("the model has no {0}")]
    Missing(&'static str),
    #[error("expected {expected} values per row, got {got}")]
    Shape { expected: usize, got: usize },
    #[error("tensor {name} is missing (a {kind} needs it)")]
    MissingTensor { name: String, kind: ModelKind },
    #[error(
        "tensor {name} is {got:?} but a {kind} on {input_dim}-d input with {n_classes} genres \
        needs {expected:?}"
    )]
    TensorShape {
        name: String,
        got: Vec<usize>,
        expected: Vec<usize>,
        kind: ModelKind,
        input_dim: usize,
        n_classes: usize,
    },
    #[error("tensor {name} is not part of a {kind} (is this a model of another kind?)")]
    ExtraTensor { name: String, kind: ModelKind },
    #[error(
        "tensor {name} holds {value} at position {index}; a usable model has only finite weights"
    )]
    NonFinite {
        name: String,
        index: usize,
        value: f32,
    },
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, ModelError>;

struct Dense {
    spec: LayerSpec,
    /// Held as `inputs × outputs` (the transpose of the file's `outputs × inputs`): the forward
    /// pass is then `x · W` with no transposed view in the graph, so the weight's gradient comes
    /// out of one matrix product already contiguous instead of through candle's strided copy.
    weight: Var,
    bias: Var,
}

pub struct Model {
    config: ModelConfig,
    device: Device,
    encoder: Vec<Dense>,
    decoder: Vec<Dense>,
    head: Vec<Dense>,
    norm: Option<BandNorm>,
    input: InputMap,
}

/// How raw features become the model's units (and back, for what the decoder makes).
enum InputMap {
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
    fn new(config: &ModelConfig, norm: Option<&BandNorm>, device: &Device) -> Result<Self> {
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

    fn to_model(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Scale(s) if *s == 1.0 => Ok(x.clone()),
            Self::Scale(s) => x * *s,
            Self::Affine {
                shift, multiplier, ..
            } => x.broadcast_sub(shift)?.broadcast_mul(multiplier),
        }
    }

    fn back_from_model(&self, r: Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Scale(s) if *s == 1.0 => Ok(r),
            Self::Scale(s) => r / *s,
            Self::Affine {
                shift, multiplier, ..
            } => r.broadcast_div(multiplier)?.broadcast_add(shift),
        }
    }

    fn to_model_values_owned(&self, x: &[f32]) -> Option<Vec<f32>> {
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

    fn back_from_model_values(&self, r: &mut [f32]) {
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

fn run(layers: &[Dense], x: &Tensor, dropout: &mut Option<Dropout>) -> candle_core::Result<Tensor> {
    layers
        .iter()
        .try_fold(x.clone(), |h, l| l.forward(&h, dropout))
}

impl Model {
    /// A fresh model: Glorot-uniform weights from a seeded generator, zero biases (as the
    /// authors' `xavier_initializer`).
    pub fn new(config: ModelConfig, seed: u64) -> Result<Self> {
        config.validate()?;
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
                    // Drawn in the file's order (outputs × inputs), so a seed gives the same model
                    // as always, then held transposed.
                    let weight = Tensor::from_vec(w, (spec.outputs, spec.inputs), &device)?
                        .t()?
                        .contiguous()?;
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
            input: InputMap::new(&config, None, &device)?,
            norm: None,
            config,
            device,
        })
    }

    /// The same model with per-band input standardisation (replacing `input_scale`).
    pub fn with_norm(mut self, norm: Option<BandNorm>) -> Result<Self> {
        self.input = InputMap::new(&self.config, norm.as_ref(), &self.device)?;
        self.norm = norm;
        Ok(self)
    }

    /// The per-band standardisation, when the model has one.
    pub fn norm(&self) -> Option<&BandNorm> {
        self.norm.as_ref()
    }

    /// Rebuilds a model from named tensors (`<layer>.weight`, `<layer>.bias`), checking every
    /// name, shape and value against what `config` needs. The error says exactly what differs.
    pub fn from_tensors(
        config: ModelConfig,
        mut tensors: std::collections::HashMap<String, Tensor>,
    ) -> Result<Self> {
        config.validate()?;
        let mut take = |specs: Vec<LayerSpec>| -> Result<Vec<Dense>> {
            specs
                .into_iter()
                .map(|spec| {
                    let mut get = |suffix: &str, shape: &[usize]| -> Result<Var> {
                        let name = format!("{}.{suffix}", spec.name);
                        let t = tensors
                            .remove(&name)
                            .ok_or_else(|| ModelError::MissingTensor {
                                name: name.clone(),
                                kind: config.kind,
                            })?;
                        if t.dims() != shape {
                            return Err(ModelError::TensorShape {
                                name,
                                got: t.dims().to_vec(),
                                expected: shape.to_vec(),
                                kind: config.kind,
                                input_dim: config.input_dim,
                                n_classes: config.n_classes,
                            });
                        }
                        let t = t.to_dtype(DType::F32)?;
                        let values = t.flatten_all()?.to_vec1::<f32>()?;
                        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                            return Err(ModelError::NonFinite {
                                name,
                                index,
                                value: values[index],
                            });
                        }
                        let t = if t.rank() == 2 {
                            t.t()?.contiguous()?
                        } else {
                            t
                        };
                        Ok(Var::from_tensor(&t)?)
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
            return Err(ModelError::ExtraTensor {
                name: extra.clone(),
                kind: config.kind,
            });
        }
        let device = Device::Cpu;
        Ok(Self {
            input: InputMap::new(&config, None, &device)?,
            norm: None,
            config,
            device,
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

    /// Every weight by name, in the file's layout (`outputs × inputs`), for saving.
    pub fn named_tensors(&self) -> candle_core::Result<Vec<(String, Tensor)>> {
        let mut named = Vec::new();
        for l in self.layers() {
            let weight = l.weight.as_tensor().t()?.contiguous()?;
            named.push((format!("{}.weight", l.spec.name), weight));
            named.push((format!("{}.bias", l.spec.name), l.bias.as_tensor().clone()));
        }
        Ok(named)
    }

    /// Raw features in the model's own units (standardised, when the model standardises).
    pub fn to_model_units(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.input.to_model(x)
    }

    /// Row-major raw features in the model's own units (borrowed when they already are).
    pub fn to_model_values<'a>(&self, x: &'a [f32]) -> std::borrow::Cow<'a, [f32]> {
        match self.input.to_model_values_owned(x) {
            Some(v) => std::borrow::Cow::Owned(v),
            None => std::borrow::Cow::Borrowed(x),
        }
    }

    /// The logits of inputs already in the model's units, in evaluation mode: the encoder and
    /// the head only (what accuracy needs; the decoder is half the work).
    pub fn logits_model_units(&self, x: &Tensor) -> candle_core::Result<Option<Tensor>> {
        if self.head.is_empty() {
            return Ok(None);
        }
        let code = run(&self.encoder, x, &mut None)?;
        Ok(Some(run(&self.head, &code, &mut None)?))
    }

    /// A forward pass over a batch `x` of raw features (rows × input_dim); the reconstruction
    /// comes back in raw units. With `dropout`, in training mode.
    pub fn forward(&self, x: &Tensor, dropout: Option<Dropout>) -> candle_core::Result<Outputs> {
        let out = self.forward_model_units(&self.to_model_units(x)?, dropout)?;
        Ok(Outputs {
            reconstruction: out
                .reconstruction
                .map(|r| self.input.back_from_model(r))
                .transpose()?,
            ..out
        })
    }

    /// A forward pass over inputs already in the model's units; the reconstruction stays in them
    /// (the training loss is measured there).
    pub fn forward_model_units(
        &self,
        x: &Tensor,
        dropout: Option<Dropout>,
    ) -> candle_core::Result<Outputs> {
        let mut dropout = dropout;
        let code = run(&self.encoder, x, &mut dropout)?;
        let reconstruction = if self.decoder.is_empty() {
            None
        } else {
            Some(run(&self.decoder, &code, &mut dropout)?)
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
        self.apply(
            &self.encoder,
            &self.to_model_values(x),
            self.config.input_dim,
        )
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
        // Back from the model's (possibly standardized) units to raw features, as `forward`.
        self.input.back_from_model_values(&mut out);
        Ok(out)
    }

    /// Codes, logits and reconstructions of every input row in one evaluation-mode pass.
    pub fn infer(&self, x: &[f32]) -> Result<Inference> {
        // Exact sizes: growing by doubling would hold up to twice each output while it grows.
        let rows = x.len() / self.config.input_dim.max(1);
        let mut result = Inference {
            code_dim: self.config.code_dim(),
            code: Vec::with_capacity(rows * self.config.code_dim()),
            logits: (!self.head.is_empty())
                .then(|| Vec::with_capacity(rows * self.config.n_classes)),
            reconstruction: (!self.decoder.is_empty())
                .then(|| Vec::with_capacity(rows * self.config.input_dim)),
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
