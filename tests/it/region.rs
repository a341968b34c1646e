//! `[[municipality]]` and `[region]`: a region's spend split over its municipalities
//! (docs/model.md section 16). The region's own figures do not change; the municipalities
//! add up to it in every run; under the fixed key the shares are exact, and under use each
//! municipality's clients are a thinned Poisson stream of the region's.

use std::fs;

use assert_cmd::Command;
use contractsim::engine::Plan;
use contractsim::results::Columns;

use crate::common::{batch, mean_se, scenario};

/// A region of two municipalities, one ten times the other, with deterministic inputs: one
/// segment, paid per trajectory at a fixed price, no re-entries or escalations, so that the
/// spend of a year is the price times the year's starts, a Poisson count.
fn hand_case(allocation: &str) -> String {
    format!(
        r#"
[scenario]
name = "Two municipalities"
start_year = 2026
horizon_years = 4
steps_per_year = 4
discount_rate = 0.0
runs = 100
seed = 3

[population]
youth = 22_000
growth = 0

[economy]
cost_inflation = 0
tariff_indexation = 0
budget = 10_000_000

[[segment]]
id = "care"
incidence_per_1000 = 20
initial_caseload = 440
mean_duration_years = 1.0
cost_per_client_year = 10_000
success_rate = 1
reentry_rate = 0

[[contract]]
id = "output"
form = "output"
segments = ["care"]
period_years = 4

[[strategy]]
id = "now"
contracts = ["output"]
baseline = true

[region]
allocation = {allocation}

[[municipality]]
id = "large"
youth = 20_000

[[municipality]]
id = "small"
youth = 2_000
"#
    )
}

/// The per-run values of a municipality's spend by use in year `t` under strategy `k`.
fn by_use(plan: &Plan, b: &contractsim::engine::Batch, k: usize, m: usize, t: usize) -> Vec<f64> {
    let (count, years) = (plan.scenario.region.as_ref().unwrap().municipalities.len(), plan.scenario.horizon_years);
    b.runs.iter().map(|r| r.municipal[(k * count + m) * years + t]).collect()
}

/// Coefficient of variation: sd / mean.
fn cv(xs: &[f64]) -> f64 {
    let (mean, se) = mean_se(xs);
    se * (xs.len() as f64).sqrt() / mean
}

#[test]
fn under_use_the_small_municipalitys_cv_is_sqrt_10_times_the_large_ones() {
    let plan = Plan::new(scenario(&hand_case("\"use\"")));
    let n = 4000;
    let b = batch(&plan, n, 17);
    for t in 1..4 {
        let (large, small) = (by_use(&plan, &b, 0, 0, t), by_use(&plan, &b, 0, 1, t));
        let ratio = cv(&small) / cv(&large);
        // The two are independent Poisson counts (thinning); each CV estimate has a relative
        // standard error of about 1/sqrt(2n), so the ratio's is about 1/sqrt(n) = 1.6%: four
        // of them is 6.3%.
        let tol = 4.0 / (n as f64).sqrt();
        assert!((ratio / 10f64.sqrt() - 1.0).abs() < tol, "year {t}: ratio {ratio}, sqrt(10) = {}", 10f64.sqrt());
        // Each municipality's expected spend is its share of the clients: 10/11 and 1/11 of
        // 440 starts a year at 10,000 euros.
        crate::common::assert_mean(&small, 440.0 / 11.0 * 10_000.0, "small municipality's spend");
    }
}

#[test]
fn under_the_key_the_shares_are_exact_and_every_rule_adds_up_to_the_region_in_every_run() {
    for allocation in ["\"solidarity\"", "\"use\"", "{ solidarity = 0.3, use = 0.7 }"] {
        let plan = Plan::new(scenario(&hand_case(allocation)));
        let b = batch(&plan, 300, 5);
        let cols = Columns::new(&plan);
        let per = plan.layout.yearly_len();
        let spend = plan.layout.yearly.iter().position(|m| m == "spend").unwrap();
        let mut row = Vec::new();
        for run in &b.runs {
            row.clear();
            cols.row(&plan, run, &mut row);
            for t in 0..4 {
                let region = run.yearly[plan.layout.at_index(spend, t) % per];
                let (large, small) =
                    (row[cols.municipal_spend(0, 0, t).unwrap()], row[cols.municipal_spend(0, 1, t).unwrap()]);
                assert!((large + small - region).abs() <= 1e-9 * region, "{allocation}: {large} + {small} != {region}");
                if allocation == "\"solidarity\"" {
                    // The key's share exactly (the last municipality takes the rest of the
                    // region's spend, so it is exact to the last bits of a subtraction).
                    assert_eq!(large, region * (20_000.0 / 22_000.0), "the key's share, exactly");
                    assert!((small / region - 2_000.0 / 22_000.0).abs() < 1e-12);
                }
            }
        }
    }
}

