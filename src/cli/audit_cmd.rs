//! `genrescope audit DIR [MODEL] [--json]`: tracks of a folder that repeat each other (exactly
//! or nearly), on a GTZAN folder the published repeats it holds and whether they were found,
//! and with a model the tracks whose label the model and their neighbours both disagree with.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use super::progress::load_for_command;
use crate::analysis::audit::{audit, Audit, ModelOpinion, RepeatKind};
use crate::dataset::FeatureConfig;
use crate::export::write_audit_csv;
use crate::files::check_destination;
use crate::maps::model_maps;
use crate::model::load;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The folder to audit
    pub dir: PathBuf,
    /// A model, to look for suspected mislabels too
    pub model: Option<PathBuf>,
    /// Print the audit as JSON
    #[arg(long)]
    pub json: bool,
    /// Also write every finding to this CSV file
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

pub fn run(args: &AuditArgs) -> anyhow::Result<()> {
    if let Some(csv) = &args.csv {
        check_destination(csv)?;
    }
    let saved = args.model.as_deref().map(load).transpose()?;
    let features = saved
        .as_ref()
        .map_or_else(FeatureConfig::default, |s| s.meta.features);
    let dataset = load_for_command(&args.dir, None, &features, args.json)?;
    let found = match &saved {
        Some(saved) => {
            let genre_map = saved.meta.genre_map(&dataset.genres, &dataset.features)?;
            let maps = model_maps(&dataset, saved, None, false)?;
            // The model's genre index as the folder's (None: a genre the folder lacks).
            let to_data: Vec<Option<usize>> = (0..saved.meta.genres.len())
                .map(|m| genre_map.iter().position(|&g| g == m))
                .collect();
            let predicted: Vec<Option<usize>> = maps
                .predicted
                .as_ref()
                .map(|p| p.iter().map(|&(m, _)| to_data[m]).collect())
                .unwrap_or_else(|| vec![None; dataset.len()]);
            let inference = &maps.inference;
            let opinion = ModelOpinion {
                predicted: &predicted,
                codes: &inference.code,
                dim: inference.code_dim,
            };
            audit(&dataset, Some(opinion))
        }
        None => audit(&dataset, None),
    };
    if let Some(csv) = &args.csv {
        write_audit_csv(csv, &found)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        print!("{}", render(&found, saved.is_some()));
    }
    Ok(())
}

/// The audit as text.
pub fn render(a: &Audit, with_model: bool) -> String {
    let mut out = format!("{} tracks audited\n", a.tracks);
    if a.duplicates.is_empty() {
        out += "no repeats found\n";
    } else {
        let _ = writeln!(out, "\n{} repeat(s):", a.duplicates.len());
        for d in &a.duplicates {
            let kind = match d.kind {
                RepeatKind::Exact => "exact",
                RepeatKind::Near => "near ",
            };
            let _ = writeln!(
                out,
                "  {kind} {:>5.1}%  {} ~ {} (offset {:+.2} s)",
                100.0 * d.score,
                d.a,
                d.b,
                d.offset_secs
            );
        }
    }
    if !a.published_repeats.is_empty() {
        let found = a.published_repeats.iter().filter(|p| p.found).count();
        let _ = writeln!(
            out,
            "\nGTZAN's published exact repeats in this folder: {} (found {found})",
            a.published_repeats.len()
        );
        for p in &a.published_repeats {
            let _ = writeln!(
                out,
                "  {} = {}: {}",
                p.a,
                p.b,
                if p.found { "found" } else { "NOT found" }
            );
        }
    }
    if with_model {
        if a.suspected_mislabels.is_empty() {
            out +=
                "\nno suspected mislabels (the model and the neighbours agree with every label)\n";
        } else {
            let _ = writeln!(
                out,
                "\n{} suspected mislabel(s):",
                a.suspected_mislabels.len()
            );
            for m in &a.suspected_mislabels {
                let _ = writeln!(
                    out,
                    "  {}: labelled {}, the model says {}, its neighbours {}",
                    m.path, m.label, m.predicted, m.neighbours
                );
            }
        }
    }
    for note in &a.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
