//! The scenario file format: the validated [`Scenario`] the engine accepts, the
//! distributions of uncertain values, and the reader that turns a TOML file into a
//! `Scenario` or a list of problems with file, line, column and key.
//!
//! Every uncertain (or fixed) numeric input that the format calls a *value* is registered
//! as a [`Param`] with a dotted path (`segment.residential.mean_duration_years`), so that
//! one run's draws are one vector, written to `runs.csv` and shared by every analysis.

pub mod dist;
pub mod dutch;
mod error;
pub mod lever;
pub mod question;
mod read;
pub mod region;
pub mod variant;

use std::path::PathBuf;

pub use dist::DistError;
pub use dist::{Distribution, Shape};
pub use error::{Problem, ScenarioError};
pub use read::{load, parse_str, read_text};

/// Index of a value in [`Scenario::params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId(pub usize);

/// A numeric input: its dotted path in the file and its distribution (fixed or uncertain).
#[derive(Debug, Clone)]
pub struct Param {
    /// Dotted path, e.g. `prevention.oost.effect`.
    pub path: String,
    /// The distribution; fixed values are degenerate distributions.
    pub dist: Distribution,
}

/// Most alternatives `[scenario] focus` may name: the charts show the baseline and at most
/// this many others.
pub const MAX_FOCUS: usize = 4;

/// A validated scenario: the only input the engine accepts.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `[scenario] name`.
    pub name: String,
    /// `[scenario] description`.
    pub description: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Years simulated.
    pub horizon_years: usize,
    /// Steps per year: 1, 4 or 12.
    pub steps_per_year: usize,
    /// Discount rate applied to the nominal yearly flows; with a time-varying schedule, the
    /// rate of the start year (see [`Scenario::discount_schedule`]).
    pub discount_rate: f64,
    /// The discount rates by year: `discount_rate` as one step from the start year, or the
    /// list of `{ from_year, rate }` from the file, in increasing `from_year`.
    pub discount_schedule: Vec<DiscountStep>,
    /// Default number of Monte Carlo runs.
    pub runs: usize,
    /// Default seed.
    pub seed: u64,
    /// The waiting-time norm in weeks (`[scenario] waiting_norm_weeks`, default 4): the
    /// share of admissions that waited longer is reported.
    pub waiting_norm_weeks: f64,
    /// Youths 0-17 at the start.
    pub youth: f64,
    /// Yearly population growth.
    pub growth: ParamId,
    /// Yearly cost inflation (providers' costs, prevention costs).
    pub cost_inflation: ParamId,
    /// Yearly indexation of tariffs within a contract period.
    pub tariff_indexation: ParamId,
    /// Municipal budget line in the first year.
    pub budget: Option<f64>,
    /// Yearly growth of the budget line.
    pub budget_growth: f64,
    /// The budget line of every year of the horizon, from `budget` and `budget_growth` or
    /// from `budget_by_year` (continued with `budget_growth` after its last year).
    pub budget_line: Option<Vec<f64>>,
    /// Years of the multi-year budget (meerjarenraming) for the period reserve.
    pub budget_period_years: usize,
    /// Certainties at which the required reserve is reported.
    pub certainty: Vec<f64>,
    /// The reserve the municipality has (weerstandscapaciteit), when given.
    pub available_reserve: Option<f64>,
    /// Whether a strategy whose contracts are all task contracts is held against the lump
    /// sums it signed (`[economy] task_budget_line = "lump_sum"`, the default) instead of
    /// the budget line (`"budget"`); see docs/model.md section 7.
    pub task_budget_line_signed: bool,
    /// Segments of care, in file order.
    pub segments: Vec<Segment>,
    /// Contracts (lots), in file order.
    pub contracts: Vec<Contract>,
    /// Defaults for providers.
    pub provider: ProviderDefaults,
    /// Prevention programmes, in file order.
    pub programmes: Vec<Programme>,
    /// Benefits outside the youth-care budget (`[[societal_benefit]]`), in file order.
    pub societal_benefits: Vec<SocietalBenefit>,
    /// Strategies, in file order; exactly one is the baseline.
    pub strategies: Vec<Strategy>,
    /// Every numeric value, fixed or uncertain.
    pub params: Vec<Param>,
    /// Notes for the user that do not stop a run.
    pub warnings: Vec<String>,
    /// `[[question]]`: what the scenario asks, in file order (may be empty).
    pub questions: Vec<question::Question>,
    /// `[scenario] focus`: the alternatives the charts show, in file order of the list
    /// (empty: the questions' strategies, then the highest mean savings).
    pub focus: Vec<usize>,
    /// The Dutch texts (`name_nl`, `description_nl`, a question's `text_nl`).
    pub dutch: dutch::Dutch,
    /// The Dutch keys the file lacks (`strategy.task.name_nl`); `check` warns about them,
    /// and the Dutch reports use the English text instead.
    pub untranslated: Vec<String>,
    /// `[[variant]]`: the other states of the world, in file order (may be empty).
    pub variants: Vec<variant::Variant>,
    /// When the file has variants, the world this scenario describes: [`variant::World::base`]
    /// for the file's own, a variant's world for a variant's.
    pub world: Option<variant::World>,
    /// `[[municipality]]` and `[region]`: the municipalities the region's cost is split
    /// over, when the file names them.
    pub region: Option<region::Region>,
    /// `[calibration]`: the data the segments were fitted to by `contractsim calibrate`,
    /// when the file says so.
    pub calibration: Option<Calibration>,
    /// `[[lever]]`: what the what-if page may move, in file order (empty: the page's own
    /// choice, see `docs/reports.md`).
    pub levers: Vec<lever::Lever>,
    /// The file's text, as read (the what-if page carries it, to read it again with the
    /// page's values).
    pub text: std::sync::Arc<str>,
}

