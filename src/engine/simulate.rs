//! One Monte Carlo run: draw the parameters, draw the shared referrals, simulate every
//! strategy on common random numbers, and compute the horizon metrics.

use super::layout::Layout;
use super::region::{RegionPlan, split_exits, year_weights};
use crate::math;
use crate::metrics::{HORIZON, Horizon, WEEKS_PER_YEAR, Yearly};
use crate::model::contract::{LotYear, Prices, pay, target_cost};
use crate::model::demand::{
    Draws, ExpectedDraws, Limits, Paths, RandomDraws, SegmentRates, SegmentState, StepFlows, WaitBlock, step_paths,
};
use crate::model::investor;
use crate::model::prevention::Profile;
use crate::model::provider::{Ledger, corridor_transfer};
use crate::model::time::index;
use crate::random::design::{self, Sampling};
use crate::random::rng::{Purpose, RunKey};
use crate::random::sample::Binomial;
use crate::scenario::{Financing, Follows, Form, Scenario, Strategy};

/// Everything about a scenario that does not change between runs, computed once.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario.
    pub scenario: Scenario,
    /// Output layout.
    pub layout: Layout,
    /// Per programme, the average profile `g` per step.
    profiles: Vec<Vec<f64>>,
    /// Per strategy and contract (in scenario contract order), the expected yearly cost of
    /// the lot in the first period, start-year prices (for task budgets).
    expected_lot_cost: Vec<Vec<f64>>,
    /// Indices of the uncertain parameters (drawn per run).
    uncertain: Vec<usize>,
    /// Per segment, the history at the start: (clients waiting to re-enter, escalations
    /// arriving in the first step).
    initial: Vec<(f64, f64)>,
    /// Segments in escalation order: every segment after those that escalate to it.
    escalation_order: Vec<usize>,
    /// Per segment, the segments that escalate to it.
    upstream: Vec<Vec<usize>>,
    /// What is simulated: the scenario's strategies, then for each strategy with investor-
    /// financed prevention its counterfactual (the same strategy without those
    /// programmes), which is not reported but tells which paid starts were luck.
    sims: Vec<Strategy>,
    /// Per strategy, the index in `sims` of its counterfactual.
    counterfactual: Vec<Option<usize>>,
    /// Per strategy and investor-financed programme: the contracted baseline, the expected
    /// starts per year in the targeted segments without the programme, fixed at signing.
    investor_baseline: Vec<Vec<(usize, Vec<f64>)>>,
    /// Discount factor of each year of the horizon (constant or time-varying rates).
    discount: Vec<f64>,
    /// Per simulated strategy: whether it is a behaviour-neutral twin (its contracts'
    /// behaviour factors taken as 1).
    neutral: Vec<bool>,
    /// Per simulated strategy: the reported strategy it stands for (itself, or the
    /// strategy of a counterfactual or a twin).
    origin: Vec<usize>,
    /// Per strategy, the index in `sims` of its behaviour-neutral twin, when its contracts
    /// have behaviour factors.
    twin: Vec<Option<usize>>,
    /// Per strategy, the budget line its spend is held against (docs/model.md section 7):
    /// the scenario's, or for a strategy of task contracts the lump sums it signed.
    budget_lines: Vec<Option<Vec<f64>>>,
    /// Per contract, the advance on outcome payments paid in the first year (0 without
    /// `advance_share`), and the year in which it is settled.
    advance: Vec<(f64, Option<usize>)>,
    /// Per contract, the expected cost per client-year and duration of each of its
    /// segments at signing, from which the first prices are set.
    signing_prices: Vec<(Vec<f64>, Vec<f64>)>,
    /// The municipalities of the region, when the scenario names them.
    region: Option<RegionPlan>,
    /// Per segment, the incidence factor of each strategy of the file: the shared
    /// referrals are drawn at the largest ([`Plan::narrowed`] keeps the file's, so that a
    /// plan of fewer strategies draws what the file's plan draws).
    referral_factors: Vec<Vec<crate::scenario::ParamId>>,
    /// The stop flag of the process (a signal handler sets it), when the plan was given
    /// one ([`Plan::with_stop`]): a run that sees it set ends at its next step, so a batch,
    /// a rerun or a variant's world stops within a step's time. The results of a stopped
    /// run are incomplete; whoever set the flag discards them.
    stop: Option<&'static std::sync::atomic::AtomicBool>,
    /// How the uncertain parameters are drawn ([`Plan::with_sampling`]).
    sampling: Sampling,
}

/// Per segment, the incidence factor of each strategy of `s` (see `Plan::referral_factors`).
fn referral_factors(s: &Scenario) -> Vec<Vec<crate::scenario::ParamId>> {
    (0..s.segments.len())
        .map(|g| s.strategies.iter().map(|st| s.contracts[st.contract_of_segment[g]].incidence_factor).collect())
        .collect()
}

/// What one run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Run index.
    pub run: u64,
    /// Yearly metrics: strategy-major, then metric, then year (see [`Layout::at`]).
    pub yearly: Vec<f64>,
    /// Horizon metrics: strategy-major, [`HORIZON`] order.
    pub horizon: Vec<f64>,
    /// The drawn values of the uncertain parameters, in [`Plan::uncertain_params`] order.
    pub params: Vec<f64>,
    /// With a region: each municipality's spend when the region splits its spend by use,
    /// strategy-major, then municipality, then year (empty without a region). The
    /// municipalities of a strategy and year add up to its spend.
    pub municipal: Vec<f64>,
}

/// Whether behaviour factors, efficiency and noise apply (the random runs), or the
/// municipality's expected-value view used for first-period prices.
#[derive(Clone, Copy, PartialEq)]
enum View {
    Realised,
    Expected,
}

/// What one simulation reads besides its draws.
#[derive(Clone, Copy)]
struct Inputs<'a> {
    /// Parameter values.
    values: &'a [f64],
    /// Realised run, or the expected-value view.
    view: View,
    /// Shared referrals per step and segment (step-major).
    referrals: &'a [f64],
    /// Per segment, the incidence factor the referrals were drawn at, from which each
    /// strategy thins them to its own; `None`: they are every strategy's own.
    f_max: Option<&'a [f64]>,
}

impl Plan {
    /// Prepares a scenario for simulation.
    pub fn new(scenario: Scenario) -> Self {
        let layout = Layout::new(&scenario);
        let dt = scenario.step_years();
        let profiles = scenario
            .programmes
            .iter()
            .map(|p| {
                let profile = Profile {
                    start: (p.first_year - scenario.start_year) as f64,
                    stop: (p.last_year + 1 - scenario.start_year) as f64,
                    ramp_up_years: p.ramp_up_years,
                    half_life_years: p.persistence_half_life_years,
                };
                (0..scenario.steps()).map(|k| profile.average(k as f64 * dt, (k + 1) as f64 * dt)).collect()
            })
            .collect();
        let uncertain = scenario.uncertain_params().map(|(i, _)| i).collect();
        let initial = initial_history(&scenario);
        let nseg = scenario.segments.len();
        let upstream: Vec<Vec<usize>> =
            (0..nseg).map(|g| (0..nseg).filter(|&u| scenario.segments[u].escalates_to == Some(g)).collect()).collect();
        // Escalation has no cycles (validated): repeatedly take a segment whose upstream
        // segments are all placed.
        let mut escalation_order = Vec::with_capacity(nseg);
        while escalation_order.len() < nseg {
            let next = (0..nseg)
                .find(|g| !escalation_order.contains(g) && upstream[*g].iter().all(|u| escalation_order.contains(u)))
                .unwrap_or_else(|| (0..nseg).find(|g| !escalation_order.contains(g)).unwrap_or(0));
            escalation_order.push(next);
        }
        let mut sims = scenario.strategies.clone();
        let mut counterfactual = vec![None; sims.len()];
        for (k, st) in scenario.strategies.iter().enumerate() {
            let own: Vec<usize> = st
                .programmes
                .iter()
                .copied()
                .filter(|&p| matches!(scenario.programmes[p].financing, Financing::Municipality))
                .collect();
            if own.len() < st.programmes.len() {
                counterfactual[k] = Some(sims.len());
                sims.push(Strategy {
                    id: format!("{}~without-investor-programmes", st.id),
                    baseline: false,
                    programmes: own,
                    ..st.clone()
                });
            }
        }
        let mut origin: Vec<usize> = (0..scenario.strategies.len()).collect();
        origin.extend(counterfactual.iter().enumerate().filter_map(|(k, cf)| cf.map(|_| k)));
        let mut neutral = vec![false; sims.len()];
        let mut twin = vec![None; scenario.strategies.len()];
        for (k, st) in scenario.strategies.iter().enumerate() {
            if st.contracts.iter().any(|&c| has_behaviour(&scenario, c)) {
                twin[k] = Some(sims.len());
                sims.push(Strategy { id: format!("{}~behaviour-neutral", st.id), baseline: false, ..st.clone() });
                neutral.push(true);
                origin.push(k);
            }
        }
        let advance = scenario.contracts.iter().map(|c| outcome_advance(&scenario, c)).collect();
        let signing_prices = scenario.contracts.iter().map(|c| signing_prices(&scenario, c)).collect();
        let discount = scenario.discount_factors();
        let region = scenario.region.as_ref().map(RegionPlan::new);
        let referral_factors = referral_factors(&scenario);
        let mut plan = Plan {
            region,
            referral_factors,
            discount,
            scenario,
            layout,
            profiles,
            expected_lot_cost: Vec::new(),
            uncertain,
            initial,
            escalation_order,
            upstream,
            sims,
            counterfactual,
            investor_baseline: Vec::new(),
            neutral,
            origin,
            twin,
            budget_lines: Vec::new(),
            advance,
            signing_prices,
            stop: None,
            sampling: Sampling::Mc,
        };
        let (out, cy) = plan.expected_path();
        plan.expected_lot_cost = plan.expected_costs(&cy);
        plan.investor_baseline = plan.investor_baselines(&out);
        plan.budget_lines = plan.budget_lines();
        plan
    }

    /// The plan with the process's stop flag: each run looks at it before every step and
    /// ends early once it is set (see the field's documentation).
    pub fn with_stop(mut self, stop: &'static std::sync::atomic::AtomicBool) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Whether the stop flag is set.
    pub(crate) fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The same plan without the municipalities of its region: every figure of the region
    /// is the same (the municipalities' draws come after the region's, on streams of their
    /// own), and the runs are faster. For the reruns that read only the region's figures
    /// (break-even search, tornado).
    pub fn without_municipalities(&self) -> std::borrow::Cow<'_, Plan> {
        if self.region.is_none() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut plan = self.clone();
        plan.region = None;
        std::borrow::Cow::Owned(plan)
    }

    /// The plan of some of the strategies, `keep` (indices of the file's strategies, in
    /// file order, the baseline among them), without the municipalities of the region,
    /// the questions, the focus and the variants. Every figure of a kept strategy is the
    /// figure the whole plan gives it, bit for bit, except those that compare it with
    /// every strategy (`p_cheapest`): the random streams are keyed by segment, contract
    /// and parameter, never by strategy, and the shared referrals are drawn at the file's
    /// largest incidence factor. For the what-if page, which runs two strategies.
    pub fn narrowed(&self, keep: &[usize]) -> Result<Plan, String> {
        let mut plan = Plan::narrowed_from(&self.scenario, keep)?;
        plan.stop = self.stop;
        plan.sampling = self.sampling;
        Ok(plan)
    }

    /// [`Plan::narrowed`] from the scenario itself, without planning every strategy first
    /// (the what-if page plans two strategies of many, on every change).
    pub fn narrowed_from(s: &Scenario, keep: &[usize]) -> Result<Plan, String> {
        let ids =
            |ks: &[usize]| ks.iter().filter_map(|&k| s.strategies.get(k)).map(|st| st.id.clone()).collect::<Vec<_>>();
        if keep.is_empty() || !keep.is_sorted_by(|a, b| a < b) || keep.iter().any(|&k| k >= s.strategies.len()) {
            return Err(format!("expected strategies of the file, each once, in file order; found {keep:?}"));
        }
        if !keep.contains(&s.baseline()) {
            return Err(format!(
                "expected the baseline `{}` among the strategies, found {:?}",
                s.strategies[s.baseline()].id,
                ids(keep)
            ));
        }
        let referral_factors = referral_factors(s);
        let mut scenario = s.clone();
        scenario.strategies = keep.iter().map(|&k| s.strategies[k].clone()).collect();
        scenario.region = None;
        scenario.questions.clear();
        scenario.focus.clear();
        scenario.variants.clear();
        let mut plan = Plan::new(scenario);
        plan.referral_factors = referral_factors;
        Ok(plan)
    }

