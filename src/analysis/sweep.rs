//! Sweeps: a scenario re-run over a grid of values of one or two numeric keys, on common
//! random numbers (the same seed and run numbers at every point), with a metric's
//! distribution and the chance of being cheaper than the baseline at each point.
//!
//! A key is a dotted path. When it names a *value* of the scenario (a [`Param`], e.g.
//! `prevention.oost.annual_cost` or `contract.output.provider1.efficiency`), the value is
//! fixed at the grid value, uncertain or not. Otherwise it must name a plain number of the
//! file (e.g. `contract.output.margin`, `scenario.discount_rate`): the file's text is
//! changed there (tables of `[[segment]]`, `[[contract]]`, ... are found by their `id`) and
//! read again, so every check of the format applies to the swept values too.
//!
//! [`Param`]: crate::scenario::Param

use crate::engine::{EngineError, Plan, RunOptions, run_batch};

use crate::metrics::{HORIZON, Horizon};
use crate::scenario::{Distribution, Scenario, parse_str};
use crate::stats::{mean_mcse, quantile_sorted};

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepKey {
    /// Dotted path.
    pub path: String,
    /// Values, in the order given.
    pub values: Vec<f64>,
}

impl std::str::FromStr for SweepKey {
    type Err = String;

    /// Parses `KEY=V1,V2,...`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (key, list) =
            s.split_once('=').ok_or_else(|| format!("--set: expected KEY=V1,V2,..., found `{s}` (no `=`)"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("--set: expected a dotted key before `=`, found `{s}`"));
        }
        let values = list
            .split(',')
            .map(|v| {
                let v = v.trim().replace('_', "");
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("--set {key}: expected finite numbers separated by commas, found `{v}`"))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        Ok(SweepKey { path: key.to_string(), values })
    }
}

/// Largest number of grid points a sweep accepts.
pub(crate) const MAX_POINTS: usize = 400;

/// The scenario of `text` (read from `file`) with the keys set to the values. Every value
/// is written into the file's text and the text read again, so that a swept value passes
/// exactly the validation that the same value written in the file gets (its range, and every
/// check that involves it). A value of the scenario that the file does not hold itself (a
/// provider's efficiency in a contract, drawn from `provider.efficiency`) is checked as the
/// key it comes from.
pub fn scenario_with(text: &str, file: &std::path::Path, set: &[(&str, f64)]) -> Result<Scenario, String> {
    let base = parse_str(text, file).map_err(|e| e.to_string())?;
    let is_param = |k: &str| base.params.iter().any(|p| p.path == k);
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut edited = false;
    for (key, v) in set {
        let at = |e: String| format!("{}: --set {key}: {e}", file.display());
        match source_key(key).filter(|_| is_param(key)) {
            // Checked on a copy: in the file the source key stands for every copy of it.
            Some(source) => {
                let mut copy = toml::from_str::<toml::Table>(text).map_err(|e| format!("{}: {e}", file.display()))?;
                if let Some((table, _)) = source.split_once('.') {
                    copy.entry(table).or_insert_with(|| toml::Value::Table(toml::Table::new()));
                }
                set_number(&mut copy, source, *v, true).map_err(at)?;
                reread(&copy, file, &[(key, *v)], key)?;
            }
            None => {
                set_number(&mut doc, key, *v, is_param(key)).map_err(at)?;
                edited = true;
            }
        }
    }
    let mut s = if edited { reread(&doc, file, set, "")? } else { base };
    for (key, v) in set {
        if let Some(p) = s.params.iter_mut().find(|p| p.path == *key) {
            p.dist = Distribution::fixed(*v);
        }
    }
    Ok(s)
}

/// The key of the file that a value of the scenario is read from, when that value is not
/// written in the file itself: `contract.ID.providerJ.efficiency` from `provider.efficiency`.
fn source_key(key: &str) -> Option<&'static str> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts[..] {
        ["contract", _, provider, "efficiency"]
            if provider
                .strip_prefix("provider")
                .is_some_and(|j| !j.is_empty() && j.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Some("provider.efficiency")
        }
        _ => None,
    }
}

