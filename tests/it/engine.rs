//! The engine against answers known in closed form or by hand. Stochastic checks use
//! tolerances of four Monte Carlo standard errors, computed from the runs themselves.

use crate::common::*;
use crate::fixtures::{self, value};
use contractsim::metrics::{HORIZON, Horizon};

const OUTPUT_ONLY: &str = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true
"#;

/// Little's law in steady state: starting at the steady state, the expected caseload stays
/// at incidence × duration (100 × 2 = 200), client-years per year equal it too, and starts
/// are Poisson with mean 100 a year, at 1, 4 and 12 steps a year alike.
#[test]
fn littles_law_holds_at_every_step_length() {
    for spy in [1, 4, 12] {
        let (plan, b) = summarise(&one_segment(spy, "", OUTPUT_ONLY), 3000);
        for t in [0, 5, 11] {
            assert_mean(&yearly(&plan, &b, 0, "caseload", t), 200.0, &format!("caseload, {spy} steps, year {t}"));
            assert_mean(
                &yearly(&plan, &b, 0, "client_years", t),
                200.0,
                &format!("client-years, {spy} steps, year {t}"),
            );
            assert_mean(&yearly(&plan, &b, 0, "starts", t), 100.0, &format!("starts, {spy} steps, year {t}"));
        }
        // Poisson: the variance of yearly starts equals their mean (100); the sample
        // variance of 3000 runs has standard error about 100 * sqrt(2 / 2999) = 2.6.
        let starts = yearly(&plan, &b, 0, "starts", 7);
        let (m, _) = mean_se(&starts);
        let var = starts.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (starts.len() - 1) as f64;
        assert!((var - 100.0).abs() < 4.0 * 100.0 * (2.0 / 2999.0f64).sqrt(), "variance of starts {var}");
    }
}

/// With re-entry and escalation the steady state is starts × duration with starts from
/// `λ = (r + x) / (1 - (1 - σ) ρ)` (what `check` reports): the simulation stays there.
#[test]
fn steady_state_with_reentry_and_escalation() {
    // Segment a: r = 100, σ = 0.6, ρ = 0.5 → λa = 100 / 0.8 = 125, caseload 250 (d = 2).
    // Failures not re-entering: 125 × 0.4 × 0.5 = 25, of which 40% escalate: 10 a year.
    // Segment b: r = 20 + 10 escalations, σ = 0.5, ρ = 0.2 → λb = 30 / 0.9, caseload × 1.5.
    let text = r#"
[scenario]
name = "steady"
start_year = 2025
horizon_years = 15
steps_per_year = 4
discount_rate = 0.0

[population]
youth = 10_000

[[segment]]
id = "a"
incidence_per_1000 = 10
initial_caseload = 250
mean_duration_years = 2.0
cost_per_client_year = 1000
success_rate = 0.6
reentry_rate = 0.5
reentry_delay_years = 0.5
escalates_to = "b"
escalation_rate = 0.4

[[segment]]
id = "b"
incidence_per_1000 = 2
initial_caseload = 50
mean_duration_years = 1.5
cost_per_client_year = 1000
success_rate = 0.5
reentry_rate = 0.2

[[contract]]
id = "out"
form = "output"
segments = ["a", "b"]

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true
"#;
    let (plan, b) = summarise(text, 2000);
    let states = contractsim::model::calibration::steady_states(&plan.scenario);
    assert!((states[0].with_reentry_and_escalation - 250.0).abs() < 1e-9);
    assert!((states[1].with_reentry_and_escalation - 1.5 * 30.0 / 0.9).abs() < 1e-9);
    assert_mean(&yearly(&plan, &b, 0, "caseload.a", 14), 250.0, "caseload a");
    assert_mean(&yearly(&plan, &b, 0, "caseload.b", 14), 1.5 * 30.0 / 0.9, "caseload b");
    assert_mean(&yearly(&plan, &b, 0, "starts.a", 14), 125.0, "starts a");
}

