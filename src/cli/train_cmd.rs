//! `genrescope train DIR --model KIND --out MODEL.safetensors`: the paper's experiment, headless.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::args::{FolderArg, IngestArgs, SplitArgs};
use super::progress::load_for_command;
use crate::experiment::run_experiment;
use crate::model::{save, Activation, ModelConfig, ModelKind, TrainConfig};
use crate::report::EvalReport;
use crate::train::EpochReport;

/// Model and training settings (the authors' by default).
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Which of the paper's models
    #[arg(long, value_enum, default_value_t = ModelKind::Dsae)]
    pub model: ModelKind,
    /// DSAE loss weight: gamma * MSE + (1 - gamma) * cross-entropy
    #[arg(long, default_value_t = 0.9)]
    pub gamma: f64,
    /// Adam learning rate
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f64,
    #[arg(long, default_value_t = 512)]
    pub batch: usize,
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Dropout keep probability (the paper's text says 0.9, its code used 0.8)
    #[arg(long, default_value_t = 0.9)]
    pub dropout_keep: f64,
    /// The decoder's last activation: relu (the paper) or linear (keeps negative half-waves)
    #[arg(long, value_enum, default_value_t = Activation::Linear)]
    pub decoder_output: Activation,
    /// Scale inputs to unit variance (beyond the paper): the reconstruction term then weighs
    /// what gamma says instead of vanishing next to the cross-entropy
    #[arg(long)]
    pub standardize: bool,
}

impl ModelArgs {
    pub fn template(&self) -> ModelConfig {
        ModelConfig {
            kind: self.model,
            input_dim: 0,
            n_classes: 0,
            output_activation: self.decoder_output,
            dropout_keep: self.dropout_keep,
            gamma: self.gamma,
            input_scale: 1.0,
        }
    }

    pub fn train_config(&self, seed: u64) -> TrainConfig {
        TrainConfig {
            learning_rate: self.lr,
            batch_size: self.batch,
            epochs: self.epochs,
            seed,
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
    if let Some(a) = r.train_accuracy {
        line += &format!("  train {:.1}%", 100.0 * a);
    }
    if let Some(a) = r.dev_accuracy {
        line += &format!("  dev {:.1}%", 100.0 * a);
    }
    line + &format!("  {:.1} s", r.elapsed_secs)
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let cancel = AtomicBool::new(false);
    let dataset = load_for_command(
        &args.folder.dir,
        args.ingest.genres.as_deref(),
        &args.ingest.feature_config(),
        false,
    )?;
    let train_config = args.model.train_config(args.split.seed);
    eprintln!(
        "training {} on {} segments of {} genres ({}), {} epochs",
        args.model.model,
        dataset.len(),
        dataset.genres.len(),
        args.split.split,
        train_config.epochs
    );
    let every = (train_config.epochs / 20).max(1);
    let experiment = run_experiment(
        &dataset,
        args.model.template(),
        &train_config,
        &args.split.split_config(),
        args.model.standardize,
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
