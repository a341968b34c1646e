//! Exact samplers for the counts the engine draws: binomial and Poisson.
//!
//! The engine draws tens of thousands of binomials per run with a probability that is fixed
//! for the run and a count that changes every step, so the probability-dependent setup is
//! done once ([`Binomial::new`]) and each draw does only the count-dependent part:
//! inversion (one uniform, one `exp`) when `n·p < 10`, Hörmann's BTRS transformed rejection
//! (1993) otherwise. Poisson draws use inversion below a mean of 10 and PTRS (Hörmann 1993)
//! above. All are exact; `tests` checks them against the probability mass functions with
//! chi-square tests. The rarely taken logarithm branches are kept out of line (`#[cold]`)
//! so that the compiler does not hoist them into the fast path.
//!
//! Hypergeometric draws (the municipalities' share of a path's exits) are made once for
//! each set of counts, so they have no set-up to share: few marked items or few draws are
//! drawn item by item, the rest by Stadlober's ratio of uniforms (HRUA, 1990) with the
//! log-factorials from a table, so that a draw costs a few table reads and rarely a
//! logarithm.

use super::rng::Stream;
use crate::math;

/// Below this expected count, inversion beats rejection (and BTRS needs `n p >= 10`).
const INVERSION_LIMIT: f64 = 10.0;

/// `floor` for values well inside the `i64` range, without a libm call on targets that lack
/// a rounding instruction in their baseline.
#[inline(always)]
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// Counts below this use a lookup in BTRS's exact acceptance test, larger ones the Stirling
/// series (the binomial draws of stream version 1 and later).
const BTRS_TABLE_LEN: usize = 4096;

/// Entries of the log-factorial table (128 KiB): the hypergeometric sampler's counts are a
/// path's clients in a year, which stay below this in the shipped scenarios.
const LN_FACTORIAL_LEN: usize = 1 << 14;

/// `ln k!` for `k < LN_FACTORIAL_LEN`, summed in order from `ln 1`.
static LN_FACTORIAL: std::sync::LazyLock<Box<[f64]>> = std::sync::LazyLock::new(|| {
    let mut t = vec![0.0; LN_FACTORIAL_LEN];
    for k in 1..LN_FACTORIAL_LEN {
        t[k] = t[k - 1] + math::ln(k as f64);
    }
    t.into_boxed_slice()
});

/// `1 / k` for small `k`, so that the inversion recurrence multiplies instead of divides.
const RECIPROCALS: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut k = 1;
    while k < 64 {
        t[k] = 1.0 / k as f64;
        k += 1;
    }
    t
};

/// A binomial sampler for a fixed success probability.
#[derive(Debug, Clone, Copy)]
pub struct Binomial {
    /// Probability used for the draw: min(p, 1 - p).
    p: f64,
    /// ln(p / q), for the exact acceptance test of BTRS.
    ln_r: f64,
    /// Whether the draw counts failures (p > 1/2) and must be flipped.
    flip: bool,
    /// Degenerate cases: probability 0 or 1.
    trivial: Option<bool>,
    q: f64,
    ln_q: f64,
    /// p / q.
    r: f64,
    /// `q^n` for small `n`: the start of the inversion search without an `exp`.
    q_pow: [f64; Q_POW_LEN],
}

/// Counts below this find `q^n` in a table built with the sampler.
const Q_POW_LEN: usize = 32;

impl Binomial {
    /// A sampler for success probability `p` (clamped to [0, 1]; NaN counts as 0).
    pub fn new(p: f64) -> Self {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        let trivial = if p == 0.0 {
            Some(false)
        } else if p == 1.0 {
            Some(true)
        } else {
            None
        };
        let flip = p > 0.5;
        let pp = if flip { 1.0 - p } else { p };
        let q = 1.0 - pp;
        let mut q_pow = [1.0; Q_POW_LEN];
        for n in 1..Q_POW_LEN {
            q_pow[n] = q_pow[n - 1] * q;
        }
        Binomial { p: pp, flip, trivial, q, ln_q: math::ln_1p(-pp), r: pp / q, ln_r: math::ln(pp / q), q_pow }
    }

    /// The success probability.
    pub fn probability(&self) -> f64 {
        match self.trivial {
            Some(true) => 1.0,
            Some(false) => 0.0,
            None if self.flip => 1.0 - self.p,
            None => self.p,
        }
    }

    /// Draws the number of successes among `n` trials.
    #[inline]
    pub fn sample(&self, n: u64, s: &mut Stream) -> u64 {
        self.sample_count(n as f64, s) as u64
    }

