//! Percentiles of a figure over runs, kept in mergeable form.
//!
//! Two ways, chosen per results folder ([`QuantileMode`]):
//!
//! * **exact**: every value is kept; percentiles are the type-7 interpolation of the order
//!   statistics, as [`super::quantile_sorted`] computes them. A figure with at most
//!   [`DISTINCT_MAX`] distinct values (a cost that is 0 under most strategies, an indicator,
//!   a year) keeps a count per value instead, which gives the same order statistics in a
//!   fixed, small memory; past that, every value. Used when the values of all figures fit
//!   in the memory budget (`run --quantile-memory`).
//! * **sketch**: a figure with at most [`DISTINCT_MAX`] distinct values (indicators, years,
//!   small counts) keeps a count per value, which is still exact; past that, a DDSketch
//!   (Masson, Rim and Lee 2019) with relative accuracy [`SKETCH_ALPHA`]: every value `x`
//!   with `|x| >= MIN_MAGNITUDE` falls in a bucket `(γ^(i-1), γ^i]`, `γ = (1+α)/(1-α)`, and
//!   is represented by `2γ^i/(γ+1)`, which is within `α|x|` of it; smaller magnitudes count
//!   as 0. The order statistics a percentile interpolates are therefore each within `α` of
//!   their exact value (relative), so the percentile is within `α · max(|x_lo|, |x_hi|)`
//!   of the exact type-7 percentile.
//!
//! Counts are integers, so merging sketches or value counts is exact and independent of
//! order: shards merged in any grouping give the same percentiles, bit for bit.

use super::packed::Packed;
use crate::math;
use std::cmp::Ordering;

/// Relative accuracy of the sketch: 0.1%.
pub const SKETCH_ALPHA: f64 = 0.001;
/// Magnitudes below this count as 0 in the sketch.
pub(crate) const MIN_MAGNITUDE: f64 = 1e-6;
/// Distinct values counted exactly before a figure switches to the sketch.
pub(crate) const DISTINCT_MAX: usize = 64;

/// How percentiles are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileMode {
    /// Every value kept.
    Exact,
    /// Every value kept for the figures the reports, charts and summary tables give
    /// percentiles of; value counts, then a DDSketch, for the others (the detail of
    /// `yearly.csv`).
    Mixed,
    /// Value counts, then a DDSketch.
    Sketch,
}

impl QuantileMode {
    /// A short description for `meta.json` and the reports.
    pub(crate) fn describe(self) -> String {
        let sketch = format!(
            "exact for figures with at most {DISTINCT_MAX} distinct values, otherwise DDSketch with relative error at \
             most {}%",
            SKETCH_ALPHA * 100.0
        );
        match self {
            QuantileMode::Exact => "exact (type 7, every run kept)".into(),
            QuantileMode::Mixed => format!(
                "exact (type 7, every run kept) for every figure of the reports, the charts, summary.csv, budget.csv, \
                 reserve.csv, reserve_by_certainty.csv, municipalities.csv, municipal_risk.csv and the rows of \
                 yearly.csv whose metric is not in sketched_metrics; sketch for the metrics in sketched_metrics (not \
                 every value fitted in --quantile-memory): {sketch}"
            ),
            QuantileMode::Sketch => format!("sketch: {sketch}"),
        }
    }
}

/// Buckets of one sign: `counts[j]` is the count of bucket `offset + j`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Store {
    /// Index of the first bucket held.
    pub offset: i32,
    /// Counts per bucket (32 bits: half the memory of 64; a bucket would need more than
    /// four billion runs to overflow, far beyond what `run` accepts in a day).
    pub counts: Vec<u32>,
}

impl Store {
    fn add(&mut self, i: i32, c: u64) {
        let c = u32::try_from(c).expect("fewer than 2^32 runs");
        if self.counts.is_empty() {
            self.offset = i;
            self.counts.push(c);
            return;
        }
        if i < self.offset {
            let grow = (self.offset - i) as usize;
            let slack = grow.max(self.counts.len() / 2).max(16);
            let mut counts = vec![0; slack + self.counts.len()];
            counts[slack..].copy_from_slice(&self.counts);
            self.offset -= slack as i32;
            self.counts = counts;
        }
        let j = (i - self.offset) as usize;
        if j >= self.counts.len() {
            let slack = (self.counts.len() / 2).max(16);
            self.counts.resize(j + 1 + slack, 0);
        }
        self.counts[j] = self.counts[j].checked_add(c).expect("fewer than 2^32 runs in one bucket");
    }

