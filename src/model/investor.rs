//! Investor-financed prevention (docs/model.md §9): an outcome contract like a social
//! impact bond. The investor pays the programme's costs; the municipality pays a fixed amount
//! for every start in the targeted segments below the contracted baseline, which is fixed
//! at signing from expected values (so the municipality can pay for luck), capped per year
//! and in total.

use crate::math;
use crate::scenario::InvestorTerms;

/// The municipality's account with the investor, year by year: what is left of the total
/// cap, what has been paid, and the investor's outlay compounded at the return cap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Account {
    left: f64,
    /// Payments so far.
    paid: f64,
    /// The investor's outlay so far compounded at `max_return_per_year` to the current year.
    compounded_outlay: f64,
}

impl Account {
    /// A new contract.
    pub fn new(terms: &InvestorTerms) -> Self {
        Account { left: terms.total_cap.unwrap_or(f64::INFINITY), paid: 0.0, compounded_outlay: 0.0 }
    }

    /// The payment of a year in which the contract runs: starts below the baseline at
    /// `payment_per_prevented_start` × `index` (the cost index of the year when the payment
    /// is indexed, else 1), within the annual cap, what is left of the total, and the return
    /// cap: with `max_return_per_year = r`, cumulative payments stay within the outlay
    /// compounded at `r`, `K_t = K_{t−1} (1 + r) + outlay_t` (`outlay` the investor's cost
    /// of this year).
    pub(crate) fn pay_year(
        &mut self,
        terms: &InvestorTerms,
        baseline: f64,
        actual: f64,
        index: f64,
        outlay: f64,
    ) -> f64 {
        let due = (baseline - actual).max(0.0) * terms.payment_per_prevented_start * index;
        let mut paid = due.min(terms.annual_cap.unwrap_or(f64::INFINITY)).min(self.left);
        if let Some(r) = terms.max_return_per_year {
            self.compounded_outlay = self.compounded_outlay * (1.0 + r) + outlay;
            paid = paid.min((self.compounded_outlay - self.paid).max(0.0));
        }
        self.left -= paid;
        self.paid += paid;
        paid
    }
}

/// Payments per year: `actual[t]` and `baseline[t]` are starts in the targeted segments,
/// `active[t]` whether the contract runs in year `t`, `index[t]` the payment's index and
/// `outlay[t]` the investor's cost in year `t` (see [`Account::pay_year`]).
pub fn payments(
    terms: &InvestorTerms,
    baseline: &[f64],
    actual: &[f64],
    active: &[bool],
    index: &[f64],
    outlay: &[f64],
) -> Vec<f64> {
    let mut account = Account::new(terms);
    (0..baseline.len())
        .map(|t| if active[t] { account.pay_year(terms, baseline[t], actual[t], index[t], outlay[t]) } else { 0.0 })
        .collect()
}

/// Why an investor's flows have no internal rate of return (docs/model.md §9): an IRR is
/// reported only when the net flows start with an outlay and change sign exactly once,
/// where it exists and is unique (Descartes' rule of signs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIrr {
    /// Money came back before (or without) the investor had spent anything net: the first
    /// non-zero net flow is a payment.
    PaymentsBeforeOutlay,
    /// The net flows never turn positive (a loss in every year with flows, or nothing).
    NoSignChange,
    /// The net flows change sign more than once: several roots or none.
    SeveralSignChanges,
}

impl NoIrr {
    /// Every reason, in the order of their horizon metrics.
    pub const ALL: [NoIrr; 3] = [NoIrr::PaymentsBeforeOutlay, NoIrr::NoSignChange, NoIrr::SeveralSignChanges];
}

