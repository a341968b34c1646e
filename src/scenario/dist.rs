//! Uncertain inputs: the distributions a scenario value may follow, with truncation.
//!
//! Every draw goes through the quantile function (inverse CDF) of the distribution,
//! truncated to `[min, max]` when the file asks for it. One uniform number per parameter
//! and run therefore fixes the parameter, which keeps common random numbers exact and lets
//! the sensitivity analysis ask for "the 10th percentile" directly.

use crate::math;

/// The shape of an uncertain value, with the parameters as written in the scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A fixed number.
    Fixed(f64),
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean, as written.
        mean: f64,
        /// Standard deviation, as written.
        sd: f64,
    },
    /// Lognormal with mean and standard deviation on the natural scale.
    LogNormal {
        /// Mean, as written.
        mean: f64,
        /// Standard deviation, as written.
        sd: f64,
    },
    /// Beta on [0, 1] with mean and standard deviation.
    Beta {
        /// Mean, as written.
        mean: f64,
        /// Standard deviation, as written.
        sd: f64,
    },
    /// Gamma with mean and standard deviation.
    Gamma {
        /// Mean, as written.
        mean: f64,
        /// Standard deviation, as written.
        sd: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on [min, max] with its mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// PERT (a scaled beta with shape 4) on [min, max] with its mode.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
}

/// Why a distribution cannot be built from the parameters given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A parameter is not a finite number or out of its range.
    #[error("{0}")]
    Invalid(String),
}

/// The continuous distribution behind a [`Shape`], ready for quantiles (the functions of
/// [`crate::math`], the same bits on every machine).
#[derive(Debug, Clone)]
enum Kernel {
    Fixed(f64),
    Normal {
        mean: f64,
        sd: f64,
    },
    /// `exp(N(mu, sigma))`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Beta {
        a: f64,
        b: f64,
    },
    /// Shape `k`, rate `rate`.
    Gamma {
        k: f64,
        rate: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// PERT as `min + width * Beta(a, b)`.
    Pert {
        min: f64,
        width: f64,
        a: f64,
        b: f64,
    },
}

impl Kernel {
    fn cdf(&self, x: f64) -> f64 {
        match *self {
            Kernel::Fixed(v) => {
                if x >= v {
                    1.0
                } else {
                    0.0
                }
            }
            Kernel::Normal { mean, sd } => math::normal_cdf((x - mean) / sd),
            Kernel::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    math::normal_cdf((math::ln(x) - mu) / sigma)
                }
            }
            Kernel::Beta { a, b } => math::beta_cdf(a, b, x.clamp(0.0, 1.0)),
            Kernel::Gamma { k, rate } => math::gamma_cdf(k, x.max(0.0) * rate),
            Kernel::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Kernel::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min) * (x - min) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x) * (max - x) / ((max - min) * (max - mode))
                }
            }
            Kernel::Pert { min, width, a, b } => math::beta_cdf(a, b, ((x - min) / width).clamp(0.0, 1.0)),
        }
    }

    fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Kernel::Fixed(v) => v,
            Kernel::Normal { mean, sd } => mean + sd * math::normal_quantile(u),
            Kernel::LogNormal { mu, sigma } => math::exp(mu + sigma * math::normal_quantile(u)),
            Kernel::Beta { a, b } => math::beta_quantile(a, b, u),
            Kernel::Gamma { k, rate } => math::gamma_quantile(k, u) / rate,
            Kernel::Uniform { min, max } => min + u * (max - min),
            Kernel::Triangular { min, mode, max } => {
                if u * (max - min) < mode - min {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Kernel::Pert { min, width, a, b } => min + width * math::beta_quantile(a, b, u),
        }
    }
}

/// An uncertain value: a shape, optionally truncated to `[lower, upper]`.
#[derive(Debug, Clone)]
pub struct Distribution {
    shape: Shape,
    lower: Option<f64>,
    upper: Option<f64>,
    kernel: Kernel,
    /// CDF of the untruncated kernel at the truncation bounds.
    cdf_lower: f64,
    cdf_upper: f64,
    mean: f64,
}

