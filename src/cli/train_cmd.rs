//! `genrescope train DIR --model KIND --out MODEL.safetensors`: the paper's experiment, headless.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::args::{FolderArg, IngestArgs, SplitArgs};
use super::progress::load_for_command;
use crate::dataset::{Dataset, InputKind, SplitConfig, SplitProtocol};
use crate::files::check_destination;
use crate::model::{save, Activation, ModelKind, Regularization, VaeWeights};
use crate::tables::crossval::{CrossValidation, FoldScore};
use crate::tables::report::EvalReport;
use crate::training::crossval::{cross_validate_then_train, CrossValidated};
use crate::training::experiment::run_experiment;
use crate::training::presets::{Preset, Settings};
use crate::training::train::EpochReport;

/// Model and training settings: a preset (the authors' by default), then any flag given.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Which of the paper's models
    #[arg(long, value_enum, default_value_t = ModelKind::Dsae)]
    pub model: ModelKind,
    /// Starting settings: the authors' (paper), or those chosen on held-out gtzan-mini tracks
    /// for the representation (recommended); the flags below override them
    #[arg(long, value_enum, default_value_t = Preset::Paper)]
    pub preset: Preset,
    /// DSAE loss weight: gamma * MSE + (1 - gamma) * cross-entropy [paper: 0.9]
    #[arg(long, allow_negative_numbers = true)]
    pub gamma: Option<f64>,
    /// Adam learning rate [paper: 1e-4]
    #[arg(long, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// Batch size [paper: 512]
    #[arg(long)]
    pub batch: Option<usize>,
    /// Epochs [paper: 200]
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Dropout keep probability (the paper's text says 0.9, its code used 0.8) [paper: 0.9]
    #[arg(long, allow_negative_numbers = true)]
    pub dropout_keep: Option<f64>,
    /// The decoder's last activation: relu (the paper) or linear (keeps negative half-waves)
    #[arg(long, value_enum)]
    pub decoder_output: Option<Activation>,
    /// Scale waveform inputs to unit variance (beyond the paper): the reconstruction term then
    /// weighs what gamma says instead of vanishing next to the cross-entropy
    #[arg(long)]
    pub standardize: bool,
    /// AdamW's decoupled weight decay, per step relative to the learning rate (beyond the paper)
    #[arg(long, allow_negative_numbers = true)]
    pub weight_decay: Option<f64>,
    /// Gaussian noise on each training input, in standard deviations of the standardised input;
    /// the decoder still reconstructs the clean input (beyond the paper)
    #[arg(long, allow_negative_numbers = true)]
    pub input_noise: Option<f64>,
    /// SpecAugment for log-mel and MFCC inputs: in each training input, blank a run of up to this
    /// many frames (beyond the paper)
    #[arg(long)]
    pub time_mask: Option<usize>,
    /// SpecAugment: blank a run of up to this many bands across every frame (beyond the paper)
    #[arg(long)]
    pub band_mask: Option<usize>,
    /// Keep the weights of the epoch with the lowest dev cross-entropy, not the last epoch's
    /// (early stopping; needs a dev split: --dev-fraction above 0 or kfold)
    #[arg(long)]
    pub best_on_dev: bool,
    /// β-TCVAE (--model btcvae): weight on the code's total correlation [default: 6]
    #[arg(long, allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// β-TCVAE: weight α on the index-code mutual information [default: 1]
    #[arg(long, allow_negative_numbers = true)]
    pub mi_weight: Option<f64>,
    /// β-TCVAE: weight γ on the dimension-wise KL to the prior [default: 1]
    #[arg(long, allow_negative_numbers = true)]
    pub dimwise_kl_weight: Option<f64>,
}

