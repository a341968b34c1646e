//! The engine of the what-if page (`whatif.html`): the scenario with the page's lever values
//! written into it, narrowed to the baseline and one strategy, simulated run by run on one
//! thread, and the few figures the page shows. Every figure is the one `contractsim run`
//! writes for the same file, seed and run count, bit for bit: the values are written into
//! the file's text and read again ([`sweep::scenario_with`]), the narrowed plan draws what
//! the file's plan draws ([`Plan::narrowed`]), and the statistics are those of the results
//! folder (the same accumulator over the same runs in the same blocks).
//!
//! The page simulates in pieces, on two workers, and shows the figures of the runs so far:
//! [`WhatIf::rows`] gives the few figures the page needs of each run, and
//! [`WhatIf::answer`] summarises the rows of the first runs afresh.

use crate::math;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::sweep;
use crate::engine::{BLOCK, Plan};
use crate::metrics::{Horizon, Yearly};
use crate::results::Columns;
use crate::scenario::Scenario;
use crate::scenario::lever::Lever;
use crate::stats::Summary;
use crate::stats::accumulator::Accumulator;
use crate::stats::quantiles::QuantileMode;

/// The most runs the page may ask for.
pub const MAX_RUNS: usize = 100_000;

/// What the page asks: the scenario file's text, the values of its levers, the strategy
/// to compare with the baseline, the seed and the number of runs.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Request {
    /// The scenario file's text.
    pub scenario: String,
    /// The file's name, for messages.
    pub file: String,
    /// `(key path, value)` of each lever moved away from the file's value.
    #[serde(default)]
    pub set: Vec<(String, f64)>,
    /// Id of the strategy compared with the baseline.
    pub strategy: String,
    /// Seed.
    pub seed: u64,
    /// Runs.
    pub runs: usize,
}

/// A yearly figure's summary per year: mean and percentiles 5, 25, 50, 75, 95.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fan {
    /// Mean per year.
    pub mean: Vec<f64>,
    /// P5 per year.
    pub p5: Vec<f64>,
    /// P25 per year.
    pub p25: Vec<f64>,
    /// P50 per year.
    pub p50: Vec<f64>,
    /// P75 per year.
    pub p75: Vec<f64>,
    /// P95 per year.
    pub p95: Vec<f64>,
}

/// A horizon figure: mean, its MCSE, and percentiles 5, 50, 95 (NaN as `null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    /// Mean over runs.
    pub mean: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse: f64,
    /// P5.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// P95.
    pub p95: f64,
}

impl From<Summary> for Figure {
    fn from(s: Summary) -> Self {
        Figure { mean: s.mean, mcse: s.mcse, p5: s.p[0], p50: s.p[2], p95: s.p[4] }
    }
}

/// The reserve of the first budget period at the scenario's first certainty, as
/// `reserve.csv` gives it (`required_reserve` and `risk_reserve`), per strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reserve {
    /// First and last year of the period.
    pub years: (i32, i32),
    /// The certainty.
    pub certainty: f64,
    /// Required reserve: the certainty's percentile of the period's overrun of the budget
    /// line, baseline then strategy.
    pub required: [f64; 2],
    /// Risk reserve: the certainty's percentile less the median of the period's spend.
    pub risk: [f64; 2],
}

/// The page's figures for the runs so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// Runs summarised.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// The lever values used.
    pub set: Vec<(String, f64)>,
    /// Baseline id.
    pub baseline: String,
    /// Strategy id.
    pub strategy: String,
    /// Calendar years.
    pub years: Vec<i32>,
    /// Yearly spend (`yearly.csv` `spend`) of the baseline.
    pub spend_baseline: Fan,
    /// Yearly spend of the strategy.
    pub spend_strategy: Fan,
    /// `npv_saving_vs_baseline` of the strategy.
    pub saving: Figure,
    /// `p_cheaper_than_baseline` (mean).
    pub p_cheaper: f64,
    /// `break_even_year`: its median (NaN: more than half never break even).
    pub break_even_year: f64,
    /// `p_break_even` (mean).
    pub p_break_even: f64,
    /// The reserve of the first budget period, with a budget line.
    pub reserve: Option<Reserve>,
}

