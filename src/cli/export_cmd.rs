//! `genrescope export MODEL DIR --out DIR`: embeddings with provenance for other tools.

use std::path::PathBuf;

use clap::Args;

use super::model_data::load_model_and_data;
use crate::export::Embeddings;
use crate::files::check_folder;
use crate::maps::model_maps;
use crate::maps::projection::Projection;

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub model: PathBuf,
    pub dir: PathBuf,
    /// Folder to write embeddings.csv, vectors.tsv and metadata.tsv into (created if needed)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    check_folder(&args.out)?;
    let md = load_model_and_data(&args.model, &args.dir, false)?;
    let maps = model_maps(&md.dataset, &md.saved, md.splits.as_deref(), false)?;
    let raw = Projection::fit(&md.dataset.vectors, md.dataset.dim()).ok();
    let embeddings = Embeddings::new(
        &md.dataset,
        &md.saved.meta,
        &maps,
        md.splits.as_deref(),
        raw.as_ref().map(|p| p.points.as_slice()),
    );
    let csv = args.out.join("embeddings.csv");
    embeddings.write_csv(&csv)?;
    let [vectors, metadata] = embeddings.write_projector(&args.out)?;
    for p in [csv, vectors, metadata] {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
