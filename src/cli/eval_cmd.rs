//! `genrescope eval MODEL DIR`: a saved model's tables on another folder.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::progress::load_for_command;
use crate::model::load;
use crate::training::experiment::evaluate_folder;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A model saved by `genrescope train` (.safetensors)
    pub model: PathBuf,
    /// Dataset folder; every segment is treated as held out
    pub dir: PathBuf,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let saved = load(&args.model)?;
    // Cut and pool the folder exactly as the model's training data was.
    let dataset = load_for_command(&args.dir, None, &saved.meta.features, args.json)?;
    let report = evaluate_folder(&saved, &dataset, None).with_context(|| {
        format!(
            "cannot evaluate {} on {}",
            args.model.display(),
            args.dir.display()
        )
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(())
}