/// Effort contracts pay client-years × tariff: E[c] (1 + margin) indexed each year.
#[test]
fn effort_pays_client_years_times_tariff() {
    let contract = r#"
[economy]
tariff_indexation = 0.02
cost_inflation = { dist = "normal", mean = 0.03, sd = 0.01 }

[[contract]]
id = "eff"
form = "effort"
segments = ["a"]
margin = 0.05
admin_cost_rate = 0.02
duration_factor = 1.3

[[strategy]]
id = "base"
contracts = ["eff"]
baseline = true
"#;
    let mut doc = fixtures::doc(&one_segment(12, "", contract));
    fixtures::set(
        &mut doc,
        &["segment", "a", "cost_per_client_year"],
        value("{ dist = \"normal\", mean = 10_000, sd = 500 }"),
    );
    let (plan, b) = summarise(&fixtures::text(&doc), 50);
    for t in 0..12 {
        let cy = yearly(&plan, &b, 0, "client_years", t);
        let care = yearly(&plan, &b, 0, "care_payments", t);
        let admin = yearly(&plan, &b, 0, "admin_cost", t);
        for r in 0..cy.len() {
            let expected = cy[r] * 10_000.0 * 1.05 * 1.02f64.powi(t as i32);
            assert!((care[r] - expected).abs() < 1e-6 * expected, "run {r} year {t}: {} vs {expected}", care[r]);
            assert!((admin[r] - 0.02 * care[r]).abs() < 1e-6 * care[r]);
        }
    }
}

/// Output contracts pay starts × E[c] E[d] (1 + margin); providers who shorten trajectories
/// (duration factor 0.8) cost the municipality exactly the same in the first period (same
/// starts, same price) and less after re-pricing from realised cost per start: 0.8 of the
/// baseline once the caseload has settled.
#[test]
fn output_contract_shorter_trajectories_pay_off_only_after_repricing() {
    let contracts = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]
period_years = 3
margin = 0.1

[[contract]]
id = "short"
form = "output"
segments = ["a"]
period_years = 3
margin = 0.1
duration_factor = 0.8

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "short"
contracts = ["short"]
"#;
    // 5,000 referrals a year, so the ratio estimator's bias (order 1/starts) is far below
    // the Monte Carlo error.
    let mut doc = fixtures::doc(&one_segment(12, "", contracts));
    fixtures::set(&mut doc, &["population", "youth"], 500_000);
    fixtures::set(&mut doc, &["segment", "a", "initial_caseload"], 10_000);
    fixtures::set(&mut doc, &["scenario", "horizon_years"], 30);
    let (plan, b) = summarise(&fixtures::text(&doc), 400);
    for t in 0..3 {
        let base = yearly(&plan, &b, 0, "care_payments", t);
        let short = yearly(&plan, &b, 1, "care_payments", t);
        let starts = yearly(&plan, &b, 0, "starts", t);
        for r in 0..base.len() {
            assert_eq!(base[r], short[r], "first period, run {r} year {t}: identical payments");
            let expected = starts[r] * 10_000.0 * 2.0 * 1.1;
            assert!((base[r] - expected).abs() < 1e-6 * expected);
        }
    }
    for t in [3, 6, 11] {
        let base = yearly(&plan, &b, 0, "care_payments", t);
        let short = yearly(&plan, &b, 1, "care_payments", t);
        let diff: Vec<f64> = base.iter().zip(&short).map(|(x, y)| x - y).collect();
        let (m, se) = mean_se(&diff);
        assert!(m > 4.0 * se, "year {t}: shorter trajectories must cost less after re-pricing ({m} ± {se})");
    }
    // Once the shorter caseload has settled (time constant 0.8 d = 1.6 years), the price
    // set from realised cost per start is 0.8 of the baseline's. Ratio of mean payments
    // in the last year (prices from years 24-26), with the delta-method standard error of
    // a ratio of two independent means: conservative, as CRN correlates them positively.
    let base = yearly(&plan, &b, 0, "care_payments", 29);
    let short = yearly(&plan, &b, 1, "care_payments", 29);
    let ((mb, sb), (ms, ss)) = (mean_se(&base), mean_se(&short));
    let ratio = ms / mb;
    let se = ratio * ((sb / mb).powi(2) + (ss / ms).powi(2)).sqrt();
    assert!((ratio - 0.8).abs() < 4.0 * se, "long-run price ratio {ratio} vs 0.8, se {se}");
}

