//! Fitting a segment's flows to its registration (docs/calibration.md): the yearly rate of
//! starts per 1000 youths, the mean duration of an exponential stay and the share of starts
//! that are re-entries, each with its posterior from the Poisson (or binomial) likelihood.
//!
//! Starts in a period are Poisson with mean `λ × youth-years / 1000`, so with `n` starts
//! over `E` thousand youth-years the likelihood is `λⁿ e^(−λE)`; under the scale-invariant
//! prior `1/λ` the posterior is Gamma(shape `n`, rate `E`): mean `n/E` (the maximum
//! likelihood estimate) and sd `√n/E` (its Fisher standard error). Exits of exponential stays
//! with rate `μ = 1/d` form a counting process with intensity `μ A(t)`, `A(t)` the active
//! clients, so with `m` exits over `T = ∫A dt` client-years the likelihood is `μᵐ e^(−μT)`
//! and `μ` is Gamma(`m`, `T`) a posteriori; the mean duration `d = 1/μ` is then
//! inverse-gamma with mean `T/(m−1)` and sd `T/((m−1)√(m−2))`. `T` is not observed: it is
//! approximated per period by the trapezoid `(A_start + A_end)/2 × years`, exact when the
//! caseload changes linearly within a period and unbiased in a steady state. Its error adds
//! to the uncertainty: between the two counts the caseload moves by unit jumps (the period's
//! starts and exits, `k` of them over `y` years), so it is treated as a random-walk bridge,
//! whose integral has variance `k y² / 12` about the trapezoid; the sd of `d` is
//! `d √(1/(m−2) + Σ k y²/12 / T²)`. Without this term the 90% intervals of short stays
//! covered the truth in 87% of synthetic datasets (tests/it/calibrate.rs).

use crate::math;

/// One period of one segment's registration, with the youths it was drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// Length of the period in years.
    pub years: f64,
    /// Youths 0–17 in the period.
    pub youth: f64,
    /// Trajectories started in the period.
    pub started: f64,
    /// Trajectories ended in the period.
    pub ended: f64,
    /// Trajectories running at the start of the period.
    pub active_at_start: f64,
    /// Trajectories running at the end of the period.
    pub active_at_end: f64,
    /// Of the starts, those that re-enter the same segment, when the data says so.
    pub reentered: Option<f64>,
}

impl Period {
    /// Youth-years of exposure in thousands: the denominator of the rate per 1000.
    pub fn thousand_youth_years(&self) -> f64 {
        self.youth * self.years / 1000.0
    }

    /// The variance of the trapezoid's error: the caseload between the counts as a
    /// random-walk bridge of the period's `started + ended` unit jumps.
    pub fn trapezoid_variance(&self) -> f64 {
        (self.started + self.ended) * self.years * self.years / 12.0
    }

    /// Client-years in care, by the trapezoid rule from the two caseload counts.
    pub fn client_years(&self) -> f64 {
        0.5 * (self.active_at_start + self.active_at_end) * self.years
    }
}

/// A fitted value: the mean and standard deviation of its posterior.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
}

/// What the data of one segment say.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentFit {
    /// Starts over all periods.
    pub started: f64,
    /// Exits over all periods.
    pub ended: f64,
    /// Exposure: thousands of youth-years.
    pub thousand_youth_years: f64,
    /// Client-years in care (trapezoid rule).
    pub client_years: f64,
    /// Starts per 1000 youths a year: Gamma(`started`, `thousand_youth_years`).
    pub starts_per_1000: Estimate,
    /// The maximum likelihood estimate of the mean duration, `client_years / ended`.
    pub duration_mle_years: f64,
    /// Mean duration in years: the inverse-gamma posterior's mean, and its sd with the
    /// trapezoid's error added.
    pub mean_duration_years: Estimate,
    /// Share of starts that re-enter, Beta(`k + 1/2`, `n − k + 1/2`) (Jeffreys), when the data
    /// has re-entries: `k` of `n` starts.
    pub reentry_share: Option<Estimate>,
    /// Re-entries counted over all periods (0 when the data do not count them).
    pub reentered: f64,
}

/// Why a segment's data cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// No youth-years: the population or the periods are empty.
    #[error("no youth-years of exposure (population times period length is 0)")]
    NoExposure,
    /// No starts: the rate's posterior would be improper.
    #[error("no trajectory started in any period, so the rate of starts cannot be estimated")]
    NoStarts,
    /// Too few exits for a mean duration with a finite standard deviation.
    #[error("{0} trajectories ended over all periods; at least 3 are needed to estimate the mean duration")]
    TooFewEnded(f64),
    /// No clients in care at any count.
    #[error("no client-years in care (every active count is 0)")]
    NoClientYears,
}

