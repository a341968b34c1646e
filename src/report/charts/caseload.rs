//! `caseload`: young people in care at year end, per segment (one panel each), the median
//! under every strategy: today's contracts in black, the alternatives in colour.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{Axes, frame, panel, range_of, strategy_legend, subtitle};
use crate::report::ReportData;
use crate::report::lang::Lang;

/// One panel: a segment and the median caseload per strategy and year.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPanel {
    /// Segment identifier (`caseload.<id>` in `yearly.csv`).
    pub segment: String,
    /// Readable segment name.
    pub name: String,
    /// Readable segment name in Dutch (the English one where the file gives none).
    pub name_nl: String,
    /// Per strategy: index and median caseload per year.
    pub lines: Vec<(usize, Vec<f64>)>,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Caseload {
    /// Calendar years.
    pub years: Vec<f64>,
    /// One panel per segment, in file order.
    pub panels: Vec<SegmentPanel>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> Caseload {
    let panels = d
        .meta
        .segments
        .iter()
        .map(|g| {
            let metric = crate::metrics::caseload_of(&g.id);
            SegmentPanel {
                segment: g.id.clone(),
                name: g.name.clone(),
                name_nl: if g.name_nl.is_empty() { g.name.clone() } else { g.name_nl.clone() },
                lines: (0..d.strategies())
                    .map(|k| (k, d.yearly_named(k, &metric).unwrap_or(&[]).iter().map(|s| s.p50()).collect()))
                    .collect(),
            }
        })
        .collect();
    Caseload { years: super::xs(d), panels }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Caseload,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = super::focus(d);
    let note = super::with_focus_note(
        d,
        lang,
        lang.t(
            "Clients in care on the last day of the year; median over simulated futures. Each panel has its own scale, from zero.",
            "Cliënten in zorg op de laatste dag van het jaar; mediaan over de gesimuleerde toekomsten. Elk paneel heeft een eigen schaal, vanaf nul.",
        ),
    );
    let body =
        frame(root, super::ChartKind::Caseload.title(lang), &subtitle(d, lang), &strategy_legend(d, &ks, lang), &note)?;
    if s.panels.is_empty() {
        return Ok(());
    }
    let y_title = lang.t("clients in care", "cliënten in zorg");
    let (areas, _) = small_multiples(&body, s.panels.len(), y_title, Some(lang.t("year", "jaar")))?;
    let titles: Vec<String> = s.panels.iter().map(|p| lang.t(&p.name, &p.name_nl).to_string()).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for (p, area) in s.panels.iter().zip(&areas) {
        // Counts from zero, so that a difference of a few clients looks like one.
        let top =
            range_of(p.lines.iter().filter(|(k, _)| ks.contains(k)).flat_map(|(_, ys)| ys.iter().copied()), 0.0).end;
        let y = 0.0..(top * 1.08).max(2.0);
        let axes = Axes { y_integer: true, label_size: 20.0, ..Axes::over_years(d, y.clone()) };
        let mut chart = panel(area, &axes, lang)?;
        super::baseline_on_top(&mut chart, &s.years, &p.lines, d, |k| ks.contains(&k))?;
    }
    Ok(())
}