impl ModelArgs {
    /// The preset for `input`, with every flag given applied on top.
    pub fn settings(&self, input: InputKind) -> Settings {
        let preset = Settings::of(self.preset, input);
        Settings {
            learning_rate: self.lr.unwrap_or(preset.learning_rate),
            batch_size: self.batch.unwrap_or(preset.batch_size),
            epochs: self.epochs.unwrap_or(preset.epochs),
            dropout_keep: self.dropout_keep.unwrap_or(preset.dropout_keep),
            gamma: self.gamma.unwrap_or(preset.gamma),
            output_activation: self.decoder_output.unwrap_or(preset.output_activation),
            standardize: self.standardize || preset.standardize,
            regularization: Regularization {
                weight_decay: self
                    .weight_decay
                    .unwrap_or(preset.regularization.weight_decay),
                input_noise: self
                    .input_noise
                    .unwrap_or(preset.regularization.input_noise),
                time_mask_frames: self
                    .time_mask
                    .unwrap_or(preset.regularization.time_mask_frames),
                band_mask_bands: self
                    .band_mask
                    .unwrap_or(preset.regularization.band_mask_bands),
                best_on_dev: self.best_on_dev || preset.regularization.best_on_dev,
            },
            vae: VaeWeights {
                alpha: self.mi_weight.unwrap_or(preset.vae.alpha),
                beta: self.beta.unwrap_or(preset.vae.beta),
                gamma: self.dimwise_kl_weight.unwrap_or(preset.vae.gamma),
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub folder: FolderArg,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub ingest: IngestArgs,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Where to save the trained model (.safetensors)
    #[arg(long)]
    pub out: PathBuf,
    /// Print the results as JSON (progress still goes to stderr)
    #[arg(long)]
    pub json: bool,
}

/// What `train --split kfold:K --json` prints.
#[derive(Serialize)]
struct CrossValOutput<'a> {
    model: String,
    seconds: f64,
    folds: &'a [FoldScore],
    mean_accuracy: f64,
    sd_accuracy: f64,
    mean_track_accuracy: f64,
    sd_track_accuracy: f64,
    probe_mean_accuracy: Option<f64>,
    probe_sd_accuracy: Option<f64>,
    probe_mean_track_accuracy: Option<f64>,
    probe_sd_track_accuracy: Option<f64>,
    crossval: &'a CrossValidation,
}

#[derive(Serialize)]
struct TrainOutput<'a> {
    model: String,
    seconds: f64,
    seconds_per_epoch: f64,
    report: &'a EvalReport,
    history: &'a [EpochReport],
}

pub fn epoch_line(r: &EpochReport) -> String {
    let mut line = format!("epoch {:>4}/{}  loss {:.5}", r.epoch, r.epochs, r.loss);
    if let (Some(m), Some(c)) = (r.reconstruction_loss, r.classification_loss) {
        line += &format!(" (mse {m:.5}, ce {c:.4})");
    }
    if let Some(kl) = &r.kl {
        line += &format!(
            " (MI {:.2}, TC {:.2}, dim-KL {:.2} nats)",
            kl.mutual_information, kl.total_correlation, kl.dimensionwise_kl
        );
    }
    if let Some(a) = r.train_accuracy {
        line += &format!("  train {:.1}%", 100.0 * a);
    }
    if let Some(a) = r.dev_accuracy {
        line += &format!("  dev {:.1}%", 100.0 * a);
    }
    line + &format!("  {:.1} s", r.elapsed_secs)
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    // Hours of training must not end in "cannot write": check where the model goes first.
    check_destination(&args.out)?;
    let settings = args.model.settings(args.ingest.input);
    let train_config = settings.train_config(args.split.seed);
    train_config.validate()?;
    let template = settings.model_template(args.model.model);
    template.validate_settings()?;
    let m = &args.model;
    if !m.model.is_variational()
        && (m.beta.is_some() || m.mi_weight.is_some() || m.dimwise_kl_weight.is_some())
    {
        anyhow::bail!(
            "--beta, --mi-weight and --dimwise-kl-weight weigh the β-TCVAE's KL term: add \
             --model btcvae, or leave them out for --model {}",
            m.model
        );
    }
    let cancel = AtomicBool::new(false);
    let dataset = load_for_command(
        &args.folder.dir,
        args.ingest.genres.as_deref(),
        &args.ingest.feature_config(),
        false,
    )?;
    eprintln!(
        "training {} on {} segments of {} genres ({} input, {} preset, {} split), {} epochs",
        args.model.model,
        dataset.len(),
        dataset.genres.len(),
        args.ingest.input,
        args.model.preset.name(),
        args.split.split,
        train_config.epochs
    );
    if let Some(w) = template.vae_weights() {
        eprintln!(
            "β-TCVAE: α {} on the mutual information, β {} on the total correlation, γ {} on \
             the dimension-wise KL; the maps, instruments and decoding use the code's mean",
            w.alpha, w.beta, w.gamma
        );
    }
    if !train_config.regularization.is_none() {
        eprintln!(
            "regularization beyond dropout: {}",
            train_config.regularization.describe()
        );
    }
    let every = (train_config.epochs / 20).max(1);
    let split = args.split.split_config();
    for note in dataset.split_plan(&split)?.notes {
        eprintln!("note: {note}");
    }
    if train_config.regularization.best_on_dev
        && matches!(
            split.protocol,
            SplitProtocol::Segment | SplitProtocol::Track
        )
        && split.dev_fraction <= 0.0
    {
        anyhow::bail!(
            "--best-on-dev keeps the epoch that does best on the dev tracks, but this split has \
             none: give --dev-fraction above 0 or use --split kfold:K"
        );
    }
    if split.protocol == SplitProtocol::KFold {
        return kfold_then_train(args, &dataset, template, &train_config, &split, &settings);
    }
    let experiment = run_experiment(
        &dataset,
        template,
        &train_config,
        &split,
        settings.standardize,
        &cancel,
        &mut |r| {
            if r.epoch % every == 0 || r.epoch == 1 || r.epoch == r.epochs {
                eprintln!("{}", epoch_line(r));
            }
        },
    )?;
    save(&args.out, &experiment.saved.model, &experiment.saved.meta)?;
    let training = experiment
        .saved
        .meta
        .training
        .as_ref()
        .context("a trained model has its training record")?;
    let report = training
        .report
        .as_ref()
        .context("a trained model has its report")?;
    if args.json {
        let out = TrainOutput {
            model: args.out.display().to_string(),
            seconds: training.seconds,
            seconds_per_epoch: experiment.history.last().map_or(0.0, |h| h.elapsed_secs)
                / experiment.history.len().max(1) as f64,
            report,
            history: &experiment.history,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", report.render());
        println!(
            "\nsaved {} ({:.1} s, {:.2} s per epoch)",
            args.out.display(),
            training.seconds,
            experiment.history.last().map_or(0.0, |h| h.elapsed_secs)
                / experiment.history.len().max(1) as f64
        );
    }
    Ok(())
}

/// `--split kfold:K`: every fold's scores (the model's and the linear probe's), then a model
/// trained on every track, saved with the cross-validation in its record.
fn kfold_then_train(
    args: &TrainArgs,
    dataset: &Dataset,
    template: crate::model::ModelConfig,
    train_config: &crate::model::TrainConfig,
    split: &SplitConfig,
    settings: &Settings,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let cancel = AtomicBool::new(false);
    let every = (train_config.epochs / 4).max(1);
    let mut said_final = false;
    let CrossValidated {
        experiment,
        crossval,
        kept_epochs,
    } = cross_validate_then_train(
        dataset,
        template,
        train_config,
        split,
        settings.standardize,
        &cancel,
        &mut |at, r| match at {
            Some(at) if r.epoch == r.epochs || r.epoch % every == 0 => {
                eprintln!("fold {}/{}: {}", at.fold + 1, at.folds, epoch_line(r))
            }
            Some(_) => {}
            None if !said_final => {
                said_final = true;
                eprintln!("training the model on every track, {} epochs", r.epochs);
            }
            None => {}
        },
    )?;
    if !kept_epochs.is_empty() {
        eprintln!(
            "early stopping: the folds kept epochs {kept_epochs:?}; the model on every track \
             trained for their median"
        );
    }
    save(&args.out, &experiment.saved.model, &experiment.saved.meta)?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let out = CrossValOutput {
            model: args.out.display().to_string(),
            seconds,
            folds: &crossval.folds,
            mean_accuracy: crossval.accuracy.mean,
            sd_accuracy: crossval.accuracy.sd,
            mean_track_accuracy: crossval.track_accuracy.mean,
            sd_track_accuracy: crossval.track_accuracy.sd,
            probe_mean_accuracy: crossval.probe_accuracy.map(|p| p.mean),
            probe_sd_accuracy: crossval.probe_accuracy.map(|p| p.sd),
            probe_mean_track_accuracy: crossval.probe_track_accuracy.map(|p| p.mean),
            probe_sd_track_accuracy: crossval.probe_track_accuracy.map(|p| p.sd),
            crossval: &crossval,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", crossval.render());
        println!(
            "\nsaved {} (trained on every track after the folds; {seconds:.1} s in all)",
            args.out.display()
        );
    }
    Ok(())
}
