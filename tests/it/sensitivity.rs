//! Sensitivity, sweeps, convergence and time-varying discount rates, through the library
//! and the binary.

use crate::common::{self, scenario};
use crate::fixtures::{self, value};
use assert_cmd::Command;
use std::sync::atomic::AtomicBool;

use contractsim::analysis::convergence::{Precision, needs_more, worst_mcse};
use contractsim::analysis::sweep::{SweepKey, scenario_with, sweep};
use contractsim::engine::run_blocks;
use contractsim::engine::{Plan, RunOptions, run_batch};
use contractsim::metrics::{HORIZON, Horizon, Yearly};
use contractsim::results::Collector;
use contractsim::stats::quantiles::QuantileMode;

/// Two strategies: output contracts, and the same with a prevention programme of uncertain
/// effect.
const TWO: &str = r#"
[scenario]
name = "two"
start_year = 2025
horizon_years = 6
steps_per_year = 4
discount_rate = 0.03
runs = 200
seed = 5

[population]
youth = 10_000

[[segment]]
id = "a"
incidence_per_1000 = { dist = "normal", mean = 10, sd = 1 }
initial_caseload = 200
mean_duration_years = 2.0
cost_per_client_year = { dist = "lognormal", mean = 10_000, sd = 1_500 }
success_rate = 0.6

[[contract]]
id = "out"
form = "output"
segments = ["a"]
margin = 0.03

[[prevention]]
id = "p"
targets = ["a"]
annual_cost = 150_000
first_year = 2025
last_year = 2030
reach = 0.5
effect = { dist = "beta", mean = 0.2, sd = 0.05 }

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "prev"
contracts = ["out"]
prevention = ["p"]
"#;

/// `TWO` with `discount_rate` set to `rates` (TOML text).
fn with_discount_rate(rates: &str) -> String {
    let mut doc = fixtures::doc(TWO);
    fixtures::set(&mut doc, &["scenario", "discount_rate"], value(rates));
    fixtures::text(&doc)
}

fn with_schedule() -> String {
    with_discount_rate("[{ from_year = 2025, rate = 0.04 }, { from_year = 2027, rate = 0.02 }]")
}

/// NPV by hand with rates 4% in 2025-2026 and 2% from 2027 (the step into year t uses
/// year t's rate): the factors are 1, 1/1.04, 1/(1.04 × 1.02), 1/(1.04 × 1.02²),
/// 1/(1.04 × 1.02³), 1/(1.04 × 1.02⁴), applied to each run's yearly spend.
#[test]
fn time_varying_discount_rates_by_hand() {
    let s = scenario(&with_schedule());
    assert_eq!(s.discount_schedule.len(), 2);
    let plan = Plan::new(s);
    let b = common::batch(&plan, 20, 3);
    let factors = [1.0, 1.0 / 1.04, 1.0 / 1.0608, 1.0 / 1.082016, 1.0 / 1.10365632, 1.0 / 1.1257294464];
    let per = plan.layout.yearly_len();
    for r in &b.runs {
        for k in 0..2 {
            let npv: f64 = (0..6).map(|t| r.yearly[k * per + plan.layout.at(Yearly::Spend, t)] * factors[t]).sum();
            let got = r.horizon[k * HORIZON.len() + Horizon::NpvSpend.index()];
            assert!((got - npv).abs() <= 1e-9 * npv.abs(), "run {}: {got} vs {npv}", r.run);
        }
    }
    // Errors name the key, what was expected and what was found.
    let bad = with_discount_rate("[{ from_year = 2026, rate = 0.04 }, { from_year = 2026, rate = 0.02 }]");
    let e = contractsim::scenario::parse_str(&bad, std::path::Path::new("bad.toml")).unwrap_err().to_string();
    assert!(e.contains("scenario.discount_rate.from_year"), "{e}");
    assert!(e.contains("the start year 2025 or earlier") && e.contains("a year after 2026"), "{e}");
}

