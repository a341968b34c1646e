//! Convergence: running the batch until the Monte Carlo standard error of every strategy's
//! NPV saving is below a target (`run --precision`), and the running mean and band of a
//! figure against the number of runs (the `convergence` chart).
//!
//! Run `k`'s numbers depend only on the seed and `k`, so a batch grown block by block is
//! the same, bit for bit, as a batch of the final size run at once.

use crate::metrics::Horizon;
use crate::results::Collector;

/// How `run --precision` grows a batch.
#[derive(Debug, Clone, Copy)]
pub struct Precision {
    /// Target Monte Carlo standard error of every strategy's `npv_saving_vs_baseline`, euros.
    pub mcse_eur: f64,
    /// Never more runs than this.
    pub max_runs: usize,
}

/// The largest MCSE of `npv_saving_vs_baseline` over the strategies in the statistics
/// collected so far (infinite when a strategy has fewer than two runs).
pub fn worst_mcse(c: &Collector) -> f64 {
    (0..c.columns.strategies)
        .map(|k| c.stats.mcse(c.columns.horizon(k, Horizon::NpvSavingVsBaseline)))
        .map(|se| if se.is_nan() { f64::INFINITY } else { se })
        .fold(0.0, f64::max)
}

/// `run --precision`: whether to simulate another block of runs after those collected: yes
/// while fewer than `first` runs are done or the worst MCSE is not below the target. The
/// batch itself stops at `precision.max_runs`. Blocks are whole blocks of run indices, so
/// the result is a fixed batch of the final size, bit for bit.
pub fn needs_more(c: &Collector, first: usize, precision: &Precision) -> bool {
    c.stats.runs() < first as u64 || worst_mcse(c) >= precision.mcse_eur
}

/// The running mean of `xs` (runs in run order) and its 95% band (mean ± 1.96 MCSE) after
/// each of about `points` run counts, where the runs come in independent replicates of
/// `replicate` runs (1: every run is one; `run --sampling lhs|sobol`: 64): the band is then
/// measured from the replicate means, at whole replicates only (a last, incomplete
/// replicate is left out). `(runs, mean, low, high)`.
pub fn running_in(xs: &[f64], replicate: usize, points: usize) -> Vec<(usize, f64, f64, f64)> {
    if replicate <= 1 {
        return running(xs, points);
    }
    let means: Vec<f64> = xs
        .chunks_exact(replicate)
        .map(|c| {
            let v: Vec<f64> = c.iter().copied().filter(|x| !x.is_nan()).collect();
            if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
        })
        .filter(|m| !m.is_nan())
        .collect();
    running(&means, points).into_iter().map(|(n, m, lo, hi)| (n * replicate, m, lo, hi)).collect()
}

/// The running mean of `xs` and its 95% band (mean ± 1.96 MCSE) after each of `points`
/// run counts, spread evenly (at least 2 runs): `(runs, mean, low, high)`.
pub fn running(xs: &[f64], points: usize) -> Vec<(usize, f64, f64, f64)> {
    let n = xs.len();
    if n < 2 || points == 0 {
        return Vec::new();
    }
    let mut at: Vec<usize> = (1..=points).map(|i| (2 + (n - 2) * i / points).max(2)).collect();
    at.dedup();
    // Running sums in run order (Welford's update for the variance).
    let (mut mean, mut m2) = (0.0, 0.0);
    let mut out = Vec::with_capacity(at.len());
    let mut next = at.iter().peekable();
    for (i, &x) in xs.iter().enumerate() {
        let k = (i + 1) as f64;
        let d = x - mean;
        mean += d / k;
        m2 += d * (x - mean);
        if next.peek().is_some_and(|&&c| c == i + 1) {
            next.next();
            let se = (m2 / (k - 1.0) / k).sqrt();
            out.push((i + 1, mean, mean - 1.96 * se, mean + 1.96 * se));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_by_hand() {
        let r = running(&[1.0, 3.0, 2.0, 6.0], 2);
        // After 3 runs: mean 2, sd 1, se 1/sqrt 3; after 4: mean 3, sd sqrt(14/3), se /2.
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, 3);
        assert!((r[0].1 - 2.0).abs() < 1e-12);
        assert!((r[0].3 - (2.0 + 1.96 / 3f64.sqrt())).abs() < 1e-12);
        assert_eq!(r[1].0, 4);
        assert!((r[1].1 - 3.0).abs() < 1e-12);
        assert!((r[1].2 - (3.0 - 1.96 * (14.0f64 / 3.0).sqrt() / 2.0)).abs() < 1e-12);
    }

    #[test]
    fn running_over_replicates_by_hand() {
        // Replicates of 2: means 2, 2, 4 (the last run, alone, is left out).
        let r = running_in(&[1.0, 3.0, 2.0, 2.0, 5.0, 3.0, 9.0], 2, 5);
        assert_eq!(r.iter().map(|p| p.0).collect::<Vec<_>>(), [4, 6]);
        assert!((r[0].1 - 2.0).abs() < 1e-12 && (r[0].2 - 2.0).abs() < 1e-12);
        // Three means 2, 2, 4: mean 8/3, sd sqrt(4/3), se 2/3.
        assert!((r[1].1 - 8.0 / 3.0).abs() < 1e-12);
        assert!((r[1].3 - (8.0 / 3.0 + 1.96 * 2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(running_in(&[1.0, 3.0, 2.0], 1, 2), running(&[1.0, 3.0, 2.0], 2));
    }
}