fn finite(name: &str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() { Ok(v) } else { Err(DistError::Invalid(format!("`{name}` must be a finite number, found {v}"))) }
}

fn positive(name: &str, v: f64) -> Result<f64, DistError> {
    if finite(name, v)? > 0.0 {
        Ok(v)
    } else {
        Err(DistError::Invalid(format!("`{name}` must be greater than 0, found {v}")))
    }
}

impl Distribution {
    /// A fixed value.
    pub fn fixed(v: f64) -> Self {
        Distribution {
            shape: Shape::Fixed(v),
            lower: None,
            upper: None,
            kernel: Kernel::Fixed(v),
            cdf_lower: 0.0,
            cdf_upper: 1.0,
            mean: v,
        }
    }

    /// Builds a distribution, checking that its parameters are feasible.
    pub fn new(shape: Shape, lower: Option<f64>, upper: Option<f64>) -> Result<Self, DistError> {
        let bad = |m: String| Err(DistError::Invalid(m));
        let kernel = match shape {
            Shape::Fixed(v) => Kernel::Fixed(finite("value", v)?),
            Shape::Normal { mean, sd } => {
                finite("mean", mean)?;
                positive("sd", sd)?;
                Kernel::Normal { mean, sd }
            }
            Shape::LogNormal { mean, sd } => {
                positive("mean", mean)?;
                positive("sd", sd)?;
                let sigma2 = math::ln(1.0 + (sd / mean).powi(2));
                let mu = math::ln(mean) - sigma2 / 2.0;
                Kernel::LogNormal { mu: finite("mean", mu)?, sigma: positive("sd", sigma2.sqrt())? }
            }
            Shape::Beta { mean, sd } => {
                if !(mean > 0.0 && mean < 1.0) {
                    return bad(format!("a beta `mean` must lie strictly between 0 and 1, found {mean}"));
                }
                positive("sd", sd)?;
                let var = sd * sd;
                let limit = mean * (1.0 - mean);
                if var >= limit {
                    return bad(format!(
                        "a beta with mean {mean} needs sd below {:.6} (sqrt(mean*(1-mean))), found {sd}",
                        limit.sqrt()
                    ));
                }
                let k = limit / var - 1.0;
                Kernel::Beta { a: positive("mean", mean * k)?, b: positive("mean", (1.0 - mean) * k)? }
            }
            Shape::Gamma { mean, sd } => {
                positive("mean", mean)?;
                positive("sd", sd)?;
                let shape_k = (mean / sd).powi(2);
                let rate = mean / (sd * sd);
                Kernel::Gamma { k: positive("sd", shape_k)?, rate: positive("sd", rate)? }
            }
            Shape::Uniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                if min >= max {
                    return bad(format!("a uniform needs min < max, found min {min} and max {max}"));
                }
                Kernel::Uniform { min, max }
            }
            Shape::Triangular { min, mode, max } | Shape::Pert { min, mode, max } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min < max && min <= mode && mode <= max) {
                    return bad(format!(
                        "needs min <= mode <= max with min < max, found min {min}, mode {mode}, max {max}"
                    ));
                }
                if matches!(shape, Shape::Triangular { .. }) {
                    Kernel::Triangular { min, mode, max }
                } else {
                    let width = max - min;
                    let a = 1.0 + 4.0 * (mode - min) / width;
                    let b = 1.0 + 4.0 * (max - mode) / width;
                    Kernel::Pert { min, width, a, b }
                }
            }
        };
        if let Some(l) = lower {
            finite("min", l)?;
        }
        if let Some(u) = upper {
            finite("max", u)?;
        }
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return bad(format!("truncation needs min <= max, found min {l} and max {u}"));
        }
        let cdf_lower = lower.map_or(0.0, |l| kernel.cdf(l));
        let cdf_upper = upper.map_or(1.0, |u| kernel.cdf(u));
        if lower.is_some() || upper.is_some() {
            if matches!(kernel, Kernel::Fixed(_)) {
                return bad("a fixed value cannot be truncated".into());
            }
            if cdf_upper - cdf_lower <= 1e-12 {
                return bad(format!(
                    "the truncation range [{}, {}] holds no probability of this distribution",
                    lower.map_or("-inf".into(), |v| v.to_string()),
                    upper.map_or("inf".into(), |v| v.to_string())
                ));
            }
        }
        let mut dist = Distribution { shape, lower, upper, kernel, cdf_lower, cdf_upper, mean: 0.0 };
        dist.mean = dist.compute_mean();
        Ok(dist)
    }

    fn is_truncated(&self) -> bool {
        self.lower.is_some() || self.upper.is_some()
    }

    fn compute_mean(&self) -> f64 {
        match self.shape {
            Shape::Fixed(v) => return v,
            _ if !self.is_truncated() => {
                return match self.shape {
                    Shape::Normal { mean, .. }
                    | Shape::LogNormal { mean, .. }
                    | Shape::Beta { mean, .. }
                    | Shape::Gamma { mean, .. } => mean,
                    Shape::Uniform { min, max } => (min + max) / 2.0,
                    Shape::Triangular { min, mode, max } => (min + mode + max) / 3.0,
                    Shape::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
                    Shape::Fixed(v) => v,
                };
            }
            _ => {}
        }
        // Truncated: the mean is the integral of the quantile function over (0, 1), by
        // 4-point Gauss-Legendre on panels that are uniform in the middle and shrink
        // geometrically towards 0 and 1, where an unbounded tail lives.
        const NODES: [(f64, f64); 4] = [
            (-0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
            (-0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
            (0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
            (0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
        ];
        let mut cuts: Vec<f64> = (3..=15).rev().map(|k| 10f64.powi(-k)).collect();
        cuts.insert(0, 0.0);
        let middle = 400;
        for i in 0..=middle {
            cuts.push(1e-3 + (1.0 - 2e-3) * i as f64 / middle as f64);
        }
        // Near 1 the spacing of doubles is 1.1e-16: stop at 1 - 1e-15, leaving out a tail of
        // probability 1e-15 (the same is left out near 0 for symmetry).
        cuts.extend((3..=15).map(|k| 1.0 - 10f64.powi(-k)));
        cuts[0] = 1e-15;
        cuts.remove(1);
        let mut total = 0.0;
        let mass = cuts[cuts.len() - 1] - cuts[0];
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b <= a {
                continue;
            }
            let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
            for (x, wt) in NODES {
                total += wt * half * self.quantile(mid + half * x);
            }
        }
        total / mass
    }

    /// The shape as written in the file.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Whether the value is fixed (not uncertain).
    pub(crate) fn is_fixed(&self) -> bool {
        matches!(self.shape, Shape::Fixed(_))
    }

    /// The expected value, of the truncated distribution where truncated.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Lower truncation bound (`min`), if any.
    pub fn lower(&self) -> Option<f64> {
        self.lower
    }

    /// The `u`-quantile of the (truncated) distribution, `u` in [0, 1].
    pub fn quantile(&self, u: f64) -> f64 {
        if let Kernel::Fixed(v) = self.kernel {
            return v;
        }
        let p = self.cdf_lower + u.clamp(0.0, 1.0) * (self.cdf_upper - self.cdf_lower);
        let x = self.kernel.quantile(p);
        let x = match self.lower {
            Some(l) => x.max(l),
            None => x,
        };
        match self.upper {
            Some(h) => x.min(h),
            None => x,
        }
    }

    /// The smallest and largest value a draw can take: draws use uniforms in
    /// `[2^-53, 1 - 2^-53]` (see `Stream::open_uniform`), so these are the quantiles there.
    pub(crate) fn support(&self) -> (f64, f64) {
        const U_MIN: f64 = 1.0 / (1u64 << 53) as f64;
        (self.quantile(U_MIN), self.quantile(1.0 - U_MIN))
    }

    /// A one-line description as in the file, e.g. `beta(mean 0.3, sd 0.05) in [0.1, 0.5]`.
    pub(crate) fn describe(&self) -> String {
        let core = match self.shape {
            Shape::Fixed(v) => return format!("{v}"),
            Shape::Normal { mean, sd } => format!("normal(mean {mean}, sd {sd})"),
            Shape::LogNormal { mean, sd } => format!("lognormal(mean {mean}, sd {sd})"),
            Shape::Beta { mean, sd } => format!("beta(mean {mean}, sd {sd})"),
            Shape::Gamma { mean, sd } => format!("gamma(mean {mean}, sd {sd})"),
            Shape::Uniform { min, max } => return format!("uniform({min}, {max})"),
            Shape::Triangular { min, mode, max } => return format!("triangular({min}, {mode}, {max})"),
            Shape::Pert { min, mode, max } => return format!("pert({min}, {mode}, {max})"),
        };
        match (self.lower, self.upper) {
            (None, None) => core,
            (l, u) => format!(
                "{core} truncated to [{}, {}]",
                l.map_or("-inf".into(), |v| v.to_string()),
                u.map_or("inf".into(), |v| v.to_string())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_mean_sd(d: &Distribution) -> (f64, f64) {
        // Deterministic quadrature on a fine grid of u: exact up to discretisation.
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|i| d.quantile((i as f64 + 0.5) / n as f64)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        (m, v.sqrt())
    }

    #[test]
    fn moments_match_the_parameters() {
        let cases = [
            Shape::Normal { mean: 10.0, sd: 2.0 },
            Shape::LogNormal { mean: 3.0, sd: 1.0 },
            Shape::Beta { mean: 0.3, sd: 0.1 },
            Shape::Gamma { mean: 2.0, sd: 0.5 },
        ];
        for s in cases {
            let (mean, sd) = match s {
                Shape::Normal { mean, sd }
                | Shape::LogNormal { mean, sd }
                | Shape::Beta { mean, sd }
                | Shape::Gamma { mean, sd } => (mean, sd),
                _ => unreachable!(),
            };
            let d = Distribution::new(s.clone(), None, None).unwrap();
            let (m, v) = sample_mean_sd(&d);
            assert!((m - mean).abs() < 2e-3 * mean, "{s:?}: mean {m}");
            assert!((v - sd).abs() < 1e-2 * sd, "{s:?}: sd {v}");
        }
    }

    #[test]
    fn pert_and_triangular_means() {
        let p = Distribution::new(Shape::Pert { min: 0.0, mode: 2.0, max: 10.0 }, None, None).unwrap();
        assert!((sample_mean_sd(&p).0 - 3.0).abs() < 1e-3);
        let t = Distribution::new(Shape::Triangular { min: 0.0, mode: 2.0, max: 10.0 }, None, None).unwrap();
        assert!((sample_mean_sd(&t).0 - 4.0).abs() < 1e-3);
        assert!((t.mean() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn truncated_normal_mean_is_closed_form() {
        // X ~ N(0,1) truncated to [0, inf): mean = phi(0) / (1 - Phi(0)) = sqrt(2/pi).
        let d = Distribution::new(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(0.0), None).unwrap();
        assert!((d.mean() - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-6, "{}", d.mean());
        assert!(d.quantile(0.0) >= 0.0);
        // Truncated to [-1, 1]: symmetric, mean 0.
        let d = Distribution::new(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(-1.0), Some(1.0)).unwrap();
        assert!(d.mean().abs() < 1e-9);
        let (lo, hi) = d.support();
        assert!(lo >= -1.0 && hi <= 1.0 && lo < -0.999 && hi > 0.999);
    }

    #[test]
    fn infeasible_parameters_are_rejected() {
        assert!(Distribution::new(Shape::Beta { mean: 0.5, sd: 0.5 }, None, None).is_err());
        assert!(Distribution::new(Shape::Beta { mean: 1.2, sd: 0.1 }, None, None).is_err());
        assert!(Distribution::new(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(2.0), Some(1.0)).is_err());
        assert!(Distribution::new(Shape::Normal { mean: 0.0, sd: 1.0 }, Some(50.0), Some(60.0)).is_err());
        assert!(Distribution::new(Shape::Uniform { min: 2.0, max: 1.0 }, None, None).is_err());
        assert!(Distribution::new(Shape::Normal { mean: f64::NAN, sd: 1.0 }, None, None).is_err());
    }
}
