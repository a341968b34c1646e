//! `reserve_by_certainty`: the required risk reserve (benodigde weerstandscapaciteit) over
//! the first budget period against the certainty (zekerheidspercentage) from 70% to 95%,
//! per strategy (`reserve_by_certainty.csv`). Drawn only when the scenario has a budget line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, frame, panel, range_of, strategy_colour, strategy_legend, subtitle};
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows: certainties (percent) and, per strategy, the reserve (EUR mln).
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveByCertainty {
    /// Certainties in percent.
    pub certainty: Vec<f64>,
    /// Strategy index and its required reserve at each certainty, in euro millions.
    pub lines: Vec<(usize, Vec<f64>)>,
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
    ReserveByCertainty { certainty: certainty.iter().map(|c| c * 100.0).collect(), lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &ReserveByCertainty,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks: Vec<usize> = s.lines.iter().map(|(k, _)| *k).collect();
    let (first, last) = d.first_period_reserve.first().map_or((d.meta.start_year, d.meta.end_year()), |r| r.years);
    let note = match lang {
        Lang::En => format!(
            "The cumulative overrun of the budget line over {first}-{last} that is not exceeded with the given certainty (benodigde weerstandscapaciteit)."
        ),
        Lang::Nl => format!(
            "De cumulatieve overschrijding van de begroting over {first}-{last} die met de gegeven zekerheid niet wordt overschreden."
        ),
    };
    let body = frame(
        root,
        super::ChartKind::ReserveByCertainty.title(lang),
        &subtitle(d, lang),
        &strategy_legend(d, &ks),
        &note,
    )?;
    let lo = s.certainty.first().copied().unwrap_or(70.0);
    let hi = s.certainty.last().copied().unwrap_or(95.0);
    let y = range_of(s.lines.iter().flat_map(|(_, v)| v.iter().copied()).chain([0.0]), 0.05);
    let axes = Axes {
        title: None,
        x: (lo - 1.0)..(hi + 1.0),
        y: y.clone(),
        x_desc: Some(lang.t("certainty (%)", "zekerheidspercentage (%)").to_string()),
        y_desc: Some(format!(
            "{} {}",
            lang.t("required reserve,", "benodigde weerstandscapaciteit,"),
            lang.t("EUR mln", "€ mln")
        )),
        y_decimals: super::decimals_for(y.end - y.start),
        x_decimals: 0,
        x_is_year: false,
        y_is_pct: false,
        label_size: 24.0,
    };
    let area = body.margin(10, 10, 20, 30);
    let mut chart = panel(&area, &axes, lang)?;
    for (k, ys) in &s.lines {
        let w = if *k == d.baseline() { 5 } else { 4 };
        super::line(&mut chart, &s.certainty, ys, strategy_colour(d, *k).stroke_width(w))?;
    }
    Ok(())
}
