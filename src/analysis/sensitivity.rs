//! Which inputs drive the answer: the one-way (tornado) analysis on common random numbers,
//! rank correlations of the drawn inputs with a metric over the runs of a batch, and the
//! value-of-information table ([`super::voi`]) per input and group of inputs.

use rayon::prelude::*;

use super::linalg::{inverse, pearson, ranks};
use super::voi;
use crate::engine::{Batch, EngineError, Plan};

use crate::metrics::Horizon;
use crate::random::rng::RunKey;

/// Percentiles the one-way analysis sets each input to.
pub(crate) const TORNADO_LEVELS: [f64; 2] = [0.10, 0.90];

/// One bar of a tornado: a strategy's mean metric with one input at its 10th and at its
/// 90th percentile, the others at their medians.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// Strategy id.
    pub strategy: String,
    /// Dotted path of the input.
    pub input: String,
    /// The input's 10th percentile.
    pub low_value: f64,
    /// The input's 90th percentile.
    pub high_value: f64,
    /// Mean metric with the input at its 10th percentile.
    pub metric_low: f64,
    /// Mean metric with the input at its 90th percentile.
    pub metric_high: f64,
    /// Mean metric with every input at its median.
    pub metric_base: f64,
    /// Monte Carlo standard error of `metric_high - metric_low` (paired runs).
    pub swing_mcse: f64,
}

impl TornadoRow {
    /// `metric_high - metric_low`.
    pub(crate) fn swing(&self) -> f64 {
        self.metric_high - self.metric_low
    }
}

/// The one-way analysis: for each uncertain input and each level in [`TORNADO_LEVELS`],
/// `runs` runs (keys `(seed, 0..runs)`: the same process randomness in every setting) with
/// that input at the level and every other input at its median. Rows per strategy in
/// `strategies`, largest swing first (ties in input order).
pub fn tornado(
    plan: &Plan,
    metric: Horizon,
    strategies: &[usize],
    runs: usize,
    seed: u64,
    threads: usize,
) -> Result<Vec<TornadoRow>, EngineError> {
    // Only the region's figures are read: its municipalities need not be simulated.
    let plan = &*plan.without_municipalities();
    let s = &plan.scenario;
    let median: Vec<f64> = s.params.iter().map(|p| p.dist.quantile(0.5)).collect();
    let inputs: Vec<usize> = s.uncertain_params().map(|(i, _)| i).collect();
    // Setting 0: all medians; then (input, level) pairs.
    let settings: Vec<Vec<f64>> = std::iter::once(median.clone())
        .chain(inputs.iter().flat_map(|&i| {
            let median = &median;
            TORNADO_LEVELS.iter().map(move |&q| {
                let mut v = median.clone();
                v[i] = s.params[i].dist.quantile(q);
                v
            })
        }))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| EngineError::Threads { threads, source })?;
    // [setting][run][strategy]
    let results: Vec<Vec<f64>> = pool.install(|| {
        (0..settings.len() * runs)
            .into_par_iter()
            .map(|j| {
                let (set, run) = (j / runs, (j % runs) as u64);
                let rec = plan.run_with_values(RunKey::new(seed, run), run, settings[set].clone());
                strategies.iter().map(|&k| rec.horizon_of(k, metric)).collect()
            })
            .collect()
    });
    let at = |set: usize, run: usize, k: usize| results[set * runs + run][k];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mut rows = Vec::new();
    for (ks, &k) in strategies.iter().enumerate() {
        let base = mean(&(0..runs).map(|r| at(0, r, ks)).collect::<Vec<_>>());
        let mut mine: Vec<TornadoRow> = inputs
            .iter()
            .enumerate()
            .map(|(n, &i)| {
                let lo: Vec<f64> = (0..runs).map(|r| at(1 + 2 * n, r, ks)).collect();
                let hi: Vec<f64> = (0..runs).map(|r| at(2 + 2 * n, r, ks)).collect();
                let diff: Vec<f64> = hi.iter().zip(&lo).map(|(a, b)| a - b).collect();
                TornadoRow {
                    strategy: s.strategies[k].id.clone(),
                    input: s.params[i].path.clone(),
                    low_value: s.params[i].dist.quantile(TORNADO_LEVELS[0]),
                    high_value: s.params[i].dist.quantile(TORNADO_LEVELS[1]),
                    metric_low: mean(&lo),
                    metric_high: mean(&hi),
                    metric_base: base,
                    swing_mcse: crate::stats::mean_mcse(&diff).1,
                }
            })
            .collect();
        // Stable sort: equal swings keep input order.
        mine.sort_by(|a, b| b.swing().abs().total_cmp(&a.swing().abs()));
        rows.extend(mine);
    }
    Ok(rows)
}

