//! The files of a sweep folder: `sweep.csv` (one row per grid point and strategy) and its
//! chart, `sweep` (one key) or `sweep_heatmap` (two keys).

use super::charts::analysis::{SweepHeatMap, SweepLines, files};
use crate::analysis::sweep::SweepRow;
use crate::export::{OutputError, cell};

/// A sweep's results and what the charts need to label them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SweepData {
    /// Scenario name.
    pub scenario: String,
    /// The swept keys (one or two).
    pub keys: Vec<String>,
    /// The horizon metric.
    pub metric: String,
    /// Runs per grid point.
    pub runs: usize,
    /// Seed (the same at every point).
    pub seed: u64,
    /// Id of the baseline strategy.
    pub baseline: String,
    /// The strategy of the heat map.
    pub highlight: String,
    /// One row per grid point and strategy, the first key slowest.
    pub rows: Vec<SweepRow>,
}

impl SweepData {
    /// Strategy ids in the order of the rows.
    pub fn strategies(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for r in &self.rows {
            if !ids.contains(&r.strategy) {
                ids.push(r.strategy.clone());
            }
        }
        ids
    }

    /// The values of key `i`, in grid order without repeats.
    pub fn values(&self, i: usize) -> Vec<f64> {
        let mut v: Vec<f64> = Vec::new();
        for r in &self.rows {
            if let Some(&x) = r.at.get(i)
                && !v.contains(&x)
            {
                v.push(x);
            }
        }
        v
    }

    /// The charts' subtitle.
    pub fn subtitle(&self) -> String {
        format!("{} · {} simulated futures per point · seed {}", self.scenario, self.runs, self.seed)
    }

    /// The CSV table: the keys, `strategy`, the metric's mean, MCSE, 5th, 50th and 95th
    /// percentiles, and `p_cheaper_than_baseline`.
    pub fn csv(&self) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "sweep.csv", source };
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        let mut header: Vec<String> = self.keys.clone();
        header.extend(
            ["strategy", "metric", "mean", "mcse", "p5", "p50", "p95", "p_cheaper_than_baseline"].map(String::from),
        );
        w.write_record(&header).map_err(err)?;
        for r in &self.rows {
            let mut row: Vec<String> = r.at.iter().map(|&x| cell(x)).collect();
            row.extend([r.strategy.clone(), self.metric.clone()]);
            row.extend([r.mean, r.mcse, r.p5, r.p50, r.p95, r.p_cheaper].map(cell));
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| OutputError::Read { file: "sweep.csv", reason: e.to_string() })
    }

    /// `sweep.csv` and the chart files.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let mut out = vec![("sweep.csv".to_string(), self.csv()?)];
        if self.keys.len() == 1 {
            out.extend(files(&SweepLines(self))?);
        } else {
            out.extend(files(&SweepHeatMap(self))?);
        }
        Ok(out)
    }
}
