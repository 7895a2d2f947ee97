//! Audio descriptors of a clip, following librosa 0.11's definitions with its defaults at
//! n_fft 2048 and hop 512 (`tests/reference/DESCRIPTORS.md` says exactly what librosa does;
//! `tests/descriptors.rs` checks these against librosa's own values on real GTZAN clips):
//! - `rms_dbfs`: 20·log10 of the clip's RMS (not frame-wise); below 1e-6 the clip is silent;
//! - `centroid_hz`, `flatness`, `rolloff_hz` (85 %): each frame's value (zero-padded, centred
//!   frames of the periodic Hann window), averaged over the frames;
//! - `zcr`: librosa's zero-crossing rate (edge-padded frames, zero counted as positive),
//!   averaged over the frames;
//! - `onset_rate_hz`: onsets per second, by librosa's `onset_detect` (spectral flux of a
//!   128-band log-mel spectrogram, then its peak picking);
//! - `tempo_bpm`: librosa's `tempo` (the onset envelope's autocorrelation over an 8 s window,
//!   weighted by a log-normal prior around 120 BPM), only for clips of at least
//!   [`MIN_TEMPO_SECS`]: a 0.9 s clip holds one or two beats, which is no tempo.
//!
//! The spectra are computed in f64 (librosa rounds them to f32), so values agree with librosa's
//! to float32 rounding; onset frames and tempo are the same. A silent clip has defined values
//! (0 Hz, flatness 1, no onsets, no tempo) and its flag: never a NaN.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use super::mel::MelFilterbank;

/// Frame length and hop of every descriptor (librosa's defaults).
pub const N_FFT: usize = 2048;
pub const HOP: usize = 512;
/// Bands of the onset detector's mel spectrogram.
const ONSET_MELS: usize = 128;
/// Clips shorter than this get no tempo: fewer than three beats at 60 BPM.
pub const MIN_TEMPO_SECS: f64 = 3.0;
/// An RMS below this (-120 dBFS) is silence.
const SILENT_RMS: f64 = 1e-6;
pub const SILENT_DBFS: f32 = -120.0;

/// What each descriptor is called in files, and in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Descriptor {
    RmsDbfs,
    CentroidHz,
    Flatness,
    RolloffHz,
    Zcr,
    OnsetRateHz,
    TempoBpm,
}

impl Descriptor {
    pub const ALL: [Descriptor; 7] = [
        Descriptor::RmsDbfs,
        Descriptor::CentroidHz,
        Descriptor::Flatness,
        Descriptor::RolloffHz,
        Descriptor::Zcr,
        Descriptor::OnsetRateHz,
        Descriptor::TempoBpm,
    ];

    /// The column name in exports (`centroid_hz`).
    pub fn column(self) -> &'static str {
        match self {
            Self::RmsDbfs => "rms_dbfs",
            Self::CentroidHz => "centroid_hz",
            Self::Flatness => "flatness",
            Self::RolloffHz => "rolloff_hz",
            Self::Zcr => "zcr",
            Self::OnsetRateHz => "onset_rate_hz",
            Self::TempoBpm => "tempo_bpm",
        }
    }

    /// How the window names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::RmsDbfs => "level",
            Self::CentroidHz => "brightness (centroid)",
            Self::Flatness => "noisiness (flatness)",
            Self::RolloffHz => "roll-off",
            Self::Zcr => "zero-crossing rate",
            Self::OnsetRateHz => "onset rate",
            Self::TempoBpm => "tempo",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Self::RmsDbfs => "dBFS",
            Self::CentroidHz | Self::RolloffHz => "Hz",
            Self::OnsetRateHz => "/s",
            Self::TempoBpm => "BPM",
            Self::Flatness | Self::Zcr => "",
        }
    }

    /// A value with its unit, as the window shows it.
    pub fn format(self, value: f32) -> String {
        match self {
            Self::RmsDbfs => format!("{value:.1} dBFS"),
            Self::CentroidHz | Self::RolloffHz => format!("{value:.0} Hz"),
            Self::Flatness => format!("{value:.4}"),
            Self::Zcr => format!("{value:.3}"),
            Self::OnsetRateHz => format!("{value:.1} /s"),
            Self::TempoBpm => format!("{value:.0} BPM"),
        }
    }
}

