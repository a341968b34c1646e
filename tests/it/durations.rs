//! Durations in phases (`duration_shape`, docs/model.md §3 "Durations in phases"): Little's
//! law at every shape and step length, the law of ended durations against the Erlang law
//! (chi-square, with the discretisation accounted for exactly), and the duration risk of a
//! trajectory falling as `d²/k`. Tolerances come from the Monte Carlo standard error or
//! from a stated significance level, never from what the code happened to give.

use contractsim::model::demand::{ExpectedDraws, Paths, RandomDraws, SegmentRates, SegmentState, step_paths};
use contractsim::model::phases::{erlang_cdf_integral, initial_phases};
use contractsim::random::rng::RunKey;
use contractsim::random::sample::Binomial;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Rates of a segment with mean duration `d`, `k` phases and `spy` steps a year, without
/// successes, re-entries or escalations (they do not touch durations).
fn rates(d: f64, k: usize, spy: usize) -> SegmentRates {
    SegmentRates::new(d, 1.0 / spy as f64, 0.5, 0.0, 0.0, 1.0).with_shape(d, k)
}

/// `n` independent paths of one segment each (own streams), empty at the start.
fn paths(n: usize, d: f64, k: usize, spy: usize, active: f64) -> Paths {
    let mut p = Paths::default();
    for g in 0..n {
        let i = p.push(g, rates(d, k, spy), Binomial::new(1.0), SegmentState { active, ..SegmentState::default() });
        p.spread_over_phases(i);
    }
    p
}

/// The deterministic (expected-value) path is in steady state at `λ d` clients, and its
/// client-years per year are `λ d`, at every shape and step length: the phase scheme is
/// exact, so there is no discretisation error to allow for (1e-6 is rounding over 40
/// years of steps).
#[test]
fn expected_path_is_in_steady_state_at_incidence_times_duration() {
    for k in [2, 3, 12, 20] {
        for spy in [1usize, 4, 12] {
            let (d, lambda) = (1.7, 300.0);
            let dt = 1.0 / spy as f64;
            let mut p = paths(1, d, k, spy, lambda * d);
            // The even spread is the steady state only for whole clients per phase: start
            // from the exact steady state instead.
            p.phases[0] = vec![lambda * d / k as f64; k];
            let mut years = 0.0;
            for s in 0..40 * spy {
                step_paths(&mut ExpectedDraws, s, &mut p, &[lambda * dt]);
                if s >= 39 * spy {
                    years += p.flows[0].client_years;
                }
            }
            let a = p.state[0].active;
            assert!((a - lambda * d).abs() < 1e-6, "k {k} spy {spy}: active {a}");
            assert!((years - lambda * d).abs() < 1e-6, "k {k} spy {spy}: client-years {years}");
            let sum: f64 = p.phases[0].iter().sum();
            assert!((sum - a).abs() < 1e-6, "phases add up to the caseload");
        }
    }
}

