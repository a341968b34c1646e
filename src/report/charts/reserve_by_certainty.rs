//! `reserve_by_certainty`: the required risk reserve (benodigde weerstandscapaciteit) over
//! the first budget period against the certainty (zekerheidspercentage) from 70% to 95%,
//! per strategy of the focus (`reserve_by_certainty.csv`), each line with its own marker so
//! that lines on top of each other stay apart; the available reserve (the scenario's
//! `available_reserve`, beschikbare weerstandscapaciteit) as a labelled horizontal line
//! when the scenario sets it. Drawn only when the scenario has a budget line.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Axes, GREY, Mark, Msg, frame, panel, range_of, strategy_colour, strategy_marker, strategy_name, subtitle};
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: certainties (percent) and, per strategy, the reserve (EUR mln).
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveByCertainty {
    /// Certainties in percent.
    pub certainty: Vec<f64>,
    /// Strategy index and its required reserve at each certainty, in euro millions.
    pub lines: Vec<(usize, Vec<f64>)>,
    /// The available reserve (`available_reserve`), euro millions; NaN when the scenario
    /// does not set it.
    pub available: f64,
}

/// The series of the chart (empty without a budget line).
pub fn data(d: &ReportData) -> ReserveByCertainty {
    let mut certainty: Vec<f64> = d.reserve_by_certainty.iter().map(|r| r.1).collect();
    certainty.sort_by(f64::total_cmp);
    certainty.dedup();
    let lines = (0..d.strategies())
        .map(|k| {
            let ys = certainty
                .iter()
                .map(|c| d.reserve_by_certainty.iter().find(|r| r.0 == k && r.1 == *c).map_or(f64::NAN, |r| r.2 * 1e-6))
                .collect();
            (k, ys)
        })
        .collect();
    let available =
        d.first_period_reserve.iter().map(|r| r.available).find(|a| a.is_finite()).map_or(f64::NAN, |a| a * 1e-6);
    ReserveByCertainty { certainty: certainty.iter().map(|c| c * 100.0).collect(), lines, available }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &ReserveByCertainty,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = super::focus(d);
    let (first, last) = d.first_period_reserve.first().map_or((d.meta.start_year, d.meta.end_year()), |r| r.years);
    let note = match lang {
        Lang::En => format!(
            "The cumulative overrun of the budget line over {first}–{last} that is not exceeded with the given certainty (benodigde weerstandscapaciteit)."
        ),
        Lang::Nl => format!(
            "De cumulatieve overschrijding van de begroting over {first} t/m {last} die met de gegeven zekerheid niet wordt overschreden."
        ),
    };
    let note = super::with_focus_note(d, lang, &note);
    let mut legend: Vec<(Mark, String)> = ks
        .iter()
        .map(|&k| (Mark::Point(strategy_colour(d, k), strategy_marker(d, k)), strategy_name(d, k, lang)))
        .collect();
    let available = s.available.is_finite().then_some(s.available);
    let available_text = available
        .map(|a| format!("{} {}", lang.t("available reserve", "beschikbare weerstandscapaciteit"), lang.mln(a * 1e6)));
    if let Some(t) = &available_text {
        legend.push((Mark::Dashed(GREY), t.clone()));
    }
    let body = frame(root, super::ChartKind::ReserveByCertainty.title(lang), &subtitle(d, lang), &legend, &note)?;
    let lo = s.certainty.first().copied().unwrap_or(70.0);
    let hi = s.certainty.last().copied().unwrap_or(95.0);
    let shown = || s.lines.iter().filter(|(k, _)| ks.contains(k));
    let y = range_of(shown().flat_map(|(_, v)| v.iter().copied()).chain([0.0]).chain(available), 0.06);
    let y = 0.0_f64.min(y.start)..y.end;
    let axes = Axes {
        x: (lo - 1.0)..(hi + 1.0),
        y: y.clone(),
        x_desc: Some(lang.t("certainty (%)", "zekerheidspercentage (%)").to_string()),
        y_desc: Some(format!(
            "{} {}",
            lang.t("required reserve,", "benodigde weerstandscapaciteit,"),
            lang.t("EUR mln", "€ mln")
        )),
        x_is_year: false,
        y_is_pct: false,
        y_integer: false,
        label_size: 24.0,
    };
    let area = body.margin(10, 10, 20, 30);
    let mut chart = panel(&area, &axes, lang)?;
    if let (Some(a), Some(t)) = (available, &available_text) {
        super::dashed(&mut chart, &[lo - 1.0, hi + 1.0], &[a, a], GREY.stroke_width(3))?;
        // The label just above the line at the left, inside the plot.
        let (px, py) = chart.backend_coord(&(lo - 0.8, a));
        let plot = chart.plotting_area().strip_coord_spec();
        let (x0, y0) = (plot.get_base_pixel().0, plot.get_base_pixel().1);
        let style = super::font(22.0).color(&GREY).pos(Pos::new(HPos::Left, VPos::Bottom));
        let (pw, _) = plot.dim_in_pixel();
        let text = super::layout::shorten(t, 22.0, false, pw as f64 / 2.0);
        let above = (py - y0 - 6).max(30);
        plot.draw(&Text::new(text, (px - x0, above), style)).msg()?;
    }
    // Alternatives first, the baseline on top.
    let order = ks.iter().filter(|&&k| k != d.baseline()).chain(ks.iter().filter(|&&k| k == d.baseline()));
    for &k in order {
        let Some((_, ys)) = s.lines.iter().find(|(j, _)| *j == k) else { continue };
        let c = strategy_colour(d, k);
        super::line(&mut chart, &s.certainty, ys, c.stroke_width(if k == d.baseline() { 4 } else { 3 }))?;
        let plot = chart.plotting_area().strip_coord_spec();
        let base = plot.get_base_pixel();
        for (&x, &v) in s.certainty.iter().zip(ys).filter(|(_, v)| v.is_finite()) {
            let (px, py) = chart.backend_coord(&(x, v));
            super::draw_marker(&plot, (px - base.0, py - base.1), strategy_marker(d, k), c)?;
        }
    }
    Ok(())
}
