//! Capacity, rationing and waiting lists (docs/model.md section 11) against answers known in closed
//! form or by hand. Stochastic checks use four Monte Carlo standard errors computed from
//! the runs themselves (a correct engine fails one with probability about 6 in 100,000).

use crate::common::*;
use crate::fixtures;
use contractsim::metrics::{HORIZON, Horizon, WEEKS_PER_YEAR};

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

/// Escalation while waiting competes with drop-out: with δ = 1.5 and η = 0.5 a year the
/// queue is (λ − C/d)/(δ + η) = 200, of whom δQ = 300 drop out and ηQ = 100 escalate a
/// year; the escalated start in segment "b" (which has no referrals of its own), as
/// ordinary escalations do.
#[test]
fn escalation_while_waiting_splits_the_leavers_and_starts_in_the_heavier_segment() {
    let (lambda, d, c) = (1000.0, 0.25, 150u32);
    for spy in [1, 12] {
        let (plan, b) = summarise(&queue_scenario(spy, lambda, d, c, 1.5, 0.5), 400);
        let q = late_mean(&plan, &b, 1, "waiting", 4);
        let esc = late_mean(&plan, &b, 1, "escalations_from_waiting", 4);
        let drop = late_mean(&plan, &b, 1, "dropouts_from_waiting", 4);
        let starts_b = late_mean(&plan, &b, 1, "starts.b", 4);
        println!(
            "spy {spy}: queue {:?}, escalations {:?}, drop-outs {:?}, starts in b {:?}",
            mean_se(&q),
            mean_se(&esc),
            mean_se(&drop),
            mean_se(&starts_b)
        );
        assert_mean(&q, 200.0, &format!("queue, {spy} steps"));
        assert_mean(&esc, 100.0, &format!("escalations from waiting, {spy} steps"));
        assert_mean(&drop, 300.0, &format!("drop-outs, {spy} steps"));
        assert_mean(&starts_b, 100.0, &format!("starts in the heavier segment, {spy} steps"));
    }
}

/// Little's law on the queue, tested with no drop-out or escalation (δ = η = 0), so that
/// everyone who joins the list is admitted: mean queue = admissions a year × mean wait.
/// The queue is stable and quick to settle (C = 20 places, d = 0.25: C/d = 80 > λ = 72), so its start- and end-of-year lengths have
/// the same expectation and the law holds for the yearly means. The per-run difference
/// `waiting − admissions × wait` is tested to be 0 within four Monte Carlo standard errors;
/// its size is also compared with the queue itself.
#[test]
fn littles_law_holds_on_the_queue() {
    for spy in [4, 12] {
        let (plan, b) = summarise(&queue_scenario(spy, 72.0, 0.25, 20, 0.0, 0.0), 2000);
        let mut diff = Vec::new();
        let mut queue = Vec::new();
        for t in 2..10 {
            let q = yearly(&plan, &b, 1, "waiting", t);
            let a = yearly(&plan, &b, 1, "admissions", t);
            let w = yearly(&plan, &b, 1, "waiting_weeks_mean", t);
            for i in 0..q.len() {
                diff.push(q[i] - a[i] * w[i] / WEEKS_PER_YEAR);
                queue.push(q[i]);
            }
        }
        let (dm, ds) = mean_se(&diff);
        let (qm, _) = mean_se(&queue);
        println!("spy {spy}: mean queue {qm:.3}, queue − admissions × wait {dm:.4} ± {ds:.4}");
        assert!(qm > 1.0, "the test needs a queue: {qm}");
        assert!(dm.abs() < 4.0 * ds.max(1e-9), "Little's law: {dm} ± {ds} (queue {qm})");
    }
}

