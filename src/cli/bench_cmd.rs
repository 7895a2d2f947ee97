//! `genrescope bench [DIR]`: the timings README reports, measured on this machine. Nothing here
//! is asserted by a test: machines are noisy; the numbers are for people.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::audible::Voice;
use crate::audio::clip::OutputFormat;
use crate::audio::clip::{ClipSource, Mono};
use crate::dataset::{load_source, DataSource, FeatureConfig};
use crate::interpolate::{decode_path, PathKind};
use crate::model::{ModelConfig, ModelKind, TrainConfig};
use crate::projection::Projection;
use crate::train::{train, Examples};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder to time decoding on (default: $GENRESCOPE_GTZAN_DIR, else the demo set)
    pub dir: Option<PathBuf>,
    /// Epochs to time for each model (the median is reported)
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    what: String,
    value: f64,
    unit: &'static str,
}

pub(super) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64(), out)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Random inputs with the amplitude of pooled music, and labels.
pub(super) fn synthetic(n: usize, dim: usize, classes: usize, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = (0..n * dim)
        .map(|_| (rng.random::<f32>() - 0.5) * 0.3)
        .collect();
    let y = (0..n).map(|i| (i % classes) as u32).collect();
    (x, y)
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut add = |what: &str, value: f64, unit: &'static str| {
        if !args.json {
            println!("{what:<58} {value:>10.3} {unit}");
        }
        rows.push(Row {
            what: what.into(),
            value,
            unit,
        });
    };

    // Decoding and pooling.
    let dir = args
        .dir
        .clone()
        .or_else(|| std::env::var_os("GENRESCOPE_GTZAN_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(crate::demo::ROOT));
    let source = DataSource::from_arg(&dir);
    let cfg = FeatureConfig::default();
    let mut runs = Vec::new();
    let mut dataset = None;
    for _ in 0..3 {
        let (secs, ds) =
            time(|| load_source(&source, None, &cfg, &AtomicBool::new(false), &|_| {}));
        runs.push(secs);
        dataset = Some(ds?);
    }
    let ds = dataset.ok_or_else(|| anyhow::anyhow!("no data"))?;
    let secs = median(runs);
    let audio_secs = (ds.len() * cfg.segment_samples) as f64 / f64::from(cfg.sample_rate_hz);
    add(
        &format!(
            "decode + pool {} ({} tracks)",
            dir.display(),
            ds.tracks.len()
        ),
        secs,
        "s",
    );
    add(
        "  audio decoded and pooled per second of wall time",
        audio_secs / secs,
        "x real time",
    );

    // Training at the paper's configuration: 6,000 examples, batch 512.
    let (x, y) = synthetic(6_000, 500, 4, 1);
    for kind in [ModelKind::Dsae, ModelKind::Baseline] {
        let tc = TrainConfig {
            epochs: args.epochs,
            ..TrainConfig::default()
        };
        let mut epoch_times = Vec::new();
        let mut last = 0.0;
        train(
            ModelConfig::dsae(500, 4).with_kind(kind),
            &tc,
            Examples { x: &x, y: &y },
            None,
            &AtomicBool::new(false),
            &mut |r| {
                epoch_times.push(r.elapsed_secs - last);
                last = r.elapsed_secs;
            },
        )?;
        add(
            &format!("train {kind}, one epoch of 6,000 x 500 (batch 512)"),
            median(epoch_times),
            "s",
        );
    }

    // Encoding and projecting every clip, at 8,000 clips (the paper's set).
    let saved = crate::shipped::Shipped::GtzanWaveform.load()?;
    let (x8, _) = synthetic(8_000, 500, 4, 2);
    let (infer_secs, inference) = time(|| saved.model.infer(&x8));
    let inference = inference?;
    add(
        "encode 8,000 clips (codes, logits, reconstructions)",
        infer_secs,
        "s",
    );
    let (raw_secs, _) = time(|| Projection::fit(&x8, 500));
    add("PCA of the raw input, 8,000 x 500", raw_secs, "s");
    let (code_secs, _) = time(|| Projection::fit(&inference.code, inference.code_dim));
    add("PCA of the bottleneck, 8,000 x 64", code_secs, "s");

    // One interpolation step: decode, upsample to 22,050 Hz, convert for a 44.1 kHz stereo device.
    let format = OutputFormat {
        sample_rate_hz: 44_100,
        channels: 2,
        device: "bench".into(),
    };
    let (a, b) = (&inference.code[..64], &inference.code[64..128]);
    let voice = Voice::new(&saved.meta.features)?;
    let mut steps = Vec::new();
    for k in 0..100 {
        let t = k as f32 / 99.0;
        let (secs, frames) = time(|| -> anyhow::Result<usize> {
            let step = decode_path(&saved.model, a, b, &[t], PathKind::Linear)?;
            let samples = voice.render(&step[0].decoded)?;
            let clip = ClipSource::Made(Box::new(move || {
                Ok(Mono {
                    samples,
                    rate_hz: 22_050,
                })
            }));
            Ok(clip.prepare(&format)?.frames.len())
        });
        frames?;
        steps.push(secs);
    }
    add(
        "interpolation step: decode + upsample + resample for the device",
        median(steps) * 1e3,
        "ms",
    );

    #[cfg(feature = "window")]
    for n in [8_000, 100_000] {
        add(
            &format!("maps frame with {n} points (CPU: layout + tessellation)"),
            super::bench_maps::maps_frame_secs(n)? * 1e3,
            "ms",
        );
    }
    if let Some(mb) = peak_rss_mb() {
        add("peak memory of this benchmark", mb, "MB");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    }
    Ok(())
}
