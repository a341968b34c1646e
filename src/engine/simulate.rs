//! One Monte Carlo run: draw the parameters, draw the shared referrals, simulate every
//! strategy on common random numbers, and compute the horizon metrics.

use statrs::function::erf::erf_inv;

use super::metrics::{HORIZON, Layout, h, y};
use super::rng::{Purpose, RunKey};
use super::sample::{Binomial, poisson};
use crate::model::contract::{LotYear, Prices, pay};
use crate::model::demand::{Draws, ExpectedDraws, RandomDraws, SegmentRates, SegmentState, step};
use crate::model::prevention::Profile;
use crate::model::time::{discount_factor, index};
use crate::scenario::{Form, Scenario};

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
}

/// Whether behaviour factors, efficiency and noise apply (the random runs), or the
/// municipality's expected-value view used for first-period prices.
#[derive(Clone, Copy, PartialEq)]
enum View {
    Realised,
    Expected,
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
        let mut plan = Plan { scenario, layout, profiles, expected_lot_cost: Vec::new(), uncertain, initial };
        plan.expected_lot_cost = plan.expected_costs();
        plan
    }

    /// Paths of the parameters drawn per run, in the order of [`RunRecord::params`].
    pub fn uncertain_params(&self) -> impl Iterator<Item = &str> {
        self.uncertain.iter().map(|&i| self.scenario.params[i].path.as_str())
    }

    /// Number of strategies.
    pub fn strategies(&self) -> usize {
        self.scenario.strategies.len()
    }

    /// The expected-value path of every strategy (means of all parameters, no behaviour
    /// factors, the strategy's prevention): the lot's expected yearly cost over its first
    /// period, in start-year prices.
    fn expected_costs(&self) -> Vec<Vec<f64>> {
        let s = &self.scenario;
        let values: Vec<f64> = s.params.iter().map(|p| p.dist.mean()).collect();
        let referrals = self.referral_means(&values, &vec![1.0; s.segments.len()]);
        let mut ws = Workspace::new(self);
        (0..s.strategies.len())
            .map(|k| {
                let mut out = vec![0.0; self.layout.yearly_len()];
                let mut draws = ExpectedDraws;
                let cy = self.simulate(k, &values, View::Expected, &mut draws, &referrals, &mut ws, &mut out, None);
                s.contracts
                    .iter()
                    .map(|contract| {
                        let years = contract.period_years.min(s.horizon_years);
                        let total: f64 = contract
                            .segments
                            .iter()
                            .map(|&g| {
                                let cost = values[s.segments[g].cost_per_client_year.0];
                                (0..years).map(|t| cy[g * s.horizon_years + t]).sum::<f64>() * cost
                            })
                            .sum();
                        total / years as f64
                    })
                    .collect()
            })
            .collect()
    }

    /// Expected referrals per segment and step at incidence factor `factor[segment]`.
    fn referral_means(&self, values: &[f64], factor: &[f64]) -> Vec<f64> {
        let s = &self.scenario;
        let steps = s.steps();
        let dt = s.step_years();
        let growth = values[s.growth.0];
        let mut out = vec![0.0; s.segments.len() * steps];
        for (g, seg) in s.segments.iter().enumerate() {
            let rate = values[seg.incidence_per_1000.0] / 1000.0 * factor[g] * dt;
            for k in 0..steps {
                out[g * steps + k] = rate * s.youth * index(growth, k / s.steps_per_year);
            }
        }
        out
    }

    /// Draws the uncertain parameters of run `run`: one uniform each, through the quantile
    /// function of its distribution. Fixed values are copied.
    pub fn draw_values(&self, key: RunKey) -> Vec<f64> {
        let mut values: Vec<f64> = self.scenario.params.iter().map(|p| p.dist.mean()).collect();
        for &i in &self.uncertain {
            let u = key.stream(Purpose::Parameter, i, 0).open_uniform();
            values[i] = self.scenario.params[i].dist.quantile(u);
        }
        values
    }

    /// Simulates run `run` of the batch with seed `seed`.
    pub fn run(&self, seed: u64, run: u64) -> RunRecord {
        let key = RunKey::new(seed, run);
        let values = self.draw_values(key);
        self.run_with_values(key, run, values)
    }

    /// Simulates a run with given parameter values (used by sensitivity analyses).
    pub fn run_with_values(&self, key: RunKey, run: u64, values: Vec<f64>) -> RunRecord {
        let s = &self.scenario;
        let steps = s.steps();
        // Referrals are drawn once per segment and step at the largest incidence factor of
        // any strategy, then thinned per strategy: identical factors give identical draws.
        let f_max: Vec<f64> = (0..s.segments.len())
            .map(|g| {
                s.strategies
                    .iter()
                    .map(|st| values[s.contracts[st.contract_of_segment[g]].incidence_factor.0])
                    .fold(0.0, f64::max)
            })
            .collect();
        let mut referrals = self.referral_means(&values, &f_max);
        for (i, r) in referrals.iter_mut().enumerate() {
            *r = poisson(*r, &mut key.stream(Purpose::Referrals, i / steps, i % steps)) as f64;
        }
        let n = self.strategies();
        let per = self.layout.yearly_len();
        let mut yearly = vec![0.0; n * per];
        let mut ws = Workspace::new(self);
        let mut draws = RandomDraws { key };
        for k in 0..n {
            let out = &mut yearly[k * per..(k + 1) * per];
            self.simulate(k, &values, View::Realised, &mut draws, &referrals, &mut ws, out, Some(&f_max));
        }
        let horizon = self.horizon(&yearly);
        let params = self.uncertain.iter().map(|&i| values[i]).collect();
        RunRecord { run, yearly, horizon, params }
    }

    /// Horizon metrics of all strategies from their yearly metrics.
    fn horizon(&self, yearly: &[f64]) -> Vec<f64> {
        let s = &self.scenario;
        let n = self.strategies();
        let per = self.layout.yearly_len();
        let years = s.horizon_years;
        let lay = &self.layout;
        let mut out = vec![f64::NAN; n * HORIZON.len()];
        let spend = |k: usize, t: usize| yearly[k * per + lay.at(y::SPEND, t)];
        let total = |k: usize, m: usize| (0..years).map(|t| yearly[k * per + lay.at(m, t)]).sum::<f64>();
        let npv: Vec<f64> =
            (0..n).map(|k| (0..years).map(|t| spend(k, t) * discount_factor(s.discount_rate, t)).sum()).collect();
        let base = s.baseline();
        let min = npv.iter().copied().fold(f64::INFINITY, f64::min);
        let ties = npv.iter().filter(|&&v| v == min).count() as f64;
        // Cumulative discounted spend of the baseline.
        let cumulative = |k: usize| {
            let mut acc = 0.0;
            (0..years).map(move |t| {
                acc += spend(k, t) * discount_factor(s.discount_rate, t);
                acc
            })
        };
        let base_cum: Vec<f64> = cumulative(base).collect();
        for k in 0..n {
            let o = &mut out[k * HORIZON.len()..(k + 1) * HORIZON.len()];
            o[h::NPV_SPEND] = npv[k];
            o[h::TOTAL_SPEND] = total(k, y::SPEND);
            o[h::NPV_SAVING] = npv[base] - npv[k];
            o[h::CHEAPER] = if npv[k] < npv[base] { 1.0 } else { 0.0 };
            o[h::CHEAPEST] = if npv[k] == min { 1.0 / ties } else { 0.0 };
            if k != base {
                // First year from which cumulative discounted spend stays below the baseline's.
                let cum: Vec<f64> = cumulative(k).collect();
                let mut first = None;
                for t in (0..years).rev() {
                    if cum[t] < base_cum[t] {
                        first = Some(t);
                    } else {
                        break;
                    }
                }
                o[h::BREAK_EVEN_YEAR] = first.map_or(f64::NAN, |t| (s.start_year + t as i32) as f64);
                o[h::BREAKS_EVEN] = if first.is_some() { 1.0 } else { 0.0 };
            }
            let successes = total(k, y::SUCCESSES);
            o[h::COST_PER_SUCCESS] = if successes > 0.0 { o[h::TOTAL_SPEND] / successes } else { f64::NAN };
            o[h::SUCCESSES] = successes;
            o[h::STARTS] = total(k, y::STARTS);
        }
        out
    }

    /// Simulates strategy `k` over the horizon, writing its yearly metrics to `out`.
    /// Returns the client-years per segment and year (segment-major).
    #[allow(clippy::too_many_arguments)]
    fn simulate<D: Draws>(
        &self,
        k: usize,
        values: &[f64],
        view: View,
        draws: &mut D,
        referrals: &[f64],
        ws: &mut Workspace,
        out: &mut [f64],
        f_max: Option<&[f64]>,
    ) -> Vec<f64> {
        let s = &self.scenario;
        let st = &s.strategies[k];
        let lay = &self.layout;
        let spy = s.steps_per_year;
        let steps = s.steps();
        let years = s.horizon_years;
        let nseg = s.segments.len();
        let dt = s.step_years();
        let realised = view == View::Realised;
        let factor = |id: crate::scenario::ParamId| if realised { values[id.0] } else { 1.0 };
        let inflation = values[s.cost_inflation.0];
        let indexation = values[s.tariff_indexation.0];
        let efficiency = if realised { values[s.provider.efficiency.0] } else { 1.0 };

        ws.reset(self, k);
        // Per segment: rates, thinning to the contract's incidence factor, position in lot.
        let mut rates = Vec::with_capacity(nseg);
        let mut thin = Vec::with_capacity(nseg);
        let mut reach_effect: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nseg];
        for &p in &st.programmes {
            let prog = &s.programmes[p];
            let re = values[prog.reach.0] * values[prog.effect.0];
            for &g in &prog.targets {
                reach_effect[g].push((p, re));
            }
        }
        for (g, seg) in s.segments.iter().enumerate() {
            let c = &s.contracts[st.contract_of_segment[g]];
            let d = values[seg.mean_duration_years.0] * factor(c.duration_factor);
            let success = values[seg.success_rate.0] * factor(c.success_factor);
            let reentry = values[seg.reentry_rate.0] * factor(c.reentry_factor);
            let escalation = if seg.escalates_to.is_some() { values[seg.escalation_rate.0] } else { 0.0 };
            rates.push(SegmentRates::new(d, dt, success, reentry, escalation, seg.reentry_delay_years));
            let p_thin = match f_max {
                Some(fm) if fm[g] > 0.0 => factor(c.incidence_factor) / fm[g],
                Some(_) => 0.0,
                None => 1.0,
            };
            thin.push(Binomial::new(p_thin));
            let (waiting, escalating) = self.initial[g];
            ws.state[g] = SegmentState { active: seg.initial_caseload, waiting_reentry: waiting };
            ws.esc_in[g] = escalating;
        }
        let mut client_years = vec![0.0; nseg * years];
        let none = Binomial::new(0.0);

        for kstep in 0..steps {
            let t = kstep / spy;
            for g in 0..nseg {
                let b = draws.binomial(Purpose::IncidenceThinning, g, kstep, referrals[g * steps + kstep], &thin[g]);
                let prevention = if reach_effect[g].is_empty() {
                    none
                } else {
                    let keep: f64 = reach_effect[g].iter().map(|&(p, re)| 1.0 - re * self.profiles[p][kstep]).product();
                    Binomial::new(1.0 - keep)
                };
                let esc_in = ws.esc_in[g];
                let f = step(draws, g, kstep, &rates[g], &prevention, &mut ws.state[g], b, esc_in);
                if let Some(to) = s.segments[g].escalates_to {
                    ws.esc_next[to] += f.escalations_out;
                }
                let (c, pos) = ws.lot_of[g];
                let lot = &mut ws.lots[c];
                lot.client_years[pos] += f.client_years;
                lot.starts[pos] += f.starts;
                client_years[g * years + t] += f.client_years;
                out[lay.at(y::STARTS, t)] += f.starts;
                out[lay.at(y::REFERRALS, t)] += f.referrals;
                out[lay.at(y::PREVENTED, t)] += f.prevented;
                out[lay.at(y::SUCCESSES, t)] += f.successes;
                out[lay.at(y::CLIENT_YEARS, t)] += f.client_years;
                out[lay.at(lay.starts_by_segment + g, t)] += f.starts;
                if let Some(delay) = ws.follow_up[c] {
                    let due = kstep + delay;
                    if due < steps {
                        ws.outcome_queue[c][due] += f.successes;
                    }
                }
            }
            std::mem::swap(&mut ws.esc_in, &mut ws.esc_next);
            ws.esc_next.iter_mut().for_each(|x| *x = 0.0);

            if (kstep + 1) % spy != 0 {
                continue;
            }
            // End of year t: money.
            let cost_index = index(inflation, t);
            let mut care = 0.0;
            let mut outcome = 0.0;
            let mut admin = 0.0;
            let mut provider_cost = 0.0;
            for &c in &st.contracts {
                let contract = &s.contracts[c];
                let period = contract.period_years;
                if t > 0 && t % period == 0 {
                    ws.prices[c] = ws.prices[c].reprice(&contract.form, &ws.history[c], t, indexation, contract.margin);
                    ws.history[c].clear();
                }
                let noise = if realised && s.provider.cost_noise_sd > 0.0 {
                    let sd = s.provider.cost_noise_sd;
                    let sigma2 = (1.0 + sd * sd).ln();
                    let u = draws.open_uniform(Purpose::CostNoise, c, t);
                    let z = std::f64::consts::SQRT_2 * erf_inv(2.0 * u - 1.0);
                    (sigma2.sqrt() * z - sigma2 / 2.0).exp()
                } else {
                    1.0
                };
                let lot = &mut ws.lots[c];
                for (pos, &g) in contract.segments.iter().enumerate() {
                    let unit_cost = values[s.segments[g].cost_per_client_year.0] * cost_index * efficiency * noise;
                    lot.cost[pos] = lot.client_years[pos] * unit_cost;
                }
                let due = match &contract.form {
                    Form::Outcome(terms) => {
                        let successes: f64 = ws.outcome_queue[c][t * spy..(t + 1) * spy].iter().sum();
                        successes * values[terms.outcome_payment.0] * index(indexation, t)
                    }
                    _ => 0.0,
                };
                let price_index = index(indexation, t - ws.prices[c].set_in_year);
                let paid = pay(&contract.form, &ws.prices[c], price_index, lot, due);
                let lot_cost: f64 = lot.cost.iter().sum();
                care += paid.care;
                outcome += paid.outcome;
                admin += contract.admin_cost_rate * (paid.care + paid.outcome);
                provider_cost += lot_cost;
                ws.history[c].push(lot.clone());
                lot.clear();
            }
            let calendar = s.start_year + t as i32;
            let prevention: f64 = st
                .programmes
                .iter()
                .map(|&p| &s.programmes[p])
                .filter(|p| p.first_year <= calendar && calendar <= p.last_year)
                .map(|p| values[p.annual_cost.0] * cost_index)
                .sum();
            let spend = care + outcome + prevention + admin;
            out[lay.at(y::SPEND, t)] = spend;
            out[lay.at(y::CARE, t)] = care;
            out[lay.at(y::OUTCOME, t)] = outcome;
            out[lay.at(y::PREVENTION, t)] = prevention;
            out[lay.at(y::ADMIN, t)] = admin;
            out[lay.at(y::PROVIDER_COST, t)] = provider_cost;
            out[lay.at(y::PROVIDER_RESULT, t)] = care + outcome - provider_cost;
            out[lay.at(y::SPEND_REAL, t)] = spend / cost_index;
            let mut caseload = 0.0;
            for g in 0..nseg {
                caseload += ws.state[g].active;
                out[lay.at(lay.caseload_by_segment + g, t)] = ws.state[g].active;
            }
            out[lay.at(y::CASELOAD, t)] = caseload;
            if let (Some(m), Some(budget)) = (lay.budget_overrun, s.budget) {
                let line = budget * index(s.budget_growth, t);
                out[lay.at(m, t)] = if spend > line { 1.0 } else { 0.0 };
            }
        }
        client_years
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

