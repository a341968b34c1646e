//! Investor-financed prevention (docs/model.md §9): an outcome contract like a social
//! impact bond. The investor pays the programme's costs; the municipality pays a fixed amount
//! for every start in the targeted segments below the contracted baseline, which is fixed
//! at signing from expected values (so the municipality can pay for luck), capped per year
//! and in total.

use crate::scenario::InvestorTerms;

/// The municipality's account with the investor, year by year: what is left of the total cap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Account {
    left: f64,
}

impl Account {
    /// A new contract.
    pub fn new(terms: &InvestorTerms) -> Self {
        Account { left: terms.total_cap.unwrap_or(f64::INFINITY) }
    }

    /// The payment of a year in which the contract runs: starts below the baseline at
    /// `payment_per_prevented_start`, within the annual cap and what is left of the total.
    pub(crate) fn pay_year(&mut self, terms: &InvestorTerms, baseline: f64, actual: f64) -> f64 {
        let due = (baseline - actual).max(0.0) * terms.payment_per_prevented_start;
        let paid = due.min(terms.annual_cap.unwrap_or(f64::INFINITY)).min(self.left);
        self.left -= paid;
        paid
    }
}

/// Payments per year: `actual[t]` and `baseline[t]` are starts in the targeted segments,
/// `active[t]` whether the contract runs in year `t` (see [`Account::pay_year`]).
pub fn payments(terms: &InvestorTerms, baseline: &[f64], actual: &[f64], active: &[bool]) -> Vec<f64> {
    let mut account = Account::new(terms);
    baseline
        .iter()
        .zip(actual)
        .zip(active)
        .map(|((&b, &a), &on)| if on { account.pay_year(terms, b, a) } else { 0.0 })
        .collect()
}

/// The part of each year's payment that paid for luck: starts below the baseline that would
/// not have happened anyway. With `counterfactual[t]` the starts of the same run without the
/// programme (known by common random numbers), the programme prevented
/// `max(0, counterfactual − actual)`; the rest of the paid starts was luck. Caps apply
/// pro rata.
pub(crate) fn luck(baseline: &[f64], actual: &[f64], counterfactual: &[f64], paid: &[f64]) -> Vec<f64> {
    (0..paid.len())
        .map(|t| {
            let paid_starts = (baseline[t] - actual[t]).max(0.0);
            if paid_starts <= 0.0 || paid[t] <= 0.0 {
                return 0.0;
            }
            let prevented = (counterfactual[t] - actual[t]).max(0.0);
            let lucky = (paid_starts - prevented).max(0.0);
            paid[t] * lucky / paid_starts
        })
        .collect()
}

/// Internal rate of return of yearly cash flows (the first at t = 0): a rate at which their
/// net present value is zero. Yearly outcome payments during the programme can make the
/// flows change sign several times, with several roots; then the root closest to zero is
/// taken (as `numpy_financial.irr` does). −1 (all lost) when nothing comes back; NaN when
/// there is no investment or no root in (−1, 10].
pub(crate) fn irr(flows: &[f64]) -> f64 {
    let npv = |r: f64| flows.iter().enumerate().map(|(t, f)| f / (1.0 + r).powi(t as i32)).sum::<f64>();
    // The grid is scanned with Horner's scheme in v = 1 / (1 + r) (no powers): its sign is
    // the exact sign whenever the value is far above the rounding error of either way of
    // summing (a relative 1e-9 of the sum of magnitudes, against ~1e-14); otherwise `npv`
    // decides. So the brackets, the bisection (on `npv`) and the root are exactly those of
    // evaluating `npv` at every grid point.
    let scan = |r: f64| {
        let v = 1.0 / (1.0 + r);
        let (mut acc, mut mag) = (0.0f64, 0.0f64);
        for f in flows.iter().rev() {
            acc = acc * v + f;
            mag = mag * v + f.abs();
        }
        if acc.abs() > 1e-9 * mag { acc } else { npv(r) }
    };
    let invested: f64 = flows.iter().filter(|f| **f < 0.0).sum();
    let returned: f64 = flows.iter().filter(|f| **f > 0.0).sum();
    if invested == 0.0 {
        return f64::NAN;
    }
    if returned == 0.0 {
        return -1.0;
    }
    let grid = &*IRR_GRID;
    let mut best = f64::NAN;
    let mut f_prev = scan(grid[0]);
    for w in grid.windows(2) {
        let f_next = scan(w[1]);
        if f_next == 0.0 || f_prev.signum() != f_next.signum() {
            let (mut lo, mut hi, mut f_lo) = (w[0], w[1], f_prev);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                let f_mid = npv(mid);
                if f_mid.signum() == f_lo.signum() {
                    lo = mid;
                    f_lo = f_mid;
                } else {
                    hi = mid;
                }
            }
            let root = 0.5 * (lo + hi);
            if best.is_nan() || root.abs() < best.abs() {
                best = root;
            }
        }
        f_prev = f_next;
    }
    best
}

