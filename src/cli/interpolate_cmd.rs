//! `genrescope interpolate MODEL DIR --from TRACK:SEGMENT --to TRACK:SEGMENT --steps N --out F.wav`

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use super::model_data::{find_clip, load_model_and_data};
use super::path_out::{print_steps, Level, PathOutput};
use crate::export::write_path_wav;
use crate::files::check_destination;
use crate::latent::audible::Voice;
use crate::latent::interpolate::{decode_path, steps_t, PathKind};

/// Most steps a path may have (each is a segment of audio: 1,000 steps are 15 minutes).
pub const MAX_STEPS: usize = 1_000;

#[derive(Debug, Args)]
pub struct InterpolateArgs {
    /// A model with a decoder (dsae or autoencoder)
    pub model: PathBuf,
    /// The folder holding both clips
    pub dir: PathBuf,
    /// Start clip: file name (or stem) and segment index, e.g. jazz.00003.wav:4
    #[arg(long)]
    pub from: String,
    /// End clip, as --from
    #[arg(long)]
    pub to: String,
    /// Points on the path, ends included
    #[arg(long, default_value_t = 8)]
    pub steps: usize,
    /// linear, or spherical (slerp)
    #[arg(long, value_enum, default_value_t = PathKind::Linear)]
    pub path: PathKind,
    #[command(flatten)]
    pub output: PathOutput,
}

pub fn run(args: &InterpolateArgs) -> anyhow::Result<()> {
    if !(2..=MAX_STEPS).contains(&args.steps) {
        bail!("--steps must be from 2 (the two ends) to {MAX_STEPS}");
    }
    check_destination(&args.output.out)?;
    let md = load_model_and_data(&args.model, &args.dir, args.output.json)?;
    let ds = &md.dataset;
    let (a, b) = (
        find_clip(ds, &args.from, &args.dir)?,
        find_clip(ds, &args.to, &args.dir)?,
    );
    let model = &md.saved.model;
    let code_a = model.encode(ds.vector(a))?;
    let code_b = model.encode(ds.vector(b))?;
    let steps = decode_path(model, &code_a, &code_b, &steps_t(args.steps), args.path)
        .with_context(|| format!("cannot decode with {}", args.model.display()))?;
    let voice = Voice::new(&md.saved.meta.features)?;
    // As the window plays it: the level between what the model sees of A and of B.
    let levels = voice.path_levels(ds.vector(a), ds.vector(b));
    let target = move |t: f32| levels.at(t);
    let level: Option<&dyn Fn(f32) -> f32> = match args.output.level {
        Level::Matched => Some(&target),
        Level::Raw => None,
    };
    let table = write_path_wav(&args.output.out, &steps, &md.saved.meta, &voice, level)?;
    let title = format!(
        "{} -> {} ({:?} path, {} steps)",
        ds.segment_label(a),
        ds.segment_label(b),
        args.path,
        args.steps
    );
    print_steps(&steps, &md.saved.meta.genres, "t", &title, args.output.json)?;
    eprintln!(
        "wrote {} and {}",
        args.output.out.display(),
        table.display()
    );
    Ok(())
}