#[test]
fn naming_the_municipalities_changes_none_of_the_regions_figures() {
    let base = fs::read_to_string("tests/bad_scenarios/valid_base.toml").unwrap();
    let with = format!(
        "{base}\n[region]\nallocation = \"use\"\n\n[[municipality]]\nid = \"a\"\nyouth = 15_000\n\n\
         [[municipality]]\nid = \"b\"\nyouth = 5_000\nincidence_multiplier = 1.4\n"
    );
    let (p0, p1) = (Plan::new(scenario(&base)), Plan::new(scenario(&with)));
    let (b0, b1) = (batch(&p0, 60, 8), batch(&p1, 60, 8));
    for (x, y) in b0.runs.iter().zip(&b1.runs) {
        assert_eq!(
            x.yearly.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.yearly.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(
            x.horizon.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.horizon.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
    // Under use, b's mean share of the care is its youths times its multiplier: 7,000 of
    // 22,000 (the base scenario's referrals come from 20,000 youths at the region's rate,
    // which the multipliers only spread).
    let (count, years) = (2, p1.scenario.horizon_years);
    let t = years - 1;
    let share: Vec<f64> = b1
        .runs
        .iter()
        .map(|r| {
            let spend =
                r.yearly[p1.layout.at_index(p1.layout.yearly.iter().position(|m| m == "care_payments").unwrap(), t)];
            r.municipal[count * years - years + t] / spend
        })
        .collect();
    let (mean, se) = mean_se(&share);
    let expected = 7_000.0 / 22_000.0;
    assert!((mean - expected).abs() < 4.0 * se, "mean share {mean} vs {expected} (se {se})");
}

#[test]
fn run_writes_the_municipalities_tables_only_for_a_region() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    fs::write(&file, hand_case("{ solidarity = 0.5, use = 0.5 }")).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("contractsim")
        .unwrap()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--runs", "200"])
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("municipalities.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("municipality,strategy,year,metric,mean,mcse,p5,p25,p50,p75,p95"));
    // 2 municipalities x 1 strategy x 4 years x (spend, budget, structural_gap, risk_reserve).
    assert_eq!(lines.count(), 2 * 4 * 4);
    assert!(csv.contains("\nsmall,now,2026,budget,"), "{csv}");
    let risk = fs::read_to_string(out.join("municipal_risk.csv")).unwrap();
    assert_eq!(
        risk.lines().next(),
        Some("municipality,strategy,allocation,first_year,last_year,p50,p90,relative_risk")
    );
    // Both municipalities under solidarity, use and the region's mix.
    assert_eq!(risk.lines().count(), 1 + 2 * 3);
    let base = dir.path().join("base.toml");
    fs::copy("tests/bad_scenarios/valid_base.toml", &base).unwrap();
    let out = dir.path().join("plain");
    Command::cargo_bin("contractsim")
        .unwrap()
        .arg("run")
        .arg(&base)
        .arg("--out")
        .arg(&out)
        .args(["--runs", "50"])
        .assert()
        .success();
    assert!(!out.join("municipalities.csv").exists() && !out.join("municipal_risk.csv").exists());
}

#[test]
fn check_names_the_municipalities_and_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    fs::write(&file, hand_case("{ solidarity = 0.25, use = 0.75 }")).unwrap();
    let out = Command::cargo_bin("contractsim")
        .unwrap()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("region of 2 municipalities (large 90.9%, small 9.1%), its spend split 25% by the fixed key shown and 75% by use"),
        "{out}"
    );
}

#[test]
fn the_templates_commented_variant_and_region_are_valid() {
    let text = fs::read_to_string("templates/new.toml").unwrap();
    let at = text.find("# [[variant]]").expect("the template shows a variant");
    // Uncomment the example lines (keys, tables and blank separators), not the prose.
    let example: Vec<String> = text[at..]
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) => {
                rest.to_string()
            }
            _ if l == "#" => String::new(),
            _ => l.to_string(),
        })
        .collect();
    let s =
        scenario(&format!("{}{}\n", &text[..at], example.join("\n")).replace("{{NAME}}", "x").replace("{{FILE}}", "x"));
    assert_eq!(s.variants.len(), 1);
    assert_eq!(s.region.as_ref().map(|r| r.municipalities.len()), Some(2));
}
