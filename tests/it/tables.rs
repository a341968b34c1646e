//! The finance officer's tables (issue 16 points 3–5, issue 15 points 7 and 9): the
//! meerjarenraming's cells are `budget.csv`'s figures, its constant-price table is the
//! nominal one divided by the expected cost index worked out by hand, incidental plus
//! structural is mean spend, the workbook sheet holds numbers (read with openpyxl), the
//! extra cost per extra success is the ratio of means computed by hand from the runs, the
//! exact period risk reserve is the type-7 spread of the summed spend computed by hand, and
//! the per-run file named in the reports is the one the folder has.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use contractsim::engine::Plan;
use contractsim::report::lang::Lang;
use contractsim::results::Results;

use crate::common::{self, contractsim};
use crate::readers;

/// A one-segment fixture at about EUR 200 mln a year (so that tenths of millions are
/// precise), fixed inputs, a budget line below expected spend and three strategies: the
/// baseline, the baseline with prevention (cheaper, fewer successes) and a dearer contract
/// under which more trajectories succeed.
fn fixture() -> String {
    let extra = r#"
[economy]
cost_inflation = 0.03
tariff_indexation = 0.03
budget = 190_000_000
budget_growth = 0.02
budget_period_years = 4
certainty = 0.9
available_reserve = 20_000_000

[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "dear"
form = "output"
segments = ["a"]
margin = 0.3
success_factor = 1.2

[[prevention]]
id = "p"
annual_cost = 1_000_000
targets = ["a"]
reach = 0.5
effect = 0.4

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "prev"
contracts = ["out"]
prevention = ["p"]

[[strategy]]
id = "dear"
contracts = ["dear"]
"#;
    let mut text = common::one_segment(1, "reentry_rate = 0.5\nreentry_delay_years = 1.0", extra);
    text = text.replace("cost_per_client_year = 10_000", "cost_per_client_year = 1_000_000");
    text
}

const RUNS: usize = 200;

/// The fixture's plan and runs.
fn run() -> (Plan, contractsim::engine::Batch) {
    let plan = Plan::new(common::scenario(&fixture()));
    let b = common::batch(&plan, RUNS, 11);
    (plan, b)
}

/// Every file `run` would write, from the in-memory results.
fn files(r: &Results) -> HashMap<String, Vec<u8>> {
    contractsim::report::render_all(r, &[]).expect("render").into_iter().collect()
}

/// A CSV file as rows of named cells.
fn csv_rows(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let mut rd = csv::Reader::from_reader(bytes);
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    rd.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect()
}

/// The Markdown table under the heading `### {title}`: its header and rows of cells.
fn md_table(md: &str, title: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = md.find(&format!("### {title}\n")).unwrap_or_else(|| panic!("no table {title}"));
    let cells = |l: &str| l.trim().trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect::<Vec<_>>();
    let mut lines = md[start..].lines().skip(2).take_while(|l| l.starts_with('|'));
    let header = cells(lines.next().unwrap());
    let rows = lines.skip(1).map(cells).collect();
    (header, rows)
}

/// The row of a meerjarenraming table for a strategy and figure.
fn row<'a>(rows: &'a [Vec<String>], strategy: &str, figure: &str) -> &'a [String] {
    &rows.iter().find(|r| r[0] == strategy && r[1] == figure).unwrap_or_else(|| panic!("{strategy} {figure}"))[2..]
}

/// A number of `budget.csv`.
fn num(rows: &[HashMap<String, String>], id: &str, year: i32, column: &str) -> f64 {
    let r = rows.iter().find(|r| r["strategy"] == id && r["year"] == year.to_string()).unwrap();
    r[column].parse().unwrap()
}

/// The years the tables show for a 12-year horizon from 2025: the meerjarenraming's four,
/// then every fifth, then the last.
const SHOWN: [usize; 7] = [0, 1, 2, 3, 5, 10, 11];

