//! `genrescope bench [DIR]`: the timings README reports, measured on this machine. Nothing here
//! is asserted by a test: machines are noisy; the numbers are for people. Each row has a stable
//! `key` for scripts (scripts/bench-peers compares them with the Python stack).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::bench_data::{median, synthetic};
use crate::audio::clip::{ClipSource, Mono, OutputFormat};
use crate::dataset::cache::FeatureCache;
use crate::dataset::sources::load_source;
use crate::dataset::{load_dataset_cached, scan_folder, DataSource, FeatureConfig, InputKind};
use crate::latent::audible::Voice;
use crate::latent::interpolate::{decode_codes, decode_path, PathKind};
use crate::latent::{probe_code, OffPlane};
use crate::maps::projection::Projection;
use crate::model::shipped::Shipped;
use crate::model::{ModelConfig, ModelKind, SavedModel, TrainConfig};
use crate::training::train::{train, Examples};

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
    /// Also time kfold:8 of the recommended log-mel DSAE on the folder (about 2 minutes here)
    #[arg(long)]
    pub crossval: bool,
    /// Instead of the usual rows, time a library of this many full-length synthetic tracks
    /// (10,000 is about 700 hours): first open, second open from the feature cache, every map,
    /// peak memory
    #[arg(long, value_name = "TRACKS", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub library: Option<u64>,
    /// Where `--library` makes its folder (kept, and reused by the next run with as many
    /// tracks; default: a temporary folder, removed)
    #[arg(long, value_name = "DIR", requires = "library")]
    pub library_dir: Option<PathBuf>,
    /// Time only these groups of rows (comma-separated; default: all), e.g. `--only train` while
    /// profiling one stage
    #[arg(long, value_enum, value_delimiter = ',', value_name = "GROUPS")]
    pub only: Vec<Group>,
    /// Also write the bottleneck the `embed` rows map (8,000 x 64, .npy), for scripts/bench-peers
    /// to map the same rows with scikit-learn and umap-learn
    #[arg(long, value_name = "FILE")]
    pub embed_data: Option<PathBuf>,
}

/// The groups of rows `bench` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// Decoding and features of the folder, first and second open
    Ingest,
    /// Training epochs of the waveform models (the paper's 6,000 x 500) and the log-mel models
    Train,
    /// The forward pass over 8,000 clips and one decoder step
    Infer,
    /// PCA of the raw input and of the bottleneck
    Pca,
    /// t-SNE and UMAP of the bottleneck (8,000 x 64), and each map's trustworthiness
    Embed,
    /// Slider and probe steps, from a code to device frames
    Steps,
    /// The maps' frame time at 8,000 to 1,000,000 points, and six maps of 40,000 (compare mode)
    Maps,
}

#[derive(Debug, Serialize)]
struct Row {
    key: &'static str,
    what: String,
    value: f64,
    unit: &'static str,
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64(), out)
}

/// The median time of `f` over `runs` calls.
fn median_secs<T>(runs: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (secs, out) = time(&mut f);
        out?;
        times.push(secs);
    }
    Ok(median(times))
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Table {
    rows: Vec<Row>,
    print: bool,
}

impl Table {
    fn add(&mut self, key: &'static str, what: impl Into<String>, value: f64, unit: &'static str) {
        let what = what.into();
        if self.print {
            println!("{what:<66} {value:>10.3} {unit}");
        }
        self.rows.push(Row {
            key,
            what,
            value,
            unit,
        });
    }
}

/// Seconds per epoch of a `kind` model on `rows` synthetic examples of `dim` values at `batch`,
/// the median of `epochs`.
fn epoch_secs(
    kind: ModelKind,
    rows: usize,
    dim: usize,
    batch: usize,
    epochs: usize,
) -> anyhow::Result<f64> {
    let (x, y) = synthetic(rows, dim, 4, 1);
    let tc = TrainConfig {
        epochs,
        batch_size: batch,
        ..TrainConfig::default()
    };
    let mut epoch_times = Vec::new();
    let mut last = 0.0;
    train(
        ModelConfig::dsae(dim, 4).with_kind(kind),
        &tc,
        Examples { x: &x, y: &y },
        None,
        &AtomicBool::new(false),
        &mut |r| {
            epoch_times.push(r.elapsed_secs - last);
            last = r.elapsed_secs;
        },
    )?;
    Ok(median(epoch_times))
}

