//! "What must we believe": for each strategy but the baseline, the value of its key input at
//! which its mean NPV saving versus the baseline crosses zero (`break_even_inputs.csv`).
//!
//! **The key input** of a strategy (in this order, all that apply):
//!
//! 1. the behaviour factors (`incidence_factor`, `duration_factor`, `success_factor`,
//!    `reentry_factor`) of its contracts that the baseline does not use, when any of them is
//!    not fixed at 1: a saving that rests on assumed provider behaviour. They are scaled
//!    together, one row per factor, all at the same scale;
//! 2. the `effect` of each prevention programme it runs that the baseline does not;
//! 3. the input a `[[question]]` is `about`, for the strategies it compares with the
//!    baseline that have it (a programme's or a contract's input only for the strategies
//!    running it), when the rules above do not already include it (neutral value 1 for a
//!    behaviour factor, 0 otherwise);
//! 4. otherwise the drawn input with the largest absolute Spearman rank correlation with its
//!    `npv_saving_vs_baseline` over the first runs of the batch (the sample the collector
//!    keeps), as in `contractsim sensitivity`.
//!
//! **The rerun.** Runs `0..R` of the batch (the same seed: common random numbers, so the
//! process randomness and every other input are the batch's own) are simulated again with
//! the input's draws moved by a scale `s` towards its neutral value: `v(s) = n + s (v − n)`,
//! `n = 1` for a behaviour factor (no behaviour change) and `n = 0` otherwise (a multiplier
//! on the draws: no effect). `s = 1` is the batch as run. Values stay in their range: a
//! behaviour factor at least 0, an input drawn within `[0, 1]` (a share, such as `effect`)
//! within `[0, 1]`. Prices and budgets are set on the expected values as in every run (the
//! plan is not changed): the rerun asks what happens when the realised input falls short of
//! what was assumed at signing, not what a contract priced on a lower value would cost.
//!
//! **The search.** The mean saving `f(s)` over the `R` runs is evaluated at `s = 0`, `1`
//! and [`MAX_SCALE`]; the crossing is bracketed between 1 and the end where the sign
//! differs (the one nearer to 1 by linear interpolation if both differ) and located by the
//! Illinois variant of regula falsi. The Monte Carlo standard error of the break-even scale
//! is `se = MCSE(f) / |f'|` (the MCSE of the mean saving at the last point over the slope
//! of the bracket); the search stops when `|f(c)|` is below a tenth of `MCSE(f(c))` (the
//! crossing on these runs is located well inside its own Monte Carlo error), when the
//! bracket is narrower than `se / 10`, or after [`MAX_STEPS`] steps. With no process
//! randomness (MCSE 0) it stops when `|f(c)|` is below `1e-9` of the bracket's values, so a
//! saving linear in the scale is solved exactly in one step. At most `3 + MAX_STEPS`
//! reruns of at most [`RERUN_RUNS`] runs each per key input (the three first ones shared
//! by the strategies with the same input); results do not depend on the thread count
//! (runs are collected in run order and averaged sequentially).
//!
//! When `f` has the same sign at 0, 1 and [`MAX_SCALE`], the break-even is empty and
//! `note` says why: the saving stays positive (or negative) from none of the assumed effect
//! to twice it.

use rayon::prelude::*;

use super::linalg::{pearson, ranks};
use crate::engine::{EngineError, Plan};
use crate::metrics::Horizon;
use crate::random::rng::RunKey;
use crate::results::RunTable;

/// Largest number of runs per rerun (the first runs of the batch).
pub const RERUN_RUNS: usize = 200;
/// Largest number of regula-falsi steps per key input after the three bracketing reruns.
pub const MAX_STEPS: usize = 8;
/// The search range of the scale: from none of the assumed effect (0) to twice it.
pub const MAX_SCALE: f64 = 2.0;

/// Why a row has no break-even value, or how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Found, within the tolerance.
    Found,
    /// Found, but [`MAX_STEPS`] ran out before the tolerance was reached (the value is the
    /// interpolation in the last bracket).
    StepsExhausted,
    /// The mean saving is positive at every scale from 0 to [`MAX_SCALE`].
    PositiveThroughout,
    /// The mean saving is negative at every scale from 0 to [`MAX_SCALE`].
    NegativeThroughout,
}