    /// The plan of one world of `scenario`, as a scenario of that world alone: the
    /// `[[variant]]` with id `variant` ([`Plan::in_world`]), or the file's own world without
    /// its variants and without the questions asked in them. `Err` names the ids there are
    /// when `variant` is none of them.
    pub fn of_world(mut scenario: Scenario, variant: Option<&str>) -> Result<Plan, String> {
        let Some(id) = variant else {
            scenario.questions.retain(|q| q.variant.is_none());
            scenario.variants.clear();
            return Ok(Plan::new(scenario));
        };
        let Some(v) = scenario.variants.iter().position(|v| v.world.id == id) else {
            let ids: Vec<&str> = scenario.variants.iter().map(|v| v.world.id.as_str()).collect();
            return Err(format!(
                "{}: --variant: expected the id of a `[[variant]]` of the file ({}), found `{id}`",
                scenario.file.display(),
                if ids.is_empty() { "it has none".to_string() } else { ids.join(", ") }
            ));
        };
        let variant = scenario.variants.swap_remove(v);
        scenario.variants.clear();
        Ok(Plan::in_world(&variant, &Plan::new(scenario)))
    }

    /// The plan of a `[[variant]]` of the scenario that `base` plans. Unless the variant
    /// was known at signing, what was fixed when the contracts were signed comes from the
    /// file's own expectations, as in `base`: the first prices and lump sums, the outcome
    /// advances, the investors' contracted baselines and the budget lines of strategies
    /// held against the lump sums they signed. The world itself (its demand, costs and
    /// behaviour) is the variant's.
    pub fn in_world(variant: &crate::scenario::variant::Variant, base: &Plan) -> Plan {
        let mut plan = Plan::new((*variant.scenario).clone());
        plan.stop = base.stop;
        plan.sampling = base.sampling;
        if variant.world.known_at_signing {
            return plan;
        }
        for (k, sim) in plan.sims.iter().enumerate() {
            // A behaviour-neutral twin that only the variant has (it gave a contract
            // behaviour factors) signed what its strategy signed: the expected path has no
            // behaviour factors.
            let b = base.sims.iter().position(|x| x.id == sim.id).unwrap_or(plan.origin[k]);
            plan.expected_lot_cost[k] = base.expected_lot_cost[b].clone();
        }
        plan.investor_baseline = base.investor_baseline.clone();
        plan.advance = base.advance.clone();
        plan.signing_prices = base.signing_prices.clone();
        for k in 0..plan.strategies() {
            if plan.signed_budget_line(k) && base.signed_budget_line(k) {
                plan.budget_lines[k] = base.budget_lines[k].clone();
            }
        }
        plan
    }

    /// The budget line of strategy `k` (docs/model.md section 7), when the scenario has one.
    pub fn budget_line(&self, k: usize) -> Option<&[f64]> {
        match self.budget_lines.get(k) {
            Some(line) => line.as_deref(),
            None => self.scenario.budget_line.as_deref(),
        }
    }

    /// Whether strategy `k` is held against the lump sums it signed rather than the
    /// scenario's budget line: every contract a task contract, and `task_budget_line =
    /// "lump_sum"` (the default).
    pub fn signed_budget_line(&self, k: usize) -> bool {
        let s = &self.scenario;
        s.budget_line.is_some()
            && s.task_budget_line_signed
            && s.strategies[k].contracts.iter().all(|&c| matches!(s.contracts[c].form, Form::Task))
    }

    /// The budget lines per strategy: the scenario's, except for a strategy of task
    /// contracts, whose line is its spend on the expected-value path (the lump sums it
    /// signed, re-set each period from the expected path, plus the administration on them
    /// and its own programmes), in whole cents rounded up. The expected path must be computed again
    /// (the first one ran before the lump sums were priced).
    fn budget_lines(&self) -> Vec<Option<Vec<f64>>> {
        let s = &self.scenario;
        let n = self.strategies();
        if !(0..n).any(|k| self.signed_budget_line(k)) {
            return vec![s.budget_line.clone(); n];
        }
        let (out, _) = self.expected_path();
        let per = self.layout.yearly_len();
        // Whole cents, rounded up: the line holds the sum signed, so that a year in which
        // nothing beyond it is paid is never an overrun by a fraction of a cent.
        let cents = |x: f64| (x * 100.0).ceil() / 100.0;
        (0..n)
            .map(|k| {
                if self.signed_budget_line(k) {
                    Some((0..s.horizon_years).map(|t| cents(out[k * per + self.layout.at(Yearly::Spend, t)])).collect())
                } else {
                    s.budget_line.clone()
                }
            })
            .collect()
    }

    /// The contracted baselines of investor-financed programmes: expected starts per year
    /// in the targeted segments under the strategy without them.
    fn investor_baselines(&self, expected: &[f64]) -> Vec<Vec<(usize, Vec<f64>)>> {
        let s = &self.scenario;
        let per = self.layout.yearly_len();
        (0..self.strategies())
            .map(|k| {
                let Some(cf) = self.counterfactual[k] else { return Vec::new() };
                s.strategies[k]
                    .programmes
                    .iter()
                    .filter(|&&p| matches!(s.programmes[p].financing, Financing::Investor(_)))
                    .map(|&p| (p, self.targeted_starts(&expected[cf * per..(cf + 1) * per], p)))
                    .collect()
            })
            .collect()
    }

    /// Starts per year in the segments that programme `p` targets, from one strategy's
    /// yearly metrics.
    fn targeted_starts(&self, yearly: &[f64], p: usize) -> Vec<f64> {
        (0..self.layout.years).map(|t| self.targeted_starts_in(yearly, p, t)).collect()
    }

    /// Starts in year `t` in the segments that programme `p` targets, from one strategy's
    /// yearly metrics.
    fn targeted_starts_in(&self, yearly: &[f64], p: usize, t: usize) -> f64 {
        let lay = &self.layout;
        self.scenario.programmes[p].targets.iter().map(|&g| yearly[lay.at_index(lay.starts_by_segment + g, t)]).sum()
    }

    /// Paths of the parameters drawn per run, in the order of [`RunRecord::params`].
    pub fn uncertain_params(&self) -> impl Iterator<Item = &str> {
        self.uncertain.iter().map(|&i| self.scenario.params[i].path.as_str())
    }

    /// Number of strategies.
    pub fn strategies(&self) -> usize {
        self.scenario.strategies.len()
    }

    /// The expected-value path of everything simulated (means of all parameters, no
    /// behaviour factors, each strategy's prevention): yearly metrics and client-years.
    fn expected_path(&self) -> (Vec<f64>, Vec<f64>) {
        let s = &self.scenario;
        let values: Vec<f64> = s.params.iter().map(|p| p.dist.mean()).collect();
        let referrals = self.referral_means(&values, &vec![1.0; s.segments.len()]);
        let mut ws = Workspace::new(self);
        let mut out = vec![0.0; self.sims.len() * self.layout.yearly_len()];
        let inputs = Inputs { values: &values, view: View::Expected, referrals: &referrals, f_max: None };
        let cy = self.simulate(inputs, &mut ExpectedDraws, &mut ws, &mut out);
        (out, cy)
    }

    /// Per strategy and contract, the lot's expected yearly cost over its first period in
    /// start-year prices, from the expected client-years.
    fn expected_costs(&self, cy: &[f64]) -> Vec<Vec<f64>> {
        let s = &self.scenario;
        let years = s.horizon_years;
        let nseg = s.segments.len();
        (0..self.sims.len())
            .map(|k| {
                s.contracts
                    .iter()
                    .map(|contract| {
                        let first = contract.period_years.min(years);
                        let total: f64 = contract
                            .segments
                            .iter()
                            .map(|&g| {
                                let cost = s.mean(s.segments[g].cost_per_client_year);
                                (0..first).map(|t| cy[(k * nseg + g) * years + t]).sum::<f64>() * cost
                            })
                            .sum();
                        total / first as f64
                    })
                    .collect()
            })
            .collect()
    }

    /// Expected referrals per step and segment (step-major) at incidence factor
    /// `factor[segment]`.
    fn referral_means(&self, values: &[f64], factor: &[f64]) -> Vec<f64> {
        let s = &self.scenario;
        let nseg = s.segments.len();
        let dt = s.step_years();
        let growth = values[s.growth.0];
        let mut out = vec![0.0; nseg * s.steps()];
        for (g, seg) in s.segments.iter().enumerate() {
            let rate = values[seg.incidence_per_1000.0] / 1000.0 * factor[g] * dt;
            for k in 0..s.steps() {
                out[k * nseg + g] = rate * s.youth * index(growth, k / s.steps_per_year);
            }
        }
        out
    }

    /// Draws the uncertain parameters of run `run`: one uniform each, through the quantile
    /// function of its distribution. Fixed values are copied.
    /// The uniforms come from the plan's sampling design ([`crate::random::design`]).
    pub(crate) fn draw_values(&self, seed: u64, run: u64) -> Vec<f64> {
        let mut values: Vec<f64> = self.scenario.params.iter().map(|p| p.dist.mean()).collect();
        let u = design::uniforms(self.sampling, seed, run, &self.uncertain);
        for (&i, u) in self.uncertain.iter().zip(u) {
            values[i] = self.scenario.params[i].dist.quantile(u);
        }
        values
    }

