//! `societal`: the societal view, for scenarios that value benefits outside the municipal
//! budget (`[[societal_benefit]]`, or valued drop-outs): per alternative strategy of the
//! focus, three horizontal bars side by side: the municipal saving versus the baseline
//! (`npv_saving_vs_baseline`), the societal benefit outside the budget
//! (`npv_societal_benefit`) and the societal net, their sum (`npv_societal_net`). Each bar
//! is the mean over simulated futures of the net present value, with a whisker over the
//! 90% band (5th to 95th percentile), all in euro millions on one scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{fit, lines_height, panel_heads};
use super::{Axes, GREY, INK, Mark, Msg, frame, range_of, strategy_colour, strategy_name, subtitle, tint};
use crate::metrics::Horizon;
use crate::report::ReportData;
use crate::report::lang::Lang;

/// The three figures, left to right: metric, English and Dutch panel title.
pub const FIGURES: [(Horizon, &str, &str); 3] = [
    (Horizon::NpvSavingVsBaseline, "Municipal saving", "Besparing gemeente"),
    (Horizon::NpvSocietalBenefit, "Societal benefit outside youth care", "Maatschappelijke baten buiten de jeugdhulp"),
    (Horizon::NpvSocietalNet, "Societal net (saving plus benefit)", "Maatschappelijk saldo (besparing plus baten)"),
];

/// One figure of one strategy: mean and 90% band, euro millions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Mean over runs.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Societal {
    /// Per alternative strategy (file order): its index and the [`FIGURES`], in order.
    pub rows: Vec<(usize, [Bar; 3])>,
}

/// Whether the results value benefits outside the budget.
pub fn applies(d: &ReportData) -> bool {
    d.metric(crate::metrics::SOCIETAL_BENEFIT).is_some()
        && super::alternatives(d).iter().any(|&k| d.horizon(k, Horizon::NpvSocietalBenefit).mean.is_finite())
}

