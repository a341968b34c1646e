//! Capacity, rationing and waiting lists (MODEL.md 5b) against answers known in closed
//! form or by hand. Stochastic checks use four Monte Carlo standard errors computed from
//! the runs themselves (a correct engine fails one with probability about 6 in 100,000).

mod common;

use common::*;
use contractsim::engine::HORIZON;
use contractsim::engine::metrics::{WEEKS_PER_YEAR, h};

/// One segment with `λ` referrals a year (`incidence` per 1000 of 100,000 youths), mean
/// stay `d`, `C` places under an output contract, drop-out `δ` and escalation `η` per
/// year of waiting (escalating to a second, unlimited segment "b" without referrals).
fn queue_scenario(spy: usize, lambda: f64, d: f64, capacity: u32, dropout: f64, escalation: f64) -> String {
    let incidence = lambda / 100.0;
    format!(
        r#"
[scenario]
name = "queue"
start_year = 2025
horizon_years = 10
steps_per_year = {spy}
discount_rate = 0.0
waiting_norm_weeks = 8

[population]
youth = 100_000

[[segment]]
id = "a"
incidence_per_1000 = {incidence}
initial_caseload = {capacity}
mean_duration_years = {d}
cost_per_client_year = 10_000
success_rate = 1.0
escalates_to = "b"
escalation_while_waiting_rate = {escalation}
waiting_dropout_rate = {dropout}

[[segment]]
id = "b"
incidence_per_1000 = 0
initial_caseload = 0
mean_duration_years = 1.0
cost_per_client_year = 50_000
success_rate = 1.0

[[contract]]
id = "places"
form = "output"
segments = ["a", "b"]
capacity = {{ a = {capacity} }}

[[contract]]
id = "open"
form = "output"
segments = ["a", "b"]

[[strategy]]
id = "open"
contracts = ["open"]
baseline = true

[[strategy]]
id = "places"
contracts = ["places"]
"#
    )
}

/// Per-run means over years `from..10` of yearly metric `name` of strategy `k`.
fn late_mean(
    plan: &contractsim::engine::Plan,
    b: &contractsim::engine::Batch,
    k: usize,
    name: &str,
    from: usize,
) -> Vec<f64> {
    let n = b.runs.len();
    let mut out = vec![0.0; n];
    for t in from..10 {
        for (o, v) in out.iter_mut().zip(yearly(plan, b, k, name, t)) {
            *o += v / (10 - from) as f64;
        }
    }
    out
}

/// The M/M/C-style hand case in overload: C = 150 places with mean stay d = 0.25 years
/// admit C/d = 600 clients a year; arrivals λ = 1000 a year and drop-out δ = 2 a year
/// give a queue of (λ − C/d)/δ = 200 (dQ/dt = λ − C/d − δQ = 0); and the FIFO wait of
/// an admitted client w solves: the Q clients ahead leave by admission (rate C/d) and by
/// drop-out of those still ahead (n' = −C/d − δ n), so w = ln(λ d / C) / δ = 0.2554 years
/// = 13.3 weeks. At 1, 4 and 12 steps a year alike.
#[test]
fn overloaded_queue_matches_the_continuous_time_answer_at_every_step_length() {
    let (lambda, d, c, delta) = (1000.0, 0.25, 150u32, 2.0);
    let mu = c as f64 / d;
    let queue = (lambda - mu) / delta;
    let wait_weeks = (lambda / mu).ln() / delta * WEEKS_PER_YEAR;
    for spy in [1, 4, 12] {
        let (plan, b) = summarise(&queue_scenario(spy, lambda, d, c, delta, 0.0), 400);
        let q = late_mean(&plan, &b, 1, "waiting", 4);
        let adm = late_mean(&plan, &b, 1, "admissions", 4);
        let w = late_mean(&plan, &b, 1, "waiting_weeks_mean", 4);
        let drop = late_mean(&plan, &b, 1, "dropouts_from_waiting", 4);
        let (qm, qs) = mean_se(&q);
        let (am, as_) = mean_se(&adm);
        let (wm, ws) = mean_se(&w);
        let (dm, ds) = mean_se(&drop);
        println!(
            "spy {spy}: queue {qm:.2} ± {qs:.2} (closed form {queue}), admissions {am:.1} ± {as_:.1} ({mu}), wait {wm:.3} ± {ws:.3} weeks ({wait_weeks:.3}), drop-outs {dm:.1} ± {ds:.1} ({})",
            lambda - mu
        );
        assert_mean(&q, queue, &format!("queue, {spy} steps"));
        assert_mean(&adm, mu, &format!("admissions, {spy} steps"));
        assert_mean(&drop, lambda - mu, &format!("drop-outs, {spy} steps"));
        assert_mean(&w, wait_weeks, &format!("wait, {spy} steps"));
        // The open strategy has no waiting list at all.
        assert!(yearly(&plan, &b, 0, "waiting", 5).iter().all(|&x| x == 0.0));
    }
}
