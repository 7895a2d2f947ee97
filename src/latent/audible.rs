//! Turning a model-space vector back into sound: the inputs a model sees, and everything its
//! decoder makes (reconstructions, interpolation steps), played and exported at the data's
//! sample rate.
//! - waveform: the pooled signal (`sample_rate / pool` Hz) upsampled by rubato, band-limited
//!   rather than held as a staircase;
//! - log-mel: undo the log (dB to power), mel power to linear power through the filterbank's
//!   pseudo-inverse, the square root for magnitudes, then phases by fast Griffin-Lim and
//!   overlap-add at the sample rate;
//! - MFCC: the kept coefficients back through the inverse DCT to a smoothed log-mel patch,
//!   then as log-mel (the fine spectral detail the 20 coefficients dropped stays lost).

use std::sync::Arc;

use crate::audio::clip::{ClipError, ClipSource, Mono};
use crate::audio::resample::{resample_clip, ResampleError};
use crate::dataset::features::{FeatureConfigError, MelAnalysis};
use crate::dataset::{FeatureConfig, Representation};
use crate::dsp::cepstrum::Cepstrum;
use crate::dsp::descriptors::DescriptorAnalysis;
use crate::dsp::griffin_lim::{griffin_lim, DEFAULT_ITERATIONS};
use crate::dsp::loudness::{interpolate_rms, match_rms};
use crate::latent::interpolate::PathStep;

#[derive(Debug, thiserror::Error)]
pub enum AudibleError {
    #[error("expected {expected} values, got {got}")]
    Shape { expected: usize, got: usize },
    #[error(transparent)]
    Resample(#[from] ResampleError),
    #[error(transparent)]
    Settings(#[from] FeatureConfigError),
}

/// Renders vectors of one [`FeatureConfig`] as audio; built once per model and shared.
#[derive(Debug, Clone)]
pub struct Voice {
    features: FeatureConfig,
    mel: Option<MelAnalysis>,
    /// MFCC only: back from coefficients to a (smoothed) log-mel patch.
    cepstrum: Option<Cepstrum>,
}

impl Voice {
    pub fn new(features: &FeatureConfig) -> Result<Self, AudibleError> {
        features.validate()?;
        let mel = match features.input {
            Representation::Waveform => None,
            Representation::LogMel(m) | Representation::Mfcc(m) => {
                Some(MelAnalysis::new(features.sample_rate_hz, m))
            }
        };
        let cepstrum = match features.input {
            Representation::Mfcc(m) => Some(Cepstrum::new(m.n_mels)),
            _ => None,
        };
        Ok(Self {
            features: *features,
            mel,
            cepstrum,
        })
    }

    /// The rate of the audio [`Voice::render`] returns.
    pub fn sample_rate_hz(&self) -> u32 {
        self.features.sample_rate_hz
    }

    /// One vector as audio: `segment_samples` samples in [-1, 1]. A log-mel patch's frames end
    /// a little before the segment does; the rest is silence, so steps keep the segment's
    /// length and paths keep time with the tables that list them.
    pub fn render(&self, vector: &[f32]) -> Result<Vec<f32>, AudibleError> {
        let expected = self.features.dim();
        if vector.len() != expected {
            return Err(AudibleError::Shape {
                expected,
                got: vector.len(),
            });
        }
        let mut audio = match &self.mel {
            None => {
                let rate = self.features.sample_rate_hz;
                let pool = self.features.pool as u32;
                let mut audio = resample_clip(vector, rate, rate * pool)?;
                audio.truncate(vector.len() * self.features.pool);
                audio
            }
            Some(mel) => {
                let mut audio = self.resynthesize(mel, &self.as_log_mel(vector));
                audio.resize(self.features.segment_samples, 0.0);
                audio
            }
        };
        for s in &mut audio {
            *s = if s.is_finite() {
                s.clamp(-1.0, 1.0)
            } else {
                0.0
            };
        }
        Ok(audio)
    }

    /// The RMS level of the audio [`Voice::render`] would make of `vector`, estimated without
    /// making it: the pooled signal's own RMS, or for a log-mel patch the energy of its linear
    /// spectrum (Parseval), corrected for the analysis window. Cheap enough for every slider
    /// step; used to match the loudness of decoded audio.
    pub fn level(&self, vector: &[f32]) -> f32 {
        let Some(mel) = &self.mel else {
            return crate::dsp::loudness::rms(vector);
        };
        let patch = self.as_log_mel(vector);
        let vector: &[f32] = &patch;
        let n_mels = mel.params.n_mels;
        let n_fft = mel.stft.n_fft();
        let bins = mel.stft.bins();
        let mut power = vec![0.0f32; n_mels];
        let mut linear = vec![0.0f32; bins];
        let (mut sum, mut frames) = (0.0f64, 0usize);
        for frame in vector.chunks_exact(n_mels) {
            for (p, db) in power.iter_mut().zip(frame) {
                *p = 10f32.powf(db.min(120.0) / 10.0);
            }
            mel.filterbank.invert_into(&power, &mut linear);
            // One-sided spectrum: the bins between DC and Nyquist stand for two.
            let energy: f64 = linear
                .iter()
                .enumerate()
                .map(|(k, &p)| f64::from(p) * if k == 0 || k == bins - 1 { 1.0 } else { 2.0 })
                .sum();
            sum += energy / (n_fft as f64 * n_fft as f64);
            frames += 1;
        }
        // Mean square of a Hann-windowed frame is 3/8 of the signal's.
        (sum / frames.max(1) as f64 / 0.375).sqrt() as f32
    }

    /// The levels decoded audio is brought to along a path from clip A's input to clip B's
    /// (loudness matching): the window plays it so, and `interpolate` writes it so.
    pub fn path_levels(&self, a: &[f32], b: &[f32]) -> PathLevels {
        PathLevels {
            a: self.level(a),
            b: self.level(b),
        }
    }

    /// The log-mel patch a vector stands for: itself, or an MFCC vector's inverse DCT.
    fn as_log_mel<'a>(&self, vector: &'a [f32]) -> std::borrow::Cow<'a, [f32]> {
        match &self.cepstrum {
            None => std::borrow::Cow::Borrowed(vector),
            Some(cepstrum) => std::borrow::Cow::Owned(cepstrum.log_mel_of(vector)),
        }
    }