/// Growing a batch block by block until the MCSE target is met (`run --precision`) gives
/// the same statistics as a fixed batch of the final size, at any thread count.
#[test]
fn precision_equals_a_fixed_run_of_the_same_count() {
    let plan = Plan::new(scenario(TWO));
    let grow = |target: Precision, threads: usize| {
        let mut c = Collector::new(&plan, QuantileMode::Exact);
        let opts = RunOptions { runs: 20, seed: 9, threads };
        let stop = AtomicBool::new(false);
        run_blocks(&plan, &opts, 0..target.max_runs as u64, &|| {}, &stop, |block, runs| {
            c.add_block(&plan, block, runs);
            Ok::<bool, std::io::Error>(needs_more(&c, opts.runs, &target))
        })
        .unwrap();
        c
    };
    let target = Precision { mcse_eur: 20_000.0, max_runs: 5_000 };
    let mut grown = grow(target, 1);
    let n = grown.stats.runs() as usize;
    assert!(n >= 256, "grew to {n}");
    assert!(worst_mcse(&grown) < 20_000.0 || n == 5_000);
    assert!(n == 5_000 || n % 256 == 0, "whole blocks");
    let fixed = run_batch(&plan, &RunOptions { runs: n, seed: 9, threads: 2 }, &|| {}).unwrap();
    let mut again = Collector::new(&plan, QuantileMode::Exact);
    for (b, runs) in fixed.runs.chunks(256).enumerate() {
        again.add_block(&plan, b as u64, runs);
    }
    grown.stats.finish();
    again.stats.finish();
    // Compared through their exact text: NaN (metrics that do not exist) is not equal to
    // itself.
    assert!(format!("{:?}", grown.stats) == format!("{:?}", again.stats), "grown and fixed batches differ");
    // The cap is respected.
    let capped = grow(Precision { mcse_eur: 1e-9, max_runs: 300 }, 2);
    assert_eq!(capped.stats.runs(), 300);
}

/// A sweep of a value fixes it at every point on common random numbers: sweeping the
/// programme's yearly cost by 100,000 lowers the prevention strategy's NPV saving by the
/// discounted extra cost in every run, so the mean moves by exactly that and the baseline
/// does not move at all.
#[test]
fn sweep_of_annual_cost_moves_the_saving_by_the_discounted_cost() {
    let key: SweepKey = "prevention.p.annual_cost=100000,200000".parse().unwrap();
    let opts = contractsim::engine::RunOptions { runs: 50, seed: 5, threads: 2 };
    let rows = sweep(TWO, std::path::Path::new("two.toml"), &[key], Horizon::NpvSavingVsBaseline, &opts, None).unwrap();
    assert_eq!(rows.len(), 4);
    let base: Vec<_> = rows.iter().filter(|r| r.strategy == "base").collect();
    assert_eq!(base[0].mean, 0.0);
    let prev: Vec<_> = rows.iter().filter(|r| r.strategy == "prev").collect();
    // Cost in year t is indexed by cost inflation (0 here) and discounted at 3%.
    let discounted: f64 = (0..6).map(|t| 100_000.0 / 1.03f64.powi(t)).sum();
    let moved = prev[0].mean - prev[1].mean;
    assert!((moved - discounted).abs() < 1e-6 * discounted, "{moved} vs {discounted}");
    // A plain number (not a value) is set in the text; a wrong key is an error naming it.
    let s = scenario_with(TWO, std::path::Path::new("two.toml"), &[("contract.out.margin", 0.1)]).unwrap();
    assert_eq!(s.contracts[0].margin, 0.1);
    let e = scenario_with(TWO, std::path::Path::new("two.toml"), &[("contract.nope.margin", 0.1)]).unwrap_err();
    assert!(e.contains("contract.nope.margin") && e.contains("nope"), "{e}");
}

#[test]
fn sensitivity_cli_writes_tables_charts_and_report_sections() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, TWO).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["sensitivity", file.to_str().unwrap(), "--runs", "400", "--tornado-runs", "30", "--threads", "2"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for f in ["tornado.csv", "rank_correlation.csv", "voi.csv", "tornado.svg", "tornado.png", "voi.svg", "runs.csv"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let voi = std::fs::read_to_string(out.join("voi.csv")).unwrap();
    assert!(voi.starts_with("perspective,input,value\nmunicipal,ALL,"), "{voi}");
    assert!(voi.contains("municipal,prevention.p.effect,"), "{voi}");
    let tornado = std::fs::read_to_string(out.join("tornado.csv")).unwrap();
    // Three uncertain inputs, one strategy analysed (not the baseline).
    assert_eq!(tornado.lines().count(), 4, "{tornado}");
    assert!(tornado.lines().skip(1).all(|l| l.starts_with("prev,npv_saving_vs_baseline,")));
    // The prevention effect drives its saving: a higher effect saves more.
    let effect = tornado.lines().find(|l| l.contains("prevention.p.effect")).unwrap();
    let cells: Vec<f64> = effect.split(',').skip(3).map(|c| c.parse().unwrap()).collect();
    assert!(cells[3] > cells[2], "{effect}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"sensitivity\"") && html.contains("prevention.p.effect"));
    // Redrawing from the folder keeps the section and the charts.
    let again = dir.path().join("again");
    Command::cargo_bin("contractsim").unwrap().arg("report").arg(&out).arg("--out").arg(&again).assert().success();
    let html2 = std::fs::read_to_string(again.join("report.html")).unwrap();
    assert_eq!(html, html2);
    assert_eq!(std::fs::read(out.join("tornado.svg")).unwrap(), std::fs::read(again.join("tornado.svg")).unwrap());
    assert_eq!(std::fs::read(out.join("results.xlsx")).unwrap(), std::fs::read(again.join("results.xlsx")).unwrap());
    // Bad input is exit code 2 with the key named.
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["sensitivity", file.to_str().unwrap(), "--metric", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--metric"));
}

#[test]
fn sweep_cli_one_and_two_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, TWO).unwrap();
    let out = dir.path().join("sweep");
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["sweep", file.to_str().unwrap(), "--set", "prevention.p.annual_cost=0,100000,200000", "--runs", "40"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("prevention.p.annual_cost,strategy,metric,mean,mcse,p5,p50,p95,p_cheaper_than_baseline"));
    assert_eq!(csv.lines().count(), 1 + 3 * 2);
    assert!(out.join("sweep.svg").exists() && out.join("sweep.png").exists());
    let out2 = dir.path().join("sweep2");
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["sweep", file.to_str().unwrap(), "--runs", "20"])
        .args(["--set", "prevention.p.annual_cost=0,200000", "--set", "contract.out.margin=0,0.1"])
        .arg("--out")
        .arg(&out2)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out2.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 * 2);
    assert!(out2.join("sweep_heatmap.svg").exists());
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["sweep", file.to_str().unwrap(), "--set", "prevention.p.annual_cost=a"])
        .assert()
        .code(2);
}

