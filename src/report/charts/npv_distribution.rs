//! `npv_distribution`: how the saving over the whole horizon (net present value of the
//! baseline's spend minus the strategy's) varies between simulated futures: a histogram
//! per alternative strategy on shared bins, with zero, the median and the probability of
//! saving marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Axes, GREY, INK, Mark, Msg, alternatives, decimals_for, frame, grid, panel, strategy_colour, subtitle, tint,
};
use crate::metrics::Horizon;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// Number of bins.
pub const BINS: usize = 50;

/// One panel: a strategy's per-run NPV savings and their histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct HistPanel {
    /// Strategy index.
    pub strategy: usize,
    /// `npv_saving_vs_baseline` per run (euros), as in `runs.csv`.
    pub values: Vec<f64>,
    /// Runs per bin.
    pub counts: Vec<usize>,
    /// Median saving (`summary.csv`), euros.
    pub median: f64,
    /// Probability of being cheaper than the baseline (`p_cheaper_than_baseline`).
    pub p_cheaper: f64,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NpvDistribution {
    /// Bin edges in euro millions, `BINS + 1` of them (shared by all panels).
    pub edges: Vec<f64>,
    /// One panel per alternative strategy.
    pub panels: Vec<HistPanel>,
}

/// The series of the chart.
pub fn data(d: &ReportData) -> NpvDistribution {
    let ks = alternatives(d);
    let columns: Vec<Vec<f64>> = ks.iter().map(|&k| d.runs.column(k, Horizon::NpvSavingVsBaseline)).collect();
    let r = super::range_of(columns.iter().flatten().map(|v| v * 1e-6), 0.0);
    let width = (r.end - r.start) / BINS as f64;
    let edges: Vec<f64> = (0..=BINS).map(|i| r.start + i as f64 * width).collect();
    let panels = ks
        .iter()
        .zip(columns)
        .map(|(&k, values)| {
            let mut counts = vec![0; BINS];
            for v in values.iter().filter(|v| v.is_finite()) {
                let i = ((v * 1e-6 - r.start) / width).floor();
                counts[(i.max(0.0) as usize).min(BINS - 1)] += 1;
            }
            HistPanel {
                strategy: k,
                values,
                counts,
                median: d.horizon(k, Horizon::NpvSavingVsBaseline).p50(),
                p_cheaper: d.horizon(k, Horizon::PCheaperThanBaseline).mean,
            }
        })
        .collect();
    NpvDistribution { edges, panels }
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
        "{} {} {} {}%.",
        lang.t("Saving versus", "Besparing ten opzichte van"),
        d.name(d.baseline()),
        lang.t(
            "over all years: net present value of the difference in spend, discounted at",
            "over alle jaren: contante waarde van het verschil in uitgaven, disconteringsvoet"
        ),
        lang.num(d.meta.discount_rate * 100.0, 2)
    );
    let body = frame(root, super::ChartKind::NpvDistribution.title(lang), &subtitle(d, lang), &legend, &note)?;
    if s.panels.is_empty() {
        return Ok(());
    }
    let runs = s.panels.iter().map(|p| p.values.len()).max().unwrap_or(1).max(1) as f64;
    let top = s.panels.iter().flat_map(|p| p.counts.iter()).copied().max().unwrap_or(1) as f64 / runs * 100.0;
    let x = (s.edges[0])..(s.edges[s.edges.len() - 1]);
    let y = 0.0..(top * 1.25).max(1.0);
    let (rows, cols) = grid(s.panels.len());
    let areas = body.split_evenly((rows, cols));
    for (i, (p, area)) in s.panels.iter().zip(&areas).enumerate() {
        let axes = Axes {
            title: Some(d.name(p.strategy).to_string()),
            x: x.clone(),
            y: y.clone(),
            x_desc: (i + cols >= s.panels.len()).then(|| {
                lang.t("saving over all years (NPV), EUR mln", "besparing over alle jaren (contant), € mln").to_string()
            }),
            y_desc: (i % cols == 0).then(|| lang.t("share of futures", "aandeel toekomsten").to_string()),
            y_decimals: decimals_for(y.end - y.start),
            x_decimals: decimals_for(x.end - x.start),
            x_is_year: false,
            y_is_pct: true,
            label_size: 22.0,
        };
        let mut chart = panel(area, &axes, lang)?;
        let c = strategy_colour(d, p.strategy);
        let n = p.values.len().max(1) as f64;
        let bars = p.counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(b, &count)| {
            Rectangle::new([(s.edges[b], 0.0), (s.edges[b + 1], count as f64 / n * 100.0)], tint(c, 0.25).filled())
        });
        chart.draw_series(bars).msg()?;
        if x.start < 0.0 && x.end > 0.0 {
            super::line(&mut chart, &[0.0, 0.0], &[y.start, y.end], GREY.stroke_width(3))?;
        }
        let m = p.median * 1e-6;
        let label_y = y.end - 0.03 * (y.end - y.start);
        if m.is_finite() {
            super::dashed(&mut chart, &[m, m], &[y.start, y.end * 0.82], INK.stroke_width(3))?;
            let style = super::font(21.0).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
            super::label(
                &mut chart,
                (m, y.end * 0.88),
                format!("{} {}", lang.t("median", "mediaan"), lang.mln(p.median)),
                style,
            )?;
        }
        let text = match lang {
            Lang::En => format!("saves money in {} of futures", lang.pct(p.p_cheaper)),
            Lang::Nl => format!("bespaart in {} van de toekomsten", lang.pct(p.p_cheaper)),
        };
        let style = super::bold(22.0).color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
        super::label(&mut chart, (x.start + 0.02 * (x.end - x.start), label_y), text, style)?;
    }
    Ok(())
}