/// Where a calibrated scenario's demand figures came from (`[calibration]`, written by
/// `contractsim calibrate`; docs/calibration.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The data file, as it was named to `calibrate`.
    pub source: String,
    /// SHA-256 of the data file's bytes, lower-case hex.
    pub sha256: String,
    /// The date of the fit, `YYYY-MM-DD`.
    pub date: String,
    /// The periods fitted, as text (e.g. `2021-01-01 to 2024-12-31, 8 periods`).
    pub periods: String,
    /// The segments whose incidence, duration and initial caseload were fitted.
    pub segments: Vec<usize>,
}

impl Scenario {
    /// The expected value of a parameter (of its truncated distribution).
    pub fn mean(&self, id: ParamId) -> f64 {
        self.params[id.0].dist.mean()
    }

    /// The scenario's name in Dutch (the English name when the file has no `name_nl`).
    pub fn name_nl(&self) -> &str {
        self.dutch.name(dutch::Kind::Scenario, 0).unwrap_or(&self.name)
    }

    /// The scenario's description in Dutch (the English one when there is no
    /// `description_nl`).
    pub fn description_nl(&self) -> &str {
        self.dutch.description(dutch::Kind::Scenario, 0).unwrap_or(&self.description)
    }

    /// The name of strategy `k` in English or (`dutch`) in Dutch, falling back to English.
    pub fn strategy_name(&self, k: usize, dutch: bool) -> &str {
        let en = &self.strategies[k].name;
        if dutch { self.dutch.name(dutch::Kind::Strategy, k).unwrap_or(en) } else { en }
    }

    /// The name of segment `s` in English or in Dutch.
    pub fn segment_name(&self, s: usize, dutch: bool) -> &str {
        let en = &self.segments[s].name;
        if dutch { self.dutch.name(dutch::Kind::Segment, s).unwrap_or(en) } else { en }
    }

    /// The name of prevention programme `p` in English or in Dutch.
    pub fn programme_name(&self, p: usize, dutch: bool) -> &str {
        let en = &self.programmes[p].name;
        if dutch { self.dutch.name(dutch::Kind::Programme, p).unwrap_or(en) } else { en }
    }

    /// The name of societal benefit `b` in English or in Dutch.
    pub fn benefit_name(&self, b: usize, dutch: bool) -> &str {
        let en = &self.societal_benefits[b].name;
        if dutch { self.dutch.name(dutch::Kind::SocietalBenefit, b).unwrap_or(en) } else { en }
    }

    /// The text of question `q` in English or in Dutch.
    pub fn question_text(&self, q: usize, dutch: bool) -> &str {
        let en = &self.questions[q].text;
        if dutch { self.dutch.name(dutch::Kind::Question, q).unwrap_or(en) } else { en }
    }

