//! `genrescope interpolate MODEL DIR --from TRACK:SEGMENT --to TRACK:SEGMENT --steps N --out F.wav`

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use super::model_data::{find_clip, load_model_and_data};
use crate::audible::Voice;
use crate::dsp::loudness::{interpolate_rms, rms};
use crate::export::write_path_wav;
use crate::files::check_destination;
use crate::interpolate::{decode_path, steps_t, PathKind};

/// Most steps a path may have (each is a segment of audio: 1,000 steps are 15 minutes).
pub const MAX_STEPS: usize = 1_000;

/// The level decoded audio is written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// Each step brought to the loudness of the inputs it lies between (as the window plays it)
    Matched,
    /// The decoder's output as it is (decoded audio is much quieter than music)
    Raw,
}

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
    /// The WAV to write (a .steps.csv with each step's t goes beside it)
    #[arg(long)]
    pub out: PathBuf,
    /// Loudness of the decoded steps
    #[arg(long, value_enum, default_value_t = Level::Matched)]
    pub level: Level,
    /// Print the steps as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct StepOut<'a> {
    step: usize,
    t: f32,
    probabilities: Option<Vec<(&'a str, f32)>>,
}

pub fn run(args: &InterpolateArgs) -> anyhow::Result<()> {
    if !(2..=MAX_STEPS).contains(&args.steps) {
        bail!("--steps must be from 2 (the two ends) to {MAX_STEPS}");
    }
    check_destination(&args.out)?;
    let md = load_model_and_data(&args.model, &args.dir, args.json)?;
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
    // The level between A's and B's inputs as heard (for log-mel, their resynthesized patches).
    let (rms_a, rms_b) = (
        rms(&voice.render(ds.vector(a))?),
        rms(&voice.render(ds.vector(b))?),
    );
    let target = move |t: f32| interpolate_rms(rms_a, rms_b, t);
    let level: Option<&dyn Fn(f32) -> f32> = match args.level {
        Level::Matched => Some(&target),
        Level::Raw => None,
    };
    let table = write_path_wav(&args.out, &steps, &md.saved.meta, &voice, level)?;
    let genres = &md.saved.meta.genres;
    let out: Vec<StepOut> = steps
        .iter()
        .enumerate()
        .map(|(k, s)| StepOut {
            step: k,
            t: s.t,
            probabilities: s.probabilities.as_ref().map(|p| {
                genres
                    .iter()
                    .map(String::as_str)
                    .zip(p.iter().copied())
                    .collect()
            }),
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{} -> {} ({:?} path, {} steps)",
            ds.segment_label(a),
            ds.segment_label(b),
            args.path,
            args.steps
        );
        let mut header = format!("{:>4} {:>6}", "step", "t");
        for g in genres {
            header += &format!(" {g:>10}");
        }
        println!("{header}");
        for s in &out {
            let mut line = format!("{:>4} {:>6.3}", s.step, s.t);
            for (_, p) in s.probabilities.iter().flatten() {
                line += &format!(" {:>9.1}%", 100.0 * p);
            }
            println!("{line}");
        }
    }
    eprintln!("wrote {} and {}", args.out.display(), table.display());
    Ok(())
}
