//! `npv_distribution`: how the saving over the whole horizon (net present value of the
//! baseline's spend minus the strategy's) varies between simulated futures: a histogram
//! per alternative strategy, each on its own bins over its own range (so that a strategy
//! with a narrow spread, such as prevention, is a histogram and not a spike), its vertical
//! axis up to its own highest bar; zero and the median marked, the median and the
//! probability of saving written under the panel's title.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{Axes, GREY, INK, Mark, Msg, alternatives, frame, panel, strategy_colour, strategy_name, subtitle, tint};
use crate::metrics::Horizon;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// Number of bins of the shared grid ([`NpvDistribution::edges`]).
pub const BINS: usize = 50;

/// Fewest and most bins of a panel's own histogram.
pub const PANEL_BINS: std::ops::RangeInclusive<usize> = 10..=40;

/// A histogram: bin edges (euro millions, one more than the counts) and runs per bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    /// Bin edges in euro millions, ascending.
    pub edges: Vec<f64>,
    /// Runs per bin; the last bin includes its upper edge.
    pub counts: Vec<usize>,
}

impl Bins {
    /// `values` (euros; non-finite ones left out) counted into `n` equal bins over their
    /// own range, in euro millions.
    pub fn of(values: &[f64], n: usize) -> Bins {
        let r = super::range_of(values.iter().map(|v| v * 1e-6), 0.0);
        Bins::on(values, r.start, r.end, n)
    }

    /// `values` (euros) counted into `n` equal bins from `lo` to `hi` euro millions.
    fn on(values: &[f64], lo: f64, hi: f64, n: usize) -> Bins {
        let n = n.max(1);
        let width = (hi - lo) / n as f64;
        let edges: Vec<f64> = (0..=n).map(|i| lo + i as f64 * width).collect();
        let mut counts = vec![0; n];
        for v in values.iter().filter(|v| v.is_finite()) {
            let i = ((v * 1e-6 - lo) / width).floor();
            counts[(i.max(0.0) as usize).min(n - 1)] += 1;
        }
        Bins { edges, counts }
    }
}

/// Bins for `runs` runs: the square root of the number of runs, within [`PANEL_BINS`].
pub fn panel_bins(runs: usize) -> usize {
    ((runs as f64).sqrt().round() as usize).clamp(*PANEL_BINS.start(), *PANEL_BINS.end())
}