    /// The plan with the uncertain parameters drawn by `sampling` (plain Monte Carlo
    /// unless set).
    pub fn with_sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = sampling;
        self
    }

    /// How the uncertain parameters are drawn.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Simulates run `run` of the batch with seed `seed`.
    pub fn run(&self, seed: u64, run: u64) -> RunRecord {
        let key = RunKey::new(seed, run);
        let values = self.draw_values(seed, run);
        self.run_with_values(key, run, values)
    }

    /// Simulates a run with given parameter values (used by sensitivity analyses).
    pub(crate) fn run_with_values(&self, key: RunKey, run: u64, values: Vec<f64>) -> RunRecord {
        let per = self.layout.yearly_len();
        let mut yearly = vec![0.0; self.sims.len() * per];
        let municipal = self.simulate_realised(&values, &mut RandomDraws { key }, &mut yearly);
        let luck = self.luck(&values, &yearly);
        let twin_npv: Vec<Option<f64>> = self
            .twin
            .iter()
            .map(|t| t.map(|i| self.discounted(&yearly[i * per..(i + 1) * per], Yearly::Spend.index())))
            .collect();
        yearly.truncate(self.strategies() * per);
        self.comparisons(&mut yearly);
        self.societal(&values, &mut yearly);
        let horizon = self.horizon(&yearly, &luck, &twin_npv);
        let params = self.uncertain.iter().map(|&i| values[i]).collect();
        RunRecord { run, yearly, horizon, params, municipal }
    }

    /// Draws the shared referrals on `draws`, at the largest incidence factor of any
    /// strategy, and simulates everything on them into `yearly`; returns the
    /// municipalities' spend by use ([`RunRecord::municipal`]).
    fn simulate_realised<D: Draws>(&self, values: &[f64], draws: &mut D, yearly: &mut [f64]) -> Vec<f64> {
        let nseg = self.scenario.segments.len();
        let f_max = self.f_max(values);
        let mut referrals = self.referral_means(values, &f_max);
        for (i, r) in referrals.iter_mut().enumerate() {
            *r = draws.poisson(Purpose::Referrals, i % nseg, i / nseg, *r);
        }
        let mut ws = Workspace::new(self);
        let inputs = Inputs { values, view: View::Realised, referrals: &referrals, f_max: Some(&f_max) };
        self.simulate(inputs, draws, &mut ws, yearly);
        std::mem::take(&mut ws.municipal)
    }

    /// The largest incidence factor of any strategy per segment: referrals are drawn at it
    /// and thinned per strategy.
    fn f_max(&self, values: &[f64]) -> Vec<f64> {
        self.referral_factors.iter().map(|factors| factors.iter().map(|f| values[f.0]).fold(0.0, f64::max)).collect()
    }

    /// Per strategy: (payments for luck, payments) to investors over the horizon, from the
    /// strategy's and its counterfactual's starts in the targeted segments.
    fn luck(&self, values: &[f64], yearly: &[f64]) -> Vec<(f64, f64)> {
        let s = &self.scenario;
        let inflation = values[s.cost_inflation.0];
        let per = self.layout.yearly_len();
        (0..self.strategies())
            .map(|k| {
                let Some(cf) = self.counterfactual[k] else { return (0.0, 0.0) };
                let mut total = (0.0, 0.0);
                for (p, baseline) in &self.investor_baseline[k] {
                    let Financing::Investor(terms) = &s.programmes[*p].financing else { continue };
                    let actual = self.targeted_starts(&yearly[k * per..(k + 1) * per], *p);
                    let without = self.targeted_starts(&yearly[cf * per..(cf + 1) * per], *p);
                    let active = self.programme_years(*p);
                    let cost_index: Vec<f64> = (0..s.horizon_years).map(|t| index(inflation, t)).collect();
                    let pay_index: Vec<f64> =
                        cost_index.iter().map(|&i| if terms.payment_indexed { i } else { 1.0 }).collect();
                    let outlay: Vec<f64> =
                        (0..s.horizon_years).map(|t| values[s.programmes[*p].annual_cost.0] * cost_index[t]).collect();
                    let paid = investor::payments(terms, baseline, &actual, &active, &pay_index, &outlay);
                    total.0 += investor::luck(baseline, &actual, &without, &paid).iter().sum::<f64>();
                    total.1 += paid.iter().sum::<f64>();
                }
                total
            })
            .collect()
    }

    /// The gross value, at the year's cost index, of `prevented` referrals of one segment
    /// in year `t`, for the societal benefits that follow programmes. The prevented
    /// referrals are attributed to the segment's programmes `re` (programme, reach × effect)
    /// in proportion to their reduction over the year (exact for one programme).
    fn programme_benefit(&self, values: &[f64], re: &[(usize, f64)], t: usize, prevented: f64) -> f64 {
        let s = &self.scenario;
        let spy = s.steps_per_year;
        let weight = |&(p, r): &(usize, f64)| r * self.profiles[p][t * spy..(t + 1) * spy].iter().sum::<f64>();
        let total: f64 = re.iter().map(weight).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let cost_index = index(values[s.cost_inflation.0], t);
        s.societal_benefits
            .iter()
            .filter_map(|b| match &b.follows {
                Follows::Programmes(ps) => Some((values[b.value_per_event.0], ps)),
                Follows::Segment(_) => None,
            })
            .map(|(value, ps)| {
                let share: f64 = re.iter().filter(|(p, _)| ps.contains(p)).map(weight).sum::<f64>() / total;
                value * cost_index * prevented * share
            })
            .sum()
    }

    /// Whether programme `p` runs in each year of the horizon.
    fn programme_years(&self, p: usize) -> Vec<bool> {
        (0..self.scenario.horizon_years).map(|t| self.programme_runs(p, t)).collect()
    }

    /// Whether programme `p` runs in year `t` of the horizon.
    fn programme_runs(&self, p: usize, t: usize) -> bool {
        let s = &self.scenario;
        let prog = &s.programmes[p];
        let year = s.start_year + t as i32;
        prog.first_year <= year && year <= prog.last_year
    }

    /// Counts the draws that run `run` makes, by sampler (for the RNG-bound limit in the
    /// benchmarks): the same simulation as [`Plan::run`], with a counting wrapper.
    pub fn count_draws(&self, seed: u64, run: u64) -> DrawCounts {
        let key = RunKey::new(seed, run);
        let values = self.draw_values(seed, run);
        let counts = DrawCounts { parameters: self.uncertain.len() as u64, ..DrawCounts::default() };
        let mut draws = CountingDraws { inner: RandomDraws { key }, counts };
        let mut yearly = vec![0.0; self.sims.len() * self.layout.yearly_len()];
        self.simulate_realised(&values, &mut draws, &mut yearly);
        draws.counts
    }

    /// The yearly comparisons between strategies of one run: cumulative discounted saving
    /// versus the baseline, whether each strategy is the cheapest so far, and whether a
    /// provider has failed so far.
    fn comparisons(&self, yearly: &mut [f64]) {
        let s = &self.scenario;
        let n = self.strategies();
        let per = self.layout.yearly_len();
        let lay = &self.layout;
        let base = s.baseline();
        let mut cum = vec![0.0; n];
        let mut failed = vec![false; n];
        for t in 0..s.horizon_years {
            for (k, f) in failed.iter_mut().enumerate() {
                *f |= yearly[k * per + lay.at(Yearly::ProviderFailures, t)] > 0.0;
                yearly[k * per + lay.at(Yearly::ProviderFailedSoFar, t)] = if *f { 1.0 } else { 0.0 };
            }
            let df = self.discount[t];
            for (k, c) in cum.iter_mut().enumerate() {
                *c += yearly[k * per + lay.at(Yearly::Spend, t)] * df;
            }
            let min = cum.iter().copied().fold(f64::INFINITY, f64::min);
            let ties = cum.iter().filter(|&&c| c == min).count() as f64;
            for k in 0..n {
                yearly[k * per + lay.at(Yearly::CumulativeSaving, t)] = cum[base] - cum[k];
                yearly[k * per + lay.at(Yearly::PCheapest, t)] = if cum[k] == min { 1.0 / ties } else { 0.0 };
            }
        }
    }

    /// The yearly societal benefit versus the baseline (`[[societal_benefit]]`), from the
    /// yearly metrics of one run: on entry the slot holds each strategy's gross value of the
    /// referrals its followed programmes prevented; on exit, for every benefit, value ×
    /// cost index × (events avoided versus the baseline): for a segment, the baseline's
    /// starts minus the strategy's; for programmes, the strategy's prevented referrals minus
    /// the baseline's. Never part of `spend`.
    fn societal(&self, values: &[f64], yearly: &mut [f64]) {
        let Some(m) = self.layout.societal_benefit else { return };
        let s = &self.scenario;
        let lay = &self.layout;
        let per = lay.yearly_len();
        let base = s.baseline();
        let inflation = values[s.cost_inflation.0];
        for t in 0..s.horizon_years {
            let gross_base = yearly[base * per + lay.at_index(m, t)];
            let cost_index = index(inflation, t);
            for k in 0..self.strategies() {
                let mut benefit = yearly[k * per + lay.at_index(m, t)] - gross_base;
                for b in &s.societal_benefits {
                    if let Follows::Segment(g) = b.follows {
                        let starts = |k: usize| yearly[k * per + lay.at_index(lay.starts_by_segment + g, t)];
                        benefit += values[b.value_per_event.0] * cost_index * (starts(base) - starts(k));
                    }
                }
                yearly[k * per + lay.at_index(m, t)] = benefit;
            }
        }
    }

    /// Horizon metrics of all strategies from their yearly metrics.
    fn horizon(&self, yearly: &[f64], luck: &[(f64, f64)], twin_npv: &[Option<f64>]) -> Vec<f64> {
        let s = &self.scenario;
        let n = self.strategies();
        let per = self.layout.yearly_len();
        let block = |k: usize| &yearly[k * per..(k + 1) * per];
        let mut out = vec![f64::NAN; n * HORIZON.len()];
        let npv: Vec<f64> = (0..n).map(|k| self.discounted(block(k), Yearly::Spend.index())).collect();
        let base = s.baseline();
        let min = npv.iter().copied().fold(f64::INFINITY, f64::min);
        let ties = npv.iter().filter(|&&v| v == min).count() as f64;
        let base_cum = self.cumulative_spend(block(base));
        // Financing transfers and partners' costs in the societal view: investor payments
        // back in, the investor's and the partners' programme costs out.
        let transfers: Vec<f64> = (0..n)
            .map(|k| {
                let yk = block(k);
                self.discounted(yk, Yearly::InvestorPayments.index())
                    - self.discounted(yk, Yearly::InvestorCost.index())
                    - self.discounted(yk, Yearly::PartnerCost.index())
            })
            .collect();
        for k in 0..n {
            let yk = block(k);
            let o = &mut out[k * HORIZON.len()..(k + 1) * HORIZON.len()];
            o[Horizon::NpvSpend.index()] = npv[k];
            o[Horizon::TotalSpend.index()] = self.total(yk, Yearly::Spend);
            o[Horizon::NpvSavingVsBaseline.index()] = npv[base] - npv[k];
            o[Horizon::PCheaperThanBaseline.index()] = if npv[k] < npv[base] { 1.0 } else { 0.0 };
            o[Horizon::PCheapest.index()] = if npv[k] == min { 1.0 / ties } else { 0.0 };
            if k != base {
                let first = self.break_even(yk, &base_cum);
                o[Horizon::BreakEvenYear.index()] = first.map_or(f64::NAN, |t| (s.start_year + t as i32) as f64);
                o[Horizon::PBreakEven.index()] = if first.is_some() { 1.0 } else { 0.0 };
            }
            if let Some(m) = self.layout.societal_benefit {
                let benefit = self.discounted(yk, m);
                o[Horizon::NpvSocietalBenefit.index()] = benefit;
                let financing = if k == base { 0.0 } else { transfers[k] - transfers[base] };
                o[Horizon::NpvSocietalNet.index()] = o[Horizon::NpvSavingVsBaseline.index()] + financing + benefit;
            }
            let neutral = twin_npv[k].unwrap_or(npv[k]);
            o[Horizon::NpvSpendBehaviourNeutral.index()] = neutral;
            o[Horizon::NpvSavingBehaviourNeutral.index()] = npv[base] - neutral;
            self.waiting_horizon(yk, o);
            let successes = self.total(yk, Yearly::Successes);
            o[Horizon::CostPerSuccess.index()] =
                if successes > 0.0 { o[Horizon::TotalSpend.index()] / successes } else { f64::NAN };
            o[Horizon::TotalSuccesses.index()] = successes;
            o[Horizon::TotalStarts.index()] = self.total(yk, Yearly::Starts);
            o[Horizon::PProviderFailure.index()] =
                if self.total(yk, Yearly::ProviderFailures) > 0.0 { 1.0 } else { 0.0 };
            self.investor_horizon(yk, luck[k], o);
        }
        out
    }

    /// Yearly metric `m` of one strategy summed over the horizon.
    fn total(&self, yearly: &[f64], m: Yearly) -> f64 {
        (0..self.scenario.horizon_years).map(|t| yearly[self.layout.at(m, t)]).sum()
    }

    /// Yearly metric stored `m`-th of one strategy, discounted and summed over the horizon.
    fn discounted(&self, yearly: &[f64], m: usize) -> f64 {
        (0..self.scenario.horizon_years).map(|t| yearly[self.layout.at_index(m, t)] * self.discount[t]).sum()
    }

    /// One strategy's cumulative discounted spend at the end of each year.
    fn cumulative_spend(&self, yearly: &[f64]) -> Vec<f64> {
        let mut acc = 0.0;
        (0..self.scenario.horizon_years)
            .map(|t| {
                acc += yearly[self.layout.at(Yearly::Spend, t)] * self.discount[t];
                acc
            })
            .collect()
    }

    /// The first year from which one strategy's cumulative discounted spend stays below
    /// the baseline's `base_cum`, if any.
    fn break_even(&self, yearly: &[f64], base_cum: &[f64]) -> Option<usize> {
        let cum = self.cumulative_spend(yearly);
        let mut first = None;
        for t in (0..self.scenario.horizon_years).rev() {
            if cum[t] < base_cum[t] {
                first = Some(t);
            } else {
                break;
            }
        }
        first
    }

    /// One strategy's waiting metrics over the horizon: the mean list length, and the mean
    /// wait and share over the norm weighted by each year's admissions.
    fn waiting_horizon(&self, yearly: &[f64], o: &mut [f64]) {
        let lay = &self.layout;
        let years = self.scenario.horizon_years;
        let admissions = self.total(yearly, Yearly::Admissions);
        let weighted = |m: Yearly| {
            (0..years)
                .map(|t| {
                    let a = yearly[lay.at(Yearly::Admissions, t)];
                    if a > 0.0 { yearly[lay.at(m, t)] * a } else { 0.0 }
                })
                .sum::<f64>()
        };
        if admissions > 0.0 {
            o[Horizon::WaitingWeeksMean.index()] = weighted(Yearly::WaitingWeeksMean) / admissions;
            o[Horizon::ShareWaitedOverNorm.index()] = weighted(Yearly::ShareWaitedOverNorm) / admissions;
        }
        o[Horizon::WaitingMean.index()] = self.total(yearly, Yearly::Waiting) / years as f64;
    }

    /// One strategy's investor metrics over the horizon (none without investment): returns,
    /// multiple, loss, and the share of the payments that paid for luck (`luck`: payments
    /// for luck, payments).
    fn investor_horizon(&self, yearly: &[f64], luck: (f64, f64), o: &mut [f64]) {
        let lay = &self.layout;
        let invested = self.total(yearly, Yearly::InvestorCost);
        if invested > 0.0 {
            let received = self.total(yearly, Yearly::InvestorPayments);
            let flows: Vec<f64> = (0..self.scenario.horizon_years)
                .map(|t| yearly[lay.at(Yearly::InvestorPayments, t)] - yearly[lay.at(Yearly::InvestorCost, t)])
                .collect();
            let irr = investor::irr_or_reason(&flows);
            o[Horizon::InvestorIrr.index()] = irr.unwrap_or(f64::NAN);
            for (reason, m) in investor::NoIrr::ALL.into_iter().zip([
                Horizon::InvestorIrrNonePaymentsFirst,
                Horizon::InvestorIrrNoneNoSignChange,
                Horizon::InvestorIrrNoneSeveralSignChanges,
            ]) {
                o[m.index()] = if irr == Err(reason) { 1.0 } else { 0.0 };
            }
            let series = |m: Yearly| (0..self.scenario.horizon_years).map(|t| yearly[lay.at(m, t)]).collect::<Vec<_>>();
            let (costs, payments) = (series(Yearly::InvestorCost), series(Yearly::InvestorPayments));
            o[Horizon::InvestorMirr.index()] = investor::mirr(&costs, &payments, self.scenario.discount_rate);
            o[Horizon::InvestorMultiple.index()] = received / invested;
            o[Horizon::PInvestorLoss.index()] = if received < invested { 1.0 } else { 0.0 };
            let (lucky, paid) = luck;
            o[Horizon::PaidForLuckShare.index()] = if paid > 0.0 { lucky / paid } else { f64::NAN };
        }
    }

    /// Simulates every strategy over the horizon, all together step by step (their draws
    /// within a phase are independent, and strategies share stream keys), writing each
    /// strategy's yearly metrics to its block of `out`. Returns the client-years per
    /// strategy, segment and year.
    fn simulate<D: Draws>(&self, inputs: Inputs<'_>, draws: &mut D, ws: &mut Workspace, out: &mut [f64]) -> Vec<f64> {
        let spy = self.scenario.steps_per_year;
        let mut sim = Sim::new(self, inputs, draws, ws, out);
        for kstep in 0..self.scenario.steps() {
            if self.stopped() {
                break;
            }
            sim.step(kstep);
            if (kstep + 1) % spy == 0 {
                if sim.muni.is_some() {
                    sim.municipal_year(kstep / spy);
                }
                sim.year_volumes(kstep / spy);
                sim.year_money(kstep / spy);
            }
        }
        sim.client_years
    }
}