    /// Like [`Binomial::sample`] for a count held as a float (a whole number >= 0), as the
    /// engine holds its counts: no integer conversions on the hot path.
    #[inline]
    pub(crate) fn sample_count(&self, n: f64, s: &mut Stream) -> f64 {
        if n <= 0.0 {
            return 0.0;
        }
        match self.trivial {
            Some(true) => return n,
            Some(false) => return 0.0,
            None => {}
        }
        let np = n * self.p;
        let x = if np < INVERSION_LIMIT { self.inversion(n, np, s) } else { self.btrs(n, s) };
        if self.flip { n - x } else { x }
    }

    /// Sequential search from 0 with the recurrence of the probability mass function.
    #[inline]
    fn inversion(&self, n: f64, np: f64, s: &mut Stream) -> f64 {
        let small = n < Q_POW_LEN as f64;
        let q_n = if small { self.q_pow[n as i64 as usize] } else { math::exp(n * self.ln_q) };
        let a = (n + 1.0) * self.r;
        // The search stops at `min(n, np + 10 sqrt(np q + 1))` (rounding can leave `u` above
        // the last probabilities; then it starts again). `np + 10` is below that bound, so the
        // square root is only taken when the search gets that far, which is rare.
        let cheap = n.min(np + 10.0);
        loop {
            let mut u = s.uniform();
            let mut px = q_n;
            let mut x = 0.0;
            let mut xi = 0usize;
            let mut bound = cheap;
            let mut exact = false;
            let mut beyond = false;
            while u > px {
                u -= px;
                x += 1.0;
                xi += 1;
                if x > bound {
                    if !exact {
                        bound = n.min(np + 10.0 * (np * self.q + 1.0).sqrt());
                        exact = true;
                    }
                    if x > bound {
                        beyond = true;
                        break;
                    }
                }
                let inv = if xi < RECIPROCALS.len() { RECIPROCALS[xi] } else { 1.0 / x };
                px *= a * inv - self.r;
            }
            if !beyond {
                return x;
            }
        }
    }

    /// BTRS: transformed rejection with a squeeze (Hörmann 1993), as in TensorFlow and JAX.
    #[inline]
    fn btrs(&self, nf: f64, s: &mut Stream) -> f64 {
        let spq = (nf * self.p * self.q).sqrt();
        let b = 1.15 + 2.53 * spq;
        let a = -0.0873 + 0.0248 * b + 0.01 * self.p;
        let c = nf * self.p + 0.5;
        let v_r = 0.92 - 4.2 / b;
        let two_a = 2.0 * a;
        let hat = Hat { a, b, spq };
        loop {
            let (u, v, us) = centred_uniforms(s);
            let k = floor((two_a / us + b) * u + c);
            if us >= 0.07 && v <= v_r {
                return k;
            }
            if k < 0.0 || k > nf {
                continue;
            }
            if self.btrs_accept(nf, k, u, v, &hat) {
                return k;
            }
        }
    }

    /// The exact acceptance test of BTRS for candidate `k` from the uniforms `u`, `v`.
    #[cold]
    #[inline(never)]
    fn btrs_accept(&self, n: f64, k: f64, u: f64, v: f64, hat: &Hat) -> bool {
        let Hat { a, b, spq } = *hat;
        let us = 0.5 - u.abs();
        let alpha = (2.83 + 5.1 / b) * spq;
        let m = floor((n + 1.0) * self.p);
        let v = math::ln(v * alpha / (a / (us * us) + b));
        // ln of f(k) / f(m), f the binomial probability mass function.
        let bound = if (n as usize) < BTRS_TABLE_LEN {
            let lf = &**LN_FACTORIAL;
            lf[m as usize] + lf[(n - m) as usize] - lf[k as usize] - lf[(n - k) as usize] + (k - m) * self.ln_r
        } else {
            let r = self.r;
            (m + 0.5) * math::ln((m + 1.0) / (r * (n - m + 1.0)))
                + (n + 1.0) * math::ln((n - m + 1.0) / (n - k + 1.0))
                + (k + 0.5) * math::ln(r * (n - k + 1.0) / (k + 1.0))
                + stirling_tail(m)
                + stirling_tail(n - m)
                - stirling_tail(k)
                - stirling_tail(n - k)
        };
        v <= bound
    }
}

/// The constants of BTRS's hat for one `(n, p)` that its exact acceptance test needs:
/// Hörmann's `a` and `b`, and `sqrt(n p q)`.
struct Hat {
    a: f64,
    b: f64,
    spq: f64,
}