    fn merge(&mut self, other: &Store) {
        for (j, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.offset + j as i32, u64::from(c));
            }
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }
}

/// A DDSketch of the finite values of a figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    /// Positive values.
    pub pos: Store,
    /// Negative values, by magnitude.
    pub neg: Store,
    /// Values of magnitude below [`MIN_MAGNITUDE`].
    pub zero: u64,
}

fn gamma() -> f64 {
    (1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA)
}

/// `1 / ln γ`, computed once (a logarithm per value added is enough).
static INV_LN_GAMMA: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| 1.0 / math::ln(gamma()));

impl Sketch {
    #[inline]
    fn index(magnitude: f64) -> i32 {
        (math::ln(magnitude) * *INV_LN_GAMMA).ceil() as i32
    }

    fn value(i: i32) -> f64 {
        let g = gamma();
        2.0 * g.powi(i) / (g + 1.0)
    }

    fn add(&mut self, x: f64, c: u64) {
        if x.abs() < MIN_MAGNITUDE {
            self.zero += c;
        } else if x > 0.0 {
            self.pos.add(Self::index(x), c);
        } else {
            self.neg.add(Self::index(-x), c);
        }
    }

    fn merge(&mut self, other: &Sketch) {
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
        self.zero += other.zero;
    }

    fn count(&self) -> u64 {
        self.pos.total() + self.neg.total() + self.zero
    }

    /// The value of rank `r` (0-based, ascending).
    fn at(&self, mut r: u64) -> f64 {
        for (j, &c) in self.neg.counts.iter().enumerate().rev() {
            let c = u64::from(c);
            if r < c {
                return -Self::value(self.neg.offset + j as i32);
            }
            r -= c;
        }
        if r < self.zero {
            return 0.0;
        }
        r -= self.zero;
        for (j, &c) in self.pos.counts.iter().enumerate() {
            let c = u64::from(c);
            if r < c {
                return Self::value(self.pos.offset + j as i32);
            }
            r -= c;
        }
        f64::NAN
    }
}

/// The percentile store of one figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Quantiles {
    /// Every finite value (exact mode), packed ([`Packed`]).
    All(Packed),
    /// Counts per distinct value, sorted by value (exact mode, while there are at most
    /// [`DISTINCT_MAX`]; then every value).
    Few(Vec<(f64, u64)>),
    /// Counts per distinct value, sorted by value.
    Distinct(Vec<(f64, u64)>),
    /// A DDSketch.
    Sketch(Sketch),
}

impl Quantiles {
    /// An empty store, exact or a sketch.
    pub fn new(exact: bool) -> Self {
        if exact { Quantiles::Few(Vec::new()) } else { Quantiles::Distinct(Vec::new()) }
    }

