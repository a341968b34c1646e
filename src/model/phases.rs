//! Durations in phases (docs/model.md, section 3, "Durations in phases"): the exact step
//! of a segment whose trajectories pass through `k` phases, each exponential with mean
//! `d/k` (an Erlang duration with shape `k`, mean `d` and variance `d²/k`).
//!
//! Over a step of length `Δ` the number of phase changes of a client in care is Poisson
//! with mean `μ = kΔ/d` until it leaves the last phase, so with `p(m)` that law's
//! probabilities and `T(n) = P(N ≥ n)` its upper tails:
//!
//! * a client carried into the step in phase `j` (of `k`, counted from 0, with `n = k − j`
//!   phases to go) is in phase `j + m` at its end with probability `p(m)` (`m < n`) and
//!   has left with probability `T(n)`; one who left spent `(n d/k) T(n+1) / T(n)` years
//!   in care during the step, in expectation (the mean of a Gamma(`n`, `k/d`) time below
//!   `Δ`);
//! * a client who starts in the step, uniformly in time, is in phase `m` at its end with
//!   probability `T(m+1)/μ` and has left with probability `T(k) − (k/μ) T(k+1)`; its
//!   expected time in care is `Δ (m+1) T(m+2)/μ²` over those who end in phase `m` and
//!   `d (T(k+1) − ((k+1)/μ) T(k+2))` over those who leave.
//!
//! Client-years of a step are these expected times given the phase each client is in at
//! the step's start and at its end (or that it left), so a trajectory's client-years are
//! the expectation of its duration given its phases at the step boundaries: exact in
//! expectation, and short of the true variance only by the time within the first and
//! the last step (at most `Δ²/2`).
//!
//! These are the transition probabilities of the continuous-time chain over one step, not
//! an approximation of them, so the phase counts at the end of every step have exactly the
//! law of the continuous-time model, at any step length. With `k = 1` they are the
//! formulas of [`super::demand`] (`T(1) = 1 − e`, `T(1)/μ = d(1 − e)/Δ`); the engine keeps
//! that code for `k = 1`, so exponential segments draw exactly as before.

use crate::math;
use crate::random::sample::Binomial;

/// The largest `duration_shape` a scenario may give (docs/scenario-format.md): a
/// coefficient of variation of `1/√20 = 0.22`, already more regular than any registered
/// youth-care duration, and the bound that keeps the `O(k²)` draws of a step cheap.
pub const MAX_SHAPE: usize = 20;

/// Where one group of clients can be at the end of a step: in a phase, or gone.
#[derive(Debug, Clone)]
pub struct PhaseRow {
    /// Probability of leaving care within the step (the last phase ended).
    pub exit: Binomial,
    /// For those still in care, in order of the phase they end in (from the group's own
    /// phase up to the last but one): the probability of ending there among those not
    /// yet placed (the last phase takes the rest).
    pub stay: Vec<Binomial>,
    /// Expected years in care during the step of a client who leaves.
    pub years_exit: f64,
    /// Expected years in care during the step of a client who stays, per phase it ends in
    /// (as `stay`, with the last phase too).
    pub years_stay: Vec<f64>,
    /// Probability of ending in each phase still open to the group, then of leaving
    /// (unconditional; for the expected years and the tests).
    pub probabilities: Vec<f64>,
}

/// The per-step rates of a segment with `k ≥ 2` phases.
#[derive(Debug, Clone)]
pub struct PhaseRates {
    /// Number of phases `k`.
    pub shape: usize,
    /// Per phase `j` of a client carried into the step.
    pub carried: Vec<PhaseRow>,
    /// A client who starts in the step (in phase 0).
    pub new: PhaseRow,
    /// The phase clock of a full place, for a segment with a capacity (see
    /// [`PhaseRates::with_places`]).
    pub cycle: Option<Cycle>,
}

/// The phase changes within a step of a place that is refilled at once (its clock never
/// stops): Poisson with mean `μ = kΔ/d`.
#[derive(Debug, Clone)]
pub struct Cycle {
    /// For `n = 0, 1, ...`: the probability of exactly `n` changes among those with at
    /// least `n` (the last entry takes the rest: the tail beyond it is below 1e-15, or the
    /// entries stop at 1024).
    pub ticks: Vec<Binomial>,
}

