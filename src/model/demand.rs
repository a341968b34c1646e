//! Demand (MODEL.md section 5): the exact step scheme of one segment.
//!
//! Durations are exponential with mean `d`. For a step of length `Δ`, with `e = exp(-Δ/d)`:
//!
//! * a client active at the start of the step is still active at its end with probability
//!   `e`; one who leaves spent `(d(1-e) - Δe) / (1-e)` years in care during the step, in
//!   expectation;
//! * a client who starts during the step (uniformly in time) is still active at its end with
//!   probability `d(1-e)/Δ` and then spent `(d(1-e) - Δe)/(1-e)` years in care, in
//!   expectation; one who also leaves within the step spent the rest of the expected
//!   `d - d²(1-e)/Δ` years.
//!
//! Client-years of a step are these conditional expectations given the drawn exits, so
//! their expectation is exact at any step length and no extra draw is needed.
//! [`Draws`] abstracts the random draws, so the same code gives the deterministic
//! expected-value path that prices task contracts.

use crate::engine::rng::{Purpose, RunKey};
use crate::engine::sample::Binomial;

/// Source of the binomial draws of a step: random (the engine) or expected values.
pub trait Draws {
    /// Successes among `n` trials with the sampler's probability, from the stream of
    /// `purpose` at `index` and `step`.
    fn binomial(&mut self, purpose: Purpose, index: usize, step: usize, n: f64, b: &Binomial) -> f64;
    /// A uniform number in (0, 1) from the stream of `purpose` at `index` and `step`
    /// (its median, 1/2, for expected values).
    fn open_uniform(&mut self, purpose: Purpose, index: usize, step: usize) -> f64;
}

/// Random draws on the run's streams (common random numbers).
pub struct RandomDraws {
    /// The run's key.
    pub key: RunKey,
}

impl Draws for RandomDraws {
    #[inline]
    fn binomial(&mut self, purpose: Purpose, index: usize, step: usize, n: f64, b: &Binomial) -> f64 {
        if n <= 0.0 {
            return 0.0;
        }
        b.sample(n as u64, &mut self.key.stream(purpose, index, step)) as f64
    }
    fn open_uniform(&mut self, purpose: Purpose, index: usize, step: usize) -> f64 {
        self.key.stream(purpose, index, step).open_uniform()
    }
}

/// Expected values instead of draws: `n × p`.
pub struct ExpectedDraws;

impl Draws for ExpectedDraws {
    #[inline]
    fn binomial(&mut self, _: Purpose, _: usize, _: usize, n: f64, b: &Binomial) -> f64 {
        n * b.probability()
    }
    fn open_uniform(&mut self, _: Purpose, _: usize, _: usize) -> f64 {
        0.5
    }
}

/// The constant per-step rates of a segment under one contract in one run.
#[derive(Debug, Clone)]
pub struct SegmentRates {
    /// Step length in years.
    pub step_years: f64,
    /// Exit of a client carried into the step: `1 - e`.
    pub exit_carried: Binomial,
    /// Exit within the step of a client who starts in it: `1 - d(1-e)/Δ`.
    pub exit_new: Binomial,
    /// Expected years in care during the step of a carried client who leaves.
    pub years_carried_exit: f64,
    /// Expected years in care during the step of a new client who stays.
    pub years_new_stay: f64,
    /// Expected years in care during the step of a new client who leaves.
    pub years_new_exit: f64,
    /// Success among exits.
    pub success: Binomial,
    /// Re-entry among failures.
    pub reentry: Binomial,
    /// Escalation among failures that do not re-enter.
    pub escalation: Binomial,
    /// Release per step of clients waiting to re-enter: `min(1, Δ / delay)`.
    pub release: Binomial,
}

impl SegmentRates {
    /// Rates for mean duration `d` (years), step `Δ`, and the outcome probabilities.
    pub fn new(d: f64, step_years: f64, success: f64, reentry: f64, escalation: f64, reentry_delay_years: f64) -> Self {
        let dt = step_years;
        let x = dt / d;
        let one_minus_e = -(-x).exp_m1();
        let e = 1.0 - one_minus_e;
        let stay_new = (d * one_minus_e / dt).min(1.0);
        // E[time in step | carried, exits] = (d(1-e) - Δe)/(1-e); for tiny x use the series
        // Δ/2 - Δx/12 to avoid cancellation.
        let years_carried_exit =
            if x < 1e-4 { dt * (0.5 - x / 12.0) } else { (d * one_minus_e - dt * e) / one_minus_e };
        let total_new = d - d * d * one_minus_e / dt;
        let stay_part = stay_new * years_carried_exit;
        let exit_new = 1.0 - stay_new;
        let years_new_exit =
            if exit_new > 1e-9 { ((total_new - stay_part) / exit_new).clamp(0.0, dt) } else { dt / 3.0 };
        SegmentRates {
            step_years: dt,
            exit_carried: Binomial::new(one_minus_e),
            exit_new: Binomial::new(exit_new),
            years_carried_exit,
            years_new_stay: years_carried_exit,
            years_new_exit,
            success: Binomial::new(success),
            reentry: Binomial::new(reentry),
            escalation: Binomial::new(escalation),
            release: Binomial::new((dt / reentry_delay_years).min(1.0)),
        }
    }
}

