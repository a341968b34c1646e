//! Charts of the analyses: `tornado`, `rank_correlation` and `voi` (from the sensitivity
//! tables), and `sweep` (the metric and P(cheaper than baseline) against a swept value, or
//! a heat map over two). SVG and PNG, in English (`tornado.svg`) and Dutch
//! (`tornado_nl.svg`) like the other charts.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{GREY, HEIGHT, INK, Mark, Msg, OKABE_ITO, WIDTH, bold, font, frame, register_fonts, tint};
use crate::report::OutputError;
use crate::report::lang::Lang;
use crate::report::sensitivity::SensitivityData;
use crate::report::sweep::SweepData;

/// A chart of an analysis, drawable on any plotters backend.
pub trait AnalysisChart {
    /// File stem, e.g. `tornado`.
    fn name(&self) -> &'static str;
    /// Draws the chart in a language.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, lang: Lang) -> Result<(), String>;
}

/// The chart as an SVG document.
pub fn svg<C: AnalysisChart>(c: &C, lang: Lang) -> Result<String, OutputError> {
    let err = |reason: String| OutputError::Chart { chart: c.name(), reason };
    register_fonts().map_err(err)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        c.draw(&root, lang).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(out)
}

/// The chart as a PNG image.
pub fn png<C: AnalysisChart>(c: &C, lang: Lang) -> Result<Vec<u8>, OutputError> {
    let err = |reason: String| OutputError::Chart { chart: c.name(), reason };
    register_fonts().map_err(err)?;
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        c.draw(&root, lang).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    super::encode_png(&pixels).map_err(|e| err(e.to_string()))
}

/// The files of a chart in both languages: `<name>.svg`, `<name>.png`, `<name>_nl.svg`
/// and `<name>_nl.png`.
pub fn files<C: AnalysisChart>(c: &C) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        out.extend(files_in(c, lang)?);
    }
    Ok(out)
}

/// The two files of a chart in one language: `<name><suffix>.svg` and `.png`.
pub fn files_in<C: AnalysisChart>(c: &C, lang: Lang) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let stem = format!("{}{}", c.name(), lang.suffix());
    Ok(vec![(format!("{stem}.svg"), svg(c, lang)?.into_bytes()), (format!("{stem}.png"), png(c, lang)?)])
}

/// Horizontal bars: one row per label, each with one or more `(from, to)` bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// File stem.
    pub name: &'static str,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Horizontal axis title.
    pub x_desc: String,
    /// Note under the chart.
    pub note: String,
    /// Row labels, top first.
    pub labels: Vec<String>,
    /// Series: legend text, and per row `(from, to)`.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// A vertical reference line (e.g. the base case or the EVPI).
    pub reference: Option<(String, f64)>,
    /// The language of the texts (and of the numbers on the axis).
    pub lang: Lang,
}

/// At most this many rows per chart: the largest first.
pub(crate) const MAX_ROWS: usize = 15;

