//! The mel filterbank as librosa builds it by default (Slaney's mel scale, `norm="slaney"`
//! area normalisation), and its least-squares inverse for turning mel power back into linear
//! power when a patch is resynthesized.

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

/// `n_mels` triangular filters over the `n_fft / 2 + 1` bins of a real FFT, and the matrix that
/// maps mel power back to linear power.
#[derive(Debug, Clone)]
pub struct MelFilterbank {
    n_mels: usize,
    bins: usize,
    /// Row-major `n_mels × bins`.
    weights: Vec<f32>,
    /// Row-major `bins × n_mels`: `Wᵀ (W Wᵀ + λI)⁻¹`, the ridge-regularised pseudo-inverse.
    inverse: Vec<f32>,
}

impl MelFilterbank {
    /// librosa.filters.mel(sr=sample_rate_hz, n_fft, n_mels, fmin, fmax) (htk=False,
    /// norm="slaney"), computed in f64 and stored as f32 as librosa stores it.
    pub fn new(sample_rate_hz: u32, n_fft: usize, n_mels: usize, fmin_hz: f64, fmax_hz: f64) -> Self {
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
        Self {
            n_mels,
            bins,
            weights,
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
        out.extend(
            self.weights
                .chunks_exact(self.bins)
                .map(|row| row.iter().zip(power).map(|(w, p)| w * p).sum::<f32>()),
        );
    }

    /// Linear power (`bins` values, never negative) whose mel power is closest to `mel`.
    pub fn invert_into(&self, mel: &[f32], out: &mut [f32]) {
        for (o, row) in out.iter_mut().zip(self.inverse.chunks_exact(self.n_mels)) {
            *o = row.iter().zip(mel).map(|(w, m)| w * m).sum::<f32>().max(0.0);
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
        // A spectrum that varies slowly comes back close to itself through mel and back.
        let power: Vec<f32> = (0..513).map(|k| 1.0 + (k as f32 / 60.0).sin().abs()).collect();
        let mut mel = Vec::new();
        fb.apply_into(&power, &mut mel);
        let mut back = vec![0.0; 513];
        fb.invert_into(&mel, &mut back);
        let mut again = Vec::new();
        fb.apply_into(&back, &mut again);
        for (a, b) in mel.iter().zip(&again) {
            assert!((a - b).abs() / a < 0.05, "{a} vs {b}");
        }
    }
}
