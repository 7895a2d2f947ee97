//! Phase recovery for a magnitude spectrogram: the fast Griffin-Lim algorithm (Perraudin,
//! Balazs and Søndergaard 2013; librosa's `griffinlim` with `momentum=0.99`), which reaches in
//! a few dozen iterations what plain Griffin-Lim needs hundreds for. The initial phases come
//! from a fixed seed, so the same spectrogram always sounds the same.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use realfft::num_complex::Complex32;

use super::stft::Stft;

/// Iterations used when listening: enough for the spectral convergence to settle (see the
/// test), few enough for a slider step to sound at once.
pub const DEFAULT_ITERATIONS: usize = 32;
const MOMENTUM: f32 = 0.99;
const PHASE_SEED: u64 = 0x6772_6966_6669;

/// A signal of `len_samples` samples whose STFT magnitude is close to `magnitude`
/// (row-major `frames × bins`).
pub fn griffin_lim(
    stft: &Stft,
    magnitude: &[f32],
    len_samples: usize,
    iterations: usize,
) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(PHASE_SEED);
    let mut angles: Vec<Complex32> = magnitude
        .iter()
        .map(|_| Complex32::from_polar(1.0, rng.random::<f32>() * std::f32::consts::TAU))
        .collect();
    let mut previous = vec![Complex32::default(); magnitude.len()];
    let mut spectra = vec![Complex32::default(); magnitude.len()];
    let accelerate = MOMENTUM / (1.0 + MOMENTUM);
    for _ in 0..iterations {
        for ((s, a), m) in spectra.iter_mut().zip(&angles).zip(magnitude) {
            *s = a * *m;
        }
        let signal = stft.synthesize(&spectra, len_samples);
        let rebuilt = stft.analyze(&pad_to(signal, stft.span(magnitude.len() / stft.bins())));
        for ((a, r), p) in angles.iter_mut().zip(&rebuilt).zip(previous.iter_mut()) {
            let v = r - *p * accelerate;
            *a = v / (v.norm() + 1e-16);
            *p = *r;
        }
    }
    for ((s, a), m) in spectra.iter_mut().zip(&angles).zip(magnitude) {
        *s = a * *m;
    }
    stft.synthesize(&spectra, len_samples)
}

fn pad_to(mut signal: Vec<f32>, len: usize) -> Vec<f32> {
    if signal.len() < len {
        signal.resize(len, 0.0);
    }
    signal
}

/// How far a signal's STFT magnitude is from a target: ‖|X| − M‖ / ‖M‖ (0 is a perfect match).
pub fn spectral_convergence(stft: &Stft, signal: &[f32], magnitude: &[f32]) -> f64 {
    let rebuilt = stft.analyze(signal);
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (r, &m) in rebuilt.iter().zip(magnitude) {
        diff += f64::from(r.norm() - m).powi(2);
        norm += f64::from(m).powi(2);
    }
    (diff / norm.max(1e-30)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_iterations_match_the_magnitude_better() {
        let stft = Stft::new(512, 128);
        let rate = 22_050.0f32;
        let signal: Vec<f32> = (0..11_025)
            .map(|i| {
                let t = i as f32 / rate;
                0.4 * (std::f32::consts::TAU * 440.0 * t).sin()
                    + 0.2 * (std::f32::consts::TAU * 1_760.0 * t).sin()
            })
            .collect();
        let magnitude: Vec<f32> = stft.analyze(&signal).iter().map(|c| c.norm()).collect();
        let few = griffin_lim(&stft, &magnitude, signal.len(), 2);
        let many = griffin_lim(&stft, &magnitude, signal.len(), 40);
        let (sc_few, sc_many) = (
            spectral_convergence(&stft, &few, &magnitude),
            spectral_convergence(&stft, &many, &magnitude),
        );
        assert!(sc_many < sc_few, "{sc_many} vs {sc_few}");
        assert!(sc_many < 0.15, "{sc_many}");
    }
}
