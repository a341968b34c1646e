//! The CSV tables: `yearly.csv`, `summary.csv` (long format, one figure a row) and
//! `runs.csv` (one row per run and strategy, with the parameters drawn for the run).

use super::{Export, OutputError, Results, cell};
use crate::results::{NPV_SUCCESSES, NPV_SUCCESSES_GAIN};

/// A CSV writer into memory with `\n` line ends.
pub(super) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new())
}

/// The bytes of a finished writer.
pub(super) fn finish(file: &'static str, w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, OutputError> {
    w.into_inner().map_err(|e| OutputError::Csv { file, source: e.into_error().into() })
}

pub(super) const STAT_COLUMNS: [&str; 7] = ["mean", "mcse", "p5", "p25", "p50", "p75", "p95"];

pub(super) fn stat_cells(s: &crate::stats::Summary) -> [String; 7] {
    [cell(s.mean), cell(s.mcse), cell(s.p[0]), cell(s.p[1]), cell(s.p[2]), cell(s.p[3]), cell(s.p[4])]
}

/// The last column of `summary.csv` and `yearly.csv` when the scenario has `[[variant]]`s:
/// the id of the world of the row (`base` for the file's own).
pub const VARIANT_COLUMN: &str = "variant";

/// `yearly.csv`: `strategy,year,metric,mean,mcse,p5,p25,p50,p75,p95` (and [`VARIANT_COLUMN`]
/// when the scenario has variants).
pub struct YearlyCsv;

impl Export for YearlyCsv {
    fn file_name(&self) -> &'static str {
        "yearly.csv"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "yearly.csv", source };
        let mut w = writer();
        let mut header = vec!["strategy", "year", "metric"];
        header.extend(STAT_COLUMNS);
        let world = r.plan.scenario.world.as_ref().map(|w| w.id.clone());
        if world.is_some() {
            header.push(VARIANT_COLUMN);
        }
        w.write_record(&header).map_err(err)?;
        let s = &r.plan.scenario;
        for y in &r.yearly {
            let mut row = vec![
                s.strategies[y.strategy].id.clone(),
                (s.start_year + y.year as i32).to_string(),
                r.plan.layout.yearly[y.metric].clone(),
            ];
            row.extend(stat_cells(&y.summary));
            row.extend(world.clone());
            w.write_record(&row).map_err(err)?;
        }
        finish("yearly.csv", w)
    }
}

/// `summary.csv`: `strategy,metric,mean,mcse,p5,p25,p50,p75,p95` (and [`VARIANT_COLUMN`]
/// when the scenario has variants); after each strategy's
/// horizon metrics, [`NPV_SUCCESSES`] and [`NPV_SUCCESSES_GAIN`].
pub struct SummaryCsv;

impl Export for SummaryCsv {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "summary.csv", source };
        let mut w = writer();
        let mut header = vec!["strategy", "metric"];
        header.extend(STAT_COLUMNS);
        let world = r.plan.scenario.world.as_ref().map(|w| w.id.clone());
        if world.is_some() {
            header.push(VARIANT_COLUMN);
        }
        w.write_record(&header).map_err(err)?;
        let last = crate::metrics::Horizon::ALL[crate::metrics::HORIZON.len() - 1];
        for hs in &r.horizon {
            let id = &r.plan.scenario.strategies[hs.strategy].id;
            let mut row = vec![id.clone(), hs.metric.name().to_string()];
            row.extend(stat_cells(&hs.summary));
            row.extend(world.clone());
            w.write_record(&row).map_err(err)?;
            // After a strategy's horizon metrics, its discounted successes (collected from
            // the yearly `successes`, not a per-run metric of the runs file).
            if hs.metric == last
                && let Some(x) = r.successes.get(hs.strategy)
            {
                for (name, s) in [(NPV_SUCCESSES, &x.npv_successes), (NPV_SUCCESSES_GAIN, &x.gain)] {
                    let mut row = vec![id.clone(), name.to_string()];
                    row.extend(stat_cells(s));
                    row.extend(world.clone());
                    w.write_record(&row).map_err(err)?;
                }
            }
        }
        finish("summary.csv", w)
    }
}

/// `runs.csv`: one row per run and strategy with the horizon figures and the values drawn
/// for the uncertain parameters (identical for all strategies of a run: common random
/// numbers).
pub struct RunsCsv;

impl Export for RunsCsv {
    fn file_name(&self) -> &'static str {
        "runs.csv"
    }

    fn applies(&self, r: &Results) -> bool {
        r.batch.is_some()
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let mut out = super::runs_file::csv_header(r.plan);
        if let Some(batch) = r.batch {
            out.extend(super::runs_file::csv_rows(r.plan, &batch.runs));
        }
        Ok(out)
    }
}
