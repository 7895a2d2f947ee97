//! `genrescope export MODEL DIR --out DIR`: embeddings with provenance for other tools.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::model_data::load_model_and_data;
use crate::app::jobs::model_maps;
use crate::export::Embeddings;
use crate::projection::Projection;

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub model: PathBuf,
    pub dir: PathBuf,
    /// Folder to write embeddings.csv, vectors.tsv and metadata.tsv into (created if needed)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    let md = load_model_and_data(&args.model, &args.dir, false)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let maps = model_maps(&md.dataset, &md.saved, md.splits.as_deref(), false)
        .map_err(anyhow::Error::msg)?;
    let raw = Projection::fit(&md.dataset.vectors, md.dataset.dim()).ok();
    let embeddings = Embeddings {
        dataset: &md.dataset,
        meta: &md.saved.meta,
        codes: &maps.inference.code,
        code_dim: maps.inference.code_dim,
        logits: maps.inference.logits.as_deref(),
        predicted: maps.predicted.as_deref(),
        splits: md.splits.as_deref(),
        raw_xy: raw.as_ref().map(|p| p.points.as_slice()),
        code_xy: maps.code_map.as_ref().ok().map(|p| p.points.as_slice()),
        logits_xy: maps
            .logits_map
            .as_ref()
            .and_then(|m| m.as_ref().ok())
            .map(|p| p.points.as_slice()),
    };
    let csv = args.out.join("embeddings.csv");
    embeddings.write_csv(&csv)?;
    let [vectors, metadata] = embeddings.write_projector(&args.out)?;
    for p in [csv, vectors, metadata] {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