/// Little's law on random draws: starting empty, with `λΔ` clients starting in every step
/// (uniformly within it), the caseload after `T` years has mean `λ ∫₀ᵀ (1 − F)` exactly, i.e.
/// `λ d` less `λ (d − T + ∫₀ᵀ F)`, below 0.002 here. Over `R` independent paths its
/// mean must be within 4 Monte Carlo standard errors (sample sd / √R) of `λ d` plus that
/// deficit; the same for the client-years of the last year (whose expectation is at
/// least `λ d` less the deficit at `T − 1`).
#[test]
fn littles_law_holds_on_random_draws_at_every_shape_and_step_length() {
    let (d, lambda, years) = (1.5, 240.0, 20);
    let r = 400;
    for k in [1, 3, 12] {
        for spy in [1usize, 4, 12] {
            let dt = 1.0 / spy as f64;
            let mut caseload = Vec::with_capacity(5 * r);
            let mut last_year = Vec::with_capacity(5 * r);
            for batch in 0..5u64 {
                let mut p = paths(r, d, k, spy, 0.0);
                let mut draws = RandomDraws { key: RunKey::new(20 + k as u64, batch) };
                let referrals = vec![lambda * dt; r];
                let mut cy = vec![0.0; r];
                for s in 0..years * spy {
                    step_paths(&mut draws, s, &mut p, &referrals);
                    if s >= (years - 1) * spy {
                        cy.iter_mut().zip(&p.flows).for_each(|(c, f)| *c += f.client_years);
                    }
                }
                caseload.extend(p.state.iter().map(|st| st.active));
                last_year.extend(cy);
            }
            let t = years as f64;
            let deficit = lambda * (d - t + erlang_cdf_integral(t, k, d));
            let deficit_year = lambda * (d - (t - 1.0) + erlang_cdf_integral(t - 1.0, k, d));
            // The horizon is long enough that the start-up is a small fraction of the MCSE
            // (about 0.4 here); the deficit is allowed for in any case.
            assert!(deficit_year < 0.01, "the horizon is long enough: {deficit_year}");
            for (name, xs, allow) in [("caseload", &caseload, deficit), ("client-years", &last_year, deficit_year)] {
                let n = xs.len() as f64;
                let mean = xs.iter().sum::<f64>() / n;
                let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                let se = sd / n.sqrt();
                let target = lambda * d;
                eprintln!("Little k {k} spy {spy} {name}: mean {mean:.3} vs λd {target} (MCSE {se:.3})");
                assert!(
                    (mean - target).abs() <= 4.0 * se + allow,
                    "k {k} spy {spy} {name}: mean {mean} vs λd {target}, MCSE {se}"
                );
            }
        }
    }
}

/// Exit-step counts of a cohort of `n` clients who all start in step 0, followed for
/// `steps` steps; the last entry counts those still in care.
fn cohort_exit_steps(n: f64, d: f64, k: usize, spy: usize, steps: usize, seed: u64) -> Vec<f64> {
    let mut p = paths(1, d, k, spy, 0.0);
    let mut draws = RandomDraws { key: RunKey::new(seed, 0) };
    let mut counts = Vec::with_capacity(steps + 1);
    for s in 0..steps {
        step_paths(&mut draws, s, &mut p, &[if s == 0 { n } else { 0.0 }]);
        counts.push(p.flows[0].exits);
    }
    counts.push(p.state[0].active);
    counts
}

/// The exact probabilities of those counts: a client who starts uniformly within step 0
/// and stays an Erlang(`k`, mean `d`) time ends in step `s` with probability
/// `(I((s+1)Δ) − 2 I(sΔ) + I((s−1)Δ)) / Δ`, `I(x) = ∫₀ˣ F`, since it has left by the end
/// of step `s` with probability `∫₀¹ F((s+1)Δ − uΔ) du = (I((s+1)Δ) − I(sΔ))/Δ`.
fn exit_step_law(d: f64, k: usize, spy: usize, steps: usize) -> Vec<f64> {
    let dt = 1.0 / spy as f64;
    let gone =
        |s: usize| (erlang_cdf_integral((s + 1) as f64 * dt, k, d) - erlang_cdf_integral(s as f64 * dt, k, d)) / dt;
    let mut probs = Vec::with_capacity(steps + 1);
    let mut before = 0.0;
    for s in 0..steps {
        let g = gone(s);
        probs.push(g - before);
        before = g;
    }
    probs.push(1.0 - before);
    probs
}

/// Pearson's statistic over bins merged from the start so that every expected count is at
/// least 5 (the rest of a short last bin joins the one before); returns it and its degrees
/// of freedom (bins − 1: nothing is fitted).
fn chi_square(counts: &[f64], probs: &[f64], n: f64) -> (f64, usize) {
    let mut bins: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for (c, p) in counts.iter().zip(probs) {
        o += c;
        e += n * p;
        if e >= 5.0 {
            bins.push((o, e));
            (o, e) = (0.0, 0.0);
        }
    }
    if let Some(last) = bins.last_mut() {
        last.0 += o;
        last.1 += e;
    }
    assert!(bins.iter().all(|b| b.1 >= 5.0));
    (bins.iter().map(|(o, e)| (o - e).powi(2) / e).sum(), bins.len() - 1)
}

