//! `[[variant]]`: states of the world. A variant's world is the file with the variant's
//! values, simulated on the same seed and runs; unless it was known at signing, what was
//! fixed at signing (first prices, lump sums) comes from the file's own expectations.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use contractsim::engine::Plan;

use crate::common::{batch, scenario, yearly};

/// The corpus's valid base scenario (output contracts as the baseline; a task contract for
/// light care with prevention), without its first comment line.
fn base_text() -> String {
    fs::read_to_string("tests/bad_scenarios/valid_base.toml").unwrap()
}

/// A variant raising light care's cost per client-year by 10% (mean 6,000 to 6,600).
fn dearer(known_at_signing: bool) -> String {
    format!(
        r#"
[[variant]]
id = "dearer"
name = "Light care 10% dearer"
known_at_signing = {known_at_signing}

[variant.segment.light]
cost_per_client_year = {{ dist = "normal", mean = 6_600, sd = 550, min = 0 }}
"#
    )
}

/// The base text with light care 10% dearer written into the file itself.
fn dearer_file() -> String {
    let text = base_text();
    let old = r#"cost_per_client_year = { dist = "normal", mean = 6_000, sd = 500, min = 0 }"#;
    assert!(text.contains(old));
    text.replace(old, r#"cost_per_client_year = { dist = "normal", mean = 6_600, sd = 550, min = 0 }"#)
}

#[test]
fn a_variant_that_changes_nothing_is_the_files_world_bit_for_bit() {
    let text = format!(
        "{}\n[[variant]]\nid = \"same\"\n[variant.population]\ngrowth = {{ dist = \"uniform\", min = -0.01, max = 0.01 }}\n",
        base_text()
    );
    let s = scenario(&text);
    assert_eq!(s.variants.len(), 1);
    let base = Plan::new(s.clone());
    let world = Plan::in_world(&s.variants[0], &base);
    let (a, b) = (batch(&base, 40, 9), batch(&world, 40, 9));
    for (x, y) in a.runs.iter().zip(&b.runs) {
        assert_eq!(
            x.yearly.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.yearly.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(x.params, y.params, "common random numbers: the same draws");
    }
}

#[test]
fn a_world_known_at_signing_is_the_file_with_its_values() {
    let s = scenario(&format!("{}{}", base_text(), dearer(true)));
    let base = Plan::new(s.clone());
    let world = Plan::in_world(&s.variants[0], &base);
    let file = Plan::new(scenario(&dearer_file()));
    let (w, f) = (batch(&world, 40, 3), batch(&file, 40, 3));
    for (x, y) in w.runs.iter().zip(&f.runs) {
        assert_eq!(x.yearly, y.yearly);
        assert_eq!(
            x.horizon.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.horizon.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}

/// Output prices per trajectory are set at signing from the expected cost, and never
/// re-set here (`period_years` is the horizon): in a surprise world with dearer care the
/// municipality pays the signed prices, to the cent, for the same trajectories (same seed,
/// same demand); when the world was known at signing it pays the dearer prices. So does a
/// task contract's lump sum in its first year.
#[test]
fn a_surprise_world_pays_the_prices_signed_on_the_files_expectations() {
    let surprise = scenario(&format!("{}{}", base_text(), dearer(false)));
    let known = scenario(&format!("{}{}", base_text(), dearer(true)));
    let base = Plan::new(surprise.clone());
    let b = batch(&base, 60, 5);
    let s = batch(&Plan::in_world(&surprise.variants[0], &base), 60, 5);
    let k = batch(&Plan::in_world(&known.variants[0], &base), 60, 5);
    let sp = Plan::in_world(&surprise.variants[0], &base);
    for strategy in 0..2 {
        for t in 0..3 {
            let paid = |batch| yearly(&base, batch, strategy, "care_payments", t);
            let (pb, ps, pk) = (paid(&b), paid(&s), paid(&k));
            assert_eq!(pb, ps, "strategy {strategy}, year {t}: the surprise world pays the signed prices");
            for (x, y) in pb.iter().zip(&pk) {
                assert!(y > x, "strategy {strategy}, year {t}: known at signing, the prices follow the dearer care");
            }
        }
    }
    // The providers bear the surprise: their cost is the dearer one in the surprise world.
    let cost = |plan: &Plan, batch| yearly(plan, batch, 0, "provider_cost", 0);
    for (x, y) in cost(&base, &b).iter().zip(&cost(&sp, &s)) {
        assert!(y > x, "the providers' cost follows the dearer care");
    }
}

#[test]
fn a_run_writes_every_world_and_refuses_shards() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("worlds.toml");
    let text = format!(
        "{}{}\n[[question]]\nid = \"q\"\ntext = \"Does the task contract cost less when light care is dearer?\"\nstrategies = [\"task\"]\nvariant = \"dearer\"\n",
        base_text(),
        dearer(false)
    );
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("contractsim")
        .unwrap()
        .arg("run")
        .arg(&file)
        .args(["--runs", "30", "--out"])
        .arg(&out)
        .assert()
        .success();
    let world = out.join("variants/dearer");
    for f in [
        "summary.csv",
        "yearly.csv",
        "runs.csv",
        "meta.json",
        "summary.md",
        "summary_nl.md",
        "report.html",
        "results.xlsx",
    ] {
        assert!(world.join(f).is_file(), "variants/dearer/{f}");
    }
    let read = |p: &Path| fs::read_to_string(p).unwrap();
    // summary.csv and yearly.csv end in the world's id; variants.csv holds both worlds' rows.
    let own = read(&out.join("summary.csv"));
    let other = read(&world.join("summary.csv"));
    assert!(own.starts_with("strategy,metric,mean,mcse,p5,p25,p50,p75,p95,variant\n"));
    assert!(own.lines().skip(1).all(|l| l.ends_with(",base")));
    assert!(other.lines().skip(1).all(|l| l.ends_with(",dearer")));
    assert!(read(&world.join("yearly.csv")).lines().skip(1).all(|l| l.ends_with(",dearer")));
    let combined = read(&out.join("variants.csv"));
    assert_eq!(combined, format!("{own}{}", other.split_once('\n').unwrap().1));
    // Every report of a variant's world says which world it shows.
    assert!(read(&world.join("summary.md")).starts_with("# Base — Light care 10% dearer\n"));
    assert!(read(&world.join("spend_fan.svg")).contains("Base — Light care 10% dearer"));
    assert!(read(&out.join("summary.md")).starts_with("# Base\n"));
    // The answer to the question asked in the variant comes from the variant's results.
    let md = read(&out.join("summary.md"));
    assert!(md.contains("Answered in the world \u{201c}Light care 10% dearer\u{201d}"), "{md}");
    assert!(md.contains("The strategies in each world"));
    assert!(read(&out.join("summary_nl.md")).contains("De strategieën in elke wereld"));
    // Redrawn from the folder, every report is the same.
    let redrawn = dir.path().join("redrawn");
    Command::cargo_bin("contractsim").unwrap().arg("report").arg(&out).arg("--out").arg(&redrawn).assert().success();
    assert_eq!(read(&redrawn.join("summary.md")), md);
    assert_eq!(read(&redrawn.join("variants/dearer/summary_nl.md")), read(&world.join("summary_nl.md")));
    // Shards of a scenario with variants are refused before any work.
    let shard = dir.path().join("shard");
    let o = Command::cargo_bin("contractsim")
        .unwrap()
        .arg("run")
        .arg(&file)
        .args(["--runs", "30", "--shard", "0/2", "--out"])
        .arg(&shard)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard: expected a scenario without `[[variant]]`"));
    assert!(!shard.exists());
}

#[test]
fn sensitivity_sweep_and_check_take_a_variant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("worlds.toml");
    fs::write(&file, format!("{}{}", base_text(), dearer(false))).unwrap();
    let bin = || Command::cargo_bin("contractsim").unwrap();
    let run = dir.path().join("run");
    bin().arg("run").arg(&file).args(["--runs", "25", "--out"]).arg(&run).assert().success();
    // The sensitivity of a variant's world simulates that world: its summary.csv is the
    // variant's of the run (same seed and runs), row for row.
    let sens = dir.path().join("sens");
    bin()
        .arg("sensitivity")
        .arg(&file)
        .args(["--runs", "25", "--tornado-runs", "2", "--variant", "dearer", "--out"])
        .arg(&sens)
        .assert()
        .success();
    let read = |p: &Path| fs::read_to_string(p).unwrap();
    assert_eq!(read(&sens.join("summary.csv")), read(&run.join("variants/dearer/summary.csv")));
    assert!(!sens.join("variants").exists(), "one world, one folder");
    let sweep = dir.path().join("sweep");
    bin()
        .arg("sweep")
        .arg(&file)
        .args(["--set", "scenario.discount_rate=0.02,0.04", "--runs", "10", "--variant", "dearer", "--out"])
        .arg(&sweep)
        .assert()
        .success();
    assert!(sweep.join("sweep.csv").is_file());
    for cmd in ["sensitivity", "sweep"] {
        let mut c = bin();
        c.arg(cmd).arg(&file).args(["--runs", "5", "--variant", "dearest", "--out"]).arg(dir.path().join(cmd));
        if cmd == "sweep" {
            c.args(["--set", "scenario.discount_rate=0.02"]);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--variant: expected the id of a `[[variant]]`"), "{cmd}");
    }
    let o = bin().arg("check").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("variant \"dearer\" (Light care 10% dearer): changes segment.light.cost_per_client_year; priced on the file's expectations (a surprise)"),
        "{text}"
    );
}

/// The ranking across worlds: in the file's own world the task strategy costs more than
/// today's contracts (EUR 76.6 against 74.2 mln at 200 runs, each with an MCSE of about 0.3
/// mln, the paired difference far beyond its error); with free and stronger prevention it
/// costs less. The answer says the order reverses, and names the pair and the worlds.
#[test]
fn the_answer_says_where_the_ranking_reverses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("worlds.toml");
    let variant = "\n[[variant]]\nid = \"free\"\nname = \"Free prevention\"\n[variant.prevention.front]\nannual_cost = 0\neffect = 0.6\n";
    fs::write(&file, format!("{}{variant}", base_text())).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("contractsim")
        .unwrap()
        .arg("run")
        .arg(&file)
        .args(["--runs", "200", "--out"])
        .arg(&out)
        .assert()
        .success();
    let npv = |dir: &Path, k: &str| -> f64 {
        let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
        let line = text.lines().find(|l| l.starts_with(&format!("{k},npv_spend,"))).unwrap();
        line.split(',').nth(2).unwrap().parse().unwrap()
    };
    assert!(npv(&out, "task") > npv(&out, "now"), "the case: task dearer in the file's world");
    assert!(
        npv(&out.join("variants/free"), "task") < npv(&out.join("variants/free"), "now"),
        "cheaper with free prevention"
    );
    let md = fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("No: ranked by mean present value of spend, the order of some strategies reverses"), "{md}");
    assert!(
        md.contains(
            "now costs less than task in \u{201c}As the file assumes\u{201d}, more in \u{201c}Free prevention\u{201d}."
        ),
        "{md}"
    );
    let nl = fs::read_to_string(out.join("summary_nl.md")).unwrap();
    assert!(nl.contains("now kost minder dan task in \u{2018}Zoals het bestand aanneemt\u{2019}, meer in \u{2018}Free prevention\u{2019}."), "{nl}");
}
