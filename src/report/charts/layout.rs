//! Text that fits: every text a chart writes is measured with the embedded font's advance
//! widths (plotters' `ab_glyph` layout, at the size the PNG renders, which is larger than
//! the SVG's `font-size`, see below) before it is placed, and wrapped, shrunk or shortened
//! until it fits its box. The small multiples get one vertical axis title per chart and
//! panel titles that wrap inside their panel.
//!
//! Why measurements are conservative: plotters renders a text of size `s` in a PNG with
//! the font scaled so that ascent minus descent is `s` pixels (an em of `s / 1.164` for
//! DejaVu Sans), and writes `font-size = s / 1.24` into the SVG; the width measured here is
//! the PNG's, so the SVG's text is some 6% narrower still. [`MARGIN`] adds room for
//! rounding and anti-aliasing.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{INK, Msg, bold, font};

/// Extra width, as a share of a measured width, plus two pixels, allowed for rounding.
pub(crate) const MARGIN: f64 = 0.03;

/// Line height as a multiple of the text size.
pub(crate) const LINE: f64 = 1.25;

/// The width in pixels of `text` in the regular (`strong == false`) or bold font of `size`
/// pixels, with [`MARGIN`].
pub(crate) fn width(text: &str, size: f64, strong: bool) -> f64 {
    let f = if strong { bold(size) } else { font(size) };
    let w = f.box_size(text).map(|(w, _)| w as f64).unwrap_or_else(|_| {
        // No font data: an upper bound, the widest glyph of DejaVu Sans is about one em.
        text.chars().count() as f64 * size
    });
    w * (1.0 + MARGIN) + 2.0
}

/// `text` broken at spaces into lines no wider than `max_px` (a word longer than the line
/// is cut with an ellipsis); at most `max_lines` lines, the last one shortened with an
/// ellipsis when the text does not fit. Returns the lines and whether the text was cut.
pub(crate) fn wrap(text: &str, size: f64, strong: bool, max_px: f64, max_lines: usize) -> (Vec<String>, bool) {
    let mut lines: Vec<String> = Vec::new();
    let mut cut = false;
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if width(&candidate, size, strong) <= max_px {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if width(word, size, strong) <= max_px {
            current = word.to_string();
        } else {
            lines.push(shorten(word, size, strong, max_px));
            cut = true;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(shorten(&rest, size, strong, max_px));
        cut = true;
    }
    (lines, cut)
}

/// `text` cut at the end with an ellipsis until it is no wider than `max_px`.
pub(crate) fn shorten(text: &str, size: f64, strong: bool, max_px: f64) -> String {
    if width(text, size, strong) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (0..chars.len()).rev() {
        let s: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if width(&s, size, strong) <= max_px {
            return s;
        }
    }
    String::new()
}

/// The largest size from `size` down to `min` (2 pixels at a time) at which `text` fits in
/// `max_lines` lines of `max_px`, and those lines; at `min`, the lines shortened to fit.
pub(crate) fn fit(text: &str, size: f64, min: f64, strong: bool, max_px: f64, max_lines: usize) -> (f64, Vec<String>) {
    let mut s = size;
    loop {
        let (lines, cut) = wrap(text, s, strong, max_px, max_lines);
        if !cut || s - 2.0 < min {
            return (s, lines);
        }
        s -= 2.0;
    }
}

/// Height in pixels of `n` lines of `size`.
pub(crate) fn lines_height(n: usize, size: f64) -> i32 {
    (n as f64 * size * LINE).ceil() as i32
}

/// Draws `lines` from the top-left corner `(x, y)` of `area`, one below the other.
pub(crate) fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[String],
    (x, y): (i32, i32),
    style: &TextStyle<'_>,
    size: f64,
) -> Result<(), String> {
    for (i, l) in lines.iter().enumerate() {
        let at = (x, y + (i as f64 * size * LINE).round() as i32);
        area.draw(&Text::new(l.clone(), at, style.clone())).msg()?;
    }
    Ok(())
}

/// Size of panel titles (bold) and of the line under them.
pub(crate) const PANEL_TITLE: f64 = 26.0;