/// Reads an edited document again; its problems are told as problems of the `--set` values
/// (the edited text has no lines of the user's file to point at).
fn reread(doc: &toml::Table, file: &std::path::Path, set: &[(&str, f64)], as_key: &str) -> Result<Scenario, String> {
    let text = toml::to_string(doc).map_err(|e| format!("{}: {e}", file.display()))?;
    parse_str(&text, file).map_err(|e| {
        e.problems
            .iter()
            .map(|p| {
                let key = if as_key.is_empty() || p.key.is_empty() { p.key.as_str() } else { as_key };
                let key = if key.is_empty() { String::new() } else { format!(" key `{key}`:") };
                format!("{}: --set {}:{key} expected {}, found {}", file.display(), describe(set), p.expected, p.found)
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn describe(set: &[(&str, f64)]) -> String {
    set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

/// Sets the number at a dotted path in a TOML document; a distribution table there is
/// replaced too when `value` (the key names a value of the scenario).
fn set_number(doc: &mut toml::Table, key: &str, v: f64, value: bool) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut table = doc;
    let mut i = 0;
    while i + 1 < parts.len() {
        let part = parts[i];
        let next = table.get_mut(part).ok_or_else(|| format!("expected a key of the scenario, found no `{part}`"))?;
        table = match next {
            toml::Value::Table(t) => {
                i += 1;
                t
            }
            toml::Value::Array(items) => {
                let id = parts[i + 1];
                i += 2;
                items
                    .iter_mut()
                    .filter_map(|x| x.as_table_mut())
                    .find(|t| t.get("id").and_then(|x| x.as_str()) == Some(id))
                    .ok_or_else(|| format!("expected the id of a `[[{part}]]`, found `{id}`"))?
            }
            _ => return Err(format!("expected a table at `{part}`, found a value")),
        };
        if i >= parts.len() {
            return Err("expected a number at the end of the path, found a table".into());
        }
    }
    let last = parts[parts.len() - 1];
    match table.get(last) {
        Some(toml::Value::Integer(_)) if v.fract() == 0.0 && v.abs() < 9e15 => {
            table.insert(last.to_string(), toml::Value::Integer(v as i64));
        }
        Some(toml::Value::Integer(_) | toml::Value::Float(_)) | None => {
            table.insert(last.to_string(), toml::Value::Float(v));
        }
        Some(toml::Value::Table(_)) if value => {
            table.insert(last.to_string(), toml::Value::Float(v));
        }
        Some(other) => {
            return Err(format!(
                "expected a number (a numeric key or a value of the scenario), found {}",
                other.type_str()
            ));
        }
    }
    Ok(())
}

/// One strategy at one grid point.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// The grid values, one per key.
    pub at: Vec<f64>,
    /// Strategy id.
    pub strategy: String,
    /// Mean of the metric.
    pub mean: f64,
    /// Its Monte Carlo standard error.
    pub mcse: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Share of runs in which the strategy's NPV spend is below the baseline's.
    pub p_cheaper: f64,
}

/// Errors of a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A key, value or grid the scenario does not accept.
    #[error("{0}")]
    BadInput(String),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The plan of every grid point, each checked before any is simulated; every problem of
/// every point is told once.
pub fn grid_plans(
    text: &str,
    file: &std::path::Path,
    keys: &[SweepKey],
    grid: &[Vec<f64>],
    variant: Option<&str>,
) -> Result<Vec<Plan>, String> {
    let mut plans = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for at in grid {
        let set: Vec<(&str, f64)> = keys.iter().zip(at).map(|(k, &v)| (k.path.as_str(), v)).collect();
        // In a variant's world the swept value is set in the file, so the variant's own
        // values still win where it changes the same key.
        match scenario_with(text, file, &set).and_then(|s| Plan::of_world(s, variant)) {
            Ok(p) => plans.push(p),
            Err(e) => {
                for line in e.lines() {
                    if !bad.iter().any(|b| b == line) {
                        bad.push(line.to_string());
                    }
                }
            }
        }
    }
    if bad.is_empty() { Ok(plans) } else { Err(bad.join("\n")) }
}

/// The grid of `keys`: every combination of their values, the first key slowest.
pub fn grid(keys: &[SweepKey]) -> Vec<Vec<f64>> {
    match keys {
        [a] => a.values.iter().map(|&v| vec![v]).collect(),
        [a, b] => a.values.iter().flat_map(|&x| b.values.iter().map(move |&y| vec![x, y])).collect(),
        _ => Vec::new(),
    }
}

/// Runs the grid (every combination of the keys' values, the first key slowest) with the
/// runs and seed of `opts` at every point, in the file's own world or a variant's, and
/// summarises `metric` for every strategy.
pub fn sweep(
    text: &str,
    file: &std::path::Path,
    keys: &[SweepKey],
    metric: Horizon,
    opts: &RunOptions,
    variant: Option<&str>,
) -> Result<Vec<SweepRow>, SweepError> {
    check_keys(keys).map_err(SweepError::BadInput)?;
    let grid = grid(keys);
    let plans = grid_plans(text, file, keys, &grid, variant).map_err(SweepError::BadInput)?;
    Ok(run_grid(&grid, &plans, metric, opts)?)
}

/// One or two keys, each once, with at most [`MAX_POINTS`] grid points.
pub fn check_keys(keys: &[SweepKey]) -> Result<(), String> {
    if keys.is_empty() || keys.len() > 2 {
        return Err(format!("--set: expected one or two keys, found {}", keys.len()));
    }
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].iter().any(|o| o.path == k.path) {
            return Err(format!("--set {}: expected each key once, found it twice", k.path));
        }
    }
    let points = keys.iter().try_fold(1usize, |n, k| n.checked_mul(k.values.len())).unwrap_or(usize::MAX);
    if points > MAX_POINTS {
        return Err(format!("--set: expected at most {MAX_POINTS} grid points, found {points}"));
    }
    Ok(())
}

/// Simulates the checked plans of [`grid_plans`], one per point of `grid`, and summarises
/// `metric` for every strategy at every point.
pub fn run_grid(
    grid: &[Vec<f64>],
    plans: &[Plan],
    metric: Horizon,
    opts: &RunOptions,
) -> Result<Vec<SweepRow>, EngineError> {
    let runs = opts.runs;
    let nh = HORIZON.len();
    let mut rows = Vec::new();
    for (at, plan) in grid.iter().zip(plans) {
        let batch = run_batch(plan, opts, &|| {})?;
        for (k, st) in plan.scenario.strategies.iter().enumerate() {
            let xs: Vec<f64> = batch.runs.iter().map(|r| r.horizon_of(k, metric)).filter(|x| !x.is_nan()).collect();
            let (mean, mcse) = mean_mcse(&xs);
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let cheaper =
                batch.runs.iter().map(|r| r.horizon[k * nh + Horizon::PCheaperThanBaseline.index()]).sum::<f64>()
                    / runs as f64;
            rows.push(SweepRow {
                at: at.clone(),
                strategy: st.id.clone(),
                mean,
                mcse,
                p5: quantile_sorted(&sorted, 0.05),
                p50: quantile_sorted(&sorted, 0.50),
                p95: quantile_sorted(&sorted, 0.95),
                p_cheaper: cheaper,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        let k: SweepKey = "prevention.oost.annual_cost=0,250_000,5e5".parse().unwrap();
        assert_eq!(k.path, "prevention.oost.annual_cost");
        assert_eq!(k.values, vec![0.0, 250_000.0, 500_000.0]);
        assert!("x".parse::<SweepKey>().is_err());
        assert!("x=1,a".parse::<SweepKey>().is_err());
        assert!("=1".parse::<SweepKey>().is_err());
    }

    /// Every value of every shipped scenario can be swept (set at its median), each through
    /// the reader's validation.
    #[test]
    fn every_value_of_the_shipped_scenarios_can_be_swept() {
        let mut files: Vec<_> = std::fs::read_dir("scenarios").unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|p| p.extension().is_some_and(|x| x == "toml"));
        assert!(!files.is_empty());
        for file in files {
            let text = &std::fs::read_to_string(&file).unwrap();
            let name = file.display();
            let s = parse_str(text, &file).unwrap();
            for p in &s.params {
                let v = p.dist.quantile(0.5);
                let swept = scenario_with(text, &file, &[(p.path.as_str(), v)])
                    .unwrap_or_else(|e| panic!("{name}: {}: {e}", p.path));
                let q = swept.params.iter().find(|q| q.path == p.path).unwrap();
                assert_eq!(q.dist.quantile(0.5), v, "{name}: {}", p.path);
                assert_eq!(swept.params.len(), s.params.len(), "{name}: {}", p.path);
            }
        }
    }
}
