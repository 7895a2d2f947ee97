//! The log-mel representation end to end: a resynthesized patch keeps the partials of what it
//! was made from, and a log-mel model's decoder sounds above 1 kHz where a waveform model's
//! cannot (500 values per 0.9 s hold nothing above 275 Hz).

use crate::common;

use common::cli::*;

use genrescope::dataset::features::Featurizer;
use genrescope::dataset::{FeatureConfig, InputKind};
use genrescope::latent::audible::Voice;
use realfft::RealFftPlanner;

const RATE: f32 = 22_050.0;
/// Partials of the test signal and their amplitudes.
const PARTIALS: [(f32, f32); 4] = [(220.0, 0.3), (660.0, 0.15), (1_760.0, 0.1), (3_520.0, 0.05)];

/// Magnitude spectrum (Hann window) of `x`, and the width of one bin in Hz.
fn spectrum(x: &[f32]) -> (Vec<f32>, f32) {
    let n = x.len();
    let mut input: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v * (0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos()))
        .collect();
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let mut out = fft.make_output_vec();
    fft.process(&mut input, &mut out).unwrap();
    (out.iter().map(|c| c.norm()).collect(), RATE / n as f32)
}

/// Energy within ±`half_hz` of `hz`, against the energy of the whole spectrum.
fn share_near(spec: &[f32], bin_hz: f32, hz: f32, half_hz: f32) -> f32 {
    let total: f32 = spec.iter().map(|m| m * m).sum();
    let lo = ((hz - half_hz) / bin_hz).max(0.0) as usize;
    let hi = (((hz + half_hz) / bin_hz) as usize).min(spec.len() - 1);
    spec[lo..=hi].iter().map(|m| m * m).sum::<f32>() / total
}

#[test]
fn a_resynthesized_patch_keeps_the_partials_of_its_signal() {
    let signal: Vec<f32> = (0..20_000)
        .map(|i| {
            let t = i as f32 / RATE;
            PARTIALS
                .iter()
                .map(|(f, a)| a * (std::f32::consts::TAU * f * t).sin())
                .sum()
        })
        .collect();
    let cfg = FeatureConfig::default().with_input(InputKind::Logmel);
    let featurizer = Featurizer::new(&cfg).unwrap();
    let mut patch = Vec::new();
    featurizer.segment_into(&signal, &mut patch);
    let audio = Voice::new(&cfg).unwrap().render(&patch).unwrap();
    assert_eq!(audio.len(), 20_000, "a step keeps the segment's length");

    // Spectral convergence of the mel magnitudes (the representation's own view): how far the
    // resynthesized audio's patch is from the original's, relative to its size. Here it is
    // 0.03; Griffin-Lim on exact STFT magnitudes alone leaves about 0.05 in the STFT domain
    // (src/dsp/griffin_lim.rs). 0.15 leaves room for a different platform's rounding.
    let mut again = Vec::new();
    let mut padded = audio.clone();
    padded.resize(20_000, 0.0);
    featurizer.segment_into(&padded, &mut again);
    let magnitude = |db: f32| 10f32.powf(db / 20.0);
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (a, b) in patch.iter().zip(&again) {
        let (a, b) = (f64::from(magnitude(*a)), f64::from(magnitude(*b)));
        diff += (a - b) * (a - b);
        norm += a * a;
    }
    let convergence = (diff / norm).sqrt();
    eprintln!("mel spectral convergence {convergence:.3}");
    assert!(convergence < 0.15, "mel spectral convergence {convergence}");

    // Every partial is still a peak: most of the energy sits within a mel band's width of the
    // partials, as it does in the original.
    let (original, bin_hz) = spectrum(&signal[..19_968]);
    let (resynthesized, _) = spectrum(&audio[..19_968]);
    for (hz, _) in PARTIALS {
        // Mel bands are ~50 Hz wide below 1 kHz and widen to ~8 % of the frequency above.
        let half = 40.0f32.max(0.08 * hz);
        let (before, after) = (
            share_near(&original, bin_hz, hz, half),
            share_near(&resynthesized, bin_hz, hz, half),
        );
        eprintln!("{hz} Hz: {before:.3} of the energy before, {after:.3} after");
        assert!(
            after > 0.5 * before,
            "{hz} Hz: {after} of the energy, was {before}"
        );
    }
    let kept: f32 = PARTIALS
        .iter()
        .map(|(hz, _)| share_near(&resynthesized, bin_hz, *hz, 40.0f32.max(0.08 * hz)))
        .sum();
    assert!(kept > 0.8, "only {kept} of the energy is at the partials");
}

/// The share of a WAV's energy above `hz`.
fn energy_above(path: &std::path::Path, hz: f32) -> f32 {
    let mut reader = hound::WavReader::open(path).unwrap();
    let samples: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect();
    let n = samples.len() - samples.len() % 2;
    let (spec, bin_hz) = spectrum(&samples[..n]);
    let total: f32 = spec.iter().map(|m| m * m).sum();
    let from = (hz / bin_hz) as usize;
    spec[from..].iter().map(|m| m * m).sum::<f32>() / total.max(1e-30)
}

#[test]
fn a_log_mel_decoder_sounds_above_1_khz_and_a_waveform_decoder_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let logmel = tmp.path().join("logmel.safetensors");
    genrescope_ok(&[
        "train",
        "builtin:demo",
        "--input",
        "logmel",
        "--preset",
        "recommended",
        "--epochs",
        "15",
        "--out",
        logmel.to_str().unwrap(),
    ]);
    let walk = |model: &str, out: &std::path::Path| {
        genrescope_ok(&[
            "interpolate",
            model,
            "builtin:demo",
            "--from",
            "strings.00001:2",
            "--to",
            "metal.00003:4",
            "--steps",
            "4",
            "--out",
            out.to_str().unwrap(),
        ]);
    };
    let logmel_wav = tmp.path().join("logmel.wav");
    walk(logmel.to_str().unwrap(), &logmel_wav);
    let waveform_wav = tmp.path().join("waveform.wav");
    let shipped =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/demo-dsae.safetensors");
    walk(shipped.to_str().unwrap(), &waveform_wav);
    let (high_logmel, high_waveform) = (
        energy_above(&logmel_wav, 1_000.0),
        energy_above(&waveform_wav, 1_000.0),
    );
    eprintln!("energy above 1 kHz: log-mel {high_logmel:.3}, waveform {high_waveform:.5}");
    assert!(
        high_logmel > 0.02,
        "log-mel path: {high_logmel} above 1 kHz"
    );
    // The waveform decoder's 551.25 Hz output holds nothing above 275 Hz, as before.
    assert!(
        high_waveform < 0.001,
        "waveform path: {high_waveform} above 1 kHz"
    );
    assert!(energy_above(&waveform_wav, 300.0) < 0.01);
}
