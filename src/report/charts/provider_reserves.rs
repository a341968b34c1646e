//! `provider_reserves`: the lowest reserves of any provider at each year's end, per strategy
//! (one panel each): the 90% band, the 50% band and the median, with the zero line below
//! which a provider fails (the yearly metric `provider_reserves_min`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, Fan, INK, Mark, frame, grid, panel, range_of, strategy_colour, subtitle};
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
    legend.push((Mark::Dotted(INK), lang.t("zero: the provider fails", "nul: de aanbieder gaat failliet").to_string()));
    let body = frame(
        root,
        super::ChartKind::ProviderReserves.title(lang),
        &subtitle(d, lang),
        &legend,
        lang.t(
            "The lowest reserves of any provider of the strategy at the end of each year, in nominal euros.",
            "De laagste reserves van een aanbieder van de strategie aan het einde van elk jaar, in nominale euro's.",
        ),
    )?;
    let y = range_of(s.fans.iter().flat_map(|(_, f)| f.values()).chain([0.0]), 0.05);
    let (rows, cols) = grid(s.fans.len());
    let areas = body.split_evenly((rows, cols));
    for (i, ((k, fan), area)) in s.fans.iter().zip(&areas).enumerate() {
        let axes = Axes {
            title: Some(d.name(*k).to_string()),
            x_desc: super::lowest_in_column(i, cols, s.fans.len()).then(|| lang.t("year", "jaar").to_string()),
            y_desc: (i % cols == 0)
                .then(|| format!("{} {}", lang.t("reserves,", "reserves,"), lang.t("EUR mln", "€ mln"))),
            ..Axes::over_years(d, y.clone())
        };
        let mut chart = panel(area, &axes, lang)?;
        let c = strategy_colour(d, *k);
        super::fan_bands(&mut chart, &s.years, fan, c)?;
        let zero = vec![0.0; s.years.len()];
        super::dotted(&mut chart, &s.years, &zero, INK.stroke_width(3))?;
        super::line(&mut chart, &s.years, &fan.p50, c.stroke_width(4))?;
    }
    Ok(())
}