/// Segment paths are shared between strategies only when nothing differs: a segment
/// under a capacity-limited contract is not the same path as without, and the horizon
/// metrics of the open strategy are those of the same scenario without the limited one.
#[test]
fn capacity_is_part_of_path_sharing() {
    let text = queue_scenario(12, 1000.0, 0.25, 150, 2.0, 0.0);
    let plan = contractsim::engine::Plan::new(scenario(&text));
    let r = plan.run(7, 3);
    let per = plan.layout.yearly_len();
    let m = metric(&plan, "caseload.a");
    let open = r.yearly[plan.layout.at_index(m, 9)];
    let limited = r.yearly[per + plan.layout.at_index(m, 9)];
    assert!(limited <= 150.0 && open > 200.0, "open {open}, limited {limited}");
    // The open strategy alone gives the same figures bit for bit (common random numbers).
    let mut alone = fixtures::doc(&text);
    fixtures::remove(&mut alone, &["strategy", "places"]);
    let plan2 = contractsim::engine::Plan::new(fixtures::scenario(&alone));
    let r2 = plan2.run(7, 3);
    for name in ["spend", "caseload", "starts", "exits", "client_years", "caseload.a", "starts.b", "waiting"] {
        let (m1, m2) = (metric(&plan, name), metric(&plan2, name));
        for t in 0..10 {
            let (a, b) = (r.yearly[plan.layout.at_index(m1, t)], r2.yearly[plan2.layout.at_index(m2, t)]);
            assert_eq!(a.to_bits(), b.to_bits(), "{name} in year {t}: {a} vs {b}");
        }
    }
    assert_eq!(r.horizon[Horizon::NpvSpend.index()].to_bits(), r2.horizon[Horizon::NpvSpend.index()].to_bits());
    assert_eq!(r.horizon[Horizon::WaitingMean.index()], 0.0);
    assert!(r.horizon[HORIZON.len() + Horizon::WaitingMean.index()] > 100.0);
}

/// The summary share of admissions that waited over the norm (8 weeks here) is between 0
/// and 1 and, in the overloaded hand case where nearly every admitted client waited about
/// 13 weeks, close to 1; without capacity, 0.
#[test]
fn share_over_the_norm() {
    let (plan, b) = summarise(&queue_scenario(12, 1000.0, 0.25, 150, 2.0, 0.0), 100);
    let share: Vec<f64> =
        b.runs.iter().map(|r| r.horizon[HORIZON.len() + Horizon::ShareWaitedOverNorm.index()]).collect();
    let open: Vec<f64> = b.runs.iter().map(|r| r.horizon[Horizon::ShareWaitedOverNorm.index()]).collect();
    let (m, _) = mean_se(&share);
    assert!(m > 0.8 && m <= 1.0, "share over the norm {m}");
    assert!(open.iter().all(|&x| x == 0.0));
    let p90 = late_mean(&plan, &b, 1, "waiting_weeks_p90", 4);
    let mean = late_mean(&plan, &b, 1, "waiting_weeks_mean", 4);
    assert!(mean_se(&p90).0 > mean_se(&mean).0, "p90 above the mean");
}