/// One simulation of every strategy over the horizon ([`Plan::simulate`]): what it reads,
/// its draws, where it writes, and how the segment paths are wired. Its methods are the
/// phases of a step and of a year's end.
struct Sim<'a, D> {
    plan: &'a Plan,
    /// Parameter values.
    values: &'a [f64],
    /// Whether behaviour factors, efficiency and noise apply (see [`View`]).
    realised: bool,
    /// Shared referrals per step and segment (step-major).
    referrals: &'a [f64],
    draws: &'a mut D,
    ws: &'a mut Workspace,
    /// Yearly metrics, one block per simulated strategy.
    out: &'a mut [f64],
    /// `path_of[k * nseg + g]`: the path of segment `g` under strategy `k`.
    path_of: Vec<usize>,
    /// Per path: (programme, reach × effect) of the programmes that prevent its referrals.
    reach_effect: Vec<Vec<(usize, f64)>>,
    /// Per path: the paths whose escalations arrive in it (upstream, same strategy).
    inflow_from: Vec<Vec<usize>>,
    /// (strategy, contract, path) of every segment under an outcome contract.
    outcome_paths: Vec<(usize, usize, usize)>,
    /// The rationed lots and their ceilings.
    rationing: Rationing,
    /// Flows of each path summed over the current year: per-step figures are needed only
    /// for successes under outcome contracts (their payments follow after a delay).
    year_flows: Vec<StepFlows>,
    /// Per path: the share of referrals prevention kept in the last step, so that its
    /// sampler is set up again only when the share changes.
    last_keep: Vec<f64>,
    /// Client-years per strategy, segment and year.
    client_years: Vec<f64>,
    /// Per path: its mean duration in years and its number of phases.
    durations: Vec<(f64, usize)>,
    /// The municipalities of each path's clients, in a realised run of a region.
    muni: Option<Muni>,
}

/// The municipalities of each path's clients (docs/model.md section 16), path-major.
struct Muni {
    /// Municipalities.
    count: usize,
    /// In care at the start of the year.
    active: Vec<f64>,
    /// Starts in the year.
    starts: Vec<f64>,
    /// Client-years in the year.
    client_years: Vec<f64>,
    /// Per path: whether a reported strategy follows it (the others, behaviour-neutral
    /// twins and counterfactuals, need no municipalities).
    needed: Vec<bool>,
    /// Scratch: one path's exits per municipality.
    exits: Vec<f64>,
}

/// Segment `g`'s path under one strategy, before it is shared or added.
struct PathSpec {
    /// Mean duration in years.
    d: f64,
    success: f64,
    reentry: f64,
    escalation: f64,
    /// Thinning of the shared referrals to the strategy's incidence factor.
    p_thin: f64,
    /// (programme, reach × effect) of the strategy's programmes aimed at the segment.
    reach_effect: Vec<(usize, f64)>,
    /// Places and waiting-list rates, for a path with capacity or rationing.
    limits: Option<WaitingRates>,
    /// Whether the path is rationed (then it is its strategy's alone).
    rationing: bool,
    /// The contract of the segment under the strategy.
    contract: usize,
    /// What decides whether two strategies can share the path (with `reach_effect` and
    /// the inflows).
    signature: [u64; 9],
}

/// The capacity and waiting-list rates of a limited path.
#[derive(Clone, Copy)]
struct WaitingRates {
    /// Places (`INFINITY`: rationing only).
    capacity: f64,
    /// Drop-out rate while waiting, per year.
    dropout: f64,
    /// Escalation rate while waiting, per year.
    escalation: f64,
}

/// A lot's year as its providers see it.
struct LotBill {
    /// Clients served in the year: active at its start plus starts.
    served: f64,
    /// The municipality's payment for the lot.
    paid: crate::model::contract::Payment,
    /// The emergency premium on top of it.
    premium: f64,
    /// The advance on outcome payments (paid, or settled when negative).
    advance: f64,
    /// The corridor target of the lot (its prices without margin).
    target: f64,
    /// The lot's cost at the segments' cost per client-year, before efficiency and noise.
    base_cost: f64,
}

impl<'a, D: Draws> Sim<'a, D> {
    /// Resets the buffers and wires the paths for one simulation.
    fn new(plan: &'a Plan, inputs: Inputs<'a>, draws: &'a mut D, ws: &'a mut Workspace, out: &'a mut [f64]) -> Self {
        let s = &plan.scenario;
        let (nstrat, nseg) = (plan.sims.len(), s.segments.len());
        ws.paths.clear();
        ws.paths.norm_years = s.waiting_norm_weeks / WEEKS_PER_YEAR;
        for (k, sw) in ws.strategies.iter_mut().enumerate() {
            sw.reset(plan, k);
        }
        let mut sim = Sim {
            plan,
            values: inputs.values,
            realised: inputs.view == View::Realised,
            referrals: inputs.referrals,
            draws,
            ws,
            out,
            path_of: vec![usize::MAX; nstrat * nseg],
            reach_effect: Vec::new(),
            inflow_from: Vec::new(),
            outcome_paths: Vec::new(),
            rationing: Rationing { lots: Vec::new(), ceilings: Vec::new(), ncontracts: s.contracts.len() },
            year_flows: Vec::new(),
            last_keep: Vec::new(),
            client_years: vec![0.0; nstrat * nseg * s.horizon_years],
            durations: Vec::new(),
            muni: None,
        };
        sim.build_paths(inputs.f_max);
        sim.wire();
        sim
    }

    /// A contract's behaviour factor under simulated strategy `k`: its drawn value in a
    /// realised run, 1 in the expected view and for a behaviour-neutral twin.
    fn factor(&self, k: usize, id: crate::scenario::ParamId) -> f64 {
        if self.realised && !self.plan.neutral[k] { self.values[id.0] } else { 1.0 }
    }

    /// Active clients of segment `g` under strategy `k`.
    fn active(&self, k: usize, g: usize) -> f64 {
        self.ws.paths.state[self.path_of[k * self.plan.scenario.segments.len() + g]].active
    }

    /// The paths: one per strategy and segment, except that a segment whose parameters,
    /// prevention and inflows are the same under two strategies follows the same path
    /// (same draws, by common random numbers): it is simulated once and shared. Segments
    /// are placed in escalation order, so that their upstream paths are known.
    fn build_paths(&mut self, f_max: Option<&[f64]>) {
        let plan = self.plan;
        let nseg = plan.scenario.segments.len();
        let mut signatures: Vec<[u64; 9]> = Vec::new();
        for &g in &plan.escalation_order {
            for k in 0..plan.sims.len() {
                let spec = self.path_spec(k, g, f_max);
                let path_of = &self.path_of;
                let same_inflow =
                    |k2: usize| plan.upstream[g].iter().all(|&u| path_of[k2 * nseg + u] == path_of[k * nseg + u]);
                let shared = (0..k).map(|k2| path_of[k2 * nseg + g]).find(|&i| {
                    signatures[i] == spec.signature
                        && self.reach_effect[i] == spec.reach_effect
                        && same_inflow(self.ws.paths.rep[i])
                });
                self.path_of[k * nseg + g] = match shared {
                    Some(i) => i,
                    None => {
                        signatures.push(spec.signature);
                        self.push_path(k, g, spec)
                    }
                };
            }
        }
    }

    /// Segment `g`'s path under strategy `k`.
    fn path_spec(&self, k: usize, g: usize, f_max: Option<&[f64]>) -> PathSpec {
        let s = &self.plan.scenario;
        let values = self.values;
        let seg = &s.segments[g];
        let st = &self.plan.sims[k];
        let c = &s.contracts[st.contract_of_segment[g]];
        let d = values[seg.mean_duration_years.0] * self.factor(k, c.duration_factor);
        let success = values[seg.success_rate.0] * self.factor(k, c.success_factor);
        let reentry = values[seg.reentry_rate.0] * self.factor(k, c.reentry_factor);
        let escalation = if seg.escalates_to.is_some() { values[seg.escalation_rate.0] } else { 0.0 };
        let p_thin = match f_max {
            // A twin at factor 1 where every strategy's factor is below 1 keeps all the
            // shared referrals (docs/model.md section 6, the behaviour-neutral twin).
            Some(fm) if fm[g] > 0.0 => (self.factor(k, c.incidence_factor) / fm[g]).min(1.0),
            Some(_) => 0.0,
            None => 1.0,
        };
        let reach_effect = st
            .programmes
            .iter()
            .filter(|&&p| s.programmes[p].targets.contains(&g))
            .map(|&p| (p, values[s.programmes[p].reach.0] * values[s.programmes[p].effect.0]))
            .collect();
        // Capacity and rationing: a limited segment is not the same path as an unlimited
        // one; a rationing path depends on its strategy's whole lot, so it is never shared.
        // Unlimited paths keep zeros here (the sharing of before).
        let pos = c.segments.iter().position(|&x| x == g).unwrap_or(0);
        let capacity = c.capacity.get(pos).copied().flatten();
        let rationing = c.rationing.is_some() && self.realised;
        let limits = (capacity.is_some() || rationing).then(|| WaitingRates {
            capacity: capacity.unwrap_or(f64::INFINITY),
            dropout: values[seg.waiting_dropout_rate.0],
            escalation: if seg.escalates_to.is_some() { values[seg.escalation_while_waiting_rate.0] } else { 0.0 },
        });
        let signature = [
            d.to_bits(),
            success.to_bits(),
            reentry.to_bits(),
            escalation.to_bits(),
            p_thin.to_bits(),
            0,
            limits.map_or(0, |w| w.capacity.to_bits()),
            if rationing { k as u64 + 1 } else { 0 },
            limits.map_or(0, |w| w.dropout.to_bits() ^ w.escalation.to_bits().rotate_left(17)),
        ];
        let contract = st.contract_of_segment[g];
        PathSpec { d, success, reentry, escalation, p_thin, reach_effect, limits, rationing, contract, signature }
    }

