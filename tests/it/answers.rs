//! Issue 15, "answers that are true", the engine side: money counted whole, the advance on
//! outcome payments, the budget line of a lump sum, the societal view of every party, the
//! investor's returns, court-ordered care that may not wait, and the behaviour-neutral
//! twin; each against a hand-worked case or an identity that holds in every run.

use std::path::Path;

use crate::common::{batch, one_segment, scenario, summarise, yearly};
use crate::fixtures;
use contractsim::engine::{Batch, Plan};
use contractsim::metrics::{HORIZON, Horizon, Yearly};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn horizon(b: &Batch, k: usize, m: Horizon) -> Vec<f64> {
    b.runs.iter().map(|r| r.horizon[k * HORIZON.len() + m.index()]).collect()
}

/// The components of spend, as `docs/model.md` section 6 lists them.
const COMPONENTS: [Yearly; 9] = [
    Yearly::CarePayments,
    Yearly::OutcomePayments,
    Yearly::OutcomeAdvance,
    Yearly::EmergencyPremium,
    Yearly::RiskSharingTransfer,
    Yearly::InvestorPayments,
    Yearly::PreventionCost,
    Yearly::AdminCost,
    Yearly::FailureCost,
];

/// Point 1: in every shipped scenario, every strategy, year and run, spend is the sum of
/// its components to floating-point accuracy (short runs: three runs of each).
#[test]
fn spend_is_the_sum_of_its_components_in_every_shipped_scenario() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let plan = Plan::new(contractsim::scenario::load(&path).unwrap());
        let lay = &plan.layout;
        let per = lay.yearly_len();
        for run in 0..3 {
            let r = plan.run(plan.scenario.seed, run);
            for k in 0..plan.strategies() {
                for t in 0..lay.years {
                    let at = |m: Yearly| r.yearly[k * per + lay.at(m, t)];
                    let sum: f64 = COMPONENTS.iter().map(|&m| at(m)).sum();
                    let spend = at(Yearly::Spend);
                    assert!(
                        (spend - sum).abs() <= 1e-9 * spend.abs().max(1.0),
                        "{}: strategy {k} year {t} run {run}: spend {spend} vs components {sum}",
                        path.display()
                    );
                    assert!(close(
                        at(Yearly::FailureCostWithPremium),
                        at(Yearly::FailureCost) + at(Yearly::EmergencyPremium)
                    ));
                }
            }
        }
    }
}

const OUTCOME: &str = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "res"
form = "outcome"
segments = ["a"]
period_years = 3
base_share = 0.8
outcome_payment = 4_000
follow_up_years = 0.5

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "res"
contracts = ["res"]
"#;

/// Point 3: the advance. One segment, 200 clients at the start, mean stay 2 years, success
/// rate 0.6, EUR 4,000 per success: a year's expected outcome payments at signing are
/// 200 / 2 × 0.6 × 4,000 = EUR 240,000; with `advance_share = 0.5` the advance is EUR
/// 120,000, paid in year 0 and settled (−120,000) in year 3, the first of the second
/// period; providers receive it. `advance_share = 0` changes not one bit.
#[test]
fn the_advance_on_outcome_payments_by_hand() {
    let plain = one_segment(12, "", OUTCOME);
    let mut doc = fixtures::doc(&plain);
    fixtures::add(&mut doc, &["contract", "res", "advance_share"], 0.5);
    let (plan, b) = summarise(&fixtures::text(&doc), 8);
    for t in 0..plan.layout.years {
        let advance = yearly(&plan, &b, 1, "outcome_advance", t);
        let expected = match t {
            0 => 120_000.0,
            3 => -120_000.0,
            _ => 0.0,
        };
        assert!(advance.iter().all(|&a| close(a, expected)), "year {t}: {advance:?}");
    }
    // Spend and the providers' result move by the advance, nothing else does.
    let (plan0, b0) = summarise(&plain, 8);
    for t in [0, 1, 3] {
        let (s1, s0) = (yearly(&plan, &b, 1, "spend", t), yearly(&plan0, &b0, 1, "spend", t));
        let (p1, p0) = (yearly(&plan, &b, 1, "provider_result", t), yearly(&plan0, &b0, 1, "provider_result", t));
        let a = yearly(&plan, &b, 1, "outcome_advance", t);
        for r in 0..8 {
            assert!(close(s1[r] - s0[r], a[r]), "spend, year {t}");
            assert!((p1[r] - p0[r] - a[r]).abs() < 1e-6, "provider result, year {t}");
        }
    }
    // advance_share = 0 is the contract of before, bit for bit.
    let mut zero = fixtures::doc(&plain);
    fixtures::add(&mut zero, &["contract", "res", "advance_share"], 0.0);
    let (_, bz) = summarise(&fixtures::text(&zero), 8);
    assert!(same_bits(&bz, &b0), "advance_share = 0 changed a figure");
}

