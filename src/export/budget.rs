//! The finance view as tables: `budget.csv` (per strategy and year: the budget line, spend
//! at P50/P80/P90/P95, the expected overrun, P(overrun) and the reserve required for the
//! year), `reserve.csv` (the reserve required over every budget period, first and rolling,
//! with the ratio to the available reserve and its class), and `reserve_by_certainty.csv`
//! (the reserve for the first budget period at certainties from 70% to 95%, as in the risk
//! paragraph of a municipal budget). `budget.csv` is always written (P50 and the prudent P90
//! matter without a budget line too, the budget columns then stay empty); the reserve
//! tables only when the scenario has a budget line.

use super::csv_files::{finish, writer};
use super::{Export, OutputError, Results, cell};
use crate::metrics::Yearly;
use crate::stats::reserve::RatioClass;

/// Certainties of `reserve_by_certainty.csv`, besides the scenario's own.
pub const CERTAINTY_TABLE: [f64; 6] = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95];

/// The column of strategy `k`'s spend in year `t`.
fn spend_column(r: &Results, k: usize, t: usize) -> usize {
    r.collected.columns.yearly(r.plan, k, Yearly::Spend.index(), t)
}

/// The certainties reported: the scenario's, plus the table's.
fn certainties(r: &Results) -> Vec<f64> {
    let mut c: Vec<f64> = r.plan.scenario.certainty.clone();
    c.extend(CERTAINTY_TABLE);
    c.sort_by(f64::total_cmp);
    c.dedup();
    c
}

fn pct_label(c: f64) -> String {
    let p = c * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{:.0}", p) } else { format!("{p}") }
}

/// `budget.csv`.
pub struct BudgetCsv;

impl Export for BudgetCsv {
    fn file_name(&self) -> &'static str {
        "budget.csv"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "budget.csv", source };
        let s = &r.plan.scenario;
        let line = s.budget_line.clone().unwrap_or_else(|| vec![f64::NAN; s.horizon_years]);
        let cs = certainties(r);
        let mut w = writer();
        let mut header: Vec<String> = [
            "strategy",
            "year",
            "budget",
            "spend_p50",
            "spend_p80",
            "spend_p90",
            "spend_p95",
            "expected_overrun",
            "p_overrun",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        header.extend(cs.iter().map(|c| format!("required_reserve_{}", pct_label(*c))));
        w.write_record(&header).map_err(err)?;
        let cols = &r.collected.columns;
        for (k, st) in s.strategies.iter().enumerate() {
            for (t, &budget) in line.iter().enumerate() {
                let spend = spend_column(r, k, t);
                let mut row = vec![st.id.clone(), (s.start_year + t as i32).to_string(), cell(budget)];
                row.extend([0.5, 0.8, 0.9, 0.95].iter().map(|&q| cell(r.quantile(spend, q))));
                match (cols.overrun(k, t), r.plan.layout.budget_overrun) {
                    (Some(over), Some(m)) if !budget.is_nan() => {
                        row.push(cell(r.mean(over)));
                        row.push(cell(r.mean(cols.yearly(r.plan, k, m, t))));
                        row.extend(cs.iter().map(|&c| cell(r.quantile(over, c))));
                    }
                    _ => row.extend(std::iter::repeat_n(String::new(), 2 + cs.len())),
                }
                w.write_record(&row).map_err(err)?;
            }
        }
        finish("budget.csv", w)
    }
}

/// `reserve.csv`: the reserve over every budget period (the first, then rolling by a year).
pub struct ReserveCsv;

impl Export for ReserveCsv {
    fn file_name(&self) -> &'static str {
        "reserve.csv"
    }

    fn applies(&self, r: &Results) -> bool {
        r.plan.scenario.budget_line.is_some()
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "reserve.csv", source };
        let s = &r.plan.scenario;
        let line = s.budget_line.as_deref().unwrap_or(&[]);
        let len = s.budget_period_years.min(line.len());
        let mut w = writer();
        w.write_record([
            "strategy",
            "first_year",
            "last_year",
            "certainty",
            "required_reserve",
            "available_reserve",
            "ratio",
            "class",
        ])
        .map_err(err)?;
        let cols = &r.collected.columns;
        for (k, st) in s.strategies.iter().enumerate() {
            for start in 0..=(line.len() - len) {
                let Some(over) = cols.period(k, start) else { continue };
                for &c in &s.certainty {
                    let need = r.quantile(over, c);
                    let (avail, ratio, class) = match s.available_reserve {
                        Some(a) => {
                            let ratio = if need > 0.0 { a / need } else { f64::INFINITY };
                            let shown = if ratio.is_finite() { cell(ratio) } else { "inf".into() };
                            (cell(a), shown, RatioClass::of(ratio).letter().to_string())
                        }
                        None => (String::new(), String::new(), String::new()),
                    };
                    w.write_record([
                        st.id.clone(),
                        (s.start_year + start as i32).to_string(),
                        (s.start_year + (start + len) as i32 - 1).to_string(),
                        cell(c),
                        cell(need),
                        avail,
                        ratio,
                        class,
                    ])
                    .map_err(err)?;
                }
            }
        }
        finish("reserve.csv", w)
    }
}

/// `reserve_by_certainty.csv`: the reserve for the first budget period at 70%–95%.
pub struct ReserveByCertaintyCsv;

impl Export for ReserveByCertaintyCsv {
    fn file_name(&self) -> &'static str {
        "reserve_by_certainty.csv"
    }

    fn applies(&self, r: &Results) -> bool {
        r.plan.scenario.budget_line.is_some()
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "reserve_by_certainty.csv", source };
        let s = &r.plan.scenario;
        let line = s.budget_line.as_deref().unwrap_or(&[]);
        let len = s.budget_period_years.min(line.len());
        let mut w = writer();
        w.write_record(["strategy", "first_year", "last_year", "certainty", "required_reserve"]).map_err(err)?;
        for (k, st) in s.strategies.iter().enumerate() {
            let Some(over) = r.collected.columns.period(k, 0) else { continue };
            for c in certainties(r) {
                w.write_record([
                    st.id.clone(),
                    s.start_year.to_string(),
                    (s.start_year + len as i32 - 1).to_string(),
                    cell(c),
                    cell(r.quantile(over, c)),
                ])
                .map_err(err)?;
            }
        }
        finish("reserve_by_certainty.csv", w)
    }
}
