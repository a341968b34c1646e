//! `waiting`: waiting lists next to spend, per strategy over the years: the mean number of
//! children waiting (left) and the mean wait in weeks of those admitted (right); today's
//! contracts in black, the alternatives in colour. Only when some strategy has a waiting
//! list (capacity or rationing in the scenario).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::panel_heads;
use super::{Axes, frame, panel, range_of, strategy_legend, subtitle};
use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Per strategy: index and the mean number waiting per year (`waiting`, mean).
    pub queue: Vec<(usize, Vec<f64>)>,
    /// Per strategy: index and the mean wait in weeks per year (`waiting_weeks_mean`, mean).
    pub weeks: Vec<(usize, Vec<f64>)>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> Waiting {
    let series = |metric: Yearly| -> Vec<(usize, Vec<f64>)> {
        (0..d.strategies()).map(|k| (k, d.yearly_or_empty(k, metric).iter().map(|s| s.mean).collect())).collect()
    };
    Waiting { years: super::xs(d), queue: series(Yearly::Waiting), weeks: series(Yearly::WaitingWeeksMean) }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Waiting,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    // The baseline and the strategies of the focus with a waiting list; the others stay at
    // zero.
    let has_list = |k: usize| s.queue.iter().any(|(j, ys)| *j == k && ys.iter().any(|&y| y > 0.0));
    let ks: Vec<usize> = super::focus(d).into_iter().filter(|&k| k == d.baseline() || has_list(k)).collect();
    let note = super::with_focus_note(
        d,
        lang,
        lang.t(
            "Mean over simulated futures. Left: children on waiting lists, averaged over the year. Right: how long \
             those who started care in the year waited (0 for those who started at once). Both axes from zero.",
            "Gemiddelde over de gesimuleerde toekomsten. Links: kinderen op wachtlijsten, gemiddeld over het jaar. \
             Rechts: hoe lang wie in het jaar met jeugdhulp startte heeft gewacht (0 voor wie meteen kon starten). Beide assen vanaf nul.",
        ),
    );
    let body =
        frame(root, super::ChartKind::Waiting.title(lang), &subtitle(d, lang), &strategy_legend(d, &ks, lang), &note)?;
    let areas = body.split_evenly((1, 2));
    let panels = [
        (&s.queue, lang.t("Children waiting", "Wachtende kinderen"), lang.t("children", "kinderen"), true),
        (&s.weeks, lang.t("Wait of those who started care", "Wachttijd tot de start"), lang.t("weeks", "weken"), false),
    ];
    let titles: Vec<String> = panels.iter().map(|p| p.1.to_string()).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for ((lines, _, unit, count), area) in panels.iter().zip(&areas) {
        let r = range_of(
            lines
                .iter()
                .filter(|(k, _)| ks.contains(k))
                .flat_map(|(_, ys)| ys.iter().copied())
                .filter(|v| v.is_finite()),
            0.08,
        );
        let y = 0.0..r.end.max(if *count { 2.0 } else { 1.0 });
        let axes = Axes {
            x_desc: Some(lang.t("year", "jaar").to_string()),
            y_desc: Some(unit.to_string()),
            y_integer: *count,
            label_size: 20.0,
            ..Axes::over_years(d, y.clone())
        };
        let mut chart = panel(area, &axes, lang)?;
        super::baseline_on_top(&mut chart, &s.years, lines, d, |k| ks.contains(&k))?;
    }
    Ok(())
}
