//! The reserve split the way a controller splits it: the part of the required reserve that
//! is the expected (median) overrun belongs in the multi-year budget (meerjarenraming), not
//! in the risk reserve (weerstandscapaciteit). Budgeting realistically ("reëel begroten")
//! puts the **structural gap** into the budget and keeps the **risk reserve** for what
//! spend may exceed its median.
//!
//! - Per strategy and year ([`yearly`], `budget.csv`): `structural_gap = P50(spend_t) − b_t`
//!   (negative: the line is above the median, room in the budget) and, at each certainty
//!   `c`, `risk_reserve = P_c(spend_t) − P50(spend_t)`. Neither needs the other: with the
//!   line raised to the median, the reserve required for the year at `c` is exactly the
//!   risk reserve (`max(0, P_c − P50)`, and `P_c ≥ P50` for `c ≥ 0.5`).
//! - Per strategy, budget period and certainty ([`periods`], `reserve.csv`,
//!   `reserve_by_certainty.csv`): `structural_gap = Σ_t (P50(spend_t) − b_t)` over the
//!   period's years (the sum of `budget.csv`'s yearly gaps: what the meerjarenraming adds
//!   over the period), and `risk_reserve = Q_c(O) − Q_50(O)` of the period's summed overrun
//!   `O = Σ_t max(0, spend_t − b_t)` (the statistic `reserve.csv`'s required reserve is a
//!   quantile of): the reserve still needed at certainty `c` once the median period overrun
//!   is budgeted, so `required_reserve = Q_50(O) + risk_reserve` exactly. When spend
//!   exceeds the line in every year of every run (the situation of the shipped scenarios,
//!   whose lines sit below expected spend), `O = Σ spend_t − Σ b_t` and the risk reserve is
//!   `P_c − P50` of the period's spend, as in the yearly table. The ratio to the available
//!   reserve and its class are computed on the risk reserve as [`RatioClass::of`] does on
//!   the required one (infinite, class A, when the risk reserve is 0).
//!
//! All figures are percentiles the collector already keeps (spend per year, the period
//! overruns), so shards merge to the same split, bit for bit.

use crate::metrics::Yearly;
use crate::results::Results;
use crate::results::finance::certainties;
use crate::stats::reserve::RatioClass;

/// The split of one year of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSplit {
    /// Strategy index.
    pub strategy: usize,
    /// Year index (0 = start year).
    pub year: usize,
    /// The budget line.
    pub budget: f64,
    /// P50 of spend.
    pub spend_p50: f64,
    /// `spend_p50 − budget`: for the meerjarenraming.
    pub structural_gap: f64,
    /// `P_c − P50` of spend at each of [`certainties`] (the same order): for the
    /// weerstandscapaciteit.
    pub risk_reserve: Vec<f64>,
}

/// The split of one budget period of one strategy at one certainty.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodSplit {
    /// Strategy index.
    pub strategy: usize,
    /// First and last calendar year of the period.
    pub years: (i32, i32),
    /// Certainty (zekerheidspercentage).
    pub certainty: f64,
    /// The sum over the period of the yearly structural gaps.
    pub structural_gap: f64,
    /// `Q_c − Q_50` of the period's summed overrun.
    pub risk_reserve: f64,
    /// Available reserve (NaN when not given).
    pub available: f64,
    /// `available / risk_reserve` (infinite when no risk reserve is needed, NaN without an
    /// available reserve).
    pub risk_ratio: f64,
    /// Class A–F of `risk_ratio` (empty without an available reserve).
    pub risk_class: String,
}

/// Per strategy and year, the structural gap and the risk reserve at [`certainties`];
/// empty without a budget line.
pub fn yearly(r: &Results) -> Vec<YearSplit> {
    let s = &r.plan.scenario;
    let Some(line) = &s.budget_line else { return Vec::new() };
    let cs = certainties(r);
    let cols = &r.collected.columns;
    let mut rows = Vec::with_capacity(s.strategies.len() * line.len());
    for k in 0..s.strategies.len() {
        // Each strategy's own line: a task contract's strategy is held against its sum.
        let line = r.plan.budget_line(k).unwrap_or(line);
        for (t, &budget) in line.iter().enumerate() {
            let column = cols.yearly(r.plan, k, Yearly::Spend.index(), t);
            let p50 = r.quantile(column, 0.5);
            rows.push(YearSplit {
                strategy: k,
                year: t,
                budget,
                spend_p50: p50,
                structural_gap: p50 - budget,
                risk_reserve: cs.iter().map(|&c| r.quantile(column, c) - p50).collect(),
            });
        }
    }
    rows
}

/// Per strategy, budget period (the first, then rolling by a year; only the first when
/// `first_only`) and certainty in `certainties_of` order, the split; empty without a budget
/// line.
fn split_periods(r: &Results, first_only: bool, certainties_of: &[f64]) -> Vec<PeriodSplit> {
    let s = &r.plan.scenario;
    let Some(line) = s.budget_line.as_deref().filter(|l| !l.is_empty()) else { return Vec::new() };
    let len = s.budget_period_years.min(line.len());
    let cols = &r.collected.columns;
    let last_start = if first_only { 0 } else { line.len() - len };
    let mut rows = Vec::new();
    for k in 0..s.strategies.len() {
        let line = r.plan.budget_line(k).unwrap_or(line);
        let gap = |t: usize| r.quantile(cols.yearly(r.plan, k, Yearly::Spend.index(), t), 0.5) - line[t];
        for start in 0..=last_start {
            let Some(over) = cols.period(k, start) else { continue };
            let structural_gap: f64 = (start..start + len).map(gap).sum();
            let median = r.quantile(over, 0.5);
            let first = s.start_year + start as i32;
            for &c in certainties_of {
                let risk_reserve = r.quantile(over, c) - median;
                let (available, risk_ratio, risk_class) = match s.available_reserve {
                    Some(a) => {
                        let ratio = if risk_reserve > 0.0 { a / risk_reserve } else { f64::INFINITY };
                        (a, ratio, RatioClass::of(ratio).letter().to_string())
                    }
                    None => (f64::NAN, f64::NAN, String::new()),
                };
                rows.push(PeriodSplit {
                    strategy: k,
                    years: (first, first + len as i32 - 1),
                    certainty: c,
                    structural_gap,
                    risk_reserve,
                    available,
                    risk_ratio,
                    risk_class,
                });
            }
        }
    }
    rows
}

/// The split of every budget period at the scenario's certainties, in the order of
/// `reserve.csv`'s rows; empty without a budget line.
pub fn periods(r: &Results) -> Vec<PeriodSplit> {
    split_periods(r, false, &r.plan.scenario.certainty)
}

/// The split of the first budget period at each of [`certainties`], in the order of
/// `reserve_by_certainty.csv`'s rows; empty without a budget line.
pub fn first_period_by_certainty(r: &Results) -> Vec<PeriodSplit> {
    split_periods(r, true, &certainties(r))
}
