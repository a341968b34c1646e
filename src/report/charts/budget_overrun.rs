//! `budget_overrun`: for every strategy, the probability that the year's municipal spend
//! exceeds the scenario's budget line (the yearly metric `budget_overrun`). Drawn only
//! when the scenario has a budget.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, frame, panel, strategy_legend, subtitle};

use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: per strategy, the probability (in %) per year.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetOverrun {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Strategy index and its probability of exceeding the budget line per year, percent.
    pub lines: Vec<(usize, Vec<f64>)>,
    /// First-year budget (euros) and its yearly growth.
    pub budget: (f64, f64),
}

/// The series of the chart (empty lines without a budget).
pub fn data(d: &ReportData) -> BudgetOverrun {
    let lines = (0..d.strategies())
        .map(|k| {
            (
                k,
                d.yearly_named(k, crate::metrics::BUDGET_OVERRUN)
                    .unwrap_or(&[])
                    .iter()
                    .map(|s| s.mean * 100.0)
                    .collect(),
            )
        })
        .collect();
    BudgetOverrun { years: super::xs(d), lines, budget: (d.meta.budget_eur.unwrap_or(f64::NAN), d.meta.budget_growth) }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &BudgetOverrun,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = super::focus(d);
    let growth = format!("{}%", lang.num(s.budget.1 * 100.0, 1));
    let note = match lang {
        Lang::En => format!(
            "Budget line: {} in {}, growing {growth} a year. Spend in nominal euros (prices of each year).",
            lang.mln(s.budget.0),
            d.meta.start_year
        ),
        Lang::Nl => format!(
            "Begroting: {} in {}, groeit {growth} per jaar. Uitgaven in nominale euro's (prijspeil van elk jaar).",
            lang.mln(s.budget.0),
            d.meta.start_year
        ),
    };
    let note = super::with_focus_note(d, lang, &note);
    let mut legend = strategy_legend(d, &ks, lang);
    legend.push((super::Mark::Dashed(super::GREY), lang.t("even chance", "gelijke kans").to_string()));
    let body = frame(root, super::ChartKind::BudgetOverrun.title(lang), &subtitle(d, lang), &legend, &note)?;
    let area = body.margin(10, 10, 20, 30);
    let axes = Axes::percent_by_year(d, lang, lang.t("chance spend > budget", "kans uitgaven > begroting"));
    let mut chart = panel(&area, &axes, lang)?;
    super::dashed(
        &mut chart,
        &[s.years[0] - 0.5, s.years[s.years.len() - 1] + 0.5],
        &[50.0, 50.0],
        super::GREY.stroke_width(2),
    )?;
    super::probability_lines(&mut chart, &s.years, &s.lines, d)
}
