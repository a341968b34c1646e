//! The finance view of a batch as typed rows: per strategy and year the budget line (the
//! scenario's, or for a strategy of task contracts the lump sums it signed), spend
//! at P50/P80/P90/P95, the expected overrun, P(overrun) and the reserve required for the
//! year ([`budget_rows`]); the reserve required over every budget period, first and
//! rolling, with the ratio to the available reserve and its class ([`reserve_rows`]); and
//! the first period's reserve at certainties from 70% to 95% ([`reserve_by_certainty`]).
//!
//! `budget.csv`, `reserve.csv` and `reserve_by_certainty.csv` render these rows, and the
//! reports read the same rows, so both show the same numbers without a CSV round trip.

use super::Results;
use crate::metrics::Yearly;
use crate::stats::reserve::RatioClass;

/// Certainties of `reserve_by_certainty.csv`, besides the scenario's own.
pub(crate) const CERTAINTY_TABLE: [f64; 6] = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95];

/// Percentiles of yearly spend in the budget table: P50, P80, P90 (a prudent budget), P95.
pub(crate) const SPEND_PERCENTILES: [f64; 4] = [0.5, 0.8, 0.9, 0.95];

/// The certainties reported: the scenario's, plus the table's, ascending.
pub fn certainties(r: &Results) -> Vec<f64> {
    let mut c: Vec<f64> = r.plan.scenario.certainty.clone();
    c.extend(CERTAINTY_TABLE);
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

/// The overrun figures of a year with a budget line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Overrun {
    /// Expected overrun (mean over runs of spend above the line, 0 below it).
    pub expected: f64,
    /// Probability that spend exceeds the line.
    pub probability: f64,
    /// The reserve required for the year at each of [`certainties`].
    pub reserve: Vec<f64>,
}

/// A row of the budget table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BudgetRow {
    /// Strategy index.
    pub strategy: usize,
    /// Year index (0 = start year).
    pub year: usize,
    /// The budget line (NaN without one).
    pub budget: f64,
    /// Spend at [`SPEND_PERCENTILES`].
    pub spend: [f64; 4],
    /// The overrun figures, with a budget line.
    pub overrun: Option<Overrun>,
}

impl BudgetRow {
    /// P90 of spend: a prudent budget (behoedzame raming).
    pub fn spend_p90(&self) -> f64 {
        self.spend[2]
    }
}

/// Per strategy and year: the budget line, spend percentiles and the overrun figures.
pub(crate) fn budget_rows(r: &Results) -> Vec<BudgetRow> {
    let s = &r.plan.scenario;
    let none = vec![f64::NAN; s.horizon_years];
    let cs = certainties(r);
    let cols = &r.collected.columns;
    let mut rows = Vec::with_capacity(s.strategies.len() * s.horizon_years);
    for k in 0..s.strategies.len() {
        let line = r.plan.budget_line(k).unwrap_or(&none);
        for (t, &budget) in line.iter().enumerate() {
            let column = cols.yearly(r.plan, k, Yearly::Spend.index(), t);
            let spend = SPEND_PERCENTILES.map(|q| r.quantile(column, q));
            let overrun = match (cols.overrun(k, t), r.plan.layout.budget_overrun) {
                (Some(over), Some(m)) if !budget.is_nan() => Some(Overrun {
                    expected: r.mean(over),
                    probability: r.mean(cols.yearly(r.plan, k, m, t)),
                    reserve: cs.iter().map(|&c| r.quantile(over, c)).collect(),
                }),
                _ => None,
            };
            rows.push(BudgetRow { strategy: k, year: t, budget, spend, overrun });
        }
    }
    rows
}

/// The reserve required over one budget period at one certainty.
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveRow {
    /// Strategy index.
    pub strategy: usize,
    /// First and last calendar year of the period.
    pub years: (i32, i32),
    /// Certainty (zekerheidspercentage).
    pub certainty: f64,
    /// Required reserve.
    pub required: f64,
    /// Available reserve (NaN when not given).
    pub available: f64,
    /// Ratio available / required (infinite when nothing is required, NaN when the
    /// available reserve is not given).
    pub ratio: f64,
    /// Class A–F (empty when the available reserve is not given).
    pub class: String,
}

/// The reserve over every budget period (the first, then rolling by a year), at the
/// scenario's certainties; empty without a budget line.
pub(crate) fn reserve_rows(r: &Results) -> Vec<ReserveRow> {
    let s = &r.plan.scenario;
    let line = s.budget_line.as_deref().unwrap_or(&[]);
    if line.is_empty() {
        return Vec::new();
    }
    let len = s.budget_period_years.min(line.len());
    let mut rows = Vec::new();
    for k in 0..s.strategies.len() {
        for start in 0..=(line.len() - len) {
            let Some(over) = r.collected.columns.period(k, start) else { continue };
            for &c in &s.certainty {
                let required = r.quantile(over, c);
                let (available, ratio, class) = match s.available_reserve {
                    Some(a) => {
                        let ratio = if required > 0.0 { a / required } else { f64::INFINITY };
                        (a, ratio, RatioClass::of(ratio).letter().to_string())
                    }
                    None => (f64::NAN, f64::NAN, String::new()),
                };
                let first = s.start_year + start as i32;
                rows.push(ReserveRow {
                    strategy: k,
                    years: (first, first + len as i32 - 1),
                    certainty: c,
                    required,
                    available,
                    ratio,
                    class,
                });
            }
        }
    }
    rows
}

/// The exact risk reserve of every budget period, in the order of [`reserve_rows`]:
/// `Q_c(S) − Q_50(S)` of the period's summed spend `S = Σ_t spend_t` (docs/model.md
/// section 14), at the scenario's certainties; empty without a budget line.
pub(crate) fn period_spend_risk(r: &Results) -> Vec<f64> {
    let s = &r.plan.scenario;
    let line = s.budget_line.as_deref().unwrap_or(&[]);
    if line.is_empty() {
        return Vec::new();
    }
    let len = s.budget_period_years.min(line.len());
    let mut out = Vec::new();
    for k in 0..s.strategies.len() {
        for start in 0..=(line.len() - len) {
            let Some(col) = r.collected.columns.period_spend(k, start) else { continue };
            let median = r.quantile(col, 0.5);
            out.extend(s.certainty.iter().map(|&c| r.quantile(col, c) - median));
        }
    }
    out
}

/// The reserve for the first budget period at each of [`certainties`]: (strategy, first
/// and last year, certainty, required reserve); empty without a budget line.
pub fn reserve_by_certainty(r: &Results) -> Vec<(usize, (i32, i32), f64, f64)> {
    let s = &r.plan.scenario;
    let line = s.budget_line.as_deref().unwrap_or(&[]);
    if line.is_empty() {
        return Vec::new();
    }
    let len = s.budget_period_years.min(line.len());
    let years = (s.start_year, s.start_year + len as i32 - 1);
    let mut rows = Vec::new();
    for k in 0..s.strategies.len() {
        let Some(over) = r.collected.columns.period(k, 0) else { continue };
        rows.extend(certainties(r).into_iter().map(|c| (k, years, c, r.quantile(over, c))));
    }
    rows
}
