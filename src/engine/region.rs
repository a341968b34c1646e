//! The municipalities of a region (docs/model.md section 16): which municipality each
//! path's clients belong to, drawn on the run's streams once a year, and each
//! municipality's spend when the region splits its spend by use.
//!
//! The region is simulated as one, as before; its figures do not change. Each client
//! belongs to a municipality, independently, with the probability of the municipality's
//! share of the region's clients. Per path and year, the year's starts are split over the
//! municipalities by a multinomial draw, and the year's exits by a multivariate
//! hypergeometric draw over the clients each municipality had in care in the year.

use crate::math;

use crate::model::demand::Draws;
use crate::random::rng::{Purpose, Stream};
use crate::random::sample::{Binomial, hypergeometric};
use crate::scenario::region::Region;

/// What the plan keeps of a region.
#[derive(Debug, Clone)]
pub(crate) struct RegionPlan {
    /// Municipalities.
    pub(crate) count: usize,
    /// The multinomial split by use shares as conditional binomials: municipality `m` takes
    /// `π_m / (1 − Σ_{j<m} π_j)` of what the ones before it left (the last takes the rest).
    split: Vec<Binomial>,
    /// Each municipality's share of the fixed key.
    pub(crate) key: Vec<f64>,
}

impl RegionPlan {
    /// The plan of a region.
    pub(crate) fn new(region: &Region) -> Self {
        let shares = region.use_shares();
        let mut left = 1.0;
        let mut split = Vec::with_capacity(shares.len().saturating_sub(1));
        for &p in &shares[..shares.len().saturating_sub(1)] {
            split.push(Binomial::new(if left > 0.0 { p / left } else { 0.0 }));
            left -= p;
        }
        RegionPlan { count: shares.len(), split, key: region.municipalities.iter().map(|m| m.key_share).collect() }
    }

    /// Splits `n` clients over the municipalities by their use shares into `out`, on the
    /// streams of `purpose` for segment `g` in year `t`.
    pub(crate) fn split<D: Draws>(&self, draws: &mut D, purpose: Purpose, g: usize, t: usize, n: f64, out: &mut [f64]) {
        let mut left = n;
        for (m, b) in self.split.iter().enumerate() {
            let x = if left > 0.0 {
                let start = draws.start(purpose, g, stream_step(t, m));
                draws.binomial_keyed(&start, left, b)
            } else {
                0.0
            };
            out[m] = x;
            left -= x;
        }
        out[self.count - 1] = left;
    }
}

/// The stream step of municipality `m` in year `t` (at most
/// [`crate::scenario::region::MAX_MUNICIPALITIES`] < 1024 of them).
fn stream_step(t: usize, m: usize) -> usize {
    t * 1024 + m
}

/// Splits `x` exits of segment `g`'s path in year `t` over municipalities with `pool[m]`
/// clients each (`x ≤ Σ pool`), as a multivariate hypergeometric draw (each client as
/// likely to be among them), into `out`.
pub(crate) fn split_exits<D: Draws>(draws: &mut D, g: usize, t: usize, x: f64, pool: &[f64], out: &mut [f64]) {
    let stream = |m: usize| Stream::from_start(&draws.start(Purpose::MunicipalExits, g, stream_step(t, m)));
    let mut total: f64 = pool.iter().sum();
    let mut left = x.min(total);
    let last = pool.len() - 1;
    for (m, &p) in pool[..last].iter().enumerate() {
        let k = if left <= 0.0 || p <= 0.0 {
            0.0
        } else if left >= total {
            p
        } else {
            hypergeometric(total, p, left, &mut stream(m))
        };
        out[m] = k;
        left -= k;
        total -= p;
    }
    out[last] = left;
}

/// Expected years in care within a year of a client in care at its start (`a`) and of a
/// client who starts in it (`s`), for durations with mean `d` years in `shape` phases (a
/// client in care at the start in any phase with equal weight, the phases' steady state):
/// the weights by which a path's client-years are shared over its municipalities.
pub(crate) fn year_weights(d: f64, shape: usize) -> (f64, f64) {
    if d.is_nan() || d <= 0.0 {
        return (0.0, 0.0);
    }
    if shape > 1 {
        return crate::model::phases::PhaseRates::new(d, shape, 1.0).expected_years();
    }
    let x = 1.0 / d;
    let a = -d * math::exp_m1(-x);
    // s = d (1 - a) = 1/2 - x/6 + x²/24 - ...: summed as a series for long stays, where
    // 1 - a cancels.
    let s = if x < 0.1 {
        let (mut term, mut sum, mut fact) = (1.0, 0.0, 1.0);
        for k in 1..10 {
            fact *= (k + 1) as f64;
            sum += term / fact;
            term *= -x;
        }
        sum
    } else {
        d * (1.0 - a)
    };
    (a, s.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demand::RandomDraws;
    use crate::random::rng::RunKey;

    #[test]
    fn year_weights_by_hand() {
        // d = 1: a = 1 - 1/e, s = 1 - (1 - 1/e) = 1/e.
        let (a, s) = year_weights(1.0, 1);
        assert!((a - (1.0 - math::exp(-1.0f64))).abs() < 1e-15);
        assert!((s - math::exp(-1.0f64)).abs() < 1e-15);
        // Long stays: a client in care all year, a new one half of it.
        let (a, s) = year_weights(1e6, 1);
        assert!((a - 1.0).abs() < 1e-6 && (s - 0.5).abs() < 1e-6);
        // Both ways of computing s agree where the series takes over (x = 0.1): by hand,
        // s = 10 (1 - 10 (1 - e^-0.1)) = 0.4837418...
        let (_, s) = year_weights(10.0 - 1e-9, 1);
        let (_, t) = year_weights(10.0 + 1e-9, 1);
        assert!((s - t).abs() < 1e-9 && (s - 0.483_741_8).abs() < 1e-7, "{s} {t}");
    }

    #[test]
    fn exits_split_adds_up_and_has_the_hypergeometric_mean() {
        let pool = [30.0, 60.0, 10.0];
        let mut sum = [0.0; 3];
        let n = 4000;
        for i in 0..n as u64 {
            let mut out = [0.0; 3];
            let mut draws = RandomDraws { key: RunKey::new(7, i) };
            split_exits(&mut draws, 0, 0, 50.0, &pool, &mut out);
            assert_eq!(out.iter().sum::<f64>(), 50.0);
            assert!(out.iter().zip(&pool).all(|(x, p)| *x >= 0.0 && x <= p));
            for m in 0..3 {
                sum[m] += out[m];
            }
        }
        // Mean 50 p_m / 100; the sd of one draw is at most sqrt(50 · 1/4 · 50/99) < 2.6,
        // so the mean of 4000 draws is within 4 · 2.6 / sqrt(4000) = 0.17 of it.
        for m in 0..3 {
            assert!((sum[m] / n as f64 - 0.5 * pool[m]).abs() < 0.17, "{m}: {}", sum[m] / n as f64);
        }
    }
}
