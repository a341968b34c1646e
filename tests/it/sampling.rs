//! `run --sampling lhs|sobol`: the uncertain parameters drawn by a Latin hypercube or by
//! scrambled Sobol' points in each replicate of 64 runs. The means stay unbiased, the
//! reported MCSE (from the spread of the replicate means) is honest, the designs reduce
//! the variance, and threads, shards and merge give the same bits as under plain Monte
//! Carlo.

use std::fs;
use std::path::Path;

use contractsim::engine::Plan;
use contractsim::metrics::Horizon;
use contractsim::random::design::{REPLICATE, Sampling};
use contractsim::results::Results;

use super::common::{batch, contractsim, folder_files as files, scenario};

const SCENARIO: &str = "tests/bad_scenarios/valid_base.toml";

/// The small valid scenario with a hundred times the youths, caseloads and budget: its
/// process noise (who is referred, who leaves) is then small beside its parameter
/// uncertainty, as in a region's scenario, where the designs matter.
fn plan(sampling: Sampling) -> Plan {
    let text = fs::read_to_string(SCENARIO).unwrap();
    let mut scaled = text.clone();
    for (from, to) in [
        ("youth = 20_000", "youth = 2_000_000"),
        ("initial_caseload = 800", "initial_caseload = 80_000"),
        ("initial_caseload = 100", "initial_caseload = 10_000"),
        ("budget = 30_000_000", "budget = 3_000_000_000"),
        ("annual_cost = 200_000", "annual_cost = 20_000_000"),
    ] {
        assert!(scaled.contains(from), "{SCENARIO} has `{from}`");
        scaled = scaled.replace(from, to);
    }
    Plan::new(scenario(&scaled)).with_sampling(sampling)
}

/// Per seed, the mean and reported MCSE of each figure checked: every strategy's NPV spend
/// and NPV saving versus the baseline (but the baseline's, which is 0), and the
/// alternative's spend in year 5.
fn estimates(sampling: Sampling, seeds: u64, runs: usize) -> Vec<Vec<(f64, f64)>> {
    let plan = plan(sampling);
    let spend = plan.layout.yearly.iter().position(|m| m == "spend").unwrap();
    (0..seeds)
        .map(|seed| {
            let b = batch(&plan, runs, 1000 + seed);
            let r = Results::new(&plan, &b);
            let mut out: Vec<(f64, f64)> = r
                .horizon
                .iter()
                .filter(|h| {
                    h.metric == Horizon::NpvSpend || (h.metric == Horizon::NpvSavingVsBaseline && h.strategy != 0)
                })
                .map(|h| (h.summary.mean, h.summary.mcse))
                .collect();
            let y = r.yearly.iter().find(|y| y.strategy == 1 && y.year == 5 && y.metric == spend).unwrap();
            out.push((y.summary.mean, y.summary.mcse));
            out
        })
        .collect()
}

fn variance(xs: &[f64]) -> f64 {
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64
}

/// Over 100 seeds, the variance of the estimated means equals the mean of the squared
/// reported MCSEs (both estimate the variance of the estimator): their ratio is 1 within
/// its own sampling error. The log of a sample variance of S means has a standard error of
/// about sqrt(2/(S-1)); the mean of S squared MCSEs, each from R replicates, about
/// sqrt(2/(R-1)/S). The test allows 4 of their combined standard errors. An MCSE computed as
/// if the runs were independent overstates it under these designs by the factor of their
/// variance reduction (3 to 70 on the shipped scenarios) and fails; so do replicates that
/// are not independent.
#[test]
fn the_reported_mcse_is_the_spread_of_the_means_over_seeds() {
    let (seeds, runs) = (100u64, 512usize);
    let replicates = (runs as u64 / REPLICATE) as f64;
    let tolerance = 4.0 * (2.0 / (seeds as f64 - 1.0) + 2.0 / (replicates - 1.0) / seeds as f64).sqrt();
    let mut spread = Vec::new();
    for sampling in Sampling::ALL {
        let est = estimates(sampling, seeds, runs);
        let mut per_figure = Vec::new();
        for f in 0..est[0].len() {
            let means: Vec<f64> = est.iter().map(|e| e[f].0).collect();
            let mcse2 = est.iter().map(|e| e[f].1 * e[f].1).sum::<f64>() / seeds as f64;
            let ratio = variance(&means) / mcse2;
            assert!(
                ratio.ln().abs() < tolerance,
                "{sampling:?}, figure {f}: variance of the means over {seeds} seeds / mean squared MCSE = {ratio:.3}, \
                 expected 1 within a factor {:.2}",
                tolerance.exp()
            );
            per_figure.push(variance(&means));
        }
        spread.push(per_figure);
    }
    // And the designs earn their keep: the NPV spend's estimator varies at least 10 times
    // less than under plain Monte Carlo (about 70 times here).
    for (d, name) in [(1, "lhs"), (2, "sobol")] {
        assert!(spread[0][0] > 10.0 * spread[d][0], "{name}: {} against mc {}", spread[d][0], spread[0][0]);
    }
}

