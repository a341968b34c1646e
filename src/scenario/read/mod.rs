//! Reading a scenario file: TOML with spans, every key checked against the format, every
//! problem collected (not just the first) with its line, column, key, expectation and
//! finding, then cross-references validated.
//!
//! Each section of the format is read in the file named after it: `scenario.rs`
//! (`[scenario]`), `population.rs`, `economy.rs`, `segment.rs` (`[[segment]]`),
//! `provider.rs`, `contract.rs` with `risk_sharing.rs` (`[contract.risk_sharing]`),
//! `prevention.rs`, `societal_benefit.rs`, `strategy.rs` and `calibration.rs`. They share the readers of one
//! key (`keys.rs`), of values and distributions (`distribution.rs`), and of ids and arrays
//! of tables (`ids.rs`).

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::dutch::Dutch;
use super::{Param, Problem, Scenario, ScenarioError};
use contract::ContractDefaults;
use strategy::Parts;

mod calibration;
mod contract;
mod distribution;
mod dutch;
mod economy;
mod ids;
mod keys;
mod lever;
mod population;
mod prevention;
mod provider;
mod question;
mod region;
mod risk_sharing;
mod scenario;
mod segment;
mod societal_benefit;
mod strategy;
mod variant;

/// The sections of a file, each read in the file of its name.
const SECTIONS: [&str; 15] = [
    "scenario",
    "population",
    "municipality",
    "region",
    "economy",
    "segment",
    "contract",
    "provider",
    "prevention",
    "societal_benefit",
    "strategy",
    "question",
    "variant",
    "calibration",
    "lever",
];

/// Yearly rates (growth, inflation, indexation, discounting) lie in this range: from
/// `RATE_MIN`...
const RATE_MIN: f64 = -0.5;
/// ... to `RATE_MAX`.
const RATE_MAX: f64 = 1.0;
/// The range as a message says it.
const RATE_RANGE: &str = "a yearly rate from -0.5 to 1 (-50% to +100%)";
/// How to bring an uncertain rate within the range.
const RATE_HINT: &str = "for an uncertain rate, truncate it with `min` and `max`";

/// Largest scenario file read.
pub(crate) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_text(path)?;
    parse_str(&text, path)
}

/// Reads a scenario file's text: only a regular file (a FIFO or a device would block or
/// never end), of at most [`MAX_FILE_BYTES`], counted while reading (a length can lie), in
/// UTF-8.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read;
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
    let meta = std::fs::metadata(path).map_err(|e| fail("a readable scenario file", e.to_string()))?;
    if meta.is_dir() {
        return Err(fail("a scenario file (.toml)", "a directory".into()));
    }
    if !meta.is_file() {
        return Err(fail("a scenario file (.toml)", format!("{}, not a regular file", special_kind(&meta))));
    }
    // A hand-written scenario is a few kilobytes; a huge file (millions of segments) would
    // take the parser minutes and gigabytes before any other check could refuse it.
    let too_big = |len: u64| fail("a scenario file of at most 16 MiB", format!("{:.1} MiB", len as f64 / 1048576.0));
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| fail("a readable scenario file", e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail("a scenario file of at most 16 MiB", "more than 16 MiB".into()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
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

/// What a file that is neither a regular file nor a folder is, for messages.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
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
    let mut cx = Cx::new(file, text);
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
            s.text = std::sync::Arc::from(text);
            s.params = cx.params;
            s.untranslated = dutch::untranslated(&s);
            if root.get_ref().contains_key("variant") {
                s.variants = variant::read_variants(file, text, root.get_ref(), &s).map_err(|mut problems| {
                    problems.sort_by_key(|p| p.position);
                    ScenarioError { problems }
                })?;
                s.world = Some(crate::scenario::variant::World::base());
            }
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
    /// Every problem found, in the order found (sorted by position once reading ends, so
    /// this order decides among problems at the same place).
    problems: Vec<Problem>,
    /// Every value read, in the order read: a parameter's index is its place here.
    params: Vec<Param>,
    /// Notes for the user that do not stop a run.
    warn_later: Vec<String>,
    /// The Dutch texts read so far.
    dutch: Dutch,
}

impl<'a> Cx<'a> {
    /// A reading of `text`, the contents of `file`, with nothing found yet.
    fn new(file: &'a Path, text: &'a str) -> Self {
        Cx { file, text, problems: Vec::new(), params: Vec::new(), warn_later: Vec::new(), dutch: Dutch::default() }
    }

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

    /// The whole file: every section in the order of the format, each read against the
    /// sections before it. The order matters: parameters are registered as they are read,
    /// and a parameter's index is its place in `runs.csv` and in every run's draws.
    fn scenario(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Option<Scenario> {
        self.known_keys(root, "", &SECTIONS);
        let settings = self.read_scenario_table(root, &span);
        let population = self.read_population(root, &span);
        let region = self.read_region(root, &span, population.youth);
        let economy = self.read_economy(root, &span, &population, settings.horizon_years);
        let segments = self.read_segments(root, &span);
        let provider = self.read_provider(root, &span);
        let court_ordered: Vec<bool> = segments.items.iter().map(|g| g.court_ordered).collect();
        let defaults = ContractDefaults {
            segments: &segments.index,
            court_ordered: &court_ordered,
            horizon_years: settings.horizon_years,
            provider: &provider,
        };
        let contracts = self.read_contracts(root, &defaults);
        let programmes = self.read_prevention(root, &segments.index, &settings);
        let societal_benefits = self.read_societal_benefits(root, &segments.index, &programmes.index);
        let parts = Parts { segments: &segments.items, contracts: &contracts, programmes: &programmes.index };
        let strategies = self.read_strategies(root, &span, &parts);
        let questions = self.read_questions(root, &strategies);
        let focus = self.read_focus(root, &strategies);
        let calibration = self.read_calibration(root, &span, &segments.index);
        let levers = self.read_levers(root);
        let warnings = std::mem::take(&mut self.warn_later);
        Some(Scenario {
            name: settings.name,
            description: settings.description,
            file: self.file.to_path_buf(),
            sha256: String::new(),
            start_year: settings.start_year,
            horizon_years: settings.horizon_years,
            steps_per_year: settings.steps_per_year,
            discount_rate: settings.discount_schedule.first().map_or(0.0, |s| s.rate),
            discount_schedule: settings.discount_schedule,
            runs: settings.runs,
            seed: settings.seed,
            waiting_norm_weeks: settings.waiting_norm_weeks,
            youth: population.youth,
            growth: population.growth,
            cost_inflation: economy.cost_inflation,
            tariff_indexation: economy.tariff_indexation,
            budget: economy.budget_line.as_ref().map(|l| l[0]),
            budget_growth: economy.budget_growth,
            budget_line: economy.budget_line,
            budget_period_years: economy.budget_period_years,
            certainty: economy.certainty,
            available_reserve: economy.available_reserve,
            task_budget_line_signed: economy.task_budget_line_signed,
            segments: segments.items,
            contracts: contracts.items,
            provider,
            programmes: programmes.items,
            societal_benefits,
            strategies,
            params: Vec::new(),
            warnings,
            questions,
            focus,
            dutch: std::mem::take(&mut self.dutch),
            untranslated: Vec::new(),
            variants: Vec::new(),
            world: None,
            region,
            calibration,
            levers,
            text: std::sync::Arc::from(""),
        })
    }
}

/// Stands in for a missing optional table, so that its keys read as missing.
static EMPTY_TABLE: std::sync::LazyLock<DeTable<'static>> = std::sync::LazyLock::new(DeTable::new);

/// `path.key`, or `key` at the top level.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}
