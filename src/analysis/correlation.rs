//! Spearman's rank correlation: how monotonically one quantity follows another (a descriptor
//! and a direction of a space), robust to scale. Ties get their average rank, as scipy's
//! `spearmanr` does; pairs where either value is missing are left out.

/// The average (1-based) rank of each value; equal values share the mean of their ranks.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start..end (0-based) share their mean, 1-based.
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    out
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's ρ of the pairs where both values are there; `None` with fewer than three such
/// pairs or when either side is constant (a correlation would mean nothing).
pub fn spearman(x: &[Option<f64>], y: &[f64]) -> Option<f64> {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, *b)))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .unzip();
    if xs.len() < 3 {
        return None;
    }
    pearson(&ranks(&xs), &ranks(&ys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties_and_rho_follows_order_not_scale() {
        assert_eq!(ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
        let x: Vec<Option<f64>> = (0..10).map(|i| Some(i as f64)).collect();
        let cubed: Vec<f64> = (0..10).map(|i| (i as f64).powi(3)).collect();
        assert!((spearman(&x, &cubed).unwrap() - 1.0).abs() < 1e-12);
        let down: Vec<f64> = (0..10).map(|i| -(i as f64)).collect();
        assert!((spearman(&x, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x, &[1.0; 10]), None, "a constant side");
        let missing = [None, None, Some(1.0)];
        assert_eq!(spearman(&missing, &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn ties_match_scipy() {
        // scipy.stats.spearmanr([1, 2, 2, 3, 4], [2, 1, 3, 3, 5]).statistic = 0.7631578947368421
        let x = [1.0, 2.0, 2.0, 3.0, 4.0].map(Some);
        let rho = spearman(&x, &[2.0, 1.0, 3.0, 3.0, 5.0]).unwrap();
        assert!((rho - 0.763_157_894_736_842_1).abs() < 1e-12, "{rho}");
    }
}
