//! The training loop: data and settings in, one progress report per epoch out, a trained model
//! and its history back. Pure apart from the callback; runs on any thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::{Tensor, D};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::model::adam::Adam;
use crate::model::kl::{kl_estimates, KlParts};
use crate::model::{argmax_rows, Dropout, Model, ModelConfig, ModelError, ModelKind, TrainConfig};
use crate::training::augment::Augment;

/// Rows of `input_dim` values and their genre labels.
#[derive(Debug, Clone, Copy)]
pub struct Examples<'a> {
    pub x: &'a [f32],
    pub y: &'a [u32],
}

impl Examples<'_> {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// One epoch's figures. Accuracies are measured in evaluation mode (no dropout) after the epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub epochs: usize,
    /// Mean training loss over the epoch's batches (with dropout), as optimised.
    pub loss: f64,
    pub reconstruction_loss: Option<f64>,
    pub classification_loss: Option<f64>,
    pub train_accuracy: Option<f64>,
    pub dev_loss: Option<f64>,
    /// The dev split's cross-entropy (what `best_on_dev` watches).
    #[serde(default)]
    pub dev_classification_loss: Option<f64>,
    pub dev_accuracy: Option<f64>,
    /// The β-TCVAE's KL parts, mean over the epoch's batches (nats per clip, by
    /// minibatch-stratified sampling: see `model::kl`): what its α, β and γ weigh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kl: Option<KlReport>,
    pub elapsed_secs: f64,
}

