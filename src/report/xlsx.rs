//! `results.xlsx`: the workbook for a finance department. Sheets: `budget` (P50 and the
//! P90 "prudent budget" per strategy and year, with the budget line), `summary` (the
//! answer and the horizon figures per strategy), `yearly` (every yearly figure), `runs`
//! (per-run data, as `runs.csv`), `inputs` (every input of the scenario with its
//! distribution) and `about` (provenance). Euros carry thousands separators, probabilities
//! are percentages; the file's dates are fixed so that the same results give the same
//! bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Worksheet};

use super::data::ReportData;
use super::headline::Headline;
use super::lang::Lang;
use super::markdown::answer;
use super::{OutputError, Report};

use crate::metrics::{HORIZON, Horizon, Yearly};

/// `results.xlsx`.
pub(crate) struct Workbook;

/// Rows Excel allows in a sheet.
pub(crate) const MAX_ROWS: usize = 1_048_576;

struct Formats {
    bold: Format,
    title: Format,
    header: Format,
    eur: Format,
    eur_mln: Format,
    pct: Format,
    year: Format,
    num: Format,
    int: Format,
    wrap: Format,
}

fn formats() -> Formats {
    Formats {
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        header: Format::new().set_bold().set_background_color(0xE8EEF4).set_text_wrap().set_align(FormatAlign::Top),
        eur: Format::new().set_num_format("\"€ \"#,##0"),
        eur_mln: Format::new().set_num_format("\"€ \"#,##0.0,,\" mln\""),
        pct: Format::new().set_num_format("0%"),
        year: Format::new().set_num_format("0"),
        num: Format::new().set_num_format("#,##0.00"),
        int: Format::new().set_num_format("#,##0"),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// Writes a number, or leaves the cell empty when it is not finite.
fn number(ws: &mut Worksheet, row: u32, col: u16, x: f64, f: &Format) -> Result<(), OutputError> {
    if x.is_finite() {
        ws.write_number_with_format(row, col, x, f)?;
    }
    Ok(())
}

fn headers(ws: &mut Worksheet, row: u32, names: &[String], f: &Format) -> Result<(), OutputError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, n, f)?;
    }
    Ok(())
}

impl Report for Workbook {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        Ok(vec![("results.xlsx".into(), workbook(d)?)])
    }
}

/// The workbook's bytes.
pub fn workbook(d: &ReportData) -> Result<Vec<u8>, OutputError> {
    let f = formats();
    let m = &d.meta;
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A fixed creation date: the file records its results, not when it was written.
    let date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("contractsim: {}", m.scenario_name))
            .set_author("contractsim")
            .set_creation_datetime(&date),
    );
    budget_sheet(wb.add_worksheet(), d, &f)?;
    summary_sheet(wb.add_worksheet(), d, &f)?;
    yearly_sheet(wb.add_worksheet(), d, &f)?;
    runs_sheet(wb.add_worksheet(), d, &f)?;
    inputs_sheet(wb.add_worksheet(), d, &f)?;
    about_sheet(wb.add_worksheet(), d, &f)?;
    if let Some(sens) = &d.sensitivity {
        sensitivity_sheet(wb.add_worksheet(), sens, &f)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn budget_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("budget")?;
    ws.write_string_with_format(0, 0, "Prudent budget per strategy and year (nominal euros)", &f.title)?;
    ws.write_string(
        1,
        0,
        "P50: median of yearly municipal spend over the simulated futures. P90: the prudent budget, not exceeded in 9 of 10 futures.",
    )?;
    let mut names = vec!["year".to_string(), "budget line".to_string()];
    for k in 0..d.strategies() {
        names.push(format!("{} P50", d.name(k)));
        names.push(format!("{} P90", d.name(k)));
    }
    headers(ws, 3, &names, &f.header)?;
    ws.set_row_height(3, 48)?;
    let spend: Vec<_> = (0..d.strategies()).map(|k| d.yearly_or_empty(k, Yearly::Spend)).collect();
    for (t, year) in d.years().into_iter().enumerate() {
        let row = 4 + t as u32;
        ws.write_number_with_format(row, 0, year, &f.year)?;
        number(ws, row, 1, d.budget_line.get(t).copied().unwrap_or(f64::NAN), &f.eur)?;
        for (k, series) in spend.iter().enumerate() {
            let col = 2 + 2 * k as u16;
            number(ws, row, col, series.get(t).map_or(f64::NAN, |s| s.p50()), &f.eur)?;
            number(ws, row, col + 1, d.spend_p90(k).get(t).copied().unwrap_or(f64::NAN), &f.eur)?;
        }
    }
    ws.set_column_width(0, 8)?;
    for c in 1..names.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(4, 1)?;
    Ok(())
}