    /// Adds the path `spec` of segment `g`, first met under strategy `k`; returns its index.
    fn push_path(&mut self, k: usize, g: usize, spec: PathSpec) -> usize {
        let s = &self.plan.scenario;
        let seg = &s.segments[g];
        let paths = &mut self.ws.paths;
        let rates = SegmentRates::new(
            spec.d,
            s.step_years(),
            spec.success,
            spec.reentry,
            spec.escalation,
            seg.reentry_delay_years,
        )
        .with_shape(spec.d, seg.duration_shape);
        let (waiting, escalating) = self.plan.initial[g];
        let state = SegmentState { active: seg.initial_caseload, waiting_reentry: waiting, queue: 0.0 };
        let i = paths.push(g, rates, Binomial::new(spec.p_thin), state);
        paths.spread_over_phases(i);
        if let Some(w) = spec.limits {
            paths.limits[i] = Some(Limits::new(w.capacity, spec.d, w.dropout, w.escalation));
            paths.any_limited = true;
            if w.capacity.is_finite() {
                let dt = s.step_years();
                let rates = &mut paths.rates[i];
                rates.phases = rates.phases.take().map(|p| Box::new(p.with_places(spec.d, dt)));
            }
            if spec.rationing {
                self.rationing.lots.push((k, spec.contract, i, g));
            }
        }
        paths.escalations_in[i] = escalating;
        paths.rep.push(k);
        self.durations.push((spec.d, seg.duration_shape));
        self.reach_effect.push(spec.reach_effect);
        i
    }

    /// What follows from the paths once they are all placed: the rationed lots in order,
    /// the escalation inflows, the paths paid by outcome, and the per-path buffers.
    fn wire(&mut self) {
        let plan = self.plan;
        let s = &plan.scenario;
        let (nstrat, nseg) = (plan.sims.len(), s.segments.len());
        let npaths = self.ws.paths.len();
        self.rationing.lots.sort_unstable();
        if !self.rationing.lots.is_empty() {
            self.rationing.ceilings = vec![0.0; nstrat * s.contracts.len()];
        }
        let (paths, path_of, strategies) = (&self.ws.paths, &self.path_of, &self.ws.strategies);
        // Escalations into each path come from the upstream paths of its strategies.
        self.inflow_from = (0..npaths)
            .map(|i| {
                let (k, g) = (paths.rep[i], paths.segment[i]);
                plan.upstream[g].iter().map(|&u| path_of[k * nseg + u]).collect()
            })
            .collect();
        self.outcome_paths = (0..nstrat)
            .flat_map(|k| (0..nseg).map(move |g| (k, g)))
            .filter_map(|(k, g)| {
                let c = strategies[k].lot_of[g].0;
                strategies[k].follow_up[c].map(|_| (k, c, path_of[k * nseg + g]))
            })
            .collect();
        self.year_flows = vec![StepFlows::default(); npaths];
        self.last_keep = vec![f64::NAN; npaths];
        if let (Some(region), true) = (&plan.region, self.realised) {
            let m = region.count;
            let mut needed = vec![false; npaths];
            for k in 0..plan.strategies() {
                for g in 0..nseg {
                    needed[self.path_of[k * nseg + g]] = true;
                }
            }
            let mut muni = Muni {
                needed,
                count: m,
                active: vec![0.0; npaths * m],
                starts: vec![0.0; npaths * m],
                client_years: vec![0.0; npaths * m],
                exits: vec![0.0; m],
            };
            for i in (0..npaths).filter(|&i| muni.needed[i]) {
                let g = self.ws.paths.segment[i];
                let n = s.segments[g].initial_caseload;
                region.split(self.draws, Purpose::MunicipalInitial, g, 0, n, &mut muni.active[i * m..(i + 1) * m]);
            }
            self.ws.municipal = vec![0.0; plan.strategies() * m * s.horizon_years];
            self.muni = Some(muni);
        }
    }

    /// The end of year `t`, municipalities: per path, the year's starts split over the
    /// municipalities by their use shares, its exits over the clients each had in care, and
    /// its client-years by the expected time in care of each municipality's clients.
    fn municipal_year(&mut self, t: usize) {
        let (Some(region), Some(muni)) = (&self.plan.region, &mut self.muni) else { return };
        let m = muni.count;
        for (i, f) in self.year_flows.iter().enumerate().filter(|&(i, _)| muni.needed[i]) {
            let g = self.ws.paths.segment[i];
            let at = i * m..(i + 1) * m;
            region.split(self.draws, Purpose::MunicipalStarts, g, t, f.starts, &mut muni.starts[at.clone()]);
            let (d, shape) = self.durations[i];
            let (a, s) = year_weights(d, shape);
            let mut weight = 0.0;
            for j in at.clone() {
                muni.client_years[j] = a * muni.active[j] + s * muni.starts[j];
                weight += muni.client_years[j];
                muni.active[j] += muni.starts[j];
            }
            split_exits(self.draws, g, t, f.exits, &muni.active[at.clone()], &mut muni.exits);
            for (j, x) in at.zip(&muni.exits) {
                muni.active[j] -= x;
                muni.client_years[j] *= if weight > 0.0 { f.client_years / weight } else { 0.0 };
            }
        }
    }

    /// Strategy `k`'s spend in year `t` per municipality when the region splits it by use:
    /// each lot's spend by the municipalities' share of its use (trajectories, priced at
    /// the expected cost of one, for a price per trajectory; client-years at their cost
    /// otherwise), the rest (prevention, investors) by the fixed key.
    fn municipal_spend(&mut self, k: usize, t: usize, lot_spend: &[(usize, f64)], spend: f64) {
        let (Some(region), Some(muni)) = (&self.plan.region, &self.muni) else { return };
        if k >= self.plan.strategies() {
            return;
        }
        let s = &self.plan.scenario;
        let (m, years, nseg) = (muni.count, s.horizon_years, s.segments.len());
        let mut by_use = vec![0.0; m];
        let mut lots = 0.0;
        for &(c, amount) in lot_spend {
            let contract = &s.contracts[c];
            let per_start = matches!(contract.form, Form::Output | Form::Outcome(_));
            let mut shares = vec![0.0; m];
            for &g in &contract.segments {
                let i = self.path_of[k * nseg + g];
                let cost = self.values[s.segments[g].cost_per_client_year.0];
                let (use_of, price) = if per_start {
                    (&muni.starts, cost * self.values[s.segments[g].mean_duration_years.0])
                } else {
                    (&muni.client_years, cost)
                };
                for (x, u) in shares.iter_mut().zip(&use_of[i * m..(i + 1) * m]) {
                    *x += u * price;
                }
            }
            let total: f64 = shares.iter().sum();
            for ((b, x), key) in by_use.iter_mut().zip(&shares).zip(&region.key) {
                *b += amount * if total > 0.0 { x / total } else { *key };
            }
            lots += amount;
        }
        let out = &mut self.ws.municipal[k * m * years..(k + 1) * m * years];
        let mut sum = 0.0;
        for j in 0..m - 1 {
            let v = by_use[j] + (spend - lots) * region.key[j];
            out[j * years + t] = v;
            sum += v;
        }
        // The last takes the rest, so that the municipalities add up to the region's spend.
        out[(m - 1) * years + t] = spend - sum;
    }

    /// Step `kstep` of every path: admissions caps under rationing, prevention, the
    /// segment step itself, and what it leaves for the year and the next step.
    fn step(&mut self, kstep: usize) {
        let nseg = self.plan.scenario.segments.len();
        if !self.rationing.lots.is_empty() {
            self.ration(kstep);
        }
        self.prevention(kstep);
        step_paths(self.draws, kstep, &mut self.ws.paths, &self.referrals[kstep * nseg..(kstep + 1) * nseg]);
        self.record_step(kstep);
    }

    /// The admissions caps of the rationed paths before step `kstep`, against the lots'
    /// ceilings of the year (set in its first step).
    fn ration(&mut self, kstep: usize) {
        let s = &self.plan.scenario;
        let values = self.values;
        let spy = s.steps_per_year;
        let t = kstep / spy;
        if kstep % spy == 0 {
            self.rationing.set_ceilings(s, &self.ws.strategies, t, values[s.tariff_indexation.0]);
        }
        let cost_index = index(values[s.cost_inflation.0], t);
        let cost = |g: usize| values[s.segments[g].cost_per_client_year.0] * cost_index;
        self.rationing.caps(&mut self.ws.paths, &self.year_flows, cost, kstep % spy, spy);
    }

    /// The share of referrals prevented in step `kstep`, per path with prevention.
    fn prevention(&mut self, kstep: usize) {
        let profiles = &self.plan.profiles;
        for (i, re) in self.reach_effect.iter().enumerate() {
            if !re.is_empty() {
                let keep: f64 = re.iter().map(|&(p, re)| 1.0 - re * profiles[p][kstep]).product();
                if keep != self.last_keep[i] {
                    self.ws.paths.prevention[i] = Binomial::new(1.0 - keep);
                    self.last_keep[i] = keep;
                }
            }
        }
    }

    /// After step `kstep`: its flows into the year's, the successes that outcome contracts
    /// pay after the follow-up, and the escalations that arrive in the next step.
    fn record_step(&mut self, kstep: usize) {
        let steps = self.plan.scenario.steps();
        let paths = &mut self.ws.paths;
        for (acc, f) in self.year_flows.iter_mut().zip(&paths.flows) {
            *acc += *f;
        }
        for &(k, c, i) in &self.outcome_paths {
            let sw = &mut self.ws.strategies[k];
            if let Some(delay) = sw.follow_up[c]
                && kstep + delay < steps
            {
                sw.outcome_queue[c][kstep + delay] += paths.flows[i].successes;
            }
        }
        for (i, from) in self.inflow_from.iter().enumerate() {
            paths.escalations_in[i] = from.iter().map(|&u| paths.flows[u].escalations_out).sum();
        }
    }

    /// The end of year `t`, volumes: per strategy, its paths' flows of the year into its
    /// lots and yearly metrics, and its waiting lists; then the year's flows start again.
    fn year_volumes(&mut self, t: usize) {
        for k in 0..self.plan.sims.len() {
            self.volumes(k, t);
            self.waiting_metrics(k, t);
        }
        if self.ws.paths.any_limited {
            for lim in self.ws.paths.limits.iter_mut().flatten() {
                lim.waits.clear();
            }
        }
        self.year_flows.iter_mut().for_each(|f| *f = StepFlows::default());
    }

