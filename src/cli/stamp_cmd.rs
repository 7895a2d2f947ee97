//! `genrescope stamp MODEL DIR --out NEW`: records in a model file saved before per-track stamps
//! which tracks of the folder it was trained on (and which it held out), by content, so that
//! `eval`, the window and every table can tell them apart on any folder. The folder must be the
//! very one the model was trained on (the file's fingerprint of it says so); the weights are
//! copied unchanged.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use super::progress::load_for_command;
use crate::files::check_destination;
use crate::model::{load, save, TrackStamp};

#[derive(Debug, Args)]
pub struct StampArgs {
    /// The model file
    pub model: PathBuf,
    /// The folder it was trained on
    pub dir: PathBuf,
    /// Where to write the stamped model (may be the model file itself)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &StampArgs) -> anyhow::Result<()> {
    check_destination(&args.out)?;
    let mut saved = load(&args.model)?;
    let dataset = load_for_command(&args.dir, None, &saved.meta.features, false)?;
    if !saved.meta.trained_on(&dataset) {
        bail!(
            "{} was not trained on {} (its record of the tracks trained on differs from what \
             the folder holds); stamp it with the folder it was trained on",
            args.model.display(),
            args.dir.display()
        );
    }
    let splits = saved
        .meta
        .training_splits(&dataset)
        .context("the model's split cannot be recomputed on this folder")?;
    let stamps = TrackStamp::of(&dataset, &splits);
    let record = saved
        .meta
        .training
        .as_mut()
        .context("the model has no training record")?;
    let heard = stamps.iter().filter(|s| s.split.name() == "train").count();
    record.tracks = stamps;
    save(&args.out, &saved.model, &saved.meta)?;
    eprintln!(
        "stamped {} with the {} tracks of {} ({heard} trained on); wrote {}",
        args.model.display(),
        dataset.tracks.len(),
        args.dir.display(),
        args.out.display()
    );
    Ok(())
}
