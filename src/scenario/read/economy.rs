//! `[economy]`: cost inflation and tariff indexation, and the municipal budget line with
//! what the finance view reads next to it (budget period, certainties, available reserve).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{Rule, as_number, describe};
use super::population::Population;
use super::{Cx, RATE_HINT, RATE_MAX, RATE_MIN, RATE_RANGE, Val};
use crate::scenario::ParamId;

/// The keys of `[economy]`.
const KEYS: [&str; 9] = [
    "cost_inflation",
    "tariff_indexation",
    "budget",
    "budget_growth",
    "budget_by_year",
    "budget_period_years",
    "certainty",
    "available_reserve",
    "task_budget_line",
];

/// What `[economy]` sets; see the fields of the same names in [`crate::scenario::Scenario`].
pub(super) struct Economy {
    /// Yearly cost inflation, a value.
    pub(super) cost_inflation: ParamId,
    /// Yearly tariff indexation, a value.
    pub(super) tariff_indexation: ParamId,
    /// Yearly growth of the budget line.
    pub(super) budget_growth: f64,
    /// The budget line of every year of the horizon, when the file has one.
    pub(super) budget_line: Option<Vec<f64>>,
    /// Years of the multi-year budget.
    pub(super) budget_period_years: usize,
    /// Certainties at which the required reserve is reported.
    pub(super) certainty: Vec<f64>,
    /// The reserve the municipality has, when given.
    pub(super) available_reserve: Option<f64>,
    /// `task_budget_line`: whether a strategy of task contracts is held against the lump
    /// sums it signed (`"lump_sum"`, the default) or the budget line (`"budget"`).
    pub(super) task_budget_line_signed: bool,
}

