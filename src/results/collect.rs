//! [`Collector`]: what a results folder needs from a stream of runs, kept with memory that
//! does not grow with the number of runs: the statistics of every figure
//! ([`Accumulator`]) and the first [`SAMPLE_RUNS`] runs' horizon figures and parameters
//! (for the charts and the workbook). A collector can be saved as the partial result of a
//! shard and merged with the next shard's, giving what one pass over all runs gives.

use crate::engine::{Plan, RunRecord};
use crate::metrics::{HORIZON, Horizon, Yearly};
use crate::stats::accumulator::{Accumulator, DecodeError};
use crate::stats::quantiles::QuantileMode;

use super::RunTable;

/// Runs whose horizon figures and parameters are kept in memory for the charts and the
/// workbook (the first ones: runs are independent, so they are a random sample).
pub(crate) const SAMPLE_RUNS: usize = 20_000;

/// The figures of one run, as the accumulator sees them: every yearly metric of every
/// strategy, every horizon metric, each strategy's discounted successes and their gain on
/// the baseline's in the same run, and with a budget line the yearly overrun
/// `max(0, spend − budget)`, the overrun summed over every budget period and the spend
/// summed over every budget period.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Strategies.
    pub strategies: usize,
    /// Yearly figures per strategy (metrics × years).
    pub per: usize,
    /// Years.
    pub years: usize,
    /// First column of the yearly overruns (strategy-major), with a budget line.
    pub overrun: Option<usize>,
    /// First column of the period overruns and (periods, period length), with a budget line.
    pub periods: Option<(usize, usize, usize)>,
    /// First column of the spend summed over each budget period (strategy-major, as the
    /// period overruns), with a budget line.
    pub period_spend: Option<usize>,
    /// First column of the discounted successes `Σ_t successes_t D_t` per strategy, then
    /// (after `strategies` columns) of their gain on the baseline's in the same run.
    pub successes: usize,
    /// The discount factors `D_t` of the net present values (docs/model.md section 2).
    pub discount: Vec<f64>,
    /// The baseline strategy.
    pub baseline: usize,
    /// With a region: its columns.
    pub municipal: Option<MunicipalColumns>,
    /// Columns in all.
    pub width: usize,
}

/// The columns of a region's municipalities (docs/model.md section 16), after every other.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalColumns {
    /// Municipalities.
    pub count: usize,
    /// First column of each municipality's yearly spend under the region's rule
    /// (strategy-major, then municipality, then year).
    pub yearly: usize,
    /// First column of each municipality's spend summed over the first budget period under
    /// each rule of [`crate::scenario::region::Region::rules`] (strategy-major, then
    /// municipality, then rule).
    pub period: usize,
    /// The rules compared.
    pub rules: Vec<crate::scenario::region::Allocation>,
    /// Years of the first budget period.
    pub period_years: usize,
}

impl Columns {
    /// The layout for a plan.
    pub fn new(plan: &Plan) -> Self {
        let s = &plan.scenario;
        let n = plan.strategies();
        let per = plan.layout.yearly_len();
        let years = s.horizon_years;
        let mut width = n * per + n * HORIZON.len();
        let (mut overrun, mut periods, mut period_spend) = (None, None, None);
        if let Some(line) = &s.budget_line {
            overrun = Some(width);
            width += n * years;
            let len = s.budget_period_years.min(line.len());
            let count = line.len() - len + 1;
            periods = Some((width, count, len));
            width += n * count;
        }
        // Appended after the columns that existed before, so that their positions stay.
        let successes = width;
        width += 2 * n;
        if let Some((_, count, _)) = periods {
            period_spend = Some(width);
            width += n * count;
        }
        let municipal = s.region.as_ref().map(|region| {
            let count = region.municipalities.len();
            let rules = region.rules();
            let yearly = width;
            width += n * count * years;
            let period = width;
            width += n * count * rules.len();
            MunicipalColumns { count, yearly, period, rules, period_years: s.budget_period_years.clamp(1, years) }
        });
        let discount = s.discount_factors();
        Columns {
            strategies: n,
            per,
            years,
            overrun,
            periods,
            period_spend,
            successes,
            discount,
            baseline: s.baseline(),
            municipal,
            width,
        }
    }

