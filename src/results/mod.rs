//! The results of a batch: per-run records collected into statistics ([`Collector`], with
//! the finance columns of the budget tables), the first runs kept as a [`RunTable`], and
//! both sides of a shard's partial results ([`partial`]).
//!
//! Above the engine and below every output: exports and reports read [`Results`], never
//! the engine's records.

pub mod collect;
pub mod finance;
pub mod partial;
mod run_table;

use crate::engine::{Batch, Plan};
use crate::metrics::{HORIZON, Horizon};
use crate::stats::Summary;
use crate::stats::quantiles::QuantileMode;

pub use collect::Collector;
pub use collect::Columns;
pub use run_table::RunTable;

/// A yearly figure: strategy, year index, metric index and its summary.
#[derive(Debug, Clone)]
pub struct YearlyStat {
    /// Strategy index.
    pub strategy: usize,
    /// Year index (0 = start year).
    pub year: usize,
    /// Metric index in the layout.
    pub metric: usize,
    /// Summary over runs.
    pub summary: Summary,
}

/// A horizon figure of a strategy.
#[derive(Debug, Clone)]
pub struct HorizonStat {
    /// Strategy index.
    pub strategy: usize,
    /// The metric.
    pub metric: Horizon,
    /// Summary over runs.
    pub summary: Summary,
}

/// `summary.csv`'s row of the discounted successes `Σ_t successes_t D_t`.
pub const NPV_SUCCESSES: &str = "npv_successes";
/// `summary.csv`'s row of the discounted successes less the baseline's, paired per run.
pub const NPV_SUCCESSES_GAIN: &str = "npv_successes_gain_vs_baseline";

/// A strategy's discounted successes over the horizon, `Σ_t successes_t D_t` with the
/// discount factors of the NPV, and their gain on the baseline's, paired run by run (so
/// that the standard error is that of the difference on common random numbers).
#[derive(Debug, Clone)]
pub struct SuccessStat {
    /// Strategy index.
    pub strategy: usize,
    /// Summary over runs of the discounted successes (`npv_successes`).
    pub npv_successes: Summary,
    /// Summary over runs of the strategy's discounted successes less the baseline's
    /// (`npv_successes_gain_vs_baseline`; 0 for the baseline).
    pub gain: Summary,
}

/// How a batch was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInfo {
    /// The seed used.
    pub seed: u64,
    /// Worker threads used (the results do not depend on it).
    pub threads: usize,
    /// Runs.
    pub runs: usize,
}

/// The statistics of a batch, ready for the exporters.
pub struct Results<'a> {
    /// The plan that was run.
    pub plan: &'a Plan,
    /// Seed, threads, runs.
    pub info: BatchInfo,
    /// Statistics of every figure, and the first runs (`collected.sample`).
    pub collected: Collector,
    /// The per-run results, when the whole batch is in memory (`sensitivity` and tests);
    /// `run` streams them to `runs.csv` instead.
    pub batch: Option<&'a Batch>,
    /// Yearly statistics, strategy-major, then year, then metric.
    pub yearly: Vec<YearlyStat>,
    /// Horizon statistics, strategy-major, in [`HORIZON`] order.
    pub horizon: Vec<HorizonStat>,
    /// Discounted successes per strategy, in strategy order.
    pub successes: Vec<SuccessStat>,
    /// With a region: each municipality's yearly spend under the region's rule, in the
    /// order of its columns (strategy-major, then municipality, then year).
    pub municipal: Vec<Summary>,
}

impl<'a> Results<'a> {
    /// Computes the statistics of a batch held in memory (percentiles exact).
    pub fn new(plan: &'a Plan, batch: &'a Batch) -> Self {
        let mut c = Collector::new(plan, QuantileMode::Exact);
        for (b, runs) in batch.runs.chunks(crate::engine::BLOCK as usize).enumerate() {
            c.add_block(plan, b as u64, runs);
        }
        let info = BatchInfo { seed: batch.seed, threads: batch.threads, runs: batch.runs.len() };
        let mut r = Results::collected(plan, info, c);
        r.batch = Some(batch);
        r
    }

    /// The statistics of what a [`Collector`] saw.
    pub(crate) fn collected(plan: &'a Plan, info: BatchInfo, mut collected: Collector) -> Self {
        collected.release_buffer();
        collected.stats.finish();
        let cols = &collected.columns;
        let summaries = collected.stats.summaries(&cols.never(plan));
        let lay = &plan.layout;
        let n = plan.strategies();
        let mut yearly = Vec::with_capacity(n * lay.yearly_len());
        for k in 0..n {
            for t in 0..lay.years {
                for m in 0..lay.yearly.len() {
                    let summary = summaries[cols.yearly(plan, k, m, t)];
                    yearly.push(YearlyStat { strategy: k, year: t, metric: m, summary });
                }
            }
        }
        let mut horizon = Vec::with_capacity(n * HORIZON.len());
        for k in 0..n {
            for m in Horizon::ALL {
                horizon.push(HorizonStat { strategy: k, metric: m, summary: summaries[cols.horizon(k, m)] });
            }
        }
        let successes = (0..n)
            .map(|k| SuccessStat {
                strategy: k,
                npv_successes: summaries[cols.npv_successes(k)],
                gain: summaries[cols.npv_successes_gain(k)],
            })
            .collect();
        let municipal = match &cols.municipal {
            Some(c) => summaries[c.yearly..c.yearly + n * c.count * lay.years].to_vec(),
            None => Vec::new(),
        };
        Results { plan, info, collected, batch: None, yearly, horizon, successes, municipal }
    }

    /// The yearly statistic of metric `m` in year `t` for strategy `k`.
    pub(crate) fn yearly_stat(&self, k: usize, t: usize, m: usize) -> &Summary {
        let lay = &self.plan.layout;
        &self.yearly[(k * lay.years + t) * lay.yearly.len() + m].summary
    }

    /// The `q`-quantile over runs of column `col` (see [`Columns`]).
    pub fn quantile(&self, col: usize, q: f64) -> f64 {
        self.collected.stats.quantile(col, q)
    }

    /// The mean over runs of column `col`.
    pub fn mean(&self, col: usize) -> f64 {
        self.collected.stats.moments(col).mean()
    }

    /// How the percentiles were computed.
    pub(crate) fn quantile_mode(&self) -> QuantileMode {
        self.collected.stats.mode()
    }
}