/// The convergence chart is drawn from runs.csv, and `run --precision` runs until the
/// target is met.
#[test]
fn run_with_precision_writes_a_convergence_chart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, TWO).unwrap();
    let out = dir.path().join("run");
    Command::cargo_bin("contractsim")
        .unwrap()
        .args(["run", file.to_str().unwrap(), "--precision", "30000", "--max-runs", "3000", "--runs", "20"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("convergence.svg")).unwrap();
    assert!(svg.contains("Running mean"), "convergence chart title missing");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = summary.lines().find(|l| l.starts_with("prev,npv_saving_vs_baseline,")).unwrap();
    let mcse: f64 = row.split(',').nth(3).unwrap().parse().unwrap();
    assert!(mcse < 30_000.0, "{row}");
}

/// Same seed, same bytes at one and two threads.
#[test]
fn sensitivity_files_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, TWO).unwrap();
    let run = |threads: &str, name: &str| {
        let out = dir.path().join(name);
        Command::cargo_bin("contractsim")
            .unwrap()
            .args(["sensitivity", file.to_str().unwrap(), "--runs", "120", "--tornado-runs", "10"])
            .args(["--threads", threads])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b) = (run("1", "one"), run("2", "two"));
    for f in ["tornado.csv", "rank_correlation.csv", "voi.csv", "runs.csv", "tornado.svg"] {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
}

/// With benefits outside the budget (`[[societal_benefit]]`), the value of information is
/// also given on the societal perspective (spend minus benefit); on either perspective the
/// EVPI is not negative, and equals the hand formula E[min cost] subtracted from min E[cost].
#[test]
fn voi_has_a_societal_perspective_when_benefits_are_valued() {
    let text = std::fs::read_to_string("scenarios/zaanstad-maatwerkbudget.toml").unwrap();
    let plan = Plan::new(scenario(&text));
    let b = run_batch(&plan, &RunOptions { runs: 300, seed: 3, threads: 2 }, &|| {}).unwrap();
    let rows = contractsim::analysis::sensitivity::voi_table(&plan, &b);
    let nh = HORIZON.len();
    for perspective in ["municipal", "societal"] {
        let evpi = rows.iter().find(|r| r.perspective == perspective && r.input == "ALL").unwrap().value;
        let cost = |r: &contractsim::engine::RunRecord, k: usize| {
            let spend = r.horizon[k * nh + Horizon::NpvSpend.index()];
            let benefit = r.horizon[k * nh + Horizon::NpvSocietalBenefit.index()];
            if perspective == "societal" && benefit.is_finite() { spend - benefit } else { spend }
        };
        let n = b.runs.len() as f64;
        let e_min: f64 = b
            .runs
            .iter()
            .map(|r| (0..plan.strategies()).map(|k| cost(r, k)).fold(f64::INFINITY, f64::min))
            .sum::<f64>()
            / n;
        let min_e = (0..plan.strategies())
            .map(|k| b.runs.iter().map(|r| cost(r, k)).sum::<f64>() / n)
            .fold(f64::INFINITY, f64::min);
        assert!(evpi >= 0.0);
        assert!((evpi - (min_e - e_min)).abs() <= 1e-6 * min_e.abs(), "{perspective}: {evpi} vs {}", min_e - e_min);
    }
}
