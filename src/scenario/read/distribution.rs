//! Values: a number (fixed) or a distribution table, each registered as a [`Param`] with
//! its dotted path.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{MAX_MAGNITUDE, Rule};
use super::{Cx, join};
use crate::scenario::dist::{Distribution, Shape};
use crate::scenario::{Param, ParamId};

impl Cx<'_> {
    /// Adds a parameter and returns its index.
    pub(super) fn register(&mut self, path: String, dist: Distribution) -> ParamId {
        self.params.push(Param { path, dist });
        ParamId(self.params.len() - 1)
    }

    /// A *value*: a number (fixed) or a distribution table. Invalid input is reported and
    /// replaced by a placeholder so that reading goes on and finds every problem.
    pub(super) fn value(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        rule: Rule,
        span: &Range<usize>,
        default: Option<f64>,
    ) -> ParamId {
        let full = join(path, key);
        let dist = match t.get(key) {
            None => {
                if default.is_none() {
                    self.missing(span, &full, &format!("{} or a distribution", rule.describe()));
                }
                Distribution::fixed(default.unwrap_or(0.0))
            }
            Some(v) => match v.get_ref() {
                DeValue::Table(d) => {
                    self.distribution(d, v.span(), &full, rule).unwrap_or_else(|| Distribution::fixed(0.0))
                }
                _ => Distribution::fixed(self.check_number(v, &full, rule).unwrap_or(0.0)),
            },
        };
        self.register(full, dist)
    }

    /// A distribution table `{ dist = "...", ... }` under `full`, whose draws must satisfy
    /// `rule`; `None` when it has a problem (reported at the table).
    pub(super) fn distribution(
        &mut self,
        d: &DeTable<'_>,
        span: Range<usize>,
        full: &str,
        rule: Rule,
    ) -> Option<Distribution> {
        let kind = self.one_of(d, full, "dist", &KINDS, &span)?;
        let (shape, lower, upper) = self.shape(d, &span, full, &kind)?;
        let dist = match Distribution::new(shape, lower, upper) {
            Ok(d) => d,
            Err(e) => {
                self.problem(span, full, &format!("a feasible {kind} distribution"), e.to_string(), None);
                return None;
            }
        };
        let (lo, hi) = dist.support();
        if draws_outside(rule, lo, hi) {
            self.problem(
                span,
                full,
                &format!("a distribution whose draws are all {}", draw_bound(rule)),
                format!("{}, whose draws range from {} to {}", dist.describe(), bound(lo), bound(hi)),
                Some(truncation_hint(rule, lo, hi)),
            );
            return None;
        }
        Some(dist)
    }

    /// The shape of a distribution of `kind` from its parameters (`mean`, `sd` or `min`,
    /// [`mode`,] `max`), with the truncation bounds `min` and `max` of the shapes whose
    /// parameters they are not. `None` when a parameter is missing or no number.
    fn shape(
        &mut self,
        d: &DeTable<'_>,
        span: &Range<usize>,
        full: &str,
        kind: &str,
    ) -> Option<(Shape, Option<f64>, Option<f64>)> {
        let (params, bounds_are_params): (&[&str], bool) = match kind {
            "normal" | "lognormal" | "beta" | "gamma" => (&["mean", "sd"], false),
            "uniform" => (&["min", "max"], true),
            _ => (&["min", "mode", "max"], true),
        };
        let mut known = vec!["dist"];
        known.extend_from_slice(params);
        if !bounds_are_params {
            known.extend_from_slice(&["min", "max"]);
        }
        self.known_keys(d, full, &known);
        // Unknown keys are reported but do not stop the distribution; missing or wrong
        // parameters do.
        let before = self.problems.len();
        let get = |cx: &mut Self, k: &str, required: bool| -> Option<f64> {
            match d.get(k) {
                Some(v) => cx.check_number(v, &join(full, k), Rule::Real),
                None if required => {
                    cx.missing(span, &join(full, k), "a number");
                    None
                }
                None => None,
            }
        };
        let p: Vec<Option<f64>> = params.iter().map(|k| get(self, k, true)).collect();
        let (lower, upper) =
            if bounds_are_params { (None, None) } else { (get(self, "min", false), get(self, "max", false)) };
        if self.problems.len() > before {
            return None;
        }
        let p: Vec<f64> = p.into_iter().map(|x| x.unwrap_or(0.0)).collect();
        let shape = match kind {
            "normal" => Shape::Normal { mean: p[0], sd: p[1] },
            "lognormal" => Shape::LogNormal { mean: p[0], sd: p[1] },
            "beta" => Shape::Beta { mean: p[0], sd: p[1] },
            "gamma" => Shape::Gamma { mean: p[0], sd: p[1] },
            "uniform" => Shape::Uniform { min: p[0], max: p[1] },
            "triangular" => Shape::Triangular { min: p[0], mode: p[1], max: p[2] },
            _ => Shape::Pert { min: p[0], mode: p[1], max: p[2] },
        };
        Some((shape, lower, upper))
    }
}

