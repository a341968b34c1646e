//! The engine's mathematics, the same bits on every machine: the elementary functions of
//! the `libm` crate (a Rust port of musl's libm) in place of the platform's C library, and
//! on them the distribution functions the scenario's values are drawn with.
//!
//! Why: `f64::exp`, `ln` and `powf` call the platform's C library, whose last bit differs
//! between platforms and versions (glibc and the WebAssembly build disagree in about one
//! call in ten), and every figure of a run goes through them. With one implementation for
//! all, a run gives the same bits on any machine, in the native binary and in the what-if
//! page's WebAssembly module alike. `clippy.toml` forbids the `f64` methods in the engine's
//! modules, so that none creeps back.
//!
//! The distribution functions (normal, beta, gamma) are the textbook ones: the regularised
//! incomplete beta by its continued fraction and the incomplete gamma by its series and
//! continued fraction (Press et al., *Numerical Recipes*, 3rd ed., 6.2 and 6.4), inverted by
//! Newton steps kept inside a bracket; the normal quantile from Abramowitz and Stegun
//! 26.2.23 refined by Halley steps on `erfc`. The tests compare them with `statrs`.

/// `e^x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// `ln x`.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `log10 x`.
#[inline]
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// `x^y`.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// `e^x − 1`, exact near 0.
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    libm::expm1(x)
}

/// `ln(1 + x)`, exact near 0.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// `√(x² + y²)` without overflow.
#[inline]
pub fn hypot(x: f64, y: f64) -> f64 {
    libm::hypot(x, y)
}

/// `ln Γ(x)` for `x > 0`.
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma_r(x).0
}

/// The complementary error function.
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// Relative precision the iterations aim at.
const EPS: f64 = 1e-16;
/// A number near the smallest double, against division by zero in the continued fractions.
const TINY: f64 = 1e-300;
/// Most terms of a series or continued fraction.
const MAX_TERMS: usize = 1_000;

/// The standard normal distribution function `Φ(z)`.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile `Φ⁻¹(p)`: −∞ at 0, +∞ at 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    // Abramowitz and Stegun 26.2.23 (absolute error below 4.5e-4) in the lower half ...
    let q = p.min(1.0 - p);
    let t = (-2.0 * ln(q)).sqrt();
    let guess =
        t - (2.515_517 + t * (0.802_853 + t * 0.010_328)) / (1.0 + t * (1.432_788 + t * (0.189_269 + t * 0.001_308)));
    let mut x = if p < 0.5 { -guess } else { guess };
    // ... then Halley's steps on Φ(x) − p, each cubing the error: three take 4.5e-4 to the
    // precision of erfc.
    let sqrt_2pi = (2.0 * std::f64::consts::PI).sqrt();
    for _ in 0..3 {
        // Φ(x) − p, from the tail that x is in.
        let e = if x < 0.0 { normal_cdf(x) - p } else { (1.0 - p) - normal_cdf(-x) };
        let u = e * sqrt_2pi * exp(0.5 * x * x);
        x -= u / (1.0 + 0.5 * x * u);
    }
    x
}

/// `ln B(a, b)`.
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The continued fraction of the incomplete beta function (Numerical Recipes' `betacf`,
/// Lentz's method).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=MAX_TERMS {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The beta distribution function: the regularised incomplete beta `I_x(a, b)`.
pub fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = exp(a * ln(x) + b * ln_1p(-x) - ln_beta(a, b));
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The beta density.
fn beta_pdf(a: f64, b: f64, x: f64) -> f64 {
    exp((a - 1.0) * ln(x) + (b - 1.0) * ln_1p(-x) - ln_beta(a, b))
}

/// The beta quantile: the `x` in [0, 1] with `I_x(a, b) = p`.
pub fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    invert(|x| beta_cdf(a, b, x), |x| beta_pdf(a, b, x), p, (0.0, 1.0), a / (a + b))
}

