//! `genrescope features DIR --out FILE.csv|FILE.npy`: every pooled vector with its provenance,
//! so the pipeline can be checked against a reference implementation in Python.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use super::args::{FolderArg, IngestArgs, SplitArgs};
use super::progress::load_for_command;
use crate::dataset::{Dataset, Split};

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

pub const PROVENANCE_COLUMNS: [&str; 7] = [
    "path",
    "genre",
    "label",
    "track",
    "segment",
    "offset_samples",
    "split",
];

pub fn run(args: &FeaturesArgs) -> anyhow::Result<()> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("csv") | Some("npy")) {
        bail!("--out {} must end in .csv or .npy", args.out.display());
    }
    let dataset = load_for_command(
        &args.folder.dir,
        args.ingest.genres.as_deref(),
        &args.ingest.feature_config(),
        false,
    )?;
    let splits = dataset.splits(&args.split.split_config())?;
    if ext.as_deref() == Some("csv") {
        write_csv(&args.out, &dataset, &splits, true)?;
    } else {
        write_npy(&args.out, &dataset)?;
        let sidecar = args.out.with_extension("provenance.csv");
        write_csv(&sidecar, &dataset, &splits, false)?;
        eprintln!("provenance: {}", sidecar.display());
    }
    eprintln!(
        "wrote {} vectors of {} values to {} ({} split, seed {})",
        dataset.len(),
        dataset.dim(),
        args.out.display(),
        args.split.split,
        args.split.seed
    );
    Ok(())
}

fn write_csv(
    path: &Path,
    dataset: &Dataset,
    splits: &[Split],
    with_vectors: bool,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut header: Vec<String> = PROVENANCE_COLUMNS.iter().map(|s| s.to_string()).collect();
    if with_vectors {
        header.extend((0..dataset.dim()).map(|j| format!("v{j}")));
    }
    w.write_record(&header)?;
    for (i, (seg, split)) in dataset.segments.iter().zip(splits).enumerate() {
        let track = &dataset.tracks[seg.track];
        let mut row = vec![
            track.path.display().to_string(),
            dataset.genres[track.genre].clone(),
            track.genre.to_string(),
            seg.track.to_string(),
            seg.index.to_string(),
            seg.offset_samples.to_string(),
            split.name().to_string(),
        ];
        if with_vectors {
            // `{}` prints the shortest text that parses back to the same f32.
            row.extend(dataset.vector(i).iter().map(|v| v.to_string()));
        }
        w.write_record(&row)?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_npy(path: &Path, dataset: &Dataset) -> anyhow::Result<()> {
    let matrix =
        ndarray::Array2::from_shape_vec((dataset.len(), dataset.dim()), dataset.vectors.clone())?;
    ndarray_npy::write_npy(path, &matrix)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
