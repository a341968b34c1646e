//! `waiting`: waiting lists next to spend, per strategy with a waiting list over the years:
//! the number of children waiting (left) and the wait in weeks of those admitted (right),
//! each as the mean over futures (line) inside the band of 9 in 10 futures (5th to 95th
//! percentile of `yearly.csv`). One row per strategy with a waiting list; strategies
//! without one are named in the note, not drawn as a line at zero. Only when some strategy
//! has a waiting list (capacity or rationing in the scenario).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::panel_heads;
use super::{Axes, Fan, INK, Mark, STRATEGY_PALETTE, frame, panel, range_of, subtitle, tint};
use crate::metrics::Yearly;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// Most strategies with a waiting list the chart shows (one row each).
pub(crate) const MAX_ROWS: usize = 3;

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Per strategy: index and the mean number waiting per year (`waiting`, mean).
    pub queue: Vec<(usize, Vec<f64>)>,
    /// Per strategy: index and the mean wait in weeks per year (`waiting_weeks_mean`, mean).
    pub weeks: Vec<(usize, Vec<f64>)>,
    /// Per strategy: index and the percentiles over futures of the number waiting per year
    /// (`waiting`, p5 to p95).
    pub queue_fan: Vec<(usize, Fan)>,
    /// Per strategy: index and the percentiles over futures of the mean wait in weeks
    /// (`waiting_weeks_mean`, p5 to p95).
    pub weeks_fan: Vec<(usize, Fan)>,
}

impl Waiting {
    /// Whether strategy `k` has a waiting list in some simulated future: its mean list is
    /// above zero in some year (a list is never negative, so a mean of zero in every year
    /// means nobody waits in any future).
    pub fn has_list(&self, k: usize) -> bool {
        self.queue.iter().any(|(j, ys)| *j == k && ys.iter().any(|&y| y > 0.0))
    }

    /// Whether strategy `k`'s median list is zero in every year: in at least half of the
    /// futures nobody waits.
    pub fn median_zero(&self, k: usize) -> bool {
        self.queue_fan.iter().any(|(j, f)| *j == k && f.p50.iter().all(|&y| y == 0.0))
    }
}

/// The series of the chart.
pub fn data(d: &ReportData) -> Waiting {
    let series = |metric: Yearly| -> Vec<(usize, Vec<f64>)> {
        (0..d.strategies()).map(|k| (k, d.yearly_or_empty(k, metric).iter().map(|s| s.mean).collect())).collect()
    };
    let fans = |metric: Yearly| -> Vec<(usize, Fan)> {
        (0..d.strategies()).map(|k| (k, Fan::of(d.yearly_or_empty(k, metric), 1.0))).collect()
    };
    Waiting {
        years: super::xs(d),
        queue: series(Yearly::Waiting),
        weeks: series(Yearly::WaitingWeeksMean),
        queue_fan: fans(Yearly::Waiting),
        weeks_fan: fans(Yearly::WaitingWeeksMean),
    }
}

/// The strategies drawn: those with a waiting list, in file order, at most [`MAX_ROWS`].
pub fn shown(s: &Waiting, d: &ReportData) -> Vec<usize> {
    (0..d.strategies()).filter(|&k| s.has_list(k)).take(MAX_ROWS).collect()
}

/// The colour of a drawn strategy: its colour in the other charts when it has one there,
/// else the first palette colour no other drawn strategy uses.
fn colours(d: &ReportData, ks: &[usize]) -> Vec<RGBColor> {
    let own: Vec<Option<RGBColor>> = ks
        .iter()
        .map(|&k| (k == d.baseline() || super::focus(d).contains(&k)).then(|| super::strategy_colour(d, k)))
        .collect();
    let taken: Vec<RGBColor> = own.iter().flatten().copied().collect();
    let mut free = STRATEGY_PALETTE.iter().copied().filter(|c| !taken.contains(c));
    own.into_iter().map(|c| c.unwrap_or_else(|| free.next().unwrap_or(super::GREY))).collect()
}

/// `names` as a list: `a`, `a and b`, `a, b and c` (`en` / `and`).
fn list(names: &[String], lang: Lang) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), lang.t("and", "en")),
    }
}