/// One clip's descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Descriptors {
    pub rms_dbfs: f32,
    pub centroid_hz: f32,
    pub flatness: f32,
    pub rolloff_hz: f32,
    pub zcr: f32,
    pub onset_rate_hz: f32,
    /// None: the clip is shorter than [`MIN_TEMPO_SECS`], or silent.
    pub tempo_bpm: Option<f32>,
    /// The clip's RMS is below -120 dBFS.
    pub silent: bool,
}

impl Descriptors {
    /// The value of `d`, where it is defined.
    pub fn get(&self, d: Descriptor) -> Option<f32> {
        match d {
            Descriptor::RmsDbfs => Some(self.rms_dbfs),
            Descriptor::CentroidHz => Some(self.centroid_hz),
            Descriptor::Flatness => Some(self.flatness),
            Descriptor::RolloffHz => Some(self.rolloff_hz),
            Descriptor::Zcr => Some(self.zcr),
            Descriptor::OnsetRateHz => Some(self.onset_rate_hz),
            Descriptor::TempoBpm => self.tempo_bpm,
        }
    }

    /// Eight numbers, for files: the seven values (no tempo: NaN, which never leaves the
    /// file) and the silent flag.
    pub fn to_row(&self) -> [f32; 8] {
        [
            self.rms_dbfs,
            self.centroid_hz,
            self.flatness,
            self.rolloff_hz,
            self.zcr,
            self.onset_rate_hz,
            self.tempo_bpm.unwrap_or(f32::NAN),
            f32::from(u8::from(self.silent)),
        ]
    }

    /// [`Descriptors::to_row`] back; `None` when a value is not a descriptor's (damage).
    pub fn from_row(row: &[f32]) -> Option<Self> {
        let [rms, centroid, flatness, rolloff, zcr, onsets, tempo, silent] = *row else {
            return None;
        };
        let finite = [rms, centroid, flatness, rolloff, zcr, onsets]
            .iter()
            .all(|v| v.is_finite());
        let flag = match silent {
            0.0 => false,
            1.0 => true,
            _ => return None,
        };
        (finite && (tempo.is_nan() || tempo.is_finite())).then_some(Self {
            rms_dbfs: rms,
            centroid_hz: centroid,
            flatness,
            rolloff_hz: rolloff,
            zcr,
            onset_rate_hz: onsets,
            tempo_bpm: (!tempo.is_nan()).then_some(tempo),
            silent: flag,
        })
    }
}

/// The analysis the descriptors need, planned once and shared by every thread.
#[derive(Clone)]
pub struct DescriptorAnalysis {
    sample_rate_hz: u32,
    fft: Arc<dyn RealToComplex<f64>>,
    window: Vec<f64>,
    bin_hz: Vec<f64>,
    mel: MelFilterbank,
}

impl std::fmt::Debug for DescriptorAnalysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DescriptorAnalysis {{ {} Hz }}", self.sample_rate_hz)
    }
}

/// What the frames of a clip give: each frame's magnitude spectrum's three descriptors and its
/// mel power, for the onset detector.
struct Frames {
    centroid: Vec<f64>,
    flatness: Vec<f64>,
    rolloff: Vec<f64>,
    /// Row-major `frames × ONSET_MELS`.
    mel_power: Vec<f32>,
}

