//! The metric schema: the figures the engine records per run (yearly metrics per
//! strategy and horizon metrics per strategy), with their names as they appear in the
//! output files. It sits at the bottom of the crate so that every layer can name them.
//!
//! Each metric is a variant of [`Yearly`] or [`Horizon`]: its storage position, its name
//! in `yearly.csv`, `summary.csv`, `runs.csv` and `runs.parquet`, and its documentation
//! come from one line below, so a misspelt metric does not compile and a name cannot drift
//! from its position.

/// Declares a metric enum: variants in storage order, each with its file name.
macro_rules! metrics {
    ($(#[$meta:meta])* $enum:ident { $($(#[$doc:meta])* $variant:ident => $name:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(usize)]
        pub enum $enum {
            $($(#[$doc])* $variant,)+
        }

        impl $enum {
        /// Every metric, in storage order.
            pub const ALL: [$enum; [$($name),+].len()] = [$($enum::$variant),+];
        /// The names as in the output files, in storage order.
            pub(crate) const NAMES: [&'static str; [$($name),+].len()] = [$($name),+];

        /// The position in a record.
            #[inline(always)]
            pub const fn index(self) -> usize {
                self as usize
            }

        /// The name as in the output files.
            pub const fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }

        /// The metric of a name in the output files.
            pub(crate) fn from_name(name: &str) -> Option<Self> {
                Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
            }
        }
    };
}

metrics! {
    /// A yearly metric present in every scenario, in storage order.
    Yearly {
        /// The municipality's spend in the year, nominal euros: the sum of its components, `care_payments + outcome_payments + outcome_advance + emergency_premium + risk_sharing_transfer + investor_payments + prevention_cost + admin_cost + failure_cost` (tested in every run and year).
        Spend => "spend",
        /// Payments to providers for care (prices, tasks, effort).
        CarePayments => "care_payments",
        /// Payments for results (outcome contracts).
        OutcomePayments => "outcome_payments",
        /// Prevention programme costs paid by the municipality.
        PreventionCost => "prevention_cost",
        /// Contract administration costs.
        AdminCost => "admin_cost",
        /// Providers' cost of delivering the care.
        ProviderCost => "provider_cost",
        /// Providers' result: what they are paid less what the care costs them.
        ProviderResult => "provider_result",
        /// Clients in care at the end of the year.
        Caseload => "caseload",
        /// Client-years of care delivered in the year.
        ClientYears => "client_years",
        /// Trajectories started in the year.
        Starts => "starts",
        /// Referrals in the year, before prevention.
        Referrals => "referrals",
        /// Starts prevented by prevention programmes in the year.
        Prevented => "prevented",
        /// Trajectories ended with success in the year.
        Successes => "successes",
        /// Spend in start-year prices (deflated by the price index).
        SpendReal => "spend_real",
        /// Cumulative discounted saving versus the baseline up to and including the year.
        CumulativeSaving => "cumulative_saving",
        /// 1 when the strategy's cumulative discounted spend up to the year is the lowest (ties split), so that its mean is the probability of being cheapest by that year.
        PCheapest => "p_cheapest",
        /// Lowest reserves of any provider at the end of the year.
        ProviderReservesMin => "provider_reserves_min",
        /// Providers that failed in the year.
        ProviderFailures => "provider_failures",
        /// Net corridor transfers from the municipality to providers.
        RiskSharingTransfer => "risk_sharing_transfer",
        /// The municipality's one-off costs of provider failures (the transition payment; the emergency premium that follows is `emergency_premium`).
        FailureCost => "failure_cost",
        /// Emergency premiums paid for clients moved after a failure.
        EmergencyPremium => "emergency_premium",
        /// Payments to investors for prevented starts.
        InvestorPayments => "investor_payments",
        /// Programme costs paid by investors.
        InvestorCost => "investor_cost",
        /// 1 when a provider has failed in this or an earlier year: its mean is P(at least one failure by the year).
        ProviderFailedSoFar => "provider_failed_so_far",
        /// Clients leaving care in the year: `caseload(t) = caseload(t-1) + starts(t) - exits(t)`.
        Exits => "exits",
        /// Clients on waiting lists, mean over the year (0 without capacity or rationing).
        Waiting => "waiting",
        /// Clients admitted to care in the year (equal to `starts`: with a waiting list, starts are admissions, not arrivals).
        Admissions => "admissions",
        /// Mean wait in weeks of the clients admitted in the year (0 for those admitted at once); NaN in a year without admissions.
        WaitingWeeksMean => "waiting_weeks_mean",
        /// 90th percentile of the wait in weeks of the clients admitted in the year.
        WaitingWeeksP90 => "waiting_weeks_p90",
        /// Clients who escalated to a heavier segment while waiting.
        EscalationsFromWaiting => "escalations_from_waiting",
        /// Clients who dropped out of a waiting list (help elsewhere, outside this budget).
        DropoutsFromWaiting => "dropouts_from_waiting",
        /// Share of the year's admissions that waited longer than `waiting_norm_weeks`.
        ShareWaitedOverNorm => "share_waited_over_norm",
        /// Advances on outcome payments (`advance_share`): paid in the first year, settled (negative) later; part of spend.
        OutcomeAdvance => "outcome_advance",
        /// Programme costs paid by partners (`partner_share`), outside municipal spend; counted in the societal view.
        PartnerCost => "partner_cost",
        /// Failure costs in all: `failure_cost + emergency_premium`.
        FailureCostWithPremium => "failure_cost_with_premium",
    }
}

metrics! {
    /// A horizon metric per strategy and run, in storage order (the columns of `runs.csv`).
    Horizon {
        /// Net present value of spend over the horizon.
        NpvSpend => "npv_spend",
        /// Undiscounted spend over the horizon.
        TotalSpend => "total_spend",
        /// NPV of the baseline's spend less this strategy's, on the same run.
        NpvSavingVsBaseline => "npv_saving_vs_baseline",
        /// 1 when the strategy's NPV of spend is below the baseline's (its mean is the probability).
        PCheaperThanBaseline => "p_cheaper_than_baseline",
        /// 1 when the strategy has the lowest NPV of spend, ties split (its mean is the probability).
        PCheapest => "p_cheapest",
        /// First calendar year from which the cumulative discounted saving stays positive; NaN when it never does.
        BreakEvenYear => "break_even_year",
        /// 1 when the strategy breaks even within the horizon.
        PBreakEven => "p_break_even",
        /// Total spend divided by total successes.
        CostPerSuccess => "cost_per_success",
        /// Successful endings over the horizon.
        TotalSuccesses => "total_successes",
        /// Starts over the horizon.
        TotalStarts => "total_starts",
        /// 1 when at least one provider fails within the horizon.
        PProviderFailure => "p_provider_failure",
        /// Investors' internal rate of return; NaN without investors or a defined root.
        InvestorIrr => "investor_irr",
        /// Investors' payments received divided by their costs.
        InvestorMultiple => "investor_multiple",
        /// 1 when investors receive less than they paid.
        PInvestorLoss => "p_investor_loss",
        /// Share of investor payments for starts below the baseline that prevention did not cause.
        PaidForLuckShare => "paid_for_luck_share",
        /// Investors' modified internal rate of return.
        InvestorMirr => "investor_mirr",
        /// Discounted societal benefit versus the baseline (`[[societal_benefit]]`); NaN when the scenario has none.
        NpvSocietalBenefit => "npv_societal_benefit",
        /// The combined societal view: `npv_saving_vs_baseline + npv_societal_benefit`.
        NpvSocietalNet => "npv_societal_net",
        /// Mean wait in weeks over all admissions of the horizon (0 for those admitted at once).
        WaitingWeeksMean => "waiting_weeks_mean",
        /// Share of all admissions of the horizon that waited longer than the norm.
        ShareWaitedOverNorm => "share_waited_over_norm",
        /// Clients on waiting lists, mean over the horizon.
        WaitingMean => "waiting_mean",
        /// 1 when the investor's flows have no IRR because money came back before any net outlay; NaN without investors.
        InvestorIrrNonePaymentsFirst => "investor_irr_none_payments_before_outlay",
        /// 1 when the investor's net flows never change sign (e.g. a partial repayment); NaN without investors.
        InvestorIrrNoneNoSignChange => "investor_irr_none_no_sign_change",
        /// 1 when the investor's net flows change sign more than once; NaN without investors.
        InvestorIrrNoneSeveralSignChanges => "investor_irr_none_several_sign_changes",
        /// NPV of spend of the strategy's behaviour-neutral twin (behaviour factors at 1, same random numbers); the strategy's own NPV when it has no factors.
        NpvSpendBehaviourNeutral => "npv_spend_behaviour_neutral",
        /// NPV of the baseline's spend less the behaviour-neutral twin's: the saving the contract form brings without the assumed behaviour.
        NpvSavingBehaviourNeutral => "npv_saving_behaviour_neutral",
    }
}

/// Yearly metrics present in every scenario, in storage order.
pub(crate) const YEARLY_BASE: [&str; Yearly::ALL.len()] = Yearly::NAMES;

/// Horizon metrics per strategy and run, in storage order.
pub const HORIZON: [&str; Horizon::ALL.len()] = Horizon::NAMES;

/// The yearly metric of scenarios with a budget line: 1 when spend exceeds it.
pub(crate) const BUDGET_OVERRUN: &str = "budget_overrun";

/// The yearly metric of scenarios with benefits outside the youth-care budget.
pub(crate) const SOCIETAL_BENEFIT: &str = "societal_benefit";

/// The yearly metric of a segment's caseload, as named in `yearly.csv`.
pub(crate) fn caseload_of(segment: &str) -> String {
    format!("caseload.{segment}")
}

/// The yearly metric of a segment's starts, as named in `yearly.csv`.
pub(crate) fn starts_of(segment: &str) -> String {
    format!("starts.{segment}")
}

/// Weeks in a year (365.25 / 7), to report waiting times in weeks.
pub const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_positions_agree() {
        for (i, m) in Yearly::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Yearly::from_name(m.name()), Some(*m));
        }
        for (i, m) in Horizon::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Horizon::from_name(m.name()), Some(*m));
        }
        assert_eq!(Horizon::NpvSavingVsBaseline.name(), "npv_saving_vs_baseline");
        assert_eq!(Yearly::from_name("spnd"), None);
    }
}
