//! `[provider]`: the defaults every provider of every contract shares: reserves, the
//! distribution of efficiency each draws from, cost noise and the costs of a failure.

use std::ops::Range;

use toml::de::DeTable;

use super::Cx;
use super::keys::Rule;
use crate::scenario::ProviderDefaults;
use crate::scenario::dist::Distribution;

/// The keys of `[provider]`.
const KEYS: [&str; 6] = [
    "reserves_share",
    "efficiency",
    "cost_noise_sd",
    "transition_cost_share",
    "emergency_premium",
    "emergency_premium_min_years",
];

/// The fewest years the emergency premium is paid after a failure, when the file does not
/// say: a replacement (a new tender or a take-over) takes about a year to arrange.
pub(crate) const EMERGENCY_PREMIUM_MIN_YEARS: i64 = 1;

impl Cx<'_> {
    /// `[provider]` (optional: every default is 0, efficiency 1).
    pub(super) fn read_provider(&mut self, root: &DeTable<'_>, span: &Range<usize>) -> ProviderDefaults {
        let (pr, sp) = self.section(root, "provider", false, span);
        self.known_keys(pr, "provider", &KEYS);
        let non_neg =
            |cx: &mut Self, key: &str| cx.number(pr, "provider", key, Rule::NonNeg, &sp, Some(0.0)).unwrap_or(0.0);
        let reserves_share = non_neg(self, "reserves_share");
        // A template: each provider of each contract draws its own efficiency, registered
        // with the contract, so the value read here is taken back off the parameters.
        let id = self.value(pr, "provider", "efficiency", Rule::Positive, &sp, Some(1.0));
        let efficiency = self.params.pop().map_or_else(
            || Distribution::fixed(1.0),
            |p| {
                debug_assert_eq!(id.0, self.params.len());
                p.dist
            },
        );
        ProviderDefaults {
            reserves_share,
            efficiency,
            cost_noise_sd: non_neg(self, "cost_noise_sd"),
            transition_cost_share: non_neg(self, "transition_cost_share"),
            emergency_premium: non_neg(self, "emergency_premium"),
            emergency_premium_min_years: self
                .integer(
                    pr,
                    "provider",
                    "emergency_premium_min_years",
                    (0, 200),
                    &sp,
                    Some(EMERGENCY_PREMIUM_MIN_YEARS),
                )
                .unwrap_or(EMERGENCY_PREMIUM_MIN_YEARS) as usize,
        }
    }
}