/// Fits one segment's periods.
pub fn fit_segment(periods: &[Period]) -> Result<SegmentFit, FitError> {
    let e: f64 = periods.iter().map(Period::thousand_youth_years).sum();
    let n: f64 = periods.iter().map(|p| p.started).sum();
    let m: f64 = periods.iter().map(|p| p.ended).sum();
    let t: f64 = periods.iter().map(Period::client_years).sum();
    if e <= 0.0 {
        return Err(FitError::NoExposure);
    }
    if n <= 0.0 {
        return Err(FitError::NoStarts);
    }
    if t <= 0.0 {
        return Err(FitError::NoClientYears);
    }
    if m < 3.0 {
        return Err(FitError::TooFewEnded(m));
    }
    let duration_mean = t / (m - 1.0);
    let var_t: f64 = periods.iter().map(Period::trapezoid_variance).sum();
    let duration_sd = duration_mean * (1.0 / (m - 2.0) + var_t / (t * t)).sqrt();
    let k: f64 = periods.iter().filter_map(|p| p.reentered).sum();
    let reentry_share = if periods.iter().all(|p| p.reentered.is_some()) { Some(beta_jeffreys(k, n)) } else { None };
    Ok(SegmentFit {
        started: n,
        ended: m,
        thousand_youth_years: e,
        client_years: t,
        starts_per_1000: Estimate { mean: n / e, sd: n.sqrt() / e },
        duration_mle_years: t / m,
        mean_duration_years: Estimate { mean: duration_mean, sd: duration_sd },
        reentry_share,
        reentered: k,
    })
}

/// The Jeffreys posterior of a share with `k` successes in `n` trials: Beta(k + ½, n − k + ½).
fn beta_jeffreys(k: f64, n: f64) -> Estimate {
    let (a, b) = (k + 0.5, n - k + 0.5);
    let s = a + b;
    Estimate { mean: a / s, sd: (a * b / (s * s * (s + 1.0))).sqrt() }
}

impl SegmentFit {
    /// Starts the fit expects in a period (at the maximum likelihood rate).
    pub fn fitted_started(&self, p: &Period) -> f64 {
        self.starts_per_1000.mean * p.thousand_youth_years()
    }

    /// Exits the fit expects in a period (at the maximum likelihood rate of exit).
    pub fn fitted_ended(&self, p: &Period) -> f64 {
        p.client_years() / self.duration_mle_years
    }
}

/// How ended durations by band compare with exponential stays of a given mean.
#[derive(Debug, Clone, PartialEq)]
pub struct BandTest {
    /// The ended trajectories each band would hold under exponential stays.
    pub expected: Vec<f64>,
    /// Pearson's chi-square over the bands with an expectation above 0.
    pub chi_square: f64,
    /// Its degrees of freedom: those bands less one.
    pub df: usize,
    /// The probability of a chi-square at least this large if the stays were exponential.
    pub p_value: f64,
}

/// Tests ended durations by band (`observed[b]` in `[bounds[b].0, bounds[b].1)`, the last
/// band open above) against exponential stays of mean `mean`: in a steady state the
/// durations of the trajectories that end in a window follow the duration law itself (each
/// duration `s` ends at rate `λ f(s)`), so band `b` expects `m (e^(−lo/d) − e^(−hi/d))`.
/// *Choice:* the degrees of freedom are the bands less one, not less two: the mean was fitted
/// to the exits and client-years, not to the bands, so the test is, if anything, conservative.
pub fn exponential_band_test(observed: &[f64], bounds: &[(f64, Option<f64>)], mean: f64) -> BandTest {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let m: f64 = observed.iter().sum();
    let survival = |x: f64| math::exp(-x / mean);
    let expected: Vec<f64> = bounds.iter().map(|&(lo, hi)| m * (survival(lo) - hi.map_or(0.0, survival))).collect();
    let (mut chi_square, mut used) = (0.0, 0usize);
    for (o, e) in observed.iter().zip(&expected) {
        if *e > 0.0 {
            chi_square += (o - e).powi(2) / e;
            used += 1;
        }
    }
    let df = used.saturating_sub(1);
    let p_value = match ChiSquared::new(df as f64) {
        Ok(c) if df > 0 => 1.0 - c.cdf(chi_square),
        _ => 1.0,
    };
    BandTest { expected, chi_square, df, p_value }
}

/// The shape `k` of Erlang durations (`duration_shape`) picked from ended durations by
/// band, with the mean held at the fitted one.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeFit {
    /// The maximum likelihood shape (the smallest, on a tie).
    pub shape: usize,
    /// Log-likelihood of the band counts per shape `1..=MAX_SHAPE` (index `k − 1`).
    pub log_likelihood: Vec<f64>,
    /// The shapes whose likelihood ratio to the best is within the 95% point of χ² with 1
    /// degree of freedom (`2 Δℓ ≤ 3.84`): the smallest and the largest.
    pub interval: (usize, usize),
    /// Parametric bootstrap: the share of band counts drawn from the fitted law (same total)
    /// whose fit gives the same shape back: the chance, as far as the data can tell, that
    /// the picked shape is the true one.
    pub recovered: f64,
    /// The ended trajectories each band would hold at the fitted shape.
    pub expected: Vec<f64>,
}

