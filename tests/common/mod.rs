//! Helpers shared by the integration tests: signals and fixture files the tests make themselves,
//! and the location of the real GTZAN tracks.
#![allow(dead_code)]

pub mod capture;
pub mod cli;
pub mod ui;

use std::f32::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real GTZAN tracks (Kaggle WAV layout), from `GENRESCOPE_GTZAN_DIR`. Under CI a missing
/// folder fails the test; elsewhere the test is skipped with a note.
pub fn gtzan_dir() -> Option<PathBuf> {
    dataset_dir("GENRESCOPE_GTZAN_DIR")
}

/// The real GTZAN tracks in the original `.au` layout, from `GENRESCOPE_GTZAN_AU_DIR`.
pub fn gtzan_au_dir() -> Option<PathBuf> {
    dataset_dir("GENRESCOPE_GTZAN_AU_DIR")
}

fn dataset_dir(var: &str) -> Option<PathBuf> {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    match std::env::var_os(var).map(PathBuf::from) {
        Some(dir) if dir.is_dir() => Some(dir),
        Some(dir) => panic!("{var}={} is not a folder", dir.display()),
        None if in_ci => {
            panic!("{var} is not set under CI; .ci/run must point it at the real tracks")
        }
        None => {
            skipped(&format!("{var} is not set: no real GTZAN tracks"));
            None
        }
    }
}

/// Says that the running test skips its work and why: on stderr (which the test harness shows
/// only for failures) and, when `GENRESCOPE_SKIPPED_LOG` names a file, as a line there, which
/// `scripts/test` prints after the run, so a skip is never silent.
pub fn skipped(why: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    eprintln!("note: {test} skipped its work: {why}");
    if let Some(log) = std::env::var_os("GENRESCOPE_SKIPPED_LOG") {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(log)
        {
            let _ = writeln!(file, "{test}: {why}");
        }
    }
}

/// Runs `sox` (for FLAC/MP3/OGG/AIFF fixtures). Under CI a missing sox fails; elsewhere `None`.
pub fn sox(args: &[&str]) -> Option<()> {
    match Command::new("sox").args(args).output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => panic!(
            "sox {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("sox is not installed under CI; scripts/setup-system test installs it")
        }
        Err(_) => {
            skipped("sox is not installed: no compressed-format check");
            None
        }
    }
}

/// A deterministic test signal: a few harmonics of `freq_hz` with a slow amplitude wobble, so
/// pooled vectors are not constant and correlations are meaningful.
pub fn signal(freq_hz: f32, secs: f32, rate_hz: u32) -> Vec<f32> {
    let n = (secs * rate_hz as f32).round() as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate_hz as f32;
            let env = 0.6 + 0.3 * (TAU * 0.7 * t).sin();
            env * (0.5 * (TAU * freq_hz * t).sin()
                + 0.2 * (TAU * 2.0 * freq_hz * t).sin()
                + 0.1 * (TAU * 3.0 * freq_hz * t).sin())
        })
        .collect()
}

/// The i16 value a sample is stored as, back as the f32 a decoder returns.
pub fn quantise(samples: &[f32]) -> Vec<f32> {
    samples
        .iter()
        .map(|&s| f32::from(to_i16(s)) / 32768.0)
        .collect()
}

fn to_i16(s: f32) -> i16 {
    (s * 32767.0).round().clamp(-32768.0, 32767.0) as i16
}

/// Writes 16-bit PCM WAV: `channels` identical copies of the mono signal.
pub fn write_wav(path: &Path, mono: &[f32], rate_hz: u32, channels: u16) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    for &s in mono {
        for _ in 0..channels {
            w.write_sample(to_i16(s)).expect("write sample");
        }
    }
    w.finalize().expect("finalize wav");
}

/// Writes Sun `.au`, 16-bit big-endian linear PCM (GTZAN's own format), mono.
pub fn write_au(path: &Path, mono: &[f32], rate_hz: u32) {
    let mut header = Vec::new();
    header.extend_from_slice(b".snd");
    header.extend_from_slice(&24u32.to_be_bytes());
    header.extend_from_slice(&((mono.len() * 2) as u32).to_be_bytes());
    header.extend_from_slice(&3u32.to_be_bytes());
    header.extend_from_slice(&rate_hz.to_be_bytes());
    header.extend_from_slice(&1u32.to_be_bytes());
    for &s in mono {
        header.extend_from_slice(&to_i16(s).to_be_bytes());
    }
    std::fs::write(path, header).expect("write au");
}