/// The steps at which trajectories end follow the Erlang law exactly, discretisation
/// included, at 1, 4 and 12 steps a year: Pearson's chi-square at significance 0.001 (the
/// critical value is the 0.999 quantile of χ² with bins − 1 degrees of freedom). So the
/// test can fail, the same counts must also reject the neighbouring shapes (k = 1 against
/// k = 3, and k ± 1 where the bins can tell them apart at this sample size).
#[test]
fn ended_durations_follow_the_erlang_law() {
    let (n, d) = (20_000.0, 1.5);
    for k in [1, 3, 12] {
        for spy in [1usize, 4, 12] {
            let steps = 12 * spy; // 12 years: P(still in care) < 1e-3 for every k here
            let counts = cohort_exit_steps(n, d, k, spy, steps, 7 + k as u64 * 31 + spy as u64);
            assert_eq!(counts.iter().sum::<f64>(), n, "every client is counted once");
            let (x2, df) = chi_square(&counts, &exit_step_law(d, k, spy, steps), n);
            let critical = ChiSquared::new(df as f64).unwrap().inverse_cdf(0.999);
            eprintln!("chi-square k {k} spy {spy}: {x2:.2} on {df} df (critical {critical:.2} at 0.001)");
            assert!(x2 < critical, "k {k} spy {spy}: chi-square {x2} on {df} df, critical {critical}");
            // Power: a wrong shape is rejected (at one step a year the bins of a 1.5-year
            // mean are coarse, so only the far shape is tried there).
            let wrong: Vec<usize> = match (k, spy) {
                (1, _) => vec![3],
                (_, 1) => vec![1],
                _ => vec![1, k - 1, k + 1],
            };
            for w in wrong {
                let (x2w, dfw) = chi_square(&counts, &exit_step_law(d, w, spy, steps), n);
                let crit = ChiSquared::new(dfw as f64).unwrap().inverse_cdf(0.999);
                assert!(x2w > crit, "k {k} spy {spy}: shape {w} not rejected ({x2w} on {dfw} df)");
            }
        }
    }
}

/// A trajectory's duration risk falls as `d²/k`: the client-years of a single trajectory
/// (the provider's cost per trajectory, over the cost per client-year, under an output
/// contract whose price per trajectory is fixed) have variance `d²/k` in continuous time.
/// The engine counts the client-years of the start and exit steps as their conditional
/// expectations, which lowers the variance by at most `2 · Δ²/4` (two partial steps, each
/// a time in `[0, Δ]`). Sample variances over `R` trajectories must be within 4 standard
/// errors of `d²/k` less that allowance; the standard error of a sample variance is
/// `σ² √(2/(R−1) + κ/R)`, with excess kurtosis `κ = 6/k` for the Erlang.
#[test]
fn duration_risk_of_a_trajectory_falls_as_one_over_the_shape() {
    let d = 2.0;
    let r = 1000;
    let mut variances = Vec::new();
    for k in [1, 2, 4, 12] {
        for spy in [1usize, 12] {
            let dt = 1.0 / spy as f64;
            let mut totals = Vec::with_capacity(20 * r);
            for batch in 0..20u64 {
                let mut p = paths(r, d, k, spy, 0.0);
                let mut draws = RandomDraws { key: RunKey::new(90 + k as u64, batch) };
                let one = vec![1.0; r];
                let none = vec![0.0; r];
                let mut cy = vec![0.0; r];
                let mut s = 0;
                while s == 0 || p.state.iter().any(|st| st.active > 0.0) {
                    step_paths(&mut draws, s, &mut p, if s == 0 { &one } else { &none });
                    cy.iter_mut().zip(&p.flows).for_each(|(c, f)| *c += f.client_years);
                    s += 1;
                    assert!(s < 200 * spy, "every trajectory ends");
                }
                totals.extend(cy);
            }
            let n = totals.len() as f64;
            let mean = totals.iter().sum::<f64>() / n;
            let var = totals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let theory = d * d / k as f64;
            let se = theory * (2.0 / (n - 1.0) + 6.0 / k as f64 / n).sqrt();
            let allowance = dt * dt / 2.0;
            eprintln!("risk k {k} spy {spy}: variance {var:.4} vs d²/k {theory:.4} (se {se:.4})");
            assert!(
                var <= theory + 4.0 * se && var >= theory - allowance - 4.0 * se,
                "k {k} spy {spy}: variance {var} vs d²/k {theory} (se {se}, allowance {allowance})"
            );
            // The mean is the mean duration whatever the shape (sd/√n = √(d²/k)/√n).
            assert!((mean - d).abs() < 4.0 * (theory / n).sqrt(), "k {k} spy {spy}: mean {mean}");
            variances.push((k, spy, var));
        }
    }
    for spy in [1usize, 12] {
        let v: Vec<f64> = variances.iter().filter(|x| x.1 == spy).map(|x| x.2).collect();
        assert!(v.windows(2).all(|w| w[1] < w[0]), "variance falls with the shape at {spy} steps: {v:?}");
    }
}

