//! Time (docs/model.md §2): yearly indices and discount factors.
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
pub(crate) fn discount_factor(rate: f64, t: usize) -> f64 {
    (1.0 + rate).powi(-(t as i32))
}

/// Net present value of yearly flows, the first at `t = 0`.
pub fn npv(rate: f64, flows: impl IntoIterator<Item = f64>) -> f64 {
    flows.into_iter().enumerate().map(|(t, f)| f * discount_factor(rate, t)).sum()
}

/// The nominal rate consistent with a real rate and inflation: `(1 + real)(1 + inflation) - 1`.
#[cfg(test)]
pub(crate) fn nominal_rate(real: f64, inflation: f64) -> f64 {
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
}
