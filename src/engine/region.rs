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
use rand_distr::{Distribution, Hypergeometric};

use crate::model::demand::Draws;
use crate::random::rng::{Purpose, Stream};
use crate::random::sample::Binomial;
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

/// Largest `min(good, draws)` drawn item by item (each a uniform): below it that is
/// cheaper than setting up `rand_distr`'s sampler.
const ITEM_BY_ITEM: f64 = 32.0;

/// How many of `good` marked items are among `draws` items taken without replacement from
/// `total` (a hypergeometric draw): item by item when `good` or `draws` is small (by
/// symmetry, the marked items taken in turn, each drawn with the chance that it is among
/// those left to draw, or the draws in turn), otherwise `rand_distr`'s sampler.
fn hypergeometric(total: f64, good: f64, draws: f64, stream: &mut Stream) -> f64 {
    let (small, large) = if good <= draws { (good, draws) } else { (draws, good) };
    if small <= ITEM_BY_ITEM {
        let (mut hits, mut left, mut pool) = (0.0, large, total);
        for _ in 0..small as u64 {
            if stream.uniform() * pool < left {
                hits += 1.0;
                left -= 1.0;
            }
            pool -= 1.0;
        }
        return hits;
    }
    match Hypergeometric::new(total as u64, good as u64, draws as u64) {
        Ok(h) => h.sample(stream) as f64,
        Err(_) => (draws * good / total).round().min(good),
    }
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
    fn item_by_item_draws_have_the_hypergeometric_mean_and_variance() {
        // N = 50, K = 8 marked, n = 20 drawn: mean n K / N = 3.2, variance
        // n (K/N)(1 - K/N)(N - n)/(N - 1) = 20 · 0.16 · 0.84 · 30/49 = 1.6457.
        let key = RunKey::new(11, 0);
        let n = 40_000;
        let xs: Vec<f64> =
            (0..n).map(|i| hypergeometric(50.0, 8.0, 20.0, &mut key.stream(Purpose::MunicipalExits, 0, i))).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        // The mean's standard error is sqrt(1.6457 / 40000) = 0.0064; the variance's, with
        // the fourth moment of a distribution this close to normal, about 1.65 sqrt(2 / n)
        // = 0.0117. Four of each.
        assert!((mean - 3.2).abs() < 4.0 * 0.0064, "mean {mean}");
        assert!((var - 1.6457).abs() < 4.0 * 0.0117, "variance {var}");
        // The symmetric case (few draws, many marked) by the other branch of the loop.
        let ys: Vec<f64> =
            (0..n).map(|i| hypergeometric(50.0, 20.0, 8.0, &mut key.stream(Purpose::MunicipalStarts, 0, i))).collect();
        let mean = ys.iter().sum::<f64>() / n as f64;
        assert!((mean - 3.2).abs() < 4.0 * 0.0064, "mean {mean}");
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
