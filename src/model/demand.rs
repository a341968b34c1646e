//! Demand (docs/model.md, section 3, "Demand: a segment of care"): the exact step scheme
//! of one segment.
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
//!
//! A segment with `duration_shape = k ≥ 2` keeps its clients per phase and moves them by
//! the exact step of [`super::phases`] instead; `k = 1` uses the scheme above, draw for
//! draw as before.
//! [`Draws`] abstracts the random draws, so the same code gives the deterministic
//! expected-value path that prices task contracts.

use crate::math;
use std::collections::VecDeque;

use super::phases::{MAX_SHAPE, PhaseRates};
use crate::random::rng::{Purpose, RunKey, Stream, StreamStart};
use crate::random::sample::{Binomial, poisson};

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
    /// A Poisson count with mean `mean` from the stream of `purpose` at `index` and `step`
    /// (the mean itself for expected values).
    fn poisson(&mut self, purpose: Purpose, index: usize, step: usize, mean: f64) -> f64;
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
    fn poisson(&mut self, purpose: Purpose, index: usize, step: usize, mean: f64) -> f64 {
        poisson(mean, &mut self.key.stream(purpose, index, step)) as f64
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
    fn poisson(&mut self, _: Purpose, _: usize, _: usize, mean: f64) -> f64 {
        mean
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
    /// Durations in `k ≥ 2` phases (`duration_shape`, see [`super::phases`]); `None` for
    /// exponential durations, which use the fields above.
    pub phases: Option<Box<PhaseRates>>,
}

impl SegmentRates {
    /// Rates for mean duration `d` (years), step `Δ`, and the outcome probabilities.
    pub fn new(d: f64, step_years: f64, success: f64, reentry: f64, escalation: f64, reentry_delay_years: f64) -> Self {
        let dt = step_years;
        let x = dt / d;
        let one_minus_e = -math::exp_m1(-x);
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
            phases: None,
        }
    }

    /// The same rates with durations in `shape` phases of mean `d / shape` each (`d` the
    /// mean duration these rates were built with); `shape = 1` changes nothing.
    pub fn with_shape(mut self, d: f64, shape: usize) -> Self {
        if shape > 1 {
            self.phases = Some(Box::new(PhaseRates::new(d, shape, self.step_years)));
        }
        self
    }
}

/// The state of a segment between steps.
#[derive(Debug, Clone, Default)]
pub struct SegmentState {
    /// Active clients.
    pub active: f64,
    /// Failed clients waiting to re-enter.
    pub waiting_reentry: f64,
    /// Clients on the waiting list (always 0 without capacity or rationing).
    pub queue: f64,
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
    /// Client-years spent on the waiting list during the step (the integral of its length
    /// over the step): its mean length over a year is the sum over the year's steps.
    pub queue_years: f64,
    /// Clients who left the waiting list for help elsewhere (drop-out).
    pub dropouts: f64,
    /// Clients who escalated to the heavier segment while waiting (they are also counted in
    /// `escalations_out`, which carries them there).
    pub escalations_waiting: f64,
    /// Sum over the admitted clients of their waiting time, in years.
    pub wait_years: f64,
    /// Admitted clients who waited longer than the norm.
    pub over_norm: f64,
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
        self.queue_years += o.queue_years;
        self.dropouts += o.dropouts;
        self.escalations_waiting += o.escalations_waiting;
        self.wait_years += o.wait_years;
        self.over_norm += o.over_norm;
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
    /// Waiting lists: per path, its limits and queue (see [`Limits`]); `None` for a path
    /// without capacity or rationing, which never touches any of it.
    pub limits: Vec<Option<Limits>>,
    /// Whether any path has limits (paths without skip the queue phase entirely).
    pub any_limited: bool,
    /// The waiting-time norm in years (admissions that waited longer are counted).
    pub norm_years: f64,
    /// Stream starts of the current step, purpose-major, per segment.
    keys: Vec<StreamStart>,
    /// Per path: whether the queue phase already made this step's exits (places refilled
    /// within the step), so that the exit phases skip it.
    places_step: Vec<bool>,
    /// Per path with durations in phases: the clients in each phase (their sum is
    /// `state.active`); empty for exponential durations.
    pub phases: Vec<Vec<f64>>,
    /// The current step.
    step: usize,
}

