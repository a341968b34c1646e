//! Issue "capacity, rationing and waiting lists", point 5: a scenario without capacity or
//! rationing gives bit-for-bit the figures it gave before waiting lists existed.
//!
//! The digests below were computed from the engine of commit a4b0a59 (before waiting
//! lists), from the raw per-run values of [`Plan::run`]: the exact bits of every yearly
//! metric that existed then (by name, so that metrics added to the layout do not count)
//! and of every horizon metric that existed then, for runs 0..20 of every strategy.
//! Aggregated outputs (means, MCSE, percentiles) are not pinned: they may change for other
//! reasons.

use contractsim::engine::Plan;
use contractsim::metrics::{HORIZON, Yearly};
use contractsim::model::investor;
use contractsim::random::rng::mix64;

use crate::{common, fixtures};

const FRIESLAND: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/friesland_no_capacity.toml"));

/// The horizon metrics that existed before waiting lists, in their storage order.
const OLD_HORIZON: [&str; 18] = [
    "npv_spend",
    "total_spend",
    "npv_saving_vs_baseline",
    "p_cheaper_than_baseline",
    "p_cheapest",
    "break_even_year",
    "p_break_even",
    "cost_per_success",
    "total_successes",
    "total_starts",
    "p_provider_failure",
    "investor_irr",
    "investor_multiple",
    "p_investor_loss",
    "paid_for_luck_share",
    "investor_mirr",
    "npv_societal_benefit",
    "npv_societal_net",
];

/// The yearly metrics of the Friesland fixture before waiting lists (its layout then).
fn old_yearly(plan: &Plan) -> Vec<String> {
    let base = [
        "spend",
        "care_payments",
        "outcome_payments",
        "prevention_cost",
        "admin_cost",
        "provider_cost",
        "provider_result",
        "caseload",
        "client_years",
        "starts",
        "referrals",
        "prevented",
        "successes",
        "spend_real",
        "cumulative_saving",
        "p_cheapest",
        "provider_reserves_min",
        "provider_failures",
        "risk_sharing_transfer",
        "failure_cost",
        "emergency_premium",
        "investor_payments",
        "investor_cost",
        "provider_failed_so_far",
        "exits",
        "budget_overrun",
    ];
    let mut out: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    for prefix in ["caseload", "starts"] {
        out.extend(plan.scenario.segments.iter().map(|g| format!("{prefix}.{}", g.id)));
    }
    out
}

/// The investor's IRR and MIRR as computed when the digests were pinned, from a run's
/// yearly investor flows: since issue 15 ("answers that are true") the engine leaves the
/// IRR empty unless the flows start with an outlay and change sign once, and takes the
/// MIRR over gross outlays and payments. The digest eats these recomputed old figures in
/// their place, so that every other figure must keep its bits.
fn old_irr_mirr(plan: &Plan, r: &contractsim::engine::RunRecord, k: usize) -> (f64, f64) {
    let lay = &plan.layout;
    let per = lay.yearly_len();
    let at = |m: Yearly, t: usize| r.yearly[k * per + lay.at(m, t)];
    let invested: f64 = (0..lay.years).map(|t| at(Yearly::InvestorCost, t)).sum();
    if invested <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let flows: Vec<f64> =
        (0..lay.years).map(|t| at(Yearly::InvestorPayments, t) - at(Yearly::InvestorCost, t)).collect();
    let rate = plan.scenario.discount_rate;
    let mirr = {
        let Some(n) = flows.iter().rposition(|f| *f != 0.0) else { return (investor::irr(&flows), f64::NAN) };
        let pv_out: f64 =
            flows.iter().enumerate().filter(|(_, f)| **f < 0.0).map(|(t, f)| -f / (1.0 + rate).powi(t as i32)).sum();
        let fv_in: f64 = flows
            .iter()
            .enumerate()
            .filter(|(_, f)| **f > 0.0)
            .map(|(t, f)| f * (1.0 + rate).powi((n - t) as i32))
            .sum();
        if pv_out == 0.0 {
            f64::NAN
        } else if fv_in == 0.0 {
            -1.0
        } else if n == 0 {
            fv_in / pv_out - 1.0
        } else {
            (fv_in / pv_out).powf(1.0 / n as f64) - 1.0
        }
    };
    (investor::irr(&flows), mirr)
}