    /// Column of municipality `m`'s spend under the region's rule in year `t` under
    /// strategy `k` (with a region).
    pub fn municipal_spend(&self, k: usize, m: usize, t: usize) -> Option<usize> {
        self.municipal.as_ref().map(|c| c.yearly + (k * c.count + m) * self.years + t)
    }

    /// Column of municipality `m`'s spend over the first budget period under rule `r` (of
    /// [`MunicipalColumns::rules`]) and strategy `k` (with a region).
    pub fn municipal_period(&self, k: usize, m: usize, r: usize) -> Option<usize> {
        self.municipal.as_ref().map(|c| c.period + (k * c.count + m) * c.rules.len() + r)
    }

    /// Column of yearly metric `m` in year `t` of strategy `k`.
    pub fn yearly(&self, plan: &Plan, k: usize, m: usize, t: usize) -> usize {
        k * self.per + plan.layout.at_index(m, t)
    }

    /// Column of horizon metric `m` of strategy `k`.
    pub fn horizon(&self, k: usize, m: Horizon) -> usize {
        self.strategies * self.per + k * HORIZON.len() + m.index()
    }

    /// Column of the overrun of strategy `k` in year `t` (with a budget line).
    pub fn overrun(&self, k: usize, t: usize) -> Option<usize> {
        self.overrun.map(|o| o + k * self.years + t)
    }

    /// Column of the overrun of strategy `k` summed over the period starting in year
    /// index `start` (with a budget line).
    pub fn period(&self, k: usize, start: usize) -> Option<usize> {
        self.periods.map(|(o, count, _)| o + k * count + start)
    }

    /// Column of strategy `k`'s discounted successes `Σ_t successes_t D_t`.
    pub fn npv_successes(&self, k: usize) -> usize {
        self.successes + k
    }

    /// Column of strategy `k`'s discounted successes less the baseline's, in the same run
    /// (0 for the baseline).
    pub fn npv_successes_gain(&self, k: usize) -> usize {
        self.successes + self.strategies + k
    }

    /// Column of the spend of strategy `k` summed over the period starting in year index
    /// `start` (with a budget line).
    pub fn period_spend(&self, k: usize, start: usize) -> Option<usize> {
        match (self.period_spend, self.periods) {
            (Some(o), Some((_, count, _))) => Some(o + k * count + start),
            _ => None,
        }
    }

    /// Appends the row of `run` to `out`.
    pub fn row(&self, plan: &Plan, run: &RunRecord, out: &mut Vec<f64>) {
        let n = self.strategies;
        out.extend_from_slice(&run.yearly[..n * self.per]);
        out.extend_from_slice(&run.horizon[..n * HORIZON.len()]);
        let spend = |k: usize, t: usize| run.yearly[self.yearly(plan, k, Yearly::Spend.index(), t)];
        let line = |k: usize| plan.budget_line(k).unwrap_or(&[]);
        if plan.scenario.budget_line.is_some() {
            for k in 0..n {
                let line = line(k);
                out.extend((0..self.years).map(|t| (spend(k, t) - line[t]).max(0.0)));
            }
            if let Some((_, count, len)) = self.periods {
                for k in 0..n {
                    let line = line(k);
                    out.extend(
                        (0..count)
                            .map(|start| (start..start + len).map(|t| (spend(k, t) - line[t]).max(0.0)).sum::<f64>()),
                    );
                }
            }
        }
        // Discounted successes, summed in year order as the engine sums the NPV of spend.
        let successes = |k: usize| -> f64 {
            (0..self.years)
                .map(|t| run.yearly[self.yearly(plan, k, Yearly::Successes.index(), t)] * self.discount[t])
                .sum()
        };
        let first = out.len();
        out.extend((0..n).map(successes));
        let base = out[first + self.baseline];
        for k in 0..n {
            out.push(out[first + k] - base);
        }
        if let Some((_, count, len)) = self.periods {
            for k in 0..n {
                out.extend((0..count).map(|start| (start..start + len).map(|t| spend(k, t)).sum::<f64>()));
            }
        }
        if let (Some(c), Some(region)) = (&self.municipal, &plan.scenario.region) {
            let years = self.years;
            let share = |k: usize, m: usize, t: usize, rule: crate::scenario::region::Allocation| {
                rule.spend(
                    spend(k, t) * region.municipalities[m].key_share,
                    run.municipal[(k * c.count + m) * years + t],
                )
            };
            // The last municipality takes the rest, so that they add up to the region.
            for k in 0..n {
                let first = out.len();
                for m in 0..c.count - 1 {
                    out.extend((0..years).map(|t| share(k, m, t, region.allocation)));
                }
                for t in 0..years {
                    let others: f64 = (0..c.count - 1).map(|m| out[first + m * years + t]).sum();
                    out.push(spend(k, t) - others);
                }
            }
            for k in 0..n {
                for m in 0..c.count {
                    for &rule in &c.rules {
                        out.push((0..c.period_years).map(|t| share(k, m, t, rule)).sum());
                    }
                }
            }
        }
    }