/// The capacity, rationing and waiting list of one path (see docs/model.md, section 11,
/// "Capacity, rationing and waiting lists", for the scheme and its exactness).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Places: the maximum active clients (`INFINITY` without a capacity).
    pub capacity: f64,
    /// Admissions allowed in the current step by rationing (`INFINITY` without); the engine
    /// sets it before each step.
    pub admit_cap: f64,
    /// Mean stay in years (`d`): releases of full places are Poisson with mean `C Δ / d`.
    pub mean_stay_years: f64,
    /// Hazard of leaving the waiting list, per year: drop-out plus escalation (`δ + η`).
    pub leave_hazard: f64,
    /// Share of those leaving who escalate: `η / (δ + η)`.
    pub escalate: Binomial,
    /// Waiting cohorts, oldest first. A cohort's clients arrived evenly over an interval of
    /// time (years since the start), in FIFO order.
    pub cohorts: VecDeque<Cohort>,
    /// Admitted blocks with a positive wait since the caller last cleared them, for the
    /// percentiles of waiting time.
    pub waits: Vec<WaitBlock>,
}

/// Clients on a waiting list who arrived evenly over `[from, to]` (years since the start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cohort {
    /// Arrival time of the first.
    pub from: f64,
    /// Arrival time of the last.
    pub to: f64,
    /// Clients.
    pub count: f64,
    /// Density coefficient within the current step (see `Fluid`); set at each step.
    pub density: f64,
}

/// Admitted clients whose waits run evenly from `shortest` to `longest` years (FIFO with
/// arrivals and admissions spread evenly: the wait is linear in the position).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitBlock {
    /// Shortest wait in the block, years.
    pub shortest: f64,
    /// Longest wait in the block, years.
    pub longest: f64,
    /// Clients.
    pub count: f64,
}

impl WaitBlock {
    /// Clients of the block who waited at most `w` years.
    pub(crate) fn at_most(&self, w: f64) -> f64 {
        if w >= self.longest {
            self.count
        } else if w < self.shortest {
            0.0
        } else {
            self.count * (w - self.shortest) / (self.longest - self.shortest)
        }
    }
}

impl Limits {
    /// Limits with capacity `capacity` (`INFINITY`: none), mean stay `d`, drop-out and
    /// escalation rates while waiting (per year).
    pub fn new(capacity: f64, d: f64, dropout: f64, escalation: f64) -> Self {
        let h = dropout + escalation;
        Limits {
            capacity,
            admit_cap: f64::INFINITY,
            mean_stay_years: d,
            leave_hazard: h,
            escalate: Binomial::new(if h > 0.0 { escalation / h } else { 0.0 }),
            cohorts: VecDeque::new(),
            waits: Vec::new(),
        }
    }
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
        self.limits.push(None);
        self.places_step.push(false);
        self.phases.push(Vec::new());
        self.segment.len() - 1
    }

    /// Gives path `i` durations in phases when its rates have them: its active clients
    /// are spread evenly over the phases (see [`super::phases::initial_phases`]).
    pub fn spread_over_phases(&mut self, i: usize) {
        if let Some(ph) = &self.rates[i].phases {
            self.phases[i] = super::phases::initial_phases(self.state[i].active, ph.shape);
            self.state[i].active = self.phases[i].iter().sum();
        }
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
        *self = Paths { keys: std::mem::take(&mut self.keys), norm_years: self.norm_years, ..Paths::default() };
    }
}

/// Advances every path by one step.
///
/// `referrals[g]` are the referrals of segment `g` in this step before thinning to a
/// path's incidence factor and before prevention; `escalations_in` holds the clients
/// escalated to each path in the previous step. Results land in `paths.flows`.
pub fn step_paths<D: Draws>(draws: &mut D, step: usize, paths: &mut Paths, referrals: &[f64]) {
    paths.stream_starts(draws, step, referrals.len());
    paths.arrivals(draws, referrals);
    if paths.any_limited {
        paths.queues(draws, step);
    }
    paths.exits(draws);
    paths.outcomes(draws);
}

/// The stream starts of phase `p` of a step (its purpose is `STEP_PURPOSES[p]`), per
/// segment.
fn phase_keys(keys: &[StreamStart], p: usize) -> &[StreamStart] {
    let nseg = keys.len() / STEP_PURPOSES.len();
    &keys[p * nseg..(p + 1) * nseg]
}

/// The phases of a step (see [`step_paths`]), each for all paths.
impl Paths {
    /// The stream starts of the step's draws, purpose-major, per segment.
    fn stream_starts<D: Draws>(&mut self, draws: &D, step: usize, nseg: usize) {
        self.step = step;
        self.keys.resize(STEP_PURPOSES.len() * nseg, StreamStart::default());
        for (p, &purpose) in STEP_PURPOSES.iter().enumerate() {
            for g in 0..nseg {
                self.keys[p * nseg + g] = draws.start(purpose, g, step);
            }
        }
    }