    fn resynthesize(&self, mel: &MelAnalysis, patch: &[f32]) -> Vec<f32> {
        let n_mels = mel.params.n_mels;
        let bins = mel.stft.bins();
        let frames = patch.len() / n_mels;
        let mut magnitude = vec![0.0f32; frames * bins];
        let mut power = vec![0.0f32; n_mels];
        for (frame, out) in patch
            .chunks_exact(n_mels)
            .zip(magnitude.chunks_exact_mut(bins))
        {
            // dB back to power; the decoder may overshoot, so cap it at a full-scale level.
            for (p, db) in power.iter_mut().zip(frame) {
                *p = 10f32.powf(db.min(120.0) / 10.0);
            }
            mel.filterbank.invert_into(&power, out);
            for m in out.iter_mut() {
                *m = m.sqrt();
            }
        }
        griffin_lim(
            &mel.stft,
            &magnitude,
            mel.stft.span(frames),
            DEFAULT_ITERATIONS,
        )
    }
}

/// Describes the audio the decoder made at each step (as [`Voice::render`] makes it, before any
/// loudness matching, so the level is the decoder's own), into each step's `descriptors`.
pub fn describe_steps(
    voice: &Voice,
    analysis: &DescriptorAnalysis,
    steps: &mut [PathStep],
) -> Result<(), AudibleError> {
    for step in steps {
        step.descriptors = Some(analysis.describe(&voice.render(&step.decoded)?));
    }
    Ok(())
}

/// The level between A's and B's inputs: interpolated in decibels as `t` goes from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathLevels {
    pub a: f32,
    pub b: f32,
}