/// Rationing under a task contract whose budget is 10% below the expected cost: the
/// provider admits only while the year's projected cost stays within the budget (the
/// rule itself is tested by hand in `engine::simulate`), a waiting list forms, and the
/// same contract without rationing overspends the budget by about the 10% cut. The
/// realised cost can still exceed the budget a little: stays of clients already admitted
/// run longer than expected in some runs, and the provider cannot undo admissions. That
/// overshoot is the positive part of a zero-mean error, whose mean is below 0.4 of its
/// standard deviation; the run-to-run sd of the cost/budget ratio bounds it from above.
#[test]
fn rationing_keeps_the_year_within_the_budget_and_builds_a_waiting_list() {
    let text = r#"
[scenario]
name = "rationing"
start_year = 2025
horizon_years = 4
steps_per_year = 12
discount_rate = 0.0

[population]
youth = 10_000

[provider]
efficiency = 1.0
cost_noise_sd = 0.0

[[segment]]
id = "a"
incidence_per_1000 = 10
initial_caseload = 200
mean_duration_years = 2.0
cost_per_client_year = 10_000
success_rate = 1.0
waiting_dropout_rate = 1.0

[[contract]]
id = "task"
form = "task"
segments = ["a"]
margin = -0.1
period_years = 4

[[contract]]
id = "rationed"
form = "task"
segments = ["a"]
margin = -0.1
period_years = 4
rationing = true
rationing_tolerance = 0.0

[[strategy]]
id = "task"
contracts = ["task"]
baseline = true

[[strategy]]
id = "rationed"
contracts = ["rationed"]
"#;
    let (plan, b) = summarise(text, 1000);
    for t in [1, 3] {
        let ratio = |k: usize| -> Vec<f64> {
            let cost = yearly(&plan, &b, k, "provider_cost", t);
            let budget = yearly(&plan, &b, k, "care_payments", t);
            cost.iter().zip(&budget).map(|(c, b)| c / b).collect()
        };
        let (open, _) = mean_se(&ratio(0));
        let rationed = ratio(1);
        let (rm, rs) = mean_se(&rationed);
        let sd = rs * (rationed.len() as f64).sqrt();
        let (q, _) = mean_se(&yearly(&plan, &b, 1, "waiting", t));
        println!(
            "year {t}: cost/budget without rationing {open:.4}, with {rm:.4} ± {rs:.4} (sd {sd:.4}); waiting {q:.1}"
        );
        assert!(open > 1.05, "the budget is cut 10%: without rationing the cost exceeds it ({open})");
        assert!(rm <= 1.0 + sd + 4.0 * rs, "rationing keeps the cost within the budget ({rm} ± {rs}, sd {sd})");
        assert!(q > 5.0, "a waiting list forms ({q})");
        // Spend is the budget either way (first period): the waiting list costs nothing.
        let s0 = yearly(&plan, &b, 0, "spend", t);
        let s1 = yearly(&plan, &b, 1, "spend", t);
        assert_eq!(s0, s1);
    }
}