/// Prevention with reach × effect = 0.2 (no ramp) cuts starts by 20%: prevented referrals
/// are a thinned subset of the baseline's, so the paired difference has mean zero. With
/// re-entry the cut holds in steady state too.
#[test]
fn prevention_with_reach_times_effect_of_a_fifth_cuts_starts_by_a_fifth() {
    for reentry in ["", "reentry_rate = 0.3\nreentry_delay_years = 0.5"] {
        let extra = format!(
            r#"
{OUTPUT_ONLY}
[[prevention]]
id = "p"
annual_cost = 100_000
targets = ["a"]
reach = 0.5
effect = 0.4

[[strategy]]
id = "prev"
contracts = ["out"]
prevention = ["p"]
"#
        );
        let (plan, b) = summarise(&one_segment(12, reentry, &extra), 2000);
        // Without re-entry the cut is immediate; with it, re-entries from the caseload at the
        // old level fade with the mean duration (2 years), so only the late year is checked.
        let years: &[usize] = if reentry.is_empty() { &[2, 11] } else { &[11] };
        for &t in years {
            let base = yearly(&plan, &b, 0, "starts", t);
            let prev = yearly(&plan, &b, 1, "starts", t);
            let d: Vec<f64> = base.iter().zip(&prev).map(|(x, y)| 0.8 * x - y).collect();
            assert_mean(&d, 0.0, &format!("0.8 baseline starts - prevention starts, year {t}, {reentry:?}"));
            let prevented = yearly(&plan, &b, 1, "prevented", t);
            let referrals = yearly(&plan, &b, 0, "referrals", t);
            for r in 0..base.len() {
                assert!(prevented[r] <= referrals[r], "prevented referrals are a subset");
            }
        }
        let cost = yearly(&plan, &b, 1, "prevention_cost", 4);
        assert!(cost.iter().all(|&c| c == 100_000.0));
    }
}

/// NPV by hand: a task contract whose budget is set once for the whole horizon pays
/// `B (1 + i)^t (1 + admin)` in year t, with `B = λ d E[c] (1 + margin)`, so the NPV is a
/// geometric series: `B (1 + a) (1 - q^H) / (1 - q)`, `q = (1 + i) / (1 + r)`.
#[test]
fn npv_of_a_task_budget_by_hand() {
    let contract = r#"
[economy]
tariff_indexation = 0.02

[[contract]]
id = "task"
form = "task"
segments = ["a"]
period_years = 12
margin = 0.05
admin_cost_rate = 0.01
incidence_factor = 0.9

[[strategy]]
id = "base"
contracts = ["task"]
baseline = true
"#;
    let (_, b) = summarise(&one_segment(12, "", contract), 20);
    let budget = 100.0 * 2.0 * 10_000.0 * 1.05;
    let q: f64 = 1.02 / 1.04;
    let npv = budget * 1.01 * (1.0 - q.powi(12)) / (1.0 - q);
    let total = budget * 1.01 * (1.02f64.powi(12) - 1.0) / 0.02;
    for r in &b.runs {
        let got = r.horizon[Horizon::NpvSpend.index()];
        assert!((got - npv).abs() < 1e-6 * npv, "npv {got} vs {npv}");
        assert!((r.horizon[Horizon::TotalSpend.index()] - total).abs() < 1e-6 * total);
    }
}