fn summary_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("summary")?;
    let m = &d.meta;
    ws.write_string_with_format(0, 0, &m.scenario_name, &f.title)?;
    let hl = Headline::of(d);
    let mut row = 1;
    for s in answer(d, &hl, Lang::En) {
        ws.write_string(row, 0, &s)?;
        row += 1;
    }
    row += 1;
    let names: Vec<String> = [
        "strategy",
        "id",
        "NPV of spend P50",
        "NPV of spend P5",
        "NPV of spend P95",
        "saving vs baseline (NPV) mean",
        "saving MCSE",
        "saving P5",
        "saving P50",
        "saving P95",
        "P(cheaper than baseline)",
        "P(cheapest)",
        "break-even year (median)",
        "P(break even)",
        "cost per success P50",
        "total spend P50 (nominal)",
    ]
    .map(String::from)
    .to_vec();
    headers(ws, row, &names, &f.header)?;
    ws.set_row_height(row, 48)?;
    for k in 0..d.strategies() {
        let r = row + 1 + k as u32;
        let npv = d.horizon(k, Horizon::NpvSpend);
        let sav = d.horizon(k, Horizon::NpvSavingVsBaseline);
        ws.write_string(r, 0, d.name(k))?;
        ws.write_string(r, 1, &m.strategies[k])?;
        number(ws, r, 2, npv.p50(), &f.eur)?;
        number(ws, r, 3, npv.p5(), &f.eur)?;
        number(ws, r, 4, npv.p95(), &f.eur)?;
        if k != d.baseline() {
            number(ws, r, 5, sav.mean, &f.eur)?;
            number(ws, r, 6, sav.mcse, &f.eur)?;
            number(ws, r, 7, sav.p5(), &f.eur)?;
            number(ws, r, 8, sav.p50(), &f.eur)?;
            number(ws, r, 9, sav.p95(), &f.eur)?;
            number(ws, r, 10, d.horizon(k, Horizon::PCheaperThanBaseline).mean, &f.pct)?;
            let be = d.horizon(k, Horizon::BreakEvenYear).p50();
            if be.is_finite() {
                ws.write_number_with_format(r, 12, be, &f.year)?;
            } else {
                ws.write_string(r, 12, "never")?;
            }
            number(ws, r, 13, d.horizon(k, Horizon::PBreakEven).mean, &f.pct)?;
        }
        number(ws, r, 11, d.horizon(k, Horizon::PCheapest).mean, &f.pct)?;
        number(ws, r, 14, d.horizon(k, Horizon::CostPerSuccess).p50(), &f.eur)?;
        number(ws, r, 15, d.horizon(k, Horizon::TotalSpend).p50(), &f.eur_mln)?;
    }
    ws.set_column_width(0, 34)?;
    for c in 1..names.len() as u16 {
        ws.set_column_width(c, 15)?;
    }
    Ok(())
}

/// Whether a yearly metric is money, a probability, or a count.
fn yearly_format<'a>(metric: &str, f: &'a Formats) -> &'a Format {
    use Yearly as Y;
    if metric == crate::metrics::BUDGET_OVERRUN {
        return &f.pct;
    }
    match Yearly::from_name(metric) {
        Some(Y::PCheapest) => &f.pct,
        Some(
            Y::Spend
            | Y::CarePayments
            | Y::OutcomePayments
            | Y::PreventionCost
            | Y::AdminCost
            | Y::ProviderCost
            | Y::ProviderResult
            | Y::SpendReal
            | Y::CumulativeSaving,
        ) => &f.eur,
        _ => &f.num,
    }
}

fn yearly_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("yearly")?;
    let names: Vec<String> =
        ["strategy", "year", "metric", "mean", "mcse", "p5", "p25", "p50", "p75", "p95"].map(String::from).to_vec();
    headers(ws, 0, &names, &f.header)?;
    let mut row = 1u32;
    let years = d.years();
    for k in 0..d.strategies() {
        for (t, &year) in years.iter().enumerate() {
            for metric in &d.yearly_metrics {
                let Some(s) = d.yearly_named(k, metric).and_then(|s| s.get(t)) else { continue };
                let fmt = yearly_format(metric, f);
                ws.write_string(row, 0, &d.meta.strategies[k])?;
                ws.write_number_with_format(row, 1, year, &f.year)?;
                ws.write_string(row, 2, metric)?;
                number(ws, row, 3, s.mean, fmt)?;
                number(ws, row, 4, s.mcse, fmt)?;
                for (i, p) in s.p.iter().enumerate() {
                    number(ws, row, 5 + i as u16, *p, fmt)?;
                }
                row += 1;
            }
        }
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(2, 30)?;
    for c in 3..names.len() as u16 {
        ws.set_column_width(c, 15)?;
    }
    ws.set_freeze_panes(1, 3)?;
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), (names.len() - 1) as u16)?;
    Ok(())
}

/// Runs shown in the `runs` sheet: a workbook is for reading and filtering, not for a
/// million rows (Excel's limit is 1,048,576); `runs.csv` always holds every run.
pub(crate) const XLSX_RUNS: usize = 5_000;

