//! The mel filterbank as librosa builds it by default (Slaney's mel scale, `norm="slaney"`
//! area normalisation), and its non-negative least-squares inverse for turning mel power back
//! into linear power when a patch is resynthesized (what librosa's `mel_to_stft` does with
//! scipy's NNLS). Each filter touches only a few bins, so both directions work on the filters'
//! non-zero spans.

use linfa_linalg::cholesky::InverseC;
use ndarray::Array2;

/// Slaney's scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1_000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

pub fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// Coordinate-descent sweeps of the non-negative inversion: its mel error is a fraction of a
/// decibel after these (see the tests).
const NNLS_SWEEPS: usize = 40;

/// `n_mels` triangular filters over the `n_fft / 2 + 1` bins of a real FFT, and the matrix that
/// starts the inversion.
#[derive(Debug, Clone)]
pub struct MelFilterbank {
    n_mels: usize,
    bins: usize,
    /// Row-major `n_mels × bins`.
    weights: Vec<f32>,
    /// Each filter's non-zero bins: (first bin, weights).
    spans: Vec<(usize, Vec<f32>)>,
    /// Each bin's filters: (band, weight).
    bin_bands: Vec<Vec<(usize, f32)>>,
    /// Row-major `bins × n_mels`: `Wᵀ (W Wᵀ + λI)⁻¹`, the ridge-regularised pseudo-inverse.
    inverse: Vec<f32>,
}

impl MelFilterbank {
    /// librosa.filters.mel(sr=sample_rate_hz, n_fft, n_mels, fmin, fmax) (htk=False,
    /// norm="slaney"), computed in f64 and stored as f32 as librosa stores it.
    pub fn new(
        sample_rate_hz: u32,
        n_fft: usize,
        n_mels: usize,
        fmin_hz: f64,
        fmax_hz: f64,
    ) -> Self {
        let bins = n_fft / 2 + 1;
        let rate = f64::from(sample_rate_hz);
        let fft_hz: Vec<f64> = (0..bins).map(|k| k as f64 * rate / n_fft as f64).collect();
        let (lo, hi) = (hz_to_mel(fmin_hz), hz_to_mel(fmax_hz));
        let edges: Vec<f64> = (0..n_mels + 2)
            .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
            .collect();
        let mut weights = vec![0.0f32; n_mels * bins];
        for m in 0..n_mels {
            let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2]);
            let enorm = 2.0 / (right - left);
            for (k, &f) in fft_hz.iter().enumerate() {
                let lower = (f - left) / (centre - left);
                let upper = (right - f) / (right - centre);
                weights[m * bins + k] = (lower.min(upper).max(0.0) * enorm) as f32;
            }
        }
        let inverse = pseudo_inverse(&weights, n_mels, bins);
        let spans = weights
            .chunks_exact(bins)
            .map(|row| {
                let first = row.iter().position(|&w| w > 0.0).unwrap_or(0);
                let last = row.iter().rposition(|&w| w > 0.0).map_or(first, |l| l + 1);
                (first, row[first..last].to_vec())
            })
            .collect();
        let mut bin_bands = vec![Vec::new(); bins];
        for (band, row) in weights.chunks_exact(bins).enumerate() {
            for (k, &w) in row.iter().enumerate() {
                if w > 0.0 {
                    bin_bands[k].push((band, w));
                }
            }
        }
        Self {
            n_mels,
            bins,
            weights,
            spans,
            bin_bands,
            inverse,
        }
    }

    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    pub fn bins(&self) -> usize {
        self.bins
    }

    /// The filter weights, row-major `n_mels × bins`.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Mel power of one frame's power spectrum, appended to `out`.
    pub fn apply_into(&self, power: &[f32], out: &mut Vec<f32>) {
        out.extend(self.spans.iter().map(|(first, w)| {
            w.iter()
                .zip(&power[*first..])
                .map(|(w, p)| w * p)
                .sum::<f32>()
        }));
    }

    /// Linear power (`bins` values, never negative) whose mel power is closest to `mel`, each
    /// band's error relative to its own level (so quiet bands next to loud ones stay quiet):
    /// weighted non-negative least squares by cyclic coordinate descent, started from the
    /// clipped pseudo-inverse. Each bin lies under at most a few filters, so a sweep over all
    /// bins costs a few thousand operations.
    pub fn invert_into(&self, mel: &[f32], out: &mut [f32]) {
        let peak = mel.iter().fold(0.0f32, |m, &v| m.max(v));
        if peak <= 0.0 {
            out.fill(0.0);
            return;
        }
        // Relative weights, bounded so a floored band does not swamp everything.
        let floor = f64::from(peak) * 1e-12;
        let weight: Vec<f64> = mel
            .iter()
            .map(|&m| 1.0 / (f64::from(m).max(floor)).powi(2))
            .collect();
        let mut s: Vec<f64> = self
            .inverse
            .chunks_exact(self.n_mels)
            .map(|row| {
                row.iter()
                    .zip(mel)
                    .map(|(w, m)| f64::from(*w) * f64::from(*m))
                    .sum::<f64>()
                    .max(0.0)
            })
            .collect();
        // residual = W s - mel
        let mut residual: Vec<f64> = self
            .spans
            .iter()
            .zip(mel)
            .map(|((first, w), &m)| {
                w.iter()
                    .zip(&s[*first..])
                    .map(|(w, x)| f64::from(*w) * x)
                    .sum::<f64>()
                    - f64::from(m)
            })
            .collect();
        for _ in 0..NNLS_SWEEPS {
            for (k, sk) in s.iter_mut().enumerate() {
                let (mut g, mut h) = (0.0f64, 0.0f64);
                for &(band, w) in &self.bin_bands[k] {
                    let w = f64::from(w);
                    g += w * residual[band] * weight[band];
                    h += w * w * weight[band];
                }
                if h <= 0.0 {
                    continue;
                }
                let new = (*sk - g / h).max(0.0);
                let delta = new - *sk;
                if delta != 0.0 {
                    for &(band, w) in &self.bin_bands[k] {
                        residual[band] += f64::from(w) * delta;
                    }
                    *sk = new;
                }
            }
        }
        for (o, v) in out.iter_mut().zip(&s) {
            *o = *v as f32;
        }
    }
}

