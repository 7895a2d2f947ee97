//! The networks in candle. A model is a list of dense layers (encoder, decoder, classifier head)
//! whose weights are candle `Var`s; which parts exist depends on the kind.

use candle_core::{DType, Device, Tensor, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use super::dense::Dropout;
use super::dense::{run, run_rows, Dense};
pub use super::error::{ModelError, Result};
use super::input_map::InputMap;

use super::config::{LayerSpec, ModelConfig};
use super::kl::LOGVAR_LIMIT;
use super::norm::BandNorm;

/// Rows per forward pass when running a whole dataset through a model in evaluation mode.
const INFERENCE_BATCH: usize = 4096;
/// Row counts from which a pass is handed to rayon's workers ([`crate::runtime::on_workers`]).
const ON_WORKERS_ROWS: usize = 64;

pub struct Model {
    config: ModelConfig,
    device: Device,
    encoder: Vec<Dense>,
    /// The β-TCVAE's log-variance layer beside the encoder's last (empty for other kinds).
    logvar: Vec<Dense>,
    decoder: Vec<Dense>,
    head: Vec<Dense>,
    norm: Option<BandNorm>,
    input: InputMap,
}

/// What one forward pass produces.
pub struct Outputs {
    /// The encoder's output: the 64-d bottleneck (or the baseline's 128-d hidden layer).
    pub code: Tensor,
    pub reconstruction: Option<Tensor>,
    pub logits: Option<Tensor>,
    /// The β-TCVAE's posterior: `code` is its mean.
    pub posterior: Option<Posterior>,
}

/// A Gaussian code: what the β-TCVAE's encoder gives, and the sample the decoder heard.
pub struct Posterior {
    /// Clamped to ±[`LOGVAR_LIMIT`].
    pub logvar: Tensor,
    /// `mean + exp(logvar / 2) · ε` in training; the mean itself in evaluation.
    pub sample: Tensor,
}

/// One evaluation-mode pass over many rows, as flat row-major vectors.
#[derive(Debug, Clone, Default)]
pub struct Inference {
    pub code: Vec<f32>,
    pub code_dim: usize,
    pub logits: Option<Vec<f32>>,
    /// The decoder's output for every row (from [`Model::infer`]; [`Model::infer_lean`] keeps
    /// only their errors).
    pub reconstruction: Option<Vec<f32>>,
    /// Mean squared error of each row's reconstruction, in the input's own units (amplitude or
    /// dB), when the model has a decoder.
    pub reconstruction_error: Option<Vec<f32>>,
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
            logvar: make(config.logvar_layers())?,
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
        let logvar = take(config.logvar_layers())?;
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
            logvar,
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
        self.encoder
            .iter()
            .chain(&self.logvar)
            .chain(&self.decoder)
            .chain(&self.head)
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
        self.forward_raw(x, dropout, true)
    }

    /// [`Model::forward`], through the decoder only when `decode`.
    fn forward_raw(
        &self,
        x: &Tensor,
        dropout: Option<Dropout>,
        decode: bool,
    ) -> candle_core::Result<Outputs> {
        let out = self.forward_units(&self.to_model_units(x)?, dropout, decode)?;
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
        self.forward_units(x, dropout, true)
    }

    /// The forward pass, through the decoder only when `decode`.
    fn forward_units(
        &self,
        x: &Tensor,
        dropout: Option<Dropout>,
        decode: bool,
    ) -> candle_core::Result<Outputs> {
        let mut dropout = dropout;
        let (code, posterior) = if self.logvar.is_empty() {
            (run(&self.encoder, x, &mut dropout)?, None)
        } else {
            let (last, hidden_layers) = self
                .encoder
                .split_last()
                .expect("a β-TCVAE has encoder layers");
            let hidden = run(hidden_layers, x, &mut dropout)?;
            let mean = run(std::slice::from_ref(last), &hidden, &mut dropout)?;
            let logvar = run(&self.logvar, &hidden, &mut dropout)?
                .clamp(-LOGVAR_LIMIT as f32, LOGVAR_LIMIT as f32)?;
            let sample = match dropout.as_mut() {
                // The reparameterisation trick, with ε from the training run's seeded stream.
                Some(d) => {
                    let eps: Vec<f32> = (0..mean.elem_count())
                        .map(|_| d.rng.sample(rand_distr::StandardNormal))
                        .collect();
                    let eps = Tensor::from_vec(eps, mean.shape(), mean.device())?;
                    (&mean + (logvar.affine(0.5, 0.0)?.exp()? * eps)?)?
                }
                None => mean.clone(),
            };
            (mean, Some(Posterior { logvar, sample }))
        };
        let decoder_input = posterior.as_ref().map_or(&code, |p| &p.sample);
        let reconstruction = if self.decoder.is_empty() || !decode {
            None
        } else {
            Some(run(&self.decoder, decoder_input, &mut dropout)?)
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
            posterior,
        })
    }

    fn rows(&self, x: &[f32], width: usize) -> Result<usize> {
        if width == 0 || !x.len().is_multiple_of(width) {
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

    /// Runs `layers` over row-major `x` in evaluation mode, in batches, on plain slices (the
    /// batched pass's kernel without its tensors: a decoder step is a few microseconds).
    fn apply(&self, layers: &[Dense], x: &[f32], width: usize) -> Result<Vec<f32>> {
        let rows = self.rows(x, width)?;
        // A few rows (a decoder step) would spend more on the hand-over than on the work.
        if rows >= ON_WORKERS_ROWS && rayon::current_thread_index().is_none() {
            return crate::runtime::on_workers(|| self.apply(layers, x, width));
        }
        let mut out = Vec::new();
        for start in (0..rows).step_by(INFERENCE_BATCH) {
            let end = (start + INFERENCE_BATCH).min(rows);
            out.extend(run_rows(layers, &x[start * width..end * width])?);
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

    /// Codes, logits, reconstructions and their errors of every input row in one
    /// evaluation-mode pass.
    pub fn infer(&self, x: &[f32]) -> Result<Inference> {
        self.infer_keeping(x, Keep::Reconstructions)
    }

    /// [`Model::infer`] keeping each reconstruction's error but not the reconstruction: what a
    /// view of 40,000 log-mel clips holds is then their codes (10 MB), not 390 MB of
    /// reconstructions. One clip's reconstruction is `decode` of its code.
    pub fn infer_lean(&self, x: &[f32]) -> Result<Inference> {
        self.infer_keeping(x, Keep::Errors)
    }

    /// Codes and logits only, the decoder not run (no reconstruction errors): what a model
    /// compared with another needs, in about half the time of a symmetric autoencoder's pass.
    pub fn infer_codes(&self, x: &[f32]) -> Result<Inference> {
        self.infer_keeping(x, Keep::Codes)
    }

    fn infer_keeping(&self, x: &[f32], keep: Keep) -> Result<Inference> {
        if x.len() / self.config.input_dim.max(1) < ON_WORKERS_ROWS {
            return self.infer_on_this_thread(x, keep);
        }
        crate::runtime::on_workers(|| self.infer_on_this_thread(x, keep))
    }

    fn infer_on_this_thread(&self, x: &[f32], keep: Keep) -> Result<Inference> {
        let keep_reconstructions = keep == Keep::Reconstructions;
        // Exact sizes: growing by doubling would hold up to twice each output while it grows.
        let dim = self.config.input_dim;
        let rows = x.len() / dim.max(1);
        let has_decoder = !self.decoder.is_empty() && keep != Keep::Codes;
        let mut result = Inference {
            code_dim: self.config.code_dim(),
            code: Vec::with_capacity(rows * self.config.code_dim()),
            logits: (!self.head.is_empty())
                .then(|| Vec::with_capacity(rows * self.config.n_classes)),
            reconstruction: (has_decoder && keep_reconstructions)
                .then(|| Vec::with_capacity(rows * dim)),
            reconstruction_error: has_decoder.then(|| Vec::with_capacity(rows)),
        };
        let mut done_rows = 0;
        for batch in self.batches(x, dim)? {
            let out = self.forward_raw(&batch?, None, has_decoder)?;
            result.code.extend(flat(&out.code)?);
            if let (Some(acc), Some(l)) = (result.logits.as_mut(), out.logits) {
                acc.extend(flat(&l)?);
            }
            if let Some(r) = out.reconstruction {
                let r = flat(&r)?;
                let inputs = &x[done_rows * dim..done_rows * dim + r.len()];
                if let Some(errors) = result.reconstruction_error.as_mut() {
                    errors.extend(r.chunks_exact(dim).zip(inputs.chunks_exact(dim)).map(
                        |(r, x)| {
                            r.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f32>()
                                / dim as f32
                        },
                    ));
                }
                if let Some(acc) = result.reconstruction.as_mut() {
                    acc.extend(r);
                }
            }
            done_rows = result.code.len() / result.code_dim.max(1);
        }
        Ok(result)
    }
}

/// What an inference pass keeps of the decoder's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Reconstructions,
    Errors,
    Codes,
}

/// A tensor's values, row-major.
fn flat(t: &Tensor) -> candle_core::Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}