/// Poisson probabilities `p(0..=n_max)` and upper tails `T(0..=n_max + 2)` for mean `mu`.
fn poisson_law(mu: f64, n_max: usize) -> (Vec<f64>, Vec<f64>) {
    let ln_mu = math::ln(mu);
    let mut ln_fact = 0.0;
    let mut pmf = Vec::with_capacity(n_max + 3);
    for m in 0..n_max + 3 {
        if m > 0 {
            ln_fact += math::ln(m as f64);
        }
        pmf.push(math::exp(-mu + m as f64 * ln_mu - ln_fact));
    }
    let mut tail = Vec::with_capacity(n_max + 3);
    for n in 0..n_max + 3 {
        let t = if n == 0 {
            1.0
        } else if (n as f64) > mu {
            // Summed upward: the terms fall geometrically once m > μ, and for small μ the
            // tail is far below 1, where 1 − Σ would lose it.
            let (mut term, mut sum, mut m) = (pmf[n], 0.0, n);
            while term > 0.0 && term > 1e-18 * sum {
                sum += term;
                m += 1;
                term *= mu / m as f64;
            }
            sum
        } else {
            1.0 - pmf[..n].iter().sum::<f64>()
        };
        tail.push(t.clamp(0.0, 1.0));
    }
    (pmf, tail)
}

/// The row of a group whose end probabilities are `ends` (per phase still open, in order)
/// and `exit`, with its expected years.
fn row(ends: &[f64], exit: f64, years_exit: f64, years_stay: Vec<f64>) -> PhaseRow {
    // Conditional probabilities from suffix sums of the open phases (not 1 − a prefix,
    // which would cancel when staying is rare).
    let mut suffix = vec![0.0; ends.len() + 1];
    for m in (0..ends.len()).rev() {
        suffix[m] = suffix[m + 1] + ends[m];
    }
    let stay = (0..ends.len().saturating_sub(1))
        .map(|m| Binomial::new(if suffix[m] > 0.0 { ends[m] / suffix[m] } else { 0.0 }))
        .collect();
    let mut probabilities = ends.to_vec();
    probabilities.push(exit);
    PhaseRow { exit: Binomial::new(exit), stay, years_exit, years_stay, probabilities }
}

impl PhaseRates {
    /// Rates for mean duration `d` years, `shape` phases (at least 2) and steps of
    /// `step_years`.
    pub fn new(d: f64, shape: usize, step_years: f64) -> Self {
        let k = shape.max(1);
        let dt = step_years;
        let mu = k as f64 * dt / d;
        let (p, t) = poisson_law(mu, k);
        let phase_mean = d / k as f64;
        let carried = (0..k)
            .map(|j| {
                let n = k - j;
                let years_exit = if t[n] > 0.0 { n as f64 * phase_mean * t[n + 1] / t[n] } else { dt / 2.0 };
                row(&p[..n], t[n], years_exit.clamp(0.0, dt), vec![dt; n])
            })
            .collect();
        let ends: Vec<f64> = (0..k).map(|m| t[m + 1] / mu).collect();
        // Per end phase m: E[ΔV; ends in m] / P(ends in m) = Δ (m+1) T(m+2) / (μ T(m+1)),
        // so that the time of a new client is its expectation given the phase it reached.
        let years_stay = (0..k)
            .map(|m| {
                if t[m + 1] > 0.0 {
                    (dt * (m + 1) as f64 * t[m + 2] / (mu * t[m + 1])).clamp(0.0, dt)
                } else {
                    dt / 2.0
                }
            })
            .collect();
        let exit = (t[k] - k as f64 / mu * t[k + 1]).max(0.0);
        let exit_years = (d * (t[k + 1] - (k + 1) as f64 / mu * t[k + 2])).max(0.0);
        let years_exit = if exit > 0.0 { (exit_years / exit).clamp(0.0, dt) } else { dt / 3.0 };
        PhaseRates { shape: k, carried, new: row(&ends, exit, years_exit, years_stay), cycle: None }
    }

    /// The same rates with the phase clock of full places (a segment with a capacity);
    /// `step_years` and `d` as in [`PhaseRates::new`].
    pub fn with_places(mut self, d: f64, step_years: f64) -> Self {
        let mu = self.shape as f64 * step_years / d;
        let n_max = ((mu + 12.0 * mu.sqrt() + 30.0).ceil() as usize).min(1023);
        let (p, _) = poisson_law(mu, n_max);
        let p = &p[..=n_max];
        let mut suffix = vec![0.0; p.len() + 1];
        for n in (0..p.len()).rev() {
            suffix[n] = suffix[n + 1] + p[n];
        }
        let ticks = (0..p.len()).map(|n| Binomial::new(if suffix[n] > 0.0 { p[n] / suffix[n] } else { 1.0 })).collect();
        self.cycle = Some(Cycle { ticks });
        self
    }

    /// Expected years in care during the step of a client carried into it, averaged over
    /// the phases with equal weights (the phase mix of the steady state), and of a client
    /// who starts in it.
    pub fn expected_years(&self) -> (f64, f64) {
        let k = self.carried.len() as f64;
        let one = |r: &PhaseRow| {
            let (ends, exit) = r.probabilities.split_at(r.probabilities.len() - 1);
            ends.iter().zip(&r.years_stay).map(|(p, y)| p * y).sum::<f64>() + exit[0] * r.years_exit
        };
        (self.carried.iter().map(one).sum::<f64>() / k, one(&self.new))
    }
}

