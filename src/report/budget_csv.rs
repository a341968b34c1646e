//! `budget.csv`: the figures a finance department puts in the budget (begroting) and the
//! multi-year estimate (meerjarenraming): per strategy and year, the median of municipal
//! spend (P50) and the "prudent budget" that spend stays under in 9 of 10 futures (P90),
//! with the scenario's budget line. P90 is not among the percentiles of `yearly.csv`, so
//! it is computed here from the runs and kept in the folder for `contractsim report`.

use super::{Export, ReportError, Results, cell};
use crate::engine::metrics::y;
use crate::model::time::index;
use crate::stats::quantile_sorted;

/// Header of `budget.csv`. The reports read it by column name, so a richer file with
/// these columns among others (more percentiles, reserves) reads as well.
pub const BUDGET_COLUMNS: [&str; 5] = ["strategy", "year", "budget", "spend_p50", "spend_p90"];

/// `budget.csv`: `strategy,year,budget,spend_p50,spend_p90` (the budget line empty when
/// the scenario has none).
pub struct BudgetCsv;

impl Export for BudgetCsv {
    fn file_name(&self) -> &'static str {
        "budget.csv"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv { file: "budget.csv", source };
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(BUDGET_COLUMNS).map_err(err)?;
        let s = &r.plan.scenario;
        let lay = &r.plan.layout;
        let per = lay.yearly_len();
        let mut column = Vec::with_capacity(r.batch.runs.len());
        for (k, st) in s.strategies.iter().enumerate() {
            for t in 0..lay.years {
                column.clear();
                column.extend(r.batch.runs.iter().map(|run| run.yearly[k * per + lay.at(y::SPEND, t)]));
                column.retain(|x| !x.is_nan());
                column.sort_by(f64::total_cmp);
                let line = s.budget.map_or(f64::NAN, |b| b * index(s.budget_growth, t));
                w.write_record([
                    st.id.clone(),
                    (s.start_year + t as i32).to_string(),
                    cell(line),
                    cell(r.yearly_stat(k, t, y::SPEND).p[2]),
                    cell(quantile_sorted(&column, 0.90)),
                ])
                .map_err(err)?;
            }
        }
        w.into_inner().map_err(|e| ReportError::Csv { file: "budget.csv", source: e.into_error().into() })
    }
}