impl Note {
    /// The note as written in `break_even_inputs.csv` (empty when found).
    pub fn name(self) -> &'static str {
        match self {
            Note::Found => "",
            Note::StepsExhausted => "steps_exhausted",
            Note::PositiveThroughout => "saving_positive_from_0_to_2x",
            Note::NegativeThroughout => "saving_negative_from_0_to_2x",
        }
    }
}

/// Why the input was chosen as the strategy's key input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A behaviour factor of the strategy's own contract (scaled with the others).
    Behaviour,
    /// The effect of a prevention programme of the strategy.
    Effect,
    /// The input a `[[question]]` comparing the strategy with the baseline is `about`.
    QuestionInput,
    /// The input with the largest absolute rank correlation with the saving.
    RankCorrelation,
}

impl Basis {
    /// The name in `break_even_inputs.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Basis::Behaviour => "behaviour_factor",
            Basis::Effect => "prevention_effect",
            Basis::QuestionInput => "question_about",
            Basis::RankCorrelation => "largest_rank_correlation",
        }
    }
}

/// One row of `break_even_inputs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEvenRow {
    /// Strategy index.
    pub strategy: usize,
    /// Strategy id.
    pub strategy_id: String,
    /// Dotted path of the input.
    pub input: String,
    /// Why this input.
    pub basis: Basis,
    /// The input's mean as drawn (its distribution's mean).
    pub assumed: f64,
    /// The mean of the input at the break-even scale, `n + s* (assumed − n)`; NaN when the
    /// saving does not cross zero in the range.
    pub break_even: f64,
    /// `break_even / assumed`.
    pub ratio: f64,
    /// The break-even scale `s*` on the input's deviation from neutral (1 = as assumed).
    pub scale: f64,
    /// Monte Carlo standard error of `scale`.
    pub scale_se: f64,
    /// Mean NPV saving at the assumed values over the rerun runs.
    pub saving_assumed: f64,
    /// Runs per rerun.
    pub runs: usize,
    /// Reruns made for this row (the three bracketing ones included, shared or not).
    pub reruns: usize,
    /// How it ended.
    pub note: Note,
}

/// An input to scale: parameter indices and their neutral value.
#[derive(Debug, Clone, PartialEq)]
struct Target {
    params: Vec<usize>,
    neutral: f64,
    basis: Basis,
}

/// The key inputs of strategy `k` (see the module docs).
fn targets(plan: &Plan, sample: &RunTable, k: usize) -> Vec<Target> {
    let s = &plan.scenario;
    let base = &s.strategies[s.baseline()];
    let st = &s.strategies[k];
    let mut out = Vec::new();
    let factors: Vec<usize> = st
        .contracts
        .iter()
        .filter(|c| !base.contracts.contains(c))
        .flat_map(|&c| {
            let c = &s.contracts[c];
            [c.incidence_factor.0, c.duration_factor.0, c.success_factor.0, c.reentry_factor.0]
        })
        .filter(|&i| !(s.params[i].dist.is_fixed() && s.params[i].dist.mean() == 1.0))
        .collect();
    if !factors.is_empty() {
        out.push(Target { params: factors, neutral: 1.0, basis: Basis::Behaviour });
    }
    for &p in st.programmes.iter().filter(|p| !base.programmes.contains(p)) {
        out.push(Target { params: vec![s.programmes[p].effect.0], neutral: 0.0, basis: Basis::Effect });
    }
    // The input a question asks about, when the question compares this strategy with the
    // baseline (the break-even is against the baseline) and no rule above already has it.
    let abouts = s.questions.iter().filter(|q| q.reference == s.baseline() && q.strategies.contains(&k));
    for i in abouts.filter_map(|q| q.about) {
        // A programme's or a contract's input moves only the strategies that have it.
        let path = &s.params[i].path;
        let of = |kind: &str| path.strip_prefix(kind).and_then(|rest| rest.split('.').next());
        let used = match (of("prevention."), of("contract.")) {
            (Some(id), _) => st.programmes.iter().any(|&p| s.programmes[p].id == id),
            (_, Some(id)) => st.contracts.iter().any(|&c| s.contracts[c].id == id),
            _ => true,
        };
        if used && !out.iter().any(|t| t.params.contains(&i)) {
            let neutral = if s.params[i].path.ends_with("_factor") { 1.0 } else { 0.0 };
            out.push(Target { params: vec![i], neutral, basis: Basis::QuestionInput });
        }
    }
    if out.is_empty()
        && let Some(i) = most_correlated(plan, sample, k)
    {
        out.push(Target { params: vec![i], neutral: 0.0, basis: Basis::RankCorrelation });
    }
    out
}

