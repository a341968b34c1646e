//! The finance view: budget overruns and the required risk reserve (benodigde
//! weerstandscapaciteit) at a chosen certainty (zekerheidspercentage).
//!
//! The overrun of a year is `max(0, spend − budget)`. The reserve required at certainty `c`
//! is the `c`-quantile of the overrun over the runs (for a single year), or of the summed
//! overruns over a period of years (for a multi-year budget, meerjarenraming). The ratio of
//! the available to the required reserve is classed on the scale Dutch municipalities use
//! (NARIS / Universiteit Twente "waarderingstabel weerstandsvermogen").

use super::quantile_sorted;

/// The `q`-quantile (type 7) of `xs`.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

/// Overrun of each value over `budget`: `max(0, x − budget)`.
#[cfg(test)]
pub(crate) fn overruns(spend: &[f64], budget: f64) -> Vec<f64> {
    spend.iter().map(|&x| (x - budget).max(0.0)).collect()
}

/// The reserve required at `certainty`: the quantile of the overruns.
#[cfg(test)]
pub(crate) fn required_reserve(overruns: &[f64], certainty: f64) -> f64 {
    quantile(overruns, certainty)
}

/// Summed overruns per run over years `start..start + len`, from per-run yearly spend
/// (`spend[run][year]`) and the budget line.
#[cfg(test)]
pub(crate) fn period_overruns(spend: &[Vec<f64>], line: &[f64], start: usize, len: usize) -> Vec<f64> {
    spend.iter().map(|run| (start..start + len).map(|t| (run[t] - line[t]).max(0.0)).sum()).collect()
}

/// Classes of the ratio available / required reserve (ratio weerstandsvermogen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioClass {
    /// 2.0 or more: excellent (uitstekend).
    A,
    /// 1.4 to 2.0: amply sufficient (ruim voldoende).
    B,
    /// 1.0 to 1.4: sufficient (voldoende).
    C,
    /// 0.8 to 1.0: moderate (matig).
    D,
    /// 0.6 to 0.8: insufficient (onvoldoende).
    E,
    /// Below 0.6: clearly insufficient (ruim onvoldoende).
    F,
}

impl RatioClass {
    /// The class of a ratio (lower bounds inclusive).
    pub fn of(ratio: f64) -> Self {
        match ratio {
            r if r >= 2.0 => RatioClass::A,
            r if r >= 1.4 => RatioClass::B,
            r if r >= 1.0 => RatioClass::C,
            r if r >= 0.8 => RatioClass::D,
            r if r >= 0.6 => RatioClass::E,
            _ => RatioClass::F,
        }
    }

    /// The letter.
    pub fn letter(self) -> &'static str {
        match self {
            RatioClass::A => "A",
            RatioClass::B => "B",
            RatioClass::C => "C",
            RatioClass::D => "D",
            RatioClass::E => "E",
            RatioClass::F => "F",
        }
    }

    /// The meaning in English.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            RatioClass::A => "excellent",
            RatioClass::B => "amply sufficient",
            RatioClass::C => "sufficient",
            RatioClass::D => "moderate",
            RatioClass::E => "insufficient",
            RatioClass::F => "clearly insufficient",
        }
    }

    /// The meaning in Dutch, as in municipal budgets.
    pub(crate) fn betekenis(self) -> &'static str {
        match self {
            RatioClass::A => "uitstekend",
            RatioClass::B => "ruim voldoende",
            RatioClass::C => "voldoende",
            RatioClass::D => "matig",
            RatioClass::E => "onvoldoende",
            RatioClass::F => "ruim onvoldoende",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::rng::{Purpose, RunKey};
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};

    /// With spend − budget ~ N(μ, σ), the reserve at certainty c (where the quantile is
    /// positive) is μ + σ z_c. The sample quantile of n draws has standard error
    /// sqrt(c (1 − c) / n) / φ(z_c) σ; four of them bound the test.
    #[test]
    fn reserve_of_a_normal_overrun_is_closed_form() {
        let (mu, sigma, budget) = (2.0e6, 3.0e6, 100.0e6);
        let z = Normal::new(0.0, 1.0).unwrap();
        let n = 40_000;
        let key = RunKey::new(77, 0);
        let spend: Vec<f64> = (0..n)
            .map(|i| budget + mu + sigma * z.inverse_cdf(key.stream(Purpose::Parameter, 0, i).open_uniform()))
            .collect();
        let over = overruns(&spend, budget);
        for c in [0.7, 0.8, 0.9, 0.95] {
            let zc = z.inverse_cdf(c);
            let expected = mu + sigma * zc;
            let se = (c * (1.0 - c) / n as f64).sqrt() / z.pdf(zc) * sigma;
            let got = required_reserve(&over, c);
            assert!((got - expected).abs() < 4.0 * se, "certainty {c}: {got} vs {expected} (se {se})");
        }
        // Below the probability of no overrun the reserve is zero: P(X <= 0) = Φ(-μ/σ) = 0.25.
        assert_eq!(required_reserve(&over, 0.2), 0.0);
    }

    #[test]
    fn period_overruns_sum_the_years() {
        let spend = vec![vec![10.0, 12.0, 9.0, 15.0], vec![8.0, 8.0, 8.0, 8.0]];
        let line = [9.0, 10.0, 10.0, 10.0];
        assert_eq!(period_overruns(&spend, &line, 0, 4), vec![1.0 + 2.0 + 0.0 + 5.0, 0.0]);
        assert_eq!(period_overruns(&spend, &line, 1, 2), vec![2.0, 0.0]);
    }

    #[test]
    fn ratio_classes() {
        assert_eq!(RatioClass::of(2.0), RatioClass::A);
        assert_eq!(RatioClass::of(1.99), RatioClass::B);
        assert_eq!(RatioClass::of(1.4), RatioClass::B);
        assert_eq!(RatioClass::of(1.0), RatioClass::C);
        assert_eq!(RatioClass::of(0.8), RatioClass::D);
        assert_eq!(RatioClass::of(0.6), RatioClass::E);
        assert_eq!(RatioClass::of(0.59), RatioClass::F);
        assert_eq!(RatioClass::of(f64::INFINITY), RatioClass::A);
    }
}