    /// Index of the baseline strategy.
    pub fn baseline(&self) -> usize {
        self.strategies.iter().position(|s| s.baseline).unwrap_or(0)
    }

    /// Length of a step in years.
    pub(crate) fn step_years(&self) -> f64 {
        1.0 / self.steps_per_year as f64
    }

    /// Total number of steps over the horizon.
    pub fn steps(&self) -> usize {
        self.horizon_years * self.steps_per_year
    }

    /// The discount factor of each year of the horizon (year 0 first), from
    /// [`Scenario::discount_schedule`].
    pub(crate) fn discount_factors(&self) -> Vec<f64> {
        discount_factors(&self.discount_schedule, self.start_year, self.horizon_years)
    }

    /// Parameters that are uncertain (drawn per run), with their indices.
    pub fn uncertain_params(&self) -> impl Iterator<Item = (usize, &Param)> {
        self.params.iter().enumerate().filter(|(_, p)| !p.dist.is_fixed())
    }
}

/// One step of a time-varying discount rate: `rate` applies from calendar year `from_year`
/// until the next step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscountStep {
    /// First calendar year of the rate.
    pub from_year: i32,
    /// Yearly discount rate.
    pub rate: f64,
}

/// A segment of care (docs/model.md §3).
#[derive(Debug, Clone)]
pub struct Segment {
    /// Identifier used in cross-references.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Referrals per 1000 youths per year.
    pub incidence_per_1000: ParamId,
    /// Active clients at the start.
    pub initial_caseload: f64,
    /// Mean trajectory duration in years.
    pub mean_duration_years: ParamId,
    /// Phases of a trajectory (`duration_shape`, 1 to `model::phases::MAX_SHAPE`):
    /// durations are Erlang with this shape, 1 = exponential (docs/model.md §3).
    pub duration_shape: usize,
    /// Providers' cost per client-year, in start-year prices.
    pub cost_per_client_year: ParamId,
    /// Share of exits that succeed.
    pub success_rate: ParamId,
    /// Share of failed exits that re-enter this segment.
    pub reentry_rate: ParamId,
    /// Mean of the geometric re-entry delay, in years.
    pub reentry_delay_years: f64,
    /// Segment that failures escalate to.
    pub escalates_to: Option<usize>,
    /// Share of the remaining failures that escalate.
    pub escalation_rate: ParamId,
    /// Escalation rate per year of waiting (waiting lists; no effect without capacity).
    pub escalation_while_waiting_rate: ParamId,
    /// Drop-out rate per year of waiting (waiting lists; no effect without capacity).
    pub waiting_dropout_rate: ParamId,
    /// Societal cost of a client-year of care forgone by a client who dropped out of the
    /// waiting list, in start-year prices (`dropout_cost_per_client_year`); `None` when the
    /// file does not value drop-outs. Only ever lowers the societal benefit, never `spend`.
    pub dropout_cost_per_client_year: Option<ParamId>,
    /// Court-ordered care (`court_ordered = true`, e.g. youth protection measures): the
    /// clients cannot legally wait, so no contract may ration it or cap its places.
    pub court_ordered: bool,
}

/// How a contract pays (docs/model.md §4).
#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    /// Client-years times a tariff (inspanningsgericht).
    Effort,
    /// Starts times a price per trajectory (outputgericht).
    Output,
    /// A fixed yearly budget per lot (taakgericht).
    Task,
    /// A base share of the output price per start plus a payment per success.
    Outcome(OutcomeTerms),
}

impl Form {
    /// The key used in the file.
    pub fn key(&self) -> &'static str {
        match self {
            Form::Effort => "effort",
            Form::Output => "output",
            Form::Task => "task",
            Form::Outcome(_) => "outcome",
        }
    }
}

/// The terms of a result-financing (outcome) contract.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeTerms {
    /// Share of the output price paid per start.
    pub base_share: f64,
    /// Payment per successful exit, in start-year prices.
    pub outcome_payment: ParamId,
    /// Years between the successful exit and the payment.
    pub follow_up_years: f64,
    /// Cap on a year's outcome payments as a share of the year's contract value.
    pub outcome_cap_share: Option<f64>,
    /// Share of the expected outcome payments of the first period paid in advance, spread
    /// over the first period's years and settled against the outcome payments that follow
    /// (`advance_share`, default 0: no advance).
    pub advance_share: f64,
}

