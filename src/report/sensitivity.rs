//! The sensitivity files of a results folder (`tornado.csv`, `rank_correlation.csv`,
//! `voi.csv`), written by `contractsim sensitivity` next to the files of `run`, read back
//! by `contractsim report`, and shown in the charts, `report.html` and `results.xlsx` when
//! present.

use std::path::Path;

use crate::analysis::sensitivity::{RankRow, TornadoRow, VoiRow};
use crate::export::{OutputError, cell};

/// The sensitivity tables of a results folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityData {
    /// The horizon metric of the tornado and the rank correlations.
    pub metric: String,
    /// One-way analysis, per strategy largest swing first.
    pub tornado: Vec<TornadoRow>,
    /// Rank correlations per strategy and input.
    pub ranks: Vec<RankRow>,
    /// EVPI and EVPPI.
    pub voi: Vec<VoiRow>,
}

/// File names.
pub(crate) const TORNADO_CSV: &str = "tornado.csv";
/// File name of the rank correlations.
pub(crate) const RANK_CSV: &str = "rank_correlation.csv";
/// File name of the value of information.
pub(crate) const VOI_CSV: &str = "voi.csv";

const TORNADO_HEADER: [&str; 10] = [
    "strategy",
    "metric",
    "input",
    "low_value",
    "high_value",
    "metric_low",
    "metric_high",
    "metric_base",
    "swing",
    "swing_mcse",
];
const RANK_HEADER: [&str; 5] = ["strategy", "metric", "input", "spearman", "prcc"];
const VOI_HEADER: [&str; 3] = ["perspective", "input", "value"];

fn csv_bytes(file: &'static str, header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, OutputError> {
    let err = |source| OutputError::Csv { file, source };
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner().map_err(|e| OutputError::Read { file, reason: e.to_string() })
}

impl SensitivityData {
    /// The three CSV files.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let tornado = self
            .tornado
            .iter()
            .map(|t| {
                vec![
                    t.strategy.clone(),
                    self.metric.clone(),
                    t.input.clone(),
                    cell(t.low_value),
                    cell(t.high_value),
                    cell(t.metric_low),
                    cell(t.metric_high),
                    cell(t.metric_base),
                    cell(t.swing()),
                    cell(t.swing_mcse),
                ]
            })
            .collect();
        let ranks = self
            .ranks
            .iter()
            .map(|r| vec![r.strategy.clone(), self.metric.clone(), r.input.clone(), cell(r.spearman), cell(r.prcc)])
            .collect();
        let voi = self.voi.iter().map(|v| vec![v.perspective.clone(), v.input.clone(), cell(v.value)]).collect();
        Ok(vec![
            (TORNADO_CSV.into(), csv_bytes(TORNADO_CSV, &TORNADO_HEADER, tornado)?),
            (RANK_CSV.into(), csv_bytes(RANK_CSV, &RANK_HEADER, ranks)?),
            (VOI_CSV.into(), csv_bytes(VOI_CSV, &VOI_HEADER, voi)?),
        ])
    }

    /// Reads the tables from a results folder: `None` when `tornado.csv` is absent, an
    /// error when a file is there but not as `sensitivity` writes it.
    pub(crate) fn from_folder(dir: &Path) -> Result<Option<Self>, OutputError> {
        if !dir.join(TORNADO_CSV).exists() {
            return Ok(None);
        }
        let rows = |file: &'static str, header: &[&str]| -> Result<Vec<Vec<String>>, OutputError> {
            let bytes = std::fs::read(dir.join(file)).map_err(|e| OutputError::Read { file, reason: e.to_string() })?;
            let mut r = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
            let found: Vec<String> = r
                .headers()
                .map_err(|e| OutputError::Read { file, reason: e.to_string() })?
                .iter()
                .map(str::to_string)
                .collect();
            if found != header {
                return Err(OutputError::Read {
                    file,
                    reason: format!("expected the columns {}, found {}", header.join(","), found.join(",")),
                });
            }
            r.records()
                .map(|rec| {
                    rec.map(|x| x.iter().map(str::to_string).collect())
                        .map_err(|e| OutputError::Read { file, reason: e.to_string() })
                })
                .collect()
        };
        let num = |file: &'static str, s: &str| -> Result<f64, OutputError> {
            if s.is_empty() {
                return Ok(f64::NAN);
            }
            s.parse().map_err(|_| OutputError::Read { file, reason: format!("expected a number, found `{s}`") })
        };
        let t = rows(TORNADO_CSV, &TORNADO_HEADER)?;
        let metric = t.first().map_or_else(String::new, |r| r[1].clone());
        let tornado = t
            .iter()
            .map(|r| {
                Ok(TornadoRow {
                    strategy: r[0].clone(),
                    input: r[2].clone(),
                    low_value: num(TORNADO_CSV, &r[3])?,
                    high_value: num(TORNADO_CSV, &r[4])?,
                    metric_low: num(TORNADO_CSV, &r[5])?,
                    metric_high: num(TORNADO_CSV, &r[6])?,
                    metric_base: num(TORNADO_CSV, &r[7])?,
                    swing_mcse: num(TORNADO_CSV, &r[9])?,
                })
            })
            .collect::<Result<_, OutputError>>()?;
        let ranks = rows(RANK_CSV, &RANK_HEADER)?
            .iter()
            .map(|r| {
                Ok(RankRow {
                    strategy: r[0].clone(),
                    input: r[2].clone(),
                    spearman: num(RANK_CSV, &r[3])?,
                    prcc: num(RANK_CSV, &r[4])?,
                })
            })
            .collect::<Result<_, OutputError>>()?;
        let voi = rows(VOI_CSV, &VOI_HEADER)?
            .iter()
            .map(|r| Ok(VoiRow { perspective: r[0].clone(), input: r[1].clone(), value: num(VOI_CSV, &r[2])? }))
            .collect::<Result<_, OutputError>>()?;
        Ok(Some(SensitivityData { metric, tornado, ranks, voi }))
    }

    /// The strategy the charts show: the first in the tornado table.
    pub(crate) fn chart_strategy(&self) -> Option<&str> {
        self.tornado.first().map(|t| t.strategy.as_str())
    }

    /// The EVPI of a perspective (the `ALL` row).
    pub fn evpi(&self, perspective: &str) -> Option<f64> {
        self.voi.iter().find(|v| v.perspective == perspective && v.input == "ALL").map(|v| v.value)
    }
}
