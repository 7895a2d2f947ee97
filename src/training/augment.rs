//! What a training batch looks like to the network when the recipe asks for augmentation:
//! Gaussian noise on the input and SpecAugment's time and band masks (Park et al. 2019) on
//! inputs made of frames of bands. The reconstruction target stays the clean input, so the
//! decoder learns to undo what was done (a denoising autoencoder).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::model::Regularization;

/// The corruption of one batch, from the recipe and the input's layout.
#[derive(Debug, Clone, Copy)]
pub struct Augment {
    /// Std of the noise, in the model's units.
    noise_std: f32,
    /// Values per frame when the input is frames of bands (log-mel, MFCC), else none.
    bands: Option<usize>,
    time_mask_frames: usize,
    band_mask_bands: usize,
}

impl Augment {
    /// `None` when the recipe leaves the inputs as they are (masks need bands to act on).
    pub fn new(recipe: &Regularization, bands: Option<usize>) -> Option<Self> {
        let masks = bands.is_some() && (recipe.time_mask_frames > 0 || recipe.band_mask_bands > 0);
        (recipe.input_noise > 0.0 || masks).then_some(Self {
            noise_std: recipe.input_noise as f32,
            bands,
            time_mask_frames: recipe.time_mask_frames,
            band_mask_bands: recipe.band_mask_bands,
        })
    }

    /// Corrupts every row of `x` (rows of `dim` values, in the model's units, where 0 is each
    /// band's mean: a masked cell carries no information).
    pub fn apply(&self, x: &mut [f32], dim: usize, rng: &mut ChaCha8Rng) {
        if dim == 0 {
            return;
        }
        for row in x.chunks_exact_mut(dim) {
            if let Some(bands) = self.bands.filter(|&b| b > 0 && dim.is_multiple_of(b)) {
                let frames = dim / bands;
                if let Some((start, width)) = span(rng, self.time_mask_frames, frames) {
                    row[start * bands..(start + width) * bands].fill(0.0);
                }
                if let Some((start, width)) = span(rng, self.band_mask_bands, bands) {
                    for frame in row.chunks_exact_mut(bands) {
                        frame[start..start + width].fill(0.0);
                    }
                }
            }
            if self.noise_std > 0.0 {
                // A positive, finite std was checked by `Regularization::validate`.
                if let Ok(noise) = Normal::new(0.0f32, self.noise_std) {
                    for v in row.iter_mut() {
                        *v += noise.sample(rng);
                    }
                }
            }
        }
    }
}

/// A run of 0 to `max_width` cells (at most `len`) at a random place: SpecAugment draws the
/// width uniformly, then the start. `None` when the run is empty.
fn span(rng: &mut ChaCha8Rng, max_width: usize, len: usize) -> Option<(usize, usize)> {
    let width = rng.random_range(0..=max_width.min(len));
    (width > 0).then(|| (rng.random_range(0..=len - width), width))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn recipe(noise: f64, frames: usize, bands: usize) -> Regularization {
        Regularization {
            input_noise: noise,
            time_mask_frames: frames,
            band_mask_bands: bands,
            ..Regularization::default()
        }
    }

    #[test]
    fn nothing_asked_leaves_the_inputs_alone() {
        assert!(Augment::new(&Regularization::default(), Some(4)).is_none());
        // Masks need frames of bands: a waveform has none.
        assert!(Augment::new(&recipe(0.0, 3, 3), None).is_none());
    }

    #[test]
    fn masks_blank_whole_frames_and_whole_bands_of_each_row() {
        let (frames, bands) = (10, 8);
        let dim = frames * bands;
        let aug = Augment::new(&recipe(0.0, 4, 3), Some(bands)).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut blanked_frames = 0;
        let mut blanked_bands = 0;
        for _ in 0..200 {
            let mut x = vec![1.0f32; dim];
            aug.apply(&mut x, dim, &mut rng);
            let frame_zero = |f: usize| x[f * bands..(f + 1) * bands].iter().all(|&v| v == 0.0);
            let band_zero = |b: usize| (0..frames).all(|f| x[f * bands + b] == 0.0);
            let zf = (0..frames).filter(|&f| frame_zero(f)).count();
            let zb = (0..bands).filter(|&b| band_zero(b)).count();
            assert!(zf <= 4 && zb <= 3, "{zf} frames, {zb} bands blanked");
            // Every zero lies in a blanked frame or a blanked band.
            for f in 0..frames {
                for b in 0..bands {
                    if x[f * bands + b] == 0.0 {
                        assert!(frame_zero(f) || band_zero(b));
                    }
                }
            }
            blanked_frames += zf;
            blanked_bands += zb;
        }
        // Widths are drawn uniformly from 0..=max: about 2 frames and 1.5 bands on average.
        assert!((300..500).contains(&blanked_frames), "{blanked_frames}");
        assert!((200..400).contains(&blanked_bands), "{blanked_bands}");
    }

    #[test]
    fn noise_has_the_asked_spread() {
        let aug = Augment::new(&recipe(0.5, 0, 0), None).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut x = vec![2.0f32; 20_000];
        aug.apply(&mut x, 100, &mut rng);
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let sd = (x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        assert!(
            (mean - 2.0).abs() < 0.02 && (sd - 0.5).abs() < 0.02,
            "{mean} {sd}"
        );
    }
}