/// A dataset folder: `<root>/<wrapper>/<genre>/<genre>.0000N.wav`, each genre a different pitch.
pub fn make_dataset(
    root: &Path,
    wrapper: Option<&str>,
    genres: &[&str],
    tracks_per_genre: usize,
    secs: f32,
) -> PathBuf {
    let base = wrapper.map_or(root.to_path_buf(), |w| root.join(w));
    for (g, genre) in genres.iter().enumerate() {
        let dir = base.join(genre);
        std::fs::create_dir_all(&dir).expect("create genre dir");
        for t in 0..tracks_per_genre {
            let freq = 110.0 * (g + 1) as f32 + 7.0 * t as f32;
            write_wav(
                &dir.join(format!("{genre}.{t:05}.wav")),
                &signal(freq, secs, 22_050),
                22_050,
                1,
            );
        }
    }
    base
}

/// The boxcar mean of `pool` samples, computed the obvious way, to check the pipeline against.
pub fn reference_pool(samples: &[f32], pool: usize) -> Vec<f32> {
    samples
        .chunks_exact(pool)
        .map(|w| w.iter().sum::<f32>() / pool as f32)
        .collect()
}

/// Pearson correlation of two equally long signals.
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |x: &[f32]| x.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let mut sab = 0.0;
    let mut saa = 0.0;
    let mut sbb = 0.0;
    for i in 0..n {
        let da = f64::from(a[i]) - ma;
        let db = f64::from(b[i]) - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    sab / (saa.sqrt() * sbb.sqrt()).max(1e-30)
}

/// (start, end) of each stretch of sound, where stretches are split by at least `gap` silent
/// samples (sound inside a clip may touch zero now and then).
pub fn sounding_runs(samples: &[f32], gap: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    let mut last_sound = 0;
    for (i, v) in samples.iter().enumerate() {
        if v.abs() > 1e-4 {
            if start.is_some() && i - last_sound > gap {
                runs.push((start.unwrap_or(0), last_sound + 1));
                start = None;
            }
            start.get_or_insert(i);
            last_sound = i;
        }
    }
    if let Some(s) = start {
        runs.push((s, last_sound + 1));
    }
    runs
}

/// A small DSAE trained on `dir` (synthetic tones learn fast), saved to `out`.
pub fn train_small_model(dir: &std::path::Path, out: &std::path::Path, epochs: usize) {
    let tc = genrescope::model::TrainConfig {
        epochs,
        learning_rate: 3e-3,
        batch_size: 16,
        seed: 1,
        regularization: Default::default(),
    };
    train_model(dir, out, genrescope::model::ModelConfig::dsae(0, 0), tc);
}

/// An autoencoder without dropout that memorises the few clips of `dir`, so its decoder's
/// outputs for different clips really differ (with dropout it decodes them all alike).
pub fn train_memorising_autoencoder(dir: &std::path::Path, out: &std::path::Path) {
    let template = genrescope::model::ModelConfig {
        dropout_keep: 1.0,
        ..genrescope::model::ModelConfig::dsae(0, 0)
            .with_kind(genrescope::model::ModelKind::Autoencoder)
    };
    let tc = genrescope::model::TrainConfig {
        epochs: 600,
        learning_rate: 1e-3,
        batch_size: 16,
        seed: 1,
        regularization: Default::default(),
    };
    train_model(dir, out, template, tc);
}

pub fn train_model(
    dir: &std::path::Path,
    out: &std::path::Path,
    template: genrescope::model::ModelConfig,
    tc: genrescope::model::TrainConfig,
) {
    train_model_with(dir, out, template, tc, &Default::default());
}

/// A model of `template`'s kind trained on `dir` cut as `features`, saved to `out`.
pub fn train_model_with(
    dir: &std::path::Path,
    out: &std::path::Path,
    template: genrescope::model::ModelConfig,
    tc: genrescope::model::TrainConfig,
    features: &genrescope::dataset::FeatureConfig,
) {
    use std::sync::atomic::AtomicBool;
    let ds =
        genrescope::dataset::load_folder(dir, None, features, &AtomicBool::new(false), &|_| {})
            .unwrap();
    let exp = genrescope::training::experiment::run_experiment(
        &ds,
        template,
        &tc,
        &Default::default(),
        false,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    genrescope::model::save(out, &exp.saved.model, &exp.saved.meta).unwrap();
}

/// One real GTZAN track in the Kaggle layout, e.g. `genres_original/jazz/jazz.00003.wav`.
pub fn gtzan_track(gtzan: &Path, genre: &str, id: usize) -> PathBuf {
    gtzan
        .join("genres_original")
        .join(genre)
        .join(format!("{genre}.{id:05}.wav"))
}