/// Whether two batches have the same bits in every figure (NaN equal to NaN).
fn same_bits(a: &Batch, b: &Batch) -> bool {
    let bits = |x: &[f64]| x.iter().map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() }).collect::<Vec<_>>();
    a.runs.len() == b.runs.len()
        && a.runs
            .iter()
            .zip(&b.runs)
            .all(|(x, y)| bits(&x.yearly) == bits(&y.yearly) && bits(&x.horizon) == bits(&y.horizon))
}

const TASK: &str = r#"
[economy]
budget = 1_000_000

[[contract]]
id = "out"
form = "output"
segments = ["a"]
margin = 0.03

[[contract]]
id = "task"
form = "task"
segments = ["a"]
period_years = 4
margin = 0.03
admin_cost_rate = 0.015

[provider]
cost_noise_sd = 0.03
efficiency = { dist = "normal", mean = 1.0, sd = 0.03, min = 0.9, max = 1.1 }
reserves_share = 0.1

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "task"
contracts = ["task"]
"#;

/// Point 6: a strategy of task contracts is held against the lump sum it signed: in year 0
/// its line is the lump sum plus the administration on it (1.015 × lump sum, in cents rounded
/// up), so
/// spend exceeds the line only when something beyond the lump sum is paid (no failures
/// here: no overrun at all in year 0), while the output strategy keeps the budget line.
#[test]
fn a_lump_sum_is_held_against_the_sum_signed() {
    let (plan, b) = summarise(&one_segment(12, "", TASK), 10);
    let line = plan.budget_line(1).unwrap().to_vec();
    let care0 = yearly(&plan, &b, 1, "care_payments", 0);
    assert!(care0.iter().all(|&c| c == care0[0]), "the lump sum of year 0 is the sum signed");
    let signed = care0[0] * 1.015;
    assert!(line[0] >= signed && line[0] - signed < 0.01 + 1e-9 * signed, "{} vs {signed}", line[0]);
    assert_eq!(plan.budget_line(0).unwrap()[0], 1_000_000.0);
    assert!(yearly(&plan, &b, 1, "budget_overrun", 0).iter().all(|&o| o == 0.0));
    // `task_budget_line = "budget"`: the scenario's line, as before.
    let mut doc = fixtures::doc(&one_segment(12, "", TASK));
    fixtures::add(&mut doc, &["economy", "task_budget_line"], "budget");
    let plan = Plan::new(fixtures::scenario(&doc));
    assert_eq!(plan.budget_line(1).unwrap()[0], 1_000_000.0);
}

fn programmes(partner_share: f64) -> String {
    format!(
        r#"
[economy]
cost_inflation = 0.02

[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[prevention]]
id = "own"
annual_cost = 100_000
targets = ["a"]
reach = 0.5
effect = 0.2
partner_share = {partner_share}

[[prevention]]
id = "sib"
annual_cost = 100_000
targets = ["a"]
reach = 0.5
effect = 0.2
partner_share = {partner_share}
financing = "investor"
payment_per_prevented_start = 9_000

[[societal_benefit]]
id = "family"
value_per_event = 1_000
follows = "a"

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "own"
contracts = ["out"]
prevention = ["own"]

[[strategy]]
id = "sib"
contracts = ["out"]
prevention = ["sib"]
"#
    )
}

/// Point 5: the same programme paid by the municipality or by an investor has the same
/// societal net, run by run (financing is a transfer; fixed reach and effect, so both see
/// the same prevented starts by common random numbers), though the municipal saving
/// differs. Partners' costs (`partner_share = 0.5`: as much again as `annual_cost`,
/// 100,000 × 1.02^t) lower the societal net by their present value, and never spend.
#[test]
fn the_societal_net_counts_every_party_and_not_who_finances() {
    let plan = Plan::new(scenario(&one_segment(12, "", &programmes(0.5))));
    let b = batch(&plan, 10, 3);
    let own = horizon(&b, 1, Horizon::NpvSocietalNet);
    let sib = horizon(&b, 2, Horizon::NpvSocietalNet);
    let saving = |k| horizon(&b, k, Horizon::NpvSavingVsBaseline);
    let (s_own, s_sib) = (saving(1), saving(2));
    assert!((0..10).any(|r| (s_own[r] - s_sib[r]).abs() > 1.0), "the municipal savings differ");
    let pv_partner: f64 = (0..12).map(|t| 100_000.0 * 1.02f64.powi(t) / 1.04f64.powi(t)).sum();
    let benefit = horizon(&b, 1, Horizon::NpvSocietalBenefit);
    for r in 0..10 {
        assert!((own[r] - sib[r]).abs() < 1e-6 * own[r].abs().max(1.0), "run {r}: {} vs {}", own[r], sib[r]);
        assert!((own[r] - (s_own[r] + benefit[r] - pv_partner)).abs() < 1e-6 * pv_partner, "run {r}");
    }
    let partner = yearly(&plan, &b, 1, "partner_cost", 2);
    assert!(partner.iter().all(|&p| close(p, 100_000.0 * 1.0404)));
    // Spend is the same with or without partners.
    let plan0 = Plan::new(scenario(&one_segment(12, "", &programmes(0.0))));
    let b0 = batch(&plan0, 10, 3);
    for k in 0..3 {
        assert_eq!(horizon(&b, k, Horizon::NpvSpend), horizon(&b0, k, Horizon::NpvSpend));
    }
}