    /// The step's arrivals into `flows.starts`: the shared referrals thinned to each path's
    /// incidence factor, less those prevented, plus the re-entries released and the
    /// escalations in.
    fn arrivals<D: Draws>(&mut self, draws: &mut D, referrals: &[f64]) {
        let Paths { segment, rates, thin, prevention, state, escalations_in, flows, keys, .. } = self;
        let n = segment.len();
        let (thinning, release, prevent) = (phase_keys(keys, 0), phase_keys(keys, 1), phase_keys(keys, 2));
        for i in 0..n {
            let g = segment[i];
            let b = draws.binomial_keyed(&thinning[g], referrals[g], &thin[i]);
            flows[i].referrals = b;
        }
        for i in 0..n {
            let released = draws.binomial_keyed(&release[segment[i]], state[i].waiting_reentry, &rates[i].release);
            state[i].waiting_reentry -= released;
            flows[i].starts = released + escalations_in[i];
        }
        for i in 0..n {
            let prevented = draws.binomial_keyed(&prevent[segment[i]], flows[i].referrals, &prevention[i]);
            flows[i].prevented = prevented;
            flows[i].referrals -= prevented;
            flows[i].starts += flows[i].referrals;
        }
    }

    /// The queue phase of every limited path (see [`QueueStep`]); notes which paths made
    /// their exits there.
    fn queues<D: Draws>(&mut self, draws: &mut D, step: usize) {
        let Paths { segment, rates, state, flows, limits, places_step, norm_years, phases, .. } = self;
        for i in 0..segment.len() {
            places_step[i] = false;
            if let Some(lim) = limits[i].as_mut() {
                let q =
                    QueueStep { step, segment: segment[i], step_years: rates[i].step_years, norm_years: *norm_years };
                let cycle = rates[i].phases.as_deref().and_then(|ph| ph.cycle.as_ref().map(|c| (ph, c)));
                match cycle {
                    Some((ph, cycle)) if q.binds(lim, &state[i], &flows[i]) => {
                        if phases[i].len() != ph.shape {
                            phases[i] = super::phases::initial_phases(state[i].active, ph.shape);
                        }
                        // Durations in phases: full places release by the phase clock (see
                        // `cycle_places`), not as a Poisson process.
                        let a0 = state[i].active;
                        let occupied = q.occupied(lim, state[i].queue, a0, flows[i].starts);
                        let mut end = [0.0; MAX_SHAPE];
                        let releases =
                            cycle_places(draws, (ph, cycle), (segment[i], step), &phases[i], occupied - a0, &mut end);
                        places_step[i] = q.run(draws, lim, &mut state[i], &mut flows[i], Some(releases));
                        settle_phases(&mut phases[i], &end, state[i].active);
                    }
                    _ => places_step[i] = q.run(draws, lim, &mut state[i], &mut flows[i], None),
                }
            }
        }
    }

    /// Exits of the clients carried into the step and of those who started in it, with
    /// their client-years (except on paths whose queue phase made the exits).
    fn exits<D: Draws>(&mut self, draws: &mut D) {
        let limited = self.any_limited;
        let Paths { segment, rates, state, flows, keys, places_step, .. } = self;
        let n = segment.len();
        let (carried_keys, new_keys) = (phase_keys(keys, 3), phase_keys(keys, 4));
        for i in 0..n {
            if (limited && places_step[i]) || rates[i].phases.is_some() {
                continue;
            }
            let carried = state[i].active;
            let exit_carried = draws.binomial_keyed(&carried_keys[segment[i]], carried, &rates[i].exit_carried);
            flows[i].exits = exit_carried;
            flows[i].client_years =
                (carried - exit_carried) * rates[i].step_years + exit_carried * rates[i].years_carried_exit;
        }
        for i in 0..n {
            if (limited && places_step[i]) || rates[i].phases.is_some() {
                continue;
            }
            let starts = flows[i].starts;
            let exit_new = draws.binomial_keyed(&new_keys[segment[i]], starts, &rates[i].exit_new);
            flows[i].client_years += (starts - exit_new) * rates[i].years_new_stay + exit_new * rates[i].years_new_exit;
            flows[i].exits += exit_new;
            state[i].active += starts - flows[i].exits;
        }
        self.phase_exits(draws);
    }

    /// The exits phase of the paths with durations in phases.
    fn phase_exits<D: Draws>(&mut self, draws: &mut D) {
        let limited = self.any_limited;
        let Paths { segment, rates, state, flows, phases, places_step, step, .. } = self;
        for i in 0..segment.len() {
            let Some(ph) = &rates[i].phases else { continue };
            if limited && places_step[i] {
                continue;
            }
            if phases[i].len() != ph.shape {
                // A path pushed without `spread_over_phases`: spread its clients now.
                phases[i] = super::phases::initial_phases(state[i].active, ph.shape);
            }
            move_carried(draws, ph, segment[i], *step, &mut phases[i], &mut state[i], &mut flows[i]);
            move_new(draws, ph, segment[i], *step, &mut phases[i], &mut state[i], &mut flows[i]);
        }
    }

