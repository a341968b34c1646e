//! Contracts (docs/model.md §4): how a lot is priced, re-priced and paid.
//!
//! * First period: prices from the scenario's expected values, before any behaviour factor
//!   (at signing the municipality cannot know how providers will respond), plus `margin`:
//!   effort tariff `E[c] (1 + m)` per client-year, output price `E[c] E[d] (1 + m)` per
//!   trajectory, task budget the expected yearly cost of the lot over the first period
//!   (from the expected-value path of the strategy) times `(1 + m)`.
//! * Each new period: prices from what was realised in the previous period, each year's
//!   cost brought to the new period's first year with the tariff indexation: effort tariff
//!   = realised cost / client-years, output price = realised cost / starts (cost per
//!   trajectory, by Little's law in steady state), task budget = realised cost / years;
//!   each times `(1 + m)`.
//! * Within a period, prices rise each year with `tariff_indexation`.

use crate::scenario::Form;

/// What a lot realised in one year, per segment of the lot (in the lot's segment order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LotYear {
    /// Client-years per segment.
    pub client_years: Vec<f64>,
    /// Starts per segment.
    pub starts: Vec<f64>,
    /// Providers' cost per segment, nominal.
    pub cost: Vec<f64>,
}

impl LotYear {
    /// An empty year for a lot of `n` segments.
    pub fn new(n: usize) -> Self {
        LotYear { client_years: vec![0.0; n], starts: vec![0.0; n], cost: vec![0.0; n] }
    }

    /// Resets all figures to zero.
    pub fn clear(&mut self) {
        self.client_years.iter_mut().for_each(|x| *x = 0.0);
        self.starts.iter_mut().for_each(|x| *x = 0.0);
        self.cost.iter_mut().for_each(|x| *x = 0.0);
    }
}

/// Prices of a lot, set at the start of a period at that year's price level.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Per segment: tariff per client-year (effort) or price per trajectory (output, and the
    /// base of outcome); unused for task.
    pub unit: Vec<f64>,
    /// Yearly budget of the lot (task).
    pub budget: f64,
    /// Year (0-based) in which these prices were set.
    pub set_in_year: usize,
}

impl Prices {
    /// Prices for the first period.
    ///
    /// `cost_per_client_year` and `mean_duration_years` are the expected values per segment
    /// of the lot; `expected_yearly_cost` the expected cost of the lot per year of the first
    /// period in start-year prices (used by task contracts).
    pub fn first(
        form: &Form,
        cost_per_client_year: &[f64],
        mean_duration_years: &[f64],
        expected_yearly_cost: f64,
        margin: f64,
    ) -> Self {
        let up = 1.0 + margin;
        let unit = match form {
            Form::Effort => cost_per_client_year.iter().map(|c| c * up).collect(),
            Form::Output | Form::Outcome(_) => {
                cost_per_client_year.iter().zip(mean_duration_years).map(|(c, d)| c * d * up).collect()
            }
            Form::Task => vec![0.0; cost_per_client_year.len()],
        };
        let budget = if matches!(form, Form::Task) { expected_yearly_cost * up } else { 0.0 };
        Prices { unit, budget, set_in_year: 0 }
    }

    /// Prices for a period starting in `year`, from the realised years of the previous
    /// period (oldest first). Where a ratio has no volume (no client-years or no starts),
    /// the previous price carries on, indexed.
    pub(crate) fn reprice(
        &self,
        form: &Form,
        previous: &[LotYear],
        year: usize,
        tariff_indexation: f64,
        margin: f64,
    ) -> Self {
        let up = 1.0 + margin;
        let n = self.unit.len();
        let first = year - previous.len();
        // Realised cost of each year brought to the price level of `year`.
        let carry = |y: usize| (1.0 + tariff_indexation).powi((year - y) as i32);
        let carried = self.indexed(tariff_indexation, year);
        let mut unit = carried.unit.clone();
        let mut budget = carried.budget;
        match form {
            Form::Task => {
                let total: f64 =
                    previous.iter().enumerate().map(|(i, ly)| ly.cost.iter().sum::<f64>() * carry(first + i)).sum();
                budget = total / previous.len() as f64 * up;
            }
            _ => {
                for (s, u) in unit.iter_mut().enumerate().take(n) {
                    let cost: f64 = previous.iter().enumerate().map(|(i, ly)| ly.cost[s] * carry(first + i)).sum();
                    let volume: f64 = previous
                        .iter()
                        .map(|ly| if matches!(form, Form::Effort) { ly.client_years[s] } else { ly.starts[s] })
                        .sum();
                    if volume > 0.0 {
                        *u = cost / volume * up;
                    }
                }
            }
        }
        Prices { unit, budget, set_in_year: year }
    }

    /// These prices indexed to `year`.
    pub fn indexed(&self, tariff_indexation: f64, year: usize) -> Self {
        let f = (1.0 + tariff_indexation).powi((year - self.set_in_year) as i32);
        Prices { unit: self.unit.iter().map(|u| u * f).collect(), budget: self.budget * f, set_in_year: year }
    }
}

/// The municipality's payments under a lot in one year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Payment {
    /// Payments for care (tariffs, prices, budget, base share).
    pub care: f64,
    /// Outcome payments (result financing), after the cap.
    pub outcome: f64,
}

