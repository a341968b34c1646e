//! Prevention (docs/model.md §5): the share of referrals a programme prevents over time.
//!
//! The reduction at time `τ` (years from the start of the simulation) is
//! `reach × effect × g(τ)` with the profile
//!
//! * `g = 0` before the programme starts (`a = first_year - start_year`);
//! * `g = min(1, (τ - a) / ramp_up_years)` while it runs (a linear ramp; no ramp: 1);
//! * `g = g(b) × 2^(-(τ - b) / half_life)` after it stops at `b = last_year + 1 - start_year`
//!   (half-life 0: the effect stops with the programme).
//!
//! A step uses the exact average of `g` over its length, so the answer does not depend on
//! the number of steps a year. Several programmes on one segment combine as independent
//! reductions: `1 - Π (1 - r_i)`.

use crate::math;

/// The time profile of a programme, in years from the start of the simulation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    /// Time the programme starts.
    pub start: f64,
    /// Time the programme stops (end of its last year).
    pub stop: f64,
    /// Years of linear ramp-up.
    pub ramp_up_years: f64,
    /// Half-life of the effect after stopping (0: none).
    pub half_life_years: f64,
}

impl Profile {
    /// `g(τ)`.
    #[cfg(test)]
    pub fn at(&self, tau: f64) -> f64 {
        if tau < self.start {
            0.0
        } else if tau <= self.stop {
            self.ramp(tau)
        } else if self.half_life_years > 0.0 {
            self.ramp(self.stop) * math::exp(-(tau - self.stop) * std::f64::consts::LN_2 / self.half_life_years)
        } else {
            0.0
        }
    }

    fn ramp(&self, tau: f64) -> f64 {
        if self.ramp_up_years <= 0.0 { 1.0 } else { ((tau - self.start) / self.ramp_up_years).min(1.0) }
    }

    /// The average of `g` over `[t0, t1]`, exact: piecewise linear and exponential parts
    /// are integrated in closed form.
    pub fn average(&self, t0: f64, t1: f64) -> f64 {
        let mut cuts = vec![t0, t1];
        for c in [self.start, self.start + self.ramp_up_years, self.stop] {
            if c > t0 && c < t1 {
                cuts.push(c);
            }
        }
        cuts.sort_by(f64::total_cmp);
        let mut total = 0.0;
        for w in cuts.windows(2) {
            let (lo, hi) = (w[0], w[1]);
            if hi <= lo {
                continue;
            }
            let mid = 0.5 * (lo + hi);
            if mid < self.start {
                continue;
            } else if mid <= self.stop {
                // Linear or constant on this piece: the midpoint rule is exact.
                total += self.ramp(mid) * (hi - lo);
            } else if self.half_life_years > 0.0 {
                let k = std::f64::consts::LN_2 / self.half_life_years;
                let level = self.ramp(self.stop);
                total += level * (math::exp(-(lo - self.stop) * k) - math::exp(-(hi - self.stop) * k)) / k;
            }
        }
        total / (t1 - t0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_and_decay_by_hand() {
        let p = Profile { start: 1.0, stop: 5.0, ramp_up_years: 2.0, half_life_years: 1.0 };
        assert_eq!(p.at(0.5), 0.0);
        assert_eq!(p.at(2.0), 0.5);
        assert_eq!(p.at(4.0), 1.0);
        assert!((p.at(6.0) - 0.5).abs() < 1e-12);
        // Year 1 (τ in [1, 2]): the ramp goes 0 -> 0.5, average 0.25.
        assert!((p.average(1.0, 2.0) - 0.25).abs() < 1e-12);
        // Year 2: 0.5 -> 1, average 0.75; year 3: 1.
        assert!((p.average(2.0, 3.0) - 0.75).abs() < 1e-12);
        assert!((p.average(3.0, 4.0) - 1.0).abs() < 1e-12);
        // First year after stopping: average of 2^-s over s in [0, 1] = 1 / (2 ln 2).
        assert!((p.average(5.0, 6.0) - 0.5 / std::f64::consts::LN_2).abs() < 1e-12);
        // Monthly steps average to the yearly figure.
        let monthly: f64 =
            (0..12).map(|m| p.average(1.0 + m as f64 / 12.0, 1.0 + (m + 1) as f64 / 12.0)).sum::<f64>() / 12.0;
        assert!((monthly - 0.25).abs() < 1e-12);
        let sharp = Profile { start: 0.0, stop: 2.0, ramp_up_years: 0.0, half_life_years: 0.0 };
        assert_eq!(sharp.average(0.0, 1.0), 1.0);
        assert_eq!(sharp.average(2.0, 3.0), 0.0);
        assert!((sharp.average(1.5, 2.5) - 0.5).abs() < 1e-12);
    }
}