impl AnalysisChart for Bars {
    fn name(&self) -> &'static str {
        self.name
    }

    /// Draws the chart in the language its texts were written in (`self.lang`).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _lang: Lang) -> Result<(), String> {
        let lang = self.lang;
        let colours: Vec<RGBColor> = (0..self.series.len()).map(|i| OKABE_ITO[i % OKABE_ITO.len()]).collect();
        let mut legend: Vec<(Mark, String)> =
            self.series.iter().zip(&colours).map(|((t, _), c)| (Mark::Box(*c), t.clone())).collect();
        if let Some((t, _)) = &self.reference {
            legend.push((Mark::Dashed(INK), t.clone()));
        }
        let body = frame(root, &self.title, &self.subtitle, &legend, &self.note)?;
        let n = self.labels.len().max(1);
        let values = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flat_map(|&(a, b)| [a, b]))
            .chain(self.reference.iter().map(|r| r.1))
            .chain(std::iter::once(0.0));
        let x = super::range_of(values, 0.05);
        let labels = self.labels.clone();
        let yf = move |y: &f64| {
            let i = (n as f64 - 0.5 - y).round();
            if (y - (n as f64 - 0.5 - i)).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        };
        let decimals = super::decimals_for(x.end - x.start);
        let xf = |v: &f64| lang.num(*v, decimals);
        let mut chart = ChartBuilder::on(&body)
            .margin(10)
            .margin_right(40)
            .x_label_area_size(80)
            .y_label_area_size(520)
            .build_cartesian_2d(x.clone(), 0.0..n as f64)
            .msg()?;
        chart
            .configure_mesh()
            .label_style(font(20.0).color(&INK))
            .axis_desc_style(font(24.0).color(&INK))
            .bold_line_style(super::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(GREY.stroke_width(1))
            .disable_y_mesh()
            .x_labels(6)
            .y_labels(2 * n + 1)
            .y_label_formatter(&yf)
            .x_label_formatter(&xf)
            .x_desc(self.x_desc.clone())
            .draw()
            .msg()?;
        let k = self.series.len().max(1) as f64;
        let h = 0.7 / k;
        for (s, ((_, bars), colour)) in self.series.iter().zip(&colours).enumerate() {
            for (i, &(a, b)) in bars.iter().enumerate() {
                if !(a.is_finite() && b.is_finite()) {
                    continue;
                }
                let top = n as f64 - i as f64 - 0.15 - s as f64 * h;
                chart.draw_series(std::iter::once(Rectangle::new([(a, top), (b, top - h)], colour.filled()))).msg()?;
            }
        }
        if let Some((_, r)) = &self.reference {
            super::dashed(&mut chart, &[*r, *r], &[0.0, n as f64], INK.stroke_width(3))?;
        }
        Ok(())
    }
}

/// The tornado of the chart strategy: bars from the metric at each input's 10th percentile
/// to that at its 90th, largest swing on top, the base case as a line.
pub fn tornado(d: &SensitivityData, subtitle: &str, lang: Lang) -> Bars {
    let strategy = d.chart_strategy().unwrap_or_default().to_string();
    let rows: Vec<_> = d.tornado.iter().filter(|t| t.strategy == strategy).take(MAX_ROWS).collect();
    let m = 1e-6;
    let metric = &d.metric;
    Bars {
        name: "tornado",
        title: match lang {
            Lang::En => format!("What moves {metric} most (strategy {strategy})"),
            Lang::Nl => format!("Wat {metric} het meest beweegt (strategie {strategy})"),
        },
        subtitle: subtitle.to_string(),
        x_desc: format!("{metric}, {} mln", lang.euro()),
        note: lang
            .t(
                "Mean over the one-way runs. Each input at its 10th and 90th percentile, the others at their \
                 medians, on the same random numbers.",
                "Gemiddelde over de simulaties per instelling. Elke invoer op zijn 10e en 90e percentiel, de andere \
                 op hun mediaan, met dezelfde toevalsgetallen.",
            )
            .into(),
        labels: rows.iter().map(|t| t.input.clone()).collect(),
        series: vec![
            (
                lang.t("input at its 10th percentile", "invoer op zijn 10e percentiel").into(),
                rows.iter().map(|t| (t.metric_base * m, t.metric_low * m)).collect(),
            ),
            (
                lang.t("input at its 90th percentile", "invoer op zijn 90e percentiel").into(),
                rows.iter().map(|t| (t.metric_base * m, t.metric_high * m)).collect(),
            ),
        ],
        reference: rows.first().map(|t| {
            (lang.t("all inputs at their medians", "alle invoer op de mediaan").to_string(), t.metric_base * m)
        }),
        lang,
    }
}