    /// Adds a finite value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.add(x, 1);
    }

    fn add(&mut self, x: f64, c: u64) {
        match self {
            Quantiles::All(v) => v.extend(std::iter::repeat_n(x, c as usize)),
            Quantiles::Few(counts) => {
                if count_in(counts, x, c) {
                    let mut all = Packed::default();
                    for &(y, c) in counts.iter() {
                        all.extend(std::iter::repeat_n(y, c as usize));
                    }
                    *self = Quantiles::All(all);
                }
            }
            Quantiles::Distinct(v) => {
                if count_in(v, x, c) {
                    let mut s = Sketch::default();
                    for &(y, c) in v.iter() {
                        s.add(y, c);
                    }
                    *self = Quantiles::Sketch(s);
                }
            }
            Quantiles::Sketch(s) => s.add(x, c),
        }
    }

    /// Adds the values of `other` (of the same mode).
    pub fn merge(&mut self, other: Quantiles) {
        match (self, other) {
            (Quantiles::All(a), Quantiles::All(b)) => a.extend(b.values()),
            (me @ Quantiles::Few(_), Quantiles::All(mut b)) => {
                // Every value of both, as one store (the order is settled when finished).
                b.extend(me.finite_values());
                *me = Quantiles::All(b);
            }
            (me, Quantiles::Few(counts)) => {
                for (x, c) in counts {
                    me.add(x, c);
                }
            }
            (me, Quantiles::Distinct(b)) => {
                for (x, c) in b {
                    me.add(x, c);
                }
            }
            (me @ Quantiles::Distinct(_), Quantiles::Sketch(mut b)) => {
                if let Quantiles::Distinct(a) = me {
                    for &(x, c) in a.iter() {
                        b.add(x, c);
                    }
                }
                *me = Quantiles::Sketch(b);
            }
            (Quantiles::Sketch(a), Quantiles::Sketch(b)) => a.merge(&b),
            (me, other) => {
                // Exact and sketch stores are never mixed: merged partials share a mode
                // (checked before merging). Keep the counts anyway.
                let values = other.finite_values();
                for x in values {
                    me.push(x);
                }
            }
        }
    }

    fn finite_values(&self) -> Vec<f64> {
        match self {
            Quantiles::All(v) => v.values().collect(),
            Quantiles::Few(v) | Quantiles::Distinct(v) => {
                v.iter().flat_map(|&(x, c)| std::iter::repeat_n(x, c as usize)).collect()
            }
            Quantiles::Sketch(s) => (0..s.count()).map(|r| s.at(r)).collect(),
        }
    }

    /// Prepares the store for queries (sorts the exact values).
    pub fn finish(&mut self) {
        if let Quantiles::All(v) = self {
            v.finish();
        }
    }

    /// Finite values held.
    pub fn count(&self) -> u64 {
        match self {
            Quantiles::All(v) => v.len() as u64,
            Quantiles::Few(v) | Quantiles::Distinct(v) => counts_total(v),
            Quantiles::Sketch(s) => s.count(),
        }
    }

    /// The value of rank `r` among the finite values (ascending, 0-based).
    fn at(&self, r: u64) -> f64 {
        match self {
            Quantiles::All(v) => v.at(r as usize),
            Quantiles::Few(v) | Quantiles::Distinct(v) => {
                let mut r = r;
                for &(x, c) in v {
                    if r < c {
                        return x;
                    }
                    r -= c;
                }
                f64::NAN
            }
            Quantiles::Sketch(s) => s.at(r),
        }
    }

    /// The type-7 `q`-quantile of the finite values (after [`Quantiles::finish`]).
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        type7(n, q, |r| self.at(r))
    }

    /// Like [`Quantiles::quantile`], with `never` further values counted as later than any
    /// value: a quantile that falls among them is NaN.
    pub(crate) fn quantile_with_never(&self, q: f64, never: u64) -> f64 {
        let n = self.count();
        let x = type7(n + never, q, |r| if r < n { self.at(r) } else { f64::INFINITY });
        if x.is_finite() { x } else { f64::NAN }
    }
}

/// Counts `c` more of `x` in `counts` (sorted by value); whether that makes more than
/// [`DISTINCT_MAX`] distinct values.
fn count_in(counts: &mut Vec<(f64, u64)>, x: f64, c: u64) -> bool {
    // Values compare by their bits' total order, so -0.0 and 0.0 stay apart as they would
    // in a sort.
    match counts.binary_search_by(|(y, _)| y.total_cmp(&x)) {
        Ok(i) => counts[i].1 += c,
        Err(i) => counts.insert(i, (x, c)),
    }
    counts.len() > DISTINCT_MAX
}

fn counts_total(counts: &[(f64, u64)]) -> u64 {
    counts.iter().map(|(_, c)| c).sum()
}

