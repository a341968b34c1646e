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
