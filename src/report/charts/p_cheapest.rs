//! `p_cheapest`: for every strategy, the probability that it is the cheapest of all,
//! counting discounted spend from the start year up to each year (the yearly metric
//! `p_cheapest`, whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: per strategy, the probability (in %) per year.
pub type PCheapest = super::ProbabilityByYear;

/// The series of the chart.
pub fn data(d: &ReportData) -> PCheapest {
    super::ProbabilityByYear::of(d, Yearly::PCheapest)
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PCheapest,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let labels = super::ProbabilityLabels {
        kind: super::ChartKind::PCheapest,
        note: lang.t(
            "Share of simulated futures in which the strategy's discounted spend, summed from the start year, is the lowest.",
            "Aandeel van de gesimuleerde toekomsten waarin de opgetelde, contant gemaakte uitgaven van de strategie het laagst zijn.",
        ),
        y_desc: lang.t("chance of being cheapest", "kans op goedkoopste"),
    };
    super::probability_by_year(root, s, &labels, d, lang)
}