/// The kinds of distribution, as the file names them.
const KINDS: [&str; 7] = ["normal", "lognormal", "beta", "gamma", "uniform", "triangular", "pert"];

/// Whether some draws from `lo` to `hi` break `rule` or exceed 1e15 in size.
fn draws_outside(rule: Rule, lo: f64, hi: f64) -> bool {
    let ok = match rule {
        Rule::Real => true,
        Rule::NonNeg => lo >= 0.0,
        Rule::Positive => lo > 0.0,
        Rule::Share => lo >= 0.0 && hi <= 1.0,
    };
    !ok || hi.abs() > MAX_MAGNITUDE || lo.abs() > MAX_MAGNITUDE
}

/// A bound of a distribution's draws as a message gives it: six decimals, or three
/// significant digits in scientific notation where it is large.
fn bound(x: f64) -> String {
    if x.abs() >= 1e9 { format!("{x:.3e}") } else { format!("{x:.6}") }
}

/// What every draw of a distribution under `rule` must be, as a message says it.
fn draw_bound(rule: Rule) -> &'static str {
    match rule {
        Rule::Real => "finite and at most 1e15 in size",
        Rule::NonNeg => "at least 0 and at most 1e15",
        Rule::Positive => "greater than 0 and at most 1e15",
        Rule::Share => "between 0 and 1",
    }
}

/// How to bring a distribution's draws, which range from `lo` to `hi`, within `rule`: the
/// bound that is broken names the key to add (a lower one for a negative draw, an upper one
/// for a draw too large to compute with, such as a lognormal with a huge sd).
fn truncation_hint(rule: Rule, lo: f64, hi: f64) -> String {
    let low_ok = match rule {
        Rule::Real => lo.abs() <= MAX_MAGNITUDE,
        Rule::NonNeg | Rule::Share => lo >= 0.0,
        Rule::Positive => lo > 0.0,
    };
    let high_ok = hi.abs() <= MAX_MAGNITUDE && (rule != Rule::Share || hi <= 1.0);
    let low = match rule {
        Rule::Share | Rule::NonNeg => "add `min = 0` to truncate",
        Rule::Positive => "add a positive `min` to truncate",
        Rule::Real => "add a `min` to truncate",
    };
    let high = match rule {
        Rule::Share => "add `max = 1` to truncate, or use a beta".to_string(),
        _ => format!("its draws reach {hi:.3e}, beyond 1e15: use a smaller sd, or add a `max` to truncate"),
    };
    match (low_ok, high_ok) {
        (false, false) if rule == Rule::Share => "add `min = 0` and `max = 1` to truncate, or use a beta".into(),
        (false, false) => format!("{low}; {high}"),
        (false, true) => low.into(),
        _ => high,
    }
}