/// A contract for a lot of one or more segments.
#[derive(Debug, Clone)]
pub struct Contract {
    /// Identifier.
    pub id: String,
    /// Payment form.
    pub form: Form,
    /// Segment indices of the lot.
    pub segments: Vec<usize>,
    /// Length of a contract period in years; prices are reset at each new period.
    pub period_years: usize,
    /// Margin on the expected or realised cost when (re-)pricing.
    pub margin: f64,
    /// Municipality's own cost as a share of its payments under this contract.
    pub admin_cost_rate: f64,
    /// Number of providers.
    pub providers: usize,
    /// Market shares of the providers (sum to 1).
    pub market_shares: Vec<f64>,
    /// Efficiency of each provider (a multiplier on cost), drawn per run from the
    /// `[provider] efficiency` distribution, one parameter per provider.
    pub efficiency: Vec<ParamId>,
    /// A risk corridor, when the contract has one.
    pub risk_sharing: Option<RiskSharing>,
    /// Behaviour factor on referrals.
    pub incidence_factor: ParamId,
    /// Behaviour factor on trajectory durations.
    pub duration_factor: ParamId,
    /// Behaviour factor on the success rate.
    pub success_factor: ParamId,
    /// Behaviour factor on the re-entry rate.
    pub reentry_factor: ParamId,
    /// Maximum active clients per segment of the lot, in the lot's segment order (`None`:
    /// no limit).
    pub capacity: Vec<Option<f64>>,
    /// Rationing under a task contract: `Some(tolerance)` when `rationing = true`, the
    /// share of the budget by which the year's projected cost may exceed it.
    pub rationing: Option<f64>,
}

impl Contract {}

/// A band of a risk corridor: beyond `from` (a share of the target cost) the municipality
/// takes `share` of the deviation, up to the next band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Start of the band as a share of the target cost.
    pub from: f64,
    /// Share of the deviation in this band that the municipality takes.
    pub share: f64,
}

/// A risk corridor (`[contract.risk_sharing]`).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskSharing {
    /// Bands in increasing order of `from`.
    pub bands: Vec<Band>,
    /// Cap on the transfer as a share of the year's contract value.
    pub cap_share: Option<f64>,
    /// Whether gains are shared too.
    pub symmetric: bool,
}

/// Defaults for providers (`[provider]`).
#[derive(Debug, Clone)]
pub struct ProviderDefaults {
    /// Reserves as a share of first-year revenue.
    pub reserves_share: f64,
    /// Distribution of a provider's efficiency (multiplier on cost); every provider of every
    /// contract draws its own (see [`Contract::efficiency`]).
    pub efficiency: Distribution,
    /// Standard deviation of the yearly multiplicative cost noise.
    pub cost_noise_sd: f64,
    /// Municipality's one-off cost of a provider failure, as a share of its yearly revenue.
    pub transition_cost_share: f64,
    /// Premium paid for clients moved after a failure.
    pub emergency_premium: f64,
    /// The fewest years the emergency premium is paid after a failure, whatever the
    /// contract period (`emergency_premium_min_years`, default 1): the replacement provider
    /// enters at the next contract period, but not before this many years have passed.
    pub emergency_premium_min_years: usize,
}

/// How a prevention programme is paid for.
#[derive(Debug, Clone, PartialEq)]
pub enum Financing {
    /// The municipality pays the programme's costs.
    Municipality,
    /// An investor pays them and is paid per prevented start (a social impact bond).
    Investor(InvestorTerms),
}

/// The outcome contract with an investor.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestorTerms {
    /// Payment per start below the contracted baseline, euros.
    pub payment_per_prevented_start: f64,
    /// Cap on a year's payments.
    pub annual_cap: Option<f64>,
    /// Cap on all payments together.
    pub total_cap: Option<f64>,
    /// Cap on the return: cumulative payments never exceed the investor's outlay so far
    /// compounded at this yearly rate (`max_return_per_year`), as in the Rotterdam
    /// Buzinezzclub bond; `None`: no such cap.
    pub max_return_per_year: Option<f64>,
    /// Whether `payment_per_prevented_start` (start-year prices) is indexed with cost
    /// inflation like the programme's costs (`payment_indexed`, default true).
    pub payment_indexed: bool,
}