/// Point 4: the investor's figures on the shipped Friesland scenario: every run of the
/// investor strategy has an IRR or exactly one recorded reason for none, an IRR only with
/// flows that start with an outlay and change sign once, and an MIRR above -100% whenever
/// anything was paid back.
#[test]
fn investor_irr_has_a_reason_when_it_is_empty() {
    let plan = Plan::new(contractsim::scenario::load(Path::new("scenarios/friesland.toml")).unwrap());
    let k = plan.scenario.strategies.iter().position(|s| s.id == "prevention_investor").unwrap();
    let lay = &plan.layout;
    let per = lay.yearly_len();
    for run in 0..4 {
        let r = plan.run(plan.scenario.seed, run);
        let h = |m: Horizon| r.horizon[k * HORIZON.len() + m.index()];
        let reasons = h(Horizon::InvestorIrrNonePaymentsFirst)
            + h(Horizon::InvestorIrrNoneNoSignChange)
            + h(Horizon::InvestorIrrNoneSeveralSignChanges);
        assert_eq!(reasons + if h(Horizon::InvestorIrr).is_nan() { 0.0 } else { 1.0 }, 1.0, "run {run}");
        let flows: Vec<f64> = (0..lay.years)
            .map(|t| {
                r.yearly[k * per + lay.at(Yearly::InvestorPayments, t)]
                    - r.yearly[k * per + lay.at(Yearly::InvestorCost, t)]
            })
            .collect();
        let first = flows.iter().find(|f| **f != 0.0).copied().unwrap_or(0.0);
        if first > 0.0 {
            assert_eq!(h(Horizon::InvestorIrrNonePaymentsFirst), 1.0, "run {run}: {flows:?}");
        }
        let paid: f64 = (0..lay.years).map(|t| r.yearly[k * per + lay.at(Yearly::InvestorPayments, t)]).sum();
        if paid > 0.0 {
            assert!(h(Horizon::InvestorMirr) > -1.0, "run {run}");
        }
        // The other strategies have no investor: all empty.
        assert!(r.horizon[Horizon::InvestorIrrNoneNoSignChange.index()].is_nan());
    }
}

/// Point 4(c, d): payments per prevented start are indexed with cost inflation by default
/// (2% here: year 3 pays 1.02³ times the nominal amount per start), and a return cap of 0%
/// a year limits cumulative payments to the outlay.
#[test]
fn investor_payments_are_indexed_and_capped() {
    let text = one_segment(12, "", &programmes(0.0));
    let mut nominal = fixtures::doc(&text);
    fixtures::add(&mut nominal, &["prevention", "sib", "payment_indexed"], false);
    let plan_i = Plan::new(scenario(&text));
    let plan_n = Plan::new(fixtures::scenario(&nominal));
    let (bi, bn) = (batch(&plan_i, 6, 5), batch(&plan_n, 6, 5));
    for t in 0..12 {
        let (pi, pn) =
            (yearly(&plan_i, &bi, 2, "investor_payments", t), yearly(&plan_n, &bn, 2, "investor_payments", t));
        for r in 0..6 {
            assert!(close(pi[r], pn[r] * 1.02f64.powi(t as i32)), "year {t} run {r}");
        }
    }
    let mut capped = fixtures::doc(&text);
    fixtures::add(&mut capped, &["prevention", "sib", "max_return_per_year"], 0.0);
    let plan = Plan::new(fixtures::scenario(&capped));
    let b = batch(&plan, 6, 5);
    for r in &b.runs {
        let per = plan.layout.yearly_len();
        let (mut paid, mut spent) = (0.0, 0.0);
        for t in 0..12 {
            paid += r.yearly[2 * per + plan.layout.at(Yearly::InvestorPayments, t)];
            spent += r.yearly[2 * per + plan.layout.at(Yearly::InvestorCost, t)];
            assert!(paid <= spent * (1.0 + 1e-12), "year {t}: paid {paid} > outlay {spent}");
        }
        assert!(r.horizon[2 * HORIZON.len() + Horizon::InvestorMultiple.index()] <= 1.0 + 1e-12);
    }
}