#[test]
fn meerjarenraming_cells_are_budget_csv_and_its_prijspeil_is_nominal_over_the_index_by_hand() {
    let (plan, b) = run();
    let r = Results::new(&plan, &b);
    let f = files(&r);
    let budget = csv_rows(&f["budget.csv"]);
    let md = String::from_utf8(f["summary.md"].clone()).unwrap();
    let mln = |x: f64| Lang::En.num(x / 1e6, 1);
    let years: Vec<String> = SHOWN.iter().map(|t| (2025 + *t as i32).to_string()).collect();
    let (header, rows) = md_table(&md, "Multi-year budget (meerjarenraming), nominal (EUR mln, prices of each year)");
    assert_eq!(header[2..], years[..], "the meerjarenraming's years, then every fifth and the last");
    let (real_header, real) =
        md_table(&md, "Multi-year budget (meerjarenraming) in 2025 prices (EUR mln, prijspeil 2025)");
    assert_eq!(real_header, header);
    // The yearly tables show the same years.
    assert_eq!(md_table(&md, "Yearly municipal spend (median, 90% band)").0[1..], years[..]);
    let ids = ["base", "prev", "dear"];
    for (k, id) in ids.iter().enumerate() {
        let name = plan.scenario.strategies[k].name.clone();
        let figures = [
            ("P50 (median)", "spend_p50"),
            ("prudent estimate (P90)", "spend_p90"),
            ("budget line", "budget"),
            ("structural gap (P50 − budget line)", "structural_gap"),
            ("risk reserve (P90 − P50)", "risk_reserve_90"),
        ];
        for (figure, column) in figures {
            let nominal = row(&rows, &name, figure);
            let constant = row(&real, &name, figure);
            for (i, &t) in SHOWN.iter().enumerate() {
                let x = num(&budget, id, 2025 + t as i32, column);
                assert_eq!(nominal[i], mln(x), "{id} {figure} {}", 2025 + t);
                // The deflator by hand: cost inflation 3% a year from the start year.
                let deflator = 1.03f64.powi(t as i32);
                assert_eq!(constant[i], mln(x / deflator), "{id} {figure} {} in 2025 prices", 2025 + t);
            }
        }
    }
    // The Dutch table: the same figures with a decimal comma, under Dutch names.
    let nl = String::from_utf8(f["summary_nl.md"].clone()).unwrap();
    let (_, nl_rows) = md_table(&nl, "Meerjarenraming in prijspeil 2025 (€ mln)");
    let base_nl = plan.scenario.strategies[0].name.clone();
    let cell = &row(&nl_rows, &base_nl, "behoedzame raming (P90)")[3];
    assert_eq!(*cell, Lang::Nl.num(num(&budget, "base", 2028, "spend_p90") / 1.03f64.powi(3) / 1e6, 1));
    assert!(cell.contains(','), "a decimal comma in Dutch: {cell}");
    assert!(nl.contains("structureel tekort (P50 − begroting)") && nl.contains("2025 t/m 2028"));
}

#[test]
fn the_data_behind_the_tables_is_budget_csv_bit_for_bit() {
    let (plan, b) = run();
    let r = Results::new(&plan, &b);
    let f = files(&r);
    let budget = csv_rows(&f["budget.csv"]);
    let d = contractsim::report::ReportData::from_results(&r);
    for (k, id) in ["base", "prev", "dear"].iter().enumerate() {
        for t in 0..12 {
            let year = 2025 + t as i32;
            assert_eq!(d.spend_p50(k)[t].to_bits(), num(&budget, id, year, "spend_p50").to_bits());
            assert_eq!(d.spend_p80(k)[t].to_bits(), num(&budget, id, year, "spend_p80").to_bits());
            assert_eq!(d.spend_p90(k)[t].to_bits(), num(&budget, id, year, "spend_p90").to_bits());
        }
    }
    let deflator = d.price_deflator();
    assert_eq!(deflator[0], 1.0);
    assert!((deflator[3] - 1.092727).abs() < 1e-12, "1.03^3 = 1.092727, found {}", deflator[3]);
}

