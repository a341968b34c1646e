//! `spend_fan`: yearly municipal spend per strategy, one panel each: the 90% band (5th to
//! 95th percentile), the 50% band (25th to 75th) and the median, with today's contracts'
//! median dashed for comparison and the budget line dotted where the scenario has one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, Fan, GREY, INK, Mark, frame, grid, panel, range_of, strategy_colour, subtitle};
use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows, in euro millions.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendFan {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Per strategy (file order): strategy index and its fan of `spend`.
    pub fans: Vec<(usize, Fan)>,
    /// The baseline's median, for comparison in every panel.
    pub baseline_median: Vec<f64>,
    /// The budget line per year (empty without a budget).
    pub budget: Vec<f64>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> SpendFan {
    let fans: Vec<(usize, Fan)> =
        (0..d.strategies()).map(|k| (k, Fan::of(d.yearly_or_empty(k, Yearly::Spend), 1e-6))).collect();
    let baseline_median = fans.get(d.baseline()).map(|(_, f)| f.p50.clone()).unwrap_or_default();
    let budget = if d.has_budget() { d.budget_line.iter().map(|b| b * 1e-6).collect() } else { Vec::new() };
    SpendFan { years: super::xs(d), fans, baseline_median, budget }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SpendFan,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let mut legend = super::fan_legend(lang);
    legend.push((Mark::Dashed(GREY), format!("{}, {}", d.name(d.baseline()), lang.t("median", "mediaan"))));
    if !s.budget.is_empty() {
        legend.push((Mark::Dotted(INK), lang.t("budget line", "begroting").to_string()));
    }
    let body = frame(
        root,
        super::ChartKind::SpendFan.title(lang),
        &subtitle(d, lang),
        &legend,
        lang.t(
            "Nominal euros (prices of each year). Bands: the range that holds the middle half and the middle 90% of simulated futures.",
            "Nominale euro's (prijzen van elk jaar). Banden: het bereik van de middelste helft en de middelste 90% van de gesimuleerde toekomsten.",
        ),
    )?;
    let y = range_of(s.fans.iter().flat_map(|(_, f)| f.values()).chain(s.budget.iter().copied()), 0.05);
    let (rows, cols) = grid(s.fans.len());
    let areas = body.split_evenly((rows, cols));
    for (i, ((k, fan), area)) in s.fans.iter().zip(&areas).enumerate() {
        let axes = Axes {
            title: Some(d.name(*k).to_string()),
            x_desc: super::lowest_in_column(i, cols, s.fans.len()).then(|| lang.t("year", "jaar").to_string()),
            y_desc: (i % cols == 0)
                .then(|| format!("{} {}", lang.t("spend per year,", "uitgaven per jaar,"), lang.t("EUR mln", "€ mln"))),
            ..Axes::over_years(d, y.clone())
        };
        let mut chart = panel(area, &axes, lang)?;
        let c = strategy_colour(d, *k);
        super::fan_bands(&mut chart, &s.years, fan, c)?;
        if !s.budget.is_empty() {
            super::dotted(&mut chart, &s.years, &s.budget, INK.stroke_width(3))?;
        }
        if *k != d.baseline() {
            super::dashed(&mut chart, &s.years, &s.baseline_median, GREY.stroke_width(3))?;
        }
        super::line(&mut chart, &s.years, &fan.p50, c.stroke_width(4))?;
        if let (Some(&x), Some(&v)) = (s.years.last(), fan.p50.last()) {
            let style = super::bold(22.0).color(&c).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Right,
                plotters::style::text_anchor::VPos::Bottom,
            ));
            super::label(&mut chart, (x, v + 0.02 * (y.end - y.start)), lang.mln(v * 1e6), style)?;
        }
    }
    Ok(())
}
