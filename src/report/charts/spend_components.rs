//! `spend_components`: what the municipality's yearly spend consists of, per strategy:
//! the medians of care payments, outcome payments, prevention and the municipality's own
//! administration, stacked. (Medians of parts do not add up exactly to the median of the
//! total; the chart says so.)

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{Axes, Mark, frame, panel, range_of, strategy_name, subtitle};
use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// The components, bottom to top: yearly metric name, English and Dutch label, colour.
pub const COMPONENTS: [(Yearly, &str, &str, RGBColor); 4] = [
    (Yearly::CarePayments, "care payments", "betalingen voor zorg", RGBColor(0x00, 0x72, 0xB2)),
    (Yearly::OutcomePayments, "outcome payments", "resultaatbetalingen", RGBColor(0xE6, 0x9F, 0x00)),
    (Yearly::PreventionCost, "prevention", "preventie", RGBColor(0x00, 0x9E, 0x73)),
    (Yearly::AdminCost, "own administration", "eigen uitvoeringskosten", RGBColor(0xCC, 0x79, 0xA7)),
];

/// What the chart shows, euro millions.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendComponents {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Per strategy: its index and the median of each component per year, in
    /// [`COMPONENTS`] order.
    pub stacks: Vec<(usize, Vec<Vec<f64>>)>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> SpendComponents {
    let stacks = (0..d.strategies())
        .map(|k| {
            let parts = COMPONENTS
                .iter()
                .map(|(m, ..)| d.yearly_or_empty(k, *m).iter().map(|s| s.p50() * 1e-6).collect())
                .collect();
            (k, parts)
        })
        .collect();
    SpendComponents { years: super::xs(d), stacks }
}

/// Running totals of the parts: `out[i][t]` = sum of parts `0..=i` in year `t`.
pub fn cumulate(parts: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let row = p
            .iter()
            .enumerate()
            .map(|(t, v)| {
                let below = if i == 0 { 0.0 } else { out[i - 1].get(t).copied().unwrap_or(0.0) };
                below + if v.is_finite() { v.max(0.0) } else { 0.0 }
            })
            .collect();
        out.push(row);
    }
    out
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &SpendComponents,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let legend: Vec<(Mark, String)> =
        COMPONENTS.iter().map(|(_, en, nl, c)| (Mark::Box(*c), lang.t(en, nl).to_string())).collect();
    let note = super::with_focus_note(
        d,
        lang,
        lang.t(
            "Nominal euros. Each layer is the median of that component; medians of parts need not add up to the median total.",
            "Nominale euro's (prijspeil van elk jaar). Elke laag is de mediaan van dat onderdeel; medianen van delen tellen niet precies op tot de mediaan van het totaal.",
        ),
    );
    let body = frame(root, super::ChartKind::SpendComponents.title(lang), &subtitle(d, lang), &legend, &note)?;
    let ks = super::focus(d);
    let stacks: Vec<&(usize, Vec<Vec<f64>>)> =
        ks.iter().filter_map(|k| s.stacks.iter().find(|(j, _)| j == k)).collect();
    let tops: Vec<Vec<Vec<f64>>> = stacks.iter().map(|(_, parts)| cumulate(parts)).collect();
    let y = range_of(tops.iter().filter_map(|t| t.last()).flatten().copied().chain([0.0]), 0.04);
    let y = 0.0..y.end;
    let y_title = lang.t("spend per year, EUR mln", "uitgaven per jaar, € mln");
    let (areas, _) = small_multiples(&body, stacks.len(), y_title, Some(lang.t("year", "jaar")))?;
    let titles: Vec<String> = stacks.iter().map(|(k, _)| strategy_name(d, *k, lang)).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for (((_, _), top), area) in stacks.iter().zip(&tops).zip(&areas) {
        let mut chart = panel(area, &Axes::over_years(d, y.clone()), lang)?;
        let zero = vec![0.0; s.years.len()];
        for (j, upper) in top.iter().enumerate() {
            let lower = if j == 0 { &zero } else { &top[j - 1] };
            if upper.iter().zip(lower).all(|(u, l)| (u - l).abs() < 1e-12) {
                continue;
            }
            super::band(&mut chart, &s.years, lower, upper, COMPONENTS[j].3)?;
        }
    }
    Ok(())
}
