//! The layers' activations over whole buffers, vectorised.
//!
//! `f32::exp` and `f32::tanh` are calls into the C library, one value at a time: a forward pass
//! over 8,000 clips takes 6.5 million of them, about 50 ms here, more than its matrix products.
//! The forms below are Cephes' single-precision polynomials (PyTorch's CPU kernels likewise use
//! vectorised polynomials, SLEEF's) written as branch-free arithmetic, so the compiler turns each loop into
//! SIMD code, which [`vectorized`] compiles for the best instruction set the CPU has. Accuracy:
//! within 3 units in the last place of the exact values over the layers' whole range
//! (tested below), and NaN stays NaN, so a diverging run is still caught.

use super::config::Activation;
pub(super) use crate::simd::vectorized;

/// e^x, clamped to [e^-87, e^88] (both normal floats): beyond them a layer's sigmoid or tanh is
/// already 0, 1 or ±1 in f32.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two, the first part exact in a few bits, so `n · LN2_HI` is exact.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2^23: adding and taking it away again rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2_E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = ((((1.987_569_2e-4 * r + 1.398_2e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let e = p * r * r + r + 1.0;
    // 2^n from its exponent bits; n is in [-126, 127] after the clamp.
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[inline(always)]
pub(super) fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + exp(-v))
}

/// Near 0 an odd polynomial (where `1 - 2 / (e^2v + 1)` would lose digits to cancellation),
/// elsewhere through e^2v.
#[inline(always)]
pub(super) fn tanh(v: f32) -> f32 {
    let z = v * v;
    let near_zero =
        ((((-5.704_988_7e-3 * z + 2.063_909e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z
            - 3.333_328e-1)
            * z
            * v
            + v;
    let far = 1.0 - 2.0 / (exp(2.0 * v) + 1.0);
    if v.abs() < 0.625 {
        near_zero
    } else {
        far
    }
}

/// The activation of every value, in place.
pub(super) fn activate_in_place(values: &mut [f32], activation: Activation) {
    // One loop per activation, each a straight line the compiler vectorises.
    vectorized(|| match activation {
        Activation::Sigmoid => values.iter_mut().for_each(|v| *v = sigmoid(*v)),
        Activation::Tanh => values.iter_mut().for_each(|v| *v = tanh(*v)),
        Activation::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
        Activation::Linear => {}
    })
}

/// The activation's derivative at an output value `y`, from `y` alone.
#[inline(always)]
pub(super) fn slope(activation: Activation, y: f32) -> f32 {
    match activation {
        Activation::Sigmoid => y * (1.0 - y),
        Activation::Tanh => 1.0 - y * y,
        Activation::Relu => {
            if y > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Linear => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite floats of the same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    /// Every 97th float from -30 to 30 and a fine grid around 0 and the tanh branch point.
    fn inputs() -> Vec<f32> {
        let mut v: Vec<f32> = (-300_000..=300_000).map(|i| i as f32 * 1e-4).collect();
        v.extend((-20_000..=20_000).map(|i| i as f32 * 1e-6));
        v.extend((-1000..=1000).map(|i| 0.625 + i as f32 * 1e-6));
        v.extend((-1000..=1000).map(|i| -0.625 + i as f32 * 1e-6));
        v
    }

    #[test]
    fn exp_is_within_two_ulps_where_it_is_not_clamped() {
        let mut worst = (0, 0.0f32);
        for i in -870_000..=880_000 {
            let x = i as f32 * 1e-4;
            let d = ulps(exp(x), f64::from(x).exp() as f32);
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 <= 2, "{} ulps at {}", worst.0, worst.1);
        assert!(exp(-1000.0) > 0.0 && exp(-1000.0) < 1e-37);
        assert!(exp(1000.0).is_finite() && exp(1000.0) > 1e38);
    }

    #[test]
    fn sigmoid_and_tanh_are_within_three_ulps() {
        let (mut worst_sigmoid, mut worst_tanh) = (0, 0);
        for x in inputs() {
            // Against the f64 functions, rounded: the C library's f32 ones are off by an ulp.
            let want = (1.0 / (1.0 + (-f64::from(x)).exp())) as f32;
            worst_sigmoid = worst_sigmoid.max(ulps(sigmoid(x), want));
            let (got, want) = (tanh(x), f64::from(x).tanh() as f32);
            // Past ±9, tanh is ±1 to within half an ulp and either side may round to it.
            let d = if want.abs() > 0.999_999_9 {
                u32::from((got - want).abs() > 1.2e-7)
            } else {
                ulps(got, want)
            };
            worst_tanh = worst_tanh.max(d);
            if x != 0.0 {
                assert_eq!(got.signum(), x.signum(), "tanh({x}) has the wrong sign");
            }
        }
        assert!(worst_sigmoid <= 3, "sigmoid: {worst_sigmoid} ulps");
        assert!(worst_tanh <= 3, "tanh: {worst_tanh} ulps");
        assert_eq!((tanh(100.0), tanh(-100.0)), (1.0, -1.0));
        assert_eq!((sigmoid(200.0), sigmoid(-200.0) < 1e-37), (1.0, true));
    }

    #[test]
    fn nan_stays_nan_and_infinities_saturate() {
        for a in [Activation::Sigmoid, Activation::Tanh] {
            let mut v = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
            activate_in_place(&mut v, a);
            assert!(v[0].is_nan(), "{a:?} of NaN");
            assert_eq!(v[1], 1.0, "{a:?} of +∞");
            assert!(v[2] == -1.0 || v[2].abs() < 1e-37, "{a:?} of -∞: {}", v[2]);
        }
    }

    #[test]
    fn the_buffer_pass_gives_what_one_value_at_a_time_gives() {
        let x = inputs();
        for a in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let mut v = x.clone();
            activate_in_place(&mut v, a);
            let one_by_one: Vec<f32> = x
                .iter()
                .map(|&x| match a {
                    Activation::Sigmoid => sigmoid(x),
                    Activation::Tanh => tanh(x),
                    _ => x.max(0.0),
                })
                .collect();
            let worst = v
                .iter()
                .zip(&one_by_one)
                .map(|(&a, &b)| ulps(a, b))
                .max()
                .unwrap_or(0);
            // Fused multiply-adds in the vectorised code may round a little differently.
            assert!(worst <= 2, "{a:?}: {worst} ulps between the two");
        }
    }
}