/// Outcome contracts: base share × output price per start, plus the outcome payment per
/// success one year after it (indexed), capped at a share of the year's contract value.
#[test]
fn outcome_payments_follow_successes_by_the_follow_up() {
    for cap in ["", "outcome_cap_share = 0.05"] {
        let contract = format!(
            r#"
[economy]
tariff_indexation = 0.03

[[contract]]
id = "res"
form = "outcome"
segments = ["a"]
base_share = 0.7
outcome_payment = 5_000
follow_up_years = 1
{cap}

[[strategy]]
id = "base"
contracts = ["res"]
baseline = true
"#
        );
        let (plan, b) = summarise(&one_segment(4, "", &contract), 30);
        for t in 1..12 {
            let successes = yearly(&plan, &b, 0, "successes", t - 1);
            let starts = yearly(&plan, &b, 0, "starts", t);
            let paid = yearly(&plan, &b, 0, "outcome_payments", t);
            let care = yearly(&plan, &b, 0, "care_payments", t);
            let index = 1.03f64.powi(t as i32);
            for r in 0..paid.len() {
                let value = starts[r] * 20_000.0 * index;
                let due = successes[r] * 5_000.0 * index;
                let expected = if cap.is_empty() { due } else { due.min(0.05 * value) };
                assert!(
                    (paid[r] - expected).abs() < 1e-6 * expected.max(1.0),
                    "{cap:?} year {t}: {} vs {expected}",
                    paid[r]
                );
                assert!((care[r] - 0.7 * value).abs() < 1e-6 * value);
            }
        }
        // Nothing falls due in the first year.
        assert!(yearly(&plan, &b, 0, "outcome_payments", 0).iter().all(|&x| x == 0.0));
    }
}

/// Two strategies that are identical but for their ids save exactly zero in every run.
#[test]
fn identical_strategies_save_exactly_zero() {
    let extra = r#"
[[contract]]
id = "x"
form = "effort"
segments = ["a"]
duration_factor = { dist = "pert", min = 0.9, mode = 1.0, max = 1.2 }

[[contract]]
id = "y"
form = "effort"
segments = ["a"]
duration_factor = { dist = "pert", min = 0.9, mode = 1.0, max = 1.2 }

[[strategy]]
id = "x"
contracts = ["x"]
baseline = true

[[strategy]]
id = "y"
contracts = ["x"]
"#;
    let mut doc = fixtures::doc(&one_segment(12, "reentry_rate = 0.2", extra));
    fixtures::set(&mut doc, &["segment", "a", "incidence_per_1000"], value("{ dist = \"gamma\", mean = 10, sd = 2 }"));
    let (_, b) = summarise(&fixtures::text(&doc), 200);
    let nh = HORIZON.len();
    for r in &b.runs {
        assert_eq!(r.horizon[nh + Horizon::NpvSavingVsBaseline.index()], 0.0);
        assert_eq!(r.horizon[Horizon::NpvSpend.index()], r.horizon[nh + Horizon::NpvSpend.index()]);
        assert_eq!(r.horizon[Horizon::PCheapest.index()], 0.5, "a tie splits P(cheapest)");
    }
}

/// A run's results do not depend on the other runs in the batch or on the thread count.
#[test]
fn runs_are_independent_of_batch_and_threads() {
    let plan = contractsim::engine::Plan::new(scenario(&one_segment(12, "reentry_rate = 0.2", OUTPUT_ONLY)));
    let small = contractsim::engine::run_batch(
        &plan,
        &contractsim::engine::RunOptions { runs: 10, seed: 5, threads: 1 },
        &|| {},
    )
    .unwrap();
    let large = contractsim::engine::run_batch(
        &plan,
        &contractsim::engine::RunOptions { runs: 25, seed: 5, threads: 2 },
        &|| {},
    )
    .unwrap();
    let bits = |r: &contractsim::engine::RunRecord| -> Vec<u64> {
        r.yearly.iter().chain(&r.horizon).chain(&r.params).map(|x| x.to_bits()).collect()
    };
    for k in 0..10 {
        assert!(bits(&small.runs[k]) == bits(&large.runs[k]), "run {k} differs between batches");
    }
    let other_seed = contractsim::engine::run_batch(
        &plan,
        &contractsim::engine::RunOptions { runs: 10, seed: 6, threads: 2 },
        &|| {},
    )
    .unwrap();
    assert!(bits(&small.runs[3]) != bits(&other_seed.runs[3]), "another seed gives other numbers");
}

/// Break-even: a strategy that is cheaper every year breaks even in the start year; the
/// baseline has no break-even year.
#[test]
fn break_even_year_and_p_cheapest() {
    let extra = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "cheap"
form = "output"
segments = ["a"]
incidence_factor = 0.5

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "cheap"
contracts = ["cheap"]
"#;
    let (_, b) = summarise(&one_segment(12, "", extra), 100);
    let nh = HORIZON.len();
    for r in &b.runs {
        assert_eq!(r.horizon[nh + Horizon::BreakEvenYear.index()], 2025.0);
        assert_eq!(r.horizon[nh + Horizon::PBreakEven.index()], 1.0);
        assert!(r.horizon[Horizon::BreakEvenYear.index()].is_nan());
        assert_eq!(r.horizon[nh + Horizon::PCheapest.index()], 1.0);
        assert_eq!(r.horizon[nh + Horizon::PCheaperThanBaseline.index()], 1.0);
        assert!(r.horizon[nh + Horizon::NpvSavingVsBaseline.index()] > 0.0);
    }
}

