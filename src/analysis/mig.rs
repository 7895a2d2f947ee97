//! The mutual information gap (Chen, Li, Grosse and Duvenaud 2018, "Isolating Sources of
//! Disentanglement in VAEs"): for a factor (genre, or a descriptor), the mutual information of
//! each code dimension with it, and the gap between the most and the second most informative
//! dimension, as a share of the factor's entropy. 1: one dimension alone carries the factor; 0:
//! at least two carry it equally, or none does.
//!
//! Estimator (as disentanglement_lib's `mig`, which Chen et al.'s metric is usually computed
//! with): each code dimension is discretised into 20 equal-width bins over its range (a
//! histogram), a continuous factor into 20 equal-count bins (its quantiles), genre is its own
//! labels; mutual information and entropy are those of the empirical joint distribution, in
//! nats.

/// Bins of a code dimension's histogram, and of a descriptor's quantiles.
pub const BINS: usize = 20;

/// A factor's gap, and which dimension carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gap {
    /// (I(z_best; v) - I(z_second; v)) / H(v).
    pub mig: f64,
    /// The dimension with the most mutual information.
    pub dimension: usize,
    /// That mutual information, and the factor's entropy, in nats.
    pub information: f64,
    pub entropy: f64,
}

/// Each value's equal-width bin over the values' range (a constant column is all bin 0).
pub fn histogram_bins(values: &[f64], bins: usize) -> Vec<usize> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = (hi - lo) / bins as f64;
    values
        .iter()
        .map(|&v| {
            if width > 0.0 {
                (((v - lo) / width) as usize).min(bins - 1)
            } else {
                0
            }
        })
        .collect()
}

/// Each value's equal-count bin (by rank: ties share a bin), `None` where the value is missing.
pub fn quantile_bins(values: &[Option<f64>], bins: usize) -> Vec<Option<usize>> {
    let mut present: Vec<(f64, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some(((*v)?, i)))
        .collect();
    present.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = present.len();
    let mut out = vec![None; values.len()];
    let mut k = 0;
    while k < n {
        let mut end = k + 1;
        while end < n && present[end].0 == present[k].0 {
            end += 1;
        }
        let bin = (k * bins / n.max(1)).min(bins - 1);
        for &(_, i) in &present[k..end] {
            out[i] = Some(bin);
        }
        k = end;
    }
    out
}

