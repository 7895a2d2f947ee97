//! `genrescope steer MODEL DIR --clip T:S --toward GENRE --steps N --out F.wav`: the paper's
//! style transfer, a clip's code moved by α times the step from its genre's centroid to another
//! genre's, for α from 0 to 1.5, decoded as a WAV with each step's α and probabilities beside it.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use super::interpolate_cmd::MAX_STEPS;
use super::model_data::{find_clip, load_model_and_data};
use super::path_out::{print_steps, Level, PathOutput};
use crate::export::write_path_wav;
use crate::files::check_destination;
use crate::latent::audible::Voice;
use crate::latent::interpolate::decode_codes;
use crate::latent::{genre_centroids, steer_path, GenreCentroids, MAX_ALPHA, PATH_POINTS};
use crate::maps::model_maps;

#[derive(Debug, Args)]
pub struct SteerArgs {
    /// A model with a decoder (dsae or autoencoder)
    pub model: PathBuf,
    pub dir: PathBuf,
    /// The clip to move, as TRACK:SEGMENT
    #[arg(long)]
    pub clip: String,
    /// The genre to move it toward
    #[arg(long)]
    pub toward: String,
    /// Points from α = 0 to the largest α, ends included
    #[arg(long, default_value_t = PATH_POINTS)]
    pub steps: usize,
    /// The largest α (1 moves the clip by the whole distance between the two genres' centroids)
    #[arg(long, default_value_t = MAX_ALPHA, allow_negative_numbers = true)]
    pub max_alpha: f32,
    #[command(flatten)]
    pub output: PathOutput,
}

pub fn run(args: &SteerArgs) -> anyhow::Result<()> {
    if !(2..=MAX_STEPS).contains(&args.steps) {
        bail!("--steps must be from 2 to {MAX_STEPS}");
    }
    if !(args.max_alpha.is_finite() && args.max_alpha > 0.0 && args.max_alpha <= 10.0) {
        bail!("--max-alpha must be above 0 and at most 10");
    }
    check_destination(&args.output.out)?;
    let md = load_model_and_data(&args.model, &args.dir, args.output.json)?;
    let ds = &md.dataset;
    let genres = &md.saved.meta.genres;
    let Some(target) = genres.iter().position(|g| *g == args.toward) else {
        bail!(
            "the model does not know the genre '{}'; it knows {}",
            args.toward,
            genres.join(", ")
        );
    };
    if !md.saved.meta.model.kind.has_decoder() {
        bail!("the baseline has no decoder: steer a dsae or an autoencoder");
    }
    let clip = find_clip(ds, &args.clip, &args.dir)?;
    let maps = model_maps(ds, &md.saved, None, false)?;
    let dim = maps.inference.code_dim;
    let GenreCentroids { labels, centres } = genre_centroids(
        ds,
        &md.saved.meta,
        &maps.inference.code,
        dim,
        maps.predicted.as_deref(),
    )?;
    let own = labels[clip];
    let (from, to) = (
        centres[own]
            .as_ref()
            .context("the clip's genre has no clips")?,
        centres[target]
            .as_ref()
            .with_context(|| format!("{} has no clips of {}", args.dir.display(), args.toward))?,
    );
    let code = &maps.inference.code[clip * dim..(clip + 1) * dim];
    let (alphas, codes): (Vec<f32>, Vec<Vec<f32>>) =
        steer_path(code, from, to, args.max_alpha, args.steps)
            .into_iter()
            .unzip();
    let steps = decode_codes(&md.saved.model, &alphas, codes)?;
    let voice = Voice::new(&md.saved.meta.features)?;
    let level = voice.level(ds.vector(clip));
    let keep = move |_: f32| level;
    let target_rms: Option<&dyn Fn(f32) -> f32> = match args.output.level {
        Level::Matched => Some(&keep),
        Level::Raw => None,
    };
    let table = write_path_wav(&args.output.out, &steps, &md.saved.meta, &voice, target_rms)?;
    let title = format!(
        "{} ({}) moved toward {}, {} steps",
        ds.segment_label(clip),
        genres[own],
        args.toward,
        args.steps
    );
    print_steps(&steps, genres, "alpha", &title, args.output.json)?;
    eprintln!(
        "wrote {} and {}",
        args.output.out.display(),
        table.display()
    );
    Ok(())
}