impl DescriptorAnalysis {
    pub fn new(sample_rate_hz: u32) -> Self {
        let mut planner = RealFftPlanner::<f64>::new();
        let rate = f64::from(sample_rate_hz);
        Self {
            sample_rate_hz,
            fft: planner.plan_fft_forward(N_FFT),
            window: (0..N_FFT)
                .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / N_FFT as f64).cos())
                .collect(),
            bin_hz: (0..=N_FFT / 2)
                .map(|k| k as f64 * rate / N_FFT as f64)
                .collect(),
            mel: MelFilterbank::new(sample_rate_hz, N_FFT, ONSET_MELS, 0.0, rate / 2.0),
        }
    }

    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// Centred frames: frame t covers samples `t·hop - n_fft/2 ..` of the clip.
    fn frame_count(len: usize) -> usize {
        1 + len / HOP
    }

    fn frames(&self, clip: &[f32]) -> Frames {
        let count = Self::frame_count(clip.len());
        let half = N_FFT / 2;
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let bins = spectrum.len();
        let mut magnitude = vec![0.0f64; bins];
        let mut power = vec![0.0f32; bins];
        let mut out = Frames {
            centroid: Vec::with_capacity(count),
            flatness: Vec::with_capacity(count),
            rolloff: Vec::with_capacity(count),
            mel_power: Vec::with_capacity(count * ONSET_MELS),
        };
        for t in 0..count {
            let start = (t * HOP).checked_sub(half);
            match start.filter(|&s| s + N_FFT <= clip.len()) {
                // Inside the clip: a straight pass the compiler vectorises.
                Some(s) => {
                    for ((x, w), &sample) in input.iter_mut().zip(&self.window).zip(&clip[s..]) {
                        *x = f64::from(sample) * w;
                    }
                }
                // Zero padding beyond the clip (librosa's pad_mode="constant").
                None => {
                    for (n, (x, w)) in input.iter_mut().zip(&self.window).enumerate() {
                        let at = (t * HOP + n).checked_sub(half);
                        let sample = at.and_then(|i| clip.get(i)).copied().unwrap_or(0.0);
                        *x = f64::from(sample) * w;
                    }
                }
            }
            // The plan's own buffers: processing cannot fail.
            let _ = self
                .fft
                .process_with_scratch(&mut input, &mut spectrum, &mut scratch);
            // |c| as the root of re² + im², not hypot: audio spectra are far from overflow,
            // and hypot (a library call a value) was a fifth of reading a folder.
            for ((m, p), c) in magnitude.iter_mut().zip(&mut power).zip(&spectrum) {
                let squared = c.re * c.re + c.im * c.im;
                *m = squared.sqrt();
                *p = squared as f32;
            }
            let total: f64 = magnitude.iter().sum();
            out.centroid.push(if total < f64::from(f32::MIN_POSITIVE) {
                0.0
            } else {
                magnitude
                    .iter()
                    .zip(&self.bin_hz)
                    .map(|(m, f)| m * f)
                    .sum::<f64>()
                    / total
            });
            // Σ ln p as ln of products of four (each p in [1e-10, ~1e6], so a product stays
            // well inside f64): a quarter of the logarithms.
            let (mut log_sum, mut sum) = (0.0f64, 0.0f64);
            for chunk in magnitude.chunks(4) {
                let mut product = 1.0f64;
                for m in chunk {
                    let p = (m * m).max(1e-10);
                    product *= p;
                    sum += p;
                }
                log_sum += product.ln();
            }
            let n = bins as f64;
            out.flatness.push((log_sum / n).exp() / (sum / n));
            let threshold = 0.85 * total;
            let mut cumulative = 0.0;
            let k = magnitude
                .iter()
                .position(|m| {
                    cumulative += m;
                    cumulative >= threshold
                })
                .unwrap_or(bins - 1);
            out.rolloff.push(self.bin_hz[k]);
            self.mel.apply_into(&power, &mut out.mel_power);
        }
        out
    }

    /// librosa's zero-crossing rate of each frame (edge-padded: the padding adds no crossing).
    fn zero_crossing_rates(clip: &[f32]) -> Vec<f64> {
        let count = Self::frame_count(clip.len());
        let half = N_FFT / 2;
        let (first, last) = (
            clip.first().copied().unwrap_or(0.0),
            clip.last().copied().unwrap_or(0.0),
        );
        let negative = |x: f32| {
            let x = if x.abs() <= 1e-10 { 0.0 } else { x };
            x.is_sign_negative()
        };
        (0..count)
            .map(|t| {
                let sample = |n: usize| match (t * HOP + n).checked_sub(half) {
                    None => first,
                    Some(i) => clip.get(i).copied().unwrap_or(last),
                };
                let crossings = (1..N_FFT)
                    .filter(|&n| negative(sample(n)) != negative(sample(n - 1)))
                    .count();
                crossings as f64 / N_FFT as f64
            })
            .collect()
    }

    /// librosa's onset strength envelope: the mean over 128 mel bands of the rise in dB from
    /// one frame to the next, floored at 80 dB below the clip's loudest point, delayed by three
    /// frames (lag 1 + n_fft / (2 hop)) and trimmed to the frame count.
    pub fn onset_envelope(&self, clip: &[f32]) -> Vec<f32> {
        onset_envelope_of(&self.frames(clip).mel_power)
    }

    /// The descriptors of one clip of samples at the analysis' rate.
    pub fn describe(&self, clip: &[f32]) -> Descriptors {
        let len = clip.len().max(1);
        let rms = (clip
            .iter()
            .map(|&x| f64::from(x) * f64::from(x))
            .sum::<f64>()
            / len as f64)
            .sqrt();
        let silent = rms < SILENT_RMS;
        let frames = self.frames(clip);
        let mean = |v: &[f64]| (v.iter().sum::<f64>() / v.len().max(1) as f64) as f32;
        let envelope = onset_envelope_of(&frames.mel_power);
        let onsets = onset_frames(&envelope).len();
        let secs = clip.len() as f64 / f64::from(self.sample_rate_hz);
        let long_enough = secs >= MIN_TEMPO_SECS;
        Descriptors {
            rms_dbfs: if silent {
                SILENT_DBFS
            } else {
                (20.0 * rms.log10()) as f32
            },
            centroid_hz: mean(&frames.centroid),
            flatness: mean(&frames.flatness),
            rolloff_hz: mean(&frames.rolloff),
            zcr: mean(&Self::zero_crossing_rates(clip)),
            onset_rate_hz: (onsets as f64 / secs.max(1e-9)) as f32,
            tempo_bpm: (long_enough && !silent)
                .then(|| tempo_bpm(&envelope, self.sample_rate_hz))
                .flatten(),
            silent,
        }
    }
}

