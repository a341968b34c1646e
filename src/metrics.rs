//! The metric schema: the figures the engine records per run (yearly metrics per
//! strategy and horizon metrics per strategy), with their names as they appear in the
//! output files. It sits at the bottom of the crate so that every layer can name them.

/// Yearly metrics present in every scenario, in storage order.
pub const YEARLY_BASE: [&str; 32] = [
    "spend",
    "care_payments",
    "outcome_payments",
    "prevention_cost",
    "admin_cost",
    "provider_cost",
    "provider_result",
    "caseload",
    "client_years",
    "starts",
    "referrals",
    "prevented",
    "successes",
    "spend_real",
    "cumulative_saving",
    "p_cheapest",
    "provider_reserves_min",
    "provider_failures",
    "risk_sharing_transfer",
    "failure_cost",
    "emergency_premium",
    "investor_payments",
    "investor_cost",
    "provider_failed_so_far",
    "exits",
    "waiting",
    "admissions",
    "waiting_weeks_mean",
    "waiting_weeks_p90",
    "escalations_from_waiting",
    "dropouts_from_waiting",
    "share_waited_over_norm",
];

/// Weeks in a year (365.25 / 7), to report waiting times in weeks.
pub const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

/// Index of a base yearly metric.
pub mod y {
    pub const SPEND: usize = 0;
    pub const CARE: usize = 1;
    pub const OUTCOME: usize = 2;
    pub const PREVENTION: usize = 3;
    pub const ADMIN: usize = 4;
    pub const PROVIDER_COST: usize = 5;
    pub const PROVIDER_RESULT: usize = 6;
    pub const CASELOAD: usize = 7;
    pub const CLIENT_YEARS: usize = 8;
    pub const STARTS: usize = 9;
    pub const REFERRALS: usize = 10;
    pub const PREVENTED: usize = 11;
    pub const SUCCESSES: usize = 12;
    pub const SPEND_REAL: usize = 13;
    /// Cumulative discounted saving versus the baseline up to and including the year.
    pub const CUMULATIVE_SAVING: usize = 14;
    /// 1 when the strategy's cumulative discounted spend up to the year is the lowest
    /// (ties split), so that its mean is the probability of being cheapest by that year.
    pub const CHEAPEST: usize = 15;
    /// Lowest reserves of any provider at the end of the year.
    pub const RESERVES_MIN: usize = 16;
    /// Providers that failed in the year.
    pub const FAILURES: usize = 17;
    /// Net corridor transfers from the municipality to providers.
    pub const TRANSFER: usize = 18;
    /// The municipality's one-off costs of provider failures.
    pub const FAILURE_COST: usize = 19;
    /// Emergency premiums paid for clients moved after a failure.
    pub const PREMIUM: usize = 20;
    /// Payments to investors for prevented starts.
    pub const INVESTOR_PAYMENTS: usize = 21;
    /// Programme costs paid by investors.
    pub const INVESTOR_COST: usize = 22;
    /// 1 when a provider has failed in this or an earlier year: its mean is P(at least one
    /// failure by the year).
    pub const FAILED_SO_FAR: usize = 23;
    /// Clients leaving care in the year: `caseload(t) = caseload(t-1) + starts(t) - exits(t)`.
    pub const EXITS: usize = 24;
    /// Clients on waiting lists, mean over the year (0 without capacity or rationing).
    pub const WAITING: usize = 25;
    /// Clients admitted to care in the year (equal to `starts`: with a waiting list,
    /// starts are admissions, not arrivals).
    pub const ADMISSIONS: usize = 26;
    /// Mean wait in weeks of the clients admitted in the year (0 for those admitted at
    /// once); NaN in a year without admissions.
    pub const WAITING_WEEKS_MEAN: usize = 27;
    /// 90th percentile of the wait in weeks of the clients admitted in the year.
    pub const WAITING_WEEKS_P90: usize = 28;
    /// Clients who escalated to a heavier segment while waiting.
    pub const ESCALATIONS_FROM_WAITING: usize = 29;
    /// Clients who dropped out of a waiting list (help elsewhere, outside this budget).
    pub const DROPOUTS_FROM_WAITING: usize = 30;
    /// Share of the year's admissions that waited longer than `waiting_norm_weeks`.
    pub const SHARE_WAITED_OVER_NORM: usize = 31;
}

/// Horizon metrics per strategy and run, in storage order.
pub const HORIZON: [&str; 21] = [
    "npv_spend",
    "total_spend",
    "npv_saving_vs_baseline",
    "p_cheaper_than_baseline",
    "p_cheapest",
    "break_even_year",
    "p_break_even",
    "cost_per_success",
    "total_successes",
    "total_starts",
    "p_provider_failure",
    "investor_irr",
    "investor_multiple",
    "p_investor_loss",
    "paid_for_luck_share",
    "investor_mirr",
    "npv_societal_benefit",
    "npv_societal_net",
    "waiting_weeks_mean",
    "share_waited_over_norm",
    "waiting_mean",
];

/// Index of a horizon metric.
pub mod h {
    pub const NPV_SPEND: usize = 0;
    pub const TOTAL_SPEND: usize = 1;
    pub const NPV_SAVING: usize = 2;
    pub const CHEAPER: usize = 3;
    pub const CHEAPEST: usize = 4;
    pub const BREAK_EVEN_YEAR: usize = 5;
    pub const BREAKS_EVEN: usize = 6;
    pub const COST_PER_SUCCESS: usize = 7;
    pub const SUCCESSES: usize = 8;
    pub const STARTS: usize = 9;
    pub const PROVIDER_FAILURE: usize = 10;
    pub const INVESTOR_IRR: usize = 11;
    pub const INVESTOR_MULTIPLE: usize = 12;
    pub const INVESTOR_LOSS: usize = 13;
    pub const PAID_FOR_LUCK: usize = 14;
    pub const INVESTOR_MIRR: usize = 15;
    /// Discounted societal benefit versus the baseline (`[[societal_benefit]]`); NaN when
    /// the scenario has none.
    pub const NPV_SOCIETAL: usize = 16;
    /// The combined societal view: `npv_saving_vs_baseline + npv_societal_benefit`.
    pub const NPV_SOCIETAL_NET: usize = 17;
    /// Mean wait in weeks over all admissions of the horizon (0 for those admitted at once).
    pub const WAITING_WEEKS_MEAN: usize = 18;
    /// Share of all admissions of the horizon that waited longer than the norm.
    pub const SHARE_WAITED_OVER_NORM: usize = 19;
    /// Clients on waiting lists, mean over the horizon.
    pub const WAITING_MEAN: usize = 20;
}