/// The series of the chart.
pub fn data(d: &ReportData) -> Societal {
    let rows = super::alternatives(d)
        .into_iter()
        .map(|k| {
            let bar = |m: Horizon| {
                let s = d.horizon(k, m);
                Bar { mean: s.mean * 1e-6, p5: s.p5() * 1e-6, p95: s.p95() * 1e-6 }
            };
            (k, FIGURES.map(|(m, ..)| bar(m)))
        })
        .collect();
    Societal { rows }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Societal,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = super::focus_alternatives(d);
    let rows: Vec<&(usize, [Bar; 3])> = ks.iter().filter_map(|k| s.rows.iter().find(|(j, _)| j == k)).collect();
    let legend = vec![
        (Mark::Box(tint(GREY, 0.3)), lang.t("mean", "gemiddelde").to_string()),
        (
            Mark::Line(INK, 3),
            lang.t("90% band (5th to 95th percentile)", "90%-band (5e tot 95e percentiel)").to_string(),
        ),
    ];
    let note = format!(
        "{} {} {} {}",
        lang.t("Versus", "Ten opzichte van"),
        strategy_name(d, d.baseline(), lang),
        lang.t(
            "over all years, net present value in today's money. Benefits outside the budget are not in the municipal saving: they fall to residents, other budgets and society.",
            "over alle jaren, contante waarde. Baten buiten de begroting zitten niet in de besparing van de gemeente: ze vallen toe aan inwoners, andere begrotingen en de samenleving."
        ),
        super::focus_note(d, lang).unwrap_or_default(),
    );
    let body = frame(root, super::ChartKind::Societal.title(lang), &subtitle(d, lang), &legend, note.trim_end())?;
    if rows.is_empty() {
        return Ok(());
    }
    let x =
        range_of(rows.iter().flat_map(|(_, bars)| bars.iter().flat_map(|b| [b.mean, b.p5, b.p95])).chain([0.0]), 0.06);
    // Strategy names in a column at the left, wrapped to fit, one row per strategy.
    let (w, h) = body.dim_in_pixel();
    let names_w = (w as f64 * 0.2).round() as i32;
    let (names, charts) = body.split_horizontally(names_w);
    let panels = charts.split_evenly((1, 3));
    let n = rows.len() as f64;
    let y = 0.0..n;
    let mut plot_rows: Option<(i32, i32)> = None;
    let titles: Vec<String> = FIGURES.iter().map(|(_, en, nl)| lang.t(en, nl).to_string()).collect();
    let panels = panel_heads(&panels, &titles, &[])?;
    for (i, area) in panels.iter().enumerate() {
        let axes = Axes {
            x: x.clone(),
            y: y.clone(),
            x_desc: Some(lang.t("EUR mln", "€ mln").to_string()),
            y_desc: None,
            x_is_year: false,
            y_is_pct: false,
            y_integer: false,
            label_size: 20.0,
        };
        let mut chart = societal_panel(area, &axes, lang)?;
        let c_of = |k: usize| strategy_colour(d, k);
        for (r, (k, bars)) in rows.iter().enumerate() {
            let b = bars[i];
            let top = n - r as f64 - 0.2;
            let bottom = n - r as f64 - 0.8;
            let c = c_of(*k);
            if b.mean.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new([(0.0, bottom), (b.mean, top)], tint(c, 0.2).filled())))
                    .msg()?;
            }
            if b.p5.is_finite() && b.p95.is_finite() {
                let mid = n - r as f64 - 0.5;
                super::line(&mut chart, &[b.p5, b.p95], &[mid, mid], INK.stroke_width(3))?;
                for e in [b.p5, b.p95] {
                    super::line(&mut chart, &[e, e], &[mid - 0.12, mid + 0.12], INK.stroke_width(3))?;
                }
            }
        }
        super::line(&mut chart, &[0.0, 0.0], &[0.0, n], GREY.stroke_width(2))?;
        // Each mean written in the gap above its bar, at the left of the plot.
        let plot = chart.plotting_area().strip_coord_spec();
        let base = plot.get_base_pixel();
        let (pw, _) = plot.dim_in_pixel();
        for (r, (_, bars)) in rows.iter().enumerate() {
            let (_, row_top) = chart.backend_coord(&(x.start, n - r as f64));
            let text = format!("{} {}", lang.t("mean", "gemiddeld"), lang.mln(bars[i].mean * 1e6));
            let text = super::layout::shorten(&text, 18.0, false, pw as f64 - 12.0);
            let style = super::font(18.0).color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
            // Right of the zero line where it fits, so that the line does not cross it.
            let (zero, _) = chart.backend_coord(&(0.0, 0.0));
            let w = super::layout::width(&text, 18.0, false);
            let right_of_zero = zero - base.0 + 8;
            let at = if (right_of_zero as f64 + w) <= pw as f64 { right_of_zero } else { 6 };
            plot.draw(&Text::new(text, (at, row_top - base.1 + 3), style)).msg()?;
        }
        if plot_rows.is_none() {
            let (_, top) = chart.backend_coord(&(x.start, n));
            let (_, bottom) = chart.backend_coord(&(x.start, 0.0));
            plot_rows = Some((top - names.get_base_pixel().1, bottom - names.get_base_pixel().1));
        }
    }
    // Each name centred on its row.
    let (top, bottom) = plot_rows.unwrap_or((0, h as i32));
    let row_h = (bottom - top) as f64 / n;
    for (r, (k, _)) in rows.iter().enumerate() {
        let centre = top as f64 + (r as f64 + 0.5) * row_h;
        let max_lines = ((row_h / (24.0 * 1.25)).floor() as usize).clamp(1, 3);
        let (size, lines) = fit(&strategy_name(d, *k, lang), 24.0, 18.0, true, names_w as f64 - 24.0, max_lines);
        let y0 = (centre - lines_height(lines.len(), size) as f64 / 2.0).round() as i32;
        let style = super::bold(size).color(&strategy_colour(d, *k)).pos(Pos::new(HPos::Left, VPos::Top));
        super::layout::draw_lines(&names, &lines, (16, y0), &style, size)?;
    }
    Ok(())
}

/// A panel of horizontal bars: the amounts along the bottom, no labels on the vertical axis
/// (the strategies are named at the left of the chart).
fn societal_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    a: &Axes,
    lang: Lang,
) -> Result<super::Plot<'a, DB>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_left(8)
        .margin_right(40)
        .x_label_area_size(lines_height(1, a.label_size) + 12 + lines_height(1, super::AXIS_TITLE) + 4)
        .y_label_area_size(0)
        .build_cartesian_2d(a.x.clone(), a.y.clone())
        .msg()?;
    let (w, _) = area.dim_in_pixel();
    let plot_w = (w as f64 - 60.0).max(50.0);
    let mut nx = 6;
    let (ticks, dec) = loop {
        let ts = super::ticks(&a.x, nx);
        let dec = super::decimals_of(&ts);
        let widest =
            ts.iter().map(|t| super::layout::width(&lang.num(*t, dec), a.label_size, false)).fold(0.0, f64::max);
        if widest * 1.5 * ts.len() as f64 <= plot_w || nx <= 2 {
            break (ts, dec);
        }
        nx -= 1;
    };
    let _ = ticks;
    let xf = |x: &f64| lang.num(*x, dec);
    chart
        .configure_mesh()
        .label_style(super::font(a.label_size).color(&INK))
        .axis_desc_style(super::font(super::AXIS_TITLE).color(&INK))
        .bold_line_style(super::GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1))
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(nx)
        .x_label_formatter(&xf)
        .x_desc(a.x_desc.clone().unwrap_or_default())
        .draw()
        .msg()?;
    Ok(chart)
}