/// Type-7 quantile of `n` sorted values given by rank: `x[h]` interpolated, `h = (n-1) q`;
/// the same arithmetic as [`super::quantile_sorted`].
fn type7(n: u64, q: f64, at: impl Fn(u64) -> f64) -> f64 {
    match n {
        0 => f64::NAN,
        1 => at(0),
        n => {
            let hq = (n - 1) as f64 * q;
            let lo = hq.floor() as u64;
            let hi = (lo + 1).min(n - 1);
            let frac = hq - lo as f64;
            let (a, b) = (at(lo), at(hi));
            if frac == 0.0 || a.partial_cmp(&b) == Some(Ordering::Equal) { a } else { a + frac * (b - a) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    fn exact(v: &[f64], q: f64) -> f64 {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        quantile_sorted(&s, q)
    }

    #[test]
    fn exact_mode_equals_the_sorted_quantile() {
        let v: Vec<f64> = (0..1001).map(|i| ((i * 7919) % 1009) as f64 * 3.1 - 500.0).collect();
        let mut q = Quantiles::new(true);
        v.iter().for_each(|&x| q.push(x));
        q.finish();
        for p in [0.0, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0] {
            assert_eq!(q.quantile(p).to_bits(), exact(&v, p).to_bits());
        }
    }

    /// In exact mode a figure with few distinct values is kept as counts, one with many as
    /// every value, and either gives the bits of the sorted values' quantile, however the
    /// values were split into stores and merged.
    #[test]
    fn exact_mode_counts_few_values_and_keeps_many() {
        let few: Vec<f64> = (0..3000).map(|i| if i % 7 == 0 { 1.5e6 } else { 0.0 }).collect();
        let many: Vec<f64> = (0..3000).map(|i| ((i * 7919) % 4001) as f64 * 1234.5 - 1e6).collect();
        let mixed: Vec<f64> = few[..2000].iter().chain(&many[..1000]).copied().collect();
        for v in [&few, &many, &mixed] {
            let build = |xs: &[f64]| {
                let mut q = Quantiles::new(true);
                xs.iter().for_each(|&x| q.push(x));
                q
            };
            let mut whole = build(v);
            assert_eq!(matches!(whole, Quantiles::Few { .. }), std::ptr::eq(v, &few));
            whole.finish();
            for cut in [1, 1999, 2000, 2001, 2999] {
                let mut a = build(&v[..cut]);
                a.merge(build(&v[cut..]));
                a.finish();
                for p in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
                    assert_eq!(a.quantile(p).to_bits(), exact(v, p).to_bits(), "cut {cut}, p {p}");
                    assert_eq!(whole.quantile(p).to_bits(), exact(v, p).to_bits(), "p {p}");
                }
                assert_eq!(a.quantile_with_never(0.9, 700).to_bits(), whole.quantile_with_never(0.9, 700).to_bits());
            }
        }
    }

    #[test]
    fn few_distinct_values_stay_exact() {
        let v: Vec<f64> = (0..5000).map(|i| (2026 + (i * 31) % 20) as f64).collect();
        let mut q = Quantiles::new(false);
        v.iter().for_each(|&x| q.push(x));
        assert!(matches!(q, Quantiles::Distinct(_)));
        for p in [0.05, 0.25, 0.5, 0.75, 0.95] {
            assert_eq!(q.quantile(p), exact(&v, p));
        }
        // "Never" counted as later than any year, as Summary::of_with_never does.
        let with: Vec<f64> = v.iter().copied().chain(std::iter::repeat_n(f64::INFINITY, 3000)).collect();
        for p in [0.05, 0.5, 0.6, 0.95] {
            let e = exact(&with, p);
            let e = if e.is_finite() { e } else { f64::NAN };
            let got = q.quantile_with_never(p, 3000);
            assert!(got == e || (got.is_nan() && e.is_nan()), "p {p}: {got} vs {e}");
        }
    }

    #[test]
    fn the_sketch_keeps_its_relative_error_bound() {
        // Values of both signs over several orders of magnitude, with zeros.
        let v: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11) as f64 / (1u64 << 53) as f64;
                if i % 97 == 0 { 0.0 } else { (u - 0.3) * math::pow(10f64, 2.0 + 6.0 * u) }
            })
            .collect();
        let mut q = Quantiles::new(false);
        v.iter().for_each(|&x| q.push(x));
        assert!(matches!(q, Quantiles::Sketch(_)));
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        for p in [0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] {
            let h = (s.len() - 1) as f64 * p;
            let (lo, hi) = (s[h.floor() as usize], s[(h.floor() as usize + 1).min(s.len() - 1)]);
            let bound = SKETCH_ALPHA * lo.abs().max(hi.abs()) + 1e-12;
            let (got, want) = (q.quantile(p), exact(&v, p));
            assert!((got - want).abs() <= bound, "p {p}: {got} vs {want}, bound {bound}");
        }
    }

    #[test]
    fn merging_in_any_grouping_gives_the_same_store() {
        let v: Vec<f64> = (0..3000).map(|i| ((i * 7919) % 4001) as f64 * 1234.5 - 1e6).collect();
        let build = |xs: &[f64]| {
            let mut q = Quantiles::new(false);
            xs.iter().for_each(|&x| q.push(x));
            q
        };
        let whole = build(&v);
        for cut in [1, 40, 1500, 2999] {
            let mut a = build(&v[..cut]);
            a.merge(build(&v[cut..]));
            for p in [0.05, 0.5, 0.95] {
                assert_eq!(a.quantile(p).to_bits(), whole.quantile(p).to_bits(), "cut {cut}");
            }
        }
    }
}