/// Spearman and partial rank correlation of each drawn input with the metric, largest
/// partial correlation (in size) on top.
pub fn rank_correlation(d: &SensitivityData, subtitle: &str, lang: Lang) -> Bars {
    let strategy = d.chart_strategy().unwrap_or_default().to_string();
    let mut rows: Vec<_> = d.ranks.iter().filter(|r| r.strategy == strategy).collect();
    rows.sort_by(|a, b| {
        let key =
            |r: &&crate::analysis::sensitivity::RankRow| if r.prcc.is_nan() { r.spearman.abs() } else { r.prcc.abs() };
        key(b).total_cmp(&key(a))
    });
    rows.truncate(MAX_ROWS);
    let metric = &d.metric;
    Bars {
        name: "rank_correlation",
        title: match lang {
            Lang::En => format!("Which drawn inputs go with {metric} (strategy {strategy})"),
            Lang::Nl => format!("Welke getrokken invoer samengaat met {metric} (strategie {strategy})"),
        },
        subtitle: subtitle.to_string(),
        x_desc: lang.t("rank correlation", "rangcorrelatie").into(),
        note: lang
            .t(
                "Over the runs of the results; partial: with the other drawn inputs held fixed.",
                "Over de simulaties van de resultaten; partieel: met de andere getrokken invoer vastgehouden.",
            )
            .into(),
        labels: rows.iter().map(|r| r.input.clone()).collect(),
        series: vec![
            ("Spearman".into(), rows.iter().map(|r| (0.0, r.spearman)).collect()),
            (lang.t("partial (PRCC)", "partieel (PRCC)").into(), rows.iter().map(|r| (0.0, r.prcc)).collect()),
        ],
        reference: None,
        lang,
    }
}

/// The EVPPI of each input and group, largest on top, with the EVPI as a line.
pub fn voi(d: &SensitivityData, subtitle: &str, lang: Lang) -> Bars {
    let mut rows: Vec<_> = d.voi.iter().filter(|v| v.perspective == "municipal" && v.input != "ALL").collect();
    rows.sort_by(|a, b| b.value.total_cmp(&a.value));
    rows.truncate(MAX_ROWS);
    let m = 1e-6;
    Bars {
        name: "voi",
        title: lang
            .t(
                "What knowing an input better is worth (municipal NPV spend)",
                "Wat beter weten van een invoer waard is (contante waarde van de gemeentelijke uitgaven)",
            )
            .into(),
        subtitle: subtitle.to_string(),
        x_desc: format!(
            "{}, {} mln",
            lang.t("expected value of perfect information", "verwachte waarde van volledige informatie"),
            lang.euro()
        ),
        note: lang
            .t(
                "EVPPI per input or group (*) by a regression metamodel; ALL_INPUTS: every drawn input together.",
                "EVPPI per invoer of groep (*) met een regressiemetamodel; ALL_INPUTS: alle getrokken invoer samen.",
            )
            .into(),
        labels: rows.iter().map(|v| v.input.clone()).collect(),
        series: vec![("EVPPI".into(), rows.iter().map(|v| (0.0, v.value * m)).collect())],
        reference: d
            .evpi("municipal")
            .map(|e| (lang.t("EVPI (all uncertainty)", "EVPI (alle onzekerheid)").to_string(), e * m)),
        lang,
    }
}

/// The sensitivity charts' files, in both languages, with the subtitle of each language.
pub(crate) fn sensitivity_files(
    d: &SensitivityData,
    subtitle: impl Fn(Lang) -> String,
) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let sub = subtitle(lang);
        out.extend(files_in(&tornado(d, &sub, lang), lang)?);
        out.extend(files_in(&rank_correlation(d, &sub, lang), lang)?);
        out.extend(files_in(&voi(d, &sub, lang), lang)?);
    }
    Ok(out)
}

/// A one-key sweep: per strategy, the metric's median and 90% band against the swept
/// value (left), and P(cheaper than baseline) (right).
pub(crate) struct SweepLines<'a>(pub &'a SweepData);