    /// Strategy `k`'s volumes in year `t`: client-years and starts per lot, the flows of
    /// its yearly metrics, and the gross value of the referrals its programmes prevented.
    fn volumes(&mut self, k: usize, t: usize) {
        let plan = self.plan;
        let (s, lay) = (&plan.scenario, &plan.layout);
        let (nseg, years, per) = (s.segments.len(), s.horizon_years, lay.yearly_len());
        let o = &mut self.out[k * per..(k + 1) * per];
        let sw = &mut self.ws.strategies[k];
        for g in 0..nseg {
            let i = self.path_of[k * nseg + g];
            let f = self.year_flows[i];
            let (c, pos) = sw.lot_of[g];
            let lot = &mut sw.lots[c];
            lot.client_years[pos] += f.client_years;
            lot.starts[pos] += f.starts;
            self.client_years[(k * nseg + g) * years + t] += f.client_years;
            o[lay.at(Yearly::Starts, t)] += f.starts;
            o[lay.at(Yearly::Exits, t)] += f.exits;
            o[lay.at(Yearly::Referrals, t)] += f.referrals;
            o[lay.at(Yearly::Prevented, t)] += f.prevented;
            o[lay.at(Yearly::Successes, t)] += f.successes;
            o[lay.at(Yearly::ClientYears, t)] += f.client_years;
            o[lay.at_index(lay.starts_by_segment + g, t)] += f.starts;
            if let Some(m) = lay.societal_benefit
                && f.prevented > 0.0
            {
                o[lay.at_index(m, t)] += plan.programme_benefit(self.values, &self.reach_effect[i], t, f.prevented);
            }
        }
    }

    /// The waiting-list metrics of strategy `k` in year `t`, from the year's flows of its
    /// paths: mean queue, admissions, mean and 90th percentile wait in weeks (clients
    /// admitted at once waited 0), escalations and drop-outs while waiting, the share that
    /// waited over the norm; and the societal cost of the drop-outs (client-years forgone:
    /// drop-outs × mean stay) in the societal slot.
    fn waiting_metrics(&mut self, k: usize, t: usize) {
        let plan = self.plan;
        let (s, lay) = (&plan.scenario, &plan.layout);
        let (nseg, per) = (s.segments.len(), lay.yearly_len());
        let o = &mut self.out[k * per..(k + 1) * per];
        let (paths, scratch) = (&self.ws.paths, &mut self.ws.waits);
        let mut total = StepFlows::default();
        scratch.clear();
        for (g, &i) in self.path_of[k * nseg..(k + 1) * nseg].iter().enumerate() {
            let f = self.year_flows[i];
            total += f;
            if let Some(lim) = &paths.limits[i] {
                scratch.extend_from_slice(&lim.waits);
                if let (Some(m), Some(p)) = (lay.societal_benefit, s.segments[g].dropout_cost_per_client_year)
                    && f.dropouts > 0.0
                {
                    let cost_index = index(self.values[s.cost_inflation.0], t);
                    o[lay.at_index(m, t)] -= self.values[p.0] * cost_index * f.dropouts * lim.mean_stay_years;
                }
            }
        }
        let admissions = total.starts;
        o[lay.at(Yearly::Waiting, t)] = total.queue_years;
        o[lay.at(Yearly::Admissions, t)] = admissions;
        o[lay.at(Yearly::EscalationsFromWaiting, t)] = total.escalations_waiting;
        o[lay.at(Yearly::DropoutsFromWaiting, t)] = total.dropouts;
        if admissions > 0.0 {
            o[lay.at(Yearly::WaitingWeeksMean, t)] = total.wait_years / admissions * WEEKS_PER_YEAR;
            o[lay.at(Yearly::ShareWaitedOverNorm, t)] = total.over_norm / admissions;
            o[lay.at(Yearly::WaitingWeeksP90, t)] = weighted_quantile(scratch, admissions, 0.9) * WEEKS_PER_YEAR;
        } else {
            o[lay.at(Yearly::WaitingWeeksMean, t)] = f64::NAN;
            o[lay.at(Yearly::ShareWaitedOverNorm, t)] = f64::NAN;
            o[lay.at(Yearly::WaitingWeeksP90, t)] = f64::NAN;
        }
    }

    /// The end of year `t`, money: per strategy, its contracts (payments and providers),
    /// its programmes, and the year's money metrics.
    fn year_money(&mut self, t: usize) {
        let plan = self.plan;
        let cost_index = index(self.values[plan.scenario.cost_inflation.0], t);
        for (k, st) in plan.sims.iter().enumerate() {
            let mut money = YearMoney { reserves_min: f64::INFINITY, ..YearMoney::default() };
            let mut lot_spend = Vec::new();
            for &c in &st.contracts {
                let before = money.spend();
                self.contract_year(k, c, t, cost_index, &mut money);
                if self.muni.is_some() {
                    lot_spend.push((c, money.spend() - before));
                }
            }
            self.programmes_year(k, t, cost_index, &mut money);
            self.money_metrics(k, t, cost_index, &money);
            if self.muni.is_some() {
                self.municipal_spend(k, t, &lot_spend, money.spend());
            }
        }
    }

    /// Contract `c` of strategy `k` in year `t`: a new period's prices, the payment, the
    /// providers' year, and the lot's year into the period's history.
    fn contract_year(&mut self, k: usize, c: usize, t: usize, cost_index: f64, money: &mut YearMoney) {
        let s = &self.plan.scenario;
        let contract = &s.contracts[c];
        let values = self.values;
        let indexation = values[s.tariff_indexation.0];
        let lot_active: f64 = contract.segments.iter().map(|&g| self.active(k, g)).sum();
        let sw = &mut self.ws.strategies[k];
        let served = sw.lot_caseload[c] + sw.lots[c].starts.iter().sum::<f64>();
        sw.lot_caseload[c] = lot_active;
        if new_period(contract, t) {
            sw.start_period(contract, c, t, indexation);
        }
        sw.premium_year(contract, c, t);
        let due = match &contract.form {
            Form::Outcome(terms) => {
                let spy = s.steps_per_year;
                let successes: f64 = sw.outcome_queue[c][t * spy..(t + 1) * spy].iter().sum();
                successes * values[terms.outcome_payment.0] * index(indexation, t)
            }
            _ => 0.0,
        };
        let price_index = index(indexation, t - sw.prices[c].set_in_year);
        let lot = &sw.lots[c];
        let paid = pay(&contract.form, &sw.prices[c], price_index, lot, due);
        let premium = s.provider.emergency_premium * sw.premium_share[c] * (paid.care + paid.outcome);
        let advance = match self.plan.advance[c] {
            (a, _) if t == 0 => a,
            (a, Some(settle)) if t == settle => -a,
            _ => 0.0,
        };
        let target = target_cost(&contract.form, &sw.prices[c], price_index, lot) / (1.0 + contract.margin);
        let base_cost: Vec<f64> = contract
            .segments
            .iter()
            .enumerate()
            .map(|(pos, &g)| lot.client_years[pos] * values[s.segments[g].cost_per_client_year.0] * cost_index)
            .collect();
        let lot_base_cost: f64 = base_cost.iter().sum();
        let bill = LotBill { served, paid, premium, advance, target, base_cost: lot_base_cost };
        let lot_cost = self.providers_year(k, c, t, &bill, money);
        let sw = &mut self.ws.strategies[k];
        let lot = &mut sw.lots[c];
        for (pos, cost) in base_cost.iter().enumerate() {
            lot.cost[pos] = cost * if lot_base_cost > 0.0 { lot_cost / lot_base_cost } else { 0.0 };
        }
        money.care += paid.care;
        money.outcome += paid.outcome;
        money.premium += premium;
        money.advance += advance;
        money.admin += contract.admin_cost_rate * (paid.care + paid.outcome + premium);
        money.provider_cost += lot_cost;
        sw.history[c].push(lot.clone());
        lot.clear();
    }

    /// The providers of contract `c` of strategy `k` in year `t`: contract shares among
    /// those trading, the volume split by a multinomial draw of the clients served, each
    /// provider's cost (efficiency and noise), revenue, corridor transfer and books; a
    /// failure puts its share of the lot at the emergency premium. Returns the lot's cost.
    fn providers_year(&mut self, k: usize, c: usize, t: usize, bill: &LotBill, money: &mut YearMoney) -> f64 {
        let s = &self.plan.scenario;
        let contract = &s.contracts[c];
        let (values, realised) = (self.values, self.realised);
        let draws = &mut *self.draws;
        let sw = &mut self.ws.strategies[k];
        let ledgers = &mut sw.ledgers[c];
        let trading: f64 = ledgers.iter().zip(&contract.market_shares).filter(|(l, _)| l.active).map(|(_, m)| m).sum();
        let shares: Vec<f64> = ledgers
            .iter()
            .zip(&contract.market_shares)
            .map(|(l, m)| if l.active && trading > 0.0 { m / trading } else { 0.0 })
            .collect();
        let volume = split_volume(draws, c, t, bill.served, &shares);
        let paid = bill.paid;
        let mut lot_cost = 0.0;
        let mut failed_share = 0.0;
        for (j, ledger) in ledgers.iter_mut().enumerate() {
            if !ledger.active {
                continue;
            }
            let (v, contract_share) = (volume[j], shares[j]);
            let noise = if realised { cost_noise(draws, s.provider.cost_noise_sd, c, j, t) } else { 1.0 };
            let efficiency = if realised { values[contract.efficiency[j].0] } else { 1.0 };
            let cost = v * bill.base_cost * efficiency * noise;
            let mut revenue = match contract.form {
                Form::Task => contract_share * paid.care,
                _ => v * (paid.care + paid.outcome),
            } + v * bill.premium;
            if bill.advance != 0.0 {
                revenue += v * bill.advance;
            }
            let own_target = if matches!(contract.form, Form::Task) { contract_share } else { v } * bill.target;
            let transfer = match (&contract.risk_sharing, realised) {
                (Some(rs), true) => corridor_transfer(rs, own_target, cost, revenue),
                _ => 0.0,
            };
            lot_cost += cost;
            money.transfer += transfer;
            money.provider_result += revenue + transfer - cost;
            if realised && ledger.book(revenue + transfer, cost, s.provider.reserves_share) {
                money.failures += 1.0;
                money.failure_cost += s.provider.transition_cost_share * (revenue + transfer);
                failed_share += contract.market_shares[j];
                sw.premium_until[c][j] = premium_until(contract, &s.provider, t);
            }
            money.reserves_min = money.reserves_min.min(ledger.reserves.unwrap_or(f64::INFINITY));
        }
        if failed_share > 0.0 {
            if ledgers.iter().all(|l| !l.active) {
                // Nobody left: the lot is re-tendered at once, at the premium on the whole lot.
                ledgers.iter_mut().for_each(Ledger::replace);
                sw.premium_until[c].iter_mut().for_each(|u| *u = 0);
                sw.whole_lot_premium_until[c] = premium_until(contract, &s.provider, t);
                sw.premium_share[c] = 1.0;
            } else {
                sw.premium_share[c] = (sw.premium_share[c] + failed_share).min(1.0);
            }
        }
        lot_cost
    }

    /// Strategy `k`'s programmes in year `t`: their cost, and for an investor-financed one
    /// the year's payment to the investor for the targeted starts against the baseline.
    fn programmes_year(&mut self, k: usize, t: usize, cost_index: f64, money: &mut YearMoney) {
        let plan = self.plan;
        let s = &plan.scenario;
        let per = plan.layout.yearly_len();
        let o = &self.out[k * per..(k + 1) * per];
        let sw = &mut self.ws.strategies[k];
        for &p in &plan.sims[k].programmes {
            if !plan.programme_runs(p, t) {
                continue;
            }
            let prog = &s.programmes[p];
            let cost = self.values[prog.annual_cost.0] * cost_index;
            if prog.partner_share > 0.0 {
                money.partner += cost * prog.partner_share / (1.0 - prog.partner_share);
            }
            match &prog.financing {
                Financing::Municipality => money.prevention += cost,
                Financing::Investor(terms) => {
                    money.investor_cost += cost;
                    let origin = plan.origin[k];
                    let baseline = plan.investor_baseline.get(origin).and_then(|b| b.iter().find(|(q, _)| *q == p));
                    if let Some((_, baseline)) = baseline {
                        let actual = plan.targeted_starts_in(o, p, t);
                        let account = sw.investor.entry(p).or_insert_with(|| investor::Account::new(terms));
                        let pay_index = if terms.payment_indexed { cost_index } else { 1.0 };
                        money.investor_payments += account.pay_year(terms, baseline[t], actual, pay_index, cost);
                    }
                }
            }
        }
    }