/// A what-if: the narrowed plan, and which of a run's figures the page keeps. The runs can
/// be made in any pieces, on any number of workers ([`WhatIf::rows`]); the figures of the
/// first `n` runs ([`WhatIf::answer`]) depend only on their rows, in run order.
pub struct WhatIf {
    plan: Plan,
    request: Request,
    columns: Columns,
    /// Indices in a run's [`Columns`] row of the columns kept.
    keep: Vec<usize>,
}

impl WhatIf {
    /// Reads the request's scenario with its lever values written in, and narrows it to the
    /// baseline and the strategy. `Err` says what is wrong, naming the file and key.
    pub fn new(request: Request) -> Result<Self, String> {
        if request.runs == 0 || request.runs > MAX_RUNS {
            return Err(format!("runs: expected a whole number from 1 to {MAX_RUNS}, found {}", request.runs));
        }
        let file = Path::new(&request.file);
        let set: Vec<(&str, f64)> = request.set.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let scenario = sweep::scenario_with(&request.scenario, file, &set)?;
        let Some(k) = scenario.strategies.iter().position(|s| s.id == request.strategy) else {
            let ids: Vec<&str> = scenario.strategies.iter().map(|s| s.id.as_str()).collect();
            return Err(format!(
                "{}: strategy: expected one of {}, found `{}`",
                file.display(),
                ids.join(", "),
                request.strategy
            ));
        };
        let base = scenario.baseline();
        if k == base {
            return Err(format!(
                "{}: strategy: expected a strategy other than the baseline `{}`",
                file.display(),
                request.strategy
            ));
        }
        let plan = Plan::narrowed_from(&scenario, &[base.min(k), base.max(k)])?;
        let columns = Columns::new(&plan);
        let (b, s) = if base < k { (0, 1) } else { (1, 0) };
        let mut keep = Vec::new();
        let years = plan.scenario.horizon_years;
        for k in [b, s] {
            keep.extend((0..years).map(|t| columns.yearly(&plan, k, Yearly::Spend.index(), t)));
        }
        for m in
            [Horizon::NpvSavingVsBaseline, Horizon::PCheaperThanBaseline, Horizon::BreakEvenYear, Horizon::PBreakEven]
        {
            keep.push(columns.horizon(s, m));
        }
        for k in [b, s] {
            if let (Some(over), Some(spend)) = (columns.period(k, 0), columns.period_spend(k, 0)) {
                keep.extend([over, spend]);
            }
        }
        Ok(WhatIf { plan, request, columns, keep })
    }

    /// Runs asked for.
    pub fn runs(&self) -> usize {
        self.request.runs
    }

    /// Figures kept per run.
    pub fn width(&self) -> usize {
        self.keep.len()
    }

    /// Simulates `runs` (within the runs asked for) on this thread, in run order, and
    /// returns their rows of [`WhatIf::width`] figures, run-major.
    pub fn rows(&self, runs: std::ops::Range<usize>) -> Vec<f64> {
        let runs = runs.start.min(self.request.runs)..runs.end.min(self.request.runs);
        let mut rows = Vec::with_capacity(runs.len() * self.keep.len());
        let mut row = Vec::new();
        for run in runs {
            let record = self.plan.run(self.request.seed, run as u64);
            row.clear();
            self.columns.row(&self.plan, &record, &mut row);
            rows.extend(self.keep.iter().map(|&i| row[i]));
        }
        rows
    }

