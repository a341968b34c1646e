//! Reading one key of a table: a number under a [`Rule`], a whole number, a text, a true or
//! false, a table or an array of tables, each with the problem reported when the key is
//! missing or holds something else; and the checks several sections share (a yearly rate
//! in range, one of a set of texts, keys that belong only with another setting).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::{Cx, EMPTY_TABLE, RATE_MAX, RATE_MIN, RATE_RANGE, Val, join};

/// What a number must satisfy.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Rule {
    /// Any finite number.
    Real,
    /// Money or a count: at least 0.
    NonNeg,
    /// Strictly positive.
    Positive,
    /// A share or probability in [0, 1].
    Share,
}

impl Rule {
    /// What the rule asks, as a message says it.
    pub(super) fn describe(self) -> &'static str {
        match self {
            Rule::Real => "a finite number",
            Rule::NonNeg => "a number >= 0",
            Rule::Positive => "a number > 0",
            Rule::Share => "a share between 0 and 1",
        }
    }

    /// Whether `v` satisfies the rule (always finite).
    pub(super) fn holds(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Rule::Real => true,
                Rule::NonNeg => v >= 0.0,
                Rule::Positive => v > 0.0,
                Rule::Share => (0.0..=1.0).contains(&v),
            }
    }
}

/// Largest amount accepted: sums over runs, years and segments stay far from overflow.
pub(super) const MAX_MAGNITUDE: f64 = 1e15;

/// The longest text a scenario may give (a name, a description, a question): well within
/// the 32,767 characters a workbook cell holds, with room for what the reports add to it.
pub(super) const MAX_TEXT: usize = 10_000;

/// The longest id: an id names a folder (`variants/<id>/`), and 60 characters of up to four
/// bytes each stay within the 255 bytes a file name may have.
pub(super) const MAX_ID: usize = 60;

/// What a value is, as a message says it: `the string "x"`, `a table`.
pub(super) fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("{b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// The value as a number, when it is an integer or a float.
pub(super) fn as_number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|x| x as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        _ => None,
    }
}