fn entropy(labels: &[usize], states: usize) -> f64 {
    let mut counts = vec![0usize; states];
    for &l in labels {
        counts[l] += 1;
    }
    let n = labels.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

fn mutual_information(a: &[usize], a_states: usize, b: &[usize], b_states: usize) -> f64 {
    let n = a.len() as f64;
    let mut joint = vec![0usize; a_states * b_states];
    let (mut pa, mut pb) = (vec![0usize; a_states], vec![0usize; b_states]);
    for (&x, &y) in a.iter().zip(b) {
        joint[x * b_states + y] += 1;
        pa[x] += 1;
        pb[y] += 1;
    }
    let mut mi = 0.0;
    for x in 0..a_states {
        for y in 0..b_states {
            let c = joint[x * b_states + y];
            if c > 0 {
                let pxy = c as f64 / n;
                mi += pxy * (pxy * n * n / (pa[x] as f64 * pb[y] as f64)).ln();
            }
        }
    }
    mi.max(0.0)
}

/// The gap of a factor with `factor[i]` (values 0..states, `None` where unknown) over the code
/// dimensions `codes` (rows of `dim`); `None` when the factor is constant or unknown everywhere.
pub fn mutual_information_gap(
    codes: &[f32],
    dim: usize,
    factor: &[Option<usize>],
    states: usize,
) -> Option<Gap> {
    let rows: Vec<usize> = (0..factor.len()).filter(|&i| factor[i].is_some()).collect();
    let v: Vec<usize> = rows.iter().filter_map(|&i| factor[i]).collect();
    let h = entropy(&v, states);
    if v.len() < 2 || h <= 0.0 || dim == 0 {
        return None;
    }
    let mut info: Vec<(f64, usize)> = (0..dim)
        .map(|j| {
            let column: Vec<f64> = rows
                .iter()
                .map(|&i| f64::from(codes[i * dim + j]))
                .collect();
            let z = histogram_bins(&column, BINS);
            (mutual_information(&z, BINS, &v, states), j)
        })
        .collect();
    info.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let second = info.get(1).map_or(0.0, |s| s.0);
    Some(Gap {
        mig: ((info[0].0 - second) / h).clamp(0.0, 1.0),
        dimension: info[0].1,
        information: info[0].0,
        entropy: h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dimension_carrying_a_factor_alone_has_a_gap_of_one() {
        // Two states; dimension 1 is the factor, dimension 0 is noise unrelated to it.
        let n = 400;
        let factor: Vec<Option<usize>> = (0..n).map(|i| Some(i % 2)).collect();
        let codes: Vec<f32> = (0..n)
            .flat_map(|i| [((i / 2) % 20) as f32, (i % 2) as f32 * 5.0])
            .collect();
        let gap = mutual_information_gap(&codes, 2, &factor, 2).unwrap();
        assert_eq!(gap.dimension, 1);
        assert!((gap.mig - 1.0).abs() < 1e-9, "{gap:?}");
        assert!((gap.entropy - 2f64.ln()).abs() < 1e-12);
        // Both dimensions carrying it: no gap.
        let twice: Vec<f32> = (0..n)
            .flat_map(|i| [(i % 2) as f32, (i % 2) as f32 * 5.0])
            .collect();
        assert!(mutual_information_gap(&twice, 2, &factor, 2).unwrap().mig < 1e-9);
        // A constant factor has no gap to speak of.
        assert!(mutual_information_gap(&codes, 2, &vec![Some(0); n], 2).is_none());
    }

    #[test]
    fn the_gap_matches_disentanglement_libs_estimator() {
        // codes = [sin(0.37 i)·3 + i mod 3, cos(0.11 i) + 0.2 (i mod 3), 7i mod 13], factor
        // i mod 3, n = 300; with numpy's histogram bins and scikit-learn's mutual_info_score:
        // MI [0.39965, 0.38360, 0.00177] nats, H = ln 3, MIG 0.014612269023067911.
        let n = 300;
        let codes: Vec<f32> = (0..n)
            .flat_map(|i| {
                let f = i as f64;
                [
                    ((f * 0.37).sin() * 3.0 + (i % 3) as f64) as f32,
                    ((f * 0.11).cos() + (i % 3) as f64 * 0.2) as f32,
                    ((i * 7) % 13) as f32,
                ]
            })
            .collect();
        let factor: Vec<Option<usize>> = (0..n).map(|i| Some(i % 3)).collect();
        let gap = mutual_information_gap(&codes, 3, &factor, 3).unwrap();
        assert_eq!(gap.dimension, 0);
        assert!(
            (gap.information - 0.399_653_616_639_331_8).abs() < 1e-6,
            "{gap:?}"
        );
        assert!(
            (gap.mig - 0.014_612_269_023_067_911).abs() < 1e-5,
            "{gap:?}"
        );
    }

    #[test]
    fn quantiles_deal_equal_counts_and_keep_ties_together() {
        let v: Vec<Option<f64>> = (0..40).map(|i| Some(i as f64)).collect();
        let bins = quantile_bins(&v, 20);
        assert_eq!(bins[0], Some(0));
        assert_eq!(bins[1], Some(0));
        assert_eq!(bins[39], Some(19));
        let tied = quantile_bins(&[Some(1.0), Some(1.0), None, Some(2.0)], 2);
        assert_eq!(tied, vec![Some(0), Some(0), None, Some(1)]);
    }
}