/// Rank correlation of one drawn input with a strategy's metric over the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// Strategy id.
    pub strategy: String,
    /// Dotted path of the input.
    pub input: String,
    /// Spearman rank correlation.
    pub spearman: f64,
    /// Partial rank correlation (the other drawn inputs held fixed); NaN when the inputs'
    /// rank correlation matrix is singular.
    pub prcc: f64,
}

/// Spearman and partial rank correlation coefficients of every drawn input with `metric`
/// of each strategy in `strategies`, over the runs of `batch` (runs where the metric is
/// NaN are left out).
pub(crate) fn rank_correlations(plan: &Plan, batch: &Batch, metric: Horizon, strategies: &[usize]) -> Vec<RankRow> {
    let names: Vec<&str> = plan.uncertain_params().collect();
    let mut rows = Vec::new();
    for &k in strategies {
        let keep: Vec<&crate::engine::RunRecord> =
            batch.runs.iter().filter(|r| !r.horizon_of(k, metric).is_nan()).collect();
        let y = ranks(&keep.iter().map(|r| r.horizon_of(k, metric)).collect::<Vec<_>>());
        let xs: Vec<Vec<f64>> =
            (0..names.len()).map(|p| ranks(&keep.iter().map(|r| r.params[p]).collect::<Vec<_>>())).collect();
        let spearman: Vec<f64> = xs.iter().map(|x| pearson(x, &y)).collect();
        let prcc = partial(&xs, &y);
        for (p, name) in names.iter().enumerate() {
            rows.push(RankRow {
                strategy: plan.scenario.strategies[k].id.clone(),
                input: name.to_string(),
                spearman: spearman[p],
                prcc: prcc[p],
            });
        }
    }
    rows
}

/// Partial correlations of each column of `xs` with `y`, given the other columns: from the
/// inverse `P` of the correlation matrix of `[xs, y]`, `-P[i][y] / sqrt(P[i][i] P[y][y])`.
/// Columns that do not vary get NaN and are left out of the others' conditioning.
pub fn partial(xs: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let vary: Vec<usize> = (0..xs.len()).filter(|&i| !pearson(&xs[i], &xs[i]).is_nan()).collect();
    let mut out = vec![f64::NAN; xs.len()];
    let cols: Vec<&[f64]> = vary.iter().map(|&i| xs[i].as_slice()).chain(std::iter::once(y)).collect();
    let n = cols.len();
    if pearson(y, y).is_nan() || y.len() <= n + 1 {
        return out;
    }
    let mut c = vec![0.0; n * n];
    for a in 0..n {
        for b in a..n {
            let r = if a == b { 1.0 } else { pearson(cols[a], cols[b]) };
            c[a * n + b] = r;
            c[b * n + a] = r;
        }
    }
    if let Some(p) = inverse(&c, n) {
        let yy = n - 1;
        for (j, &i) in vary.iter().enumerate() {
            out[i] = (-p[j * n + yy] / (p[j * n + j] * p[yy * n + yy]).sqrt()).clamp(-1.0, 1.0);
        }
    }
    out
}

/// A row of `voi.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiRow {
    /// `municipal` (NPV of municipal spend) or `societal` (NPV of municipal spend minus the
    /// societal benefit outside the budget, when the scenario has `[[societal_benefit]]`).
    pub perspective: String,
    /// `ALL` (the EVPI), `ALL_INPUTS` (every drawn input together), a dotted input path, or
    /// a group `prevention.oost.*` of the inputs under a prefix.
    pub input: String,
    /// Euros (NPV): the expected value of the information.
    pub value: f64,
}