fn onset_envelope_of(mel_power: &[f32]) -> Vec<f32> {
    let frames = mel_power.len() / ONSET_MELS;
    let db: Vec<f32> = mel_power
        .iter()
        .map(|&p| 10.0 * f64::from(p.max(1e-10)).log10() as f32)
        .collect();
    let floor = db.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) - 80.0;
    let db: Vec<f32> = db.into_iter().map(|v| v.max(floor)).collect();
    let mut envelope = vec![0.0f32; frames];
    for (t, e) in envelope.iter_mut().enumerate().skip(3) {
        let (now, before) = (t - 2, t - 3);
        let rise: f64 = (0..ONSET_MELS)
            .map(|m| f64::from((db[now * ONSET_MELS + m] - db[before * ONSET_MELS + m]).max(0.0)))
            .sum();
        *e = (rise / ONSET_MELS as f64) as f32;
    }
    envelope
}

/// librosa's `onset_detect` on an envelope (normalised to its peak), with its peak picking at
/// hop 512 and 22,050 Hz: a frame at least its predecessor, at least 0.07 above the mean of
/// the nine frames around it, and not the frame right after an onset.
pub fn onset_frames(envelope: &[f32]) -> Vec<usize> {
    let min = envelope.iter().fold(f32::INFINITY, |m, &v| m.min(v));
    let x: Vec<f32> = envelope.iter().map(|&v| v - min).collect();
    let max = x.iter().fold(0.0f32, |m, &v| m.max(v));
    if max <= 0.0 || !max.is_finite() || x.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let x: Vec<f32> = x.iter().map(|v| v / (max + f32::MIN_POSITIVE)).collect();
    let (pre_max, post_max, pre_avg, post_avg, wait, delta) = (1usize, 1usize, 4, 5, 1, 0.07f32);
    let n = x.len();
    let mean = |from: usize, to: usize| {
        let window = &x[from..to.min(n)];
        (window.iter().map(|&v| f64::from(v)).sum::<f64>() / window.len().max(1) as f64) as f32
    };
    let mut peaks = Vec::new();
    let mut i = 0;
    while i < n {
        let local_max = x[i.saturating_sub(pre_max)..(i + post_max).min(n)]
            .iter()
            .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let above = x[i] >= mean(i.saturating_sub(pre_avg), i + post_avg) + delta;
        if x[i] == local_max && above {
            peaks.push(i);
            i += wait + 1;
        } else {
            i += 1;
        }
    }
    peaks
}