    /// Strategy `k`'s money metrics of year `t`, its caseload at the year's end, and
    /// whether its spend went over the budget line.
    fn money_metrics(&mut self, k: usize, t: usize, cost_index: f64, money: &YearMoney) {
        let plan = self.plan;
        let (s, lay) = (&plan.scenario, &plan.layout);
        let per = lay.yearly_len();
        let at = |m: usize| k * per + lay.at_index(m, t);
        let spend = money.spend();
        let reserves_min = if money.reserves_min.is_finite() { money.reserves_min } else { f64::NAN };
        for (m, value) in [
            (Yearly::Spend, spend),
            (Yearly::CarePayments, money.care),
            (Yearly::OutcomePayments, money.outcome),
            (Yearly::PreventionCost, money.prevention),
            (Yearly::AdminCost, money.admin),
            (Yearly::ProviderCost, money.provider_cost),
            (Yearly::ProviderResult, money.provider_result),
            (Yearly::SpendReal, spend / cost_index),
            (Yearly::ProviderReservesMin, reserves_min),
            (Yearly::ProviderFailures, money.failures),
            (Yearly::RiskSharingTransfer, money.transfer),
            (Yearly::FailureCost, money.failure_cost),
            (Yearly::EmergencyPremium, money.premium),
            (Yearly::InvestorPayments, money.investor_payments),
            (Yearly::InvestorCost, money.investor_cost),
            (Yearly::OutcomeAdvance, money.advance),
            (Yearly::PartnerCost, money.partner),
            (Yearly::FailureCostWithPremium, money.failure_cost + money.premium),
        ] {
            self.out[at(m.index())] = value;
        }
        let mut caseload = 0.0;
        for g in 0..s.segments.len() {
            let active = self.active(k, g);
            caseload += active;
            self.out[at(lay.caseload_by_segment + g)] = active;
        }
        self.out[at(Yearly::Caseload.index())] = caseload;
        if let (Some(m), Some(line)) = (lay.budget_overrun, plan.budget_line(plan.origin[k])) {
            self.out[at(m)] = if spend > line[t] { 1.0 } else { 0.0 };
        }
    }
}

/// A strategy's money in one year, summed over its contracts.
#[derive(Debug, Default)]
struct YearMoney {
    care: f64,
    outcome: f64,
    premium: f64,
    advance: f64,
    transfer: f64,
    admin: f64,
    partner: f64,
    prevention: f64,
    investor_payments: f64,
    investor_cost: f64,
    failure_cost: f64,
    failures: f64,
    provider_cost: f64,
    provider_result: f64,
    reserves_min: f64,
}

impl YearMoney {
    /// The municipality's spend: everything it pays.
    fn spend(&self) -> f64 {
        self.care
            + self.outcome
            + self.premium
            + self.transfer
            + self.investor_payments
            + self.prevention
            + self.admin
            + self.failure_cost
            + self.advance
    }
}

/// Shares of the lot's volume per provider: a multinomial split of the `served` clients by
/// `shares` (binomials in provider order, on the contract's own streams), as fractions.
/// One provider, or nobody served, takes the shares as they are.
fn split_volume<D: Draws>(draws: &mut D, contract: usize, year: usize, served: f64, shares: &[f64]) -> Vec<f64> {
    if shares.len() < 2 || served <= 0.0 {
        return shares.to_vec();
    }
    let mut left = served.round();
    let mut rest = 1.0;
    let total = left;
    shares
        .iter()
        .enumerate()
        .map(|(j, &p)| {
            let n = if rest <= 0.0 || p <= 0.0 {
                0.0
            } else if p >= rest {
                left
            } else {
                draws.binomial(Purpose::ProviderSplit, contract * 128 + j, year, left, &Binomial::new(p / rest))
            };
            left -= n;
            rest -= p;
            n / total
        })
        .collect()
}

/// A provider's yearly cost noise: lognormal with mean 1 and standard deviation `sd`.
fn cost_noise<D: Draws>(draws: &mut D, sd: f64, contract: usize, provider: usize, year: usize) -> f64 {
    if sd <= 0.0 {
        return 1.0;
    }
    let sigma2 = math::ln(1.0 + sd * sd);
    let u = draws.open_uniform(Purpose::CostNoise, contract * 128 + provider, year);
    let z = math::normal_quantile(u);
    math::exp(sigma2.sqrt() * z - sigma2 / 2.0)
}

/// How many draws of each kind a run makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawCounts {
    /// Parameter draws (one quantile each).
    pub parameters: u64,
    /// Poisson draws by inversion (mean below 10).
    pub poisson_inversion: u64,
    /// Poisson draws by PTRS.
    pub poisson_ptrs: u64,
    /// Binomial draws by inversion (`n p` below 10).
    pub binomial_inversion: u64,
    /// Binomial draws by BTRS.
    pub binomial_btrs: u64,
    /// Binomial calls with no randomness (`n = 0`, `p` 0 or 1).
    pub binomial_trivial: u64,
    /// Other uniforms (cost noise).
    pub uniforms: u64,
}

struct CountingDraws {
    inner: RandomDraws,
    counts: DrawCounts,
}

impl Draws for CountingDraws {
    fn start(&self, purpose: Purpose, index: usize, step: usize) -> crate::random::rng::StreamStart {
        self.inner.start(purpose, index, step)
    }
    fn binomial_keyed(&mut self, key: &crate::random::rng::StreamStart, n: f64, b: &Binomial) -> f64 {
        let p = b.probability();
        let np = n * p.min(1.0 - p);
        if n <= 0.0 || p == 0.0 || p == 1.0 {
            self.counts.binomial_trivial += 1;
        } else if np < 10.0 {
            self.counts.binomial_inversion += 1;
        } else {
            self.counts.binomial_btrs += 1;
        }
        self.inner.binomial_keyed(key, n, b)
    }
    fn open_uniform(&mut self, purpose: Purpose, index: usize, step: usize) -> f64 {
        self.counts.uniforms += 1;
        self.inner.open_uniform(purpose, index, step)
    }
    fn poisson(&mut self, purpose: Purpose, index: usize, step: usize, mean: f64) -> f64 {
        if mean >= 10.0 {
            self.counts.poisson_ptrs += 1;
        } else if mean > 0.0 {
            self.counts.poisson_inversion += 1;
        }
        self.inner.poisson(purpose, index, step, mean)
    }
}

/// The flows under way at the start, implied by the initial caseloads and the expected
/// values (the practice before the simulation): the initial caseload `A` of a segment
/// leaves at `A / d` a year, of which `(1 - σ) ρ` re-enter after the mean delay `D` (so
/// `A / d (1 - σ) ρ D` are waiting) and `(1 - σ)(1 - ρ) ε` escalate (one step's worth is
/// under way). Rounded to whole clients.
fn initial_history(s: &Scenario) -> Vec<(f64, f64)> {
    let mut waiting = vec![0.0; s.segments.len()];
    let mut escalating = vec![0.0; s.segments.len()];
    for (g, seg) in s.segments.iter().enumerate() {
        let exits = seg.initial_caseload / s.mean(seg.mean_duration_years);
        let failures = exits * (1.0 - s.mean(seg.success_rate));
        let reentry = s.mean(seg.reentry_rate);
        waiting[g] = failures * reentry * seg.reentry_delay_years;
        if let Some(to) = seg.escalates_to {
            escalating[to] += failures * (1.0 - reentry) * s.mean(seg.escalation_rate) * s.step_years();
        }
    }
    waiting.iter().zip(&escalating).map(|(w, e)| (w.round(), e.round())).collect()
}

/// Buffers of a run: the segment paths of all strategies and each strategy's contracts.
struct Workspace {
    paths: Paths,
    strategies: Vec<StrategyBuffers>,
    /// Scratch for the waiting-time percentiles.
    waits: Vec<WaitBlock>,
    /// The municipalities' spend by use ([`RunRecord::municipal`]).
    municipal: Vec<f64>,
}

impl Workspace {
    fn new(plan: &Plan) -> Self {
        Workspace {
            paths: Paths::default(),
            strategies: (0..plan.sims.len()).map(|_| StrategyBuffers::new(plan)).collect(),
            waits: Vec::new(),
            municipal: Vec::new(),
        }
    }
}

/// A strategy's contract state: realised figures of the year and period, prices, and
/// outcome payments waiting for their follow-up.
struct StrategyBuffers {
    /// For each segment, (contract, position in the contract's lot) under the strategy.
    lot_of: Vec<(usize, usize)>,
    lots: Vec<LotYear>,
    history: Vec<Vec<LotYear>>,
    prices: Vec<Prices>,
    follow_up: Vec<Option<usize>>,
    outcome_queue: Vec<Vec<f64>>,
    /// Per contract: each provider's books.
    ledgers: Vec<Vec<Ledger>>,
    /// Per contract: the share of the lot paid at the emergency premium after failures.
    premium_share: Vec<f64>,
    /// Per contract and provider: the year in which a failed provider's replacement enters
    /// (its share is paid at the premium until then).
    premium_until: Vec<Vec<usize>>,
    /// Per contract: the year until which the whole lot is paid at the premium, after every
    /// provider failed.
    whole_lot_premium_until: Vec<usize>,
    /// Per contract: active clients at the start of the year.
    lot_caseload: Vec<f64>,
    /// Per investor-financed programme: the account with the investor.
    investor: std::collections::HashMap<usize, investor::Account>,
}

impl StrategyBuffers {
    fn new(plan: &Plan) -> Self {
        let s = &plan.scenario;
        StrategyBuffers {
            lot_of: vec![(0, 0); s.segments.len()],
            lots: s.contracts.iter().map(|c| LotYear::new(c.segments.len())).collect(),
            history: s.contracts.iter().map(|c| Vec::with_capacity(c.period_years)).collect(),
            prices: s
                .contracts
                .iter()
                .map(|c| Prices { unit: vec![0.0; c.segments.len()], budget: 0.0, set_in_year: 0 })
                .collect(),
            follow_up: vec![None; s.contracts.len()],
            outcome_queue: s.contracts.iter().map(|_| vec![0.0; s.steps()]).collect(),
            ledgers: s.contracts.iter().map(|c| vec![Ledger::default(); c.providers]).collect(),
            premium_share: vec![0.0; s.contracts.len()],
            premium_until: s.contracts.iter().map(|c| vec![0; c.providers]).collect(),
            whole_lot_premium_until: vec![0; s.contracts.len()],
            lot_caseload: vec![0.0; s.contracts.len()],
            investor: std::collections::HashMap::new(),
        }
    }

    /// Prepares the buffers for strategy `k`: first-period prices, empty history.
    fn reset(&mut self, plan: &Plan, k: usize) {
        let s = &plan.scenario;
        let st = &plan.sims[k];
        for &c in &st.contracts {
            let contract = &s.contracts[c];
            for (pos, &g) in contract.segments.iter().enumerate() {
                self.lot_of[g] = (c, pos);
            }
            self.lots[c].clear();
            self.history[c].clear();
            let (cost, dur) = &plan.signing_prices[c];
            let expected = plan.expected_lot_cost.get(k).map_or(0.0, |v| v[c]);
            self.prices[c] = Prices::first(&contract.form, cost, dur, expected, contract.margin);
            self.follow_up[c] = match &contract.form {
                Form::Outcome(terms) => Some((terms.follow_up_years * s.steps_per_year as f64).round() as usize),
                _ => None,
            };
            self.outcome_queue[c].iter_mut().for_each(|x| *x = 0.0);
            self.ledgers[c].iter_mut().for_each(Ledger::replace);
            self.premium_share[c] = 0.0;
            self.premium_until[c].iter_mut().for_each(|u| *u = 0);
            self.whole_lot_premium_until[c] = 0;
            self.lot_caseload[c] = contract.segments.iter().map(|&g| s.segments[g].initial_caseload).sum();
        }
        self.investor.clear();
    }
}

/// The expected cost per client-year and duration of each segment of `contract`, from
/// which its first prices are set.
fn signing_prices(s: &Scenario, contract: &crate::scenario::Contract) -> (Vec<f64>, Vec<f64>) {
    let cost = contract.segments.iter().map(|&g| s.mean(s.segments[g].cost_per_client_year)).collect();
    let dur = contract.segments.iter().map(|&g| s.mean(s.segments[g].mean_duration_years)).collect();
    (cost, dur)
}