/// Buffers reused across the strategies of a run.
struct Workspace {
    state: Vec<SegmentState>,
    esc_in: Vec<f64>,
    esc_next: Vec<f64>,
    /// For each segment, (contract, position in the contract's lot) under the strategy.
    lot_of: Vec<(usize, usize)>,
    lots: Vec<LotYear>,
    history: Vec<Vec<LotYear>>,
    prices: Vec<Prices>,
    follow_up: Vec<Option<usize>>,
    outcome_queue: Vec<Vec<f64>>,
}

impl Workspace {
    fn new(plan: &Plan) -> Self {
        let s = &plan.scenario;
        let nseg = s.segments.len();
        Workspace {
            state: vec![SegmentState::default(); nseg],
            esc_in: vec![0.0; nseg],
            esc_next: vec![0.0; nseg],
            lot_of: vec![(0, 0); nseg],
            lots: s.contracts.iter().map(|c| LotYear::new(c.segments.len())).collect(),
            history: s.contracts.iter().map(|c| Vec::with_capacity(c.period_years)).collect(),
            prices: s
                .contracts
                .iter()
                .map(|c| Prices { unit: vec![0.0; c.segments.len()], budget: 0.0, set_in_year: 0 })
                .collect(),
            follow_up: vec![None; s.contracts.len()],
            outcome_queue: s.contracts.iter().map(|_| vec![0.0; s.steps()]).collect(),
        }
    }

