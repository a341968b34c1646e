//! `p_cheapest`: for every strategy, the probability that it is the cheapest of all,
//! counting discounted spend from the start year up to each year (the yearly metric
//! `p_cheapest`, whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: per strategy, the probability (in %) per year.
#[derive(Debug, Clone, PartialEq)]
pub struct PCheapest {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Strategy index and its probability of being cheapest by each year, in percent.
    pub lines: Vec<(usize, Vec<f64>)>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> PCheapest {
    let lines = (0..d.strategies())
        .map(|k| (k, d.yearly_or_empty(k, Yearly::PCheapest).iter().map(|s| s.mean * 100.0).collect()))
        .collect();
    PCheapest { years: super::xs(d), lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PCheapest,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    super::probability_by_year(
        root,
        super::ChartKind::PCheapest,
        &s.years,
        &s.lines,
        d,
        lang,
        lang.t(
            "Share of simulated futures in which the strategy's discounted spend, summed from the start year, is the lowest.",
            "Aandeel van de gesimuleerde toekomsten waarin de opgetelde, contant gemaakte uitgaven van de strategie het laagst zijn.",
        ),
        lang.t("chance of being cheapest", "kans op goedkoopste"),
    )
}
