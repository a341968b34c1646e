//! The finance view as tables: `budget.csv` (per strategy and year: the budget line, spend
//! at P50/P80/P90/P95, the expected overrun, P(overrun) and the reserve required for the
//! year, then the split of [`crate::analysis::reserve_split`]: the structural gap for the
//! meerjarenraming and the risk reserve at each certainty), `reserve.csv` (with the same
//! split per period, and the ratio and class on the risk reserve) (the reserve required over every budget period, first and rolling,
//! with the ratio to the available reserve and its class; last, `risk_reserve_spend`, the
//! exact `P_c − P50` of the period's summed spend), and `reserve_by_certainty.csv`
//! (the reserve for the first budget period at certainties from 70% to 95%, as in the risk
//! paragraph of a municipal budget). `budget.csv` is always written (P50 and the prudent P90
//! matter without a budget line too, the budget columns then stay empty); the reserve
//! tables only when the scenario has a budget line.

use super::csv_files::{finish, writer};
use super::{Export, OutputError, Results, cell};
use crate::analysis::reserve_split;
use crate::results::finance::{budget_rows, certainties, period_spend_risk, reserve_by_certainty, reserve_rows};

fn pct_label(c: f64) -> String {
    let p = c * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{:.0}", p) } else { format!("{p}") }
}

/// `budget.csv`.
pub(crate) struct BudgetCsv;

impl Export for BudgetCsv {
    fn file_name(&self) -> &'static str {
        "budget.csv"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let err = |source| OutputError::Csv { file: "budget.csv", source };
        let s = &r.plan.scenario;
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
        header.push("structural_gap".into());
        header.extend(cs.iter().map(|c| format!("risk_reserve_{}", pct_label(*c))));
        w.write_record(&header).map_err(err)?;
        // The split rows are in the same order as the budget rows (strategy, then year).
        let mut split = reserve_split::yearly(r).into_iter();
        for row in budget_rows(r) {
            let id = &s.strategies[row.strategy].id;
            let mut out = vec![id.clone(), (s.start_year + row.year as i32).to_string(), cell(row.budget)];
            out.extend(row.spend.iter().map(|&x| cell(x)));
            match &row.overrun {
                Some(o) => {
                    out.push(cell(o.expected));
                    out.push(cell(o.probability));
                    out.extend(o.reserve.iter().map(|&x| cell(x)));
                }
                None => out.extend(std::iter::repeat_n(String::new(), 2 + cs.len())),
            }
            match split.next().filter(|x| x.strategy == row.strategy && x.year == row.year && row.overrun.is_some()) {
                Some(x) => {
                    out.push(cell(x.structural_gap));
                    out.extend(x.risk_reserve.iter().map(|&v| cell(v)));
                }
                None => out.extend(std::iter::repeat_n(String::new(), 1 + cs.len())),
            }
            w.write_record(&out).map_err(err)?;
        }
        finish("budget.csv", w)
    }
}

/// `reserve.csv`: the reserve over every budget period (the first, then rolling by a year).
pub(crate) struct ReserveCsv;

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
            "structural_gap",
            "risk_reserve",
            "risk_ratio",
            "risk_class",
            "risk_reserve_spend",
        ])
        .map_err(err)?;
        // The split rows are in the same order as the reserve rows (strategy, period, certainty).
        let mut split = reserve_split::periods(r).into_iter();
        let mut exact = period_spend_risk(r).into_iter();
        for row in reserve_rows(r) {
            let given = !row.available.is_nan();
            let ratio = match row.ratio {
                _ if !given => String::new(),
                x if x.is_finite() => cell(x),
                _ => "inf".into(),
            };
            let mut out = vec![
                s.strategies[row.strategy].id.clone(),
                row.years.0.to_string(),
                row.years.1.to_string(),
                cell(row.certainty),
                cell(row.required),
                if given { cell(row.available) } else { String::new() },
                ratio,
                row.class,
            ];
            match split.next().filter(|x| x.strategy == row.strategy && x.years == row.years) {
                Some(x) => {
                    out.push(cell(x.structural_gap));
                    out.push(cell(x.risk_reserve));
                    out.push(match x.risk_ratio {
                        _ if !given => String::new(),
                        v if v.is_finite() => cell(v),
                        _ => "inf".into(),
                    });
                    out.push(x.risk_class);
                }
                None => out.extend(std::iter::repeat_n(String::new(), 4)),
            }
            out.push(exact.next().map_or(String::new(), cell));
            w.write_record(&out).map_err(err)?;
        }
        finish("reserve.csv", w)
    }
}

/// `reserve_by_certainty.csv`: the reserve for the first budget period at 70%–95%.
pub(crate) struct ReserveByCertaintyCsv;

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
        let mut w = writer();
        w.write_record([
            "strategy",
            "first_year",
            "last_year",
            "certainty",
            "required_reserve",
            "structural_gap",
            "risk_reserve",
        ])
        .map_err(err)?;
        let mut split = reserve_split::first_period_by_certainty(r).into_iter();
        for (k, years, c, required) in reserve_by_certainty(r) {
            let (gap, risk) = match split.next().filter(|x| x.strategy == k && x.certainty == c) {
                Some(x) => (cell(x.structural_gap), cell(x.risk_reserve)),
                None => (String::new(), String::new()),
            };
            w.write_record([
                s.strategies[k].id.clone(),
                years.0.to_string(),
                years.1.to_string(),
                cell(c),
                cell(required),
                gap,
                risk,
            ])
            .map_err(err)?;
        }
        finish("reserve_by_certainty.csv", w)
    }
}
