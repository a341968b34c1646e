//! Machine-readable exports of a batch: `yearly.csv`, `summary.csv`, `runs.csv` or
//! `runs.parquet`, `budget.csv`, `reserve.csv`, `reserve_by_certainty.csv`,
//! `break_even_inputs.csv` and `meta.json`. Each is one [`Export`] that turns [`Results`]
//! into bytes; none does I/O except the streamed runs file ([`runs_file`]), which is written
//! while the runs come in.

pub mod break_even;
pub mod budget;
mod csv_files;
pub mod digest;
pub mod meta;
pub mod municipalities;
#[cfg(feature = "outputs")]
pub mod parquet;
pub mod runs_file;

use crate::results::Results;

pub(crate) use budget::BudgetCsv;
pub use csv_files::{RunsCsv, SummaryCsv, YearlyCsv};
pub(crate) use meta::MetaJson;

/// Errors while rendering an output file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// CSV writing failed.
    #[error("writing {file}: {source}")]
    Csv {
        /// The file being written.
        file: &'static str,
        /// The cause.
        source: csv::Error,
    },
    /// JSON writing failed.
    #[error("writing meta.json: {0}")]
    Json(#[from] serde_json::Error),
    /// A file of a results folder could not be read or is not as `run` writes it.
    #[error("reading {file}: {reason}")]
    Read {
        /// The file.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A chart could not be drawn.
    #[error("drawing chart {chart}: {reason}")]
    Chart {
        /// The chart's name.
        chart: &'static str,
        /// The cause.
        reason: String,
    },
    /// A streamed file could not be written.
    #[error("writing {path}: {reason}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        reason: String,
    },
    /// The per-run data file failed (its message names the file).
    #[error("{0}")]
    RunsFile(String),
    /// The workbook could not be written.
    #[cfg(feature = "outputs")]
    #[error("writing results.xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// One output file.
pub trait Export {
    /// File name inside the results folder.
    fn file_name(&self) -> &'static str;
    /// Whether the file is written for these results (some need a budget line).
    fn applies(&self, _results: &Results) -> bool {
        true
    }
    /// The file's contents.
    fn render(&self, results: &Results) -> Result<Vec<u8>, OutputError>;
}

/// The data files that `run` writes: everything `ReportData::from_folder` reads. Besides
/// these, `run` and `merge` write [`break_even::BreakEvenCsv`], whose rows come from reruns
/// of the plan (`analysis::break_even`), not from [`Results`].
pub(crate) fn exporters() -> Vec<Box<dyn Export>> {
    vec![
        Box::new(YearlyCsv),
        Box::new(SummaryCsv),
        Box::new(RunsCsv),
        Box::new(BudgetCsv),
        Box::new(budget::ReserveCsv),
        Box::new(budget::ReserveByCertaintyCsv),
        Box::new(municipalities::MunicipalitiesCsv),
        Box::new(municipalities::MunicipalRiskCsv),
        Box::new(MetaJson),
    ]
}

/// A number for a CSV cell: shortest exact representation, empty when undefined.
pub fn cell(x: f64) -> String {
    if x.is_nan() { String::new() } else { format!("{x}") }
}