/// The uniforms of one trial of a transformed rejection (BTRS, PTRS): `u` uniform on
/// (-1/2, 1/2), `v` uniform on (0, 1), drawn in that order, and `us = 1/2 - |u|`.
#[inline(always)]
fn centred_uniforms(s: &mut Stream) -> (f64, f64, f64) {
    let u = s.uniform() - 0.5;
    let v = s.uniform();
    (u, v, 0.5 - u.abs())
}

/// `ln(k!) - [ (k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi)/2 ]`, the Stirling remainder.
fn stirling_tail(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_1,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        return TABLE[k as usize];
    }
    let kp1sq = (k + 1.0) * (k + 1.0);
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)
}

/// `ln k!` for a whole number `k >= 0`: from the table, or by Stirling's series beyond it.
#[inline]
fn ln_factorial(k: f64) -> f64 {
    if k < LN_FACTORIAL_LEN as f64 { LN_FACTORIAL[k as i64 as usize] } else { ln_factorial_stirling(k) }
}

#[cold]
#[inline(never)]
fn ln_factorial_stirling(k: f64) -> f64 {
    (k + 0.5) * math::ln(k + 1.0) - (k + 1.0) + 0.5 * math::ln(2.0 * std::f64::consts::PI) + stirling_tail(k)
}

/// Below this many marked items or draws (of the fewer kind, see [`hypergeometric`]), a
/// draw is made item by item: fewer uniforms than a ratio-of-uniforms trial costs.
const ITEM_BY_ITEM: f64 = 10.0;

/// How many of `good` marked items are among `draws` items taken without replacement from
/// `total` (whole numbers, `good, draws <= total`): a hypergeometric draw.
///
/// By symmetry the draw counts the fewer of the marked and unmarked items among the fewer of
/// the taken and the left items, and the answer is mapped back. Below [`ITEM_BY_ITEM`] of
/// either, the items are taken in turn, each with the chance that it is among those left to
/// draw (one uniform each); otherwise by HRUA, Stadlober's ratio-of-uniforms method (E.
/// Stadlober, "The ratio of uniforms approach for generating discrete random variates",
/// J. Comput. Appl. Math. 31, 1990), whose hat is centred on the mean with a width of
/// `2 √(2/e) σ + 3 − 2 √(3/e)` and whose squeezes decide most trials without a logarithm.
/// Exact: every candidate up to the largest possible count is tried against the
/// probability mass function.
pub fn hypergeometric(total: f64, good: f64, draws: f64, s: &mut Stream) -> f64 {
    if draws <= 0.0 || good <= 0.0 {
        return 0.0;
    }
    if draws >= total {
        return good;
    }
    if good >= total {
        return draws;
    }
    let bad = total - good;
    let (few, many) = if good <= bad { (good, bad) } else { (bad, good) };
    let taken = draws.min(total - draws);
    let x = if few.min(taken) < ITEM_BY_ITEM {
        item_by_item(total, few, taken, s)
    } else {
        hrua(total, few, many, taken, s)
    };
    // `x` of the fewer kind are among the `taken`: the marked ones among them, then among
    // the draws (the taken ones, or the rest).
    let marked = if good <= bad { x } else { taken - x };
    if taken == draws { marked } else { good - marked }
}

/// The marked items among `draws` taken from `total` with `good` marked, item by item over
/// the smaller of the two counts.
fn item_by_item(total: f64, good: f64, draws: f64, s: &mut Stream) -> f64 {
    let (small, large) = if good <= draws { (good, draws) } else { (draws, good) };
    let (mut hits, mut left, mut pool) = (0.0, large, total);
    for _ in 0..small as u64 {
        if s.uniform() * pool < left {
            hits += 1.0;
            left -= 1.0;
        }
        pool -= 1.0;
    }
    hits
}

/// HRUA for `taken` items from `few + many`, counting the `few` (with `few <= many` and
/// `taken <= (few + many) / 2`).
fn hrua(total: f64, few: f64, many: f64, taken: f64, s: &mut Stream) -> f64 {
    /// `2 √(2/e)` and `3 − 2 √(3/e)`.
    const D1: f64 = 1.715_527_769_921_413_5;
    const D2: f64 = 0.898_916_162_058_898_8;
    let p = few / total;
    let centre = taken * p + 0.5;
    let var = taken * (total - taken) * p * (1.0 - p) / (total - 1.0);
    let width = D1 * (var + 0.5).sqrt() + D2;
    let mode = floor((taken + 1.0) * (few + 1.0) / (total + 2.0));
    let ln_f =
        |k: f64| ln_factorial(k) + ln_factorial(few - k) + ln_factorial(taken - k) + ln_factorial(many - taken + k);
    let top = ln_f(mode);
    let end = taken.min(few) + 1.0;
    loop {
        let u = s.open_uniform();
        let v = s.uniform();
        let w = centre + width * (v - 0.5) / u;
        if !(0.0..end).contains(&w) {
            continue;
        }
        let k = floor(w);
        // ln of f(k) / f(mode), f the probability mass function.
        let t = top - ln_f(k);
        if u * (4.0 - u) - 3.0 <= t {
            return k;
        }
        if u * (u - t) >= 1.0 {
            continue;
        }
        if 2.0 * math::ln(u) <= t {
            return k;
        }
    }
}

