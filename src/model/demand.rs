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

use crate::engine::rng::{Purpose, RunKey, Stream, StreamStart};
use crate::engine::sample::Binomial;

/// Source of the binomial draws of a step: random (the engine) or expected values.
pub trait Draws {
    /// Successes among `n` trials with the sampler's probability, from the stream of
    /// `purpose` at `index` and `step`.
    fn binomial(&mut self, purpose: Purpose, index: usize, step: usize, n: f64, b: &Binomial) -> f64 {
        let start = self.start(purpose, index, step);
        self.binomial_keyed(&start, n, b)
    }
    /// The start of the stream of `purpose` at `index` and `step`.
    fn start(&self, purpose: Purpose, index: usize, step: usize) -> StreamStart;
    /// Like [`Draws::binomial`], from a stream start computed by [`Draws::start`].
    fn binomial_keyed(&mut self, start: &StreamStart, n: f64, b: &Binomial) -> f64;
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
    #[inline(always)]
    fn start(&self, purpose: Purpose, index: usize, step: usize) -> StreamStart {
        StreamStart::new(self.key.stream_key(purpose, index, step))
    }
    #[inline]
    fn binomial_keyed(&mut self, start: &StreamStart, n: f64, b: &Binomial) -> f64 {
        b.sample_count(n, &mut Stream::from_start(start))
    }
    fn open_uniform(&mut self, purpose: Purpose, index: usize, step: usize) -> f64 {
        self.key.stream(purpose, index, step).open_uniform()
    }
}

/// Expected values instead of draws: `n × p`.
pub struct ExpectedDraws;

impl Draws for ExpectedDraws {
    fn start(&self, _: Purpose, _: usize, _: usize) -> StreamStart {
        StreamStart::default()
    }
    #[inline]
    fn binomial_keyed(&mut self, _: &StreamStart, n: f64, b: &Binomial) -> f64 {
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

impl std::ops::AddAssign for StepFlows {
    fn add_assign(&mut self, o: StepFlows) {
        self.referrals += o.referrals;
        self.prevented += o.prevented;
        self.starts += o.starts;
        self.exits += o.exits;
        self.successes += o.successes;
        self.escalations_out += o.escalations_out;
        self.client_years += o.client_years;
    }
}

/// Segment paths advanced together through a step: one segment under several strategies,
/// or several segments. Their draws are independent within each phase of the step, so
/// they are made phase by phase for all paths (the processor overlaps them), and paths of
/// the same segment share stream keys (common random numbers).
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// Segment of each path: the index of its random streams.
    pub segment: Vec<usize>,
    /// Rates of each path.
    pub rates: Vec<SegmentRates>,
    /// Thinning of the shared referrals to the path's incidence factor.
    pub thin: Vec<Binomial>,
    /// Share of referrals prevented in the current step.
    pub prevention: Vec<Binomial>,
    /// State between steps.
    pub state: Vec<SegmentState>,
    /// Escalations arriving in the current step.
    pub escalations_in: Vec<f64>,
    /// What happened in the last step.
    pub flows: Vec<StepFlows>,
    /// A free label per path for the caller (the engine keeps the strategy a path stands for).
    pub rep: Vec<usize>,
    /// Stream starts of the current step, purpose-major, per segment.
    keys: Vec<StreamStart>,
}

/// The purposes of a step's draws, in the order they are made.
const STEP_PURPOSES: [Purpose; 8] = [
    Purpose::IncidenceThinning,
    Purpose::ReentryRelease,
    Purpose::Prevention,
    Purpose::ExitCarried,
    Purpose::ExitNew,
    Purpose::Success,
    Purpose::Reentry,
    Purpose::Escalation,
];

impl Paths {
    /// Adds a path of segment `segment`; returns its index.
    pub fn push(&mut self, segment: usize, rates: SegmentRates, thin: Binomial, state: SegmentState) -> usize {
        self.segment.push(segment);
        self.rates.push(rates);
        self.thin.push(thin);
        self.prevention.push(Binomial::new(0.0));
        self.state.push(state);
        self.escalations_in.push(0.0);
        self.flows.push(StepFlows::default());
        self.segment.len() - 1
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.segment.len()
    }

    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.segment.is_empty()
    }