    /// What the exits come to: successes; of the failures, re-entries (they wait to
    /// re-enter) and escalations to the heavier segment, with those who escalated while
    /// waiting.
    fn outcomes<D: Draws>(&mut self, draws: &mut D) {
        let limited = self.any_limited;
        let Paths { segment, rates, state, flows, keys, .. } = self;
        let n = segment.len();
        let (success, reentry, escalation) = (phase_keys(keys, 5), phase_keys(keys, 6), phase_keys(keys, 7));
        for i in 0..n {
            flows[i].successes = draws.binomial_keyed(&success[segment[i]], flows[i].exits, &rates[i].success);
        }
        for i in 0..n {
            let failures = flows[i].exits - flows[i].successes;
            let reenter = draws.binomial_keyed(&reentry[segment[i]], failures, &rates[i].reentry);
            state[i].waiting_reentry += reenter;
            flows[i].escalations_out = failures - reenter;
        }
        for i in 0..n {
            let rest = flows[i].escalations_out;
            flows[i].escalations_out = draws.binomial_keyed(&escalation[segment[i]], rest, &rates[i].escalation);
        }
        if limited {
            for f in flows.iter_mut() {
                f.escalations_out += f.escalations_waiting;
            }
        }
    }
}

/// Moves the clients carried into the step through their phases (see
/// [`super::phases`]): per phase, from the last to the first so that each phase's count is
/// read before earlier phases add to it, the exits and then the phase each stayer ends in.
/// Sets `flows.exits` and `flows.client_years` to the carried clients'; `state.active`
/// loses the exits.
fn move_carried<D: Draws>(
    draws: &mut D,
    ph: &PhaseRates,
    segment: usize,
    step: usize,
    phases: &mut [f64],
    state: &mut SegmentState,
    flows: &mut StepFlows,
) {
    let k = phases.len();
    let (mut exits, mut years) = (0.0, 0.0);
    for j in (0..k).rev() {
        let n = phases[j];
        phases[j] = 0.0;
        if n <= 0.0 {
            continue;
        }
        let row = &ph.carried[j];
        let base = segment * 1024 + j * 32;
        let x = draws.binomial_keyed(&draws.start(Purpose::PhaseCarried, base, step), n, &row.exit);
        let mut rest = n - x;
        exits += x;
        // Carried clients who stay are in care all step, whatever phase they end in.
        years += x * row.years_exit + rest * row.years_stay[0];
        for (m, b) in row.stay.iter().enumerate() {
            if rest <= 0.0 {
                break;
            }
            let y = draws.binomial_keyed(&draws.start(Purpose::PhaseCarried, base + m + 1, step), rest, b);
            phases[j + m] += y;
            rest -= y;
        }
        phases[k - 1] += rest;
    }
    flows.exits = exits;
    flows.client_years = years;
    state.active -= exits;
}

/// The releases of a binding step's occupied places with durations in phases (docs/model.md
/// section 11): as with exponential stays, the places are taken as full all through the
/// step and refilled at once, so each place runs its phase clock without a pause: its phase
/// changes in the step are Poisson with mean `μ = kΔ/d`, and a place in phase `j` with `n`
/// of them releases `⌊(j + n)/k⌋` clients and ends in phase `(j + n) mod k`. The places in
/// each phase (and the `filled` free places, which start in phase 0) are spread over `n` by
/// conditional binomials. Returns the releases; `end` gets the places per phase at the end.
fn cycle_places<D: Draws>(
    draws: &mut D,
    (ph, cycle): (&PhaseRates, &super::phases::Cycle),
    (segment, step): (usize, usize),
    phases: &[f64],
    filled: f64,
    end: &mut [f64],
) -> f64 {
    let k = ph.shape;
    let mut releases = 0.0;
    for j in 0..k {
        let mut rest = phases[j] + if j == 0 { filled } else { 0.0 };
        for (n, b) in cycle.ticks.iter().enumerate() {
            if rest <= 0.0 {
                break;
            }
            let last = n + 1 == cycle.ticks.len();
            let y = if last {
                rest
            } else {
                let index = (segment * 32 + j) * 1024 + n;
                draws.binomial_keyed(&draws.start(Purpose::PhaseCycle, index, step), rest, b)
            };
            releases += y * ((j + n) / k) as f64;
            end[(j + n) % k] += y;
            rest -= y;
        }
    }
    releases
}