/// The reports show the waiting list next to spend, and only when there is one: the
/// `waiting` chart draws the yearly means of `waiting` and `waiting_weeks_mean`, the
/// summaries say "cheaper, but N children wait on average W weeks longer" (in Dutch too),
/// and a scenario without capacity or rationing has none of it.
#[test]
fn reports_show_waiting_next_to_spend_only_with_waiting_lists() {
    use contractsim::report::charts::{self, ChartKind, waiting};
    use contractsim::report::headline::{Headline, has_waiting};
    use contractsim::report::lang::Lang;
    use contractsim::report::{ReportData, markdown};
    use contractsim::results::Results;

    let (plan, b) = summarise(&queue_scenario(12, 1000.0, 0.25, 150, 2.0, 0.0), 60);
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    assert!(has_waiting(&d));
    let data = waiting::data(&d);
    for t in [0, 5, 9] {
        let (m, _) = mean_se(&yearly(&plan, &b, 1, "waiting", t));
        assert!((data.queue[1].1[t] - m).abs() <= 1e-9 * m.abs().max(1.0), "queue in year {t}");
        assert_eq!(data.queue[0].1[t], 0.0);
    }
    for lang in Lang::ALL {
        let svg = charts::svg(ChartKind::Waiting, &d, lang).unwrap();
        assert!(svg.contains(ChartKind::Waiting.title(lang).split(':').next().unwrap()));
    }
    let hl = Headline::of(&d);
    assert_eq!(hl.cheaper_but_waiting.len(), 1);
    let w = &hl.cheaper_but_waiting[0];
    let en = markdown::summary(&d, &hl, Lang::En);
    let nl = markdown::summary(&d, &hl, Lang::Nl);
    // The waiting list as it is: the mean list at the end of the horizon, its band, the share
    // over the norm and the drop-outs a year, each named, from the yearly figures.
    let list = d.yearly(1, contractsim::metrics::Yearly::Waiting).unwrap().last().unwrap();
    let end = d.meta.start_year + d.meta.horizon_years as i32 - 1;
    assert!(
        en.contains(&format!(
            "{} children are on the waiting lists at the end of {end} on average (mean; in 9 of 10 futures between {} and {})",
            Lang::En.num(list.mean, 0),
            Lang::En.num(list.p5(), 0),
            Lang::En.num(list.p95(), 0)
        )),
        "{en}"
    );
    assert!(en.contains("drop out while waiting") && en.contains("Waiting lists next to spend"));
    assert!(!en.contains("weeks longer"), "the former sentence mixed the mean list with the mean wait");
    assert!(
        nl.contains(&format!("staan eind {end} gemiddeld {} kinderen op de wachtlijst", Lang::Nl.num(list.mean, 0))),
        "{nl}"
    );
    assert!(nl.contains("Wachtlijsten naast de uitgaven"));
    // The facts are the horizon metrics of the runs (the baseline has no list).
    let horizon_mean = |k: usize, m: Horizon| mean_se(&b.runs.iter().map(|r| r.horizon_of(k, m)).collect::<Vec<_>>()).0;
    assert!(
        (w.extra_weeks - (horizon_mean(1, Horizon::WaitingWeeksMean) - horizon_mean(0, Horizon::WaitingWeeksMean)))
            .abs()
            < 1e-9
    );
    assert!((w.waiting - horizon_mean(1, Horizon::WaitingMean)).abs() < 1e-9 && w.extra_waiting == w.waiting);

    // Without capacity or rationing: no waiting sections.
    let (plan, b) =
        summarise(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/friesland_no_capacity.toml")), 20);
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    assert!(!has_waiting(&d) && !ChartKind::Waiting.applies(&d));
    let hl = Headline::of(&d);
    let en = markdown::summary(&d, &hl, Lang::En);
    assert!(!en.contains("Waiting lists") && !en.contains("children wait"));
}

/// Drop-outs valued in the societal view only: `dropout_cost_per_client_year` on the
/// segment lowers `societal_benefit` by value × drop-outs × mean stay (here 8,000 × drop-outs
/// × 0.25 a year, no inflation, the baseline has no list) and leaves every spend figure
/// unchanged bit for bit.
#[test]
fn dropouts_are_valued_in_the_societal_view_never_in_spend() {
    let text = queue_scenario(4, 1000.0, 0.25, 150, 2.0, 0.0);
    let mut valued = fixtures::doc(&text);
    fixtures::add(&mut valued, &["segment", "a", "dropout_cost_per_client_year"], 8_000);
    let valued = fixtures::text(&valued);
    let (p1, p2) = (contractsim::engine::Plan::new(scenario(&text)), contractsim::engine::Plan::new(scenario(&valued)));
    let (r1, r2) = (p1.run(3, 1), p2.run(3, 1));
    for k in 0..2 {
        for name in ["spend", "care_payments", "waiting", "dropouts_from_waiting"] {
            let (m1, m2) = (metric(&p1, name), metric(&p2, name));
            for t in 0..10 {
                let per = (p1.layout.yearly_len(), p2.layout.yearly_len());
                assert_eq!(
                    r1.yearly[k * per.0 + p1.layout.at_index(m1, t)].to_bits(),
                    r2.yearly[k * per.1 + p2.layout.at_index(m2, t)].to_bits(),
                    "{name}"
                );
            }
        }
        assert_eq!(
            r1.horizon[k * HORIZON.len() + Horizon::NpvSpend.index()],
            r2.horizon[k * HORIZON.len() + Horizon::NpvSpend.index()]
        );
    }
    let per = p2.layout.yearly_len();
    let (sb, drop) = (metric(&p2, "societal_benefit"), metric(&p2, "dropouts_from_waiting"));
    for t in 0..10 {
        let dropouts = r2.yearly[per + p2.layout.at_index(drop, t)];
        let benefit = r2.yearly[per + p2.layout.at_index(sb, t)];
        assert!((benefit + 8_000.0 * dropouts * 0.25).abs() < 1e-6, "year {t}: {benefit} vs {dropouts} drop-outs");
        assert_eq!(r2.yearly[p2.layout.at_index(sb, t)], 0.0, "the baseline has no drop-outs");
    }
    assert!(r2.horizon[HORIZON.len() + Horizon::NpvSocietalBenefit.index()] < 0.0);
}