impl PathLevels {
    pub fn at(&self, t: f32) -> f32 {
        interpolate_rms(self.a, self.b, t)
    }
}

/// Audio made on a worker from a vector: through the voice, brought to `target_rms` if given.
pub fn voiced(voice: Arc<Voice>, vector: Vec<f32>, target_rms: Option<f32>) -> ClipSource {
    ClipSource::Made(Box::new(move || render_voiced(&voice, &vector, target_rms)))
}

fn render_voiced(
    voice: &Voice,
    vector: &[f32],
    target_rms: Option<f32>,
) -> Result<Mono, ClipError> {
    let mut samples = voice
        .render(vector)
        .map_err(|e| ClipError::Make(e.to_string()))?;
    if let Some(target) = target_rms {
        match_rms(&mut samples, target);
    }
    Ok(Mono {
        samples,
        rate_hz: voice.sample_rate_hz(),
    })
}

/// Like [`voiced`], for a vector still to be made (a decoder's output): `make` runs on the
/// worker that prepares the clip, so a window asking for it never waits on a model.
pub fn voiced_when_made(
    voice: Arc<Voice>,
    make: impl FnOnce() -> Result<Vec<f32>, String> + Send + 'static,
    target_rms: Option<f32>,
) -> ClipSource {
    ClipSource::Made(Box::new(move || {
        let vector = make().map_err(ClipError::Make)?;
        render_voiced(&voice, &vector, target_rms)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::features::Featurizer;
    use crate::dataset::InputKind;

    #[test]
    fn a_waveform_vector_sounds_as_its_pooled_signal() {
        let cfg = FeatureConfig::default();
        let voice = Voice::new(&cfg).unwrap();
        let pooled: Vec<f32> = (0..500).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let audio = voice.render(&pooled).unwrap();
        assert_eq!(audio.len(), 20_000);
        // Pooling the audio again gives the vector back, near enough.
        let mut again = Vec::new();
        crate::dataset::features::pool_into(&audio, 40, &mut again);
        let err: f32 = again
            .iter()
            .zip(&pooled)
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / 500.0;
        assert!(err < 0.02, "{err}");
        assert!(voice.render(&pooled[..10]).is_err());
    }

    #[test]
    fn a_log_mel_patch_resynthesizes_to_the_same_patch() {
        let cfg = FeatureConfig::default().with_input(InputKind::Logmel);
        let featurizer = Featurizer::new(&cfg).unwrap();
        let signal: Vec<f32> = (0..20_000)
            .map(|i| {
                let t = i as f32 / 22_050.0;
                0.3 * (std::f32::consts::TAU * 220.0 * t).sin()
                    + 0.2 * (std::f32::consts::TAU * 1_500.0 * t).sin()
            })
            .collect();
        let mut patch = Vec::new();
        featurizer.segment_into(&signal, &mut patch);
        let audio = Voice::new(&cfg).unwrap().render(&patch).unwrap();
        let mut again = Vec::new();
        featurizer.segment_into(&pad(audio, 20_000), &mut again);
        // In dB, frame by frame, band by band: within a few dB where there is energy.
        let loud: Vec<(f32, f32)> = patch
            .iter()
            .zip(&again)
            .map(|(a, b)| (*a, *b))
            .filter(|(a, _)| *a > -20.0)
            .collect();
        let mean_err = loud.iter().map(|(a, b)| (a - b).abs()).sum::<f32>() / loud.len() as f32;
        assert!(
            mean_err < 3.0,
            "mean error {mean_err} dB over {} cells",
            loud.len()
        );
        // The level estimate is close to the signal's own RMS (within 2 dB).
        let voice = Voice::new(&cfg).unwrap();
        let ratio = voice.level(&patch) / crate::dsp::loudness::rms(&signal);
        assert!((0.8..1.25).contains(&ratio), "level ratio {ratio}");
    }

    fn pad(mut v: Vec<f32>, len: usize) -> Vec<f32> {
        v.resize(len, 0.0);
        v
    }
}