/// One panel: a strategy's per-run NPV savings and their histograms.
#[derive(Debug, Clone, PartialEq)]
pub struct HistPanel {
    /// Strategy index.
    pub strategy: usize,
    /// `npv_saving_vs_baseline` per run (euros), as in `runs.csv`.
    pub values: Vec<f64>,
    /// Runs per bin of the shared grid [`NpvDistribution::edges`].
    pub counts: Vec<usize>,
    /// The histogram the chart draws: the panel's own bins over its own range.
    pub bins: Bins,
    /// Median saving (`summary.csv`), euros.
    pub median: f64,
    /// Probability of being cheaper than the baseline (`p_cheaper_than_baseline`).
    pub p_cheaper: f64,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NpvDistribution {
    /// A grid of `BINS + 1` edges in euro millions over every alternative's range, for
    /// comparing strategies on one scale ([`HistPanel::counts`]); the chart draws each
    /// panel's own [`HistPanel::bins`].
    pub edges: Vec<f64>,
    /// One panel per alternative strategy.
    pub panels: Vec<HistPanel>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> NpvDistribution {
    let ks = alternatives(d);
    let columns: Vec<Vec<f64>> = ks.iter().map(|&k| d.runs.column(k, Horizon::NpvSavingVsBaseline)).collect();
    let r = super::range_of(columns.iter().flatten().map(|v| v * 1e-6), 0.0);
    let shared = |values: &[f64]| Bins::on(values, r.start, r.end, BINS);
    let edges = shared(&[]).edges;
    let panels = ks
        .iter()
        .zip(columns)
        .map(|(&k, values)| HistPanel {
            strategy: k,
            counts: shared(&values).counts,
            bins: Bins::of(&values, panel_bins(values.len())),
            values,
            median: d.horizon(k, Horizon::NpvSavingVsBaseline).p50(),
            p_cheaper: d.horizon(k, Horizon::PCheaperThanBaseline).mean,
        })
        .collect();
    NpvDistribution { edges, panels }
}

/// The line under a panel's title: the median and the chance of saving.
fn info(p: &HistPanel, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "median {} · saves money in {} of futures",
            lang.mln(p.median),
            crate::report::answer::share(p.p_cheaper, lang)
        ),
        Lang::Nl => format!(
            "mediaan {} · bespaart in {} van de toekomsten",
            lang.mln(p.median),
            crate::report::answer::share(p.p_cheaper, lang)
        ),
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &NpvDistribution,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let legend = vec![
        (Mark::Box(tint(GREY, 0.5)), lang.t("share of futures", "aandeel van de toekomsten").to_string()),
        (Mark::Dashed(INK), lang.t("median", "mediaan").to_string()),
        (Mark::Line(GREY, 3), lang.t("no saving", "geen besparing").to_string()),
    ];
    let note = format!(
        "{} {} {} {}%. {} {}",
        lang.t("Saving versus", "Besparing ten opzichte van"),
        strategy_name(d, d.baseline(), lang),
        lang.t(
            "over all years: net present value of the difference in spend, discounted at",
            "over alle jaren: contante waarde van het verschil in uitgaven, disconteringsvoet"
        ),
        lang.num(d.meta.discount_rate * 100.0, 2),
        lang.t(
            "Each panel has its own bins and scales; a bar is the share of futures in its bin.",
            "Elk paneel heeft eigen klassen en schalen; een staaf is het aandeel toekomsten in die klasse."
        ),
        super::focus_note(d, lang).unwrap_or_default(),
    );
    let body =
        frame(root, super::ChartKind::NpvDistribution.title(lang), &subtitle(d, lang), &legend, note.trim_end())?;
    let ks = super::focus_alternatives(d);
    let panels: Vec<&HistPanel> = ks.iter().filter_map(|k| s.panels.iter().find(|p| p.strategy == *k)).collect();
    if panels.is_empty() {
        return Ok(());
    }
    let x_title = lang.t("saving over all years (NPV), EUR mln", "besparing over alle jaren (contante waarde), € mln");
    let y_title = lang.t("share of futures", "aandeel toekomsten");
    let (areas, _) = small_multiples(&body, panels.len(), y_title, Some(x_title))?;
    let titles: Vec<String> = panels.iter().map(|p| strategy_name(d, p.strategy, lang)).collect();
    let infos: Vec<Option<String>> = panels.iter().map(|p| Some(info(p, lang))).collect();
    let areas = panel_heads(&areas, &titles, &infos)?;
    for (p, area) in panels.into_iter().zip(&areas) {
        let n = p.values.iter().filter(|v| v.is_finite()).count().max(1) as f64;
        let e = &p.bins.edges;
        let top = p.bins.counts.iter().copied().max().unwrap_or(0) as f64 / n * 100.0;
        // The range of the bins, widened to hold zero when it is near, so that "no saving"
        // shows where it matters.
        let (lo, hi) = (e[0], e[e.len() - 1]);
        let pad = 0.04 * (hi - lo).max(1e-6);
        let near_zero = lo - (hi - lo) * 0.25 <= 0.0 && 0.0 <= hi + (hi - lo) * 0.25;
        let x = if near_zero { (lo.min(0.0) - pad)..(hi.max(0.0) + pad) } else { (lo - pad)..(hi + pad) };
        let y = 0.0..(top * 1.1).max(1.0);
        let axes = Axes { x: x.clone(), x_is_year: false, y_is_pct: true, ..Axes::over_years(d, y.clone()) };
        let mut chart = panel(area, &axes, lang)?;
        let c = strategy_colour(d, p.strategy);
        let bars = p.bins.counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(b, &count)| {
            Rectangle::new([(e[b], 0.0), (e[b + 1], count as f64 / n * 100.0)], tint(c, 0.25).filled())
        });
        chart.draw_series(bars).msg()?;
        if x.start < 0.0 && x.end > 0.0 {
            super::line(&mut chart, &[0.0, 0.0], &[y.start, y.end], GREY.stroke_width(3))?;
        }
        let m = p.median * 1e-6;
        if m.is_finite() {
            super::dashed(&mut chart, &[m, m], &[y.start, y.end], INK.stroke_width(3))?;
        }
    }
    Ok(())
}