/// The phases at the end of a binding step with places: the places' end phases `end`, less
/// the places left empty (`Σ end − active`: releases not refilled because the list ran
/// out), taken from the earliest phases, where the refills that did not happen would be.
fn settle_phases(phases: &mut [f64], end: &[f64], active: f64) {
    let mut empty = (end[..phases.len()].iter().sum::<f64>() - active).max(0.0);
    for (p, &e) in phases.iter_mut().zip(end) {
        let take = e.min(empty);
        *p = e - take;
        empty -= take;
    }
}

/// Moves the step's starts (`flows.starts`, all entering the first phase, uniformly in
/// time) through the phases; adds their exits and client-years to `flows`.
fn move_new<D: Draws>(
    draws: &mut D,
    ph: &PhaseRates,
    segment: usize,
    step: usize,
    phases: &mut [f64],
    state: &mut SegmentState,
    flows: &mut StepFlows,
) {
    let k = phases.len();
    let n = flows.starts;
    if n > 0.0 {
        let row = &ph.new;
        let base = segment * 32;
        let x = draws.binomial_keyed(&draws.start(Purpose::PhaseNew, base, step), n, &row.exit);
        let mut rest = n - x;
        let mut years = x * row.years_exit;
        for (m, b) in row.stay.iter().enumerate() {
            if rest <= 0.0 {
                break;
            }
            let y = draws.binomial_keyed(&draws.start(Purpose::PhaseNew, base + m + 1, step), rest, b);
            phases[m] += y;
            years += y * row.years_stay[m];
            rest -= y;
        }
        phases[k - 1] += rest;
        years += rest * row.years_stay[k - 1];
        flows.exits += x;
        flows.client_years += years;
        state.active += n - x;
    }
}

/// The queue phase of one limited path in one step (docs/model.md, section 11,
/// "Capacity, rationing and waiting lists").
///
/// On entry `flows.starts` holds the step's arrivals `S` (clients who need care). When
/// nobody waits and the arrivals fit in the free places and under the rationing cap, the
/// step is the ordinary one (not one extra draw). Otherwise the step *binds*:
///
/// * admission slots: with a capacity `C`, the free places at the start plus the
///   releases `R ~ Poisson(A Δ / d)` of the occupied places `A` (exact for exponential stays
///   with immediate refilling: full places release clients as a Poisson process of rate
///   `C / d`), capped by rationing; without a capacity, the rationing cap alone;
/// * admissions `N = min(Q0 + S, slots)`, oldest cohort first;
/// * leaving the list: the expected queue within the step follows
///   `dQ/dt = (S - N)/Δ - h Q` (arrivals and admissions spread evenly over the step,
///   `h = δ + η`), so the expected leavers are `L̄ = Q0 + S - N - Q(Δ)` and the time on the
///   list is `∫Q dt = L̄ / h` (for `h = 0`, `(Q0 + (S - N)/2) Δ`); the leavers are
///   `L ~ Binomial(Q0 + S - N, L̄ / (Q0 + S - N))` and of them `Binomial(L, η / h)`
///   escalate. In expectation this is the continuous-time queue whatever the step length.
///
/// Returns whether the step's exits were made here (capacity: releases are the exits and
/// client-years are `Δ (A0 + A1) / 2`), so that the ordinary exit phases skip the path.
struct QueueStep {
    step: usize,
    segment: usize,
    step_years: f64,
    norm_years: f64,
}

/// The waiting list within a step as a fluid (docs/model.md, "Waiting times"): arrivals
/// spread evenly over their interval, admissions evenly over the step at rate `nu` from the
/// front (FIFO), everyone waiting leaving at hazard `h`. A cohort's survivors at time `t`
/// have density `D e^{h (a - t0)} e^{-h (t - t0)}` over their arrival times `a`, so the
/// front `f` (relative to `t0`) moves by `e^{h f1} - e^{h f0} = (nu / D)(e^{h r1} - e^{h r0})`
/// between relative times `r0` and `r1` (linear when `h = 0`). Times here are relative to
/// the step's start `t0`.
struct Fluid {
    h: f64,
    dt: f64,
    t0: f64,
    nu: f64,
}

impl Fluid {
    /// `D` of an earlier cohort from its count at the step's start.
    fn density(&self, c: &Cohort) -> f64 {
        let (lo, hi) = (c.from - self.t0, c.to - self.t0);
        let width = if self.h > 1e-12 { (math::exp(self.h * hi) - math::exp(self.h * lo)) / self.h } else { hi - lo };
        if width > 0.0 { c.count / width } else { f64::INFINITY }
    }

