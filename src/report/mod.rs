//! Human reports: the summaries (`summary.md`, `summary_nl.md`), the charts, `report.html`
//! and `results.xlsx`. Each is one [`Report`] rendered from [`ReportData`], which is built
//! either from the in-memory [`Results`] of a run or by reading a results folder, so that
//! `contractsim report DIR` redraws them without simulating. [`render_all`] collects the
//! exports and the reports; the app layer writes them as one folder, atomically.
// The reports compute no figure of a run: they may use the f64 methods (clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod answer;
pub mod charts;
pub mod data;
pub mod headline;
mod html;
pub mod lang;
pub mod markdown;
pub(crate) mod region;
pub mod sensitivity;
pub mod sweep;
pub mod tables;
mod whatif;
mod worlds;
mod xlsx;

use crate::export::{OutputError, exporters};
use crate::results::Results;

pub use charts::Charts;
pub use data::ReportData;
pub(crate) use html::HtmlReport;
pub(crate) use markdown::SummaryMarkdown;
pub(crate) use xlsx::Workbook;

/// Files of a results folder: (name, contents).
pub type Files = Vec<(String, Vec<u8>)>;

/// An output drawn from [`ReportData`]: one or more files.
pub trait Report: Sync {
    /// The files (name, contents).
    fn render(&self, data: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError>;
}

/// The reports that `run` and `report` write.
pub fn reports() -> Vec<Box<dyn Report>> {
    vec![
        Box::new(SummaryMarkdown),
        Box::new(Charts),
        Box::new(HtmlReport),
        Box::new(Workbook),
        Box::new(whatif::WhatIfPage),
    ]
}

/// Renders every report from `data`: (file name, contents).
pub fn render_reports(data: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let mut files = Vec::new();
    for r in reports() {
        files.extend(r.render(data)?);
    }
    Ok(files)
}

/// Renders every data file and every report: (file name, contents).
pub fn render_all(
    results: &Results,
    break_even: &[crate::analysis::break_even::BreakEvenRow],
) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    render_all_with_runs_file(results, break_even, crate::export::runs_file::RUNS_CSV)
}

/// Like [`render_all`], for a run whose per-run file is `runs_file` (`runs.csv` or
/// `runs.parquet`), which the reports name.
pub fn render_all_with_runs_file(
    results: &Results,
    break_even: &[crate::analysis::break_even::BreakEvenRow],
    runs_file: &'static str,
) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
    let (mut files, data) = render_data(results, break_even, runs_file, Vec::new())?;
    files.extend(render_reports(&data)?);
    Ok(files)
}

/// Renders every data file and every report of one world's results, with the results of
/// the variants' worlds when these are the file's own (a scenario with `[[variant]]`s):
/// the files, and the data the reports were drawn from. The results (most of the memory
/// of a run: every value kept for exact percentiles) are let go once the data files and
/// the reports' data are made, before the reports are drawn.
pub fn render_world(
    results: Results,
    break_even: &[crate::analysis::break_even::BreakEvenRow],
    runs_file: &'static str,
    worlds: Vec<(data::WorldData, Vec<u8>)>,
) -> Result<(Files, ReportData), OutputError> {
    let (mut files, data) = render_data(&results, break_even, runs_file, worlds)?;
    drop(results);
    files.extend(render_reports(&data)?);
    Ok((files, data))
}

/// The data files of one world's results and the data its reports are drawn from.
fn render_data(
    results: &Results,
    break_even: &[crate::analysis::break_even::BreakEvenRow],
    runs_file: &'static str,
    worlds: Vec<(data::WorldData, Vec<u8>)>,
) -> Result<(Files, ReportData), OutputError> {
    let mut files: Vec<(String, Vec<u8>)> = exporters()
        .iter()
        .filter(|e| e.applies(results))
        .map(|e| Ok((e.file_name().to_string(), e.render(results)?)))
        .collect::<Result<_, OutputError>>()?;
    if !worlds.is_empty()
        && let Some((_, summary)) = files.iter().find(|(f, _)| f == "summary.csv")
    {
        let combined = variants_csv(summary, worlds.iter().map(|(_, csv)| csv.as_slice()));
        files.push((VARIANTS_CSV.to_string(), combined));
    }
    let worlds = worlds.into_iter().map(|(w, _)| w).collect();
    let mut data = ReportData::from_results(results).with_runs_file(runs_file).with_worlds(worlds);
    data.break_even = break_even.iter().map(data::BreakEven::from).collect();
    Ok((files, data))
}

/// `variants.csv`: the rows of `summary.csv` of every world, the file's own first, each
/// ending in its world's id (column `variant`).
pub const VARIANTS_CSV: &str = "variants.csv";

/// `own` (a `summary.csv` with its header) followed by the rows of the others (their
/// headers, the same, left out).
fn variants_csv<'a>(own: &[u8], others: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = own.to_vec();
    for csv in others {
        let body = csv.iter().position(|&b| b == b'\n').map_or(&csv[csv.len()..], |i| &csv[i + 1..]);
        out.extend_from_slice(body);
    }
    out
}