/// The yearly comparisons: cumulative discounted saving is the running sum of discounted
/// spend differences, and P(cheapest so far) in the last year equals P(cheapest) overall.
#[test]
fn yearly_comparisons_add_up() {
    let extra = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "eff"
form = "effort"
segments = ["a"]
duration_factor = { dist = "uniform", min = 0.8, max = 1.2 }

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "eff"
contracts = ["eff"]
"#;
    let (plan, b) = summarise(&one_segment(4, "", extra), 50);
    let nh = HORIZON.len();
    for (r, run) in b.runs.iter().enumerate() {
        let mut cum = 0.0;
        for t in 0..12 {
            let d = yearly(&plan, &b, 0, "spend", t)[r] - yearly(&plan, &b, 1, "spend", t)[r];
            cum += d / 1.04f64.powi(t as i32);
            let got = yearly(&plan, &b, 1, "cumulative_saving", t)[r];
            assert!((got - cum).abs() < 1e-6 * cum.abs().max(1.0), "run {r} year {t}: {got} vs {cum}");
            assert_eq!(yearly(&plan, &b, 0, "cumulative_saving", t)[r], 0.0);
        }
        assert_eq!(yearly(&plan, &b, 1, "p_cheapest", 11)[r], run.horizon[nh + Horizon::PCheapest.index()]);
        assert!((run.horizon[nh + Horizon::NpvSavingVsBaseline.index()] - cum).abs() < 1e-6 * cum.abs().max(1.0));
    }
}

/// Segments that behave the same under two strategies share one simulated path; the
/// numbers are exactly those of the strategy simulated on its own.
#[test]
fn shared_paths_give_the_same_numbers_as_a_strategy_alone() {
    let body = |strategies: &str| {
        format!(
            r#"
[scenario]
name = "sharing"
start_year = 2025
horizon_years = 6
steps_per_year = 12
discount_rate = 0.03

[population]
youth = 20_000

[[segment]]
id = "a"
incidence_per_1000 = {{ dist = "gamma", mean = 10, sd = 1 }}
initial_caseload = 200
mean_duration_years = 1.0
cost_per_client_year = 5000
success_rate = 0.6
reentry_rate = 0.3
escalates_to = "b"
escalation_rate = 0.3

[[segment]]
id = "b"
incidence_per_1000 = 2
initial_caseload = 80
mean_duration_years = 2.0
cost_per_client_year = 20000
success_rate = 0.5

[[segment]]
id = "c"
incidence_per_1000 = 3
initial_caseload = 60
mean_duration_years = 1.0
cost_per_client_year = 8000
success_rate = 0.7
escalates_to = "b"
escalation_rate = 0.2

[[contract]]
id = "out"
form = "output"
segments = ["a", "b", "c"]

[[prevention]]
id = "p"
annual_cost = 50_000
targets = ["a"]
reach = {{ dist = "beta", mean = 0.3, sd = 0.05 }}
effect = 0.3
ramp_up_years = 1

{strategies}
"#
        )
    };
    let both = body(
        "[[strategy]]\nid = \"base\"\ncontracts = [\"out\"]\nbaseline = true\n\n[[strategy]]\nid = \"prev\"\ncontracts = [\"out\"]\nprevention = [\"p\"]\n",
    );
    let alone = body("[[strategy]]\nid = \"prev\"\ncontracts = [\"out\"]\nprevention = [\"p\"]\nbaseline = true\n");
    let (plan2, b2) = summarise(&both, 30);
    let (plan1, b1) = summarise(&alone, 30);
    // Every metric but the comparisons with the baseline (which differs).
    let own: Vec<&String> =
        plan1.layout.yearly.iter().filter(|m| *m != "cumulative_saving" && *m != "p_cheapest").collect();
    assert!(own.len() > 15);
    for m in own {
        for t in 0..6 {
            let x: Vec<u64> = yearly(&plan1, &b1, 0, m, t).iter().map(|v| v.to_bits()).collect();
            let y: Vec<u64> = yearly(&plan2, &b2, 1, m, t).iter().map(|v| v.to_bits()).collect();
            assert!(x == y, "{m} in year {t}: the prevention strategy differs when simulated next to the baseline");
        }
    }
    // And segment c, untouched by prevention, is identical under both strategies.
    let c0 = yearly(&plan2, &b2, 0, "caseload.c", 5);
    let c1 = yearly(&plan2, &b2, 1, "caseload.c", 5);
    assert_eq!(c0, c1);
    let b0 = yearly(&plan2, &b2, 0, "caseload.b", 5);
    let b1v = yearly(&plan2, &b2, 1, "caseload.b", 5);
    assert_ne!(b0, b1v, "b receives escalations from a, which prevention changes");
}