/// A prevention programme (docs/model.md §5).
#[derive(Debug, Clone)]
pub struct Programme {
    /// Identifier.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Yearly cost in start-year prices.
    pub annual_cost: ParamId,
    /// First calendar year of the programme.
    pub first_year: i32,
    /// Last calendar year of the programme.
    pub last_year: i32,
    /// Segment indices whose referrals it reduces.
    pub targets: Vec<usize>,
    /// Share of the population reached.
    pub reach: ParamId,
    /// Relative reduction of referrals among those reached.
    pub effect: ParamId,
    /// Years of linear ramp-up.
    pub ramp_up_years: f64,
    /// Half-life of the effect after the programme stops (0: stops at once).
    pub persistence_half_life_years: f64,
    /// Who pays.
    pub financing: Financing,
    /// Share of the whole programme's cost that partners (housing corporations, insurers)
    /// pay on top of `annual_cost` (`partner_share`, in [0, 1), default 0): their yearly
    /// cost is `annual_cost × partner_share / (1 − partner_share)`, outside municipal
    /// spend and counted in the societal view.
    pub partner_share: f64,
}

/// What a societal benefit counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Follows {
    /// Avoided starts in a segment (index): the baseline's starts minus the strategy's, in
    /// the same run.
    Segment(usize),
    /// Referrals prevented by these programmes (indices), minus those prevented by them
    /// under the baseline in the same run.
    Programmes(Vec<usize>),
}

/// A benefit that lands outside the youth-care budget (`[[societal_benefit]]`): reported
/// apart, never added to municipal spend.
#[derive(Debug, Clone)]
pub struct SocietalBenefit {
    /// Identifier.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Value per avoided event, in start-year prices (indexed with cost inflation).
    pub value_per_event: ParamId,
    /// The events it counts.
    pub follows: Follows,
}

/// A strategy: a contract per lot and zero or more prevention programmes.
#[derive(Debug, Clone)]
pub struct Strategy {
    /// Identifier.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Contract indices.
    pub contracts: Vec<usize>,
    /// Programme indices.
    pub programmes: Vec<usize>,
    /// Whether this is the baseline.
    pub baseline: bool,
    /// For each segment, the index of the contract that covers it.
    pub contract_of_segment: Vec<usize>,
}

/// The discount factor of each of `years` years from `start_year`, for rates that change
/// at calendar years: `schedule` in increasing `from_year`; years before the first step use
/// its rate.
fn discount_factors(schedule: &[DiscountStep], start_year: i32, years: usize) -> Vec<f64> {
    let rate_in = |year: i32| {
        schedule.iter().take_while(|s| s.from_year <= year).last().or(schedule.first()).map_or(0.0, |s| s.rate)
    };
    let mut out = Vec::with_capacity(years);
    let mut d = 1.0;
    for t in 0..years {
        if t > 0 {
            d /= 1.0 + rate_in(start_year + t as i32);
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_varying_rates_by_hand() {
        // 4% in 2025-2026, 2% from 2027 (the step into 2027 uses 2027's rate, as the Green
        // Book's year 31 uses the rate of years 31-75): D = 1, 1/1.04, 1/(1.04 1.02),
        // 1/(1.04 1.02^2).
        let schedule = [DiscountStep { from_year: 2025, rate: 0.04 }, DiscountStep { from_year: 2027, rate: 0.02 }];
        let d = discount_factors(&schedule, 2025, 4);
        let expected = [1.0, 1.0 / 1.04, 1.0 / (1.04 * 1.02), 1.0 / (1.04 * 1.0404)];
        for (a, b) in d.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{d:?}");
        }
        // 100 a year: 100 + 96.153846... + 94.268477... + 92.420075... = 382.842397...
        let v: f64 = d.iter().map(|f| 100.0 * f).sum();
        assert!((v - 382.842_397_894_301).abs() < 1e-9, "{v}");
        // One step is the constant rate.
        let one = discount_factors(&[DiscountStep { from_year: 2025, rate: 0.05 }], 2025, 3);
        assert!(one.iter().enumerate().all(|(t, f)| (f - 1.05f64.powi(-(t as i32))).abs() < 1e-15));
    }
}
