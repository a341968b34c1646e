//! Reading a scenario file: TOML with spans, every key checked against the format, every
//! problem collected (not just the first) with its line, column, key, expectation and
//! finding, then cross-references validated.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod distribution;
mod ids;
mod keys;

use ids::{CONTRACT, PROGRAMME, SEGMENT};

use super::dist::Distribution;
use super::{
    Band, Contract, DiscountStep, Financing, Follows, Form, InvestorTerms, OutcomeTerms, Param, ParamId, Problem,
    Programme, ProviderDefaults, RiskSharing, Scenario, ScenarioError, Segment, SocietalBenefit, Strategy,
};
use keys::{MAX_MAGNITUDE, Rule, as_number, describe, suggest};

/// Yearly rates (growth, inflation, indexation, discounting) lie in this range.
const RATE_MIN: f64 = -0.5;
const RATE_MAX: f64 = 1.0;
const RATE_RANGE: &str = "a yearly rate from -0.5 to 1 (-50% to +100%)";
const RATE_HINT: &str = "for an uncertain rate, truncate it with `min` and `max`";

/// Largest scenario file read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let fail = |expected: &str, found: String| ScenarioError {
        problems: vec![Problem {
            file: path.to_path_buf(),
            position: None,
            key: String::new(),
            expected: expected.into(),
            found,
            hint: None,
        }],
    };
    if path.is_dir() {
        return Err(fail("a scenario file (.toml)", "a directory".into()));
    }
    // A hand-written scenario is a few kilobytes; a huge file (millions of segments) would
    // take the parser minutes and gigabytes before any other check could refuse it.
    if let Ok(m) = std::fs::metadata(path)
        && m.len() > MAX_FILE_BYTES
    {
        return Err(fail("a scenario file of at most 16 MiB", format!("{:.1} MiB", m.len() as f64 / 1048576.0)));
    }
    let bytes = std::fs::read(path).map_err(|e| fail("a readable scenario file", e.to_string()))?;
    match String::from_utf8(bytes) {
        Ok(text) => parse_str(&text, path),
        Err(e) => {
            let ok = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..ok]).into_owned();
            let (line, col) = line_col(&text, ok);
            Err(ScenarioError {
                problems: vec![Problem {
                    file: path.to_path_buf(),
                    position: Some((line, col)),
                    key: String::new(),
                    expected: "text in UTF-8".into(),
                    found: format!("byte 0x{:02x}, which is not UTF-8", e.as_bytes()[ok]),
                    hint: Some("save the file as UTF-8".into()),
                }],
            })
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The key written on the line around `offset` (`key = ...` or `[table]`), to name it in a
/// syntax error; empty when the line has none.
fn key_on_line(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text.get(start..end).unwrap_or("").trim();
    let key = match line.split_once('=') {
        Some((k, _)) => k.trim(),
        None => line.trim_start_matches('[').trim_end_matches(']').trim(),
    };
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if !key.is_empty() && key.len() <= 100 && key.chars().all(bare) { key.to_string() } else { String::new() }
}

/// Parses and validates scenario text; `file` names it in messages.
pub fn parse_str(text: &str, file: &Path) -> Result<Scenario, ScenarioError> {
    let mut cx = Cx { file, text, problems: Vec::new(), params: Vec::new(), warn_later: Vec::new() };
    let root = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let (position, msg) = match e.span() {
                Some(s) => (Some(line_col(text, s.start)), e.message().trim().to_string()),
                None => (None, e.message().trim().to_string()),
            };
            return Err(ScenarioError {
                problems: vec![Problem {
                    file: file.to_path_buf(),
                    position,
                    key: e.span().map(|s| key_on_line(text, s.start)).unwrap_or_default(),
                    expected: "valid TOML".into(),
                    found: msg,
                    hint: None,
                }],
            });
        }
    };
    let scenario = cx.scenario(root.get_ref(), root.span());
    match scenario {
        Some(mut s) if cx.problems.is_empty() => {
            s.sha256 = hex(&Sha256::digest(text.as_bytes()));
            s.params = cx.params;
            Ok(s)
        }
        _ => {
            if cx.problems.is_empty() {
                cx.problems.push(Problem {
                    file: file.to_path_buf(),
                    position: None,
                    key: String::new(),
                    expected: "a complete scenario".into(),
                    found: "an incomplete one".into(),
                    hint: None,
                });
            }
            cx.problems.sort_by_key(|p| p.position);
            Err(ScenarioError { problems: cx.problems })
        }
    }
}

/// Lower-case hex of some bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A TOML value with its span in the file.
type Val<'i> = Spanned<DeValue<'i>>;

/// The reading of one file: the problems found so far and the parameters registered so far.
struct Cx<'a> {
    /// The file, to name it in problems.
    file: &'a Path,
    /// Its text, to turn spans into lines and columns.
    text: &'a str,
    /// Every problem found, in the order found.
    problems: Vec<Problem>,
    /// Every value read, in the order read: a parameter's index is its place here.
    params: Vec<Param>,
    /// Notes for the user that do not stop a run.
    warn_later: Vec<String>,
}