/// The parameter index of the drawn input with the largest absolute Spearman correlation
/// with strategy `k`'s NPV saving over the sample (the first in input order on ties).
fn most_correlated(plan: &Plan, sample: &RunTable, k: usize) -> Option<usize> {
    let saving = sample.column(k, Horizon::NpvSavingVsBaseline);
    let keep: Vec<usize> = (0..sample.len()).filter(|&i| saving[i].is_finite()).collect();
    let y = ranks(&keep.iter().map(|&i| saving[i]).collect::<Vec<_>>());
    let mut best: Option<(usize, f64)> = None;
    for (p, path) in plan.uncertain_params().enumerate() {
        let x = ranks(&keep.iter().map(|&i| sample.param(i, p)).collect::<Vec<_>>());
        let r = pearson(&x, &y).abs();
        if r.is_finite() && best.is_none_or(|(_, b)| r > b) {
            let i = plan.scenario.params.iter().position(|q| q.path == path)?;
            best = Some((i, r));
        }
    }
    best.map(|(i, _)| i)
}

/// Mean and MCSE of every strategy's NPV saving over runs `0..runs` with `target` at
/// scale `s`.
fn evaluate(plan: &Plan, target: &Target, s: f64, runs: usize, seed: u64, pool: &rayon::ThreadPool) -> Vec<(f64, f64)> {
    let n = plan.strategies();
    let per_run: Vec<Vec<f64>> = pool.install(|| {
        (0..runs as u64)
            .into_par_iter()
            .map(|run| {
                let key = RunKey::new(seed, run);
                let mut values = plan.draw_values(seed, run);
                if s != 1.0 {
                    for &i in &target.params {
                        values[i] = scaled(plan, target, i, values[i], s);
                    }
                }
                let rec = plan.run_with_values(key, run, values);
                (0..n).map(|k| rec.horizon_of(k, Horizon::NpvSavingVsBaseline)).collect()
            })
            .collect()
    });
    (0..n)
        .map(|k| {
            let xs: Vec<f64> = per_run.iter().map(|r| r[k]).filter(|x| !x.is_nan()).collect();
            crate::stats::mean_mcse(&xs)
        })
        .collect()
}

/// `n + s (v − n)`, kept in the input's range.
fn scaled(plan: &Plan, target: &Target, i: usize, v: f64, s: f64) -> f64 {
    let x = target.neutral + s * (v - target.neutral);
    if target.neutral == 1.0 {
        return x.max(0.0);
    }
    let (lo, hi) = plan.scenario.params[i].dist.support();
    if lo >= 0.0 && hi <= 1.0 { x.clamp(0.0, 1.0) } else { x }
}

/// Mean and MCSE of the NPV saving per strategy, from one rerun.
type Means = Vec<(f64, f64)>;

/// How the runs of the analysis are chosen.
#[derive(Debug, Clone, Copy)]
pub struct BreakEvenOptions {
    /// Runs in the batch (the reruns use the first `min(runs, RERUN_RUNS)`).
    pub runs: usize,
    /// The batch's seed.
    pub seed: u64,
    /// Worker threads (0: all cores); the results do not depend on it.
    pub threads: usize,
}