/// Incidental (prevention, failures, corridor, advances) plus structural (care, outcome,
/// investor payments, administration) is mean spend, year by year, for every strategy:
/// read from the workbook's sheet with openpyxl, which must find numbers there (not text),
/// with the prijspeil block the nominal one over 1.03^t.
#[test]
fn workbook_meerjarenraming_is_numbers_that_add_up_in_openpyxl() {
    if !readers::python_module("workbook_meerjarenraming_is_numbers_that_add_up_in_openpyxl", "openpyxl", "openpyxl") {
        return;
    }
    let (plan, b) = run();
    let r = Results::new(&plan, &b);
    let f = files(&r);
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &f {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let script = r#"
import json, sys, openpyxl
out = {}
for book, sheet in [("results.xlsx", "multi-year budget"), ("results_nl.xlsx", "meerjarenraming")]:
    ws = openpyxl.load_workbook(sys.argv[1] + "/" + book)[sheet]
    header = [c.value for c in ws[4]]
    rows = []
    for r in ws.iter_rows(min_row=5, values_only=True):
        if r[0] is None or r[1] is None:
            continue
        for v in r[3:]:
            if not isinstance(v, (int, float)):
                print("not a number:", r, file=sys.stderr); sys.exit(1)
        rows.append([r[0], r[1], r[2]] + list(r[3:]))
    out[book] = {"header": header, "rows": rows, "repeat": ws.print_title_rows,
                 "landscape": ws.page_setup.orientation}
print(json.dumps(out))
"#;
    let o = Command::new("python3").args(["-c", script]).arg(dir.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let en = &v["results.xlsx"];
    assert_eq!(en["landscape"], "landscape");
    assert!(en["repeat"].as_str().unwrap().contains("$4:$4"), "header row repeated: {}", en["repeat"]);
    let header: Vec<serde_json::Value> = en["header"].as_array().unwrap().clone();
    let years: Vec<i64> = header[3..].iter().map(|x| x.as_f64().unwrap() as i64).collect();
    assert_eq!(years, SHOWN.iter().map(|t| 2025 + *t as i64).collect::<Vec<_>>());
    let rows = en["rows"].as_array().unwrap();
    let get = |name: &str, figure: &str, prices: &str| -> Vec<f64> {
        let r = rows
            .iter()
            .find(|r| r[0] == name && r[1] == figure && r[2] == prices)
            .unwrap_or_else(|| panic!("{name} {figure} {prices}"));
        r.as_array().unwrap()[3..].iter().map(|x| x.as_f64().unwrap()).collect()
    };
    let yearly = csv_rows(&f["yearly.csv"]);
    let mean = |id: &str, metric: &str, year: i32| -> f64 {
        let r = yearly
            .iter()
            .find(|r| r["strategy"] == id && r["metric"] == metric && r["year"] == year.to_string())
            .unwrap();
        r["mean"].parse().unwrap()
    };
    for (k, id) in ["base", "prev", "dear"].iter().enumerate() {
        let name = plan.scenario.strategies[k].name.clone();
        let inc = get(&name, "mean spend: incidental part", "nominal");
        let st = get(&name, "mean spend: structural part", "nominal");
        let inc_real = get(&name, "mean spend: incidental part", "2025 prices");
        for (i, &t) in SHOWN.iter().enumerate() {
            let year = 2025 + t as i32;
            let spend = mean(id, "spend", year);
            assert!(
                (inc[i] + st[i] - spend).abs() <= 1e-9 * spend.abs(),
                "{id} {year}: incidental {} + structural {} != mean spend {spend}",
                inc[i],
                st[i]
            );
            assert_eq!(inc[i], mean(id, "prevention_cost", year), "{id} {year}: only prevention is incidental here");
            assert!((inc_real[i] - inc[i] / 1.03f64.powi(t as i32)).abs() <= 1e-9 * inc[i].abs().max(1.0));
        }
    }
    assert!(get(&plan.scenario.strategies[1].name, "mean spend: incidental part", "nominal")[0] > 0.0);
    let nl = &v["results_nl.xlsx"];
    assert!(nl["rows"].as_array().unwrap().iter().any(|r| r[2] == "prijspeil 2025"));
}

/// The extra cost per extra success by hand: per run the paired differences of discounted
/// spend and of discounted successes (`D_t = 1.04^-t`), their means, their ratio; the table
/// prints that ratio (or the word its signs call for), and `summary.csv`'s gain is that mean.
#[test]
fn extra_cost_per_extra_success_is_the_ratio_of_means_by_hand() {
    let (plan, b) = run();
    let r = Results::new(&plan, &b);
    let f = files(&r);
    let spend = |k: usize, t: usize| common::yearly(&plan, &b, k, "spend", t);
    let succ = |k: usize, t: usize| common::yearly(&plan, &b, k, "successes", t);
    let hand = |k: usize| -> (f64, f64, f64) {
        let mut dc = vec![0.0; RUNS];
        let mut de = vec![0.0; RUNS];
        for t in 0..12 {
            let df = 1.04f64.powi(-(t as i32));
            let (sk, s0, ek, e0) = (spend(k, t), spend(0, t), succ(k, t), succ(0, t));
            for i in 0..RUNS {
                dc[i] += (sk[i] - s0[i]) * df;
                de[i] += (ek[i] - e0[i]) * df;
            }
        }
        let (mc, _) = common::mean_se(&dc);
        let (me, se) = common::mean_se(&de);
        (mc, me, se)
    };
    let summary = csv_rows(&f["summary.csv"]);
    let md = String::from_utf8(f["summary.md"].clone()).unwrap();
    let (header, rows) = md_table(&md, "Over 12 years");
    assert_eq!(header.last().unwrap(), "extra cost per extra success vs baseline (discounted, ratio of means)");
    for k in 1..3 {
        let (dc, de, se) = hand(k);
        let id = &plan.scenario.strategies[k].id;
        let gain =
            summary.iter().find(|r| &r["strategy"] == id && r["metric"] == "npv_successes_gain_vs_baseline").unwrap();
        let g: f64 = gain["mean"].parse().unwrap();
        assert!((g - de).abs() <= 1e-9 * de.abs().max(1.0), "{id}: gain {g} vs by hand {de}");
        assert!(se > 0.0 && de.abs() > 2.0 * se, "{id}: the fixture must decide ({de} ± {se})");
        let cell = rows.iter().find(|r| r[0] == plan.scenario.strategies[k].name).unwrap().last().unwrap().clone();
        let expected = match (dc <= 0.0, de > 0.0) {
            (true, true) => "dominates (cheaper and better)".to_string(),
            (false, false) => "dominated (dearer and worse)".to_string(),
            (false, true) => Lang::En.num(dc / de, 0),
            (true, false) => format!("{} saved per success fewer", Lang::En.num(dc / de, 0)),
        };
        assert!(cell.contains(&expected), "{id}: cell {cell:?}, by hand {expected:?} ({dc} / {de})");
        eprintln!("{id}: extra NPV {dc:.0}, extra discounted successes {de:.1} ± {se:.1}: {cell}");
    }
    // Prevention saves money and prevents starts, so fewer trajectories succeed; the dearer
    // contract with a higher success rate costs more per extra success.
    let cell =
        |k: usize| rows.iter().find(|r| r[0] == plan.scenario.strategies[k].name).unwrap().last().unwrap().clone();
    assert!(cell(1).contains("saved per success fewer"), "{}", cell(1));
    assert!(cell(2).starts_with("EUR "), "{}", cell(2));
}

/// `reserve.csv`'s `risk_reserve_spend` of the first period: the type-7 90th percentile
/// less the median of the four years' summed spend, over the runs, sorted by hand.
#[test]
fn exact_period_risk_reserve_is_the_spread_of_summed_spend_by_hand() {
    let (plan, b) = run();
    let r = Results::new(&plan, &b);
    let f = files(&r);
    let reserve = csv_rows(&f["reserve.csv"]);
    let type7 = |v: &[f64], q: f64| {
        let h = (v.len() - 1) as f64 * q;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - h.floor()) * (v[hi] - v[lo])
    };
    for (k, id) in ["base", "prev", "dear"].iter().enumerate() {
        for start in [0usize, 3, 8] {
            let mut sums = vec![0.0; RUNS];
            for t in start..start + 4 {
                for (s, x) in sums.iter_mut().zip(common::yearly(&plan, &b, k, "spend", t)) {
                    *s += x;
                }
            }
            sums.sort_by(f64::total_cmp);
            let hand = type7(&sums, 0.9) - type7(&sums, 0.5);
            let row = reserve
                .iter()
                .find(|r| r["strategy"] == *id && r["first_year"] == (2025 + start as i32).to_string())
                .unwrap();
            let file: f64 = row["risk_reserve_spend"].parse().unwrap();
            assert!((file - hand).abs() <= 1e-9 * hand.abs(), "{id} from {}: {file} vs by hand {hand}", 2025 + start);
            assert!(hand > 0.0);
        }
    }
}

/// A results folder's reports name the per-run file the folder has: `runs.csv` after a
/// default run, `runs.parquet` when `contractsim report` redraws a Parquet folder.
#[test]
fn reports_name_the_per_run_file_the_folder_has() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("fixture.toml");
    fs::write(&scenario, fixture()).unwrap();
    let run = |out: &Path, extra: &[&str]| {
        contractsim()
            .args(["run"])
            .arg(&scenario)
            .args(["--runs", "20", "--seed", "3", "--out"])
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    let csv = dir.path().join("csv");
    run(&csv, &[]);
    assert!(csv.join("runs.csv").exists() && !csv.join("runs.parquet").exists());
    let parquet = dir.path().join("parquet");
    run(&parquet, &["--runs-format", "parquet"]);
    assert!(parquet.join("runs.parquet").exists() && !parquet.join("runs.csv").exists());
    contractsim().arg("report").arg(&parquet).assert().success();
    contractsim().arg("report").arg(&csv).assert().success();
    for (folder, has, lacks) in [(&csv, "runs.csv", "runs.parquet"), (&parquet, "runs.parquet", "runs.csv")] {
        for file in ["summary.md", "summary_nl.md", "report.html", "report_nl.html"] {
            let text = fs::read_to_string(folder.join(file)).unwrap();
            assert!(text.contains(has), "{file} of the {has} folder does not name it");
            assert!(!text.contains(lacks), "{file} of the {has} folder names {lacks}, which is not there");
        }
    }
}