/// The initial caseload `a` spread over `k` phases as evenly as whole clients allow
/// (phase `j` gets `round((j+1)a/k) − round(ja/k)`): the steady state of the phases has
/// equal counts, since each phase passes the same flow and lasts `d/k` on average.
pub fn initial_phases(a: f64, k: usize) -> Vec<f64> {
    let k = k.max(1);
    (0..k).map(|j| ((j + 1) as f64 * a / k as f64).round() - (j as f64 * a / k as f64).round()).collect()
}

/// `∫₀ˣ F(y) dy` for the Erlang distribution function `F` with shape `k` and mean `d`:
/// `x F(x) − E[T; T ≤ x]`. Its differences over steps give the exact law of the step in
/// which a trajectory that started uniformly within step 0 ends (for the tests and the
/// calibration).
pub fn erlang_cdf_integral(x: f64, k: usize, d: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let rate = k as f64 / d;
    let (_, t) = poisson_law(rate * x, k);
    x * t[k] - k as f64 / rate * t[k + 1]
}

/// The Erlang distribution function with shape `k` and mean `d` at `x`: `P(N_{kx/d} ≥ k)`.
pub fn erlang_cdf(x: f64, k: usize, d: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let (_, t) = poisson_law(k as f64 * x / d, k);
    t[k]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demand::SegmentRates;

    #[test]
    fn one_phase_is_the_exponential_scheme() {
        for (d, dt) in [(0.5, 1.0), (1.7, 0.25), (3.0, 1.0 / 12.0), (40.0, 1.0 / 12.0), (0.01, 1.0)] {
            let old = SegmentRates::new(d, dt, 0.5, 0.0, 0.0, 1.0);
            let new = PhaseRates::new(d, 1, dt);
            let tol = 1e-12;
            assert!((new.carried[0].exit.probability() - old.exit_carried.probability()).abs() < tol);
            assert!((new.new.exit.probability() - old.exit_new.probability()).abs() < tol, "{d} {dt}");
            assert!((new.carried[0].years_exit - old.years_carried_exit).abs() < 1e-9 * dt);
            assert!((new.new.years_stay[0] - old.years_new_stay).abs() < 1e-9 * dt, "{d} {dt}");
            assert!((new.new.years_exit - old.years_new_exit).abs() < 1e-9 * dt, "{d} {dt}");
        }
    }

    #[test]
    fn rows_are_probability_laws_and_years_add_up() {
        for k in [2, 3, 7, 12, 20] {
            for (d, dt) in [(0.3, 1.0), (1.5, 0.25), (2.0, 1.0 / 12.0), (60.0, 1.0 / 12.0), (0.001, 1.0)] {
                let r = PhaseRates::new(d, k, dt);
                for row in r.carried.iter().chain([&r.new]) {
                    let s: f64 = row.probabilities.iter().sum();
                    assert!((s - 1.0).abs() < 1e-12, "k {k} d {d} dt {dt}: {s}");
                    assert!(row.probabilities.iter().all(|&p| (0.0..=1.0).contains(&p)));
                    assert!((0.0..=dt).contains(&row.years_exit));
                    assert!(row.years_stay.iter().all(|y| (0.0..=dt).contains(y)));
                }
                // A new client's expected time in care within the step: E[min(T, ΔV)],
                // by quadrature over the start time (the integrand is smooth).
                let n = 2000;
                let h = dt / n as f64;
                let direct: f64 = (0..n)
                    .map(|i| {
                        let v = (i as f64 + 0.5) * h;
                        // E[min(T, v)] = ∫₀ᵛ (1 − F(y)) dy = v − ∫₀ᵛ F.
                        v - erlang_cdf_integral(v, k, d)
                    })
                    .sum::<f64>()
                    / n as f64;
                let (_, new) = r.expected_years();
                assert!((new - direct).abs() < 1e-6 * dt, "k {k} d {d} dt {dt}: {new} vs {direct}");
            }
        }
    }

    #[test]
    fn initial_phases_add_up_to_whole_clients() {
        assert_eq!(initial_phases(10.0, 3), vec![3.0, 4.0, 3.0]);
        assert_eq!(initial_phases(10.0, 3).iter().sum::<f64>(), 10.0);
        assert_eq!(initial_phases(1.0, 4).iter().sum::<f64>(), 1.0);
        assert_eq!(initial_phases(0.0, 4), vec![0.0; 4]);
    }

    #[test]
    fn erlang_cdf_by_hand() {
        // k = 2, d = 2 (rate 1): F(x) = 1 − e^−x (1 + x); ∫₀ˣ F = x − 2 + e^−x (2 + x).
        let x: f64 = 1.3;
        assert!((erlang_cdf(x, 2, 2.0) - (1.0 - math::exp(-x) * (1.0 + x))).abs() < 1e-14);
        assert!((erlang_cdf_integral(x, 2, 2.0) - (x - 2.0 + math::exp(-x) * (2.0 + x))).abs() < 1e-14);
    }
}