/// The value-of-information table: on the municipal perspective (NPV of municipal spend)
/// and, when the scenario values benefits outside the budget, on the societal perspective
/// (NPV of spend minus the societal benefit versus the baseline): the EVPI, the EVPPI of all
/// drawn inputs together, of each input, and of each group of inputs sharing their first two
/// path parts (with more than one input), from the runs of `batch`.
pub fn voi_table(plan: &Plan, batch: &Batch) -> Vec<VoiRow> {
    let cost: Vec<Vec<f64>> = (0..plan.strategies())
        .map(|k| batch.runs.iter().map(|r| r.horizon_of(k, Horizon::NpvSpend)).collect())
        .collect();
    let mut rows = voi_rows(plan, batch, &cost, "municipal");
    let benefit = |r: &crate::engine::RunRecord, k: usize| r.horizon_of(k, Horizon::NpvSocietalBenefit);
    if batch.runs.iter().any(|r| (0..plan.strategies()).any(|k| benefit(r, k).is_finite())) {
        let societal: Vec<Vec<f64>> = (0..plan.strategies())
            .map(|k| {
                batch
                    .runs
                    .iter()
                    .map(|r| {
                        let b = benefit(r, k);
                        r.horizon_of(k, Horizon::NpvSpend) - if b.is_finite() { b } else { 0.0 }
                    })
                    .collect()
            })
            .collect();
        rows.extend(voi_rows(plan, batch, &societal, "societal"));
    }
    rows
}

/// The rows of one perspective, from its cost (NPV) per strategy and run.
fn voi_rows(plan: &Plan, batch: &Batch, cost: &[Vec<f64>], perspective: &str) -> Vec<VoiRow> {
    let cost = cost.to_vec();
    let names: Vec<&str> = plan.uncertain_params().collect();
    let cols: Vec<Vec<f64>> = (0..names.len()).map(|p| batch.runs.iter().map(|r| r.params[p]).collect()).collect();
    let row = |input: String, value: f64| VoiRow { perspective: perspective.into(), input, value };
    let mut rows = vec![row("ALL".into(), voi::evpi_of_costs(&cost))];
    let all: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    rows.push(row("ALL_INPUTS".into(), voi::evppi_of_costs(&cost, &all)));
    let singles: Vec<VoiRow> = (0..names.len())
        .into_par_iter()
        .map(|p| row(names[p].to_string(), voi::evppi_of_costs(&cost, &[cols[p].as_slice()])))
        .collect();
    rows.extend(singles);
    let mut groups: Vec<String> = Vec::new();
    for n in &names {
        let parts: Vec<&str> = n.split('.').collect();
        if parts.len() > 2 {
            let g = format!("{}.{}", parts[0], parts[1]);
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
    }
    for g in groups {
        let prefix = format!("{g}.");
        let members: Vec<&[f64]> =
            names.iter().zip(&cols).filter(|(n, _)| n.starts_with(&prefix)).map(|(_, c)| c.as_slice()).collect();
        if members.len() > 1 {
            rows.push(row(format!("{g}.*"), voi::evppi_of_costs(&cost, &members)));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_correlation_matches_the_three_variable_formula() {
        // r_xy.z = (r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2)).
        let x: Vec<f64> = (0..60).map(|i| ((i * 7) % 60) as f64).collect();
        let z: Vec<f64> = (0..60).map(|i| ((i * 37) % 60) as f64 + 0.3 * i as f64).collect();
        let y: Vec<f64> = (0..60).map(|i| x[i] + 0.5 * z[i] + ((i * 13) % 11) as f64).collect();
        let (rxy, rxz, ryz) = (pearson(&x, &y), pearson(&x, &z), pearson(&y, &z));
        let expected = (rxy - rxz * ryz) / ((1.0 - rxz * rxz) * (1.0 - ryz * ryz)).sqrt();
        let p = partial(&[x, z], &y);
        assert!((p[0] - expected).abs() < 1e-10, "{p:?} vs {expected}");
        // A constant column gets NaN and does not disturb the others.
        let c = vec![1.0; 60];
        let x: Vec<f64> = (0..60).map(|i| ((i * 7) % 60) as f64).collect();
        let q = partial(&[x, c], &y);
        assert!(
            q[1].is_nan()
                && (q[0] - pearson(&(0..60).map(|i| ((i * 7) % 60) as f64).collect::<Vec<_>>(), &y)).abs() < 1e-10
        );
    }
}
