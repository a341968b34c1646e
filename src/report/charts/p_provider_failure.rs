//! `p_provider_failure`: for every strategy, the probability that at least one provider has
//! failed (run out of reserves) by each year (the yearly metric `provider_failed_so_far`,
//! whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: per strategy, the probability (in %) per year.
#[derive(Debug, Clone, PartialEq)]
pub struct PProviderFailure {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Strategy index and P(a provider has failed by the year), percent.
    pub lines: Vec<(usize, Vec<f64>)>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> PProviderFailure {
    let lines = (0..d.strategies())
        .map(|k| (k, d.yearly_or_empty(k, Yearly::ProviderFailedSoFar).iter().map(|s| s.mean * 100.0).collect()))
        .collect();
    PProviderFailure { years: super::xs(d), lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PProviderFailure,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    super::probability_by_year(
        root,
        super::ChartKind::PProviderFailure,
        &s.years,
        &s.lines,
        d,
        lang,
        lang.t(
            "Share of simulated futures in which at least one provider has run out of reserves by that year.",
            "Aandeel van de gesimuleerde toekomsten waarin uiterlijk in dat jaar minstens één aanbieder door zijn reserves heen is.",
        ),
        lang.t("chance of a provider failure", "kans op een faillissement"),
    )
}
