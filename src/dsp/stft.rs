//! Short-time Fourier analysis and overlap-add synthesis with a periodic Hann window, frames
//! taken whole from the signal (no centre padding: a segment's patch sees only its own samples).
//! FFTs are realfft's; a plan is built once and shared by every thread.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// A planned STFT of a fixed size and hop.
#[derive(Clone)]
pub struct Stft {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stft {{ n_fft: {}, hop: {} }}", self.n_fft, self.hop)
    }
}

/// The periodic Hann window (`scipy.signal.get_window("hann", n)`, librosa's default).
pub fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|k| {
            let phase = std::f64::consts::TAU * k as f64 / n as f64;
            (0.5 - 0.5 * phase.cos()) as f32
        })
        .collect()
}

impl Stft {
    pub fn new(n_fft: usize, hop: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        Self {
            n_fft,
            hop,
            window: hann(n_fft),
            forward: planner.plan_fft_forward(n_fft),
            inverse: planner.plan_fft_inverse(n_fft),
        }
    }

    pub fn n_fft(&self) -> usize {
        self.n_fft
    }

    pub fn hop(&self) -> usize {
        self.hop
    }

    /// Frequency bins per frame: `n_fft / 2 + 1`.
    pub fn bins(&self) -> usize {
        self.n_fft / 2 + 1
    }

    /// Whole frames in `len_samples` samples.
    pub fn frames(&self, len_samples: usize) -> usize {
        frames_in(len_samples, self.n_fft, self.hop)
    }

    /// Samples an overlap-add of `frames` frames spans.
    pub fn span(&self, frames: usize) -> usize {
        if frames == 0 {
            0
        } else {
            (frames - 1) * self.hop + self.n_fft
        }
    }

    /// The complex spectrum of every frame, row-major `frames × bins`.
    pub fn analyze(&self, signal: &[f32]) -> Vec<Complex32> {
        let frames = self.frames(signal.len());
        let bins = self.bins();
        let mut out = vec![Complex32::default(); frames * bins];
        let mut buffer = self.forward.make_input_vec();
        let mut scratch = self.forward.make_scratch_vec();
        for (f, spectrum) in out.chunks_exact_mut(bins).enumerate() {
            let frame = &signal[f * self.hop..f * self.hop + self.n_fft];
            for ((b, s), w) in buffer.iter_mut().zip(frame).zip(&self.window) {
                *b = s * w;
            }
            // Lengths come from the plan itself, so processing cannot fail.
            let _ = self
                .forward
                .process_with_scratch(&mut buffer, spectrum, &mut scratch);
        }
        out
    }

    /// The power spectrum `|X|²` of every frame, row-major `frames × bins`, into `out`.
    pub fn power_into(&self, signal: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend(self.analyze(signal).iter().map(|c| c.norm_sqr()));
    }

    /// Overlap-adds the inverse FFT of each frame, windowed again and divided by the summed
    /// squared window (the least-squares inverse of `analyze`), into `len_samples` samples.
    pub fn synthesize(&self, spectra: &[Complex32], len_samples: usize) -> Vec<f32> {
        let bins = self.bins();
        let frames = spectra.len() / bins;
        let mut out = vec![0.0f32; len_samples.max(self.span(frames))];
        let mut norm = vec![0.0f32; out.len()];
        let mut spectrum = self.inverse.make_input_vec();
        let mut frame = self.inverse.make_output_vec();
        let mut scratch = self.inverse.make_scratch_vec();
        let scale = 1.0 / self.n_fft as f32;
        for (f, input) in spectra.chunks_exact(bins).enumerate() {
            spectrum.copy_from_slice(input);
            // A real signal's DC and Nyquist bins are real; realfft insists on it.
            spectrum[0].im = 0.0;
            spectrum[bins - 1].im = 0.0;
            let _ = self
                .inverse
                .process_with_scratch(&mut spectrum, &mut frame, &mut scratch);
            let start = f * self.hop;
            for (k, (&v, &w)) in frame.iter().zip(&self.window).enumerate() {
                out[start + k] += v * scale * w;
                norm[start + k] += w * w;
            }
        }
        // Where few frames overlap (the first and last samples) the summed window is tiny:
        // dividing by it would amplify any inconsistency between overlapping frames (as phase
        // recovery leaves) a thousandfold. Below a tenth of its peak it fades out instead.
        let floor = 0.1 * norm.iter().fold(0.0f32, |m, &v| m.max(v));
        for (o, n) in out.iter_mut().zip(&norm) {
            *o /= n.max(floor).max(1e-12);
        }
        out.truncate(len_samples);
        out
    }
}

/// Whole frames of `n_fft` samples every `hop` samples in `len_samples` samples.
pub fn frames_in(len_samples: usize, n_fft: usize, hop: usize) -> usize {
    if len_samples < n_fft || hop == 0 {
        0
    } else {
        1 + (len_samples - n_fft) / hop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_then_synthesis_gives_the_signal_back() {
        let stft = Stft::new(256, 64);
        let signal: Vec<f32> = (0..4000)
            .map(|i| (i as f32 * 0.05).sin() * 0.5 + (i as f32 * 0.31).cos() * 0.2)
            .collect();
        let spectra = stft.analyze(&signal);
        let back = stft.synthesize(&spectra, signal.len());
        // Away from the ends (where fewer frames overlap) the reconstruction is exact.
        for i in 256..3700 {
            assert!((back[i] - signal[i]).abs() < 1e-4, "sample {i}");
        }
    }

    #[test]
    fn a_sine_peaks_in_its_bin() {
        let stft = Stft::new(1024, 512);
        let rate = 22_050.0;
        let freq = 21.533_203 * 40.0; // exactly bin 40
        let signal: Vec<f32> = (0..8192)
            .map(|i| (std::f32::consts::TAU * freq * i as f32 / rate).sin())
            .collect();
        let mut power = Vec::new();
        stft.power_into(&signal, &mut power);
        let first = &power[..stft.bins()];
        let peak = (0..first.len())
            .max_by(|&a, &b| first[a].total_cmp(&first[b]))
            .unwrap();
        assert_eq!(peak, 40);
    }
}
