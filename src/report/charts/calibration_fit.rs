//! `NAME-fit.png/svg` (and `_nl`): the fit report of `contractsim calibrate` as a chart,
//! per segment (one panel each) the trajectories started and ended per period as
//! registered (points) against the fit (lines).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{panel_heads, small_multiples};
use super::{GREY, GRID, HEIGHT, INK, Mark, Marker, Msg, OKABE_ITO, WIDTH, draw_marker, font, frame, range_of};
use crate::report::lang::Lang;

/// One period of a segment: its middle in decimal years and the counts.
#[derive(Debug, Clone, PartialEq)]
pub struct FitPoint {
    /// The middle of the period, in decimal calendar years.
    pub mid_year: f64,
    /// Trajectories started, registered.
    pub started: f64,
    /// Trajectories started, fitted.
    pub started_fitted: f64,
    /// Trajectories ended, registered.
    pub ended: f64,
    /// Trajectories ended, fitted.
    pub ended_fitted: f64,
}

/// One panel: a segment and its periods.
#[derive(Debug, Clone, PartialEq)]
pub struct FitPanel {
    /// Readable segment name.
    pub name: String,
    /// Readable segment name in Dutch.
    pub name_nl: String,
    /// Its periods in order.
    pub points: Vec<FitPoint>,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FitChart {
    /// The calibrated scenario's name (the subtitle).
    pub scenario: String,
    /// The data file (the subtitle).
    pub source: String,
    /// One panel per fitted segment.
    pub panels: Vec<FitPanel>,
}

const STARTED: RGBColor = OKABE_ITO[0];
const ENDED: RGBColor = OKABE_ITO[2];

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &FitChart, lang: Lang) -> Result<(), String> {
    let legend = vec![
        (
            Mark::Point(STARTED, Marker::Circle),
            lang.t("started: registered (points), fitted (line)", "gestart: geregistreerd (punten), gefit (lijn)")
                .to_string(),
        ),
        (
            Mark::Point(ENDED, Marker::Square),
            lang.t("ended: registered (points), fitted (line)", "beëindigd: geregistreerd (punten), gefit (lijn)")
                .to_string(),
        ),
    ];
    let note = lang.t(
        "Trajectories per period, plotted at the period's middle. Fitted, started: the fitted yearly starts per 1000 youths times the period's youths and length; ended: the period's client-years (from the trajectories running at its start and end) divided by the fitted mean duration. Each panel has its own scale, from zero.",
        "Trajecten per periode, getekend in het midden van de periode. Gefit, gestart: het gefitte aantal gestarte trajecten per jaar per 1000 jeugdigen maal de jeugdigen en de lengte van de periode; beëindigd: de cliëntjaren van de periode (uit de lopende trajecten aan het begin en eind) gedeeld door de gefitte gemiddelde duur. Elk paneel heeft een eigen schaal, vanaf nul.",
    );
    let title = lang.t("Calibration: registered against fitted", "Kalibratie: geregistreerd tegenover gefit");
    let subtitle = format!("{} · {}", c.scenario, c.source);
    let body = frame(root, title, &subtitle, &legend, note)?;
    if c.panels.is_empty() {
        return Ok(());
    }
    let (areas, _) =
        small_multiples(&body, c.panels.len(), lang.t("trajectories", "trajecten"), Some(lang.t("year", "jaar")))?;
    let titles: Vec<String> = c.panels.iter().map(|p| lang.t(&p.name, &p.name_nl).to_string()).collect();
    let areas = panel_heads(&areas, &titles, &[])?;
    for (p, area) in c.panels.iter().zip(&areas) {
        let xs = range_of(p.points.iter().map(|q| q.mid_year), 0.0);
        // From whole year to whole year, with room before the first so that its label
        // clears the vertical axis's "0".
        let x = (xs.start.floor() - 0.3)..(xs.end.ceil().max(xs.start.floor() + 1.0) + 0.3);
        let top =
            range_of(p.points.iter().flat_map(|q| [q.started, q.started_fitted, q.ended, q.ended_fitted]), 0.0).end;
        let y = 0.0..(top * 1.1).max(2.0);
        let ls = 20.0;
        let ticks = super::ticks(&y, 5);
        let y_w = ticks.iter().map(|t| super::layout::width(&lang.num(*t, 0), ls, false)).fold(0.0, f64::max);
        let mut b = ChartBuilder::on(area);
        b.margin_top(18)
            .margin_bottom(6)
            .margin_left(10)
            .margin_right(30)
            .x_label_area_size(34)
            .y_label_area_size(y_w.ceil() as i32 + 14);
        let mut chart = b.build_cartesian_2d(x.clone(), y.clone()).msg()?;
        let span = (x.end - x.start - 0.6).round() as usize;
        // Labels on whole years only: a tick between two years gets none, so that no
        // label names a year it is not at.
        let xf = |v: &f64| if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { String::new() };
        let yf = |v: &f64| lang.num(*v, 0);
        chart
            .configure_mesh()
            .label_style(font(ls).color(&INK))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(GREY.stroke_width(1))
            .x_labels((span + 1).min(6))
            .y_labels(5)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .draw()
            .msg()?;
        for (colour, marker, obs, fit) in [
            (
                STARTED,
                Marker::Circle,
                p.points.iter().map(|q| (q.mid_year, q.started)).collect::<Vec<_>>(),
                p.points.iter().map(|q| (q.mid_year, q.started_fitted)).collect::<Vec<_>>(),
            ),
            (
                ENDED,
                Marker::Square,
                p.points.iter().map(|q| (q.mid_year, q.ended)).collect(),
                p.points.iter().map(|q| (q.mid_year, q.ended_fitted)).collect(),
            ),
        ] {
            chart.draw_series(LineSeries::new(fit, colour.stroke_width(3))).msg()?;
            let plot = chart.plotting_area();
            for pt in obs {
                let px = plot.map_coordinate(&pt);
                let (ox, oy) = plot.get_base_pixel();
                let _ = (ox, oy);
                draw_marker(&plot.strip_coord_spec(), (px.0 - ox, px.1 - oy), marker, colour)?;
            }
        }
    }
    Ok(())
}

/// The chart as an SVG document.
pub fn svg(c: &FitChart, lang: Lang) -> Result<String, String> {
    super::register_fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, c, lang)?;
        root.present().msg()?;
    }
    Ok(out)
}

/// The chart as a PNG image.
pub fn png(c: &FitChart, lang: Lang) -> Result<Vec<u8>, String> {
    super::register_fonts()?;
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, c, lang)?;
        root.present().msg()?;
    }
    super::encode_png(&pixels).msg()
}