impl AnalysisChart for SweepLines<'_> {
    fn name(&self) -> &'static str {
        "sweep"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, lang: Lang) -> Result<(), String> {
        let d = self.0;
        let ids = d.strategies();
        let colour = |id: &str| {
            if id == d.baseline {
                INK
            } else {
                let i = ids.iter().filter(|s| **s != d.baseline).position(|s| s == id).unwrap_or(0);
                OKABE_ITO[i % OKABE_ITO.len()]
            }
        };
        let legend: Vec<(Mark, String)> = ids.iter().map(|id| (Mark::Line(colour(id), 4), id.clone())).collect();
        let body = frame(
            root,
            &match lang {
                Lang::En => format!("{} against {}", d.metric, d.keys[0]),
                Lang::Nl => format!("{} naar {}", d.metric, d.keys[0]),
            },
            &sweep_subtitle(d, lang),
            &legend,
            lang.t(
                "Median and 9 of 10 futures (5th to 95th percentile, left) and chance of a lower NPV spend than the \
                 baseline (right), same random numbers at every value.",
                "Mediaan en 9 van de 10 toekomsten (5e tot 95e percentiel, links) en kans op een lagere contante \
                 waarde van de uitgaven dan de basis (rechts), met dezelfde toevalsgetallen bij elke waarde.",
            ),
        )?;
        let panels = body.split_evenly((1, 2));
        let xs: Vec<f64> = d.values(0);
        let x = super::range_of(xs.iter().copied(), 0.03);
        let m = 1e-6;
        let y = super::range_of(d.rows.iter().flat_map(|r| [r.p5 * m, r.p95 * m]), 0.05);
        let axes = super::Axes {
            x: x.clone(),
            y: y.clone(),
            x_desc: Some(d.keys[0].clone()),
            y_desc: Some(format!("{}, {} mln", d.metric, lang.euro())),
            x_is_year: false,
            y_is_pct: false,
            y_integer: false,
            label_size: 20.0,
        };
        let mut left = super::panel(&panels[0], &axes, lang)?;
        for id in &ids {
            let rows: Vec<_> = d.rows.iter().filter(|r| &r.strategy == id).collect();
            let xs: Vec<f64> = rows.iter().map(|r| r.at[0]).collect();
            let lo: Vec<f64> = rows.iter().map(|r| r.p5 * m).collect();
            let hi: Vec<f64> = rows.iter().map(|r| r.p95 * m).collect();
            let mid: Vec<f64> = rows.iter().map(|r| r.p50 * m).collect();
            if id != &d.baseline {
                super::band(&mut left, &xs, &lo, &hi, tint(colour(id), 0.8))?;
            }
            super::line(&mut left, &xs, &mid, colour(id).stroke_width(4))?;
        }
        let axes = super::Axes {
            y: -1.5..101.5,
            y_desc: Some(lang.t("chance cheaper than baseline", "kans goedkoper dan de basis").into()),
            y_is_pct: true,
            ..axes
        };
        let mut right = super::panel(&panels[1], &axes, lang)?;
        for id in ids.iter().filter(|id| **id != d.baseline) {
            let rows: Vec<_> = d.rows.iter().filter(|r| &r.strategy == id).collect();
            let xs: Vec<f64> = rows.iter().map(|r| r.at[0]).collect();
            let p: Vec<f64> = rows.iter().map(|r| r.p_cheaper * 100.0).collect();
            super::line(&mut right, &xs, &p, colour(id).stroke_width(4))?;
        }
        Ok(())
    }
}

/// A two-key sweep: a heat map of the highlighted strategy's median metric, with the value
/// and P(cheaper than baseline) written in each cell.
pub(crate) struct SweepHeatMap<'a>(pub &'a SweepData);