/// Eight folds and the final model, as `train --split kfold:8 --preset recommended` runs them.
fn crossval_secs(dataset: &crate::dataset::Dataset) -> anyhow::Result<f64> {
    use crate::training::presets::{Preset, Settings};
    let settings = Settings::of(Preset::Recommended, InputKind::Logmel);
    let split = crate::dataset::SplitConfig {
        protocol: crate::dataset::SplitProtocol::KFold,
        folds: 8,
        ..Default::default()
    };
    let (secs, result) = time(|| {
        crate::training::crossval::cross_validate_then_train(
            dataset,
            settings.model_template(ModelKind::Dsae),
            &settings.train_config(0),
            &split,
            settings.standardize,
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
    });
    result?;
    Ok(secs)
}

/// A 44.1 kHz stereo device, the commonest.
fn device_format() -> OutputFormat {
    OutputFormat {
        sample_rate_hz: 44_100,
        channels: 2,
        device: "bench".into(),
    }
}

/// A decoded vector made audible and converted for `format`, as the window's decoder worker
/// does: the frames written.
fn to_device(voice: &Voice, decoded: &[f32], format: &OutputFormat) -> anyhow::Result<usize> {
    let samples = voice.render(decoded)?;
    let rate_hz = voice.sample_rate_hz();
    let clip = ClipSource::Made(Box::new(move || Ok(Mono { samples, rate_hz })));
    Ok(clip.prepare(format)?.frames.len())
}

/// Time from a slider step's code to device frames: decode, make audible, convert for a
/// 44.1 kHz stereo device (what the window's decoder worker does), in milliseconds.
fn slider_step_ms(saved: &SavedModel, a: &[f32], b: &[f32]) -> anyhow::Result<f64> {
    let voice = Voice::new(&saved.meta.features)?;
    let format = device_format();
    let mut k = 0;
    let secs = median_secs(40, || -> anyhow::Result<usize> {
        let t = (k % 10) as f32 / 9.0;
        k += 1;
        let step = decode_path(&saved.model, a, b, &[t], PathKind::Linear)?;
        to_device(&voice, &step[0].decoded, &format)
    })?;
    Ok(secs * 1e3)
}

/// Time from a probe's pointer position to device frames: lift the map point into the code
/// space (with the nearest clip's off-plane part, searched over all `codes`), decode, make
/// audible, convert for the device, in milliseconds.
fn probe_step_ms(saved: &SavedModel, codes: &[f32], dim: usize) -> anyhow::Result<f64> {
    let voice = Voice::new(&saved.meta.features)?;
    let map = Projection::fit(codes, dim)?;
    let format = device_format();
    let n = map.points.len();
    let mut k = 0;
    let secs = median_secs(40, || -> anyhow::Result<usize> {
        let (p, q) = (map.points[k % n], map.points[(k * 7 + 3) % n]);
        k += 1;
        let xy = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
        let (code, _) = probe_code(&map, codes, dim, xy, OffPlane::NearestClip);
        let step = decode_codes(&saved.model, &[0.0], vec![code])?;
        to_device(&voice, &step[0].decoded, &format)
    })?;
    Ok(secs * 1e3)
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let mut table = Table {
        rows: Vec::new(),
        print: !args.json,
    };
    if let Some(tracks) = args.library {
        library_rows(&mut table, tracks as usize, args.library_dir.as_deref())?;
    } else {
        let wants = |group| args.only.is_empty() || args.only.contains(&group);
        if wants(Group::Ingest) {
            ingest_rows(&mut table, args)?;
        }
        if wants(Group::Train) {
            train_rows(&mut table, args.epochs)?;
        }
        if wants(Group::Infer) || wants(Group::Pca) || wants(Group::Steps) {
            model_rows(
                &mut table,
                wants(Group::Infer),
                wants(Group::Pca),
                wants(Group::Steps),
            )?;
        }
        if wants(Group::Embed) {
            embed_rows(&mut table, args.embed_data.as_deref())?;
        }
        #[cfg(feature = "window")]
        if wants(Group::Maps) {
            maps_rows(&mut table)?;
        }
        if let Some(mb) = peak_rss_mb() {
            table.add("peak_rss_mb", "peak memory of this benchmark", mb, "MB");
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&table.rows)?);
    }
    Ok(())
}

