//! What the benchmarks share: synthetic examples and the median of repeated timings.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The middle value (the upper one of an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Random inputs with the amplitude of pooled music, and labels.
pub fn synthetic(n: usize, dim: usize, classes: usize, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = (0..n * dim)
        .map(|_| (rng.random::<f32>() - 0.5) * 0.3)
        .collect();
    let y = (0..n).map(|i| (i % classes) as u32).collect();
    (x, y)
}