    /// The figures of the first runs, from their `rows` ([`WhatIf::rows`] of runs
    /// `0..n`, in run order), with exact percentiles, as a results folder of `n` runs has
    /// them.
    pub fn answer(&self, rows: &[f64]) -> Answer {
        let width = self.keep.len();
        let runs = rows.len() / width;
        let rows = &rows[..runs * width];
        let mut stats = Accumulator::new(width, QuantileMode::Exact);
        for (block, rows) in rows.chunks(BLOCK as usize * width).enumerate() {
            stats.push_block(block as u64, rows);
        }
        stats.finish();
        let years = self.plan.scenario.horizon_years;
        let h = 2 * years;
        let mut never = vec![false; width];
        never[h + 2] = true;
        let summaries = stats.summaries(&never);
        let fan = |first: usize| {
            let of = |p: usize| (first..first + years).map(|i| summaries[i].p[p]).collect();
            Fan {
                mean: (first..first + years).map(|i| summaries[i].mean).collect(),
                p5: of(0),
                p25: of(1),
                p50: of(2),
                p75: of(3),
                p95: of(4),
            }
        };
        let s = &self.plan.scenario;
        let reserve = (width > h + 4).then(|| {
            let c = s.certainty.first().copied().unwrap_or(0.9);
            let len = s.budget_period_years.min(s.budget_line.as_ref().map_or(0, Vec::len));
            let at = |k: usize| h + 4 + 2 * k;
            let risk = |k: usize| stats.quantile(at(k) + 1, c) - stats.quantile(at(k) + 1, 0.5);
            Reserve {
                years: (s.start_year, s.start_year + len as i32 - 1),
                certainty: c,
                required: [stats.quantile(at(0), c), stats.quantile(at(1), c)],
                risk: [risk(0), risk(1)],
            }
        });
        Answer {
            runs,
            seed: self.request.seed,
            set: self.request.set.clone(),
            baseline: s.strategies[s.baseline()].id.clone(),
            strategy: self.request.strategy.clone(),
            years: (0..years).map(|t| s.start_year + t as i32).collect(),
            spend_baseline: fan(0),
            spend_strategy: fan(years),
            saving: summaries[h].into(),
            p_cheaper: summaries[h + 1].mean,
            break_even_year: summaries[h + 2].p[2],
            p_break_even: summaries[h + 3].mean,
            reserve,
        }
    }
}

/// A lever of the page with what it needs to show it: the lever, the strategies whose
/// figures it can move, and how its value reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLever {
    /// The lever (from `[[lever]]`, or one of the page's own).
    pub lever: Lever,
    /// Label in Dutch.
    pub label_nl: String,
    /// The strategies (indices) whose spend it can change.
    pub affects: Vec<usize>,
    /// Whether the key is a value drawn per run (setting the lever fixes it).
    pub uncertain: bool,
    /// How the value reads: money, a share or a plain number.
    pub unit: Unit,
}

/// How a lever's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Euros (shown in millions).
    Euro,
    /// A share (shown as a percentage).
    Share,
    /// A plain number.
    Number,
}

/// The page's levers: the file's `[[lever]]`s, or without any, the page's own: per
/// prevention programme of a strategy its yearly cost (0 to twice the file's), reach and
/// effect (0 to 1); per contract with a one-band corridor the band (0 to 20%); per contract
/// with behaviour factors each factor (0.7 to 1.3).
pub fn levers(s: &Scenario) -> Vec<PageLever> {
    let mut out = own_levers(s);
    // A lever of the page's own whose end the file's reader refuses is left out.
    if s.levers.is_empty() {
        out.retain(|l| refusals(s, &l.lever).is_empty());
    }
    out
}

/// The problems of the file's `[[lever]]`s: each end of a lever's range written into the
/// file must give a scenario the reader accepts. One message per refused end, naming the
/// file, the lever's line, its key, what was expected and what was found.
pub fn check_levers(s: &Scenario) -> Vec<String> {
    s.levers.iter().flat_map(|l| refusals(s, l)).collect()
}

/// The messages for the ends of `l`'s range that the reader refuses.
fn refusals(s: &Scenario, l: &Lever) -> Vec<String> {
    let mut out = Vec::new();
    for (end, v) in [("min", l.min), ("max", l.max)] {
        if let Err(e) = sweep::scenario_with(&s.text, &s.file, &[(l.key.as_str(), v)]) {
            // The reader's own words for what the key takes: "... expected X, found Y".
            let first = e.lines().next().unwrap_or_default();
            let takes = first.rsplit_once(": expected ").map_or(first, |(_, t)| t);
            let takes = takes.rsplit_once(", found ").map_or(takes, |(t, _)| t);
            out.push(format!(
                "{}:{}: key `lever.{}.{end}`: expected a value that `{}` takes ({takes}), found {v}",
                s.file.display(),
                l.line,
                l.id,
                l.key
            ));
        }
    }
    out
}