/// The fixture with the keys of issue 15 that change results set to the behaviour of
/// before: no minimum emergency premium, investor payments in nominal euros, and task
/// strategies held against the scenario's budget line.
fn as_before(text: &str) -> String {
    let mut doc = fixtures::doc(text);
    fixtures::add(&mut doc, &["provider", "emergency_premium_min_years"], 0);
    fixtures::add(&mut doc, &["prevention", "front_sib", "payment_indexed"], false);
    fixtures::add(&mut doc, &["economy", "task_budget_line"], "budget");
    fixtures::text(&doc)
}

/// A digest of the exact bits of the old metrics of runs 0..20, strategy by strategy,
/// and the bits of run 0's `npv_spend` of the first strategy, for a readable failure.
fn digest(text: &str) -> (u64, u64, f64) {
    let plan = Plan::new(common::scenario(&as_before(text)));
    let names = old_yearly(&plan);
    let per = plan.layout.yearly_len();
    let years = plan.layout.years;
    let mut acc = 0x1234_5678_9abc_def0u64;
    let mut eat = |x: f64| acc = mix64(acc ^ x.to_bits()).wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut first = f64::NAN;
    for run in 0..20 {
        let r = plan.run(plan.scenario.seed, run);
        for k in 0..plan.strategies() {
            for name in &names {
                let m = plan.layout.yearly.iter().position(|n| n == name);
                let m = m.unwrap_or_else(|| panic!("metric {name} missing from the layout"));
                for t in 0..years {
                    eat(r.yearly[k * per + plan.layout.at_index(m, t)]);
                }
            }
            for (i, name) in OLD_HORIZON.iter().enumerate() {
                assert_eq!(HORIZON[i], *name, "horizon metric {i} moved");
                let (irr, mirr) = old_irr_mirr(&plan, &r, k);
                eat(match *name {
                    "investor_irr" => irr,
                    "investor_mirr" => mirr,
                    _ => r.horizon[k * HORIZON.len() + i],
                });
            }
        }
        if run == 0 {
            first = r.horizon[0];
        }
    }
    (acc, first.to_bits(), first)
}

#[test]
fn friesland_without_capacity_is_unchanged_bit_for_bit() {
    let (d, bits, npv) = digest(FRIESLAND);
    println!("monthly: digest {d:#018x}, npv_spend run 0 {bits:#018x} ({npv})");
    assert_eq!(bits, PINNED_MONTHLY.1, "npv_spend of run 0, strategy 0 changed: {npv}");
    assert_eq!(d, PINNED_MONTHLY.0, "a figure of a scenario without capacity changed");
}

#[test]
fn quarterly_friesland_without_capacity_is_unchanged_bit_for_bit() {
    let mut doc = fixtures::doc(FRIESLAND);
    fixtures::set(&mut doc, &["scenario", "steps_per_year"], 4);
    let (d, bits, npv) = digest(&fixtures::text(&doc));
    println!("quarterly: digest {d:#018x}, npv_spend run 0 {bits:#018x} ({npv})");
    assert_eq!(bits, PINNED_QUARTERLY.1, "npv_spend of run 0, strategy 0 changed: {npv}");
    assert_eq!(d, PINNED_QUARTERLY.0, "a figure of a scenario without capacity changed");
}

/// (digest, bits of run 0's npv_spend). Pinned at commit a4b0a59 as (0x61b4_fc8d_696d_9027,
/// 0x41e0_7f70_dce2_754a) monthly and (0xf80d_aa2a_9ef9_6c03, 0x41e0_3d39_6d68_5156)
/// quarterly; pinned again when the engine's mathematics moved to src/math.rs (the libm
/// crate in place of the C library, docs/model.md section 1), which changed the last bits:
/// run 0's npv_spend by 10 and 10 units in the last place (2214299367.0768223 and
/// 2179582827.2599335 euros). Nothing else may move them.
const PINNED_MONTHLY: (u64, u64) = (0x342c_2aa1_ced9_fe46, 0x41e0_7f70_dce2_7554);
const PINNED_QUARTERLY: (u64, u64) = (0x966c_3449_8121_c35d, 0x41e0_3d39_6d68_5160);
