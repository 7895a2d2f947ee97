//! Loudness matching for what the decoder produces: decoded audio is much quieter than the music
//! it stands for (the decoder regresses toward the mean), so A/B listening would compare levels,
//! not content. A clip is brought to a target RMS, with the gain bounded and peaks kept below
//! full scale.

/// No more gain than this: near-silence stays near-silent instead of becoming amplified noise.
pub const MAX_GAIN_DB: f32 = 30.0;
/// Peaks are kept at or below this after the gain.
const PEAK_LIMIT: f32 = 0.99;

/// Root mean square of the samples (0 for none).
pub fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt() as f32
}

/// Scales `samples` toward `target_rms` and returns the gain applied, in dB. The gain is at most
/// [`MAX_GAIN_DB`] and small enough that no sample exceeds the peak limit.
pub fn match_rms(samples: &mut [f32], target_rms: f32) -> f32 {
    let current = rms(samples);
    if current <= 1e-9 || !target_rms.is_finite() || target_rms <= 0.0 {
        return 0.0;
    }
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let max_gain = 10f32.powf(MAX_GAIN_DB / 20.0);
    let gain = (target_rms / current)
        .min(max_gain)
        .min(PEAK_LIMIT / peak.max(1e-9));
    for s in samples.iter_mut() {
        *s *= gain;
    }
    20.0 * gain.log10()
}

/// The level between two RMS values at `t` in [0, 1], interpolated in decibels.
pub fn interpolate_rms(a: f32, b: f32, t: f32) -> f32 {
    if a <= 0.0 || b <= 0.0 {
        return a + (b - a) * t;
    }
    (a.ln() + (b.ln() - a.ln()) * t).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_reaches_the_target_within_bounds() {
        let mut quiet: Vec<f32> = (0..1000).map(|i| 0.01 * (i as f32 * 0.1).sin()).collect();
        let gain = match_rms(&mut quiet, 0.05);
        assert!((rms(&quiet) - 0.05).abs() < 1e-4);
        assert!((gain - 20.0 * (0.05f32 / 0.00707).log10()).abs() < 0.1);
        // A peak limit wins over the target.
        let mut spiky = vec![0.0f32; 1000];
        spiky[10] = 0.5;
        match_rms(&mut spiky, 0.5);
        assert!(spiky.iter().all(|s| s.abs() <= 0.99 + 1e-6));
        // Silence stays silence.
        let mut silent = vec![0.0f32; 10];
        assert_eq!(match_rms(&mut silent, 0.1), 0.0);
    }

    #[test]
    fn levels_interpolate_in_decibels() {
        assert!((interpolate_rms(0.01, 0.1, 0.5) - 0.031_622_78).abs() < 1e-6);
        assert_eq!(interpolate_rms(0.01, 0.1, 0.0), 0.01);
    }
}
