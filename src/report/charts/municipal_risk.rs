//! `municipal_risk`: for each municipality of the region, how far above its median spend
//! over the first budget period its P90 lies (P90/P50 − 1), under the fixed key, by use and
//! under the region's mix (`municipal_risk.csv`, the baseline strategy). Drawn only for a
//! scenario with `[[municipality]]`s.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{GREY, GRID, INK, Mark, Marker, Msg, OKABE_ITO, draw_marker, font, frame, layout, subtitle};
use crate::report::ReportData;
use crate::report::lang::Lang;

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalRisk {
    /// Municipality names (English), in file order.
    pub names: Vec<String>,
    /// Their Dutch names.
    pub names_nl: Vec<String>,
    /// Per rule (`solidarity`, `use`, `mix`, those the results have): per municipality,
    /// P90/P50 − 1 in percent.
    pub rules: Vec<(&'static str, Vec<f64>)>,
}

/// The series of the chart, for the baseline strategy.
pub fn data(d: &ReportData) -> MunicipalRisk {
    let k = d.baseline();
    let n = d.meta.municipalities.len();
    let rules = crate::report::region::rules(d)
        .into_iter()
        .map(|r| {
            let ys = (0..n)
                .map(|m| {
                    d.municipal_risk
                        .iter()
                        .find(|x| x.municipality == m && x.strategy == k && x.allocation == r)
                        .map_or(f64::NAN, |x| 100.0 * (x.relative_risk() - 1.0))
                })
                .collect();
            (r, ys)
        })
        .collect();
    MunicipalRisk {
        names: d.meta.municipalities.iter().map(|m| m.name.clone()).collect(),
        names_nl: d.meta.municipalities.iter().map(|m| m.name_nl.clone()).collect(),
        rules,
    }
}

/// Colour and marker of a rule.
fn style(rule: &str) -> (RGBColor, Marker) {
    match rule {
        "solidarity" => (OKABE_ITO[0], Marker::Circle),
        "use" => (OKABE_ITO[3], Marker::Triangle),
        _ => (OKABE_ITO[2], Marker::Square),
    }
}

/// A rule's name in the legend.
fn rule_label(d: &ReportData, rule: &str, lang: Lang) -> String {
    match rule {
        "solidarity" => lang.t("by the fixed key (solidarity)", "naar vaste verdeelsleutel (solidariteit)").into(),
        "use" => lang.t("by each municipality's own use", "naar eigen gebruik").into(),
        _ => {
            let a = d.meta.allocation.map_or(0.5, |a| a.solidarity);
            match lang {
                Lang::En => format!("the region's mix ({} key, {} use)", lang.pct(a), lang.pct(1.0 - a)),
                Lang::Nl => format!("mix van de regio ({} sleutel, {} gebruik)", lang.pct(a), lang.pct(1.0 - a)),
            }
        }
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &MunicipalRisk,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let (a, b) = d.municipal_risk.first().map_or((d.meta.start_year, d.meta.start_year), |x| x.years);
    let base = d.label(d.baseline(), lang);
    let note = match lang {
        Lang::En => format!(
            "How far the spend over {a}–{b} that is not exceeded in 9 of 10 futures (P90) lies above the median (P50), per \
             municipality, under {base}. By the fixed key every municipality carries the region's relative risk; by use, \
             its own clients' (docs/model.md section 16)."
        ),
        Lang::Nl => format!(
            "Hoeveel de uitgaven over {a} t/m {b} die in 9 van de 10 toekomsten niet worden overschreden (P90) boven de \
             mediaan (P50) liggen, per gemeente, bij {base}. Naar vaste verdeelsleutel draagt elke gemeente het relatieve \
             risico van de regio; naar gebruik dat van haar eigen cliënten (docs/model.md, paragraaf 16)."
        ),
    };
    let legend: Vec<(Mark, String)> = s
        .rules
        .iter()
        .map(|(r, _)| {
            let (c, m) = style(r);
            (Mark::Point(c, m), rule_label(d, r, lang))
        })
        .collect();
    let body = frame(root, super::ChartKind::MunicipalRisk.title(lang), &subtitle(d, lang), &legend, &note)?;
    let names = if lang == Lang::Nl { &s.names_nl } else { &s.names };
    let n = names.len().max(1);
    let max = s.rules.iter().flat_map(|(_, ys)| ys.iter().copied()).filter(|x| x.is_finite()).fold(0.0, f64::max);
    let x_max = super::ticks(&(0.0..(max * 1.1).max(1.0)), 6).last().copied().unwrap_or(1.0).max(max * 1.05);
    let label_size = (600.0 / n as f64).clamp(15.0, 24.0);
    let label_w = names.iter().map(|t| layout::width(t, label_size, false)).fold(0.0, f64::max).ceil() as i32;
    let (w, _) = body.dim_in_pixel();
    let label_w = label_w.min(w as i32 / 3);
    let mut chart = ChartBuilder::on(&body)
        .margin_top(8)
        .margin_bottom(6)
        .margin_left(10)
        .margin_right(40)
        .x_label_area_size(64)
        .y_label_area_size(label_w + 16)
        .build_cartesian_2d(0.0..x_max, -0.5..(n as f64 - 0.5))
        .msg()?;
    let pct = |x: &f64| format!("{}%", lang.num(*x, 0));
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .label_style(font(22.0).color(&INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1))
        .x_labels(6)
        .x_label_formatter(&pct)
        .x_desc(lang.t("P90 above P50 (P90/P50 − 1)", "P90 boven P50 (P90/P50 − 1)"))
        .axis_desc_style(font(22.0).color(&INK))
        .draw()
        .msg()?;
    // Rows from the top in file order; a thin line joins a municipality's figures.
    let row_y = |m: usize| (n - 1 - m) as f64;
    for m in 0..names.len() {
        let xs: Vec<f64> = s.rules.iter().map(|(_, ys)| ys[m]).filter(|x| x.is_finite()).collect();
        if xs.len() >= 2 {
            let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(lo, row_y(m)), (hi, row_y(m))],
                    GREY.stroke_width(2),
                )))
                .msg()?;
        }
    }
    let area = chart.plotting_area();
    for (r, ys) in &s.rules {
        let (c, marker) = style(r);
        for (m, &x) in ys.iter().enumerate() {
            if x.is_finite() {
                let at = area.map_coordinate(&(x, row_y(m)));
                // Pixel coordinates of the whole image: the markers and names are drawn on it.
                draw_marker(root, at, marker, c)?;
            }
        }
    }
    let style = font(label_size).color(&INK).pos(Pos::new(HPos::Right, VPos::Center));
    for (m, name) in names.iter().enumerate() {
        let (_, y) = area.map_coordinate(&(0.0, row_y(m)));
        let text = layout::shorten(name, label_size, false, label_w as f64);
        root.draw(&Text::new(text, (area.get_pixel_range().0.start - 12, y), style.clone())).msg()?;
    }
    Ok(())
}
