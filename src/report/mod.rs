//! Human reports: the summaries (`summary.md`, `summary_nl.md`), the charts, `report.html`
//! and `results.xlsx`. Each is one [`Report`] rendered from [`ReportData`], which is built
//! either from the in-memory [`Results`] of a run or by reading a results folder, so that
//! `contractsim report DIR` redraws them without simulating. [`render_all`] collects the
//! exports and the reports; the app layer writes them as one folder, atomically.

pub mod answer;
pub mod charts;
pub mod data;
pub mod headline;
mod html;
pub mod lang;
pub mod markdown;
pub mod sensitivity;
pub mod sweep;
pub mod tables;
mod xlsx;

use crate::export::{OutputError, exporters};
use crate::results::Results;

pub use charts::Charts;
pub use data::ReportData;
pub(crate) use html::HtmlReport;
pub(crate) use markdown::SummaryMarkdown;
pub(crate) use xlsx::Workbook;

/// An output drawn from [`ReportData`]: one or more files.
pub trait Report: Sync {
    /// The files (name, contents).
    fn render(&self, data: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError>;
}

/// The reports that `run` and `report` write.
pub fn reports() -> Vec<Box<dyn Report>> {
    vec![Box::new(SummaryMarkdown), Box::new(Charts), Box::new(HtmlReport), Box::new(Workbook)]
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
    let mut files: Vec<(String, Vec<u8>)> = exporters()
        .iter()
        .filter(|e| e.applies(results))
        .map(|e| Ok((e.file_name().to_string(), e.render(results)?)))
        .collect::<Result<_, OutputError>>()?;
    let mut data = ReportData::from_results(results).with_runs_file(runs_file);
    data.break_even = break_even.iter().map(data::BreakEven::from).collect();
    files.extend(render_reports(&data)?);
    Ok(files)
}
