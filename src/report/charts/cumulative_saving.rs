//! `cumulative_saving`: for each alternative strategy, the cumulative discounted saving
//! versus the baseline up to each year (median and 90% band), a zero line, and the
//! break-even year marked (the median over runs of the first year from which the strategy
//! stays cheaper; "never" counts as later than any year).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{
    Axes, Fan, GREY, INK, Mark, alternatives, frame, panel, range_of, strategy_colour, strategy_name, subtitle, tint,
};
use crate::metrics::{Horizon, Yearly};
use crate::report::ReportData;
use crate::report::lang::Lang;

/// One panel: a strategy's saving fan (euro millions) and break-even figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingPanel {
    /// Strategy index.
    pub strategy: usize,
    /// Fan of `cumulative_saving`, euro millions.
    pub fan: Fan,
    /// Median break-even year (`break_even_year` p50); NaN when more than half never do.
    pub break_even_year: f64,
    /// Probability of breaking even within the horizon (`p_break_even`).
    pub p_break_even: f64,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeSaving {
    /// Calendar years.
    pub years: Vec<f64>,
    /// One panel per alternative strategy.
    pub panels: Vec<SavingPanel>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> CumulativeSaving {
    let panels = alternatives(d)
        .into_iter()
        .map(|k| SavingPanel {
            strategy: k,
            fan: Fan::of(d.yearly_or_empty(k, Yearly::CumulativeSaving), 1e-6),
            break_even_year: d.horizon(k, Horizon::BreakEvenYear).p50(),
            p_break_even: d.horizon(k, Horizon::PBreakEven).mean,
        })
        .collect();
    CumulativeSaving { years: super::xs(d), panels }
}

/// The line under a panel's title: the median break-even year and the chance of breaking
/// even within the horizon, or that more than half of futures do not.
pub(crate) fn break_even_text(p: &SavingPanel, last: f64, lang: Lang) -> String {
    let x = p.break_even_year;
    if x.is_finite() {
        match lang {
            Lang::En => format!(
                "break-even {x:.0} (median) · {} of futures by {last:.0}",
                crate::report::answer::share(p.p_break_even, lang)
            ),
            Lang::Nl => {
                format!(
                    "terugverdiend {x:.0} (mediaan) · {} van de toekomsten t/m {last:.0}",
                    crate::report::answer::share(p.p_break_even, lang)
                )
            }
        }
    } else {
        match lang {
            Lang::En => format!(
                "no break-even by {last:.0} in half of futures ({} do)",
                crate::report::answer::share(p.p_break_even, lang)
            ),
            Lang::Nl => format!(
                "in de helft van de toekomsten niet terugverdiend t/m {last:.0} ({} wel)",
                crate::report::answer::share(p.p_break_even, lang)
            ),
        }
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &CumulativeSaving,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let legend = vec![
        (Mark::Line(INK, 4), lang.t("median", "mediaan").to_string()),
        (Mark::Box(tint(GREY, 0.75)), lang.t("9 of 10 futures", "9 van de 10 toekomsten").to_string()),
        (Mark::Dashed(INK), lang.t("break-even year (median)", "terugverdienjaar (mediaan)").to_string()),
    ];
    let note = format!(
        "{} {} {} {}",
        lang.t("Above zero: cheaper than", "Boven nul: goedkoper dan"),
        strategy_name(d, d.baseline(), lang),
        lang.t(
            "so far. Spend summed from the start year, discounted to start-year money. Each panel has its own scale.",
            "tot dan toe. Uitgaven opgeteld vanaf het startjaar, contant gemaakt naar het startjaar. Elk paneel heeft een eigen schaal."
        ),
        super::focus_note(d, lang).unwrap_or_default(),
    );
    let body =
        frame(root, super::ChartKind::CumulativeSaving.title(lang), &subtitle(d, lang), &legend, note.trim_end())?;
    let ks = super::focus_alternatives(d);
    let panels: Vec<&SavingPanel> = ks.iter().filter_map(|k| s.panels.iter().find(|p| p.strategy == *k)).collect();
    if panels.is_empty() {
        return Ok(());
    }
    // Each panel has its own scale: savings differ by orders of magnitude between
    // strategies (prevention against a change of contract form), and what a council reads
    // here is the sign and the year it turns.
    let y_title = lang.t("cumulative saving, EUR mln", "opgetelde besparing, € mln");
    let (areas, cols) = small_multiples(&body, panels.len(), y_title, Some(lang.t("year", "jaar")))?;
    let label_size = if cols >= 3 { 20.0 } else { 22.0 };
    let last = s.years.last().copied().unwrap_or(0.0);
    let titles: Vec<String> = panels.iter().map(|p| strategy_name(d, p.strategy, lang)).collect();
    let infos: Vec<Option<String>> = panels.iter().map(|p| Some(break_even_text(p, last, lang))).collect();
    let areas = panel_heads(&areas, &titles, &infos)?;
    for (p, area) in panels.into_iter().zip(&areas) {
        let y = range_of(p.fan.p5.iter().chain(&p.fan.p50).chain(&p.fan.p95).copied().chain([0.0]), 0.08);
        let mut chart = panel(area, &Axes { label_size, ..Axes::over_years(d, y.clone()) }, lang)?;
        let c = strategy_colour(d, p.strategy);
        super::band(&mut chart, &s.years, &p.fan.p5, &p.fan.p95, tint(c, 0.75))?;
        super::line(&mut chart, &[s.years[0] - 0.5, last + 0.5], &[0.0, 0.0], GREY.stroke_width(2))?;
        super::line(&mut chart, &s.years, &p.fan.p50, c.stroke_width(4))?;
        if p.break_even_year.is_finite() {
            let x = p.break_even_year;
            super::dashed(&mut chart, &[x, x], &[y.start, y.end], INK.stroke_width(3))?;
        }
    }
    Ok(())
}
