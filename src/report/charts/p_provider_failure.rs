//! `p_provider_failure`: for every strategy, the probability that at least one provider has
//! failed (run out of reserves) by each year (the yearly metric `provider_failed_so_far`,
//! whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: per strategy, the probability (in %) per year.
pub type PProviderFailure = super::ProbabilityByYear;

/// The series of the chart.
pub fn data(d: &ReportData) -> PProviderFailure {
    super::ProbabilityByYear::of(d, Yearly::ProviderFailedSoFar)
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PProviderFailure,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let labels = super::ProbabilityLabels {
        kind: super::ChartKind::PProviderFailure,
        note: lang.t(
            "Share of simulated futures in which at least one provider has run out of reserves by that year.",
            "Aandeel van de gesimuleerde toekomsten waarin uiterlijk in dat jaar minstens één aanbieder door zijn reserves heen is.",
        ),
        y_desc: lang.t("chance a provider ran out of reserves", "kans op continuïteitsrisico"),
    };
    super::probability_by_year(root, s, &labels, d, lang)
}