/// The finance view in a deterministic case: a task budget fixed for the horizon pays the
/// same in every run, so with a budget line below it the overrun of each year is known, the
/// reserve at any certainty is that overrun, and the period reserve is their sum.
#[test]
fn reserve_over_the_budget_period_is_the_sum_of_yearly_overruns() {
    let extra = r#"
[economy]
tariff_indexation = 0.02
budget_by_year = [1_900_000, 1_950_000, 2_000_000]
# Held against the budget line, not the lump sum it signed (the default for task
# strategies): this test is about summing the overruns of a line.
task_budget_line = "budget"
budget_growth = 0.01
budget_period_years = 4
certainty = [0.8, 0.9]
available_reserve = 500_000

[[contract]]
id = "task"
form = "task"
segments = ["a"]
period_years = 12
margin = 0.05

[[strategy]]
id = "base"
contracts = ["task"]
baseline = true
"#;
    let plan = contractsim::engine::Plan::new(scenario(&one_segment(12, "", extra)));
    let line = plan.scenario.budget_line.clone().unwrap();
    assert_eq!(line[..3], [1_900_000.0, 1_950_000.0, 2_000_000.0]);
    assert!((line[3] - 2_020_000.0).abs() < 1e-6, "after the list, the last year grows with budget_growth");
    let b = batch(&plan, 40, 3);
    let r = results(&plan, &b);
    let files = contractsim::report::render_all(&r, &[]).unwrap();
    let get = |name: &str| String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap();
    // Spend: 200 client-years × 10,000 × 1.05 × 1.02^t.
    let spend = |t: i32| 2_100_000.0 * 1.02f64.powi(t);
    let over: Vec<f64> = (0..4).map(|t| (spend(t) - line[t as usize]).max(0.0)).collect();
    let budget = get("budget.csv");
    let first = budget.lines().nth(1).unwrap();
    let cols: Vec<f64> = first.split(',').skip(2).map(|x| x.parse().unwrap()).collect();
    assert!((cols[0] - 1_900_000.0).abs() < 1e-6);
    assert!((cols[5] - over[0]).abs() < 1e-6, "expected overrun {}", cols[5]);
    assert_eq!(cols[6], 1.0, "P(overrun)");
    let total: f64 = over.iter().sum();
    let reserve = get("reserve.csv");
    let row = reserve.lines().find(|l| l.starts_with("base,2025,2028,0.9,")).expect("first period at 90%");
    let fields: Vec<&str> = row.split(',').collect();
    let need: f64 = fields[4].parse().unwrap();
    assert!((need - total).abs() < 1e-6 * total, "{need} vs {total}");
    let ratio: f64 = fields[6].parse().unwrap();
    assert!((ratio - 500_000.0 / total).abs() < 1e-9);
    assert_eq!(fields[7], contractsim::stats::reserve::RatioClass::of(500_000.0 / total).letter());
    // Rolling periods: 2025-2028 up to 2033-2036, at both certainties.
    assert_eq!(reserve.lines().count() - 1, 9 * 2);
    assert!(get("reserve_by_certainty.csv").contains("base,2025,2028,0.7,"));
}
