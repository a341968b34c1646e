//! Statistics of per-run figures: mean, Monte Carlo standard error and percentiles.
//!
//! Sums run in run order, so results are identical whatever the thread count.
//! Percentiles use linear interpolation between order statistics (Hyndman and Fan's
//! type 7, the default of R, NumPy and spreadsheets). NaN values (a figure that does not
//! exist in a run, such as the break-even year of a run that never breaks even) are left
//! out of mean and MCSE; see [`Summary::of_with_never`] for percentiles that count them.

pub mod accumulator;
pub mod moments;
mod packed;
pub mod quantiles;
pub mod reserve;

/// Percentiles reported for every figure.
pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Mean, Monte Carlo standard error and percentiles of one figure over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean over the runs where the figure exists.
    pub mean: f64,
    /// Standard error of that mean: sample sd / sqrt(n).
    pub mcse: f64,
    /// Percentiles 5, 25, 50, 75, 95 (NaN where undefined).
    pub p: [f64; 5],
    /// Runs where the figure exists.
    pub n: usize,
}

impl Summary {
    /// Summary of the finite values in `xs` (NaN left out).
    pub fn of(xs: &[f64]) -> Self {
        let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
        let (mean, mcse) = mean_mcse(&v);
        v.sort_by(f64::total_cmp);
        let p = PERCENTILES.map(|q| quantile_sorted(&v, q));
        Summary { mean, mcse, p, n: v.len() }
    }

    /// Like [`Summary::of`], but percentiles treat NaN as "never" (later than any value):
    /// a percentile that falls among those runs is NaN. Mean and MCSE are over the
    /// finite values.
    #[cfg(test)]
    pub(crate) fn of_with_never(xs: &[f64]) -> Self {
        let finite: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
        let (mean, mcse) = mean_mcse(&finite);
        let mut v: Vec<f64> = xs.iter().map(|&x| if x.is_nan() { f64::INFINITY } else { x }).collect();
        v.sort_by(f64::total_cmp);
        let p = PERCENTILES.map(|q| {
            let x = quantile_sorted(&v, q);
            if x.is_finite() { x } else { f64::NAN }
        });
        Summary { mean, mcse, p, n: finite.len() }
    }
}

/// Mean and standard error of the mean, summing in order.
pub fn mean_mcse(v: &[f64]) -> (f64, f64) {
    let n = v.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, f64::NAN);
    }
    let ss: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, (ss / (n - 1) as f64 / n as f64).sqrt())
}

/// Type-7 quantile of sorted data: `x[h]` interpolated, `h = (n - 1) q`.
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    match v.len() {
        0 => f64::NAN,
        1 => v[0],
        n => {
            let hq = (n - 1) as f64 * q;
            let lo = hq.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let frac = hq - lo as f64;
            if frac == 0.0 || v[lo] == v[hi] { v[lo] } else { v[lo] + frac * (v[hi] - v[lo]) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, f64::NAN]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, 2.5);
        // sd = sqrt(5/3), mcse = sd / 2.
        assert!((s.mcse - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        // Type 7: h = 3 q; p25 = 1.75, p50 = 2.5, p5 = 1.15.
        assert!((s.p[0] - 1.15).abs() < 1e-12);
        assert_eq!(s.p[1], 1.75);
        assert_eq!(s.p[2], 2.5);
        let never = Summary::of_with_never(&[2030.0, f64::NAN, 2031.0, f64::NAN]);
        assert_eq!(never.mean, 2030.5);
        assert_eq!(never.p[0], 2030.15);
        assert!(never.p[2].is_nan() && never.p[4].is_nan());
    }
}
