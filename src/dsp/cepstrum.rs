//! Mel-frequency cepstral coefficients from a log-mel patch: per frame the orthonormal DCT-II
//! of its dB values (librosa's `mfcc(S=power_to_db(mel))` with `dct_type=2, norm="ortho"`),
//! the first [`N_MFCC`] coefficients, and their deltas over time by the regression formula
//! over ±[`DELTA_REACH`] frames (the HTK deltas; the first and last frames are repeated at the
//! edges, where librosa's `delta` fits a polynomial instead). And the way back for listening: the
//! inverse DCT of the kept coefficients (the others taken as zero) gives a smoothed log-mel
//! frame. A 20 × 64 matrix is all the DCT needs here.

/// Cepstral coefficients kept per frame.
pub const N_MFCC: usize = 20;
/// Values per frame in an MFCC vector: the coefficients, then their deltas.
pub const MFCC_FRAME: usize = 2 * N_MFCC;
/// Frames on each side a delta regresses over (librosa's default width of 9).
pub const DELTA_REACH: usize = 4;

/// The orthonormal DCT-II rows: `basis[k][m]` for coefficient k and mel band m.
#[derive(Debug, Clone)]
pub struct Cepstrum {
    n_mels: usize,
    basis: Vec<Vec<f32>>,
}

impl Cepstrum {
    pub fn new(n_mels: usize) -> Self {
        let n = n_mels as f64;
        let basis = (0..N_MFCC)
            .map(|k| {
                let scale = if k == 0 {
                    (1.0 / n).sqrt()
                } else {
                    (2.0 / n).sqrt()
                };
                (0..n_mels)
                    .map(|m| {
                        let phase =
                            std::f64::consts::PI * k as f64 * (2.0 * m as f64 + 1.0) / (2.0 * n);
                        (scale * phase.cos()) as f32
                    })
                    .collect()
            })
            .collect();
        Self { n_mels, basis }
    }

    /// The MFCC vector of a log-mel patch (frames of `n_mels` dB values), appended to `out`:
    /// each frame's [`N_MFCC`] coefficients then their deltas.
    pub fn mfcc_into(&self, patch: &[f32], out: &mut Vec<f32>) {
        let coefficients: Vec<Vec<f32>> = patch
            .chunks_exact(self.n_mels)
            .map(|frame| {
                self.basis
                    .iter()
                    .map(|row| row.iter().zip(frame).map(|(b, v)| b * v).sum())
                    .collect()
            })
            .collect();
        let frames = coefficients.len();
        let norm: f32 = (1..=DELTA_REACH).map(|n| 2.0 * (n * n) as f32).sum();
        let at = |t: isize| &coefficients[t.clamp(0, frames as isize - 1) as usize];
        for t in 0..frames as isize {
            out.extend_from_slice(&coefficients[t as usize]);
            for k in 0..N_MFCC {
                let slope: f32 = (1..=DELTA_REACH as isize)
                    .map(|n| n as f32 * (at(t + n)[k] - at(t - n)[k]))
                    .sum();
                out.push(slope / norm);
            }
        }
    }

    /// The log-mel patch (dB) an MFCC vector stands for: each frame's coefficients back through
    /// the inverse DCT, the dropped ones as zero; the deltas are not needed.
    pub fn log_mel_of(&self, mfcc: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(mfcc.len() / MFCC_FRAME * self.n_mels);
        for frame in mfcc.chunks_exact(MFCC_FRAME) {
            for m in 0..self.n_mels {
                out.push((0..N_MFCC).map(|k| self.basis[k][m] * frame[k]).sum());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dct_is_orthonormal_and_keeps_a_smooth_frame() {
        let c = Cepstrum::new(64);
        for (j, row) in c.basis.iter().enumerate() {
            for (k, other) in c.basis.iter().enumerate() {
                let dot: f32 = row.iter().zip(other).map(|(a, b)| a * b).sum();
                assert!((dot - f32::from(u8::from(j == k))).abs() < 1e-5);
            }
        }
        // A frame made of the first coefficients only comes back exactly.
        let frame: Vec<f32> = (0..64)
            .map(|m| -30.0 + 10.0 * (std::f32::consts::PI * (2 * m + 1) as f32 / 128.0).cos())
            .collect();
        let mut v = Vec::new();
        c.mfcc_into(&frame, &mut v);
        assert_eq!(v.len(), MFCC_FRAME);
        assert!(
            v[N_MFCC..].iter().all(|d| d.abs() < 1e-6),
            "one frame: no change"
        );
        let back = c.log_mel_of(&v);
        for (a, b) in back.iter().zip(&frame) {
            assert!((a - b).abs() < 1e-3);
        }
    }

    #[test]
    fn deltas_follow_a_rising_coefficient() {
        let c = Cepstrum::new(8);
        // Ten frames whose level rises by 1 dB a frame: c0 rises by sqrt(8) a frame.
        let patch: Vec<f32> = (0..10).flat_map(|t| vec![t as f32; 8]).collect();
        let mut v = Vec::new();
        c.mfcc_into(&patch, &mut v);
        let delta_c0 = v[5 * MFCC_FRAME + N_MFCC];
        assert!((delta_c0 - 8f32.sqrt()).abs() < 1e-4, "{delta_c0}");
    }
}