/// The heads of small multiples: each panel's title (bold, wrapped into at most two
/// lines, shrunk to 20 pixels and shortened if it must) and an optional line under it
/// (regular, shrunk and shortened to one line), drawn at the top of its area, all at one
/// size and with room for as many lines as the longest needs, so that the plots line up.
/// Returns the areas below the heads.
pub(crate) fn panel_heads<DB: DrawingBackend>(
    areas: &[DrawingArea<DB, Shift>],
    titles: &[String],
    infos: &[Option<String>],
) -> Result<Vec<DrawingArea<DB, Shift>>, String> {
    let Some(first) = areas.first() else { return Ok(Vec::new()) };
    let max_px = first.dim_in_pixel().0 as f64 - 20.0;
    let size = titles.iter().map(|t| fit(t, PANEL_TITLE, 20.0, true, max_px, 2).0).fold(PANEL_TITLE, f64::min);
    let title_lines: Vec<Vec<String>> = titles.iter().map(|t| wrap(t, size, true, max_px, 2).0).collect();
    let n_lines = title_lines.iter().map(Vec::len).max().unwrap_or(1);
    let isize = infos.iter().flatten().map(|t| fit(t, 22.0, 17.0, false, max_px, 1).0).fold(22.0, f64::min);
    let has_info = infos.iter().any(Option::is_some);
    let head = 6 + lines_height(n_lines, size) + if has_info { lines_height(1, isize) } else { 0 } + 4;
    let top = Pos::new(HPos::Left, VPos::Top);
    let mut out = Vec::with_capacity(areas.len());
    for (i, area) in areas.iter().enumerate() {
        let Some(lines) = title_lines.get(i) else { break };
        draw_lines(area, lines, (10, 6), &bold(size).color(&INK).pos(top), size)?;
        if let Some(Some(info)) = infos.get(i) {
            let line = shorten(info, isize, false, max_px);
            let y = 6 + lines_height(n_lines, size);
            area.draw(&Text::new(line, (10, y), font(isize).color(&INK).pos(top))).msg()?;
        }
        out.push(area.split_vertically(head).1);
    }
    Ok(out)
}

/// Small multiples: `n` panels in a grid on `body`, with one vertical axis title for the
/// whole chart (rotated, at the left, centred on the panels) and one horizontal axis title
/// (centred under them). Returns the panel areas, row by row.
pub(crate) fn small_multiples<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    n: usize,
    y_title: &str,
    x_title: Option<&str>,
) -> Result<(Vec<DrawingArea<DB, Shift>>, usize), String> {
    let (w, h) = body.dim_in_pixel();
    const AXIS: f64 = 24.0;
    let x_h = if x_title.is_some() { lines_height(1, AXIS) + 6 } else { 0 };
    let left = lines_height(1, AXIS) + 14;
    // The vertical title runs along the height of the panels.
    let (ysize, ylines) = fit(y_title, AXIS, 18.0, false, (h as i32 - x_h) as f64 - 20.0, 1);
    let style = font(ysize).color(&INK).transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top));
    if let Some(l) = ylines.first() {
        body.draw(&Text::new(l.clone(), (6, (h as i32 - x_h) / 2), style)).msg()?;
    }
    let (_, right) = body.split_horizontally(left);
    let (panels, bottom) = right.split_vertically(h as i32 - x_h);
    if let Some(x_title) = x_title {
        let (xsize, xlines) = fit(x_title, AXIS, 18.0, false, (w as i32 - left) as f64 - 20.0, 1);
        let style = font(xsize).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
        let (bw, _) = bottom.dim_in_pixel();
        if let Some(l) = xlines.first() {
            bottom.draw(&Text::new(l.clone(), (bw as i32 / 2, 2), style)).msg()?;
        }
    }
    let (rows, cols) = super::grid(n);
    Ok((panels.split_evenly((rows, cols)), cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() {
        super::super::register_fonts().unwrap();
    }

    #[test]
    fn wrapping_keeps_every_line_inside_the_width() {
        fonts();
        let text = "Output contracts plus investor-financed prevention with a corridor";
        for max in [120.0, 200.0, 400.0, 2000.0] {
            let (lines, _) = wrap(text, 26.0, true, max, 3);
            assert!(lines.len() <= 3);
            for l in &lines {
                assert!(width(l, 26.0, true) <= max, "{l:?} wider than {max}");
            }
        }
        let (lines, cut) = wrap(text, 26.0, true, 2000.0, 1);
        assert_eq!((lines, cut), (vec![text.to_string()], false));
        let (lines, cut) = wrap(text, 26.0, true, 300.0, 2);
        assert!(cut && lines[1].ends_with('…'), "{lines:?}");
    }

    #[test]
    fn widths_grow_with_text_and_size() {
        fonts();
        assert!(width("WWW", 20.0, false) > width("iii", 20.0, false));
        assert!(width("spend", 30.0, false) > width("spend", 20.0, false));
        assert!(width("spend", 20.0, true) >= width("spend", 20.0, false));
        // DejaVu Sans: 'm' is 0.974 em wide; at a scale of 20 px (em = 20 / 1.164 px).
        let m = width("mmmmmmmmmm", 20.0, false);
        assert!((m - 2.0) / (1.0 + MARGIN) > 10.0 * 0.97 * 20.0 / 1.17, "{m}");
    }

    #[test]
    fn fit_shrinks_before_it_shortens() {
        fonts();
        let text = "Maatschappelijk perspectief per strategie";
        let w = width(text, 22.0, true);
        let (size, lines) = fit(text, 26.0, 20.0, true, w, 1);
        assert_eq!(lines, vec![text.to_string()]);
        assert!((22.0..26.0).contains(&size), "{size}");
    }
}