/// The break-even table of `plan`'s strategies but the baseline; `sample` is the first
/// runs of the batch (for the rank correlations). Empty for a batch of fewer than 2 runs
/// or without strategies besides the baseline.
pub fn break_even(plan: &Plan, sample: &RunTable, opts: &BreakEvenOptions) -> Result<Vec<BreakEvenRow>, EngineError> {
    // Only the region's savings are read: its municipalities need not be simulated.
    let plan = &*plan.without_municipalities();
    let s = &plan.scenario;
    let base = s.baseline();
    let runs = opts.runs.min(RERUN_RUNS);
    if runs < 2 || s.strategies.len() < 2 {
        return Ok(Vec::new());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|source| EngineError::Threads { threads: opts.threads, source })?;
    let unchanged = Target { params: Vec::new(), neutral: 0.0, basis: Basis::Effect };
    let at_one = evaluate(plan, &unchanged, 1.0, runs, opts.seed, &pool);
    // Evaluations at the ends of the range, shared by strategies with the same input.
    let mut ends: Vec<(Target, Means, Means)> = Vec::new();
    let mut rows = Vec::new();
    for k in (0..s.strategies.len()).filter(|&k| k != base) {
        for target in targets(plan, sample, k) {
            let known = ends.iter().position(|(t, _, _)| *t == target);
            let e = match known {
                Some(e) => e,
                None => {
                    let lo = evaluate(plan, &target, 0.0, runs, opts.seed, &pool);
                    let hi = evaluate(plan, &target, MAX_SCALE, runs, opts.seed, &pool);
                    ends.push((target.clone(), lo, hi));
                    ends.len() - 1
                }
            };
            let (f0, f2) = (ends[e].1[k], ends[e].2[k]);
            let f = |x: f64| evaluate(plan, &target, x, runs, opts.seed, &pool)[k];
            let found = search(f, f0, at_one[k], f2);
            for &i in &target.params {
                let assumed = s.params[i].dist.mean();
                let value = if found.scale.is_nan() {
                    f64::NAN
                } else {
                    let x = target.neutral + found.scale * (assumed - target.neutral);
                    if target.neutral == 1.0 { x.max(0.0) } else { x }
                };
                rows.push(BreakEvenRow {
                    strategy: k,
                    strategy_id: s.strategies[k].id.clone(),
                    input: s.params[i].path.clone(),
                    basis: target.basis,
                    assumed,
                    break_even: value,
                    ratio: value / assumed,
                    scale: found.scale,
                    scale_se: found.se,
                    saving_assumed: at_one[k].0,
                    runs,
                    reruns: 3 + found.steps,
                    note: found.note,
                });
            }
        }
    }
    Ok(rows)
}

/// What the search found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    /// The break-even scale (NaN when none).
    pub scale: f64,
    /// Its Monte Carlo standard error.
    pub se: f64,
    /// Regula-falsi steps taken.
    pub steps: usize,
    /// How it ended.
    pub note: Note,
}

