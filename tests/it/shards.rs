//! Scale-out: `run --shard K/N` on separate processes, then `merge`, gives the folder a
//! single run writes, byte for byte, with exact percentiles and with sketches; `merge`
//! refuses partials that do not belong together. And the streamed statistics of `run`
//! (sketch mode) stay within the sketch's stated error of the exact percentiles.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use contractsim::stats::quantiles::SKETCH_ALPHA;

use super::common::folder_files as files;

const SCENARIO: &str = "tests/bad_scenarios/valid_base.toml";

fn bin() -> Command {
    Command::cargo_bin("contractsim").expect("binary built")
}

fn run(args: &[&str], out: &Path) {
    let o = bin().arg("run").arg(SCENARIO).args(args).arg("--out").arg(out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn merge(parts: &[PathBuf], out: &Path) -> std::process::Output {
    bin().arg("merge").args(parts).arg("--out").arg(out).output().unwrap()
}

fn shards_equal_single(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    // 1,100 runs: five blocks of 256, so four shards of one or two blocks each.
    let common = [&["--runs", "1100", "--seed", "5", "--threads", "1"], extra].concat();
    let single = dir.path().join("single");
    run(&common, &single);
    let parts: Vec<PathBuf> = (0..4)
        .map(|k| {
            let p = dir.path().join(format!("part{k}"));
            run(&[common.as_slice(), &["--shard", &format!("{k}/4")]].concat(), &p);
            p
        })
        .collect();
    // Given in another order than the shards'.
    let merged = dir.path().join("merged");
    let o = merge(&[parts[2].clone(), parts[0].clone(), parts[3].clone(), parts[1].clone()], &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (a, b) = (files(&single), files(&merged));
    assert_eq!(a.iter().map(|f| &f.0).collect::<Vec<_>>(), b.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between the single run and the merged shards");
    }
    if extra.contains(&"parquet") {
        assert!(!merged.join("runs.csv").exists() && merged.join("runs.parquet").exists());
        // `report` reads the first runs from runs.parquet and redraws the same reports.
        let redrawn = dir.path().join("redrawn");
        let o = bin().arg("report").arg(&merged).arg("--out").arg(&redrawn).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for ((name, x), (_, y)) in files(&merged).iter().zip(&files(&redrawn)) {
            assert!(x == y, "{name} differs after `report` from runs.parquet");
        }
    } else {
        let runs = fs::read_to_string(merged.join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 1 + 1100 * 2, "one row per run and strategy");
    }
}

#[test]
fn four_shards_merged_equal_a_single_run_with_exact_percentiles() {
    shards_equal_single(&[]);
}

#[test]
fn four_shards_merged_equal_a_single_run_with_sketches() {
    shards_equal_single(&["--quantile-memory", "0"]);
}

#[test]
fn four_shards_merged_equal_a_single_run_with_parquet() {
    shards_equal_single(&["--runs-format", "parquet", "--quantile-memory", "0"]);
}

#[test]
fn merge_refuses_partials_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let part = |k: usize, n: usize, seed: &str| {
        let p = dir.path().join(format!("p{k}-{n}-{seed}"));
        run(&["--runs", "600", "--seed", seed, "--threads", "1", "--shard", &format!("{k}/{n}")], &p);
        p
    };
    let (a, b, c) = (part(0, 3, "1"), part(1, 3, "1"), part(2, 3, "1"));
    let other_seed = part(2, 3, "2");
    let out = dir.path().join("out");
    let stderr = |o: std::process::Output| {
        assert_eq!(o.status.code(), Some(2));
        assert!(!out.exists(), "nothing is written");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = stderr(merge(&[a.clone(), b.clone()], &out));
    assert!(e.contains("expected all 3 shards, missing: 2/3"), "{e}");
    let e = stderr(merge(&[a.clone(), b.clone(), b.clone(), c.clone()], &out));
    assert!(e.contains("expected each shard once, found shard 1 more than once"), "{e}");
    let e = stderr(merge(&[a.clone(), b.clone(), other_seed], &out));
    assert!(e.contains("key `seed` in partial.json: expected 1") && e.contains("found 2"), "{e}");
    let e = stderr(merge(&[a.clone(), b.clone(), dir.path().to_path_buf()], &out));
    assert!(e.contains("expected the partial results of `run --shard` (with partial.json)"), "{e}");
    // Shards simulated on other random streams: one of them, or all (a shard written before
    // partial.json kept the version has no key and is of version 1).
    let streams = |p: &std::path::Path, edit: &dyn Fn(String) -> String| {
        let path = p.join("partial.json");
        let text = fs::read_to_string(&path).unwrap();
        let key = format!("\"random_streams\": {}", contractsim::random::rng::STREAMS_VERSION);
        assert!(text.contains(&key), "{text}");
        fs::write(&path, edit(text)).unwrap();
    };
    let version = contractsim::random::rng::STREAMS_VERSION;
    let older = move |t: String| t.replace(&format!("\"random_streams\": {version}"), "\"random_streams\": 1");
    let saved: Vec<String> = [&a, &b, &c].iter().map(|p| fs::read_to_string(p.join("partial.json")).unwrap()).collect();
    streams(&c, &older);
    let e = stderr(merge(&[a.clone(), b.clone(), c.clone()], &out));
    assert!(
        e.contains(&format!("key `random_streams` in partial.json: expected {version}")) && e.contains("found 1"),
        "{e}"
    );
    streams(&a, &older);
    streams(&b, &|t: String| t.replace(&format!(",\n  \"random_streams\": {version}"), ""));
    let e = stderr(merge(&[a.clone(), b.clone(), c.clone()], &out));
    assert!(
        e.contains(&format!("expected {version} (the random streams of this contractsim")) && e.contains("found 1"),
        "{e}"
    );
    for (p, text) in [&a, &b, &c].iter().zip(&saved) {
        fs::write(p.join("partial.json"), text).unwrap();
    }
    fs::write(c.join("stats.bin"), b"garbage").unwrap();
    let e = stderr(merge(&[a, b, c], &out));
    assert!(e.contains("stats.bin"), "{e}");
    let o = bin().arg("run").arg(SCENARIO).args(["--shard", "4/4"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard: expected K/N with 0 <= K < N"));
}

/// With sketches every percentile of every figure is within the stated relative error of
/// the order statistics that the exact (type-7) percentile interpolates:
/// `|sketch - exact| <= alpha * max(|x_lo|, |x_hi|)`.
#[test]
fn sketch_percentiles_are_within_the_stated_error_of_exact_ones() {
    use contractsim::engine::{BLOCK, Plan, RunOptions, run_batch};
    use contractsim::results::Collector;
    use contractsim::stats::PERCENTILES;
    use contractsim::stats::quantiles::QuantileMode;

    let text = fs::read_to_string(SCENARIO).unwrap();
    let plan = Plan::new(contractsim::scenario::parse_str(&text, Path::new(SCENARIO)).unwrap());
    let batch = run_batch(&plan, &RunOptions { runs: 700, seed: 3, threads: 2 }, &|| {}).unwrap();
    let mut c = Collector::new(&plan, QuantileMode::Sketch);
    for (b, runs) in batch.runs.chunks(BLOCK as usize).enumerate() {
        c.add_block(&plan, b as u64, runs);
    }
    c.stats.finish();
    let width = c.columns.width;
    let mut rows = Vec::new();
    for run in &batch.runs {
        c.columns.row(&plan, run, &mut rows);
    }
    let (mut checked, mut sketched) = (0, 0);
    for col in 0..width {
        let mut v: Vec<f64> = rows.iter().skip(col).step_by(width).copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            continue;
        }
        v.sort_by(f64::total_cmp);
        let mut distinct = v.clone();
        distinct.dedup();
        sketched += usize::from(distinct.len() > 64);
        for q in PERCENTILES {
            let h = (v.len() - 1) as f64 * q;
            let (lo, hi) = (v[h.floor() as usize], v[(h.floor() as usize + 1).min(v.len() - 1)]);
            let exact = contractsim::stats::quantile_sorted(&v, q);
            let got = c.stats.quantile(col, q);
            let bound = SKETCH_ALPHA * lo.abs().max(hi.abs());
            assert!((got - exact).abs() <= bound * (1.0 + 1e-9) + 1e-9, "column {col}, q {q}: {got} vs {exact}");
            if distinct.len() <= 64 {
                assert_eq!(got, exact, "few distinct values are exact");
            }
            checked += 1;
        }
    }
    assert!(checked > 1000 && sketched > 100, "{checked} percentiles, {sketched} figures sketched");
}