    /// Which columns a report, a chart or a summary table (`summary.csv`, `budget.csv`,
    /// `reserve.csv`, `reserve_by_certainty.csv`, `municipalities.csv`,
    /// `municipal_risk.csv`) gives percentiles of: every column but the yearly metrics outside [`REPORTED_YEARLY`] and the
    /// caseload per segment. Those others appear with percentiles only in `yearly.csv` and
    /// the workbooks' yearly sheets; in [`QuantileMode::Mixed`] their percentiles come
    /// from sketches. (The municipalities' yearly spend is reported: `municipalities.csv`
    /// derives each year's structural gap and risk reserve from its median and P90.)
    pub fn reported(&self, plan: &Plan) -> Vec<bool> {
        let mut out = vec![true; self.width];
        let lay = &plan.layout;
        let reported: Vec<bool> = (0..lay.yearly.len()).map(|m| reported_yearly(lay, m)).collect();
        for k in 0..self.strategies {
            for (m, _) in reported.iter().enumerate().filter(|(_, r)| !**r) {
                for t in 0..self.years {
                    out[self.yearly(plan, k, m, t)] = false;
                }
            }
        }
        out
    }

    /// How many columns [`Columns::reported`] marks.
    pub fn reported_figures(&self, plan: &Plan) -> usize {
        self.reported(plan).iter().filter(|&&r| r).count()
    }

    /// The yearly metrics whose percentiles are sketched in [`QuantileMode::Mixed`], in
    /// storage order.
    pub fn sketched_metrics(plan: &Plan) -> Vec<String> {
        let lay = &plan.layout;
        (0..lay.yearly.len()).filter(|&m| !reported_yearly(lay, m)).map(|m| lay.yearly[m].clone()).collect()
    }

    /// Which columns count undefined values as "never" in their percentiles: the
    /// break-even year of every strategy but the baseline.
    pub fn never(&self, plan: &Plan) -> Vec<bool> {
        let mut never = vec![false; self.width];
        for k in (0..self.strategies).filter(|&k| k != plan.scenario.baseline()) {
            never[self.horizon(k, Horizon::BreakEvenYear)] = true;
        }
        never
    }
}

/// The yearly metrics whose percentiles a report, a chart or a summary table gives:
/// `budget.csv` and the spend table (spend), the fan charts (spend, cumulative saving,
/// providers' lowest reserves, waiting), the spend components chart (its four components'
/// medians), the caseload table and chart, and the sentences on providers' results and
/// waiting lists. Kept exact in [`QuantileMode::Mixed`] with the caseload per segment;
/// `tests/it/quantile_modes.rs` checks that no report, chart or summary table changes
/// when the others are sketched.
pub const REPORTED_YEARLY: [Yearly; 11] = [
    Yearly::Spend,
    Yearly::CarePayments,
    Yearly::OutcomePayments,
    Yearly::PreventionCost,
    Yearly::AdminCost,
    Yearly::ProviderResult,
    Yearly::Caseload,
    Yearly::CumulativeSaving,
    Yearly::ProviderReservesMin,
    Yearly::Waiting,
    Yearly::WaitingWeeksMean,
];