    /// The front at relative time `r` of a cohort whose front was `f0` at `r0`.
    fn front_at(&self, f0: f64, r0: f64, r: f64, density: f64) -> f64 {
        if !density.is_finite() || density <= 0.0 {
            return f0;
        }
        let k = self.nu / density;
        if self.h > 1e-12 {
            let x = math::exp(self.h * f0) + k * (math::exp(self.h * r) - math::exp(self.h * r0));
            math::ln(x) / self.h
        } else {
            f0 + k * (r - r0)
        }
    }

    /// From relative time `r0` with the front at `f0`: the time `r1` (at most the step's
    /// end) when the cohort `[f0, hi]` is used up, the front then, and whether the front
    /// caught up with the present (a fresh cohort: the list is empty, later arrivals of the
    /// cohort are admitted at once).
    fn advance(&self, f0: f64, hi: f64, r0: f64, density: f64, fresh: bool) -> (f64, f64, bool) {
        if !density.is_finite() || density <= 0.0 || self.nu <= 0.0 {
            return (r0, hi, density.is_finite());
        }
        let k = self.nu / density;
        let h = self.h;
        // Time at which the front reaches `hi`.
        let r_end = if h > 1e-12 {
            let x = math::exp(h * r0) + (math::exp(h * hi) - math::exp(h * f0)) / k;
            math::ln(x) / h
        } else {
            r0 + (hi - f0) / k
        };
        let mut r1 = r_end.min(self.dt);
        let mut caught = false;
        if fresh && k > 1.0 {
            // Front meets the present: e^{h r}(1 - k) = e^{h f0} - k e^{h r0}.
            let r_meet = if h > 1e-12 {
                let x = (k * math::exp(h * r0) - math::exp(h * f0)) / (k - 1.0);
                if x > 0.0 { math::ln(x) / h } else { r0 }
            } else {
                (k * r0 - f0) / (k - 1.0)
            };
            if r_meet < r1 {
                r1 = r_meet.max(r0);
                caught = true;
            }
        }
        let f1 = if caught { r1 } else { self.front_at(f0, r0, r1, density).min(hi) };
        (r1, f1, caught)
    }

    /// Survivors at the step's end of a cohort whose front is now at `c.from`.
    fn survivors_at_end(&self, c: &Cohort) -> f64 {
        let (lo, hi) = (c.from - self.t0, c.to - self.t0);
        let h = self.h;
        let density = c.density;
        if !density.is_finite() {
            return c.count;
        }
        if h > 1e-12 {
            density * math::exp(-h * self.dt) * (math::exp(h * hi) - math::exp(h * lo)) / h
        } else {
            density * (hi - lo)
        }
    }
}

/// The counts of a step that binds: on the list at the start, arrivals, admissions.
struct Binding {
    queue: f64,
    arrivals: f64,
    admitted: f64,
}

/// The clients who left a waiting list within a step, and the list's client-years.
struct Leaving {
    /// Clients who left the list (drop-outs and escalations).
    leavers: f64,
    /// Leavers who escalated.
    escalated: f64,
    /// Client-years on the list during the step.
    queue_years: f64,
}

impl QueueStep {
    /// The queue phase of the path with limits `lim` (see [`QueueStep`]); returns whether
    /// the step's exits were made here.
    ///
    /// `releases`: for a path with durations in phases, the releases of the occupied places,
    /// drawn by the phase clock (see `cycle_places`) instead of as Poisson counts.
    fn run<D: Draws>(
        &self,
        draws: &mut D,
        lim: &mut Limits,
        state: &mut SegmentState,
        flows: &mut StepFlows,
        releases: Option<f64>,
    ) -> bool {
        let dt = self.step_years;
        let arrivals = flows.starts;
        let q0 = state.queue;
        let a0 = state.active;
        let free = (lim.capacity - a0).max(0.0);
        flows.queue_years = 0.0;
        flows.dropouts = 0.0;
        flows.escalations_waiting = 0.0;
        flows.wait_years = 0.0;
        flows.over_norm = 0.0;
        if q0 <= 0.0 && arrivals <= free.min(lim.admit_cap) {
            return false;
        }
        let (releases, admitted) = self.admissions(draws, lim, q0, a0, arrivals, releases);
        let binding = Binding { queue: q0, arrivals, admitted };
        let leaving = self.leaving(draws, lim, &binding);
        self.admit_cohorts(lim, flows, &binding);
        let candidates = q0 + arrivals;
        state.queue = (candidates - admitted - leaving.leavers).max(0.0);
        rescale_cohorts(lim, state.queue);
        flows.starts = admitted;
        flows.queue_years = leaving.queue_years;
        flows.dropouts = leaving.leavers - leaving.escalated;
        flows.escalations_waiting = leaving.escalated;
        let places = lim.capacity.is_finite();
        if places {
            let exits = releases.min(a0 + admitted);
            let a1 = a0 + admitted - exits;
            flows.exits = exits;
            flows.client_years = dt * (a0 + a1) / 2.0;
            state.active = a1;
        }
        places
    }