/// Draws a Poisson count with mean `mean` (non-negative; NaN or negative counts as 0).
#[inline]
pub fn poisson(mean: f64, s: &mut Stream) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    if mean < INVERSION_LIMIT {
        let mut u = s.uniform();
        let mut p = math::exp(-mean);
        let mut x = 0u64;
        // The tail beyond 200 has probability far below 1e-100 for means under 10.
        while u > p && x < 200 {
            u -= p;
            x += 1;
            p *= mean / x as f64;
        }
        return x;
    }
    ptrs(mean, s)
}

/// PTRS: transformed rejection with a squeeze (Hörmann 1993), as in NumPy.
fn ptrs(lam: f64, s: &mut Stream) -> u64 {
    let slam = lam.sqrt();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let (u, v, us) = centred_uniforms(s);
        let k = floor((2.0 * a / us + b) * u + lam + 0.43);
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if ptrs_accept(lam, k, v, us, a, b, inv_alpha) {
            return k as u64;
        }
    }
}

#[cold]
#[inline(never)]
fn ptrs_accept(lam: f64, k: f64, v: f64, us: f64, a: f64, b: f64, inv_alpha: f64) -> bool {
    let lhs = math::ln(v) + math::ln(inv_alpha) - math::ln(a / (us * us) + b);
    let rhs = -lam + k * math::ln(lam) - math::ln_gamma(k + 1.0);
    lhs <= rhs
}

#[cfg(test)]
mod tests {
    use super::super::rng::{Purpose, RunKey};
    use super::*;
    use statrs::distribution::{
        Binomial as StBinomial, Discrete, Hypergeometric as StHypergeometric, Poisson as StPoisson,
    };

    /// Chi-square goodness of fit of `draws` against `pmf`, pooling cells with expected
    /// count below 5. Returns (statistic, degrees of freedom).
    fn chi_square(draws: &[u64], pmf: impl Fn(u64) -> f64, max: u64) -> (f64, usize) {
        let n = draws.len() as f64;
        let mut counts = vec![0f64; max as usize + 2];
        for &d in draws {
            counts[(d.min(max + 1)) as usize] += 1.0;
        }
        let mut cells: Vec<(f64, f64)> = Vec::new();
        let (mut obs, mut exp) = (0.0, 0.0);
        let mut total_p = 0.0;
        for k in 0..=max {
            let p = pmf(k);
            total_p += p;
            obs += counts[k as usize];
            exp += p * n;
            if exp >= 5.0 {
                cells.push((obs, exp));
                obs = 0.0;
                exp = 0.0;
            }
        }
        obs += counts[max as usize + 1];
        exp += (1.0 - total_p).max(0.0) * n;
        if let Some(last) = cells.last_mut() {
            last.0 += obs;
            last.1 += exp;
        }
        let stat = cells.iter().map(|(o, e)| (o - e).powi(2) / e).sum();
        (stat, cells.len() - 1)
    }