    /// Prepares the buffers for strategy `k`: first-period prices, empty history.
    fn reset(&mut self, plan: &Plan, k: usize) {
        let s = &plan.scenario;
        let st = &s.strategies[k];
        self.esc_in.iter_mut().for_each(|x| *x = 0.0);
        self.esc_next.iter_mut().for_each(|x| *x = 0.0);
        for &c in &st.contracts {
            let contract = &s.contracts[c];
            for (pos, &g) in contract.segments.iter().enumerate() {
                self.lot_of[g] = (c, pos);
            }
            self.lots[c].clear();
            self.history[c].clear();
            let cost: Vec<f64> =
                contract.segments.iter().map(|&g| s.mean(s.segments[g].cost_per_client_year)).collect();
            let dur: Vec<f64> = contract.segments.iter().map(|&g| s.mean(s.segments[g].mean_duration_years)).collect();
            let expected = plan.expected_lot_cost.get(k).map_or(0.0, |v| v[c]);
            self.prices[c] = Prices::first(&contract.form, &cost, &dur, expected, contract.margin);
            self.follow_up[c] = match &contract.form {
                Form::Outcome(terms) => Some((terms.follow_up_years * s.steps_per_year as f64).round() as usize),
                _ => None,
            };
            self.outcome_queue[c].iter_mut().for_each(|x| *x = 0.0);
        }
    }
}