/// Bootstrap replicates of [`fit_shape`].
pub const SHAPE_BOOTSTRAP: usize = 1000;

/// Band probabilities of Erlang durations with shape `k` and mean `mean`.
fn erlang_bands(bounds: &[(f64, Option<f64>)], k: usize, mean: f64) -> Vec<f64> {
    use super::phases::erlang_cdf;
    bounds
        .iter()
        .map(|&(lo, hi)| (hi.map_or(1.0, |h| erlang_cdf(h, k, mean)) - erlang_cdf(lo, k, mean)).max(0.0))
        .collect()
}

/// The maximum likelihood shape of band counts over the band laws `laws` (per shape).
fn best_shape(observed: &[f64], laws: &[Vec<f64>]) -> (usize, Vec<f64>) {
    let ll: Vec<f64> = laws
        .iter()
        .map(|law| {
            observed
                .iter()
                .zip(law)
                .map(|(&o, &p)| if o > 0.0 { if p > 0.0 { o * math::ln(p) } else { f64::NEG_INFINITY } } else { 0.0 })
                .sum()
        })
        .collect();
    let mut best = 0;
    for (i, &l) in ll.iter().enumerate() {
        if l > ll[best] {
            best = i;
        }
    }
    (best + 1, ll)
}

/// Picks the shape `k` (1 to [`MAX_SHAPE`](super::phases::MAX_SHAPE)) of Erlang durations
/// from ended durations by band (`observed[b]` in `[bounds[b].0, bounds[b].1)`, the last
/// band open above), with the mean held at `mean`: band `b` expects a share
/// `F_k(hi) − F_k(lo)` of the ended trajectories (in a steady state, the durations of the
/// trajectories that end in a window follow the duration law itself, see
/// [`exponential_band_test`]), and the counts are multinomial, so the log-likelihood is
/// `Σ_b o_b ln(F_k(hi_b) − F_k(lo_b))`. `seed` keys the bootstrap's draws (the result is
/// the same for the same data).
pub fn fit_shape(observed: &[f64], bounds: &[(f64, Option<f64>)], mean: f64, seed: u64) -> ShapeFit {
    use crate::random::rng::{Purpose, RunKey};
    use crate::random::sample::Binomial;
    let max = super::phases::MAX_SHAPE;
    let laws: Vec<Vec<f64>> = (1..=max).map(|k| erlang_bands(bounds, k, mean)).collect();
    let (shape, log_likelihood) = best_shape(observed, &laws);
    let top = log_likelihood[shape - 1];
    let within: Vec<usize> =
        (1..=max).filter(|&k| 2.0 * (top - log_likelihood[k - 1]) <= 3.841_458_820_694_124).collect();
    let interval = (within.first().copied().unwrap_or(shape), within.last().copied().unwrap_or(shape));
    let m: f64 = observed.iter().sum();
    let law = &laws[shape - 1];
    // Multinomial draws by conditional binomials, one stream per replicate.
    let conditional: Vec<Binomial> = (0..law.len())
        .map(|b| {
            let rest: f64 = law[b..].iter().sum();
            Binomial::new(if rest > 0.0 { law[b] / rest } else { 0.0 })
        })
        .collect();
    let mut hits = 0usize;
    let mut counts = vec![0.0; law.len()];
    for r in 0..SHAPE_BOOTSTRAP {
        let mut stream = RunKey::new(seed, r as u64).stream(Purpose::Parameter, 0, 0);
        let mut left = m as u64;
        for (b, c) in counts.iter_mut().enumerate() {
            let x = if b + 1 == law.len() { left } else { conditional[b].sample(left, &mut stream) };
            *c = x as f64;
            left -= x;
        }
        if best_shape(&counts, &laws).0 == shape {
            hits += 1;
        }
    }
    ShapeFit {
        shape,
        log_likelihood,
        interval,
        recovered: hits as f64 / SHAPE_BOOTSTRAP as f64,
        expected: law.iter().map(|p| p * m).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(started: f64, ended: f64, a0: f64, a1: f64) -> Period {
        Period { years: 0.5, youth: 10_000.0, started, ended, active_at_start: a0, active_at_end: a1, reentered: None }
    }

    /// Hand case: 600 starts over 2 periods of half a year of 10,000 youths (10 thousand
    /// youth-years) are 60 per 1000 a year, sd √600/10; 300 + 310 active and 290 + 300
    /// exits over 0.5 × (300 + 310)/2 + 0.5 × (310 + 320)/2 = 310 client-years.
    #[test]
    fn hand_case() {
        let f = fit_segment(&[period(300.0, 290.0, 300.0, 310.0), period(300.0, 290.0, 310.0, 320.0)]).unwrap();
        assert_eq!(f.thousand_youth_years, 10.0);
        assert_eq!(f.starts_per_1000.mean, 60.0);
        assert!((f.starts_per_1000.sd - 600f64.sqrt() / 10.0).abs() < 1e-12);
        assert_eq!(f.client_years, 310.0);
        assert_eq!(f.duration_mle_years, 310.0 / 580.0);
        assert_eq!(f.mean_duration_years.mean, 310.0 / 579.0);
        // The trapezoid's error: 590 jumps over half a year in each period, 590/4/12 each.
        let var_t: f64 = 2.0 * 590.0 * 0.25 / 12.0;
        let sd = 310.0 / 579.0 * (1.0 / 578.0 + var_t / (310.0 * 310.0)).sqrt();
        assert!((f.mean_duration_years.sd - sd).abs() < 1e-15);
        assert_eq!(f.reentry_share, None);
        let p = period(300.0, 290.0, 300.0, 310.0);
        assert_eq!(f.fitted_started(&p), 300.0);
        assert!((f.fitted_ended(&p) - 152.5 * 580.0 / 310.0).abs() < 1e-9);
    }

    #[test]
    fn reentry_share_is_the_jeffreys_posterior() {
        let mut p = period(100.0, 90.0, 100.0, 110.0);
        p.reentered = Some(20.0);
        let f = fit_segment(&[p]).unwrap();
        let r = f.reentry_share.unwrap();
        assert!((r.mean - 20.5 / 101.0).abs() < 1e-15);
        assert!((r.sd - (20.5f64 * 80.5 / (101.0 * 101.0 * 102.0)).sqrt()).abs() < 1e-15);
    }

    /// Hand case: 100 exits of mean 1 year in bands [0, 1) and [1, ∞): expected 63.21 and
    /// 36.79; observed exactly that gives chi-square 0 and p 1, observed 50/50 gives
    /// 13.21² / 63.21 + 13.21² / 36.79 = 7.50 on 1 degree of freedom.
    #[test]
    fn band_test_hand_case() {
        let bounds = [(0.0, Some(1.0)), (1.0, None)];
        let e1 = 100.0 * (1.0 - math::exp(-1f64));
        let t = exponential_band_test(&[e1, 100.0 - e1], &bounds, 1.0);
        assert!((t.expected[0] - e1).abs() < 1e-12 && t.chi_square < 1e-20 && t.df == 1);
        assert!((t.p_value - 1.0).abs() < 1e-12);
        let t = exponential_band_test(&[50.0, 50.0], &bounds, 1.0);
        let d: f64 = 50.0 - e1;
        let chi = d * d / e1 + d * d / (100.0 - e1);
        assert!((t.chi_square - chi).abs() < 1e-9);
        // On 1 degree of freedom P(χ² > x) = erfc(√(x/2)): 0.0062 here.
        let p = statrs::function::erf::erfc((chi / 2.0).sqrt());
        assert!((t.p_value - p).abs() < 1e-9, "{} vs {p}", t.p_value);
    }

    /// Band counts exactly at the Erlang(3) law's expectations give back shape 3, with a
    /// likelihood interval around it; exponential expectations give back 1.
    #[test]
    fn shape_of_expected_band_counts() {
        let bounds = [(0.0, Some(0.5)), (0.5, Some(1.0)), (1.0, Some(2.0)), (2.0, Some(3.0)), (3.0, None)];
        for k in [1, 3, 8] {
            let law = erlang_bands(&bounds, k, 2.0);
            let observed: Vec<f64> = law.iter().map(|p| p * 2000.0).collect();
            let f = fit_shape(&observed, &bounds, 2.0, 1);
            assert_eq!(f.shape, k);
            assert!(f.interval.0 <= k && k <= f.interval.1);
            assert!(f.recovered > 0.0 && f.recovered <= 1.0);
            assert!((f.expected.iter().sum::<f64>() - 2000.0).abs() < 1e-9);
        }
    }

    #[test]
    fn too_little_data_is_an_error() {
        assert_eq!(fit_segment(&[period(0.0, 5.0, 10.0, 5.0)]), Err(FitError::NoStarts));
        assert_eq!(fit_segment(&[period(5.0, 2.0, 10.0, 13.0)]), Err(FitError::TooFewEnded(2.0)));
        assert_eq!(fit_segment(&[period(5.0, 5.0, 0.0, 0.0)]), Err(FitError::NoClientYears));
        let mut p = period(5.0, 5.0, 10.0, 10.0);
        p.youth = 0.0;
        assert_eq!(fit_segment(&[p]), Err(FitError::NoExposure));
    }
}
