//! `spend_fan`: yearly municipal spend per strategy, one panel each: the 90% band (5th to
//! 95th percentile), the 50% band (25th to 75th) and the median, with today's contracts'
//! median dashed for comparison and the budget line dotted where the scenario has one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{Axes, Fan, GREY, INK, Mark, frame, panel, range_of, strategy_colour, strategy_name, subtitle};
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
    let base = d.baseline();
    let mut legend = super::fan_legend(lang);
    legend.push((Mark::Dashed(GREY), format!("{}, {}", strategy_name(d, base, lang), lang.t("median", "mediaan"))));
    if !s.budget.is_empty() {
        legend.push((Mark::Dotted(INK), lang.t("budget line", "begroting").to_string()));
    }
    let note = super::with_focus_note(
        d,
        lang,
        lang.t(
            "Nominal euros (prices of each year). Bands: the range that holds the middle half and the middle 90% of simulated futures; the figure in each panel is the median in the last year.",
            "Nominale euro's (prijspeil van elk jaar). Banden: het bereik van de middelste helft en de middelste 90% van de gesimuleerde toekomsten; het bedrag in elk paneel is de mediaan in het laatste jaar.",
        ),
    );
    let body = frame(root, super::ChartKind::SpendFan.title(lang), &subtitle(d, lang), &legend, &note)?;
    let ks = super::focus(d);
    let fans: Vec<&(usize, Fan)> = ks.iter().filter_map(|k| s.fans.iter().find(|(j, _)| j == k)).collect();
    let y = range_of(fans.iter().flat_map(|(_, f)| f.values()).chain(s.budget.iter().copied()).chain([0.0]), 0.05);
    let y = 0.0..y.end;
    let y_title = format!("{} {}", lang.t("spend per year,", "uitgaven per jaar,"), lang.t("EUR mln", "€ mln"));
    let (areas, _) = small_multiples(&body, fans.len(), &y_title, Some(lang.t("year", "jaar")))?;
    let titles: Vec<String> = fans.iter().map(|(k, _)| strategy_name(d, *k, lang)).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for ((k, fan), area) in fans.into_iter().zip(&areas) {
        let mut chart = panel(area, &Axes::over_years(d, y.clone()), lang)?;
        let c = strategy_colour(d, *k);
        super::fan_bands(&mut chart, &s.years, fan, c)?;
        if !s.budget.is_empty() {
            super::dotted(&mut chart, &s.years, &s.budget, INK.stroke_width(3))?;
        }
        if *k != base {
            super::dashed(&mut chart, &s.years, &s.baseline_median, GREY.stroke_width(3))?;
        }
        super::line(&mut chart, &s.years, &fan.p50, c.stroke_width(4))?;
        if let Some(&v) = fan.p50.last() {
            let last = s.years.last().copied().unwrap_or(f64::NAN);
            let text = format!("{} {last:.0}: {}", lang.t("median", "mediaan"), lang.mln(v * 1e6));
            super::corner_label(&mut chart, &text, super::bold(22.0).color(&c))?;
        }
    }
    Ok(())
}
