//! `convergence`: for every strategy but the baseline, the running mean of the NPV saving
//! versus the baseline and its 95% band (mean ± 1.96 Monte Carlo standard errors) against
//! the number of runs, from `runs.csv`: where the band is narrow and the mean flat, enough
//! futures were simulated.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Axes, alternatives, frame, panel, strategy_colour, strategy_legend, subtitle, tint};
use crate::analysis::convergence::running_in;
use crate::metrics::Horizon;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// Points along the horizontal axis.
const POINTS: usize = 200;

/// A point of a running mean: (runs, mean, low, high).
pub(crate) type RunningPoint = (usize, f64, f64, f64);

/// What the chart shows: per strategy, running points in million euros.
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    /// Strategy index and its running mean and band.
    pub lines: Vec<(usize, Vec<RunningPoint>)>,
}

/// The series of the chart, in million euros.
pub fn data(d: &ReportData) -> Convergence {
    let lines = alternatives(d)
        .into_iter()
        .map(|k| {
            let xs = d.runs.column(k, Horizon::NpvSavingVsBaseline);
            let replicate = d.meta.sampling.replicate_runs as usize;
            (
                k,
                running_in(&xs, replicate, POINTS)
                    .into_iter()
                    .map(|(n, m, lo, hi)| (n, m * 1e-6, lo * 1e-6, hi * 1e-6))
                    .collect(),
            )
        })
        .collect();
    Convergence { lines }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Convergence,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = super::focus_alternatives(d);
    let replicate = d.meta.sampling.replicate_runs;
    let band = if replicate > 1 {
        match lang {
            Lang::En => format!(
                "Mean NPV saving versus the baseline after each number of runs, with its 95% band (±1.96 standard \
                 errors, from the means of replicates of {replicate} runs)."
            ),
            Lang::Nl => format!(
                "Gemiddelde besparing (contante waarde) ten opzichte van de basis na elk aantal simulaties, met de \
                 95%-band (±1,96 standaardfouten, uit de gemiddelden van herhalingen van {replicate} simulaties)."
            ),
        }
    } else {
        lang.t(
            "Mean NPV saving versus the baseline after each number of runs, with its 95% band (±1.96 standard errors).",
            "Gemiddelde besparing (contante waarde) ten opzichte van de basis na elk aantal simulaties, met de 95%-band (±1,96 standaardfouten).",
        )
        .to_string()
    };
    let note = super::with_focus_note(d, lang, &band);
    let body = frame(
        root,
        super::ChartKind::Convergence.title(lang),
        &subtitle(d, lang),
        &strategy_legend(d, &ks, lang),
        &note,
    )?;
    let n = d.runs.len() as f64;
    let y = super::range_of(
        s.lines.iter().filter(|(k, _)| ks.contains(k)).flat_map(|(_, v)| v.iter().flat_map(|p| [p.2, p.3])),
        0.05,
    );
    let axes = Axes {
        x: 0.0..n.max(2.0),
        y: y.clone(),
        x_desc: Some(lang.t("runs", "simulaties").to_string()),
        y_desc: Some(lang.t("NPV saving, EUR mln", "besparing (contante waarde), € mln").to_string()),
        x_is_year: false,
        y_is_pct: false,
        y_integer: false,
        label_size: 22.0,
    };
    let area = body.margin(10, 10, 20, 30);
    let mut chart = panel(&area, &axes, lang)?;
    for (k, pts) in s.lines.iter().filter(|(k, _)| ks.contains(k)) {
        let xs: Vec<f64> = pts.iter().map(|p| p.0 as f64).collect();
        let lo: Vec<f64> = pts.iter().map(|p| p.2).collect();
        let hi: Vec<f64> = pts.iter().map(|p| p.3).collect();
        let mid: Vec<f64> = pts.iter().map(|p| p.1).collect();
        super::band(&mut chart, &xs, &lo, &hi, tint(strategy_colour(d, *k), 0.75))?;
        super::line(&mut chart, &xs, &mid, strategy_colour(d, *k).stroke_width(4))?;
    }
    Ok(())
}
