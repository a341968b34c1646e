//! The `contractsim` binary as a user runs it: files written, reproducibility, exit codes.

use std::fs;

use predicates::prelude::*;

use crate::common::{FRIESLAND, contractsim, run_friesland};
use crate::fixtures;

/// Same seed, same bits: every file but meta.json (which records the thread count) is
/// byte-identical at 1 and 2 threads, over several blocks of runs (the statistics are
/// accumulated block by block while the next block is simulated).
#[test]
fn identical_files_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("one"), dir.path().join("two"));
    run_friesland(&a, 600, 1);
    run_friesland(&b, 600, 2);
    let mut names: Vec<String> =
        fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.len() > 30, "{names:?}");
    for file in names.iter().filter(|f| *f != "meta.json") {
        let (x, y) = (fs::read(a.join(file)).unwrap(), fs::read(b.join(file)).unwrap());
        assert!(!x.is_empty());
        assert!(x == y, "{file} differs between 1 and 2 threads");
    }
    let (a, b) = (dir.path().join("one-sketch"), dir.path().join("two-sketch"));
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        contractsim()
            .args(["run", FRIESLAND, "--runs", "600", "--seed", "7", "--quantile-memory", "0", "--threads", threads])
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    }
    for file in ["yearly.csv", "summary.csv", "budget.csv", "reserve.csv", "runs.csv"] {
        assert!(fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(), "{file} (sketch) differs");
    }
    let a = dir.path().join("one");
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(a.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["threads"], 1);
    assert_eq!(meta["seed"], 7);
    assert_eq!(meta["runs"], 600);
    assert_eq!(meta["steps_per_year"], 12);
    assert_eq!(meta["crate_versions"]["rand"].as_str().map(|v| v.starts_with("0.9")), Some(true));
    let text = fs::read_to_string(FRIESLAND).unwrap();
    assert_eq!(meta["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(!text.is_empty());
}

/// A run's rows do not change when more runs are added to the batch.
#[test]
fn runs_one_to_n_are_the_same_within_a_larger_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    run_friesland(&small, 20, 2);
    run_friesland(&large, 45, 2);
    let s = fs::read_to_string(small.join("runs.csv")).unwrap();
    let l = fs::read_to_string(large.join("runs.csv")).unwrap();
    let s_lines: Vec<&str> = s.lines().collect();
    let l_lines: Vec<&str> = l.lines().collect();
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(small.join("meta.json")).unwrap()).unwrap();
    let strategies = meta["strategies"].as_array().unwrap().len();
    assert_eq!(s_lines.len(), 1 + 20 * strategies);
    assert_eq!(l_lines.len(), 1 + 45 * strategies);
    assert_eq!(s_lines[..], l_lines[..s_lines.len()]);
}

/// The output folder holds the promised files with the promised columns.
#[test]
fn results_folder_has_the_documented_files_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 30, 2);
    let yearly = fs::read_to_string(out.join("yearly.csv")).unwrap();
    assert!(yearly.starts_with("strategy,year,metric,mean,mcse,p5,p25,p50,p75,p95\n"));
    for metric in [
        "spend",
        "care_payments",
        "outcome_payments",
        "prevention_cost",
        "admin_cost",
        "caseload",
        "starts",
        "successes",
        "provider_result",
        "budget_overrun",
    ] {
        assert!(yearly.contains(&format!(",{metric},")), "yearly.csv lacks {metric}");
    }
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("strategy,metric,mean,mcse,p5,p25,p50,p75,p95\n"));
    for metric in [
        "npv_spend",
        "total_spend",
        "npv_saving_vs_baseline",
        "p_cheaper_than_baseline",
        "p_cheapest",
        "break_even_year",
        "cost_per_success",
    ] {
        assert!(summary.contains(&format!(",{metric},")), "summary.csv lacks {metric}");
    }
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.lines().next().unwrap().contains("prevention.front.effect"));
    assert!(fs::read_to_string(out.join("summary.md")).unwrap().contains("| strategy |"));
}

/// `check` reports the shipped scenario calibrated.
#[test]
fn check_reports_friesland_calibrated() {
    contractsim()
        .args(["check", FRIESLAND])
        .assert()
        .success()
        .stdout(predicate::str::contains("calibrated: every initial caseload is within 10%"));
}

/// `check` warns when a caseload is far from its steady state.
#[test]
fn check_warns_when_uncalibrated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("off.toml");
    let mut doc = fixtures::load(FRIESLAND);
    fixtures::set(&mut doc, &["segment", "light_ambulant", "initial_caseload"], 4000);
    fs::write(&file, fixtures::text(&doc)).unwrap();
    contractsim()
        .args(["check"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("more than 10% off").and(predicate::str::contains("warning: 1 segment(s)")));
}

/// Bad input: exit code 2, a message naming file, line, column and key, and the previous
/// results left as they were.
#[test]
fn bad_input_exits_2_and_keeps_previous_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kept");
    run_friesland(&out, 10, 2);
    let before = fs::read(out.join("summary.csv")).unwrap();
    let file = dir.path().join("bad.toml");
    let mut doc = fixtures::load(FRIESLAND);
    fixtures::rename(&mut doc, &["segment", "light_ambulant", "mean_duration_years"], "mean_duraton_years");
    fixtures::set(&mut doc, &["segment", "light_ambulant", "mean_duraton_years"], 0.5);
    fs::write(&file, fixtures::text(&doc)).unwrap();
    contractsim()
        .args(["run"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.toml:")
                .and(predicate::str::contains("key `segment.light_ambulant.mean_duraton_years`"))
                .and(predicate::str::contains("did you mean `mean_duration_years`?"))
                .and(predicate::str::contains("key `segment.light_ambulant.mean_duration_years`: expected a number > 0 or a distribution, found nothing")),
        );
    assert_eq!(fs::read(out.join("summary.csv")).unwrap(), before);
    contractsim()
        .args(["run", "does-not-exist.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist.toml"));
    contractsim().args(["run", FRIESLAND, "--runs", "0"]).assert().code(2);
    contractsim().args(["run", FRIESLAND, "--runs", "many"]).assert().code(2);
}

/// `--help` explains every flag with an example.
#[test]
fn help_has_examples() {
    contractsim().args(["run", "--help"]).assert().success().stdout(
        predicate::str::contains("--runs")
            .and(predicate::str::contains("--threads"))
            .and(predicate::str::contains("Examples")),
    );
}
