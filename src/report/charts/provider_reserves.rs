//! `provider_reserves`: the lowest reserves of any provider at each year's end, per strategy
//! (one panel each): the 90% band, the 50% band and the median, with the zero line below
//! which a provider fails (the yearly metric `provider_reserves_min`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{Axes, Fan, INK, Mark, frame, panel, range_of, strategy_colour, strategy_name, subtitle};
use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows, in euro millions.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderReserves {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Per strategy: strategy index and its fan of `provider_reserves_min`.
    pub fans: Vec<(usize, Fan)>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> ProviderReserves {
    let fans =
        (0..d.strategies()).map(|k| (k, Fan::of(d.yearly_or_empty(k, Yearly::ProviderReservesMin), 1e-6))).collect();
    ProviderReserves { years: super::xs(d), fans }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &ProviderReserves,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let mut legend = super::fan_legend(lang);
    legend.push((
        Mark::Dotted(INK),
        lang.t("zero: the provider runs out of reserves", "nul: continuïteitsrisico, de reserves zijn op").to_string(),
    ));
    let note = super::with_focus_note(
        d,
        lang,
        lang.t(
            "The lowest reserves of any provider of the strategy at the end of each year, in nominal euros.",
            "De laagste reserves van een aanbieder van de strategie aan het einde van elk jaar, in nominale euro's (prijspeil van elk jaar).",
        ),
    );
    let body = frame(root, super::ChartKind::ProviderReserves.title(lang), &subtitle(d, lang), &legend, &note)?;
    let ks = super::focus(d);
    let fans: Vec<&(usize, Fan)> = ks.iter().filter_map(|k| s.fans.iter().find(|(j, _)| j == k)).collect();
    let y = range_of(fans.iter().flat_map(|(_, f)| f.values()).chain([0.0]), 0.05);
    let y_title = format!("{} {}", lang.t("lowest reserves,", "laagste reserves,"), lang.t("EUR mln", "€ mln"));
    let (areas, _) = small_multiples(&body, fans.len(), &y_title, Some(lang.t("year", "jaar")))?;
    let titles: Vec<String> = fans.iter().map(|(k, _)| strategy_name(d, *k, lang)).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for ((k, fan), area) in fans.into_iter().zip(&areas) {
        let mut chart = panel(area, &Axes::over_years(d, y.clone()), lang)?;
        let c = strategy_colour(d, *k);
        super::fan_bands(&mut chart, &s.years, fan, c)?;
        let zero = vec![0.0; s.years.len()];
        super::dotted(&mut chart, &s.years, &zero, INK.stroke_width(3))?;
        super::line(&mut chart, &s.years, &fan.p50, c.stroke_width(4))?;
    }
    Ok(())
}
