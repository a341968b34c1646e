//! Helpers shared by the integration tests: small scenarios and batch runs.

use std::path::Path;

use contractsim::engine::{Batch, Plan, RunOptions, run_batch};
use contractsim::results::Results;
use contractsim::scenario::{Scenario, parse_str};

/// Parses a scenario from text, panicking with the problems if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match parse_str(text, Path::new("test.toml")) {
        Ok(s) => s,
        Err(e) => panic!("invalid test scenario:\n{e}"),
    }
}

/// Every file directly in a folder, by name, with its bytes (to compare folders byte for
/// byte).
pub fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Runs `runs` runs of a scenario on two threads.
pub fn batch(plan: &Plan, runs: usize, seed: u64) -> Batch {
    run_batch(plan, &RunOptions { runs, seed, threads: 2 }, &|| {}).expect("batch runs")
}

/// Runs and summarises.
pub fn summarise(text: &str, runs: usize) -> (Plan, Batch) {
    let plan = Plan::new(scenario(text));
    let b = batch(&plan, runs, 12345);
    (plan, b)
}

/// Index of a yearly metric by name.
pub fn metric(plan: &Plan, name: &str) -> usize {
    plan.layout.yearly.iter().position(|m| m == name).unwrap_or_else(|| panic!("no metric {name}"))
}

/// Per-run values of yearly metric `name` in year `t` for strategy `k`.
pub fn yearly(plan: &Plan, b: &Batch, k: usize, name: &str, t: usize) -> Vec<f64> {
    let m = metric(plan, name);
    let per = plan.layout.yearly_len();
    b.runs.iter().map(|r| r.yearly[k * per + plan.layout.at_index(m, t)]).collect()
}

/// Mean and Monte Carlo standard error.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    contractsim::stats::mean_mcse(xs)
}

/// Asserts that the mean of `xs` equals `expected` within four Monte Carlo standard
/// errors: a correct engine fails this with probability about 6 in 100,000.
pub fn assert_mean(xs: &[f64], expected: f64, what: &str) {
    let (m, se) = mean_se(xs);
    assert!(se > 0.0, "{what}: no variation, the test would prove nothing");
    assert!(
        (m - expected).abs() < 4.0 * se,
        "{what}: mean {m} vs expected {expected}, mcse {se}, {:.1} se off",
        (m - expected) / se
    );
}

/// Keeps the Results type in use for tests that need statistics.
pub fn results<'a>(plan: &'a Plan, b: &'a Batch) -> Results<'a> {
    Results::new(plan, b)
}

/// A one-segment scenario: 100 referrals a year (10 per 1000 of 10,000 youths), mean
/// duration 2 years, so a steady-state caseload of 200. `extra` is appended.
pub fn one_segment(steps_per_year: usize, segment_extra: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "test"
start_year = 2025
horizon_years = 12
steps_per_year = {steps_per_year}
discount_rate = 0.04

[population]
youth = 10_000

[[segment]]
id = "a"
incidence_per_1000 = 10
initial_caseload = 200
mean_duration_years = 2.0
cost_per_client_year = 10_000
success_rate = 0.6
{segment_extra}
{extra}
"#
    )
}

/// The shipped Friesland scenario, relative to the package root (where tests run).
pub const FRIESLAND: &str = "scenarios/friesland.toml";

/// The `contractsim` binary, as a command to configure and run.
pub fn contractsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("contractsim").expect("binary built")
}

/// `contractsim run` of Friesland with `runs` runs, seed 7 and `threads` threads into `out`;
/// the run must succeed.
pub fn run_friesland(out: &Path, runs: usize, threads: usize) {
    contractsim()
        .args([
            "run",
            FRIESLAND,
            "--runs",
            &runs.to_string(),
            "--seed",
            "7",
            "--threads",
            &threads.to_string(),
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}