/// The payment of a year: `prices` times `index` (the indexation since they were set).
///
/// `outcome_due` is the value of the outcome payments falling due in the year before the
/// cap; `cap_share` caps them at that share of the year's contract value (the output price
/// times starts).
pub fn pay(form: &Form, prices: &Prices, index: f64, year: &LotYear, outcome_due: f64) -> Payment {
    let dot = |a: &[f64], b: &[f64]| index * dot(a, b);
    match form {
        Form::Effort => Payment { care: dot(&prices.unit, &year.client_years), outcome: 0.0 },
        Form::Output => Payment { care: dot(&prices.unit, &year.starts), outcome: 0.0 },
        Form::Task => Payment { care: prices.budget * index, outcome: 0.0 },
        Form::Outcome(terms) => {
            let value = dot(&prices.unit, &year.starts);
            let outcome = match terms.outcome_cap_share {
                Some(cap) => outcome_due.min(cap * value),
                None => outcome_due,
            };
            Payment { care: terms.base_share * value, outcome }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The expected cost, at the contract's prices without margin, of what the lot delivered:
/// the target of a risk corridor. Effort: client-years × tariff; output and outcome: starts ×
/// the output price; task: the budget.
pub(crate) fn target_cost(form: &Form, prices: &Prices, index: f64, lot: &LotYear) -> f64 {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() * index;
    match form {
        Form::Effort => dot(&prices.unit, &lot.client_years),
        Form::Output | Form::Outcome(_) => dot(&prices.unit, &lot.starts),
        Form::Task => prices.budget * index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{OutcomeTerms, ParamId};

    fn outcome(cap: Option<f64>) -> Form {
        Form::Outcome(OutcomeTerms {
            base_share: 0.7,
            outcome_payment: ParamId(0),
            follow_up_years: 1.0,
            outcome_cap_share: cap,
            advance_share: 0.0,
        })
    }

    #[test]
    fn first_prices_by_hand() {
        let c = [10_000.0, 50_000.0];
        let d = [0.5, 2.0];
        let p = Prices::first(&Form::Effort, &c, &d, 0.0, 0.05);
        assert_eq!(p.unit, vec![10_500.0, 52_500.0]);
        let p = Prices::first(&Form::Output, &c, &d, 0.0, 0.05);
        assert_eq!(p.unit, vec![5_250.0, 105_000.0]);
        let p = Prices::first(&Form::Task, &c, &d, 1_000_000.0, 0.05);
        assert_eq!(p.budget, 1_050_000.0);
    }

    #[test]
    fn payments_by_hand() {
        let year = LotYear { client_years: vec![100.0, 10.0], starts: vec![200.0, 5.0], cost: vec![0.0, 0.0] };
        let prices = Prices { unit: vec![1_000.0, 20_000.0], budget: 777.0, set_in_year: 0 };
        // Effort: 100 × 1000 + 10 × 20000.
        assert_eq!(pay(&Form::Effort, &prices, 1.0, &year, 0.0).care, 300_000.0);
        // Output: 200 × 1000 + 5 × 20000.
        assert_eq!(pay(&Form::Output, &prices, 1.0, &year, 0.0).care, 300_000.0);
        assert_eq!(pay(&Form::Task, &prices, 2.0, &year, 0.0).care, 1554.0);
        // Outcome: 70% of 300,000 base; 50,000 due, capped at 10% of 300,000.
        let p = pay(&outcome(Some(0.1)), &prices, 1.0, &year, 50_000.0);
        assert!((p.care - 210_000.0).abs() < 1e-9);
        assert!((p.outcome - 30_000.0).abs() < 1e-9);
        assert_eq!(pay(&outcome(None), &prices, 1.0, &year, 50_000.0).outcome, 50_000.0);
    }

    #[test]
    fn repricing_by_hand() {
        // Two realised years, 2% indexation, new period starts in year 2.
        let years = vec![
            LotYear { client_years: vec![10.0], starts: vec![20.0], cost: vec![100_000.0] },
            LotYear { client_years: vec![10.0], starts: vec![20.0], cost: vec![102_000.0] },
        ];
        let old = Prices { unit: vec![1.0], budget: 1.0, set_in_year: 0 };
        // Cost at year-2 prices: 100000 × 1.02² + 102000 × 1.02 = 104040 + 104040 = 208080.
        let p = old.reprice(&Form::Output, &years, 2, 0.02, 0.1);
        assert!((p.unit[0] - 208_080.0 / 40.0 * 1.1).abs() < 1e-9);
        let p = old.reprice(&Form::Effort, &years, 2, 0.02, 0.0);
        assert!((p.unit[0] - 208_080.0 / 20.0).abs() < 1e-9);
        let p = old.reprice(&Form::Task, &years, 2, 0.02, 0.0);
        assert!((p.budget - 104_040.0).abs() < 1e-9);
        assert_eq!(p.set_in_year, 2);
        // No volume: the old price carries on, indexed.
        let empty = vec![LotYear::new(1), LotYear::new(1)];
        let p = old.reprice(&Form::Output, &empty, 2, 0.02, 0.0);
        assert!((p.unit[0] - 1.0404).abs() < 1e-12);
        assert!((p.indexed(0.02, 3).unit[0] - 1.0404 * 1.02).abs() < 1e-12);
    }
}