/// The file's levers, or the page's own (unchecked).
fn own_levers(s: &Scenario) -> Vec<PageLever> {
    if !s.levers.is_empty() {
        return s
            .levers
            .iter()
            .map(|l| page_lever(s, l.clone(), l.label_nl.clone().unwrap_or_else(|| l.label.clone())))
            .collect();
    }
    let mut out = Vec::new();
    let param = |key: &str| s.params.iter().find(|p| p.path == key);
    let make = |key: String, label: String, label_nl: String, min: f64, max: f64, step: f64| {
        let value = param(&key)?.dist.mean();
        if !(min..=max).contains(&value) {
            return None;
        }
        let id = key.replace('.', "-");
        let lever = Lever { id, key, label, label_nl: Some(label_nl.clone()), min, max, step, value, line: 0 };
        Some(page_lever(s, lever, label_nl))
    };
    // The inputs the questions are about, first: what the debate is about.
    for q in &s.questions {
        let Some(about) = q.about.and_then(|i| s.params.get(i)) else { continue };
        let m = about.dist.mean();
        let (min, max, step) = if about.path.starts_with("economy.") || about.path.starts_with("population.") {
            // A yearly rate: from 0 (or below the file's) to 6% (or twice the file's).
            let max = (2.0 * m).max(0.06);
            ((m - 0.02).min(0.0), max, 0.001)
        } else if m > 0.0 {
            (0.0, 2.0 * m, 2.0 * m / 100.0)
        } else {
            continue;
        };
        let key = about.path.clone();
        let (en, nl) = match key.as_str() {
            "economy.tariff_indexation" => ("Tariff indexation per year", "Indexatie van de tarieven per jaar"),
            "economy.cost_inflation" => ("Providers' cost increase per year", "Kostenstijging bij aanbieders per jaar"),
            "population.growth" => {
                ("Growth of the number of youths per year", "Groei van het aantal jeugdigen per jaar")
            }
            _ => (key.as_str(), key.as_str()),
        };
        let (en, nl) = (en.to_string(), nl.to_string());
        if out.iter().all(|l: &PageLever| l.lever.key != key) {
            out.extend(make(key, en, nl, min, max, step));
        }
    }
    for (p, prog) in s.programmes.iter().enumerate() {
        if !s.strategies.iter().any(|st| st.programmes.contains(&p)) {
            continue;
        }
        let name = &prog.name;
        let name_nl = s.dutch.name(crate::scenario::dutch::Kind::Programme, p).unwrap_or(name);
        let key = |k: &str| format!("prevention.{}.{k}", prog.id);
        let cost = param(&key("annual_cost")).map_or(0.0, |p| p.dist.mean());
        let top = nice_ceiling(2.0 * cost.max(100_000.0));
        out.extend(make(
            key("annual_cost"),
            format!("{name}: yearly cost"),
            format!("{name_nl}: kosten per jaar"),
            0.0,
            top,
            top / 100.0,
        ));
        out.extend(make(key("reach"), format!("{name}: reach"), format!("{name_nl}: bereik"), 0.0, 1.0, 0.01));
        out.extend(make(key("effect"), format!("{name}: effect"), format!("{name_nl}: effect"), 0.0, 1.0, 0.01));
    }
    for (ci, c) in s.contracts.iter().enumerate() {
        let key = |k: &str| format!("contract.{}.{k}", c.id);
        let (en_name, nl_name) = contract_names(s, ci);
        if param(&key("risk_sharing.band")).is_some() || number_at(s, &key("risk_sharing.band")).is_some() {
            let value = number_at(s, &key("risk_sharing.band")).unwrap_or(0.0);
            if (0.0..=0.2).contains(&value) {
                let lever = Lever {
                    id: key("risk_sharing.band").replace('.', "-"),
                    key: key("risk_sharing.band"),
                    label: format!("{en_name}: corridor band"),
                    label_nl: None,
                    min: 0.0,
                    max: 0.2,
                    step: 0.005,
                    value,
                    line: 0,
                };
                out.push(page_lever(s, lever, format!("{nl_name}: bandbreedte van de risicocorridor")));
            }
        }
        for (factor, en, nl) in FACTORS {
            let k = key(factor);
            if param(&k).is_some_and(|p| p.dist.mean() != 1.0 || !p.dist.is_fixed()) {
                out.extend(make(k, format!("{en_name}: {en}"), format!("{nl_name}: {nl}"), 0.7, 1.3, 0.01));
            }
        }
    }
    out
}