/// The note: the statistics drawn, the strategies without a list, and where the median is
/// zero throughout.
fn note(s: &Waiting, d: &ReportData, ks: &[usize], lang: Lang) -> String {
    let mut parts = vec![
        lang.t(
            "Line: mean; band: 9 of 10 simulated futures (5th to 95th percentile). Left: children on the waiting \
             list, averaged over the year; right: the wait of those who started care in the year (0 if at once).",
            "Lijn: gemiddelde; band: 9 van de 10 gesimuleerde toekomsten (5e tot 95e percentiel). Links: kinderen op \
             de wachtlijst, gemiddeld over het jaar; rechts: de wachttijd van wie in het jaar startte (0 bij directe start).",
        )
        .to_string(),
    ];
    let without: Vec<usize> = (0..d.strategies()).filter(|&k| !s.has_list(k)).collect();
    if !without.is_empty() {
        // The strategies the other charts show by name, the rest counted.
        let focus = super::focus(d);
        let mut names: Vec<String> =
            without.iter().filter(|k| focus.contains(k)).map(|&k| super::strategy_name(d, k, lang)).collect();
        let others = without.len() - names.len();
        if others > 0 {
            names.push(match (others, lang) {
                (1, Lang::En) => "1 other strategy".to_string(),
                (n, Lang::En) => format!("{n} other strategies"),
                (1, Lang::Nl) => "1 andere strategie".to_string(),
                (n, Lang::Nl) => format!("{n} andere strategieën"),
            });
        }
        parts.push(format!(
            "{}: {}.",
            lang.t("No waiting list in any future", "Geen wachtlijst in enige toekomst"),
            list(&names, lang)
        ));
    }
    let hidden = (0..d.strategies()).filter(|&k| s.has_list(k)).count().saturating_sub(ks.len());
    if hidden > 0 {
        parts.push(match lang {
            Lang::En => format!("{hidden} more strategies with a waiting list are in the tables."),
            Lang::Nl => format!("Nog {hidden} strategieën met een wachtlijst staan in de tabellen."),
        });
    }
    for &k in ks.iter().filter(|&&k| s.median_zero(k)) {
        let name = super::strategy_name(d, k, lang);
        parts.push(match lang {
            Lang::En => format!("{name}: median 0 in every year, nobody waits in at least half of the futures."),
            Lang::Nl => {
                format!("{name}: mediaan in elk jaar 0, in minstens de helft van de toekomsten wacht niemand.")
            }
        });
    }
    parts.join(" ")
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Waiting,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = shown(s, d);
    let cs = colours(d, &ks);
    let mut legend: Vec<(Mark, String)> =
        ks.iter().zip(&cs).map(|(&k, &c)| (Mark::Line(c, 4), super::strategy_name(d, k, lang))).collect();
    legend.push((Mark::Line(INK, 4), lang.t("mean", "gemiddelde").to_string()));
    legend.push((Mark::Box(tint(super::GREY, 0.8)), lang.t("9 of 10 futures", "9 van de 10 toekomsten").to_string()));
    let body = frame(root, super::ChartKind::Waiting.title(lang), &subtitle(d, lang), &legend, &note(s, d, &ks, lang))?;
    if ks.is_empty() {
        return Ok(());
    }
    let areas = body.split_evenly((ks.len(), 2));
    let columns = [
        (
            &s.queue,
            &s.queue_fan,
            lang.t("Children waiting", "Wachtende kinderen"),
            lang.t("children", "kinderen"),
            true,
        ),
        (
            &s.weeks,
            &s.weeks_fan,
            lang.t("Wait of those who started care", "Wachttijd tot de start"),
            lang.t("weeks", "weken"),
            false,
        ),
    ];
    let titles: Vec<String> = ks.iter().flat_map(|_| columns.iter().map(|c| c.2.to_string())).collect();
    let infos: Vec<Option<String>> =
        ks.iter().flat_map(|&k| columns.iter().map(move |_| Some(super::strategy_name(d, k, lang)))).collect();
    let infos = if ks.len() == 1 { vec![None; infos.len()] } else { infos };
    let areas = panel_heads(&areas, &titles, &infos)?;
    for (row, (&k, &colour)) in ks.iter().zip(&cs).enumerate() {
        for (col, (means, fans, _, unit, count)) in columns.iter().enumerate() {
            let Some(area) = areas.get(row * 2 + col) else { continue };
            let mean = means.iter().find(|(j, _)| *j == k).map(|(_, ys)| ys.as_slice()).unwrap_or(&[]);
            let fan = fans.iter().find(|(j, _)| *j == k).map(|(_, f)| f);
            let (p5, p95) = fan.map_or((&[][..], &[][..]), |f| (f.p5.as_slice(), f.p95.as_slice()));
            // From zero: a list is never negative, and a short list should look short.
            let top = range_of(mean.iter().chain(p95).copied(), 0.0).end;
            let y = 0.0..(top * 1.08).max(if *count { 2.0 } else { 1.0 });
            let last = row + 1 == ks.len();
            let axes = Axes {
                x_desc: last.then(|| lang.t("year", "jaar").to_string()),
                y_desc: Some(unit.to_string()),
                y_integer: *count,
                label_size: 20.0,
                ..Axes::over_years(d, y)
            };
            let mut chart = panel(area, &axes, lang)?;
            super::band(&mut chart, &s.years, p5, p95, tint(colour, 0.8))?;
            super::line(&mut chart, &s.years, mean, colour.stroke_width(4))?;
        }
    }
    Ok(())
}
