//! The layout of a scenario's yearly metrics: which metrics it records, in storage order.

use crate::metrics::{BUDGET_OVERRUN, SOCIETAL_BENEFIT, YEARLY_BASE, Yearly, caseload_of, starts_of};
use crate::scenario::Scenario;

/// The layout of a scenario's yearly metrics: the base ones, `budget_overrun` when the
/// scenario has a budget, `societal_benefit` when it has `[[societal_benefit]]` tables,
/// values drop-outs from waiting lists (`dropout_cost_per_client_year`) or has programmes
/// that partners pay part of (`partner_share`),
/// then caseload and starts per segment.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Names of the yearly metrics, in storage order.
    pub yearly: Vec<String>,
    /// Index of `budget_overrun`, if present.
    pub budget_overrun: Option<usize>,
    /// Index of `societal_benefit` (benefits outside the youth-care budget versus the
    /// baseline, nominal euros), if the scenario has any.
    pub societal_benefit: Option<usize>,
    /// Index of the first `caseload.<segment>`.
    pub caseload_by_segment: usize,
    /// Index of the first `starts.<segment>`.
    pub starts_by_segment: usize,
    /// Years of the horizon.
    pub years: usize,
}

impl Layout {
    /// The layout for a scenario.
    pub fn new(s: &Scenario) -> Self {
        let mut yearly: Vec<String> = YEARLY_BASE.iter().map(|m| m.to_string()).collect();
        let budget_overrun = s.budget_line.as_ref().map(|_| {
            yearly.push(BUDGET_OVERRUN.into());
            yearly.len() - 1
        });
        let valued_dropouts = s.segments.iter().any(|g| g.dropout_cost_per_client_year.is_some());
        let partners = s.programmes.iter().any(|p| p.partner_share > 0.0);
        let societal_benefit = (!s.societal_benefits.is_empty() || valued_dropouts || partners).then(|| {
            yearly.push(SOCIETAL_BENEFIT.into());
            yearly.len() - 1
        });
        let caseload_by_segment = yearly.len();
        yearly.extend(s.segments.iter().map(|g| caseload_of(&g.id)));
        let starts_by_segment = yearly.len();
        yearly.extend(s.segments.iter().map(|g| starts_of(&g.id)));
        Layout {
            yearly,
            budget_overrun,
            societal_benefit,
            caseload_by_segment,
            starts_by_segment,
            years: s.horizon_years,
        }
    }

    /// Numbers stored per strategy and run for the yearly metrics.
    pub fn yearly_len(&self) -> usize {
        self.yearly.len() * self.years
    }

    /// Position of metric `m` in year `t` within one strategy's yearly block.
    #[inline(always)]
    pub fn at(&self, m: Yearly, t: usize) -> usize {
        self.at_index(m.index(), t)
    }

    /// Position of the metric stored `m`-th (a per-segment or optional one, see the
    /// fields) in year `t` within one strategy's yearly block.
    #[inline(always)]
    pub fn at_index(&self, m: usize, t: usize) -> usize {
        m * self.years + t
    }
}