    /// Removes all paths.
    pub fn clear(&mut self) {
        *self = Paths { keys: std::mem::take(&mut self.keys), ..Paths::default() };
    }
}

/// Advances every path by one step.
///
/// `referrals[g]` are the referrals of segment `g` in this step before thinning to a
/// path's incidence factor and before prevention; `escalations_in` holds the clients
/// escalated to each path in the previous step. Results land in `paths.flows`.
pub fn step_paths<D: Draws>(draws: &mut D, step: usize, paths: &mut Paths, referrals: &[f64]) {
    let n = paths.len();
    let nseg = referrals.len();
    paths.keys.resize(STEP_PURPOSES.len() * nseg, StreamStart::default());
    for (p, &purpose) in STEP_PURPOSES.iter().enumerate() {
        for g in 0..nseg {
            paths.keys[p * nseg + g] = draws.start(purpose, g, step);
        }
    }
    let key = |p: usize, g: usize| p * nseg + g;
    let Paths { segment, rates, thin, prevention, state, escalations_in, flows, keys, .. } = paths;
    for i in 0..n {
        let g = segment[i];
        let b = draws.binomial_keyed(&keys[key(0, g)], referrals[g], &thin[i]);
        flows[i].referrals = b;
    }
    for i in 0..n {
        let released = draws.binomial_keyed(&keys[key(1, segment[i])], state[i].waiting_reentry, &rates[i].release);
        state[i].waiting_reentry -= released;
        flows[i].starts = released + escalations_in[i];
    }
    for i in 0..n {
        let prevented = draws.binomial_keyed(&keys[key(2, segment[i])], flows[i].referrals, &prevention[i]);
        flows[i].prevented = prevented;
        flows[i].referrals -= prevented;
        flows[i].starts += flows[i].referrals;
    }
    for i in 0..n {
        let carried = state[i].active;
        let exit_carried = draws.binomial_keyed(&keys[key(3, segment[i])], carried, &rates[i].exit_carried);
        flows[i].exits = exit_carried;
        flows[i].client_years =
            (carried - exit_carried) * rates[i].step_years + exit_carried * rates[i].years_carried_exit;
    }
    for i in 0..n {
        let starts = flows[i].starts;
        let exit_new = draws.binomial_keyed(&keys[key(4, segment[i])], starts, &rates[i].exit_new);
        flows[i].client_years += (starts - exit_new) * rates[i].years_new_stay + exit_new * rates[i].years_new_exit;
        flows[i].exits += exit_new;
        state[i].active += starts - flows[i].exits;
    }
    for i in 0..n {
        flows[i].successes = draws.binomial_keyed(&keys[key(5, segment[i])], flows[i].exits, &rates[i].success);
    }
    for i in 0..n {
        let failures = flows[i].exits - flows[i].successes;
        let reenter = draws.binomial_keyed(&keys[key(6, segment[i])], failures, &rates[i].reentry);
        state[i].waiting_reentry += reenter;
        flows[i].escalations_out = failures - reenter;
    }
    for i in 0..n {
        let rest = flows[i].escalations_out;
        flows[i].escalations_out = draws.binomial_keyed(&keys[key(7, segment[i])], rest, &rates[i].escalation);
    }
}

/// Advances a single segment by one step (see [`step_paths`]); `referrals` are the
/// referrals before prevention, `escalations_in` those escalated to it in the previous step.
#[allow(clippy::too_many_arguments)]
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
    let mut paths = Paths::default();
    paths.push(segment, rates.clone(), Binomial::new(1.0), state.clone());
    paths.prevention[0] = *prevention;
    paths.escalations_in[0] = escalations_in;
    let mut shared = vec![0.0; segment + 1];
    shared[segment] = referrals;
    step_paths(draws, step, &mut paths, &shared);
    *state = paths.state[0].clone();
    paths.flows[0]
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
