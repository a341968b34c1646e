//! `cumulative_saving`: for each alternative strategy, the cumulative discounted saving
//! versus the baseline up to each year (median and 90% band), a zero line, and the
//! break-even year marked (the median over runs of the first year from which the strategy
//! stays cheaper; "never" counts as later than any year).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Axes, Fan, GREY, INK, Mark, alternatives, frame, grid, panel, range_of, strategy_colour, subtitle, tint};
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
        "{} {} {}",
        lang.t("Above zero: cheaper than", "Boven nul: goedkoper dan"),
        d.name(d.baseline()),
        lang.t(
            "so far. Spend summed from the start year, discounted to start-year money.",
            "tot dan toe. Uitgaven opgeteld vanaf het startjaar, contant gemaakt naar het startjaar."
        ),
    );
    let body = frame(root, super::ChartKind::CumulativeSaving.title(lang), &subtitle(d, lang), &legend, &note)?;
    if s.panels.is_empty() {
        return Ok(());
    }
    let (rows, cols) = grid(s.panels.len());
    // Each panel has its own scale: savings differ by orders of magnitude between
    // strategies (prevention against a change of contract form), and what a council reads
    // here is the sign and the year it turns.
    let label_size = if cols >= 3 { 18.0 } else { 22.0 };
    let areas = body.split_evenly((rows, cols));
    let last = s.years.last().copied().unwrap_or(0.0);
    for (i, (p, area)) in s.panels.iter().zip(&areas).enumerate() {
        let y = range_of(p.fan.p5.iter().chain(&p.fan.p50).chain(&p.fan.p95).copied().chain([0.0]), 0.15);
        let axes = Axes {
            title: Some(d.name(p.strategy).to_string()),
            x_desc: super::lowest_in_column(i, cols, s.panels.len()).then(|| lang.t("year", "jaar").to_string()),
            y_desc: (i % cols == 0)
                .then(|| lang.t("cumulative saving, EUR mln", "opgetelde besparing, € mln").to_string()),
            ..Axes::over_years(d, y.clone())
        };
        let mut chart = panel(area, &axes, lang)?;
        let c = strategy_colour(d, p.strategy);
        super::band(&mut chart, &s.years, &p.fan.p5, &p.fan.p95, tint(c, 0.75))?;
        super::line(&mut chart, &[s.years[0] - 0.5, last + 0.5], &[0.0, 0.0], GREY.stroke_width(2))?;
        super::line(&mut chart, &s.years, &p.fan.p50, c.stroke_width(4))?;
        let top = y.end - 0.04 * (y.end - y.start);
        if p.break_even_year.is_finite() {
            let x = p.break_even_year;
            super::dashed(&mut chart, &[x, x], &[y.start, y.end], INK.stroke_width(3))?;
            let right = x > (s.years[0] + last) / 2.0;
            let anchor = if right { HPos::Right } else { HPos::Left };
            let dx = if right { -0.3 } else { 0.3 };
            let text = match lang {
                Lang::En => format!("break-even {x:.0} · {} by {last:.0}", lang.pct(p.p_break_even)),
                Lang::Nl => format!("terugverdiend {x:.0} · {} t/m {last:.0}", lang.pct(p.p_break_even)),
            };
            let style = super::bold(label_size).color(&INK).pos(Pos::new(anchor, VPos::Top));
            super::label(&mut chart, (x + dx, top), text, style)?;
        } else {
            let text = match lang {
                Lang::En => format!("half of futures: no break-even by {last:.0} ({} do)", lang.pct(p.p_break_even)),
                Lang::Nl => format!("helft: niet terugverdiend t/m {last:.0} ({} wel)", lang.pct(p.p_break_even)),
            };
            let style = super::bold(label_size).color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
            super::label(&mut chart, (s.years[0], top), text, style)?;
        }
    }
    Ok(())
}