    /// Whether the step binds (see [`QueueStep`]): someone waits, or the arrivals do not
    /// fit in the free places or under the rationing cap.
    fn binds(&self, lim: &Limits, state: &SegmentState, flows: &StepFlows) -> bool {
        let free = (lim.capacity - state.active).max(0.0);
        !(state.queue <= 0.0 && flows.starts <= free.min(lim.admit_cap))
    }

    /// The places taken as occupied all through a binding step: the active clients and the
    /// free places filled at once from the `q0` waiting and the step's `arrivals`.
    fn occupied(&self, lim: &Limits, q0: f64, a0: f64, arrivals: f64) -> f64 {
        let free = (lim.capacity - a0).max(0.0);
        a0.max((a0 + free.min(q0 + arrivals)).min(lim.capacity))
    }

    /// The releases of occupied places (with a capacity) and the admissions of the step,
    /// from `q0` waiting, `a0` active and the step's `arrivals`.
    /// `given`: releases already drawn (durations in phases).
    fn admissions<D: Draws>(
        &self,
        draws: &mut D,
        lim: &Limits,
        q0: f64,
        a0: f64,
        arrivals: f64,
        given: Option<f64>,
    ) -> (f64, f64) {
        let free = (lim.capacity - a0).max(0.0);
        let mut releases = 0.0;
        let mut slots = f64::INFINITY;
        if lim.capacity.is_finite() {
            releases = match given {
                Some(r) => r,
                None => {
                    let mean = self.occupied(lim, q0, a0, arrivals) * self.step_years / lim.mean_stay_years;
                    draws.poisson(Purpose::QueueRelease, self.segment, self.step, mean)
                }
            };
            slots = free + releases;
        }
        slots = slots.min(lim.admit_cap.max(0.0));
        let candidates = q0 + arrivals;
        (releases, candidates.min(slots).max(0.0))
    }

    /// Who leaves the list within the step, and its client-years.
    fn leaving<D: Draws>(&self, draws: &mut D, lim: &Limits, b: &Binding) -> Leaving {
        let dt = self.step_years;
        let (q0, arrivals, admitted) = (b.queue, b.arrivals, b.admitted);
        let candidates = q0 + arrivals;
        let left_over = candidates - admitted;
        // The queue within the step: dQ/dt = (S - N)/Δ - h Q from Q0.
        let h = lim.leave_hazard;
        let net = (arrivals - admitted) / dt;
        let (expected_leavers, queue_years) = if left_over <= 0.0 {
            (0.0, (q0 * dt / 2.0).max(0.0))
        } else if h > 0.0 {
            let e = math::exp(-h * dt);
            let q_inf = net / h;
            let q_end = (q_inf + (q0 - q_inf) * e).max(0.0);
            let l = (left_over - q_end).clamp(0.0, left_over);
            (l, l / h)
        } else {
            (0.0, ((q0 + 0.5 * (arrivals - admitted)) * dt).max(0.0))
        };
        let leavers = if expected_leavers > 0.0 {
            let b = Binomial::new((expected_leavers / left_over).min(1.0));
            draws.binomial(Purpose::QueueLeave, self.segment, self.step, left_over, &b)
        } else {
            0.0
        };
        let escalated = if leavers > 0.0 {
            draws.binomial(Purpose::QueueEscalation, self.segment, self.step, leavers, &lim.escalate)
        } else {
            0.0
        };
        Leaving { leavers, escalated, queue_years }
    }

