//! Convergence: running the batch until the Monte Carlo standard error of every strategy's
//! NPV saving is below a target (`run --precision`), and the running mean and band of a
//! figure against the number of runs (the `convergence` chart).
//!
//! Run `k`'s numbers depend only on the seed and `k`, so a batch grown in steps is the same,
//! bit for bit, as a batch of the final size run at once.

use rayon::prelude::*;

use crate::engine::metrics::h;
use crate::engine::{Batch, EngineError, HORIZON, Plan, RunOptions};
use crate::stats::mean_mcse;

/// How `run --precision` grows a batch.
#[derive(Debug, Clone, Copy)]
pub struct Precision {
    /// Target Monte Carlo standard error of every strategy's `npv_saving_vs_baseline`, euros.
    pub mcse_eur: f64,
    /// Never more runs than this.
    pub max_runs: usize,
}

/// Runs a batch of `opts.runs` runs (the first step), then adds runs until the MCSE of the
/// NPV saving of every strategy is below `precision.mcse_eur` or `precision.max_runs` is
/// reached. Each step asks for the runs the current standard errors suggest (10% more,
/// at least 100 and at most four times as many as so far). `tick` is called per run.
pub fn run_until_precise(
    plan: &Plan,
    opts: &RunOptions,
    precision: Precision,
    tick: &(dyn Fn() + Sync),
) -> Result<Batch, EngineError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|source| EngineError::Threads { threads: opts.threads, source })?;
    let threads = pool.current_num_threads();
    let max_runs = precision.max_runs.max(1);
    let mut runs = Vec::new();
    let mut target = opts.runs.clamp(2.min(max_runs), max_runs);
    loop {
        let from = runs.len() as u64;
        let more: Vec<_> = pool.install(|| {
            (from..target as u64)
                .into_par_iter()
                .map(|k| {
                    let r = plan.run(opts.seed, k);
                    tick();
                    r
                })
                .collect()
        });
        runs.extend(more);
        let batch = Batch { seed: opts.seed, threads, runs };
        let worst = worst_mcse(plan, &batch);
        if worst < precision.mcse_eur || batch.runs.len() >= max_runs {
            return Ok(batch);
        }
        let n = batch.runs.len();
        let need = (n as f64 * (worst / precision.mcse_eur).powi(2) * 1.1).ceil();
        let need = if need.is_finite() { need as usize } else { n * 4 };
        target = need.clamp(n + 100, (n * 4).max(n + 100)).min(max_runs);
        runs = batch.runs;
    }
}

/// The largest MCSE of `npv_saving_vs_baseline` over the strategies (infinite when a
/// strategy has fewer than two runs).
pub fn worst_mcse(plan: &Plan, batch: &Batch) -> f64 {
    (0..plan.strategies())
        .map(|k| {
            let xs: Vec<f64> = batch.runs.iter().map(|r| r.horizon[k * HORIZON.len() + h::NPV_SAVING]).collect();
            let (_, se) = mean_mcse(&xs);
            if se.is_nan() { f64::INFINITY } else { se }
        })
        .fold(0.0, f64::max)
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
}
