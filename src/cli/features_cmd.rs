//! `genrescope features DIR --out FILE.csv|FILE.npy`: every vector (pooled waveform or log-mel
//! patch) with its provenance, so the pipeline can be checked against a reference
//! implementation in Python.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::args::{FolderArg, IngestArgs, SplitArgs};
use super::progress::load_for_command;
use crate::export::{write_features_csv, write_features_npy};
use crate::files::check_destination;

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    #[command(flatten)]
    pub folder: FolderArg,
    #[command(flatten)]
    pub ingest: IngestArgs,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Output: FILE.csv (provenance + vector columns) or FILE.npy (float32 matrix, with the
    /// provenance in FILE.provenance.csv beside it)
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &FeaturesArgs) -> anyhow::Result<()> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("csv") | Some("npy")) {
        bail!("--out {} must end in .csv or .npy", args.out.display());
    }
    check_destination(&args.out)?;
    let dataset = load_for_command(
        &args.folder.dir,
        args.ingest.genres.as_deref(),
        &args.ingest.feature_config(),
        false,
    )?;
    let splits = dataset.splits(&args.split.split_config())?;
    if ext.as_deref() == Some("csv") {
        write_features_csv(&args.out, &dataset, &splits, true)?;
    } else {
        write_features_npy(&args.out, &dataset)?;
        let sidecar = args.out.with_extension("provenance.csv");
        write_features_csv(&sidecar, &dataset, &splits, false)?;
        eprintln!("provenance: {}", sidecar.display());
    }
    eprintln!(
        "wrote {} vectors of {} values ({}) to {} ({} split, seed {})",
        dataset.len(),
        dataset.dim(),
        dataset.features.describe(),
        args.out.display(),
        args.split.split,
        args.split.seed
    );
    Ok(())
}
