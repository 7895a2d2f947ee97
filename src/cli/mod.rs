//! The command line: `genrescope [PATH]` opens the window, subcommands run headless.

pub mod args;
pub mod audit_cmd;
pub mod bench_cmd;
mod bench_data;
mod bench_library;
#[cfg(feature = "window")]
mod bench_maps;
pub mod cache_cmd;
pub mod compare_cmd;
pub mod demo_cmd;
pub mod eval_cmd;
pub mod explain_cmd;
pub mod export_cmd;
pub mod features_cmd;
pub mod interpolate_cmd;
pub mod model_data;
pub mod neighbours_cmd;
pub mod path_out;
pub mod place_cmd;
pub mod predict_cmd;
pub mod progress;
pub mod scan_cmd;
pub mod stamp_cmd;
pub mod steer_cmd;
pub mod train_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "genrescope",
    version,
    about = "Explore what a Deep Softmax Autoencoder learns about musical genre from raw audio",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Dataset folder to open in the window
    pub path: Option<PathBuf>,
    /// A saved model to open in the window
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Render the window once everything is loaded (and projected), save it as a PNG, and exit
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// Do not open the audio output
    #[arg(long)]
    pub no_audio: bool,
    /// With --screenshot: also save each map as a PNG into this folder
    #[arg(long, value_name = "DIR", requires = "screenshot")]
    pub export_maps: Option<PathBuf>,
    /// Pick this clip as A once loaded, e.g. jazz.00003.wav:4
    #[arg(long, value_name = "TRACK:SEGMENT")]
    pub a: Option<String>,
    /// Pick this clip as B (the other end of the interpolation)
    #[arg(long, value_name = "TRACK:SEGMENT")]
    pub b: Option<String>,
    /// The view to open on
    #[arg(long, value_enum, default_value_t = StartTab::Maps)]
    pub tab: StartTab,
    /// The instrument to show under the maps (A → B, components, a move toward a genre, the
    /// probe, clips that sound like A, a placed song, the selection)
    #[cfg(feature = "window")]
    #[arg(long, value_enum, value_name = "INSTRUMENT")]
    pub show: Option<crate::app::state::Instrument>,
    /// Place this audio file on the maps once the folder and the model are loaded
    #[arg(long, value_name = "FILE")]
    pub place: Option<PathBuf>,
    /// With a library: draw the model's labelled training folder beneath its maps once loaded
    #[arg(long)]
    pub underneath: bool,
    /// Draw every map by this method: pca (the paper's), tsne or umap (default parameters;
    /// each map's menu in the window changes it)
    #[arg(long, value_name = "METHOD", value_parser = ["pca", "tsne", "umap"])]
    pub map_method: Option<String>,
    /// Compare the model with this second one on the same folder: both models' maps, linked
    /// (the model panel starts and stops a comparison too)
    #[arg(long, value_name = "MODEL")]
    pub compare: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StartTab {
    Maps,
    Metrics,
    Explain,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Per-genre track and segment counts, and the files that would be skipped
    Scan(scan_cmd::ScanArgs),
    /// Tracks of a folder that repeat each other (exactly or nearly), GTZAN's published repeats,
    /// and with a model the tracks whose label the model and their neighbours both doubt
    Audit(audit_cmd::AuditArgs),
    /// Write every pooled vector with its provenance to CSV or .npy
    Features(features_cmd::FeaturesArgs),
    /// Train a model and print the paper's tables for the run
    Train(Box<train_cmd::TrainArgs>),
    /// The paper's tables for a saved model on a folder (all of it held out)
    Eval(eval_cmd::EvalArgs),
    /// Two models on one folder: where their genres agree, the cross-table of their
    /// predictions, the clips whose neighbourhoods moved most, and each one's scores
    Compare(compare_cmd::CompareArgs),
    /// What a model's spaces hold on a folder: each space on an extrinsic task, what each
    /// direction follows among the audio descriptors, and the code's MIG
    Explain(explain_cmd::ExplainArgs),
    /// Walk the bottleneck from one clip to another and write what the decoder makes of it
    Interpolate(interpolate_cmd::InterpolateArgs),
    /// Write the embeddings (CSV with provenance, TensorBoard projector TSVs)
    Export(export_cmd::ExportArgs),
    /// The clips nearest to one clip in the raw, bottleneck or logits space
    Neighbours(neighbours_cmd::NeighboursArgs),
    /// Where a new audio file lands on a folder's maps, and what the model thinks of it
    Place(place_cmd::PlaceArgs),
    /// What a model makes of every track of any folder (your own music, flat or by artist and
    /// album): verdicts across each whole track, and playlists per predicted genre
    Predict(predict_cmd::PredictArgs),
    /// Move a clip toward a genre (the paper's style transfer) and write what the decoder makes of
    /// it
    Steer(steer_cmd::SteerArgs),
    /// Write the built-in synthetic demo set as WAV files
    Demo(demo_cmd::DemoArgs),
    /// Time the pipeline on this machine (the figures in README)
    Bench(bench_cmd::BenchArgs),
    /// Where the feature cache is and how big; --clear empties it
    Cache(cache_cmd::CacheArgs),
    /// Record in a model saved before per-track stamps which tracks it was trained on
    Stamp(stamp_cmd::StampArgs),
}

/// Runs a headless subcommand.
pub fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Scan(args) => scan_cmd::run(args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Features(args) => features_cmd::run(args),
        Command::Train(args) => train_cmd::run(args),
        Command::Eval(args) => eval_cmd::run(args),
        Command::Compare(args) => compare_cmd::run(args),
        Command::Explain(args) => explain_cmd::run(args),
        Command::Interpolate(args) => interpolate_cmd::run(args),
        Command::Export(args) => export_cmd::run(args),
        Command::Neighbours(args) => neighbours_cmd::run(args),
        Command::Place(args) => place_cmd::run(args),
        Command::Predict(args) => predict_cmd::run(args),
        Command::Steer(args) => steer_cmd::run(args),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Bench(args) => bench_cmd::run(args),
        Command::Cache(args) => cache_cmd::run(args),
        Command::Stamp(args) => stamp_cmd::run(args),
    }
}