/// The behaviour factors of a contract: key, English and Dutch label.
const FACTORS: [(&str, &str, &str); 4] = [
    ("incidence_factor", "providers' effect on inflow (factor)", "effect van aanbieders op instroom (factor)"),
    ("duration_factor", "providers' effect on duration (factor)", "effect van aanbieders op duur (factor)"),
    ("success_factor", "providers' effect on success (factor)", "effect van aanbieders op succes (factor)"),
    ("reentry_factor", "providers' effect on re-entry (factor)", "effect van aanbieders op terugval (factor)"),
];

/// A contract as the page names it: the first strategy that buys it, with the contract's id
/// when that strategy has several contracts; in English and Dutch.
fn contract_names(s: &Scenario, c: usize) -> (String, String) {
    let id = &s.contracts[c].id;
    let Some((k, st)) = s.strategies.iter().enumerate().find(|(_, st)| st.contracts.contains(&c)) else {
        return (id.clone(), id.clone());
    };
    let nl = s.dutch.name(crate::scenario::dutch::Kind::Strategy, k).unwrap_or(&st.name);
    if st.contracts.len() > 1 {
        (format!("{} ({id})", st.name), format!("{nl} ({id})"))
    } else {
        (st.name.clone(), nl.to_string())
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at least `x`.
fn nice_ceiling(x: f64) -> f64 {
    let mag = math::pow(10f64, math::log10(x).floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|f| f * mag).find(|&v| v >= x).unwrap_or(10.0 * mag)
}

/// The number the file's text writes at dotted key `key` (a table of an array by its id).
fn number_at(s: &Scenario, key: &str) -> Option<f64> {
    let doc: toml::Table = toml::from_str(&s.text).ok()?;
    let mut value = doc.get(key.split('.').next()?)?;
    for part in key.split('.').skip(1) {
        value = match value {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(items) => {
                items.iter().find(|v| v.get("id").and_then(toml::Value::as_str) == Some(part))?
            }
            _ => return None,
        };
    }
    value.as_float().or_else(|| value.as_integer().map(|i| i as f64))
}

/// A lever with the strategies it affects, whether it is uncertain, and its unit.
fn page_lever(s: &Scenario, lever: Lever, label_nl: String) -> PageLever {
    let parts: Vec<&str> = lever.key.split('.').collect();
    let all = || (0..s.strategies.len()).collect();
    let affects = match parts[..] {
        ["prevention", id, ..] => match s.programmes.iter().position(|p| p.id == id) {
            Some(p) => (0..s.strategies.len()).filter(|&k| s.strategies[k].programmes.contains(&p)).collect(),
            None => all(),
        },
        ["contract", id, ..] => match s.contracts.iter().position(|c| c.id == id) {
            Some(c) => (0..s.strategies.len()).filter(|&k| s.strategies[k].contracts.contains(&c)).collect(),
            None => all(),
        },
        _ => all(),
    };
    let uncertain = s.params.iter().any(|p| p.path == lever.key && !p.dist.is_fixed());
    let last = parts.last().copied().unwrap_or("");
    let unit = if last.contains("cost") || last.contains("price") || last.contains("budget") || last == "payment" {
        Unit::Euro
    } else if ["reach", "effect", "band", "margin"].contains(&last)
        || last.ends_with("share")
        || last.ends_with("rate")
        || matches!(parts[0], "economy" | "population")
    {
        Unit::Share
    } else {
        Unit::Number
    };
    PageLever { lever, label_nl, affects, uncertain, unit }
}