/// Every design estimates the same means: over 100 seeds of 512 runs, the average of the
/// designs' means agree within 4 standard errors of their difference.
#[test]
fn the_designs_estimate_the_same_means() {
    let (seeds, runs) = (100u64, 512usize);
    let mc = estimates(Sampling::Mc, seeds, runs);
    for sampling in [Sampling::Lhs, Sampling::Sobol] {
        let other = estimates(sampling, seeds, runs);
        for f in 0..mc[0].len() {
            let a: Vec<f64> = mc.iter().map(|e| e[f].0).collect();
            let b: Vec<f64> = other.iter().map(|e| e[f].0).collect();
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let se = ((variance(&a) + variance(&b)) / seeds as f64).sqrt();
            let z = (mean(&a) - mean(&b)) / se;
            assert!(z.abs() < 4.0, "{sampling:?}, figure {f}: means differ by {z:.1} standard errors");
        }
    }
}

fn run(args: &[&str], out: &Path) -> std::process::Output {
    contractsim().arg("run").arg(SCENARIO).args(args).arg("--out").arg(out).output().unwrap()
}

/// With `--sampling sobol`: one thread, two threads and three shards merged give the same
/// folder, byte for byte; meta.json says how the runs were drawn and the MCSE measured.
#[test]
fn threads_shards_and_merge_give_the_same_bits_with_sobol_points() {
    let dir = tempfile::tempdir().unwrap();
    // 1,088 runs: 17 replicates in five blocks of 256, the last one partly filled.
    let common = ["--runs", "1088", "--seed", "5", "--sampling", "sobol", "--quantile-memory", "0"];
    let one = dir.path().join("one");
    let o = run(&[common.as_slice(), &["--threads", "1"]].concat(), &one);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let two = dir.path().join("two");
    assert!(run(&[common.as_slice(), &["--threads", "2"]].concat(), &two).status.success());
    let parts: Vec<_> = (0..3)
        .map(|k| {
            let p = dir.path().join(format!("part{k}"));
            let o = run(&[common.as_slice(), &["--threads", "1", "--shard", &format!("{k}/3")]].concat(), &p);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            p
        })
        .collect();
    let merged = dir.path().join("merged");
    let o = contractsim().arg("merge").args(&parts).arg("--out").arg(&merged).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let reference = files(&one);
    for other in [&two, &merged] {
        let got = files(other);
        assert_eq!(got.len(), reference.len());
        for ((name, x), (_, y)) in reference.iter().zip(&got) {
            // meta.json names the threads used; everything else is the same bits.
            if name != "meta.json" {
                assert!(x == y, "{name} differs between {} and {}", one.display(), other.display());
            }
        }
    }
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(one.join("meta.json")).unwrap()).unwrap();
    let s = &meta["sampling"];
    assert_eq!(s["method"], "sobol");
    assert_eq!(s["replicate_runs"], 64);
    assert_eq!(s["replicates"], 17);
    assert!(s["mcse"].as_str().unwrap().contains("17 independent replicates of 64 runs"), "{s}");
    // A shard of another design does not merge with these.
    let lhs = dir.path().join("lhs");
    let mut lhs_args = common.to_vec();
    lhs_args[5] = "lhs";
    assert!(run(&[lhs_args.as_slice(), &["--shard", "2/3"]].concat(), &lhs).status.success());
    let o = contractsim()
        .arg("merge")
        .args([&parts[0], &parts[1], &lhs])
        .arg("--out")
        .arg(dir.path().join("mixed"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("key `sampling` in partial.json: expected sobol"), "{o:?}");
}

/// A count that is not whole replicates is rounded up, and the console says so; an
/// unknown design is refused before any work, with exit code 2.
#[test]
fn runs_are_whole_replicates_and_a_bad_design_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lhs");
    let o = run(&["--runs", "100", "--sampling", "lhs"], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--sampling lhs makes whole replicates of 64 runs: 128 runs, not 100"), "{err}");
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(out.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["runs"], 128);
    assert_eq!(meta["sampling"]["method"], "lhs");
    // The reports say where their standard errors come from.
    let summary = fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary
            .contains("measured from the spread of the means of 2 independent replicates of 64 runs (Latin hypercube"),
        "{summary}"
    );
    let summary = fs::read_to_string(out.join("summary_nl.md")).unwrap();
    assert!(
        summary.contains("2 onafhankelijke herhalingen van 64 simulaties (Latin-hypercube-steekproef)"),
        "{summary}"
    );
    // `--precision` draws Sobol' points unless told otherwise, and stops no earlier than
    // 16 replicates; `--sampling mc` keeps plain Monte Carlo and its first 100 runs.
    let precise = dir.path().join("precise");
    let o = run(&["--precision", "1e12"], &precise);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(precise.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["sampling"]["method"], "sobol");
    assert_eq!(meta["runs"], 1024);
    let o = run(&["--precision", "1e12", "--sampling", "mc", "--force"], &precise);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(precise.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["sampling"]["method"], "mc");
    // The first block of 256 runs is simulated whole.
    assert_eq!(meta["runs"], 256);
    let bad = dir.path().join("bad");
    let o = run(&["--sampling", "halton"], &bad);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("expected one of mc, lhs, sobol; found `halton`"), "{err}");
    assert!(!bad.exists());
}