/// The state of a segment between steps.
#[derive(Debug, Clone, Default)]
pub struct SegmentState {
    /// Active clients.
    pub active: f64,
    /// Failed clients waiting to re-enter.
    pub waiting_reentry: f64,
}

/// What happened in one step of one segment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepFlows {
    /// Referrals after prevention.
    pub referrals: f64,
    /// Referrals removed by prevention.
    pub prevented: f64,
    /// Starts: referrals + re-entries + escalations in.
    pub starts: f64,
    /// Exits.
    pub exits: f64,
    /// Successful exits.
    pub successes: f64,
    /// Failed exits that escalate to the heavier segment (they start there next step).
    pub escalations_out: f64,
    /// Years in care during the step.
    pub client_years: f64,
}

/// Advances a segment by one step.
///
/// `referrals` are the referrals before prevention (already scaled to the contract's
/// incidence factor), `prevention` the share prevented in this step, and `escalations_in`
/// the clients escalated from other segments in the previous step.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn step<D: Draws>(
    draws: &mut D,
    segment: usize,
    step: usize,
    rates: &SegmentRates,
    prevention: &Binomial,
    state: &mut SegmentState,
    referrals: f64,
    escalations_in: f64,
) -> StepFlows {
    let released = draws.binomial(Purpose::ReentryRelease, segment, step, state.waiting_reentry, &rates.release);
    state.waiting_reentry -= released;
    let prevented = draws.binomial(Purpose::Prevention, segment, step, referrals, prevention);
    let kept = referrals - prevented;
    let starts = kept + released + escalations_in;
    let carried = state.active;
    let exit_carried = draws.binomial(Purpose::ExitCarried, segment, step, carried, &rates.exit_carried);
    let exit_new = draws.binomial(Purpose::ExitNew, segment, step, starts, &rates.exit_new);
    let client_years = (carried - exit_carried) * rates.step_years
        + exit_carried * rates.years_carried_exit
        + (starts - exit_new) * rates.years_new_stay
        + exit_new * rates.years_new_exit;
    let exits = exit_carried + exit_new;
    state.active = carried + starts - exits;
    let successes = draws.binomial(Purpose::Success, segment, step, exits, &rates.success);
    let failures = exits - successes;
    let reenter = draws.binomial(Purpose::Reentry, segment, step, failures, &rates.reentry);
    state.waiting_reentry += reenter;
    let escalations_out = draws.binomial(Purpose::Escalation, segment, step, failures - reenter, &rates.escalation);
    StepFlows { referrals: kept, prevented, starts, exits, successes, escalations_out, client_years }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In steady state, expected client-years per year equal arrivals × duration at any
    /// step length (the deterministic path is the expectation of the random one).
    #[test]
    fn expected_path_obeys_littles_law_at_every_step_length() {
        for spy in [1usize, 4, 12] {
            let dt = 1.0 / spy as f64;
            let d = 1.7;
            let lambda = 300.0; // referrals a year
            let rates = SegmentRates::new(d, dt, 0.6, 0.0, 0.0, 1.0);
            let none = Binomial::new(0.0);
            let mut state = SegmentState { active: lambda * d, waiting_reentry: 0.0 };
            let mut years = 0.0;
            for s in 0..(40 * spy) {
                let f = step(&mut ExpectedDraws, 0, s, &rates, &none, &mut state, lambda * dt, 0.0);
                if s >= 39 * spy {
                    years += f.client_years;
                }
            }
            assert!((state.active - lambda * d).abs() < 1e-6, "spy {spy}: active {}", state.active);
            assert!((years - lambda * d).abs() < 1e-6, "spy {spy}: client-years {years}");
        }
    }

    #[test]
    fn time_fractions_are_consistent() {
        let r = SegmentRates::new(0.5, 1.0, 0.5, 0.0, 0.0, 1.0);
        let e: f64 = (-2.0f64).exp();
        // Carried: stays all year with prob e, else the conditional expectation.
        let carried = e * 1.0 + (1.0 - e) * r.years_carried_exit;
        assert!((carried - 0.5 * (1.0 - e)).abs() < 1e-12);
        let p_stay = 1.0 - r.exit_new.probability();
        let new = p_stay * r.years_new_stay + (1.0 - p_stay) * r.years_new_exit;
        assert!((new - (0.5 - 0.25 * (1.0 - e))).abs() < 1e-12);
    }
}