/// The year in which the replacement of a provider that failed in year `t` enters: the
/// next contract period, but not before `emergency_premium_min_years` years of premium
/// (from year `t + 1`) have been paid.
fn premium_until(
    contract: &crate::scenario::Contract,
    provider: &crate::scenario::ProviderDefaults,
    t: usize,
) -> usize {
    let next_period = (t / contract.period_years + 1) * contract.period_years;
    next_period.max(t + 1 + provider.emergency_premium_min_years)
}

/// Whether contract `c` has behaviour factors: any of its incidence, duration, success or
/// re-entry factors not identically 1.
fn has_behaviour(s: &Scenario, c: usize) -> bool {
    let contract = &s.contracts[c];
    [contract.incidence_factor, contract.duration_factor, contract.success_factor, contract.reentry_factor]
        .iter()
        .any(|id| !(s.params[id.0].dist.is_fixed() && s.mean(*id) == 1.0))
}

/// The advance on outcome payments of contract `c` (docs/model.md section 4): with
/// `advance_share = a`, `a × Σ (initial caseload / E[duration]) × E[success rate] ×
/// E[outcome payment]` over the lot's segments (a year's expected outcome payments at
/// signing), paid in year 0 and settled in the first year of the second period (or the
/// horizon's last year, if that comes first); none without `advance_share`.
fn outcome_advance(s: &Scenario, contract: &crate::scenario::Contract) -> (f64, Option<usize>) {
    let Form::Outcome(terms) = &contract.form else { return (0.0, None) };
    if terms.advance_share <= 0.0 {
        return (0.0, None);
    }
    let successes: f64 = contract
        .segments
        .iter()
        .map(|&g| {
            let seg = &s.segments[g];
            seg.initial_caseload / s.mean(seg.mean_duration_years) * s.mean(seg.success_rate)
        })
        .sum();
    let advance = terms.advance_share * successes * s.mean(terms.outcome_payment);
    let settle = contract.period_years.min(s.horizon_years - 1);
    (advance, (settle > 0).then_some(settle))
}

/// Whether year `t` starts a new period of `contract` (other than the first).
fn new_period(contract: &crate::scenario::Contract, t: usize) -> bool {
    t > 0 && t % contract.period_years == 0
}

impl StrategyBuffers {
    /// The prices of contract `c` for a period starting in year `t`, from the realised
    /// years of the period before.
    fn repriced(&self, contract: &crate::scenario::Contract, c: usize, t: usize, indexation: f64) -> Prices {
        self.prices[c].reprice(&contract.form, &self.history[c], t, indexation, contract.margin)
    }

    /// A new period of contract `c` from year `t`: new prices, an empty history.
    fn start_period(&mut self, contract: &crate::scenario::Contract, c: usize, t: usize, indexation: f64) {
        self.prices[c] = self.repriced(contract, c, t, indexation);
        self.history[c].clear();
    }

    /// The emergency premium of contract `c` in year `t`: failed providers whose
    /// replacement is due enter with fresh books; the premium is paid on the shares of
    /// those still waiting for one (the whole lot after every provider failed).
    ///
    /// The share accumulates as providers fail (in `providers_year`) and is summed afresh
    /// only when a replacement enters, so that without a minimum it is, bit for bit, the
    /// share of before (which ended with the period).
    fn premium_year(&mut self, contract: &crate::scenario::Contract, c: usize, t: usize) {
        let mut entered = false;
        for (j, ledger) in self.ledgers[c].iter_mut().enumerate() {
            if !ledger.active && self.premium_until[c][j] <= t {
                ledger.replace();
                self.premium_until[c][j] = 0;
                entered = true;
            }
        }
        if self.whole_lot_premium_until[c] != 0 && self.whole_lot_premium_until[c] <= t {
            self.whole_lot_premium_until[c] = 0;
            entered = true;
        }
        if entered {
            let waiting: f64 =
                (self.ledgers[c].iter().zip(&contract.market_shares)).filter(|(l, _)| !l.active).map(|(_, m)| m).sum();
            self.premium_share[c] = if self.whole_lot_premium_until[c] > t { 1.0 } else { waiting.min(1.0) };
        }
    }

    /// The task budget of year `t` of contract `c` (the year's payment for care): the
    /// prices of the period year `t` belongs to, re-priced from the previous period exactly
    /// as the year's payment will be, indexed to year `t`.
    fn year_budget(&self, contract: &crate::scenario::Contract, c: usize, t: usize, indexation: f64) -> f64 {
        let repriced;
        let prices = if new_period(contract, t) {
            repriced = self.repriced(contract, c, t, indexation);
            &repriced
        } else {
            &self.prices[c]
        };
        prices.budget * index(indexation, t - prices.set_in_year)
    }
}

/// The rationed lots of one simulation and their ceilings (docs/model.md, "Rationing").
struct Rationing {
    /// The rationed paths as (strategy, contract, path, segment), sorted, so that the
    /// paths of a lot are next to each other.
    lots: Vec<(usize, usize, usize, usize)>,
    /// Per strategy and contract: the lot's ceiling in the current year (empty without
    /// rationing).
    ceilings: Vec<f64>,
    /// Contracts per strategy (the stride of `ceilings`).
    ncontracts: usize,
}

impl Rationing {
    /// The ceilings of year `t`: each rationed lot's task budget × (1 + tolerance).
    fn set_ceilings(&mut self, s: &Scenario, strategies: &[StrategyBuffers], t: usize, indexation: f64) {
        for &(k, c, _, _) in &self.lots {
            let contract = &s.contracts[c];
            self.ceilings[k * self.ncontracts + c] =
                strategies[k].year_budget(contract, c, t, indexation) * (1.0 + contract.rationing.unwrap_or(0.0));
        }
    }

    /// The rationing rule (docs/model.md, "Rationing"): before step `j` of the year (of
    /// `spy`), a rationing lot's projected cost of the year is the cost so far (client-years
    /// of the year's earlier steps × cost per client-year × cost index) plus the expected
    /// cost of its active clients until the year's end (`A c d (1 - exp(-τ/d))`, `τ` the
    /// time left). The room under the ceiling is split over the lot's segments in
    /// proportion to that expected cost of their active clients (equally when none are
    /// active); a segment may admit `floor(room / u)` clients in the step, where
    /// `u = c d (1 - exp(-(τ - Δ/2)/d))` is the expected cost until the year's end of a
    /// client admitted mid-step. `cost(g)` is segment `g`'s cost per client-year at the
    /// year's cost index.
    fn caps(&self, paths: &mut Paths, year_flows: &[StepFlows], cost: impl Fn(usize) -> f64, j: usize, spy: usize) {
        let dt = 1.0 / spy as f64;
        let left = (spy - j) as f64 * dt;
        let until_end = |d: f64, tau: f64| d * -math::exp_m1(-tau / d);
        let Paths { state, limits, .. } = paths;
        let future = |i: usize, g: usize, d: f64| state[i].active * cost(g) * until_end(d, left);
        for lot in self.lots.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (k, c, _, _) = lot[0];
            let mut projected = 0.0;
            let mut weight_total = 0.0;
            for &(_, _, i, g) in lot {
                let d = limits[i].as_ref().map_or(1.0, |l| l.mean_stay_years);
                let f = future(i, g, d);
                projected += year_flows[i].client_years * cost(g) + f;
                weight_total += f;
            }
            let room = (self.ceilings[k * self.ncontracts + c] - projected).max(0.0);
            for &(_, _, i, g) in lot {
                let Some(lim) = limits[i].as_mut() else { continue };
                let d = lim.mean_stay_years;
                let share = if weight_total > 0.0 { future(i, g, d) / weight_total } else { 1.0 / lot.len() as f64 };
                let u = cost(g) * until_end(d, left - dt / 2.0);
                lim.admit_cap = if u > 0.0 { (room * share / u).floor() } else { f64::INFINITY };
            }
        }
    }
}

/// The `q`-quantile of the waits of `total` admitted clients of whom those in `blocks`
/// waited a positive time (evenly spread within each block) and the rest waited 0: the
/// smallest wait `w` such that `q × total` clients waited at most `w` (by bisection on the
/// piecewise-linear count).
fn weighted_quantile(blocks: &[WaitBlock], total: f64, q: f64) -> f64 {
    let waited: f64 = blocks.iter().map(|b| b.count).sum();
    let zero = (total - waited).max(0.0);
    let target = q * total;
    if zero >= target {
        return 0.0;
    }
    let at_most = |w: f64| zero + blocks.iter().map(|b| b.at_most(w)).sum::<f64>();
    let (mut lo, mut hi) = (0.0, blocks.iter().map(|b| b.longest).fold(0.0, f64::max));
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if at_most(mid) >= target { hi = mid } else { lo = mid }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rationing rule by hand: a lot of one segment at the second of four quarters
    /// (τ = 0.75 years left), 100 active clients with mean stay 1 year at EUR 10,000 a
    /// client-year, 25 client-years used so far, a ceiling of EUR 1,000,000.
    /// Projected: 25 × 10,000 + 100 × 10,000 × (1 − e^−0.75) = 250,000 + 527,633 = 777,633;
    /// room 222,367; a client admitted mid-quarter costs 10,000 × (1 − e^−0.625) = 4,647.4
    /// until the year's end, so floor(47.85) = 47 may be admitted.
    #[test]
    fn rationing_cap_by_hand() {
        let mut paths = Paths::default();
        let rates = SegmentRates::new(1.0, 0.25, 0.5, 0.0, 0.0, 1.0);
        paths.push(0, rates, Binomial::new(1.0), SegmentState { active: 100.0, waiting_reentry: 0.0, queue: 0.0 });
        paths.limits[0] = Some(Limits::new(f64::INFINITY, 1.0, 0.0, 0.0));
        let flows = vec![StepFlows { client_years: 25.0, ..StepFlows::default() }];
        let rationing = Rationing { lots: vec![(0, 0, 0, 0)], ceilings: vec![1_000_000.0], ncontracts: 1 };
        rationing.caps(&mut paths, &flows, |_| 10_000.0, 1, 4);
        let projected = 250_000.0 + 1_000_000.0 * (1.0 - math::exp(-0.75f64));
        let u = 10_000.0 * (1.0 - math::exp(-0.625f64));
        assert!((projected - 777_633.0).abs() < 1.0);
        assert_eq!(((1_000_000.0 - projected) / u).floor(), 47.0);
        assert_eq!(paths.limits[0].as_ref().map(|l| l.admit_cap), Some(47.0));
        // Over the ceiling: nobody is admitted.
        let over = Rationing { ceilings: vec![700_000.0], ..rationing };
        over.caps(&mut paths, &flows, |_| 10_000.0, 1, 4);
        assert_eq!(paths.limits[0].as_ref().map(|l| l.admit_cap), Some(0.0));
    }

    /// Two segments in one rationed lot share the room in proportion to the expected cost
    /// of their active clients until the year's end.
    #[test]
    fn rationing_room_is_shared_by_expected_cost() {
        let mut paths = Paths::default();
        for (g, active) in [(0, 30.0), (1, 10.0)] {
            let rates = SegmentRates::new(1.0, 1.0, 0.5, 0.0, 0.0, 1.0);
            paths.push(g, rates, Binomial::new(1.0), SegmentState { active, waiting_reentry: 0.0, queue: 0.0 });
            paths.limits[g] = Some(Limits::new(f64::INFINITY, 1.0, 0.0, 0.0));
        }
        let flows = vec![StepFlows::default(); 2];
        // One step a year: τ = 1; actives cost 1000 × (1 − e^−1) each; cost per
        // client-year 1000 in both segments, so shares are 3/4 and 1/4.
        let e1 = 1.0 - math::exp(-1.0f64);
        let ceiling = 40.0 * 1000.0 * e1 + 100_000.0;
        let rationing = Rationing { lots: vec![(0, 0, 0, 0), (0, 0, 1, 1)], ceilings: vec![ceiling], ncontracts: 1 };
        rationing.caps(&mut paths, &flows, |_| 1000.0, 0, 1);
        let u = 1000.0 * (1.0 - math::exp(-0.5f64));
        let caps: Vec<f64> = paths.limits.iter().map(|l| l.as_ref().map_or(0.0, |l| l.admit_cap)).collect();
        assert_eq!(caps, vec![(75_000.0 / u).floor(), (25_000.0 / u).floor()]);
    }
}
