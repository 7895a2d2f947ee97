//! `genrescope eval MODEL DIR`: a saved model's tables on another folder.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::explain_cmd::render_spaces;
use super::progress::load_for_command;
use crate::analysis::explain::score_spaces;
use crate::maps::model_maps;
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
    let fail = || {
        format!(
            "cannot evaluate {} on {}",
            args.model.display(),
            args.dir.display()
        )
    };
    let maps = model_maps(&dataset, &saved, None, false).with_context(fail)?;
    let report = evaluate_folder(&saved, &dataset, Some(&maps.inference)).with_context(fail)?;
    let mut notes = Vec::new();
    let (spaces, probe_protocol) = score_spaces(&dataset, &saved, &maps, &mut notes);
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        if let Some(object) = json.as_object_mut() {
            object.insert("spaces".into(), serde_json::to_value(&spaces)?);
            object.insert("probe_protocol".into(), probe_protocol.into());
            object.insert("notes".into(), serde_json::to_value(&notes)?);
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!("{}", report.render());
        print!("{}", render_spaces(&spaces, &probe_protocol));
        for note in notes {
            println!("note: {note}");
        }
    }
    Ok(())
}