/// "did you mean `k`?" for the known name closest to `key`, when one is close enough.
pub(super) fn suggest(key: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

impl Cx<'_> {
    /// Reports every key of `t` that the format does not know.
    pub(super) fn known_keys(&mut self, t: &DeTable<'_>, path: &str, known: &[&str]) {
        for (k, _) in t.iter() {
            let name: &str = k.get_ref();
            if !known.contains(&name) {
                let hint = suggest(name, known).or_else(|| Some(format!("known keys here: {}", known.join(", "))));
                self.problem(
                    k.span(),
                    &join(path, name),
                    "a key of the scenario format",
                    format!("unknown key `{name}`"),
                    hint,
                );
            }
        }
    }

    /// The table under `key`, with its span; a missing required table is reported at `span`.
    pub(super) fn table<'t, 'i>(
        &mut self,
        t: &'t DeTable<'i>,
        key: &str,
        path: &str,
        required: bool,
        span: Range<usize>,
    ) -> Option<(&'t DeTable<'i>, Range<usize>)> {
        match t.get(key) {
            Some(v) => match v.get_ref() {
                DeValue::Table(inner) => Some((inner, v.span())),
                other => {
                    self.problem(v.span(), &join(path, key), "a table", describe(other), None);
                    None
                }
            },
            None => {
                if required {
                    self.problem(span, &join(path, key), &format!("a table `[{key}]`"), "nothing".into(), None);
                }
                None
            }
        }
    }

    /// Reports a missing key at the start of its table's `span`.
    pub(super) fn missing(&mut self, span: &Range<usize>, key: &str, expected: &str) {
        self.problem(span.clone(), key, expected, "nothing (the key is missing)".into(), None);
    }

    /// A section of the file such as `[economy]`, with its span; a missing section reads as an
    /// empty table at `span` (reported when `required`).
    pub(super) fn section<'t, 'i>(
        &mut self,
        root: &'t DeTable<'i>,
        key: &str,
        required: bool,
        span: &Range<usize>,
    ) -> (&'t DeTable<'i>, Range<usize>) {
        self.table(root, key, "", required, span.clone()).unwrap_or((&EMPTY_TABLE, span.clone()))
    }

    /// An array of tables such as `[[segment]]`.
    pub(super) fn tables<'t, 'i>(&mut self, t: &'t DeTable<'i>, key: &str) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        match t.get(key) {
            None => Vec::new(),
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    let mut out = Vec::new();
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::Table(inner) => out.push((inner, item.span())),
                            other => {
                                self.problem(item.span(), key, &format!("tables `[[{key}]]`"), describe(other), None)
                            }
                        }
                    }
                    out
                }
                other => {
                    self.problem(v.span(), key, &format!("tables `[[{key}]]`"), describe(other), None);
                    Vec::new()
                }
            },
        }
    }

    /// A number under `rule`; a missing key takes `default`, or is reported when there is none.
    pub(super) fn number(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        rule: Rule,
        span: &Range<usize>,
        default: Option<f64>,
    ) -> Option<f64> {
        let full = join(path, key);
        match t.get(key) {
            None => {
                if default.is_none() {
                    self.missing(span, &full, rule.describe());
                }
                default
            }
            Some(v) => self.check_number(v, &full, rule),
        }
    }

    /// A number that may be left out: `None` when the key is absent.
    pub(super) fn optional_number(&mut self, t: &DeTable<'_>, path: &str, key: &str, rule: Rule) -> Option<f64> {
        let v = t.get(key)?;
        self.check_number(v, &join(path, key), rule)
    }

    /// Reports a yearly rate read from `key` that lies outside -0.5 to 1: compounded over
    /// the horizon, larger rates overflow.
    pub(super) fn rate_in_range(&mut self, t: &DeTable<'_>, path: &str, key: &str, rate: f64) {
        if !(RATE_MIN..=RATE_MAX).contains(&rate)
            && let Some(v) = t.get(key)
        {
            self.problem(v.span(), &join(path, key), RATE_RANGE, format!("{rate}"), None);
        }
    }

    /// Checks a value found under `full` as a number under `rule`, at most 1e15 in size.
    pub(super) fn check_number(&mut self, v: &Val<'_>, full: &str, rule: Rule) -> Option<f64> {
        match as_number(v.get_ref()) {
            Some(x) if rule.holds(x) && x.abs() <= MAX_MAGNITUDE => Some(x),
            Some(x) if x.is_finite() && x.abs() > MAX_MAGNITUDE => {
                self.problem(
                    v.span(),
                    full,
                    &format!("{} of at most 1e15 in size", rule.describe()),
                    format!("{x:e}"),
                    None,
                );
                None
            }
            Some(x) => {
                self.problem(v.span(), full, rule.describe(), format!("{x}"), None);
                None
            }
            None => {
                let hint = match v.get_ref() {
                    DeValue::String(s) if s.replace(['_', ','], "").trim().parse::<f64>().is_ok() => {
                        Some("write the number without quotes".to_string())
                    }
                    DeValue::Table(_) => {
                        Some("only values marked as uncertain in the format may be distributions".into())
                    }
                    _ => None,
                };
                self.problem(v.span(), full, rule.describe(), describe(v.get_ref()), hint);
                None
            }
        }
    }

    /// An optional list of numbers; `None` when the key is absent.
    pub(super) fn number_list(&mut self, t: &DeTable<'_>, path: &str, key: &str, rule: Rule) -> Option<Vec<f64>> {
        let full = join(path, key);
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::Array(items) => {
                Some(items.iter().map(|item| self.check_number(item, &full, rule).unwrap_or(0.0)).collect())
            }
            other => {
                let expected = format!("a list of numbers, each {}", rule.describe());
                self.problem(v.span(), &full, &expected, describe(other), None);
                Some(Vec::new())
            }
        }
    }

    /// A whole number within `range`; a missing key takes `default`, or is reported when there
    /// is none.
    pub(super) fn integer(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        range: (i64, i64),
        span: &Range<usize>,
        default: Option<i64>,
    ) -> Option<i64> {
        let full = join(path, key);
        let expected = format!("a whole number from {} to {}", range.0, range.1);
        match t.get(key) {
            None => {
                if default.is_none() {
                    self.missing(span, &full, &expected);
                }
                default
            }
            Some(v) => {
                let x = match v.get_ref() {
                    DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
                    DeValue::Float(f) => {
                        f.as_str().parse::<f64>().ok().filter(|x| x.fract() == 0.0 && x.abs() < 9e15).map(|x| x as i64)
                    }
                    _ => None,
                };
                match x {
                    Some(x) if x >= range.0 && x <= range.1 => Some(x),
                    _ => {
                        self.problem(v.span(), &full, &expected, describe(v.get_ref()), None);
                        None
                    }
                }
            }
        }
    }

    /// A text in quotes; a missing key is reported when `required`.
    pub(super) fn string(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        span: &Range<usize>,
        required: bool,
    ) -> Option<String> {
        let full = join(path, key);
        match t.get(key) {
            None => {
                if required {
                    self.missing(span, &full, "a text in quotes");
                }
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) if s.chars().count() > MAX_TEXT => {
                    self.problem(
                        v.span(),
                        &full,
                        &format!("a text of at most {MAX_TEXT} characters (the reports and the workbook hold it)"),
                        format!("a text of {} characters", s.chars().count()),
                        None,
                    );
                    None
                }
                DeValue::String(s) => Some(s.to_string()),
                other => {
                    self.problem(v.span(), &full, "a text in quotes", describe(other), None);
                    None
                }
            },
        }
    }

    /// A text that must be one of `choices` (with a "did you mean" hint); `None`, reported,
    /// when it is missing or another.
    pub(super) fn one_of(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        choices: &[&str],
        span: &Range<usize>,
    ) -> Option<String> {
        let expected = format!("one of {}", choices.join(", "));
        let Some(v) = t.get(key) else {
            self.missing(span, &join(path, key), &expected);
            return None;
        };
        match v.get_ref() {
            DeValue::String(s) if choices.contains(&s.as_ref()) => Some(s.to_string()),
            other => {
                let hint = if let DeValue::String(s) = other { suggest(s, choices) } else { None };
                self.problem(v.span(), &join(path, key), &expected, describe(other), hint);
                None
            }
        }
    }

    /// Reports each of `keys` present in `t`: they belong only with another setting, which
    /// `expected` names.
    pub(super) fn only_with(&mut self, t: &DeTable<'_>, path: &str, keys: &[&str], expected: &str) {
        for key in keys {
            if let Some(v) = t.get(*key) {
                self.problem(v.span(), &join(path, key), expected, describe(v.get_ref()), None);
            }
        }
    }

    /// Whether a problem has been reported under `key` already.
    pub(super) fn reported(&self, key: &str) -> bool {
        self.problems.iter().any(|p| p.key == key)
    }

    /// `true` or `false`; a missing or wrong value takes `default`.
    pub(super) fn boolean(&mut self, t: &DeTable<'_>, path: &str, key: &str, default: bool) -> bool {
        match t.get(key) {
            None => default,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.problem(v.span(), &join(path, key), "true or false", describe(other), None);
                    default
                }
            },
        }
    }
}