/// Whether yearly metric `m` of the layout is reported with percentiles (see
/// [`REPORTED_YEARLY`]).
fn reported_yearly(lay: &crate::engine::Layout, m: usize) -> bool {
    let by_segment = lay.caseload_by_segment..lay.starts_by_segment;
    by_segment.contains(&m) || REPORTED_YEARLY.iter().any(|y| lay.yearly[m] == y.name())
}

/// The statistics and the sample of the runs seen so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Collector {
    /// Column layout.
    pub columns: Columns,
    /// Statistics of every column.
    pub stats: Accumulator,
    /// The first runs' horizon figures and parameters.
    pub sample: RunTable,
    row: Vec<f64>,
}

impl Collector {
    /// An empty collector; percentiles kept as `mode` says.
    pub fn new(plan: &Plan, mode: QuantileMode) -> Self {
        let columns = Columns::new(plan);
        let stats = match mode {
            QuantileMode::Mixed => Accumulator::mixed(&columns.reported(plan)),
            _ => Accumulator::new(columns.width, mode),
        }
        .with_replicates(plan.sampling().replicate_runs());
        let sample = RunTable::empty(plan.strategies(), plan.uncertain_params().count());
        Collector { columns, stats, sample, row: Vec::new() }
    }

    /// Adds the runs of block `block`, in run order.
    pub fn add_block(&mut self, plan: &Plan, block: u64, runs: &[RunRecord]) {
        self.row.clear();
        for run in runs {
            self.columns.row(plan, run, &mut self.row);
            if self.sample.len() < SAMPLE_RUNS {
                self.sample.push(run.run, &run.horizon[..self.columns.strategies * HORIZON.len()], &run.params);
            }
        }
        self.stats.push_block(block, &self.row);
    }

    /// Lets go of the buffer that the blocks' rows were assembled in (after the last block).
    pub(crate) fn release_buffer(&mut self) {
        self.row = Vec::new();
    }

    /// Adds the runs of a collector over the blocks that follow this one's.
    pub fn merge(&mut self, other: Collector) {
        self.stats.merge(other.stats);
        self.sample.append(&other.sample, SAMPLE_RUNS);
    }

    /// Writes what [`Collector::to_bytes`] gives, as a stream (the statistics are not
    /// copied in memory first).
    pub(crate) fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut sample = Vec::new();
        self.sample.write_bytes(&mut sample);
        out.write_all(&sample)?;
        self.stats.write_to(out)?;
        out.flush()
    }

    /// Reads what [`Collector::to_bytes`] wrote, for `plan`.
    pub(crate) fn from_bytes(plan: &Plan, bytes: &[u8]) -> Result<Self, DecodeError> {
        let short = || DecodeError("file ends early".into());
        let (n, n_params) = (plan.strategies(), plan.uncertain_params().count());
        let runs = u64::from_le_bytes(bytes.get(..8).ok_or_else(short)?.try_into().expect("8 bytes"));
        let per_run = (1 + n * HORIZON.len() + n_params) as u64 * 8;
        let end = runs.checked_mul(per_run).and_then(|b| b.checked_add(8)).filter(|&e| e <= bytes.len() as u64);
        let end = end.ok_or_else(short)? as usize;
        let sample = RunTable::read_bytes(&bytes[..end], n, n_params)?;
        let stats = Accumulator::from_bytes(&bytes[end..])?;
        let columns = Columns::new(plan);
        if stats.width() != columns.width {
            return Err(DecodeError(format!(
                "{} figures per run, but the scenario has {}: a partial result of another scenario or version",
                stats.width(),
                columns.width
            )));
        }
        let replicate = plan.sampling().replicate_runs();
        if stats.replicate_runs() != replicate {
            return Err(DecodeError(format!(
                "replicates of {} runs, but partial.json's sampling `{}` makes replicates of {replicate}",
                stats.replicate_runs(),
                plan.sampling().name()
            )));
        }
        Ok(Collector { columns, stats, sample, row: Vec::new() })
    }
}