    /// The 1 - 1e-6 quantile of chi-square with `df` degrees of freedom (Wilson-Hilferty),
    /// so a correct sampler fails a test with probability about one in a million.
    fn critical(df: usize) -> f64 {
        let k = df as f64;
        let z = 4.753;
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    fn draws(count: usize, mut f: impl FnMut(&mut Stream) -> u64) -> Vec<u64> {
        let key = RunKey::new(2024, 1);
        (0..count).map(|i| f(&mut key.stream(Purpose::Success, 0, i))).collect()
    }

    #[test]
    fn binomial_matches_its_pmf_in_both_regimes() {
        for &(n, p) in &[
            (10u64, 0.3),
            (40, 0.2),
            (1000, 0.004),
            (200, 0.3),
            (5000, 0.07),
            (100, 0.93),
            (60, 0.5),
            (1_000_000, 0.01),
        ] {
            let sampler = Binomial::new(p);
            let xs = draws(200_000, |s| sampler.sample(n, s));
            let reference = StBinomial::new(p, n).unwrap();
            let (stat, df) = chi_square(&xs, |k| reference.pmf(k), n.min(200_000));
            assert!(stat < critical(df), "binomial({n}, {p}): chi2 {stat} on {df} df");
        }
    }

    #[test]
    fn poisson_matches_its_pmf_in_both_regimes() {
        for &mean in &[0.3, 4.0, 9.9, 10.0, 35.0, 1200.0] {
            let xs = draws(200_000, |s| poisson(mean, s));
            let reference = StPoisson::new(mean).unwrap();
            let (stat, df) = chi_square(&xs, |k| reference.pmf(k), (mean * 4.0 + 50.0) as u64);
            assert!(stat < critical(df), "poisson({mean}): chi2 {stat} on {df} df");
        }
    }

    #[test]
    fn hypergeometric_matches_its_pmf_in_every_regime() {
        // (total, marked, drawn): item by item (few marked, few drawn), the boundary of the
        // ratio of uniforms, each symmetry (more marked than unmarked, more drawn than
        // left), a municipality's exits in a large path, and counts beyond the table.
        for &(total, good, n) in &[
            (50u64, 8u64, 20u64),
            (50, 20, 8),
            (100, 10, 10),
            (100, 10, 90),
            (100, 90, 10),
            (60, 30, 30),
            (1000, 900, 300),
            (1000, 12, 700),
            (8000, 1360, 5340),
            (40_000, 6000, 25_000),
            (30_000, 15, 15_000),
        ] {
            let key = RunKey::new(2025, 3);
            let xs: Vec<u64> = (0..200_000)
                .map(|i| {
                    let mut s = key.stream(Purpose::MunicipalExits, 0, i);
                    hypergeometric(total as f64, good as f64, n as f64, &mut s) as u64
                })
                .collect();
            assert!(xs.iter().all(|&x| x <= good.min(n) && x + (total - good) >= n));
            let reference = StHypergeometric::new(total, good, n).unwrap();
            let (stat, df) = chi_square(&xs, |k| reference.pmf(k), good.min(n));
            assert!(stat < critical(df), "hypergeometric({total}, {good}, {n}): chi2 {stat} on {df} df");
        }
    }

    #[test]
    fn hypergeometric_edges() {
        let mut s = RunKey::new(1, 1).stream(Purpose::MunicipalExits, 0, 0);
        assert_eq!(hypergeometric(10.0, 0.0, 5.0, &mut s), 0.0);
        assert_eq!(hypergeometric(10.0, 4.0, 0.0, &mut s), 0.0);
        assert_eq!(hypergeometric(10.0, 4.0, 10.0, &mut s), 4.0);
        assert_eq!(hypergeometric(10.0, 10.0, 3.0, &mut s), 3.0);
        // Nine of ten drawn: at least three of the four marked are among them.
        for _ in 0..100 {
            let x = hypergeometric(10.0, 4.0, 9.0, &mut s);
            assert!(x == 3.0 || x == 4.0, "{x}");
        }
        // The table and Stirling's series agree where they meet.
        let k = (LN_FACTORIAL_LEN - 1) as f64;
        assert!((ln_factorial(k) - ln_factorial_stirling(k)).abs() < 1e-9 * ln_factorial(k));
    }

    proptest::proptest! {
        /// Any counts give a whole number in the support,
        /// `max(0, draws − unmarked) ..= min(marked, draws)`.
        #[test]
        fn hypergeometric_stays_in_its_support(
            total in 1u64..200_000,
            good_share in 0.0f64..=1.0,
            draw_share in 0.0f64..=1.0,
            step in 0usize..1_000_000,
        ) {
            let good = (total as f64 * good_share).floor();
            let draws = (total as f64 * draw_share).floor();
            let mut s = RunKey::new(5, 6).stream(Purpose::MunicipalExits, 0, step);
            let x = hypergeometric(total as f64, good, draws, &mut s);
            proptest::prop_assert_eq!(x, x.floor());
            proptest::prop_assert!(x >= (draws - (total as f64 - good)).max(0.0) && x <= good.min(draws), "{}", x);
        }
    }

    #[test]
    fn degenerate_cases() {
        let mut s = RunKey::new(1, 1).stream(Purpose::Success, 0, 0);
        assert_eq!(Binomial::new(0.0).sample(100, &mut s), 0);
        assert_eq!(Binomial::new(1.0).sample(100, &mut s), 100);
        assert_eq!(Binomial::new(f64::NAN).sample(100, &mut s), 0);
        assert_eq!(Binomial::new(0.4).sample(0, &mut s), 0);
        assert_eq!(poisson(0.0, &mut s), 0);
        assert_eq!(poisson(-1.0, &mut s), 0);
        assert!((Binomial::new(0.8).probability() - 0.8).abs() < 1e-15);
    }
}