/// The crossing of the mean saving `f` (mean, MCSE) given its values at 0, 1 and
/// [`MAX_SCALE`] (see the module docs).
pub(crate) fn search(mut f: impl FnMut(f64) -> (f64, f64), f0: (f64, f64), f1: (f64, f64), f2: (f64, f64)) -> Found {
    let none = |note| Found { scale: f64::NAN, se: f64::NAN, steps: 0, note };
    if f1.0 == 0.0 {
        return Found { scale: 1.0, se: slope_se(f0, f1, 0.0, 1.0), steps: 0, note: Note::Found };
    }
    let left = f0.0 * f1.0 <= 0.0 && f0.0.is_finite();
    let right = f2.0 * f1.0 <= 0.0 && f2.0.is_finite();
    let root = |a: f64, fa: f64, b: f64, fb: f64| b - fb * (b - a) / (fb - fa);
    let (mut a, mut fa, mut b, mut fb) = match (left, right) {
        (true, true) => {
            let (l, r) = (root(0.0, f0.0, 1.0, f1.0), root(1.0, f1.0, MAX_SCALE, f2.0));
            if (1.0 - l).abs() <= (r - 1.0).abs() { (0.0, f0, 1.0, f1) } else { (1.0, f1, MAX_SCALE, f2) }
        }
        (true, false) => (0.0, f0, 1.0, f1),
        (false, true) => (1.0, f1, MAX_SCALE, f2),
        (false, false) => {
            return none(if f1.0 > 0.0 { Note::PositiveThroughout } else { Note::NegativeThroughout });
        }
    };
    for end in [(0.0, f0), (MAX_SCALE, f2)] {
        if end.1.0 == 0.0 && (a == end.0 || b == end.0) {
            return Found { scale: end.0, se: slope_se(fa, fb, a, b), steps: 0, note: Note::Found };
        }
    }
    // Illinois: the values used for interpolation; the kept end's is halved whenever the
    // new point falls on the same side as the last one, so that neither end sticks.
    let (mut ga, mut gb) = (fa.0, fb.0);
    for step in 1..=MAX_STEPS {
        let c = root(a, ga, b, gb).clamp(a.min(b), a.max(b));
        let fc = f(c);
        let slope = ((fb.0 - fa.0) / (b - a)).abs();
        let se = fc.1 / slope;
        let scale_of_f = fa.0.abs().max(fb.0.abs());
        let tol_f = if fc.1 > 0.0 { 0.1 * fc.1 } else { 1e-9 * scale_of_f };
        if fc.0.abs() <= tol_f {
            return Found { scale: c, se, steps: step, note: Note::Found };
        }
        if fc.0 * fb.0 < 0.0 {
            (a, fa, ga) = (b, fb, gb);
        } else {
            ga *= 0.5;
        }
        (b, fb, gb) = (c, fc, fc.0);
        let width = (b - a).abs();
        if fc.1 > 0.0 && width <= 0.1 * se {
            return Found { scale: root(a, fa.0, b, fb.0), se, steps: step, note: Note::Found };
        }
        if step == MAX_STEPS {
            return Found { scale: root(a, fa.0, b, fb.0), se, steps: step, note: Note::StepsExhausted };
        }
    }
    none(Note::StepsExhausted)
}

/// The standard error of a root at an evaluated point: its MCSE over the slope between two
/// points.
fn slope_se(fa: (f64, f64), fb: (f64, f64), a: f64, b: f64) -> f64 {
    let slope = ((fb.0 - fa.0) / (b - a)).abs();
    fb.1.max(fa.1) / slope
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear saving `f(s) = 3 s − 1` without noise: the root 1/3 in one step, exactly.
    #[test]
    fn linear_saving_is_solved_in_one_step() {
        let f = |s: f64| (3.0 * s - 1.0, 0.0);
        let found = search(f, f(0.0), f(1.0), f(2.0));
        assert_eq!(found.note, Note::Found);
        assert_eq!(found.steps, 1);
        assert!((found.scale - 1.0 / 3.0).abs() < 1e-12, "{found:?}");
        assert_eq!(found.se, 0.0);
    }

    /// A curved saving `f(s) = s² − 2` has its root at √2 in the right bracket; with an
    /// MCSE of 0.01 the search stops within a tenth of it.
    #[test]
    fn curved_saving_in_the_right_bracket() {
        let f = |s: f64| (2.0 - s * s, 0.01);
        let found = search(f, f(0.0), f(1.0), f(2.0));
        assert_eq!(found.note, Note::Found, "{found:?}");
        assert!((found.scale - 2f64.sqrt()).abs() < 0.01, "{found:?}");
        assert!(found.steps <= MAX_STEPS);
    }

    #[test]
    fn no_crossing_in_the_range() {
        let f = |s: f64| (1.0 + s, 0.1);
        let found = search(f, f(0.0), f(1.0), f(2.0));
        assert_eq!(found.note, Note::PositiveThroughout);
        assert!(found.scale.is_nan());
        let g = |s: f64| (-1.0 - s, 0.1);
        assert_eq!(search(g, g(0.0), g(1.0), g(2.0)).note, Note::NegativeThroughout);
    }
}