fn runs_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("runs")?;
    let mut names = vec!["run".to_string(), "strategy".to_string()];
    names.extend(HORIZON.iter().map(|s| s.to_string()));
    names.extend(d.meta.uncertain_parameters.iter().cloned());
    headers(ws, 0, &names, &f.header)?;
    let n = d.strategies();
    let fmt = |m: Horizon| match m {
        Horizon::NpvSpend | Horizon::TotalSpend | Horizon::NpvSavingVsBaseline | Horizon::CostPerSuccess => &f.eur,
        Horizon::BreakEvenYear => &f.year,
        _ => &f.int,
    };
    let mut row = 1u32;
    for i in 0..d.runs.len().min(XLSX_RUNS) {
        for k in 0..n {
            if row as usize >= MAX_ROWS {
                break;
            }
            ws.write_number(row, 0, d.runs.run_ids[i] as f64)?;
            ws.write_string(row, 1, &d.meta.strategies[k])?;
            for m in Horizon::ALL {
                number(ws, row, 2 + m.index() as u16, d.runs.horizon(i, k, m), fmt(m))?;
            }
            for p in 0..d.meta.uncertain_parameters.len() {
                let x = d.runs.param(i, p);
                if x.is_finite() {
                    ws.write_number(row, (2 + HORIZON.len() + p) as u16, x)?;
                }
            }
            row += 1;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    for c in 2..(2 + HORIZON.len()) as u16 {
        ws.set_column_width(c, 15)?;
    }
    Ok(())
}

fn inputs_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("inputs")?;
    let names: Vec<String> = ["input", "distribution", "mean", "uncertain"].map(String::from).to_vec();
    headers(ws, 0, &names, &f.header)?;
    for (i, input) in d.meta.inputs.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &input.path)?;
        ws.write_string(r, 1, &input.distribution)?;
        number(ws, r, 2, input.mean, &Format::new().set_num_format("#,##0.####"))?;
        ws.write_string(r, 3, if input.uncertain { "yes" } else { "no" })?;
    }
    ws.set_column_width(0, 48)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 14)?;
    ws.set_freeze_panes(1, 1)?;
    let last = d.meta.inputs.len().max(1) as u32;
    ws.autofilter(0, 0, last, 3)?;
    Ok(())
}

fn about_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats) -> Result<(), OutputError> {
    ws.set_name("about")?;
    let m = &d.meta;
    let rows: Vec<(&str, String)> = vec![
        ("scenario", m.scenario_name.clone()),
        ("description", m.scenario_description.clone()),
        ("scenario file", m.scenario_file.clone()),
        ("scenario SHA-256", m.scenario_sha256.clone()),
        ("tool", format!("{} {}", m.tool, m.tool_version)),
        ("runs", m.runs.to_string()),
        (
            "runs sheet",
            if m.runs > XLSX_RUNS {
                format!("the first {XLSX_RUNS} of {} runs; runs.csv holds them all", m.runs)
            } else {
                "every run".to_string()
            },
        ),
        ("seed", m.seed.to_string()),
        ("years", format!("{}–{}", m.start_year, m.end_year())),
        ("discount rate", format!("{}", m.discount_rate)),
        ("money", m.money_basis.clone()),
        ("baseline", d.name(d.baseline()).to_string()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *k, &f.bold)?;
        ws.write_string_with_format(i as u32, 1, v, &f.wrap)?;
    }
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 100)?;
    Ok(())
}

/// The sensitivity tables, when present: value of information, then the tornado.
fn sensitivity_sheet(
    ws: &mut Worksheet,
    s: &super::sensitivity::SensitivityData,
    f: &Formats,
) -> Result<(), OutputError> {
    ws.set_name("sensitivity")?;
    headers(ws, 0, &["perspective", "input", "value (EUR)"].map(String::from), &f.header)?;
    for (i, v) in s.voi.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &v.perspective)?;
        ws.write_string(r, 1, &v.input)?;
        number(ws, r, 2, v.value, &f.eur)?;
    }
    let top = s.voi.len() as u32 + 2;
    let names = [
        "strategy",
        "input",
        "low value",
        "high value",
        "metric at low",
        "metric at high",
        "metric at medians",
        "swing",
    ];
    headers(ws, top, &names.map(String::from), &f.header)?;
    for (i, t) in s.tornado.iter().enumerate() {
        let r = top + 1 + i as u32;
        ws.write_string(r, 0, &t.strategy)?;
        ws.write_string(r, 1, &t.input)?;
        number(ws, r, 2, t.low_value, &f.num)?;
        number(ws, r, 3, t.high_value, &f.num)?;
        for (c, x) in [t.metric_low, t.metric_high, t.metric_base, t.swing()].into_iter().enumerate() {
            number(ws, r, 4 + c as u16, x, &f.eur)?;
        }
    }
    ws.set_column_width(1, 48)?;
    Ok(())
}
