//! runs.parquet as other tools see it: files written through `RunsParquet` are opened with
//! real Parquet readers (DuckDB, and pyarrow and polars when installed) by
//! `scripts/check_parquet.py`, which compares every value with the same data as CSV.
//! Without python3 and duckdb they fail in CI and are skipped (with a message) elsewhere.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use contractsim::export::cell;
use contractsim::export::parquet::{RunsParquet, read_runs_parquet};
use contractsim::metrics::HORIZON;

use crate::readers;

fn has_duckdb(test: &str) -> bool {
    readers::python_module(test, "duckdb", "duckdb")
}

/// Runs `scripts/check_parquet.py` and returns its report line.
fn check(parquet: &Path, expected_csv: &Path) -> String {
    let o = Process::new("python3").arg("scripts/check_parquet.py").arg(parquet).arg(expected_csv).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "check_parquet.py failed:\n{stdout}{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("runs.parquet ok"), "{stdout}");
    println!("{}", stdout.trim());
    stdout
}

/// A value with NaN, infinities, -0.0, subnormals and long fractions among them.
fn value(run: u64, i: usize) -> f64 {
    match (run as usize * 17 + i * 5) % 11 {
        0 => f64::NAN,
        1 => -0.0,
        2 => f64::NEG_INFINITY,
        3 => 5e-324,
        k => (run as f64 * 1.000_000_1 - 7.3) * (i as f64 + 0.7) * 1e4 / k as f64,
    }
}

/// 22,000 runs × 3 strategies = 66,000 rows: two row groups of at most 65,536 rows.
#[test]
fn synthetic_runs_read_the_same_in_real_readers() {
    if !has_duckdb("synthetic_runs_read_the_same_in_real_readers") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("runs.parquet");
    let expected = dir.path().join("expected.csv");
    let strategies: Vec<String> = ["baseline", "result_financing", "prevention"].map(String::from).to_vec();
    let params: Vec<String> =
        ["population.growth", "segment.light_ambulant.incidence_per_1000", "economy.cost_inflation"]
            .map(String::from)
            .to_vec();
    let nm = HORIZON.len();
    let mut w = RunsParquet::create(&parquet, &strategies, &HORIZON, &params).unwrap();
    let mut csv = String::from("run,strategy,");
    csv.push_str(&HORIZON.join(","));
    csv.push(',');
    csv.push_str(&params.join(","));
    csv.push('\n');
    for run in 0..22_000u64 {
        let horizon: Vec<f64> = (0..strategies.len() * nm).map(|i| value(run, i)).collect();
        let p: Vec<f64> = (0..params.len()).map(|i| value(run, 1000 + i)).collect();
        w.write_run(run, &horizon, &p).unwrap();
        for (k, s) in strategies.iter().enumerate() {
            let cells: Vec<String> = horizon[k * nm..(k + 1) * nm].iter().chain(&p).map(|&x| cell(x)).collect();
            csv.push_str(&format!("{run},{s},{}\n", cells.join(",")));
        }
    }
    w.finish().unwrap();
    fs::write(&expected, csv).unwrap();
    let report = check(&parquet, &expected);
    assert!(report.contains("66000 rows, 2 row groups"), "{report}");
}

/// A real runs.csv (Friesland, 300 runs) rewritten through `RunsParquet`: the Parquet file
/// holds exactly the CSV's values, for the readers and for `read_runs_parquet`.
#[test]
fn friesland_runs_csv_as_parquet() {
    if !has_duckdb("friesland_runs_csv_as_parquet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["run", "scenarios/friesland.toml", "--runs", "300", "--seed", "7", "--threads", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let runs_csv = out.join("runs.csv");
    let mut reader = csv::Reader::from_path(&runs_csv).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[2..2 + HORIZON.len()], HORIZON);
    let params: Vec<String> = header[2 + HORIZON.len()..].to_vec();
    let num = |c: &str| if c.is_empty() { f64::NAN } else { c.parse::<f64>().unwrap() };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let first_run = &rows[0][0];
    let strategies: Vec<String> = rows.iter().take_while(|r| &r[0] == first_run).map(|r| r[1].to_string()).collect();
    assert!(strategies.len() > 1);

    let parquet = out.join("runs.parquet");
    let mut w = RunsParquet::create(&parquet, &strategies, &HORIZON, &params).unwrap();
    let mut all_horizon = Vec::new();
    let mut all_params = Vec::new();
    for chunk in rows.chunks(strategies.len()) {
        let run: u64 = chunk[0][0].parse().unwrap();
        let horizon: Vec<f64> =
            chunk.iter().flat_map(|r| (2..2 + HORIZON.len()).map(|c| num(&r[c])).collect::<Vec<_>>()).collect();
        let p: Vec<f64> = (2 + HORIZON.len()..header.len()).map(|c| num(&chunk[0][c])).collect();
        w.write_run(run, &horizon, &p).unwrap();
        all_horizon.extend(horizon);
        all_params.extend(p);
    }
    w.finish().unwrap();
    if let Ok(keep) = std::env::var("CONTRACTSIM_KEEP_RUNS_PARQUET") {
        // For trying the examples of docs/runs-data.md on a real file.
        fs::copy(&parquet, keep).unwrap();
    }
    let report = check(&parquet, &runs_csv);
    assert!(report.contains(&format!("{} rows", rows.len())), "{report}");

    let d = read_runs_parquet(&parquet, None).unwrap();
    assert_eq!(d.run_ids.len(), 300);
    assert_eq!(d.strategies, strategies);
    assert_eq!(d.param_names, params);
    let same = |a: &[f64], b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    };
    assert!(same(&d.horizon, &all_horizon));
    assert!(same(&d.params, &all_params));
}