impl<'a> Cx<'a> {
    /// Reports a problem at the start of `span`.
    fn problem(&mut self, span: Range<usize>, key: &str, expected: &str, found: String, hint: Option<String>) {
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            position: Some(line_col(self.text, span.start)),
            key: key.to_string(),
            expected: expected.to_string(),
            found,
            hint,
        });
    }

    /// The whole file: every section in the order of the format.
    fn scenario(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Option<Scenario> {
        const TOP: [&str; 9] = [
            "scenario",
            "population",
            "economy",
            "segment",
            "contract",
            "provider",
            "prevention",
            "societal_benefit",
            "strategy",
        ];
        self.known_keys(root, "", &TOP);

        // [scenario]
        let (sc, sc_span) = self.section(root, "scenario", true, &span);
        self.known_keys(
            sc,
            "scenario",
            &[
                "name",
                "description",
                "start_year",
                "horizon_years",
                "steps_per_year",
                "discount_rate",
                "runs",
                "seed",
                "waiting_norm_weeks",
            ],
        );
        let name = self.string(sc, "scenario", "name", &sc_span, true).unwrap_or_default();
        let description = self.string(sc, "scenario", "description", &sc_span, false).unwrap_or_default();
        let start_year =
            self.integer(sc, "scenario", "start_year", (1900, 2200), &sc_span, None).unwrap_or(2025) as i32;
        let horizon_years =
            self.integer(sc, "scenario", "horizon_years", (1, 200), &sc_span, Some(20)).unwrap_or(20) as usize;
        let steps_per_year = match sc.get("steps_per_year") {
            None => 12,
            Some(v) => match as_number(v.get_ref()) {
                Some(x) if x == 1.0 || x == 4.0 || x == 12.0 => x as usize,
                _ => {
                    self.problem(v.span(), "scenario.steps_per_year", "1, 4 or 12", describe(v.get_ref()), None);
                    12
                }
            },
        };
        let discount_schedule = match sc.get("discount_rate") {
            Some(v) if matches!(v.get_ref(), DeValue::Array(_)) => self.discount_schedule(v, start_year),
            _ => {
                let rate = self.number(sc, "scenario", "discount_rate", Rule::Real, &sc_span, None).unwrap_or(0.0);
                self.rate_in_range(sc, "scenario", "discount_rate", rate);
                vec![DiscountStep { from_year: start_year, rate }]
            }
        };
        let discount_rate = discount_schedule.first().map_or(0.0, |s| s.rate);
        let runs =
            self.integer(sc, "scenario", "runs", (1, 100_000_000), &sc_span, Some(1000)).unwrap_or(1000) as usize;
        let seed = match sc.get("seed") {
            None => 1,
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => match u64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(s) => s,
                    Err(_) => {
                        self.problem(
                            v.span(),
                            "scenario.seed",
                            "a whole number from 0 to 18446744073709551615",
                            describe(v.get_ref()),
                            None,
                        );
                        1
                    }
                },
                other => {
                    self.problem(v.span(), "scenario.seed", "a whole number", describe(other), None);
                    1
                }
            },
        };

        let waiting_norm_weeks =
            self.number(sc, "scenario", "waiting_norm_weeks", Rule::NonNeg, &sc_span, Some(4.0)).unwrap_or(4.0);

        // [population]
        let (pop, pop_span) = self.section(root, "population", true, &span);
        self.known_keys(pop, "population", &["youth", "growth"]);
        let youth = self.number(pop, "population", "youth", Rule::NonNeg, &pop_span, None).unwrap_or(0.0);
        let growth = self.value(pop, "population", "growth", Rule::Real, &pop_span, Some(0.0));

        // [economy]
        let (eco, eco_span) = self.section(root, "economy", false, &span);
        self.known_keys(
            eco,
            "economy",
            &[
                "cost_inflation",
                "tariff_indexation",
                "budget",
                "budget_growth",
                "budget_by_year",
                "budget_period_years",
                "certainty",
                "available_reserve",
            ],
        );
        let cost_inflation = self.value(eco, "economy", "cost_inflation", Rule::Real, &eco_span, Some(0.0));
        let tariff_indexation = self.value(eco, "economy", "tariff_indexation", Rule::Real, &eco_span, Some(0.0));
        // Rates compound over up to 200 years: outside [-0.5, 1] amounts overflow to
        // infinity (or shrink below zero population) before the horizon ends.
        for (id, table, key) in [
            (growth, pop, "population.growth"),
            (cost_inflation, eco, "economy.cost_inflation"),
            (tariff_indexation, eco, "economy.tariff_indexation"),
        ] {
            let (lo, hi) = self.params[id.0].dist.support();
            if (lo < RATE_MIN || hi > RATE_MAX)
                && let Some(v) = key.split_once('.').and_then(|(_, k)| table.get(k))
            {
                self.problem(v.span(), key, RATE_RANGE, self.params[id.0].dist.describe(), Some(RATE_HINT.into()));
            }
        }
        let budget = self.optional_number(eco, "economy", "budget", Rule::NonNeg);
        let budget_growth =
            self.number(eco, "economy", "budget_growth", Rule::Real, &eco_span, Some(0.0)).unwrap_or(0.0);
        self.rate_in_range(eco, "economy", "budget_growth", budget_growth);
        let budget_by_year = self.number_list(eco, "economy", "budget_by_year", Rule::NonNeg);
        if let (Some(_), Some(v)) = (&budget, eco.get("budget_by_year"))
            && budget_by_year.is_some()
        {
            self.problem(
                v.span(),
                "economy.budget_by_year",
                "either `budget` (with `budget_growth`) or `budget_by_year`, not both",
                "both".into(),
                None,
            );
        }
        if let (Some(list), Some(v)) = (&budget_by_year, eco.get("budget_by_year"))
            && list.is_empty()
        {
            self.problem(
                v.span(),
                "economy.budget_by_year",
                "at least one yearly amount",
                "an empty list".into(),
                None,
            );
        }
        // Budget lines are in whole cents, as in a budget.
        let cents = |x: f64| (x * 100.0).round() / 100.0;
        let budget_line: Option<Vec<f64>> = match (&budget_by_year, budget) {
            (Some(list), _) if !list.is_empty() => {
                let last = *list.last().unwrap_or(&0.0);
                Some(
                    (0..horizon_years)
                        .map(|t| {
                            cents(
                                list.get(t)
                                    .copied()
                                    .unwrap_or_else(|| last * (1.0 + budget_growth).powi((t + 1 - list.len()) as i32)),
                            )
                        })
                        .collect(),
                )
            }
            (_, Some(b)) => Some((0..horizon_years).map(|t| cents(b * (1.0 + budget_growth).powi(t as i32))).collect()),
            _ => None,
        };
        let budget_period_years = self
            .integer(
                eco,
                "economy",
                "budget_period_years",
                (1, horizon_years as i64),
                &eco_span,
                Some(4.min(horizon_years as i64)),
            )
            .unwrap_or(1) as usize;
        let certainty = match eco.get("certainty") {
            None => vec![0.9],
            Some(v) => {
                let items: Vec<Val<'_>> = match v.get_ref() {
                    DeValue::Array(a) => a.iter().cloned().collect(),
                    _ => vec![v.clone()],
                };
                let mut out = Vec::new();
                for item in &items {
                    match as_number(item.get_ref()) {
                        Some(x) if x > 0.0 && x < 1.0 => out.push(x),
                        _ => self.problem(
                            item.span(),
                            "economy.certainty",
                            "a certainty strictly between 0 and 1 (e.g. 0.9), or a list of them",
                            describe(item.get_ref()),
                            None,
                        ),
                    }
                }
                if out.is_empty() && items.is_empty() {
                    self.problem(v.span(), "economy.certainty", "at least one certainty", "an empty list".into(), None);
                }
                out
            }
        };
        let available_reserve = self.optional_number(eco, "economy", "available_reserve", Rule::NonNeg);
        for key in ["budget_period_years", "certainty", "available_reserve"] {
            if budget_line.is_none()
                && let Some(v) = eco.get(key)
            {
                self.problem(
                    v.span(),
                    &format!("economy.{key}"),
                    "a budget line (`budget` or `budget_by_year`) next to this key",
                    "no budget line".into(),
                    None,
                );
            }
        }

        // [[segment]]
        let seg_tables = self.tables(root, "segment");
        if seg_tables.is_empty() && !root.contains_key("segment") {
            self.problem(span.clone(), "segment", "at least one `[[segment]]`", "none".into(), None);
        }
        let mut segments = Vec::new();
        let mut escalation_refs = Vec::new();
        let mut seg_index: HashMap<String, usize> = HashMap::new();
        for (i, (t, sp)) in seg_tables.iter().enumerate() {
            let (id, path) = self.id_of(t, "segment", i, sp, &mut seg_index, segments.len());
            self.known_keys(
                t,
                &path,
                &[
                    "id",
                    "name",
                    "incidence_per_1000",
                    "initial_caseload",
                    "mean_duration_years",
                    "cost_per_client_year",
                    "success_rate",
                    "reentry_rate",
                    "reentry_delay_years",
                    "escalates_to",
                    "escalation_rate",
                    "escalation_while_waiting_rate",
                    "waiting_dropout_rate",
                    "dropout_cost_per_client_year",
                ],
            );
            let name = self.string(t, &path, "name", sp, false).unwrap_or_else(|| id.clone());
            let incidence_per_1000 = self.value(t, &path, "incidence_per_1000", Rule::NonNeg, sp, None);
            let initial_caseload = self.number(t, &path, "initial_caseload", Rule::NonNeg, sp, None).unwrap_or(0.0);
            if initial_caseload.fract() != 0.0
                && let Some(v) = t.get("initial_caseload")
            {
                self.problem(
                    v.span(),
                    &join(&path, "initial_caseload"),
                    "a whole number of clients",
                    format!("{initial_caseload}"),
                    None,
                );
            }
            let mean_duration_years = self.value(t, &path, "mean_duration_years", Rule::Positive, sp, None);
            let cost_per_client_year = self.value(t, &path, "cost_per_client_year", Rule::NonNeg, sp, None);
            let success_rate = self.value(t, &path, "success_rate", Rule::Share, sp, None);
            let reentry_rate = self.value(t, &path, "reentry_rate", Rule::Share, sp, Some(0.0));
            let reentry_delay_years =
                self.number(t, &path, "reentry_delay_years", Rule::Positive, sp, Some(1.0)).unwrap_or(1.0);
            let escalates = self.string(t, &path, "escalates_to", sp, false);
            if let Some(e) = &escalates
                && let Some(v) = t.get("escalates_to")
            {
                escalation_refs.push((segments.len(), e.clone(), v.span(), join(&path, "escalates_to")));
            }
            let escalation_rate = self.value(t, &path, "escalation_rate", Rule::Share, sp, Some(0.0));
            let escalation_while_waiting_rate =
                self.value(t, &path, "escalation_while_waiting_rate", Rule::NonNeg, sp, Some(0.0));
            let waiting_dropout_rate = self.value(t, &path, "waiting_dropout_rate", Rule::NonNeg, sp, Some(0.0));
            // Registered only when present, so that the parameters of files without it keep
            // their indices (and their draws).
            let dropout_cost_per_client_year = t
                .contains_key("dropout_cost_per_client_year")
                .then(|| self.value(t, &path, "dropout_cost_per_client_year", Rule::NonNeg, sp, None));
            if escalates.is_none()
                && t.contains_key("escalation_rate")
                && self.params[escalation_rate.0].dist.support().1 > 0.0
                && let Some(v) = t.get("escalation_rate")
            {
                self.problem(
                    v.span(),
                    &join(&path, "escalation_rate"),
                    "`escalates_to` next to a positive `escalation_rate`",
                    "no `escalates_to`".into(),
                    Some("name the segment that failures escalate to".into()),
                );
            }
            // Hazards of leaving a waiting list: above 100 a year the list empties within
            // days, and the fluid's exponentials would overflow at yearly steps.
            for (key, id) in [
                ("escalation_while_waiting_rate", escalation_while_waiting_rate),
                ("waiting_dropout_rate", waiting_dropout_rate),
            ] {
                let max = self.params[id.0].dist.support().1;
                if max > 100.0
                    && let Some(v) = t.get(key)
                {
                    self.problem(v.span(), &join(&path, key), "a rate per year of at most 100", format!("{max}"), None);
                }
            }
            if escalates.is_none()
                && self.params[escalation_while_waiting_rate.0].dist.support().1 > 0.0
                && let Some(v) = t.get("escalation_while_waiting_rate")
            {
                self.problem(
                    v.span(),
                    &join(&path, "escalation_while_waiting_rate"),
                    "`escalates_to` next to a positive `escalation_while_waiting_rate`",
                    "no `escalates_to`".into(),
                    Some("name the segment that waiting clients escalate to".into()),
                );
            }
            segments.push(Segment {
                id,
                name,
                incidence_per_1000,
                initial_caseload,
                mean_duration_years,
                cost_per_client_year,
                success_rate,
                reentry_rate,
                reentry_delay_years,
                escalates_to: None,
                escalation_rate,
                escalation_while_waiting_rate,
                waiting_dropout_rate,
                dropout_cost_per_client_year,
            });
        }
        for (from, target, sp, key) in escalation_refs {
            match seg_index.get(&target) {
                Some(&to) if to == from => {
                    self.problem(sp, &key, "another segment", format!("the segment itself (\"{target}\")"), None)
                }
                Some(&to) => segments[from].escalates_to = Some(to),
                None => self.unknown_id(sp, &key, &target, &seg_index, &SEGMENT),
            }
        }
        // Escalation cycles: escalation means heavier care, so a cycle is a mistake.
        for start in 0..segments.len() {
            let mut seen = vec![false; segments.len()];
            let mut at = start;
            while let Some(next) = segments[at].escalates_to {
                if next == start {
                    let t = &seg_tables[start];
                    let sp = t.0.get("escalates_to").map_or(t.1.clone(), |v| v.span());
                    let path = format!("segment.{}.escalates_to", segments[start].id);
                    self.problem(
                        sp,
                        &path,
                        "escalation towards heavier care, without a cycle",
                        format!("a cycle back to \"{}\"", segments[start].id),
                        None,
                    );
                    break;
                }
                if seen[next] {
                    break;
                }
                seen[next] = true;
                at = next;
            }
        }

        // [provider]
        let (pr, pr_span) = self.section(root, "provider", false, &span);
        self.known_keys(
            pr,
            "provider",
            &["reserves_share", "efficiency", "cost_noise_sd", "transition_cost_share", "emergency_premium"],
        );
        let provider = ProviderDefaults {
            reserves_share: self
                .number(pr, "provider", "reserves_share", Rule::NonNeg, &pr_span, Some(0.0))
                .unwrap_or(0.0),
            efficiency: {
                // A template: each provider of each contract draws its own efficiency.
                let id = self.value(pr, "provider", "efficiency", Rule::Positive, &pr_span, Some(1.0));
                self.params.pop().map_or_else(
                    || Distribution::fixed(1.0),
                    |p| {
                        debug_assert_eq!(id.0, self.params.len());
                        p.dist
                    },
                )
            },
            cost_noise_sd: self
                .number(pr, "provider", "cost_noise_sd", Rule::NonNeg, &pr_span, Some(0.0))
                .unwrap_or(0.0),
            transition_cost_share: self
                .number(pr, "provider", "transition_cost_share", Rule::NonNeg, &pr_span, Some(0.0))
                .unwrap_or(0.0),
            emergency_premium: self
                .number(pr, "provider", "emergency_premium", Rule::NonNeg, &pr_span, Some(0.0))
                .unwrap_or(0.0),
        };

        // [[contract]]
        let mut contracts = Vec::new();
        let mut contract_index: HashMap<String, usize> = HashMap::new();
        for (i, (t, sp)) in self.tables(root, "contract").iter().enumerate() {
            let next = contracts.len();
            if let Some(c) = self.contract(t, sp, i, &seg_index, &mut contract_index, next, horizon_years, &provider) {
                contracts.push(c);
            }
        }

        // [[prevention]]
        let mut programmes = Vec::new();
        let mut prog_index: HashMap<String, usize> = HashMap::new();
        for (i, (t, sp)) in self.tables(root, "prevention").iter().enumerate() {
            let (id, path) = self.id_of(t, "prevention", i, sp, &mut prog_index, programmes.len());
            self.known_keys(
                t,
                &path,
                &[
                    "id",
                    "name",
                    "annual_cost",
                    "first_year",
                    "last_year",
                    "targets",
                    "reach",
                    "effect",
                    "ramp_up_years",
                    "persistence_half_life_years",
                    "financing",
                    "payment_per_prevented_start",
                    "annual_cap",
                    "total_cap",
                ],
            );
            let name = self.string(t, &path, "name", sp, false).unwrap_or_else(|| id.clone());
            let annual_cost = self.value(t, &path, "annual_cost", Rule::NonNeg, sp, None);
            let first_year = self
                .integer(t, &path, "first_year", (1900, 2300), sp, Some(start_year as i64))
                .unwrap_or(start_year as i64) as i32;
            let last_year = self
                .integer(t, &path, "last_year", (1900, 2300), sp, Some(start_year as i64 + horizon_years as i64 - 1))
                .unwrap_or(start_year as i64) as i32;
            if last_year < first_year
                && let Some(v) = t.get("last_year")
            {
                self.problem(
                    v.span(),
                    &join(&path, "last_year"),
                    &format!("a year from first_year ({first_year}) on"),
                    format!("{last_year}"),
                    None,
                );
            }
            let target_list = self.id_list(t, &path, "targets", sp, true);
            if target_list.is_empty() && t.contains_key("targets") {
                self.empty_id_list(sp, &join(&path, "targets"), &SEGMENT);
            }
            let targets = self.resolve_ids(target_list, &seg_index, &join(&path, "targets"), &SEGMENT);
            let reach = self.value(t, &path, "reach", Rule::Share, sp, None);
            let effect = self.value(t, &path, "effect", Rule::Share, sp, None);
            let ramp_up_years = self.number(t, &path, "ramp_up_years", Rule::NonNeg, sp, Some(0.0)).unwrap_or(0.0);
            let persistence_half_life_years =
                self.number(t, &path, "persistence_half_life_years", Rule::NonNeg, sp, Some(0.0)).unwrap_or(0.0);
            let financing = match self.string(t, &path, "financing", sp, false).as_deref() {
                None | Some("municipality") => {
                    self.only_with(
                        t,
                        &path,
                        &["payment_per_prevented_start", "annual_cap", "total_cap"],
                        "this key only with `financing = \"investor\"`",
                    );
                    Financing::Municipality
                }
                Some("investor") => {
                    let payment_per_prevented_start =
                        self.number(t, &path, "payment_per_prevented_start", Rule::NonNeg, sp, None).unwrap_or(0.0);
                    let annual_cap = self.optional_number(t, &path, "annual_cap", Rule::NonNeg);
                    let total_cap = self.optional_number(t, &path, "total_cap", Rule::NonNeg);
                    Financing::Investor(InvestorTerms { payment_per_prevented_start, annual_cap, total_cap })
                }
                Some(other) => {
                    let v = t.get("financing").map_or(sp.clone(), |v| v.span());
                    let hint = suggest(other, &["municipality", "investor"]);
                    self.problem(
                        v,
                        &join(&path, "financing"),
                        "\"municipality\" or \"investor\"",
                        format!("\"{other}\""),
                        hint,
                    );
                    Financing::Municipality
                }
            };
            programmes.push(Programme {
                id,
                name,
                annual_cost,
                first_year,
                last_year,
                targets,
                reach,
                effect,
                ramp_up_years,
                persistence_half_life_years,
                financing,
            });
        }

        let societal_benefits = self.societal_benefits(root, &seg_index, &prog_index);

        // [[strategy]]
        let mut strategies = Vec::new();
        let mut strat_index: HashMap<String, usize> = HashMap::new();
        let strat_tables = self.tables(root, "strategy");
        if strat_tables.is_empty() {
            self.problem(
                span.clone(),
                "strategy",
                "at least one `[[strategy]]`, one of them with `baseline = true`",
                "none".into(),
                None,
            );
        }
        let mut baselines = Vec::new();
        for (i, (t, sp)) in strat_tables.iter().enumerate() {
            let (id, path) = self.id_of(t, "strategy", i, sp, &mut strat_index, strategies.len());
            self.known_keys(t, &path, &["id", "name", "contracts", "prevention", "baseline"]);
            let name = self.string(t, &path, "name", sp, false).unwrap_or_else(|| id.clone());
            let baseline = self.boolean(t, &path, "baseline", false);
            if baseline {
                baselines.push((id.clone(), t.get("baseline").map_or(sp.clone(), |v| v.span())));
            }
            let mut cs = Vec::new();
            let mut contract_of_segment = vec![usize::MAX; segments.len()];
            for (cid, csp) in self.id_list(t, &path, "contracts", sp, true) {
                match contract_index.get(&cid) {
                    None => self.unknown_id(csp, &join(&path, "contracts"), &cid, &contract_index, &CONTRACT),
                    Some(&c) => {
                        for &s in &contracts[c].segments {
                            if contract_of_segment[s] != usize::MAX {
                                let other = &contracts[contract_of_segment[s]].id;
                                self.problem(
                                    csp.clone(),
                                    &join(&path, "contracts"),
                                    "contracts that cover every segment exactly once",
                                    format!("segment \"{}\" covered by both \"{other}\" and \"{cid}\"", segments[s].id),
                                    None,
                                );
                            } else {
                                contract_of_segment[s] = c;
                            }
                        }
                        cs.push(c);
                    }
                }
            }
            if t.contains_key("contracts") {
                let missing: Vec<&str> = contract_of_segment
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == usize::MAX)
                    .map(|(s, _)| segments[s].id.as_str())
                    .collect();
                if !missing.is_empty() && !self.reported(&join(&path, "contracts")) {
                    let sp2 = t.get("contracts").map_or(sp.clone(), |v| v.span());
                    self.problem(
                        sp2,
                        &join(&path, "contracts"),
                        "contracts that cover every segment exactly once",
                        format!("no contract for segment(s) {}", missing.join(", ")),
                        None,
                    );
                }
            }
            let list = self.id_list(t, &path, "prevention", sp, false);
            let progs = self.resolve_ids(list, &prog_index, &join(&path, "prevention"), &PROGRAMME);
            strategies.push(Strategy { id, name, contracts: cs, programmes: progs, baseline, contract_of_segment });
        }
        if !strat_tables.is_empty() {
            match baselines.len() {
                1 => {}
                0 => self.problem(
                    strat_tables[0].1.clone(),
                    "strategy.baseline",
                    "exactly one strategy with `baseline = true`",
                    "none".into(),
                    None,
                ),
                _ => {
                    let ids: Vec<String> = baselines.iter().map(|(id, _)| format!("\"{id}\"")).collect();
                    self.problem(
                        baselines[1].1.clone(),
                        "strategy.baseline",
                        "exactly one strategy with `baseline = true`",
                        format!("{} baselines: {}", baselines.len(), ids.join(", ")),
                        None,
                    );
                }
            }
        }

        let warnings = std::mem::take(&mut self.warn_later);
        Some(Scenario {
            name,
            description,
            file: self.file.to_path_buf(),
            sha256: String::new(),
            start_year,
            horizon_years,
            steps_per_year,
            discount_rate,
            discount_schedule,
            runs,
            seed,
            waiting_norm_weeks,
            youth,
            growth,
            cost_inflation,
            tariff_indexation,
            budget: budget_line.as_ref().map(|l| l[0]),
            budget_growth,
            budget_line,
            budget_period_years,
            certainty,
            available_reserve,
            segments,
            contracts,
            provider,
            programmes,
            societal_benefits,
            strategies,
            params: Vec::new(),
            warnings,
        })
    }

    /// `[[societal_benefit]]`: benefits outside the municipal budget, each following
    /// either a segment (`follows`, avoided starts versus the baseline) or prevention
    /// programmes (`prevention`, referrals they prevented).
    fn societal_benefits(
        &mut self,
        root: &DeTable<'_>,
        seg_index: &HashMap<String, usize>,
        prog_index: &HashMap<String, usize>,
    ) -> Vec<SocietalBenefit> {
        let mut out = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, (t, sp)) in self.tables(root, "societal_benefit").iter().enumerate() {
            let (id, path) = self.id_of(t, "societal_benefit", i, sp, &mut index, out.len());
            self.known_keys(t, &path, &["id", "name", "value_per_event", "follows", "prevention"]);
            let name = self.string(t, &path, "name", sp, false).unwrap_or_else(|| id.clone());
            let value_per_event = self.value(t, &path, "value_per_event", Rule::NonNeg, sp, None);
            let follows = match (t.contains_key("follows"), t.contains_key("prevention")) {
                (true, false) => {
                    let seg = self.string(t, &path, "follows", sp, true);
                    match seg.as_ref().map(|seg| (seg, seg_index.get(seg))) {
                        None => Follows::Segment(0),
                        Some((_, Some(&g))) => Follows::Segment(g),
                        Some((seg, None)) => {
                            let v = t.get("follows").map_or(sp.clone(), |v| v.span());
                            self.unknown_id(v, &join(&path, "follows"), seg, seg_index, &SEGMENT);
                            Follows::Segment(0)
                        }
                    }
                }
                (false, true) => {
                    let list = self.id_list(t, &path, "prevention", sp, true);
                    let progs = self.resolve_ids(list, prog_index, &join(&path, "prevention"), &PROGRAMME);
                    if progs.is_empty() && !self.reported(&join(&path, "prevention")) {
                        self.empty_id_list(sp, &join(&path, "prevention"), &PROGRAMME);
                    }
                    Follows::Programmes(progs)
                }
                (both, _) => {
                    self.problem(
                        sp.clone(),
                        &path,
                        "either `follows = \"<segment id>\"` or `prevention = [\"<programme id>\", ...]`",
                        if both { "both".into() } else { "neither".into() },
                        None,
                    );
                    Follows::Programmes(Vec::new())
                }
            };
            out.push(SocietalBenefit { id, name, value_per_event, follows });
        }
        out
    }

    /// A time-varying discount rate: a list of `{ from_year, rate }` tables in increasing
    /// `from_year`, the first no later than the start year, every rate above -1.
    fn discount_schedule(&mut self, v: &Val<'_>, start_year: i32) -> Vec<DiscountStep> {
        const KEY: &str = "scenario.discount_rate";
        let DeValue::Array(items) = v.get_ref() else { return Vec::new() };
        let mut out: Vec<DiscountStep> = Vec::new();
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                self.problem(
                    item.span(),
                    KEY,
                    "a number or a list of { from_year, rate }",
                    describe(item.get_ref()),
                    Some(
                        "e.g. discount_rate = [{ from_year = 2025, rate = 0.0225 }, { from_year = 2055, rate = 0.02 }]"
                            .into(),
                    ),
                );
                continue;
            };
            self.known_keys(t, KEY, &["from_year", "rate"]);
            let span = item.span();
            let from = self.integer(t, KEY, "from_year", (1900, 2400), &span, None);
            let rate = self.number(t, KEY, "rate", Rule::Real, &span, None);
            let (Some(from), Some(rate)) = (from, rate) else { continue };
            if rate <= -1.0 {
                self.problem(span.clone(), &join(KEY, "rate"), "a rate above -1", format!("{rate}"), None);
            }
            if let Some(prev) = out.last()
                && i64::from(prev.from_year) >= from
            {
                self.problem(
                    span.clone(),
                    &join(KEY, "from_year"),
                    &format!("a year after {} (the steps in increasing order)", prev.from_year),
                    format!("{from}"),
                    None,
                );
            }
            out.push(DiscountStep { from_year: from as i32, rate });
        }
        match out.first() {
            None => {
                self.problem(v.span(), KEY, "at least one { from_year, rate }", "an empty list".into(), None);
                vec![DiscountStep { from_year: start_year, rate: 0.0 }]
            }
            Some(first) if first.from_year > start_year => {
                self.problem(
                    v.span(),
                    &join(KEY, "from_year"),
                    &format!("a first step from the start year {start_year} or earlier"),
                    format!("{}", first.from_year),
                    None,
                );
                out
            }
            Some(_) => out,
        }
    }

    /// One `[[contract]]`.
    #[allow(clippy::too_many_arguments)]
    fn contract(
        &mut self,
        t: &DeTable<'_>,
        sp: &Range<usize>,
        i: usize,
        seg_index: &HashMap<String, usize>,
        index: &mut HashMap<String, usize>,
        next: usize,
        horizon: usize,
        provider: &ProviderDefaults,
    ) -> Option<Contract> {
        let (id, path) = self.id_of(t, "contract", i, sp, index, next);
        self.known_keys(
            t,
            &path,
            &[
                "id",
                "form",
                "segments",
                "period_years",
                "margin",
                "admin_cost_rate",
                "providers",
                "market_shares",
                "incidence_factor",
                "duration_factor",
                "success_factor",
                "reentry_factor",
                "base_share",
                "outcome_payment",
                "follow_up_years",
                "outcome_cap_share",
                "capacity",
                "rationing",
                "rationing_tolerance",
                "risk_sharing",
            ],
        );
        const FORMS: [&str; 4] = ["effort", "output", "task", "outcome"];
        let form_key = self.one_of(t, &path, "form", &FORMS, sp);
        let list = self.id_list(t, &path, "segments", sp, true);
        let segs = self.resolve_ids(list, seg_index, &join(&path, "segments"), &SEGMENT);
        if segs.is_empty() && t.contains_key("segments") && !self.reported(&join(&path, "segments")) {
            self.empty_id_list(sp, &join(&path, "segments"), &SEGMENT);
        }
        let period_years =
            self.integer(t, &path, "period_years", (1, 200), sp, Some(horizon as i64)).unwrap_or(1) as usize;
        let margin = self.number(t, &path, "margin", Rule::Real, sp, Some(0.0)).unwrap_or(0.0);
        if margin <= -1.0
            && let Some(v) = t.get("margin")
        {
            self.problem(v.span(), &join(&path, "margin"), "a margin above -1", format!("{margin}"), None);
        }
        let admin_cost_rate = self.number(t, &path, "admin_cost_rate", Rule::Share, sp, Some(0.0)).unwrap_or(0.0);
        let providers = self.integer(t, &path, "providers", (1, 100), sp, Some(1)).unwrap_or(1) as usize;
        let market_shares = match self.number_list(t, &path, "market_shares", Rule::Share) {
            None => vec![1.0 / providers as f64; providers],
            Some(shares) => {
                let span = t.get("market_shares").map_or(sp.clone(), |v| v.span());
                let total: f64 = shares.iter().sum();
                if shares.len() != providers {
                    self.problem(
                        span,
                        &join(&path, "market_shares"),
                        &format!("one share per provider ({providers})"),
                        format!("{} shares", shares.len()),
                        None,
                    );
                    vec![1.0 / providers as f64; providers]
                } else if (total - 1.0).abs() > 1e-9 {
                    self.problem(
                        span,
                        &join(&path, "market_shares"),
                        "shares that sum to 1",
                        format!("a sum of {total}"),
                        None,
                    );
                    vec![1.0 / providers as f64; providers]
                } else {
                    shares
                }
            }
        };
        let efficiency: Vec<ParamId> = (1..=providers)
            .map(|j| self.register(format!("{path}.provider{j}.efficiency"), provider.efficiency.clone()))
            .collect();
        let capacity = self.capacity(t, &path, &segs, seg_index);
        let rationing = self.rationing(t, &path, sp, form_key.as_deref());
        let risk_sharing = match t.get("risk_sharing") {
            None => None,
            Some(v) => match v.get_ref() {
                DeValue::Table(rs) => self.risk_sharing(rs, v.span(), &join(&path, "risk_sharing")),
                other => {
                    self.problem(
                        v.span(),
                        &join(&path, "risk_sharing"),
                        "a table `[contract.risk_sharing]`",
                        describe(other),
                        None,
                    );
                    None
                }
            },
        };
        let incidence_factor = self.value(t, &path, "incidence_factor", Rule::NonNeg, sp, Some(1.0));
        let duration_factor = self.value(t, &path, "duration_factor", Rule::Positive, sp, Some(1.0));
        let success_factor = self.value(t, &path, "success_factor", Rule::NonNeg, sp, Some(1.0));
        let reentry_factor = self.value(t, &path, "reentry_factor", Rule::NonNeg, sp, Some(1.0));
        let outcome_keys = ["base_share", "outcome_payment", "follow_up_years", "outcome_cap_share"];
        let form = match form_key.as_deref() {
            Some("effort") => Form::Effort,
            Some("output") => Form::Output,
            Some("task") => Form::Task,
            Some("outcome") => {
                let base_share = self.number(t, &path, "base_share", Rule::Share, sp, None).unwrap_or(0.0);
                let outcome_payment = self.value(t, &path, "outcome_payment", Rule::NonNeg, sp, None);
                let follow_up_years =
                    self.number(t, &path, "follow_up_years", Rule::NonNeg, sp, Some(1.0)).unwrap_or(1.0);
                let outcome_cap_share = self.optional_number(t, &path, "outcome_cap_share", Rule::NonNeg);
                Form::Outcome(OutcomeTerms { base_share, outcome_payment, follow_up_years, outcome_cap_share })
            }
            _ => Form::Output,
        };
        if form_key.as_deref() != Some("outcome") && form_key.is_some() {
            self.only_with(t, &path, &outcome_keys, "this key only with `form = \"outcome\"`");
        }
        // A contract with a bad form is kept (as output) so that later ids keep their indices;
        // the problem is reported and the scenario refused.
        Some(Contract {
            id,
            form,
            segments: segs,
            period_years,
            margin,
            admin_cost_rate,
            providers,
            market_shares,
            efficiency,
            risk_sharing,
            incidence_factor,
            duration_factor,
            success_factor,
            reentry_factor,
            capacity,
            rationing,
        })
    }

    /// `capacity = { <segment id> = <maximum active clients>, ... }`: per segment of the
    /// lot (in the lot's order), the limit or `None`. Every key must be a segment the
    /// contract covers; every limit a whole number of clients >= 0.
    fn capacity(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        segs: &[usize],
        seg_index: &HashMap<String, usize>,
    ) -> Vec<Option<f64>> {
        let mut out = vec![None; segs.len()];
        let Some(v) = t.get("capacity") else { return out };
        let full = join(path, "capacity");
        let DeValue::Table(table) = v.get_ref() else {
            self.problem(
                v.span(),
                &full,
                "a table of segment id = maximum active clients, e.g. `capacity = { residential = 300 }`",
                describe(v.get_ref()),
                None,
            );
            return out;
        };
        let covered: Vec<&str> =
            seg_index.iter().filter(|(_, g)| segs.contains(g)).map(|(id, _)| id.as_str()).collect::<Vec<_>>();
        for (k, val) in table.iter() {
            let id: &str = k.get_ref();
            let key = join(&full, id);
            let pos = seg_index.get(id).and_then(|g| segs.iter().position(|s| s == g));
            let Some(pos) = pos else {
                let mut ids = covered.clone();
                ids.sort_unstable();
                let found = if seg_index.contains_key(id) {
                    format!("\"{id}\", a segment this contract does not cover")
                } else {
                    format!("\"{id}\", which is no segment")
                };
                let hint = suggest(id, &ids).or_else(|| Some(format!("this contract covers: {}", ids.join(", "))));
                self.problem(k.span(), &key, "the id of a segment of this contract", found, hint);
                continue;
            };
            match as_number(val.get_ref()) {
                Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= MAX_MAGNITUDE => out[pos] = Some(x),
                _ => self.problem(
                    val.span(),
                    &key,
                    "a whole number of clients >= 0 (the maximum active clients)",
                    describe(val.get_ref()),
                    None,
                ),
            }
        }
        out
    }

    /// `rationing = true` (task contracts only) with `rationing_tolerance`, a share of the
    /// budget from -0.5 to 1 (default 0): `Some(tolerance)` when the contract rations.
    fn rationing(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, form: Option<&str>) -> Option<f64> {
        let on = self.boolean(t, path, "rationing", false);
        if on
            && form.is_some()
            && form != Some("task")
            && let Some(v) = t.get("rationing")
        {
            self.problem(
                v.span(),
                &join(path, "rationing"),
                "`rationing = true` only with `form = \"task\"` (rationing keeps a fixed budget)",
                format!("a contract with form \"{}\"", form.unwrap_or_default()),
                None,
            );
        }
        let tolerance = self.number(t, path, "rationing_tolerance", Rule::Real, sp, Some(0.0)).unwrap_or(0.0);
        if let Some(v) = t.get("rationing_tolerance") {
            if !on {
                self.problem(
                    v.span(),
                    &join(path, "rationing_tolerance"),
                    "`rationing_tolerance` only next to `rationing = true`",
                    "no `rationing = true`".into(),
                    None,
                );
            } else if !(-0.5..=1.0).contains(&tolerance) {
                self.problem(
                    v.span(),
                    &join(path, "rationing_tolerance"),
                    "a share of the budget from -0.5 to 1",
                    format!("{tolerance}"),
                    None,
                );
            }
        }
        on.then_some(tolerance)
    }
}

