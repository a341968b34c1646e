//! Time (MODEL.md section 4): yearly indices and discount factors.
//!
//! Year `t` is the `t`-th simulated year, `t = 0` being `start_year`. A flow in year `t` is
//! discounted by `(1 + r)^-t`; prices and costs of year `t` are those of year 0 times
//! `(1 + rate)^t`.
//!
//! A time-varying rate (a list of `{ from_year, rate }`, as in long-horizon public-finance
//! guidance) compounds year by year: `D(0) = 1` and `D(t) = D(t - 1) / (1 + r(t))`, where
//! `r(t)` is the rate of the step in force in calendar year `start_year + t`. With one rate
//! this is `(1 + r)^-t`.

/// `(1 + rate)^t`: the index of year `t` for a yearly rate.
pub fn index(rate: f64, t: usize) -> f64 {
    (1.0 + rate).powi(t as i32)
}

/// `(1 + rate)^-t`: the discount factor of year `t`.
pub fn discount_factor(rate: f64, t: usize) -> f64 {
    (1.0 + rate).powi(-(t as i32))
}

/// The discount factor of each of `years` years from `start_year`, for rates that change
/// at calendar years: `schedule` in increasing `from_year`; years before the first step use
/// its rate.
pub fn discount_factors(schedule: &[crate::scenario::DiscountStep], start_year: i32, years: usize) -> Vec<f64> {
    let rate_in = |year: i32| {
        schedule.iter().take_while(|s| s.from_year <= year).last().or(schedule.first()).map_or(0.0, |s| s.rate)
    };
    let mut out = Vec::with_capacity(years);
    let mut d = 1.0;
    for t in 0..years {
        if t > 0 {
            d /= 1.0 + rate_in(start_year + t as i32);
        }
        out.push(d);
    }
    out
}

/// Net present value of yearly flows, the first at `t = 0`.
pub fn npv(rate: f64, flows: impl IntoIterator<Item = f64>) -> f64 {
    flows.into_iter().enumerate().map(|(t, f)| f * discount_factor(rate, t)).sum()
}

/// The nominal rate consistent with a real rate and inflation: `(1 + real)(1 + inflation) - 1`.
pub fn nominal_rate(real: f64, inflation: f64) -> f64 {
    (1.0 + real) * (1.0 + inflation) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npv_by_hand() {
        // 100 a year for three years at 5%: 100 + 100/1.05 + 100/1.05^2 = 285.941043...
        let v = npv(0.05, [100.0, 100.0, 100.0]);
        assert!((v - 285.941_043_083_900_2).abs() < 1e-9, "{v}");
        assert_eq!(npv(0.0, [1.0, 2.0, 3.0]), 6.0);
        // The Dutch 2.25% real rate with 2% inflation is 4.295% nominal.
        assert!((nominal_rate(0.0225, 0.02) - 0.04295).abs() < 1e-12);
        assert!((index(0.03, 2) - 1.0609).abs() < 1e-12);
    }

    #[test]
    fn time_varying_rates_by_hand() {
        use crate::scenario::DiscountStep;
        // 4% in 2025-2026, 2% from 2027 (the step into 2027 uses 2027's rate, as the Green
        // Book's year 31 uses the rate of years 31-75): D = 1, 1/1.04, 1/(1.04 1.02),
        // 1/(1.04 1.02^2).
        let schedule = [DiscountStep { from_year: 2025, rate: 0.04 }, DiscountStep { from_year: 2027, rate: 0.02 }];
        let d = discount_factors(&schedule, 2025, 4);
        let expected = [1.0, 1.0 / 1.04, 1.0 / (1.04 * 1.02), 1.0 / (1.04 * 1.0404)];
        for (a, b) in d.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{d:?}");
        }
        // 100 a year: 100 + 96.153846... + 94.268477... + 92.420075... = 382.842397...
        let v: f64 = d.iter().map(|f| 100.0 * f).sum();
        assert!((v - 382.842_397_894_301).abs() < 1e-9, "{v}");
        // One step is the constant rate.
        let one = discount_factors(&[DiscountStep { from_year: 2025, rate: 0.05 }], 2025, 3);
        assert!(one.iter().enumerate().all(|(t, f)| (f - discount_factor(0.05, t)).abs() < 1e-15));
    }
}