impl Cx<'_> {
    /// `[economy]` (optional: without it, no inflation, no indexation and no budget line).
    /// The growth rate of `population` is checked here, with the economy's rates.
    pub(super) fn read_economy(
        &mut self,
        root: &DeTable<'_>,
        span: &Range<usize>,
        population: &Population<'_, '_>,
        horizon_years: usize,
    ) -> Economy {
        let (eco, sp) = self.section(root, "economy", false, span);
        self.known_keys(eco, "economy", &KEYS);
        let cost_inflation = self.value(eco, "economy", "cost_inflation", Rule::Real, &sp, Some(0.0));
        let tariff_indexation = self.value(eco, "economy", "tariff_indexation", Rule::Real, &sp, Some(0.0));
        self.compounding_rates([
            (population.growth, population.table, "population.growth"),
            (cost_inflation, eco, "economy.cost_inflation"),
            (tariff_indexation, eco, "economy.tariff_indexation"),
        ]);
        let budget = self.optional_number(eco, "economy", "budget", Rule::NonNeg);
        let budget_growth = self.number(eco, "economy", "budget_growth", Rule::Real, &sp, Some(0.0)).unwrap_or(0.0);
        self.rate_in_range(eco, "economy", "budget_growth", budget_growth);
        let budget_line = self.budget_line(eco, budget, budget_growth, horizon_years);
        let budget_period_years = self
            .integer(
                eco,
                "economy",
                "budget_period_years",
                (1, horizon_years as i64),
                &sp,
                Some(4.min(horizon_years as i64)),
            )
            .unwrap_or(1) as usize;
        let certainty = self.certainty(eco);
        let available_reserve = self.optional_number(eco, "economy", "available_reserve", Rule::NonNeg);
        let task_budget_line_signed = self.task_budget_line(eco);
        if budget_line.is_none() {
            self.without_budget_line(eco);
        }
        Economy {
            cost_inflation,
            tariff_indexation,
            budget_growth,
            budget_line,
            budget_period_years,
            certainty,
            available_reserve,
            task_budget_line_signed,
        }
    }

    /// `task_budget_line`: `"lump_sum"` (the default) or `"budget"`.
    fn task_budget_line(&mut self, eco: &DeTable<'_>) -> bool {
        const CHOICES: [&str; 2] = ["lump_sum", "budget"];
        let Some(v) = eco.get("task_budget_line") else { return true };
        match v.get_ref() {
            DeValue::String(s) if CHOICES.contains(&s.as_ref()) => s.as_ref() == "lump_sum",
            other => {
                let hint = if let DeValue::String(s) = other { super::keys::suggest(s, &CHOICES) } else { None };
                self.problem(v.span(), "economy.task_budget_line", "\"lump_sum\" or \"budget\"", describe(other), hint);
                true
            }
        }
    }

    /// Reports a rate whose draws leave -0.5 to 1: rates compound over up to 200 years, and
    /// outside that range amounts overflow to infinity (or shrink below zero population)
    /// before the horizon ends.
    fn compounding_rates(&mut self, rates: [(ParamId, &DeTable<'_>, &str); 3]) {
        for (id, table, key) in rates {
            let (lo, hi) = self.params[id.0].dist.support();
            if (lo < RATE_MIN || hi > RATE_MAX)
                && let Some(v) = key.split_once('.').and_then(|(_, k)| table.get(k))
            {
                self.problem(v.span(), key, RATE_RANGE, self.params[id.0].dist.describe(), Some(RATE_HINT.into()));
            }
        }
    }

    /// The budget line from `budget` (with `budget_growth`) or from `budget_by_year`
    /// (continued with `budget_growth` after its last year), not both; `None` without either.
    fn budget_line(&mut self, eco: &DeTable<'_>, budget: Option<f64>, growth: f64, horizon: usize) -> Option<Vec<f64>> {
        let by_year = self.number_list(eco, "economy", "budget_by_year", Rule::NonNeg);
        if let (Some(_), Some(v)) = (&budget, eco.get("budget_by_year"))
            && by_year.is_some()
        {
            self.problem(
                v.span(),
                "economy.budget_by_year",
                "either `budget` (with `budget_growth`) or `budget_by_year`, not both",
                "both".into(),
                None,
            );
        }
        if let (Some(list), Some(v)) = (&by_year, eco.get("budget_by_year"))
            && list.is_empty()
        {
            self.problem(
                v.span(),
                "economy.budget_by_year",
                "at least one yearly amount",
                "an empty list".into(),
                None,
            );
        }
        match (&by_year, budget) {
            (Some(list), _) if !list.is_empty() => Some(yearly_budget(list, growth, horizon)),
            (_, Some(b)) => Some(yearly_budget(&[b], growth, horizon)),
            _ => None,
        }
    }

    /// `certainty`: one certainty strictly between 0 and 1 or a list of them (default 0.9).
    fn certainty(&mut self, eco: &DeTable<'_>) -> Vec<f64> {
        let Some(v) = eco.get("certainty") else { return vec![0.9] };
        let items: Vec<Val<'_>> = match v.get_ref() {
            DeValue::Array(a) => a.iter().cloned().collect(),
            _ => vec![v.clone()],
        };
        let mut out = Vec::new();
        for item in &items {
            match as_number(item.get_ref()) {
                Some(x) if x > 0.0 && x < 1.0 => out.push(x),
                _ => self.problem(
                    item.span(),
                    "economy.certainty",
                    "a certainty strictly between 0 and 1 (e.g. 0.9), or a list of them",
                    describe(item.get_ref()),
                    None,
                ),
            }
        }
        if out.is_empty() && items.is_empty() {
            self.problem(v.span(), "economy.certainty", "at least one certainty", "an empty list".into(), None);
        }
        out
    }

    /// Reports the keys of the finance view in a file without a budget line: they would
    /// have nothing to be read against.
    fn without_budget_line(&mut self, eco: &DeTable<'_>) {
        for key in ["budget_period_years", "certainty", "available_reserve", "task_budget_line"] {
            if let Some(v) = eco.get(key) {
                self.problem(
                    v.span(),
                    &format!("economy.{key}"),
                    "a budget line (`budget` or `budget_by_year`) next to this key",
                    "no budget line".into(),
                    None,
                );
            }
        }
    }
}

/// The budget of each year of the horizon: the amounts given, then the last one grown by
/// `growth` a year. Budget lines are in whole cents, as in a budget.
fn yearly_budget(given: &[f64], growth: f64, horizon: usize) -> Vec<f64> {
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let last = *given.last().unwrap_or(&0.0);
    (0..horizon)
        .map(|t| {
            cents(given.get(t).copied().unwrap_or_else(|| last * (1.0 + growth).powi((t + 1 - given.len()) as i32)))
        })
        .collect()
}