/// Point 7: a lot that rations or caps the places of a court-ordered segment is refused,
/// at the key, naming the segment.
#[test]
fn court_ordered_care_may_not_wait() {
    let text = one_segment(
        12,
        "court_ordered = true",
        r#"
[[contract]]
id = "task"
form = "task"
segments = ["a"]
rationing = true

[[strategy]]
id = "base"
contracts = ["task"]
baseline = true
"#,
    );
    let err = contractsim::scenario::parse_str(&text, Path::new("t.toml")).unwrap_err().to_string();
    assert!(err.contains("contract.task.rationing") && err.contains("court-ordered segment \"a\""), "{err}");
    let capped = text.replace("rationing = true", "capacity = { a = 100 }");
    let err = contractsim::scenario::parse_str(&capped, Path::new("t.toml")).unwrap_err().to_string();
    assert!(err.contains("contract.task.capacity.a") && err.contains("court-ordered segment \"a\""), "{err}");
    // Without rationing or capacity it is an ordinary segment.
    let plain = text.replace("rationing = true", "");
    assert!(contractsim::scenario::parse_str(&plain, Path::new("t.toml")).is_ok());
}

const TWINS: &str = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "task"
form = "task"
segments = ["a"]
period_years = 4
incidence_factor = { dist = "pert", min = 0.8, mode = 0.9, max = 1.0 }
duration_factor = { dist = "pert", min = 0.8, mode = 0.9, max = 1.0 }
success_factor = 1.1

[[contract]]
id = "task_plain"
form = "task"
segments = ["a"]
period_years = 4

[provider]
cost_noise_sd = 0.03
efficiency = { dist = "normal", mean = 1.0, sd = 0.03, min = 0.9, max = 1.1 }

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "plain"
contracts = ["task_plain"]
"#;

/// Point 8: the behaviour-neutral twin of a strategy with factors is, run by run and bit
/// for bit, the same scenario with those factors set to 1 (it sees exactly its strategy's
/// random numbers but the factors), and the other strategies keep every bit. A strategy
/// without factors is its own twin: its column equals the ordinary saving.
#[test]
fn the_behaviour_neutral_twin_sees_the_same_numbers() {
    let text = format!("{}\n[[strategy]]\nid = \"task\"\ncontracts = [\"task\"]\n", one_segment(12, "", TWINS));
    let plan = Plan::new(scenario(&text));
    let b = batch(&plan, 8, 9);
    let mut neutral = fixtures::doc(&text);
    for key in ["incidence_factor", "duration_factor", "success_factor"] {
        fixtures::set(&mut neutral, &["contract", "task", key], 1.0);
    }
    let plan1 = Plan::new(fixtures::scenario(&neutral));
    let b1 = batch(&plan1, 8, 9);
    let twin = horizon(&b, 2, Horizon::NpvSpendBehaviourNeutral);
    assert_eq!(twin, horizon(&b1, 2, Horizon::NpvSpend), "the twin is the strategy with its factors at 1");
    assert_ne!(horizon(&b, 2, Horizon::NpvSpend), twin, "the factors matter");
    let base = horizon(&b, 0, Horizon::NpvSpend);
    let neutral_saving = horizon(&b, 2, Horizon::NpvSavingBehaviourNeutral);
    for r in 0..8 {
        assert_eq!(neutral_saving[r], base[r] - twin[r]);
    }
    // Without factors the twin is the strategy itself.
    let h1 = |k, m| horizon(&b1, k, m);
    for k in 0..3 {
        assert_eq!(h1(k, Horizon::NpvSavingBehaviourNeutral), h1(k, Horizon::NpvSavingVsBaseline));
    }
    // The baseline and `plain` keep every bit of every figure but those that compare all
    // strategies (cheapest), whether `task` has factors (and a twin) or not.
    let per = plan.layout.yearly_len();
    for (r, r1) in b.runs.iter().zip(&b1.runs) {
        for k in 0..2 {
            for m in Yearly::ALL.into_iter().filter(|m| *m != Yearly::PCheapest) {
                for t in 0..plan.layout.years {
                    let i = k * per + plan.layout.at(m, t);
                    let (a, z) = (r.yearly[i], r1.yearly[i]);
                    assert!(a.to_bits() == z.to_bits() || (a.is_nan() && z.is_nan()), "{m:?} year {t}: {a} vs {z}");
                }
            }
            for m in Horizon::ALL.into_iter().filter(|m| *m != Horizon::PCheapest) {
                let (a, z) = (r.horizon_of(k, m), r1.horizon_of(k, m));
                assert!(a.to_bits() == z.to_bits() || (a.is_nan() && z.is_nan()), "{m:?}: {a} vs {z}");
            }
        }
    }
}