/// The β-TCVAE's KL term in its three parts, in nats per clip.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct KlReport {
    pub mutual_information: f64,
    pub total_correlation: f64,
    pub dimensionwise_kl: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("training was cancelled")]
    Cancelled,
    #[error(
        "training diverged: the loss became {loss} at epoch {epoch}, batch {batch}; lower the \
        learning rate (now {learning_rate}) and try again"
    )]
    Diverged {
        epoch: usize,
        batch: usize,
        loss: f64,
        learning_rate: f64,
    },
    #[error("cannot train: {0}")]
    Invalid(String),
    #[error("cannot train: {0}")]
    Settings(#[from] crate::model::ConfigError),
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl From<candle_core::Error> for TrainError {
    fn from(e: candle_core::Error) -> Self {
        Self::Model(ModelError::Candle(e))
    }
}

pub struct Trained {
    pub model: Model,
    pub history: Vec<EpochReport>,
    /// With `best_on_dev`: the epoch whose weights were kept.
    pub best_epoch: Option<usize>,
}

/// The loss of one forward pass and its parts.
struct Losses {
    total: Tensor,
    reconstruction: Option<Tensor>,
    classification: Option<Tensor>,
    logits: Option<Tensor>,
    kl: Option<KlParts>,
}

/// How the β-TCVAE's KL term enters: as the log-likelihood of a Gaussian decoder of unit
/// variance in the model's units (the inputs' standard deviations when they are standardised),
/// `½·dims·MSE`, so that dividing the whole ELBO by `½·dims/γ` leaves the DSAE's loss plus
/// `γ·(2/dims)·KL`: with every weight 0 it is the DSAE, and the DSAE's presets carry over.
fn kl_weight(cfg: &crate::model::ModelConfig) -> f64 {
    cfg.gamma * 2.0 / cfg.input_dim.max(1) as f64
}

/// The losses of a batch `x` already in the model's units: the reconstruction error is
/// measured there (raw amplitude unless the inputs are standardized), against `target` (the
/// clean batch when `x` was corrupted by the recipe's augmentation, else `x` itself).
/// `dataset_size` scales the β-TCVAE's estimate of the aggregate posterior; with `None` its KL
/// term is left out (evaluation passes, whose chunks are too large for its batch × batch work).
fn losses(
    model: &Model,
    x: &Tensor,
    target: &Tensor,
    y: &Tensor,
    dropout: Option<Dropout>,
    dataset_size: Option<usize>,
) -> candle_core::Result<Losses> {
    let cfg = model.config();
    let out = model.forward_model_units(x, dropout)?;
    let mse = match &out.reconstruction {
        Some(r) => Some(crate::model::mse(r, target)?),
        None => None,
    };
    let ce = match &out.logits {
        Some(l) => Some(candle_nn::loss::cross_entropy(l, y)?),
        None => None,
    };
    let mut total = match (cfg.kind, &mse, &ce) {
        (ModelKind::Dsae | ModelKind::Btcvae, Some(m), Some(c)) => {
            ((m * cfg.gamma)? + (c * (1.0 - cfg.gamma))?)?
        }
        (_, Some(m), None) => m.clone(),
        (_, None, Some(c)) => c.clone(),
        _ => unreachable!("every model has a decoder or a classifier"),
    };
    let mut kl = None;
    if let (Some(weights), Some(posterior), Some(n)) =
        (cfg.vae_weights(), &out.posterior, dataset_size)
    {
        let estimates = kl_estimates(&posterior.sample, &out.code, &posterior.logvar, n)?;
        let trained = &estimates.weighted;
        let weighted = ((&trained.mutual_information * weights.alpha)?
            + (&trained.total_correlation * weights.beta)?
            + (&trained.dimensionwise_kl * weights.gamma)?)?;
        total = (total + (weighted * kl_weight(cfg))?)?;
        kl = Some(estimates.stratified);
    }
    Ok(Losses {
        total,
        reconstruction: mse,
        classification: ce,
        logits: out.logits,
        kl,
    })
}

/// The training objective of a batch in evaluation mode (no dropout), as a differentiable
/// scalar tensor: gamma * MSE + (1 - gamma) * CE for the DSAE, MSE or CE for the others.
/// A β-TCVAE's KL term is estimated at the posterior means, for a dataset of this batch alone.
pub fn loss_tensor(model: &Model, x: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {
    let x = model.to_model_units(x)?;
    let rows = x.dim(0)?;
    Ok(losses(model, &x, &x, y, None, Some(rows))?.total)
}

fn scalar(t: &Tensor) -> candle_core::Result<f64> {
    Ok(f64::from(t.to_scalar::<f32>()?))
}

/// The rows' values (one after another) and labels.
fn gather(dim: usize, ex: Examples, rows: &[usize]) -> (Vec<f32>, Vec<u32>) {
    let mut x = Vec::with_capacity(rows.len() * dim);
    let mut y = Vec::with_capacity(rows.len());
    for &r in rows {
        x.extend_from_slice(&ex.x[r * dim..(r + 1) * dim]);
        y.push(ex.y[r]);
    }
    (x, y)
}

fn tensors(model: &Model, ex: Examples, rows: &[usize]) -> candle_core::Result<(Tensor, Tensor)> {
    let dim = model.config().input_dim;
    let (x, y) = gather(dim, ex, rows);
    let n = rows.len();
    Ok((
        Tensor::from_vec(x, (n, dim), model.device())?,
        Tensor::from_vec(y, n, model.device())?,
    ))
}

/// Rows per evaluation pass.
const EVAL_CHUNK: usize = 4096;

/// A split's figures in evaluation mode.
struct Evaluation {
    loss: f64,
    classification_loss: Option<f64>,
    accuracy: Option<f64>,
}

/// Loss, cross-entropy and accuracy of `ex` (already in the model's units) in evaluation mode.
fn evaluate_model_units(model: &Model, ex: Examples) -> Result<Evaluation, TrainError> {
    let (mut loss_sum, mut ce_sum, mut correct) = (0.0, 0.0, 0usize);
    let all: Vec<usize> = (0..ex.len()).collect();
    for rows in all.chunks(EVAL_CHUNK) {
        let (x, y) = tensors(model, ex, rows)?;
        let out = losses(model, &x, &x, &y, None, None)?;
        let w = rows.len() as f64;
        loss_sum += scalar(&out.total)? * w;
        if let Some(c) = &out.classification {
            ce_sum += scalar(c)? * w;
        }
        if let Some(logits) = out.logits {
            correct += count_correct(&logits, rows, ex.y)?;
        }
    }
    let n = ex.len().max(1) as f64;
    let classifies = model.config().kind.has_classifier();
    Ok(Evaluation {
        loss: loss_sum / n,
        classification_loss: classifies.then(|| ce_sum / n),
        accuracy: classifies.then(|| correct as f64 / n),
    })
}

/// How many of `rows` the `logits` (one row each, in order) classify as their label in `y`.
fn count_correct(logits: &Tensor, rows: &[usize], y: &[u32]) -> candle_core::Result<usize> {
    let predicted = logits.argmax(D::Minus1)?.to_vec1::<u32>()?;
    Ok(predicted
        .iter()
        .zip(rows)
        .filter(|(p, &r)| **p == y[r])
        .count())
}

/// Accuracy of `ex` (in the model's units) in evaluation mode, through the encoder and the
/// classifier only.
fn accuracy_model_units(model: &Model, ex: Examples) -> Result<Option<f64>, TrainError> {
    let mut correct = 0usize;
    let all: Vec<usize> = (0..ex.len()).collect();
    for rows in all.chunks(EVAL_CHUNK) {
        let (x, _) = tensors(model, ex, rows)?;
        let Some(logits) = model.logits_model_units(&x)? else {
            return Ok(None);
        };
        correct += count_correct(&logits, rows, ex.y)?;
    }
    Ok(Some(correct as f64 / ex.len().max(1) as f64))
}

/// Trains a fresh model. `on_epoch` sees every epoch's report; `cancel` is checked between
/// batches. The same seed, data and thread count give the same model.
pub fn train(
    model_config: ModelConfig,
    train_config: &TrainConfig,
    train_set: Examples,
    dev_set: Option<Examples>,
    cancel: &AtomicBool,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Trained, TrainError> {
    model_config.validate()?;
    let model = Model::new(model_config, train_config.seed)?;
    train_model(model, train_config, train_set, dev_set, cancel, on_epoch)
}

/// Trains `model` (fresh, with its input standardisation set) in place of [`train`]'s default.
pub fn train_model(
    model: Model,
    train_config: &TrainConfig,
    train_set: Examples,
    dev_set: Option<Examples>,
    cancel: &AtomicBool,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Trained, TrainError> {
    let model_config = *model.config();
    train_config.validate()?;
    if train_set.is_empty() {
        return Err(TrainError::Invalid("the training split is empty".into()));
    }
    if train_set.x.len() != train_set.len() * model_config.input_dim {
        return Err(TrainError::Invalid(format!(
            "training rows are not {} values long",
            model_config.input_dim
        )));
    }
    if let Some(&bad) = train_set
        .y
        .iter()
        .find(|&&y| y as usize >= model_config.n_classes)
    {
        return Err(TrainError::Invalid(format!(
            "label {bad} is out of range for {} genres",
            model_config.n_classes
        )));
    }
    if let Some(k) = train_set.x.iter().position(|v| !v.is_finite()) {
        return Err(TrainError::Invalid(format!(
            "training row {} holds a non-finite value",
            k / model_config.input_dim
        )));
    }
    // Plain Adam, as the authors' tf.train.AdamOptimizer (AdamW when the recipe decays).
    let recipe = train_config.regularization;
    let mut optimizer =
        Adam::new(model.vars(), train_config.learning_rate).with_weight_decay(recipe.weight_decay);
    let augment = Augment::new(&recipe, model.norm().map(|n| n.bands()));
    let mut augment_rng = ChaCha8Rng::seed_from_u64(train_config.seed.wrapping_add(3));
    let dim = model_config.input_dim;
    // Standardised once, not per batch and epoch.
    let train_x = model.to_model_values(train_set.x);
    let train_set = Examples {
        x: &train_x,
        y: train_set.y,
    };
    let dev_x = dev_set.map(|d| model.to_model_values(d.x));
    let dev_set = dev_set
        .zip(dev_x.as_deref())
        .map(|(d, x)| Examples { x, y: d.y });
    let mut shuffle_rng = ChaCha8Rng::seed_from_u64(train_config.seed.wrapping_add(1));
    let mut dropout_rng = ChaCha8Rng::seed_from_u64(train_config.seed.wrapping_add(2));
    let mut order: Vec<usize> = (0..train_set.len()).collect();
    let started = Instant::now();
    let mut history = Vec::with_capacity(train_config.epochs);
    let watch_dev = recipe.best_on_dev && dev_set.is_some_and(|d| !d.is_empty());
    // The weights of the best epoch so far on dev, and its number.
    let mut best: Option<(f64, usize, Vec<Tensor>)> = None;

    for epoch in 1..=train_config.epochs {
        // On rayon's workers, so the products do not wake this thread every time; the
        // callback stays on the caller's thread.
        let epoch_result = crate::runtime::on_workers(|| -> Result<_, TrainError> {
            order.shuffle(&mut shuffle_rng);
            let (mut loss_sum, mut mse_sum, mut ce_sum) = (0.0, 0.0, 0.0);
            let mut kl_sum = KlReport::default();
            for (batch, rows) in order.chunks(train_config.batch_size).enumerate() {
                if cancel.load(Ordering::Relaxed) {
                    return Err(TrainError::Cancelled);
                }
                let (clean, y) = gather(dim, train_set, rows);
                let n_rows = rows.len();
                let corrupted = augment.map(|a| {
                    let mut x = clean.clone();
                    a.apply(&mut x, dim, &mut augment_rng);
                    x
                });
                let device = model.device();
                let target = Tensor::from_vec(clean, (n_rows, dim), device)?;
                let x = match corrupted {
                    Some(x) => Tensor::from_vec(x, (n_rows, dim), device)?,
                    None => target.clone(),
                };
                let y = Tensor::from_vec(y, n_rows, device)?;
                let dropout = Dropout {
                    keep: model_config.dropout_keep,
                    rng: &mut dropout_rng,
                };
                let out = losses(
                    &model,
                    &x,
                    &target,
                    &y,
                    Some(dropout),
                    Some(train_set.len()),
                )?;
                let loss = scalar(&out.total)?;
                if !loss.is_finite() {
                    return Err(TrainError::Diverged {
                        epoch,
                        batch: batch + 1,
                        loss,
                        learning_rate: train_config.learning_rate,
                    });
                }
                optimizer.backward_step(&out.total)?;
                let w = rows.len() as f64;
                loss_sum += loss * w;
                if let Some(m) = &out.reconstruction {
                    mse_sum += scalar(m)? * w;
                }
                if let Some(c) = &out.classification {
                    ce_sum += scalar(c)? * w;
                }
                if let Some(parts) = &out.kl {
                    kl_sum.mutual_information += scalar(&parts.mutual_information)? * w;
                    kl_sum.total_correlation += scalar(&parts.total_correlation)? * w;
                    kl_sum.dimensionwise_kl += scalar(&parts.dimensionwise_kl)? * w;
                }
            }
            let train_accuracy = accuracy_model_units(&model, train_set)?;
            let dev = match dev_set.filter(|d| !d.is_empty()) {
                Some(dev) => Some(evaluate_model_units(&model, dev)?),
                None => None,
            };
            Ok(((loss_sum, mse_sum, ce_sum, kl_sum), train_accuracy, dev))
        });
        let ((loss_sum, mse_sum, ce_sum, kl_sum), train_accuracy, dev) = epoch_result?;
        let n = train_set.len() as f64;
        if let Some(dev) = dev.as_ref().filter(|_| watch_dev) {
            let watched = dev.classification_loss.unwrap_or(dev.loss);
            if best.as_ref().is_none_or(|(b, _, _)| watched < *b) {
                let weights = model
                    .vars()
                    .iter()
                    .map(|v| v.as_tensor().copy())
                    .collect::<candle_core::Result<Vec<_>>>()?;
                best = Some((watched, epoch, weights));
            }
        }
        let report = EpochReport {
            epoch,
            epochs: train_config.epochs,
            loss: loss_sum / n,
            reconstruction_loss: model_config.kind.has_decoder().then_some(mse_sum / n),
            classification_loss: model_config.kind.has_classifier().then_some(ce_sum / n),
            train_accuracy,
            dev_loss: dev.as_ref().map(|d| d.loss),
            dev_classification_loss: dev.as_ref().and_then(|d| d.classification_loss),
            dev_accuracy: dev.as_ref().and_then(|d| d.accuracy),
            kl: model_config.kind.is_variational().then(|| KlReport {
                mutual_information: kl_sum.mutual_information / n,
                total_correlation: kl_sum.total_correlation / n,
                dimensionwise_kl: kl_sum.dimensionwise_kl / n,
            }),
            elapsed_secs: started.elapsed().as_secs_f64(),
        };
        on_epoch(&report);
        history.push(report);
    }
    let best_epoch = match best {
        Some((_, epoch, weights)) => {
            for (var, w) in model.vars().iter().zip(&weights) {
                var.set(w)?;
            }
            Some(epoch)
        }
        None => None,
    };
    Ok(Trained {
        model,
        history,
        best_epoch,
    })
}

/// Predicted genre of each row of `x` (evaluation mode).
pub fn predict(model: &Model, x: &[f32]) -> Result<Vec<usize>, ModelError> {
    let code = model.encode(x)?;
    let logits = model.head_logits(&code)?;
    Ok(argmax_rows(&logits, model.config().n_classes))
}