/// With one phase the phase machinery is not used at all: the rates carry no phases and
/// the initial spread is the caseload itself, so exponential segments draw as before.
#[test]
fn one_phase_uses_the_exponential_scheme() {
    assert!(rates(1.5, 1, 12).phases.is_none());
    assert!(rates(1.5, 2, 12).phases.is_some());
    assert_eq!(initial_phases(7.0, 1), vec![7.0]);
    let p = paths(1, 1.5, 1, 12, 7.0);
    assert!(p.phases[0].is_empty());
}

/// One segment "a" with `λ` referrals a year (per 1000 of 100,000 youths), mean stay `d` in
/// `k` phases, `C` places and drop-out `δ` a year under the second strategy.
fn places_scenario(spy: usize, lambda: f64, d: f64, k: usize, capacity: u32, dropout: f64) -> String {
    let incidence = lambda / 100.0;
    format!(
        r#"
[scenario]
name = "places"
start_year = 2025
horizon_years = 10
steps_per_year = {spy}
discount_rate = 0.0

[population]
youth = 100_000

[[segment]]
id = "a"
incidence_per_1000 = {incidence}
initial_caseload = {capacity}
mean_duration_years = {d}
duration_shape = {k}
cost_per_client_year = 10_000
success_rate = 1.0
waiting_dropout_rate = {dropout}

[[contract]]
id = "places"
form = "output"
segments = ["a"]
capacity = {{ a = {capacity} }}

[[contract]]
id = "open"
form = "output"
segments = ["a"]

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

/// Per-run means over years 4 to 9 of yearly metric `name` of strategy `k`.
fn late_mean(plan: &contractsim::engine::Plan, b: &contractsim::engine::Batch, k: usize, name: &str) -> Vec<f64> {
    let mut out = vec![0.0; b.runs.len()];
    for t in 4..10 {
        for (o, v) in out.iter_mut().zip(crate::common::yearly(plan, b, k, name, t)) {
            *o += v / 6.0;
        }
    }
    out
}

/// An overloaded waiting list with durations in phases: full places turn over at `C/d` a
/// year whatever the shape (each place is a renewal process with mean stay `d`), so with
/// arrivals `λ > C/d` and drop-out `δ` the queue settles at `(λ − C/d)/δ`, as with
/// exponential stays (docs/model.md section 11), at 1, 4 and 12 steps a year; and the open
/// strategy follows Little's law (`λ d` in care).
#[test]
fn an_overloaded_waiting_list_with_phases_matches_the_continuous_time_answer() {
    use crate::common::{assert_mean, mean_se, summarise};
    let (lambda, d, c, delta) = (500.0, 0.5, 150u32, 2.0);
    let mu = c as f64 / d;
    for k in [1, 4] {
        for spy in [1usize, 4, 12] {
            let (plan, b) = summarise(&places_scenario(spy, lambda, d, k, c, delta), 300);
            let q = late_mean(&plan, &b, 1, "waiting");
            let adm = late_mean(&plan, &b, 1, "admissions");
            let open = late_mean(&plan, &b, 0, "caseload");
            let ((qm, qs), (am, as_), (om, os)) = (mean_se(&q), mean_se(&adm), mean_se(&open));
            eprintln!(
                "places k {k} spy {spy}: queue {qm:.2} ± {qs:.2} ({}), admissions {am:.1} ± {as_:.1} ({mu}), open caseload {om:.1} ± {os:.1} ({})",
                (lambda - mu) / delta,
                lambda * d
            );
            assert_mean(&adm, mu, &format!("admissions, k {k}, {spy} steps"));
            assert_mean(&q, (lambda - mu) / delta, &format!("queue, k {k}, {spy} steps"));
            assert_mean(&open, lambda * d, &format!("open caseload, k {k}, {spy} steps"));
        }
    }
}

/// Random states through one step, with counts up to 10^12, every shape from 2 to 20,
/// durations from 0.01 to 50 years and both kinds of draws: no count goes negative or
/// non-finite, the phases add up to the caseload, and the caseload changes by starts −
/// exits exactly as bookkept.
#[test]
fn a_step_with_phases_keeps_counts_whole_non_negative_and_adding_up() {
    let mut u = RunKey::new(3, 0).stream(contractsim::random::rng::Purpose::Parameter, 0, 0);
    for case in 0..3000 {
        let k = 2 + (u.uniform() * 19.0) as usize;
        let spy = [1usize, 4, 12][(u.uniform() * 3.0) as usize];
        let d = 0.01 * (5000f64).powf(u.uniform());
        let scale = 10f64.powf(12.0 * u.uniform());
        let active = (scale * u.uniform()).round();
        let referrals = (scale * u.uniform()).round();
        let mut p = paths(1, d, k, spy, active);
        let random = case % 2 == 0;
        if random {
            step_paths(&mut RandomDraws { key: RunKey::new(case, 1) }, 5, &mut p, &[referrals]);
        } else {
            step_paths(&mut ExpectedDraws, 5, &mut p, &[referrals]);
        }
        let (f, st) = (p.flows[0], &p.state[0]);
        let what = format!("case {case}: k {k} spy {spy} d {d} active {active} referrals {referrals}");
        for v in [f.exits, f.client_years, st.active].iter().chain(&p.phases[0]) {
            assert!(v.is_finite() && *v >= 0.0, "{what}: {v}");
        }
        if random {
            assert!([f.exits, st.active].iter().chain(&p.phases[0]).all(|v| v.fract() == 0.0), "{what}");
        }
        let tol = 1e-9 * (active + referrals).max(1.0);
        assert!((p.phases[0].iter().sum::<f64>() - st.active).abs() <= tol, "{what}");
        assert!((st.active - active - (f.starts - f.exits)).abs() <= tol, "{what}");
        assert!(f.client_years <= (active + referrals) / spy as f64 * (1.0 + 1e-12), "{what}");
    }
}

/// A cohort in care at the start and nobody after it, under an output contract: the
/// provider's cost over the horizon is the cost per client-year times the cohort's remaining
/// time in care, while its revenue (a price per start) is fixed, so the provider carries the
/// whole duration risk. With `N` clients spread evenly over `k` phases of `d/k` each, a
/// client in phase `j` has `k − j` phases to go, a Gamma time of mean `(k − j) d/k` and
/// variance `(k − j) d²/k²`; so the cohort's client-years have mean `N d (k+1)/(2k)` and
/// variance `N d² (k+1)/(2k²)`: `N d²` for exponential stays, falling towards `N d²/(2k)`.
/// The engine counts the exit step's time as its conditional expectation, which lowers the
/// variance by at most `N Δ²/4`. Means within 4 MCSE; sample variances within 4 standard
/// errors `σ² √(2/(R−1))` (the totals are sums of 400 independent times, close to normal) of
/// the theory less that allowance.
#[test]
fn the_providers_duration_risk_under_an_output_contract_falls_with_the_shape() {
    use crate::common::{mean_se, summarise, yearly};
    let (n, d, runs) = (400.0, 2.0, 2000);
    let mut sds = Vec::new();
    for k in [1usize, 3, 12] {
        let text = format!(
            r#"
[scenario]
name = "cohort"
start_year = 2025
horizon_years = 20
steps_per_year = 12
discount_rate = 0.0

[population]
youth = 100_000

[provider]
efficiency = 1.0
cost_noise_sd = 0.0

[[segment]]
id = "a"
incidence_per_1000 = 0
initial_caseload = {n}
mean_duration_years = {d}
duration_shape = {k}
cost_per_client_year = 10_000
success_rate = 1.0

[[contract]]
id = "output"
form = "output"
segments = ["a"]

[[strategy]]
id = "now"
contracts = ["output"]
baseline = true
"#
        );
        let (plan, b) = summarise(&text, runs);
        let mut cost = vec![0.0; runs];
        let mut years = vec![0.0; runs];
        for t in 0..20 {
            cost.iter_mut().zip(yearly(&plan, &b, 0, "provider_cost", t)).for_each(|(c, v)| *c += v);
            years.iter_mut().zip(yearly(&plan, &b, 0, "client_years", t)).for_each(|(c, v)| *c += v);
        }
        for (c, y) in cost.iter().zip(&years) {
            assert!((c - 10_000.0 * y).abs() <= 1e-6 * c.abs().max(1.0), "k {k}: cost {c} for {y} client-years");
        }
        let kf = k as f64;
        let (mean, se) = mean_se(&years);
        let want = n * d * (kf + 1.0) / (2.0 * kf);
        assert!((mean - want).abs() < 4.0 * se, "k {k}: mean client-years {mean} vs {want} (mcse {se})");
        let var = years.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (runs as f64 - 1.0);
        let theory = n * d * d * (kf + 1.0) / (2.0 * kf * kf);
        let se_var = theory * (2.0 / (runs as f64 - 1.0)).sqrt();
        let allowance = n / (12.0 * 12.0) / 4.0;
        eprintln!(
            "cohort k {k}: client-years {mean:.1} ({want:.1}), variance {var:.1} vs theory {theory:.1} (se {se_var:.1}); provider cost sd {:.0} euros",
            10_000.0 * var.sqrt()
        );
        assert!(
            var <= theory + 4.0 * se_var && var >= theory - allowance - 4.0 * se_var,
            "k {k}: variance {var} vs {theory} (se {se_var})"
        );
        sds.push(var.sqrt());
    }
    assert!(sds.windows(2).all(|w| w[1] < w[0]), "the provider's risk falls with the shape: {sds:?}");
}

/// The reader's largest `duration_shape` is the engine's `MAX_SHAPE`: a file with it reads
/// and runs, one above it is refused.
#[test]
fn the_readers_largest_shape_is_the_engines() {
    use contractsim::model::phases::MAX_SHAPE;
    let base = std::fs::read_to_string("tests/bad_scenarios/valid_base.toml").unwrap();
    let with = |k: usize| {
        base.replacen("mean_duration_years = 2.0", &format!("mean_duration_years = 2.0\nduration_shape = {k}"), 1)
    };
    let s = contractsim::scenario::parse_str(&with(MAX_SHAPE), std::path::Path::new("max.toml")).unwrap();
    assert!(s.segments.iter().any(|g| g.duration_shape == MAX_SHAPE));
    let plan = contractsim::engine::Plan::new(s);
    let _ = plan.run(1, 0);
    assert!(contractsim::scenario::parse_str(&with(MAX_SHAPE + 1), std::path::Path::new("over.toml")).is_err());
}
