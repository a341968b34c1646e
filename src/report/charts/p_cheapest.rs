//! `p_cheapest`: for every strategy, the probability that it is the cheapest of all,
//! counting discounted spend from the start year up to each year (the yearly metric
//! `p_cheapest`, whose mean is that probability).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, frame, panel, strategy_colour, strategy_legend, subtitle};
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
        .map(|k| (k, d.yearly_or_empty(k, "p_cheapest").iter().map(|s| s.mean * 100.0).collect()))
        .collect();
    PCheapest { years: super::xs(d), lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &PCheapest,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks: Vec<usize> = s.lines.iter().map(|(k, _)| *k).collect();
    let body = frame(
        root,
        super::ChartKind::PCheapest.title(lang),
        &subtitle(d, lang),
        &strategy_legend(d, &ks),
        lang.t(
            "Share of simulated futures in which the strategy's discounted spend, summed from the start year, is the lowest.",
            "Aandeel van de gesimuleerde toekomsten waarin de opgetelde, contant gemaakte uitgaven van de strategie het laagst zijn.",
        ),
    )?;
    let axes = Axes {
        title: None,
        x: super::year_range(&d.years()),
        // A little room below 0% and above 100% so that lines there stay visible.
        y: -1.5..101.5,
        x_desc: Some(lang.t("year", "jaar").to_string()),
        y_desc: Some(lang.t("chance of being cheapest", "kans op goedkoopste").to_string()),
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
