//! Reports: the statistics of a batch ([`Results`]) and one exporter per output file.
//!
//! Two kinds of output, neither doing I/O: the data files ([`Export`]: the CSV tables,
//! `budget.csv`, `meta.json`), rendered from the in-memory [`Results`]; and the reports
//! ([`Report`]: summaries, charts, `report.html`, `results.xlsx`), rendered from
//! [`ReportData`], which is built either from the results or by reading a results folder,
//! so that `contractsim report DIR` redraws them without simulating. [`render_all`]
//! collects both and [`crate::output`] writes them as one folder, atomically.

pub mod budget;
pub mod charts;
pub mod collect;
mod csv_files;
pub mod data;
pub mod headline;
mod html;
pub mod lang;
pub mod markdown;
pub mod meta;
pub mod parquet;
pub mod partial;
pub mod runs_file;
pub mod sensitivity;
pub mod sweep;
pub mod tables;
mod xlsx;

use crate::engine::{Batch, HORIZON, Plan};
use crate::stats::Summary;
use crate::stats::quantiles::QuantileMode;

pub use budget::BudgetCsv;
pub use charts::Charts;
pub use collect::{Collector, Columns};
pub use csv_files::{RunsCsv, SummaryCsv, YearlyCsv};
pub use data::ReportData;
pub use html::HtmlReport;
pub use markdown::SummaryMarkdown;
pub use meta::MetaJson;
pub use xlsx::Workbook;

/// Errors while rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
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
    fn render(&self, results: &Results) -> Result<Vec<u8>, ReportError>;
}

/// The data files that `run` writes: everything [`ReportData::from_folder`] reads.
pub fn exporters() -> Vec<Box<dyn Export>> {
    vec![
        Box::new(YearlyCsv),
        Box::new(SummaryCsv),
        Box::new(RunsCsv),
        Box::new(BudgetCsv),
        Box::new(budget::ReserveCsv),
        Box::new(budget::ReserveByCertaintyCsv),
        Box::new(MetaJson),
    ]
}

/// An output drawn from [`ReportData`]: one or more files.
pub trait Report: Sync {
    /// The files (name, contents).
    fn render(&self, data: &ReportData) -> Result<Vec<(String, Vec<u8>)>, ReportError>;
}

/// The reports that `run` and `report` write.
pub fn reports() -> Vec<Box<dyn Report>> {
    vec![Box::new(SummaryMarkdown), Box::new(Charts), Box::new(HtmlReport), Box::new(Workbook)]
}

/// Renders every report from `data`: (file name, contents).
pub fn render_reports(data: &ReportData) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files = Vec::new();
    for r in reports() {
        files.extend(r.render(data)?);
    }
    Ok(files)
}

/// Renders every data file and every report: (file name, contents).
pub fn render_all(results: &Results) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files: Vec<(String, Vec<u8>)> = exporters()
        .iter()
        .filter(|e| e.applies(results))
        .map(|e| Ok((e.file_name().to_string(), e.render(results)?)))
        .collect::<Result<_, ReportError>>()?;
    files.extend(render_reports(&ReportData::from_results(results))?);
    Ok(files)
}

/// A yearly figure: strategy, year index, metric index and its summary.
#[derive(Debug, Clone)]
pub struct YearlyStat {
    /// Strategy index.
    pub strategy: usize,
    /// Year index (0 = start year).
    pub year: usize,
    /// Metric index in the layout.
    pub metric: usize,
    /// Summary over runs.
    pub summary: Summary,
}

/// A horizon figure of a strategy.
#[derive(Debug, Clone)]
pub struct HorizonStat {
    /// Strategy index.
    pub strategy: usize,
    /// Metric name.
    pub metric: &'static str,
    /// Summary over runs.
    pub summary: Summary,
}

/// How a batch was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInfo {
    /// The seed used.
    pub seed: u64,
    /// Worker threads used (the results do not depend on it).
    pub threads: usize,
    /// Runs.
    pub runs: usize,
}

/// The statistics of a batch, ready for the exporters.
pub struct Results<'a> {
    /// The plan that was run.
    pub plan: &'a Plan,
    /// Seed, threads, runs.
    pub info: BatchInfo,
    /// Statistics of every figure, and the first runs (`collected.sample`).
    pub collected: Collector,
    /// The per-run results, when the whole batch is in memory (`sensitivity` and tests);
    /// `run` streams them to `runs.csv` instead.
    pub batch: Option<&'a Batch>,
    /// Yearly statistics, strategy-major, then year, then metric.
    pub yearly: Vec<YearlyStat>,
    /// Horizon statistics, strategy-major, in [`HORIZON`] order.
    pub horizon: Vec<HorizonStat>,
}

impl<'a> Results<'a> {
    /// Computes the statistics of a batch held in memory (percentiles exact).
    pub fn new(plan: &'a Plan, batch: &'a Batch) -> Self {
        let mut c = Collector::new(plan, QuantileMode::Exact, batch.runs.len());
        for (b, runs) in batch.runs.chunks(crate::engine::BLOCK as usize).enumerate() {
            c.add_block(plan, b as u64, runs);
        }
        let info = BatchInfo { seed: batch.seed, threads: batch.threads, runs: batch.runs.len() };
        let mut r = Results::collected(plan, info, c);
        r.batch = Some(batch);
        r
    }

    /// The statistics of what a [`Collector`] saw.
    pub fn collected(plan: &'a Plan, info: BatchInfo, mut collected: Collector) -> Self {
        collected.stats.finish();
        let cols = &collected.columns;
        let summaries = collected.stats.summaries(&cols.never(plan));
        let lay = &plan.layout;
        let n = plan.strategies();
        let mut yearly = Vec::with_capacity(n * lay.yearly_len());
        for k in 0..n {
            for t in 0..lay.years {
                for m in 0..lay.yearly.len() {
                    let summary = summaries[cols.yearly(plan, k, m, t)];
                    yearly.push(YearlyStat { strategy: k, year: t, metric: m, summary });
                }
            }
        }
        let mut horizon = Vec::with_capacity(n * HORIZON.len());
        for k in 0..n {
            for (m, &name) in HORIZON.iter().enumerate() {
                horizon.push(HorizonStat { strategy: k, metric: name, summary: summaries[cols.horizon(k, m)] });
            }
        }
        Results { plan, info, collected, batch: None, yearly, horizon }
    }

    /// The horizon statistic `metric` of strategy `k`.
    pub fn horizon_stat(&self, k: usize, metric: usize) -> &Summary {
        &self.horizon[k * HORIZON.len() + metric].summary
    }

    /// The yearly statistic of metric `m` in year `t` for strategy `k`.
    pub fn yearly_stat(&self, k: usize, t: usize, m: usize) -> &Summary {
        let lay = &self.plan.layout;
        &self.yearly[(k * lay.years + t) * lay.yearly.len() + m].summary
    }

    /// The `q`-quantile over runs of column `col` (see [`Columns`]).
    pub fn quantile(&self, col: usize, q: f64) -> f64 {
        self.collected.stats.quantile(col, q)
    }

    /// The mean over runs of column `col`.
    pub fn mean(&self, col: usize) -> f64 {
        self.collected.stats.moments(col).mean()
    }

    /// How the percentiles were computed.
    pub fn quantile_mode(&self) -> QuantileMode {
        self.collected.stats.mode()
    }
}

/// A number for a CSV cell: shortest exact representation, empty when undefined.
pub fn cell(x: f64) -> String {
    if x.is_nan() { String::new() } else { format!("{x}") }
}