/// Decoding and features of the folder (`dir`, else $GENRESCOPE_GTZAN_DIR, else the demo set),
/// each representation: the first open and the second, from the feature cache.
fn ingest_rows(table: &mut Table, args: &BenchArgs) -> anyhow::Result<()> {
    // Decoding and pooling.
    let dir = args
        .dir
        .clone()
        .or_else(|| std::env::var_os("GENRESCOPE_GTZAN_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(crate::dataset::demo::ROOT));
    let source = DataSource::from_arg(&dir);
    // A cache of this run's own, so the first open decodes every track and the second reads
    // the cache, whatever the user's cache holds.
    let cache_dir = std::env::temp_dir().join(format!("genrescope-bench-{}", std::process::id()));
    let cache = FeatureCache::at(&cache_dir);
    for input in [InputKind::Waveform, InputKind::Logmel] {
        let cfg = FeatureConfig::default().with_input(input);
        let open = |cache: Option<&FeatureCache>| -> anyhow::Result<_> {
            Ok(match &source {
                DataSource::Folder(root) => {
                    let scan = scan_folder(root, None)?;
                    load_dataset_cached(scan, &cfg, &AtomicBool::new(false), &|_| {}, cache)?
                }
                DataSource::Demo => load_source(
                    &source,
                    &Default::default(),
                    &cfg,
                    &AtomicBool::new(false),
                    &|_| {},
                )?,
            })
        };
        let mut runs = Vec::new();
        let mut dataset = None;
        for _ in 0..3 {
            let (secs, ds) = time(|| open(None));
            runs.push(secs);
            dataset = Some(ds?);
        }
        let ds = dataset.ok_or_else(|| anyhow::anyhow!("no data"))?;
        let secs = median(runs);
        let second = match source {
            DataSource::Folder(_) => {
                open(Some(&cache))?;
                Some(median_secs(3, || open(Some(&cache)).map(|d| d.len()))?)
            }
            DataSource::Demo => None,
        };
        let audio_secs = (ds.len() * cfg.segment_samples) as f64 / f64::from(cfg.sample_rate_hz);
        let (key, speed_key) = match input {
            InputKind::Waveform => ("ingest_waveform_s", "ingest_waveform_realtime"),
            InputKind::Logmel => ("ingest_logmel_s", "ingest_logmel_realtime"),
            InputKind::Mfcc => ("ingest_mfcc_s", "ingest_mfcc_realtime"),
        };
        table.add(
            key,
            format!(
                "decode + {input} features, {} ({} tracks)",
                source,
                ds.tracks.len()
            ),
            secs,
            "s",
        );
        table.add(
            speed_key,
            "  audio turned into features per second of wall time",
            audio_secs / secs,
            "x real time",
        );
        if let Some(second) = second {
            let key = match input {
                InputKind::Waveform => "ingest_waveform_cached_s",
                InputKind::Logmel => "ingest_logmel_cached_s",
                InputKind::Mfcc => "ingest_mfcc_cached_s",
            };
            table.add(
                key,
                format!(
                    "  second open, from the feature cache ({:.0}x faster)",
                    secs / second
                ),
                second,
                "s",
            );
        }
    }
    if args.crossval {
        if let DataSource::Folder(root) = &source {
            let cfg = FeatureConfig::default().with_input(InputKind::Logmel);
            let scan = scan_folder(root, None)?;
            let ds =
                load_dataset_cached(scan, &cfg, &AtomicBool::new(false), &|_| {}, Some(&cache))?;
            table.add(
                "kfold8_logmel_s",
                format!(
                    "kfold:8 of the recommended log-mel dsae, then the model on every track ({} \
                     tracks)",
                    ds.tracks.len()
                ),
                crossval_secs(&ds)?,
                "s",
            );
        }
    }
    // The cache was only for this measurement.
    let _ = std::fs::remove_dir_all(&cache_dir);
    Ok(())
}

/// Training epochs: the paper's configuration on synthetic waveform rows, then the log-mel
/// DSAE and β-TCVAE at gtzan-mini's train split.
fn train_rows(table: &mut Table, epochs: usize) -> anyhow::Result<()> {
    // Training at the paper's configuration: 6,000 examples, batch 512 (and 64).
    table.add(
        "train_epoch_dsae_b512",
        "train dsae, one epoch of 6,000 x 500 (batch 512)",
        epoch_secs(ModelKind::Dsae, 6_000, 500, 512, epochs)?,
        "s",
    );
    table.add(
        "train_epoch_dsae_b64",
        "train dsae, one epoch of 6,000 x 500 (batch 64)",
        epoch_secs(ModelKind::Dsae, 6_000, 500, 64, epochs)?,
        "s",
    );
    table.add(
        "train_epoch_baseline_b512",
        "train baseline, one epoch of 6,000 x 500 (batch 512)",
        epoch_secs(ModelKind::Baseline, 6_000, 500, 512, epochs)?,
        "s",
    );

    let logmel_dim = Shipped::GtzanLogmel.load()?.meta.model.input_dim;
    let lm_train = epoch_secs(ModelKind::Dsae, 480, logmel_dim, 64, epochs)?;
    table.add(
        "train_epoch_logmel_480_b64",
        "train log-mel dsae, one epoch of 480 x 2,432 (batch 64; gtzan-mini's train split)",
        lm_train,
        "s",
    );
    let vae_train = epoch_secs(ModelKind::Btcvae, 480, logmel_dim, 64, epochs)?;
    table.add(
        "train_epoch_btcvae_480_b64",
        format!(
            "train log-mel β-TCVAE, the same epoch ({:.2}x the dsae's)",
            vae_train / lm_train
        ),
        vae_train,
        "s",
    );

    Ok(())
}

/// The non-linear maps of the shipped waveform model's bottleneck of 8,000 synthetic clips, one
/// run each (seeded: every run is the same map), and how trustworthy each map is (k = 10).
fn embed_rows(table: &mut Table, write: Option<&std::path::Path>) -> anyhow::Result<()> {
    use crate::maps::method::{embed, Control, MapMethod};
    use crate::maps::trust::trustworthiness;
    use anyhow::Context;
    let saved = Shipped::GtzanWaveform.load()?;
    let (x8, _) = synthetic(8_000, 500, 4, 2);
    let inference = saved.model.infer_lean(&x8)?;
    let (code, dim) = (&inference.code, inference.code_dim);
    if let Some(path) = write {
        crate::export::write_matrix(path, code, dim)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let pca = Projection::fit(code, dim)?;
    let cancel = AtomicBool::new(false);
    let control = Control {
        cancel: &cancel,
        progress: &|_| {},
    };
    let trust = |xy: &[[f64; 2]]| trustworthiness(code, dim, xy, 10, &cancel);
    let pca_trust = trust(&pca.points)?;
    table.add(
        "trust_pca_8000x64",
        "trustworthiness (k = 10) of the PCA map of the bottleneck",
        pca_trust,
        "",
    );
    for (method, key, trust_key, what) in [
        ("tsne", "tsne_8000x64_s", "trust_tsne_8000x64", "t-SNE"),
        ("umap", "umap_8000x64_s", "trust_umap_8000x64", "UMAP"),
    ] {
        let method = MapMethod::by_name(method).context("a map method")?;
        let (secs, xy) = time(|| embed(code, dim, &method, &pca, &control));
        let xy = xy?;
        table.add(
            key,
            format!(
                "{what} of the bottleneck, 8,000 x 64 ({})",
                method.describe()
            ),
            secs,
            "s",
        );
        let t = trust(&xy)?;
        table.add(
            trust_key,
            format!("trustworthiness (k = 10) of the {what} map"),
            t,
            "",
        );
    }
    Ok(())
}

/// The shipped waveform model over 8,000 synthetic clips (the paper's set): the forward pass
/// and one decoder step (`infer`), PCA of the input and of the bottleneck (`pca`), and slider
/// and probe steps of both shipped models (`steps`).
fn model_rows(table: &mut Table, infer: bool, pca: bool, steps: bool) -> anyhow::Result<()> {
    let saved = Shipped::GtzanWaveform.load()?;
    let (x8, _) = synthetic(8_000, 500, 4, 2);
    if infer {
        table.add(
            "forward_8000",
            "forward pass, 8,000 clips (codes, logits, reconstructions)",
            median_secs(5, || Ok(saved.model.infer(&x8)?))?,
            "s",
        );
    }
    let inference = saved.model.infer_lean(&x8)?;
    if infer {
        let code = inference.code[..64].to_vec();
        let decode = median_secs(200, || Ok(saved.model.decode(&code)?))?;
        table.add(
            "decoder_step_us",
            "one decoder step, 64 -> 500",
            decode * 1e6,
            "us",
        );
    }
    if pca {
        table.add(
            "pca_8000x500_s",
            "PCA of the raw input, 8,000 x 500",
            median_secs(5, || Ok(Projection::fit(&x8, 500)?))?,
            "s",
        );
        let code_pca = median_secs(5, || {
            Ok(Projection::fit(&inference.code, inference.code_dim)?)
        })?;
        table.add(
            "pca_8000x64_s",
            "PCA of the bottleneck, 8,000 x 64",
            code_pca,
            "s",
        );
    }
    if !steps {
        return Ok(());
    }
    let (a, b) = (&inference.code[..64], &inference.code[64..128]);
    table.add(
        "slider_step_waveform_ms",
        "slider step, waveform: decode + upsample + convert for the device",
        slider_step_ms(&saved, a, b)?,
        "ms",
    );
    table.add(
        "probe_step_waveform_ms",
        "probe step, waveform (8,000 clips): lift + nearest clip + decode + upsample + convert",
        probe_step_ms(&saved, &inference.code, inference.code_dim)?,
        "ms",
    );
    let logmel = Shipped::GtzanLogmel.load()?;
    let (xl, _) = synthetic(640, logmel.meta.model.input_dim, 4, 3);
    let codes = logmel.model.encode(&xl)?;
    table.add(
        "slider_step_logmel_ms",
        "slider step, log-mel: decode + Griffin-Lim + convert for the device",
        slider_step_ms(&logmel, &codes[..64], &codes[64..128])?,
        "ms",
    );
    table.add(
        "probe_step_logmel_ms",
        "probe step, log-mel (640 clips): lift + nearest clip + decode + Griffin-Lim + convert",
        probe_step_ms(&logmel, &codes, 64)?,
        "ms",
    );
    Ok(())
}

/// The maps' CPU time per frame (layout and tessellation) at growing point counts.
#[cfg(feature = "window")]
fn maps_rows(table: &mut Table) -> anyhow::Result<()> {
    for (key, n, moving, maps) in [
        ("maps_frame_8000_ms", 8_000usize, false, 3),
        ("maps_frame_100000_ms", 100_000, false, 3),
        ("maps_frame_1000000_ms", 1_000_000, false, 3),
        ("maps_frame_1000000_moving_ms", 1_000_000, true, 3),
        // Compare mode: two models' rows of three maps each.
        ("maps_frame_six_40000_ms", 40_000, false, 6),
        ("maps_frame_six_40000_moving_ms", 40_000, true, 6),
    ] {
        let what = if moving { ", view changing" } else { "" };
        table.add(
            key,
            format!("maps frame, {maps} maps of {n} points{what} (CPU: layout + tessellation)"),
            super::bench_maps::maps_frame_secs(n, moving, maps / 3)? * 1e3,
            "ms",
        );
    }
    Ok(())
}

/// The `--library` rows.
fn library_rows(
    table: &mut Table,
    tracks: usize,
    dir: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let temporary = std::env::temp_dir().join(format!("genrescope-library-{}", std::process::id()));
    let folder = dir.unwrap_or(&temporary);
    let measured = super::bench_library::measure(folder, tracks, peak_rss_mb);
    if dir.is_none() {
        let _ = std::fs::remove_dir_all(&temporary);
    }
    let t = measured?;
    table.add(
        "library_first_open_s",
        format!(
            "library of {} synthetic tracks ({:.0} h), first open: decode + log-mel of {} \
             segments ({} per track at most)",
            t.tracks, t.audio_hours, t.segments, t.per_track_limit
        ),
        t.first_open_secs,
        "s",
    );
    table.add(
        "library_second_open_s",
        "  second open, from the feature cache",
        t.second_open_secs,
        "s",
    );
    table.add(
        "library_maps_s",
        "  then every map: the log-mel model over every clip, PCA maps, verdicts",
        t.maps_secs,
        "s",
    );
    table.add(
        "library_model_maps_s",
        "    of which the model over every clip and its two maps",
        t.model_maps_secs,
        "s",
    );
    table.add(
        "library_raw_map_s",
        "    and the raw map (PCA of every clip's log-mel patch)",
        t.raw_map_secs,
        "s",
    );
    table.add(
        "library_second_open_to_maps_s",
        "  second open to all maps",
        t.second_open_secs + t.maps_secs,
        "s",
    );
    if let Some(mb) = t.first_open_peak_mb {
        table.add(
            "library_first_open_peak_mb",
            "  peak memory of the first open",
            mb,
            "MB",
        );
    }
    if let Some(mb) = t.peak_rss_mb {
        table.add(
            "library_peak_rss_mb",
            "  peak memory of the second open and every map",
            mb,
            "MB",
        );
    }
    Ok(())
}
