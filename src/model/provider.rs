//! Providers and shared risk (docs/model.md §8): risk corridors and provider reserves.
//!
//! A risk corridor moves part of a provider's deviation from its target cost between
//! provider and municipality. With deviation `D = cost − target` and bands `(from_i, share_i)`
//! (from as a share of the target), the municipality takes `share_i` of the part of `|D|`
//! between `from_i · target` and `from_{i+1} · target`; nothing within the first band's
//! `from`. Losses are always shared, gains only when the corridor is `symmetric`. The transfer
//! is capped at `cap_share` × the year's contract value. The ACA corridor is
//! `bands = [{ from = 0.03, share = 0.5 }, { from = 0.08, share = 0.8 }]`.

use crate::scenario::RiskSharing;

/// The transfer from the municipality to the provider under a corridor (negative: the
/// provider pays back part of a gain). `target` is the expected cost at (re-)pricing for
/// the volume delivered, `cost` the provider's realised cost, `contract_value` the year's
/// payments under the contract (the base of the cap).
pub(crate) fn corridor_transfer(rs: &RiskSharing, target: f64, cost: f64, contract_value: f64) -> f64 {
    if target <= 0.0 || !target.is_finite() || !cost.is_finite() {
        return 0.0;
    }
    let deviation = cost - target;
    if deviation < 0.0 && !rs.symmetric {
        return 0.0;
    }
    let size = deviation.abs();
    let mut transfer = 0.0;
    for (i, band) in rs.bands.iter().enumerate() {
        let lo = band.from * target;
        let hi = rs.bands.get(i + 1).map_or(f64::INFINITY, |b| b.from * target);
        if size > lo {
            transfer += band.share * (size.min(hi) - lo);
        }
    }
    if let Some(cap) = rs.cap_share {
        transfer = transfer.min(cap * contract_value.max(0.0));
    }
    transfer.copysign(deviation)
}

/// A provider's books over the years: reserves and whether it is still trading.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ledger {
    /// Reserves at the end of the last year (None before its first year ends).
    pub reserves: Option<f64>,
    /// Whether the provider is trading (false after a failure, until it is replaced).
    pub active: bool,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger { reserves: None, active: true }
    }
}

impl Ledger {
    /// Books a year: revenue (with transfers) and cost. A provider's first reserves are
    /// `reserves_share` × its first-year revenue. Returns whether it failed (reserves below 0).
    pub(crate) fn book(&mut self, revenue: f64, cost: f64, reserves_share: f64) -> bool {
        let opening = self.reserves.unwrap_or(reserves_share * revenue);
        let closing = opening + revenue - cost;
        self.reserves = Some(closing);
        if closing < 0.0 {
            self.active = false;
            true
        } else {
            false
        }
    }

    /// A new provider takes over: fresh books.
    pub fn replace(&mut self) {
        *self = Ledger::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Band;
    use proptest::prelude::*;

    fn one_band(symmetric: bool) -> RiskSharing {
        RiskSharing { bands: vec![Band { from: 0.05, share: 0.5 }], cap_share: Some(0.1), symmetric }
    }

    fn aca() -> RiskSharing {
        RiskSharing {
            bands: vec![Band { from: 0.03, share: 0.5 }, Band { from: 0.08, share: 0.8 }],
            cap_share: None,
            symmetric: true,
        }
    }

    /// The worked example of docs/model.md: target EUR 10,000,000, band 5%, share 50%,
    /// cap 10% of a contract value of EUR 10,300,000.
    #[test]
    fn worked_example_to_the_euro() {
        let rs = one_band(false);
        // Cost 11,000,000: deviation 1,000,000; beyond the band 500,000; half is 250,000.
        assert_eq!(corridor_transfer(&rs, 10_000_000.0, 11_000_000.0, 10_300_000.0), 250_000.0);
        // Within the band: nothing.
        assert_eq!(corridor_transfer(&rs, 10_000_000.0, 10_400_000.0, 10_300_000.0), 0.0);
        // Cost 14,000,000: 50% of 3,500,000 = 1,750,000, capped at 1,030,000.
        assert_eq!(corridor_transfer(&rs, 10_000_000.0, 14_000_000.0, 10_300_000.0), 1_030_000.0);
        // A gain is kept by the provider unless the corridor is symmetric.
        assert_eq!(corridor_transfer(&rs, 10_000_000.0, 9_000_000.0, 10_300_000.0), 0.0);
        assert_eq!(corridor_transfer(&one_band(true), 10_000_000.0, 9_000_000.0, 10_300_000.0), -250_000.0);
    }

    /// ACA: no transfer within 3%; 50% of the excess between 3% and 8%; above 8%, 2.5% of
    /// the target plus 80% of the excess; mirrored for gains.
    #[test]
    fn aca_corridor_by_hand() {
        let rs = aca();
        let target = 100.0;
        assert_eq!(corridor_transfer(&rs, target, 102.0, 1e9), 0.0);
        assert!((corridor_transfer(&rs, target, 106.0, 1e9) - 1.5).abs() < 1e-12);
        assert!((corridor_transfer(&rs, target, 110.0, 1e9) - (2.5 + 0.8 * 2.0)).abs() < 1e-12);
        assert!((corridor_transfer(&rs, target, 90.0, 1e9) + (2.5 + 0.8 * 2.0)).abs() < 1e-12);
    }

    #[test]
    fn ledger_books_reserves_and_failures() {
        let mut l = Ledger::default();
        // First year: reserves 10% of revenue 1000 = 100, then +1000 - 1050 = 50.
        assert!(!l.book(1000.0, 1050.0, 0.1));
        assert_eq!(l.reserves, Some(50.0));
        assert!(l.book(1000.0, 1060.0, 0.1));
        assert_eq!(l.reserves, Some(-10.0));
        assert!(!l.active);
        l.replace();
        assert_eq!(l, Ledger::default());
    }

    proptest! {
        /// Transfers never exceed the cap, never take the sign against the deviation, and
        /// vanish within the band.
        #[test]
        fn corridor_invariants(
            target in 1.0f64..1e8,
            ratio in 0.0f64..3.0,
            band in 0.0f64..0.3,
            width in 0.001f64..0.3,
            s1 in 0.0f64..=1.0,
            s2 in 0.0f64..=1.0,
            cap in 0.0f64..0.5,
            value in 0.0f64..2e8,
            symmetric: bool,
        ) {
            let rs = RiskSharing {
                bands: vec![Band { from: band, share: s1 }, Band { from: band + width, share: s2 }],
                cap_share: Some(cap),
                symmetric,
            };
            let cost = target * ratio;
            let t = corridor_transfer(&rs, target, cost, value);
            prop_assert!(t.abs() <= cap * value + 1e-9 * value.max(1.0));
            prop_assert!(t * (cost - target) >= 0.0);
            if (cost - target).abs() <= band * target {
                prop_assert_eq!(t, 0.0);
            }
            if !symmetric && cost < target {
                prop_assert_eq!(t, 0.0);
            }
            // Never more than the deviation itself.
            prop_assert!(t.abs() <= (cost - target).abs() + 1e-9);
        }
    }
}