/// The regularised lower incomplete gamma `P(k, x)`, the distribution function of a gamma
/// of shape `k` and rate 1: its series below `k + 1`, its continued fraction above.
pub fn gamma_cdf(k: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let front = exp(-x + k * ln(x) - ln_gamma(k));
    if x < k + 1.0 {
        let (mut ap, mut del) = (k, 1.0 / k);
        let mut sum = del;
        for _ in 0..MAX_TERMS {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * EPS {
                break;
            }
        }
        sum * front
    } else {
        let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
        let mut b = x + 1.0 - k;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_TERMS {
            let i = i as f64;
            let an = -i * (i - k);
            b += 2.0;
            d = 1.0 / guard(an * d + b);
            c = guard(b + an / c);
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        1.0 - front * h
    }
}

/// The gamma quantile of shape `k` and rate 1: the `x` with `P(k, x) = p`.
pub fn gamma_quantile(k: f64, p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let mut hi = k + 10.0 * k.sqrt() + 10.0;
    while gamma_cdf(k, hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    let pdf = |x: f64| exp((k - 1.0) * ln(x) - x - ln_gamma(k));
    invert(|x| gamma_cdf(k, x), pdf, p, (0.0, hi), k)
}

/// The `x` in `bracket` with `cdf(x) = p`, for an increasing `cdf` with density `pdf`:
/// Newton's steps from `start`, each kept inside the bracket that the values seen so far
/// leave (bisecting when a step would leave it), until the step is below the precision of
/// doubles.
fn invert(cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64, p: f64, bracket: (f64, f64), start: f64) -> f64 {
    let (mut lo, mut hi) = bracket;
    let mut x = start.clamp(lo, hi);
    for _ in 0..200 {
        let f = cdf(x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = pdf(x);
        let newton = x - f / density;
        let next = if density > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 2.0 * f64::EPSILON * x.abs() || hi - lo <= 2.0 * f64::EPSILON * hi.abs() {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use statrs::distribution::{Beta, ContinuousCDF, Gamma, Normal};

    use super::*;

    /// Probabilities from the far tails to the middle.
    fn probabilities() -> Vec<f64> {
        let mut ps: Vec<f64> = (1..1000).map(|i| i as f64 / 1000.0).collect();
        ps.extend([1e-15, 1e-12, 1e-9, 1e-6, 1e-4, 1.0 - 1e-4, 1.0 - 1e-6, 1.0 - 1e-9]);
        ps
    }

    /// `x` within `rel` of `truth`, relatively.
    fn close(x: f64, truth: f64, rel: f64) -> bool {
        (x - truth).abs() <= rel * truth.abs()
    }

    #[test]
    fn elementary_functions_are_libm() {
        assert_eq!(exp(1.0).to_bits(), libm::exp(1.0).to_bits());
        assert_eq!(ln(10.0).to_bits(), libm::log(10.0).to_bits());
        // ln Γ(n + 1) = ln n!
        assert!((ln_gamma(11.0) - libm::log(3_628_800.0)).abs() < 1e-13);
    }

    /// Reference values to 20 digits from mpmath at 40 digits
    /// (`sqrt(2) * erfinv(2p - 1)`, and bisection of `betainc`/`gammainc`, regularised),
    /// kept as mpmath gave them.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn the_quantiles_match_high_precision_values() {
        for (p, truth) in [
            (1e-15, -7.941_345_326_170_996_781),
            (0.025, -1.959_963_984_540_054_235_5),
            (0.3, -0.524_400_512_708_040_784_04),
            (0.975, 1.959_963_984_540_054_235_5),
        ] {
            assert!(close(normal_quantile(p), truth, 4e-16), "normal at {p}: {}", normal_quantile(p));
        }
        for (a, b, p, truth) in [
            (2.0, 5.0, 0.05, 0.062_849_891_708_354_379_944),
            (3.6, 1.4, 0.5, 0.750_880_555_268_713_636_17),
            (40.0, 60.0, 0.99, 0.515_633_711_207_318_969_88),
            (0.5, 0.5, 0.001, 2.467_399_070_916_944_077_6e-6),
        ] {
            assert!(close(beta_quantile(a, b, p), truth, 1e-14), "beta({a}, {b}) at {p}: {}", beta_quantile(a, b, p));
        }
        for (k, p, truth) in [
            (0.5, 0.399, 0.136_745_150_907_856_340_46),
            (2.5, 0.9, 4.618_178_449_890_559_225_7),
            (44.4, 0.05, 34.037_008_767_474_827_399),
            (400.0, 0.5, 399.666_716_094_464_391_52),
        ] {
            assert!(close(gamma_quantile(k, p), truth, 1e-14), "gamma({k}) at {p}: {}", gamma_quantile(k, p));
        }
        // The distribution functions (a large shape loses digits in the prefactor
        // `exp(k ln x - x - ln Γ(k))`: about k·ε relative).
        for (k, x, truth) in [
            (400.0, 398.95, 0.485_691_138_027_213_623_83),
            (44.4, 30.0, 0.008_182_975_687_194_143_867_7),
            (0.5, 3.0, 0.985_694_121_564_570_360_47),
        ] {
            assert!(close(gamma_cdf(k, x), truth, 1e-15 * k.max(4.0)), "P({k}, {x}) = {}", gamma_cdf(k, x));
        }
        for (a, b, x, truth) in [
            (40.0, 60.0, 0.3, 0.017_592_508_468_930_076_235),
            (2.0, 5.0, 0.9, 0.999_945_000_000_000_000_06),
            (0.5, 0.5, 0.001, 0.020_135_041_633_377_491_182),
        ] {
            assert!(
                close(beta_cdf(a, b, x), truth, 1e-15 * (a + b).max(4.0)),
                "I_{x}({a}, {b}) = {}",
                beta_cdf(a, b, x)
            );
        }
        // z/√2 is rounded: erfc at 3.5 turns its 1e-16 into 2·3.5²·1e-16 relative.
        assert!(close(normal_cdf(-5.0), 2.866_515_718_791_939_116_7e-7, 1e-14));
        assert!(close(normal_cdf(1.3), 0.903_199_515_414_389_674_46, 1e-15));
    }

    #[test]
    fn the_normal_quantile_inverts_the_cdf_and_agrees_with_statrs() {
        let n = Normal::standard();
        for p in probabilities() {
            let x = normal_quantile(p);
            // Where the quantile is well conditioned, statrs agrees to its own precision.
            let reference = n.inverse_cdf(p);
            assert!((x - reference).abs() <= 1e-12 * reference.abs().max(1.0), "p {p}: {x} vs statrs {reference}");
            // The round trip, relative to the smaller tail.
            let back = normal_cdf(x);
            let tail = p.min(1.0 - p);
            assert!((back - p).abs() <= 1e-13 * tail + 1e-16, "p {p}: cdf(q(p)) = {back}");
        }
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(0.5).abs() < 1e-15);
    }

    /// The distribution function against statrs, and the quantile's round trip: the cdf of
    /// the quantile gives back `p` to a few units in the last place. (statrs's own quantiles
    /// are less precise in the tails, e.g. 9.3e-10 for the 1e-15 quantile of a gamma of
    /// shape 0.5, whose value is π·1e-30/4 = 7.85e-31; the high-precision values above are
    /// the reference for the quantiles.)
    #[test]
    fn the_beta_functions_invert_and_agree_with_statrs() {
        for (a, b) in [(2.0, 5.0), (0.5, 0.5), (3.6, 1.4), (40.0, 60.0), (1.0, 1.0), (12.5, 3.2)] {
            let d = Beta::new(a, b).unwrap();
            for i in 1..200 {
                let x = i as f64 / 200.0;
                assert!((beta_cdf(a, b, x) - d.cdf(x)).abs() < 1e-13, "I_{x}({a}, {b})");
            }
            for p in probabilities() {
                let x = beta_quantile(a, b, p);
                let back = beta_cdf(a, b, x);
                // What the cdf can tell apart at x: its slope times the spacing of doubles.
                let resolution = beta_pdf(a, b, x) * 2.0 * f64::EPSILON * x;
                assert!((back - p).abs() <= 1e-13 * p + 4e-16 + resolution, "beta({a}, {b}): cdf(q({p})) = {back}");
            }
        }
    }

    #[test]
    fn the_gamma_functions_invert_and_agree_with_statrs() {
        for k in [0.5, 1.0, 2.5, 9.0, 44.4, 400.0] {
            let d = Gamma::new(k, 1.0).unwrap();
            for i in 1..200 {
                let x = i as f64 * (k + 5.0 * k.sqrt() + 5.0) / 200.0;
                assert!((gamma_cdf(k, x) - d.cdf(x)).abs() < 1e-15 * k.max(100.0), "P({k}, {x})");
            }
            for p in probabilities() {
                let x = gamma_quantile(k, p);
                let back = gamma_cdf(k, x);
                // The prefactor's k·ε, as above.
                assert!((back - p).abs() <= (1e-13 + 2e-15 * k) * p + 4e-16, "gamma({k}): cdf(q({p})) = {back}");
            }
        }
    }
}