/// `Wᵀ (W Wᵀ + λI)⁻¹` for a row-major `rows × cols` W. The small ridge keeps the solve stable
/// when two narrow low-frequency filters share their bins.
fn pseudo_inverse(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let w = Array2::from_shape_fn((rows, cols), |(r, c)| f64::from(w[r * cols + c]));
    let mut gram = w.dot(&w.t());
    let ridge = 1e-6 * gram.diag().iter().fold(0.0f64, |a, &b| a.max(b));
    for i in 0..rows {
        gram[[i, i]] += ridge.max(1e-12);
    }
    match gram.invc() {
        Ok(inv) => w.t().dot(&inv).iter().map(|&v| v as f32).collect(),
        // A filterbank is always positive definite after the ridge; if not, the transpose
        // still puts each mel band's energy on its own bins.
        Err(_) => w.t().iter().map(|&v| v as f32).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_linear_below_1khz_and_round_trips() {
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
        for hz in [0.0, 200.0, 999.0, 1000.0, 4000.0, 11_025.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }

    #[test]
    fn filters_cover_the_band_and_invert_smooth_spectra() {
        let fb = MelFilterbank::new(22_050, 1024, 64, 0.0, 11_025.0);
        assert_eq!((fb.n_mels(), fb.bins()), (64, 513));
        // Every filter has weight somewhere; none is negative.
        for row in fb.weights().chunks_exact(513) {
            assert!(row.iter().all(|&w| w >= 0.0));
            assert!(row.iter().any(|&w| w > 0.0));
        }
        // Mel power back to linear and to mel again: the same mel power, also for spectra
        // with sharp peaks (pure tones) where the plain pseudo-inverse goes negative.
        let smooth: Vec<f32> = (0..513)
            .map(|k| 1.0 + (k as f32 / 60.0).sin().abs())
            .collect();
        let mut peaks = vec![1e-4f32; 513];
        peaks[10] = 50.0;
        peaks[70] = 20.0;
        peaks[300] = 5.0;
        for power in [smooth, peaks] {
            let mut mel = Vec::new();
            fb.apply_into(&power, &mut mel);
            let mut back = vec![0.0; 513];
            fb.invert_into(&mel, &mut back);
            assert!(back.iter().all(|&p| p >= 0.0));
            let mut again = Vec::new();
            fb.apply_into(&back, &mut again);
            let max = mel.iter().fold(0.0f32, |m, &v| m.max(v));
            for (a, b) in mel.iter().zip(&again) {
                // Within 0.5 dB wherever the band holds more than -40 dB of the peak.
                if *a > max * 1e-4 {
                    let db = 10.0 * (b / a).log10();
                    assert!(db.abs() < 0.5, "{a} vs {b}: {db} dB");
                }
            }
        }
    }
}