impl AnalysisChart for SweepHeatMap<'_> {
    fn name(&self) -> &'static str {
        "sweep_heatmap"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, lang: Lang) -> Result<(), String> {
        let d = self.0;
        let body = frame(
            root,
            &match lang {
                Lang::En => format!("Median {} of {}", d.metric, d.highlight),
                Lang::Nl => format!("Mediaan van {} bij {}", d.metric, d.highlight),
            },
            &sweep_subtitle(d, lang),
            &[],
            &match lang {
                Lang::En => format!(
                    "Each cell: median ({} mln) and chance of a lower NPV spend than the baseline. Darker: higher median.",
                    lang.euro()
                ),
                Lang::Nl => format!(
                    "Elke cel: mediaan ({} mln) en kans op een lagere contante waarde van de uitgaven dan de basis. \
                     Donkerder: hogere mediaan.",
                    lang.euro()
                ),
            },
        )?;
        let (xs, ys) = (d.values(0), d.values(1));
        let rows: Vec<_> = d.rows.iter().filter(|r| r.strategy == d.highlight).collect();
        let (lo, hi) = rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| (a.min(r.p50), b.max(r.p50)));
        let (nx, ny) = (xs.len().max(1), ys.len().max(1));
        let xl = xs.clone();
        let yl = ys.clone();
        let xf = move |v: &f64| label_at(&xl, *v, lang);
        let yf = move |v: &f64| label_at(&yl, *v, lang);
        let mut chart = ChartBuilder::on(&body)
            .margin(10)
            .margin_right(40)
            .x_label_area_size(85)
            .y_label_area_size(160)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .msg()?;
        chart
            .configure_mesh()
            .disable_mesh()
            .label_style(font(20.0).color(&INK))
            .axis_desc_style(font(24.0).color(&INK))
            .x_labels(2 * nx + 1)
            .y_labels(2 * ny + 1)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .x_desc(d.keys[0].clone())
            .y_desc(d.keys[1].clone())
            .draw()
            .msg()?;
        for r in rows {
            let i = xs.iter().position(|&v| v == r.at[0]).unwrap_or(0) as f64;
            let j = ys.iter().position(|&v| v == r.at[1]).unwrap_or(0) as f64;
            let share = if hi > lo { 0.85 - 0.75 * (r.p50 - lo) / (hi - lo) } else { 0.5 };
            let fill = tint(OKABE_ITO[0], share);
            chart.draw_series(std::iter::once(Rectangle::new([(i, j), (i + 1.0, j + 1.0)], fill.filled()))).msg()?;
            let ink = if share < 0.45 { WHITE } else { INK };
            let text = format!("{} · {}%", lang.num(r.p50 * 1e-6, 1), lang.num(r.p_cheaper * 100.0, 0));
            let style = bold(20.0).color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
            chart.plotting_area().draw(&Text::new(text, (i + 0.5, j + 0.5), style)).msg()?;
        }
        Ok(())
    }
}

/// The label of a cell centre `v` (0.5, 1.5, ...) on a categorical axis.
fn label_at(values: &[f64], v: f64, lang: Lang) -> String {
    let i = (v - 0.5).round();
    if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < values.len() {
        lang.num(values[i as usize], decimals_of(values[i as usize]))
    } else {
        String::new()
    }
}

fn decimals_of(v: f64) -> usize {
    (0..6).find(|&d| ((v * 10f64.powi(d as i32)).round() - v * 10f64.powi(d as i32)).abs() < 1e-9).unwrap_or(6)
}

/// The sweep charts' subtitle: the scenario, the runs per grid point and the seed
/// (`startgetal` in Dutch), the number in the language's format.
fn sweep_subtitle(d: &SweepData, lang: Lang) -> String {
    match lang {
        Lang::En => d.subtitle(),
        Lang::Nl => format!(
            "{} · {} gesimuleerde toekomsten per punt · startgetal {}",
            d.scenario,
            lang.num(d.runs as f64, 0),
            d.seed
        ),
    }
}