/// librosa's `tempo`: the onset envelope's autocorrelation in Hann-windowed windows of 8 s
/// (each normalised to its peak), averaged over time, weighted by a log-normal prior around
/// 120 BPM (one octave) with nothing above 320 BPM, at the best lag. `None` for a flat envelope.
fn tempo_bpm(envelope: &[f32], sample_rate_hz: u32) -> Option<f32> {
    let n = envelope.len();
    if n == 0 || envelope.iter().all(|&v| v == 0.0) {
        return None;
    }
    let win = (8.0 * f64::from(sample_rate_hz)) as usize / HOP;
    let half = win / 2;
    let window: Vec<f64> = (0..win)
        .map(|k| 0.5 - 0.5 * (std::f64::consts::TAU * k as f64 / win as f64).cos())
        .collect();
    // Linear ramps from the edge values down to zero (numpy's "linear_ramp" padding).
    let last = f64::from(envelope[n - 1]);
    let first = f64::from(envelope[0]);
    let padded = |i: usize| -> f64 {
        if i < half {
            i as f64 * (first / half as f64)
        } else if i < half + n {
            f64::from(envelope[i - half])
        } else {
            let j = i - half - n;
            (half - 1).saturating_sub(j) as f64 * (last / half as f64)
        }
    };
    let mut mean_ac = vec![0.0f64; win];
    let mut frame = vec![0.0f64; win];
    for t in 0..n {
        for (k, f) in frame.iter_mut().enumerate() {
            *f = padded(t + k) * window[k];
        }
        let ac: Vec<f64> = (0..win)
            .map(|lag| (0..win - lag).map(|j| frame[j] * frame[j + lag]).sum())
            .collect();
        let peak = ac.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if peak < f64::MIN_POSITIVE { 1.0 } else { peak };
        for (m, a) in mean_ac.iter_mut().zip(&ac) {
            *m += a / scale;
        }
    }
    let per_lag = 60.0 * f64::from(sample_rate_hz) / HOP as f64;
    let best = (1..win)
        .filter(|&lag| per_lag / (lag as f64) < 320.0)
        .map(|lag| {
            let bpm = per_lag / lag as f64;
            let prior = -0.5 * ((bpm.log2() - 120f64.log2()) / 1.0).powi(2);
            let score = (1e6 * mean_ac[lag] / n as f64).ln_1p() + prior;
            (lag, score)
        })
        .fold(None::<(usize, f64)>, |best, (lag, score)| match best {
            Some((_, s)) if s >= score => best,
            _ => Some((lag, score)),
        })?;
    Some((per_lag / best.0 as f64) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_has_defined_values_and_its_flag() {
        let d = DescriptorAnalysis::new(22_050).describe(&vec![0.0; 20_000]);
        assert!(d.silent);
        assert_eq!(d.rms_dbfs, SILENT_DBFS);
        assert_eq!(
            (d.centroid_hz, d.rolloff_hz, d.zcr, d.onset_rate_hz),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert!((d.flatness - 1.0).abs() < 1e-6);
        assert_eq!(d.tempo_bpm, None);
        assert_eq!(Descriptors::from_row(&d.to_row()), Some(d));
    }

    #[test]
    fn a_sine_is_bright_where_it_is_and_crosses_zero_twice_a_period() {
        let rate = 22_050.0;
        let f = 1_000.0;
        let clip: Vec<f32> = (0..20_000)
            .map(|i| 0.5 * (std::f32::consts::TAU * f * i as f32 / rate).sin())
            .collect();
        let d = DescriptorAnalysis::new(22_050).describe(&clip);
        assert!((d.centroid_hz - 1_000.0).abs() < 30.0, "{}", d.centroid_hz);
        assert!((d.zcr - 2.0 * f / rate).abs() < 0.01, "{}", d.zcr);
        // A sine at amplitude 0.5: RMS 0.354, -9.0 dBFS.
        assert!((d.rms_dbfs + 9.03).abs() < 0.05, "{}", d.rms_dbfs);
        assert!(d.flatness < 1e-3 && !d.silent);
        assert_eq!(d.tempo_bpm, None, "0.9 s tells no tempo");
    }
}