    /// The admissions from the cohorts (see `Fluid`): the step's arrivals join at the back;
    /// the admitted leave from the front, admitted evenly over the step, while everyone
    /// still waiting leaves the list at hazard h, so the ones ahead of a client thin out as
    /// it waits. Adds the admitted clients' waits to `flows` and `lim.waits`, and leaves
    /// the survivors at the step's end in the cohorts, as the fluid has them.
    fn admit_cohorts(&self, lim: &mut Limits, flows: &mut StepFlows, b: &Binding) {
        let dt = self.step_years;
        let (arrivals, admitted) = (b.arrivals, b.admitted);
        let t0 = self.step as f64 * dt;
        let fluid = Fluid { h: lim.leave_hazard, dt, t0, nu: admitted / dt };
        let fresh_density = arrivals / dt;
        if arrivals > 0.0 {
            lim.cohorts.push_back(Cohort { from: t0, to: t0 + dt, count: arrivals, density: fresh_density });
        }
        for c in lim.cohorts.iter_mut() {
            c.density = if c.from >= t0 - 1e-12 { fresh_density } else { fluid.density(c) };
        }
        let mut r = 0.0;
        let mut done = 0.0;
        while admitted > 0.0 && done < admitted - 1e-9 && r < dt - 1e-12 {
            let Some(front) = lim.cohorts.front_mut() else { break };
            let fresh = front.from >= t0 - 1e-12;
            let (f0, hi) = (front.from - t0, front.to - t0);
            let (r1, f1, caught_up) = fluid.advance(f0, hi, r, front.density, fresh);
            let take = (fluid.nu * (r1 - r)).min(admitted - done).max(0.0);
            let wait_at = |rr: f64, f: f64| (rr - f).max(0.0);
            let rm = 0.5 * (r + r1);
            let (w0, w1) = (wait_at(r, f0), wait_at(r1, f1));
            let w_mid = wait_at(rm, fluid.front_at(f0, r, rm, front.density).min(rm));
            let block = WaitBlock { shortest: w0.min(w1), longest: w0.max(w1), count: take };
            flows.wait_years += take * (w0 + 4.0 * w_mid + w1) / 6.0;
            flows.over_norm += take - block.at_most(self.norm_years);
            if block.longest > 0.0 && take > 0.0 {
                lim.waits.push(block);
            }
            done += take;
            r = r1;
            if caught_up {
                // The list is empty from here: the rest are admitted as they arrive.
                lim.cohorts.clear();
                break;
            }
            // Stopping before the step's end without catching up means the cohort was used
            // up, even where rounding leaves its front a hair short of its end (at extreme
            // durations `r1` then barely moves): so each pass leaves the cohort, ends the
            // step or breaks, and the loop ends after at most one pass per cohort.
            let used_up = r1 < dt - 1e-12;
            if used_up || f1 >= hi - 1e-12 {
                lim.cohorts.pop_front();
            } else {
                front.from = t0 + f1;
            }
        }
        for c in lim.cohorts.iter_mut() {
            c.count = fluid.survivors_at_end(c);
        }
    }
}

/// Rescales the cohorts to `queue`, the count on the list: the count is exact (drawn), the
/// cohorts carry its ages (a cohort cannot lose more clients than it has).
fn rescale_cohorts(lim: &mut Limits, queue: f64) {
    let in_cohorts: f64 = lim.cohorts.iter().map(|c| c.count).sum();
    if queue <= 0.0 || in_cohorts <= 0.0 {
        lim.cohorts.clear();
    } else if (in_cohorts - queue).abs() > 1e-9 {
        let f = queue / in_cohorts;
        lim.cohorts.iter_mut().for_each(|c| c.count *= f);
    }
    lim.cohorts.retain(|c| c.count > 1e-12);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One segment alone through one step on expected values, without prevention or
    /// escalations in.
    fn expected_step(step: usize, rates: &SegmentRates, state: &mut SegmentState, referrals: f64) -> StepFlows {
        let mut paths = Paths::default();
        paths.push(0, rates.clone(), Binomial::new(1.0), state.clone());
        step_paths(&mut ExpectedDraws, step, &mut paths, &[referrals]);
        *state = paths.state[0].clone();
        paths.flows[0]
    }

    /// In steady state, expected client-years per year equal arrivals × duration at any
    /// step length (the deterministic path is the expectation of the random one).
    #[test]
    fn expected_path_obeys_littles_law_at_every_step_length() {
        for spy in [1usize, 4, 12] {
            let dt = 1.0 / spy as f64;
            let d = 1.7;
            let lambda = 300.0; // referrals a year
            let rates = SegmentRates::new(d, dt, 0.6, 0.0, 0.0, 1.0);
            let mut state = SegmentState { active: lambda * d, waiting_reentry: 0.0, queue: 0.0 };
            let mut years = 0.0;
            for s in 0..(40 * spy) {
                let f = expected_step(s, &rates, &mut state, lambda * dt);
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
        let e: f64 = math::exp(-2.0f64);
        // Carried: stays all year with prob e, else the conditional expectation.
        let carried = e * 1.0 + (1.0 - e) * r.years_carried_exit;
        assert!((carried - 0.5 * (1.0 - e)).abs() < 1e-12);
        let p_stay = 1.0 - r.exit_new.probability();
        let new = p_stay * r.years_new_stay + (1.0 - p_stay) * r.years_new_exit;
        assert!((new - (0.5 - 0.25 * (1.0 - e))).abs() < 1e-12);
    }
}