/// The rates at which [`irr`] looks for sign changes: fine near zero, from −0.999 to 10
/// (cubic spacing), built once.
static IRR_GRID: std::sync::LazyLock<Vec<f64>> = std::sync::LazyLock::new(|| {
    (0..=4000)
        .map(|i| {
            let x = i as f64 / 4000.0;
            if x < 0.5 { -0.999 * (1.0 - 2.0 * x).powi(3) } else { 10.0 * (2.0 * x - 1.0).powi(3) }
        })
        .collect()
});

/// Modified internal rate of return: outflows discounted to year 0 and inflows compounded
/// to the last year with a cash flow, both at `rate` (here the scenario's discount rate),
/// `(FV(inflows) / PV(outflows))^(1/n) − 1`. Unlike the IRR it always exists and is unique,
/// and it is above `rate` exactly when the flows' net present value at `rate` is positive.
/// −1 when nothing comes back; NaN when there is no investment.
pub(crate) fn mirr(flows: &[f64], rate: f64) -> f64 {
    let Some(n) = flows.iter().rposition(|f| *f != 0.0) else { return f64::NAN };
    let pv_out: f64 =
        flows.iter().enumerate().filter(|(_, f)| **f < 0.0).map(|(t, f)| -f / (1.0 + rate).powi(t as i32)).sum();
    let fv_in: f64 =
        flows.iter().enumerate().filter(|(_, f)| **f > 0.0).map(|(t, f)| f * (1.0 + rate).powi((n - t) as i32)).sum();
    if pv_out == 0.0 {
        return f64::NAN;
    }
    if fv_in == 0.0 {
        return -1.0;
    }
    if n == 0 {
        return fv_in / pv_out - 1.0;
    }
    (fv_in / pv_out).powf(1.0 / n as f64) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(annual: Option<f64>, total: Option<f64>) -> InvestorTerms {
        InvestorTerms { payment_per_prevented_start: 1000.0, annual_cap: annual, total_cap: total }
    }

    #[test]
    fn payments_by_hand() {
        let baseline = [100.0, 100.0, 100.0, 100.0];
        let actual = [95.0, 80.0, 105.0, 70.0];
        let on = [true, true, true, false];
        assert_eq!(payments(&terms(None, None), &baseline, &actual, &on), vec![5000.0, 20_000.0, 0.0, 0.0]);
        assert_eq!(payments(&terms(Some(10_000.0), None), &baseline, &actual, &on), vec![5000.0, 10_000.0, 0.0, 0.0]);
        assert_eq!(payments(&terms(None, Some(12_000.0)), &baseline, &actual, &on), vec![5000.0, 7000.0, 0.0, 0.0]);
    }

    #[test]
    fn luck_by_hand() {
        // Baseline 100, actual 80: 20 paid. Without the programme there would have been 90:
        // the programme prevented 10, the other 10 were luck: half the payment.
        let t = terms(None, None);
        let paid = payments(&t, &[100.0], &[80.0], &[true]);
        assert_eq!(luck(&[100.0], &[80.0], &[90.0], &paid), vec![10_000.0]);
        // Demand above the baseline anyway: everything paid was prevented.
        assert_eq!(luck(&[100.0], &[80.0], &[120.0], &paid), vec![0.0]);
    }

    #[test]
    fn irr_scan_finds_exactly_the_roots_of_the_power_sum() {
        // The IRR as it was computed before the Horner scan: every grid point by `npv`.
        fn reference(flows: &[f64]) -> f64 {
            let npv = |r: f64| flows.iter().enumerate().map(|(t, f)| f / (1.0 + r).powi(t as i32)).sum::<f64>();
            if !flows.iter().any(|f| *f < 0.0) {
                return f64::NAN;
            }
            if !flows.iter().any(|f| *f > 0.0) {
                return -1.0;
            }
            let grid = &*IRR_GRID;
            let mut best = f64::NAN;
            let mut f_prev = npv(grid[0]);
            for w in grid.windows(2) {
                let f_next = npv(w[1]);
                if f_next == 0.0 || f_prev.signum() != f_next.signum() {
                    let (mut lo, mut hi, mut f_lo) = (w[0], w[1], f_prev);
                    for _ in 0..100 {
                        let mid = 0.5 * (lo + hi);
                        let f_mid = npv(mid);
                        if f_mid.signum() == f_lo.signum() {
                            lo = mid;
                            f_lo = f_mid;
                        } else {
                            hi = mid;
                        }
                    }
                    let root = 0.5 * (lo + hi);
                    if best.is_nan() || root.abs() < best.abs() {
                        best = root;
                    }
                }
                f_prev = f_next;
            }
            best
        }
        let mut z = 7u64;
        let mut next = || {
            z = crate::random::rng::mix64(z.wrapping_add(0x9e37_79b9_7f4a_7c15));
            (z >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..3000 {
            let years = 2 + case % 20;
            let flows: Vec<f64> = (0..years)
                .map(|t| {
                    let u = next();
                    let scale = if t < years / 3 { -1.0 } else { 1.0 };
                    (scale * u * 1e6).round() * if next() < 0.2 { -1.0 } else { 1.0 }
                })
                .collect();
            let (a, b) = (irr(&flows), reference(&flows));
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{flows:?}: {a} vs {b}");
        }
    }

    #[test]
    fn irr_by_hand() {
        // -100 now, +110 in a year: 10%.
        assert!((irr(&[-100.0, 110.0]) - 0.10).abs() < 1e-9);
        // -100, -100, then 250 in year 2: (1+r)^2 * 100 + (1+r) * 100 = 250 -> r = 0.1612...
        let r = irr(&[-100.0, -100.0, 250.0]);
        assert!((100.0 * (1.0 + r).powi(2) + 100.0 * (1.0 + r) - 250.0).abs() < 1e-6);
        assert_eq!(irr(&[-100.0, 0.0]), -1.0);
        assert!(irr(&[0.0, 10.0]).is_nan());
        // Two roots, 0% and 100%... flows -100, +300, -200: NPV = 0 at r = 0 and r = 1;
        // the root closest to zero is taken.
        assert!(irr(&[-100.0, 300.0, -200.0]).abs() < 1e-9);
    }

    #[test]
    fn mirr_by_hand() {
        // -100 at t=0, +60 at t=1 and t=2, rate 10%: FV = 60 x 1.1 + 60 = 126, PV = 100,
        // MIRR = sqrt(1.26) - 1.
        assert!((mirr(&[-100.0, 60.0, 60.0], 0.1) - (1.26f64.sqrt() - 1.0)).abs() < 1e-12);
        // Money received before more is invested: the IRR is negative (borrowing-like),
        // the MIRR positive when the net present value at the rate is.
        let flows = [-100.0, 250.0, -100.0];
        assert!(irr(&flows) < 0.0 || irr(&flows).is_nan() || irr(&flows) > 0.0);
        assert!(mirr(&flows, 0.05) > 0.05);
        assert_eq!(mirr(&[-100.0, 0.0], 0.05), -1.0);
    }
}
