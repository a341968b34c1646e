//! `p_provider_failure`: for every strategy, the probability that at least one provider has
//! failed (run out of reserves) by each year (the yearly metric `provider_failed_so_far`,
//! whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, frame, panel, strategy_colour, strategy_legend, subtitle};
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
        .map(|k| (k, d.yearly_or_empty(k, "provider_failed_so_far").iter().map(|s| s.mean * 100.0).collect()))
        .collect();
    PProviderFailure { years: super::xs(d), lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PProviderFailure,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks: Vec<usize> = s.lines.iter().map(|(k, _)| *k).collect();
    let body = frame(
        root,
        super::ChartKind::PProviderFailure.title(lang),
        &subtitle(d, lang),
        &strategy_legend(d, &ks),
        lang.t(
            "Share of simulated futures in which at least one provider has run out of reserves by that year.",
            "Aandeel van de gesimuleerde toekomsten waarin uiterlijk in dat jaar minstens één aanbieder door zijn reserves heen is.",
        ),
    )?;
    let axes = Axes {
        title: None,
        x: super::year_range(&d.years()),
        y: -1.5..101.5,
        x_desc: Some(lang.t("year", "jaar").to_string()),
        y_desc: Some(lang.t("chance of a provider failure", "kans op een faillissement").to_string()),
        y_decimals: 0,
        x_decimals: 0,
        x_is_year: true,
        y_is_pct: true,
        label_size: 24.0,
    };
    let area = body.margin(10, 10, 20, 30);
    let mut chart = panel(&area, &axes, lang)?;
    for (k, ys) in &s.lines {
        let w = if *k == d.baseline() { 5 } else { 4 };
        super::line(&mut chart, &s.years, ys, strategy_colour(d, *k).stroke_width(w))?;
    }
    Ok(())
}