impl Cx<'_> {
    /// `[contract.risk_sharing]`: one band (`band`, `municipality_share`) or several
    /// (`bands = [{ from, share }, ...]`), with `cap_share` and `symmetric`.
    fn risk_sharing(&mut self, t: &DeTable<'_>, sp: Range<usize>, path: &str) -> Option<RiskSharing> {
        self.known_keys(t, path, &["band", "municipality_share", "bands", "cap_share", "symmetric"]);
        let before = self.problems.len();
        let one = t.contains_key("band") || t.contains_key("municipality_share");
        let bands = match (one, t.get("bands")) {
            (true, Some(v)) => {
                self.problem(
                    v.span(),
                    &join(path, "bands"),
                    "either `band` with `municipality_share`, or `bands`",
                    "both".into(),
                    None,
                );
                Vec::new()
            }
            (true, None) => {
                let from = self.number(t, path, "band", Rule::NonNeg, &sp, None).unwrap_or(0.0);
                let share = self.number(t, path, "municipality_share", Rule::Share, &sp, None).unwrap_or(0.0);
                vec![Band { from, share }]
            }
            (false, Some(v)) => match v.get_ref() {
                DeValue::Array(items) => {
                    let mut out = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let key = format!("{}[{}]", join(path, "bands"), i + 1);
                        match item.get_ref() {
                            DeValue::Table(b) => {
                                self.known_keys(b, &key, &["from", "share"]);
                                let from =
                                    self.number(b, &key, "from", Rule::NonNeg, &item.span(), None).unwrap_or(0.0);
                                let share =
                                    self.number(b, &key, "share", Rule::Share, &item.span(), None).unwrap_or(0.0);
                                if let Some(prev) = out.last().map(|b: &Band| b.from)
                                    && from <= prev
                                {
                                    self.problem(
                                        item.span(),
                                        &key,
                                        &format!("a `from` above the previous band's ({prev})"),
                                        format!("{from}"),
                                        None,
                                    );
                                }
                                out.push(Band { from, share });
                            }
                            other => self.problem(
                                item.span(),
                                &key,
                                "a band `{ from = 0.03, share = 0.5 }`",
                                describe(other),
                                None,
                            ),
                        }
                    }
                    if out.is_empty() {
                        self.problem(v.span(), &join(path, "bands"), "at least one band", "an empty list".into(), None);
                    }
                    out
                }
                other => {
                    self.problem(
                        v.span(),
                        &join(path, "bands"),
                        "a list of bands `[{ from = 0.03, share = 0.5 }]`",
                        describe(other),
                        None,
                    );
                    Vec::new()
                }
            },
            (false, None) => {
                self.problem(
                    sp.clone(),
                    &join(path, "band"),
                    "`band` and `municipality_share`, or `bands`",
                    "nothing".into(),
                    None,
                );
                Vec::new()
            }
        };
        let cap_share = self.optional_number(t, path, "cap_share", Rule::NonNeg);
        let symmetric = self.boolean(t, path, "symmetric", false);
        (self.problems.len() == before).then_some(RiskSharing { bands, cap_share, symmetric })
    }
}

/// Stands in for a missing optional table, so that its keys read as missing.
static EMPTY_TABLE: std::sync::LazyLock<DeTable<'static>> = std::sync::LazyLock::new(DeTable::new);

/// `path.key`, or `key` at the top level.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}