/// The internal rate of return of net yearly flows (the first at t = 0) when they start
/// negative and change sign exactly once (zeros skipped), else the reason there is none.
pub fn irr_or_reason(flows: &[f64]) -> Result<f64, NoIrr> {
    let signs: Vec<bool> = flows.iter().filter(|f| **f != 0.0).map(|f| *f > 0.0).collect();
    match signs.first() {
        None => return Err(NoIrr::NoSignChange),
        Some(true) => return Err(NoIrr::PaymentsBeforeOutlay),
        Some(false) => {}
    }
    match signs.windows(2).filter(|w| w[0] != w[1]).count() {
        0 => Err(NoIrr::NoSignChange),
        1 => {
            let r = irr(flows);
            if r.is_nan() { Err(NoIrr::SeveralSignChanges) } else { Ok(r) }
        }
        _ => Err(NoIrr::SeveralSignChanges),
    }
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
/// there is no investment or no root in (−1, 10]. The engine reports it only through
/// [`irr_or_reason`]; it is public so that tests can pin the figures of before the sign rule.
pub fn irr(flows: &[f64]) -> f64 {
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

/// Modified internal rate of return of gross flows: the investor's outlays `costs[t]`
/// discounted to year 0 and the payments `payments[t]` compounded to the last year with a
/// flow, both at `rate` (here the scenario's discount rate),
/// `(FV(payments) / PV(costs))^(1/n) − 1`. Outlays and payments of the same year are not
/// netted, so a partial repayment gives a negative MIRR above −1 (−1 only when nothing at
/// all comes back). It always exists, is unique, and is above `rate` exactly when the
/// flows' net present value at `rate` is positive. NaN when there is no outlay.
pub(crate) fn mirr(costs: &[f64], payments: &[f64], rate: f64) -> f64 {
    let Some(n) = (0..costs.len()).rposition(|t| costs[t] != 0.0 || payments[t] != 0.0) else { return f64::NAN };
    let pv_out: f64 = costs.iter().enumerate().map(|(t, c)| c / (1.0 + rate).powi(t as i32)).sum();
    let fv_in: f64 = payments.iter().enumerate().take(n + 1).map(|(t, p)| p * (1.0 + rate).powi((n - t) as i32)).sum();
    if pv_out <= 0.0 {
        return f64::NAN;
    }
    if n == 0 {
        return fv_in / pv_out - 1.0;
    }
    math::pow(fv_in / pv_out, 1.0 / n as f64) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(annual: Option<f64>, total: Option<f64>) -> InvestorTerms {
        InvestorTerms {
            payment_per_prevented_start: 1000.0,
            annual_cap: annual,
            total_cap: total,
            max_return_per_year: None,
            payment_indexed: false,
        }
    }

    /// `payments` with no indexation and no outlay (the return cap off).
    fn plain(t: &InvestorTerms, baseline: &[f64], actual: &[f64], on: &[bool]) -> Vec<f64> {
        let ones = vec![1.0; baseline.len()];
        payments(t, baseline, actual, on, &ones, &vec![0.0; baseline.len()])
    }

    #[test]
    fn payments_by_hand() {
        let baseline = [100.0, 100.0, 100.0, 100.0];
        let actual = [95.0, 80.0, 105.0, 70.0];
        let on = [true, true, true, false];
        assert_eq!(plain(&terms(None, None), &baseline, &actual, &on), vec![5000.0, 20_000.0, 0.0, 0.0]);
        assert_eq!(plain(&terms(Some(10_000.0), None), &baseline, &actual, &on), vec![5000.0, 10_000.0, 0.0, 0.0]);
        assert_eq!(plain(&terms(None, Some(12_000.0)), &baseline, &actual, &on), vec![5000.0, 7000.0, 0.0, 0.0]);
    }

    #[test]
    fn luck_by_hand() {
        // Baseline 100, actual 80: 20 paid. Without the programme there would have been 90:
        // the programme prevented 10, the other 10 were luck: half the payment.
        let t = terms(None, None);
        let paid = plain(&t, &[100.0], &[80.0], &[true]);
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
        // Outlay 100 at t=0, payments 60 at t=1 and t=2, rate 10%: FV = 60 x 1.1 + 60 = 126,
        // PV = 100, MIRR = sqrt(1.26) - 1.
        assert!((mirr(&[100.0, 0.0, 0.0], &[0.0, 60.0, 60.0], 0.1) - (1.26f64.sqrt() - 1.0)).abs() < 1e-12);
        // Nothing back: -100%; no outlay: none.
        assert_eq!(mirr(&[100.0, 0.0], &[0.0, 0.0], 0.05), -1.0);
        assert!(mirr(&[0.0, 0.0], &[0.0, 5.0], 0.05).is_nan());
        // A partial repayment: 100 a year for two years, 27 back in each (multiple 0.27).
        // PV(out) = 100 + 100/1.05 = 195.238...; FV(in) = 27 x 1.05 + 27 = 55.35;
        // MIRR = (55.35 / 195.238)^1 - 1 = -0.7165...: negative, not -100%.
        let m = mirr(&[100.0, 100.0], &[27.0, 27.0], 0.05);
        assert!((m - (55.35 / (100.0 + 100.0 / 1.05) - 1.0)).abs() < 1e-12, "{m}");
        assert!(m > -1.0 && m < 0.0);
    }

    #[test]
    fn irr_only_for_one_sign_change_from_an_outlay() {
        // -100 then +110: 10%.
        assert!((irr_or_reason(&[-100.0, 110.0]).unwrap_or(f64::NAN) - 0.10).abs() < 1e-9);
        // Zeros do not count: -100, 0, +121: 10%.
        assert!((irr_or_reason(&[-100.0, 0.0, 121.0]).unwrap_or(f64::NAN) - 0.10).abs() < 1e-9);
        // Money back before any outlay (Friesland's luck in year one).
        assert_eq!(irr_or_reason(&[0.0, 50.0, -100.0, 80.0]), Err(NoIrr::PaymentsBeforeOutlay));
        // A partial repayment, net negative every year: no sign change, no IRR (not -100%).
        assert_eq!(irr_or_reason(&[-100.0, -73.0, -73.0]), Err(NoIrr::NoSignChange));
        assert_eq!(irr_or_reason(&[0.0, 0.0]), Err(NoIrr::NoSignChange));
        // Out, in, out again: several sign changes.
        assert_eq!(irr_or_reason(&[-100.0, 300.0, -200.0]), Err(NoIrr::SeveralSignChanges));
    }

    #[test]
    fn return_cap_by_hand() {
        // Outlay 1000 a year, 12% cap, due 5000 a year: year 0 at most 1000, year 1 at most
        // 1000 x 1.12 + 1000 - 1000 = 1120, year 2 at most (2120 x 1.12 + 1000) - 2120 = 1254.4.
        let t = InvestorTerms { max_return_per_year: Some(0.12), ..terms(None, None) };
        let paid = payments(&t, &[10.0; 3], &[5.0; 3], &[true; 3], &[1.0; 3], &[1000.0; 3]);
        let expected = [1000.0, 1120.0, 2120.0 * 1.12 + 1000.0 - 2120.0];
        for (a, b) in paid.iter().zip(expected) {
            assert!((a - b).abs() < 1e-9, "{paid:?}");
        }
        // Cumulative payments equal the outlay compounded at 12%: K_2 = 2120 x 1.12 + 1000.
        assert!((paid.iter().sum::<f64>() - 3374.4).abs() < 1e-9);
        // Without the cap, 5000 a year.
        let free = payments(&terms(None, None), &[10.0; 3], &[5.0; 3], &[true; 3], &[1.0; 3], &[1000.0; 3]);
        assert_eq!(free, vec![5000.0; 3]);
        // Indexed payments: the index multiplies what is due.
        let idx = payments(&terms(None, None), &[10.0], &[5.0], &[true], &[1.03], &[0.0]);
        assert!((idx[0] - 5150.0).abs() < 1e-9);
    }
}
