//! Redrawing (`contractsim report`): redraw the charts, summaries, HTML report and workbook of a results
//! folder from its files (`yearly.csv`, `summary.csv`, `runs.csv`, `budget.csv`,
//! `meta.json`), without simulating again.

use std::fs;
use std::path::Path;

use anyhow::Context;

use super::{AppError, Progress, RedrawRequest};
use crate::app::output;
use crate::report::data::variant_folder;
use crate::report::{ReportData, render_reports};

/// Redraws the reports of `args.dir`, in place or into `--out`.
pub fn redraw(args: RedrawRequest, progress: &dyn Progress) -> Result<(), AppError> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(AppError::BadInput(format!(
            "{}: not a results folder; give the folder that `contractsim run` wrote, e.g. outputs/friesland",
            dir.display()
        )));
    }
    check_folder(dir, 0)?;
    let data = ReportData::from_folder(dir).map_err(|e| AppError::BadInput(format!("{}: {e}", dir.display())))?;
    let started = std::time::Instant::now();
    let mut reports = render_reports(&data).context("rendering the reports")?;
    // A scenario with variants: each world's folder is redrawn too.
    let folders: Vec<String> = data.worlds.iter().map(|w| variant_folder(&w.world.id)).collect();
    for (w, folder) in data.worlds.iter().zip(&folders) {
        for (name, bytes) in render_reports(&w.data).context("rendering the reports of a variant")? {
            reports.push((format!("{folder}/{name}"), bytes));
        }
    }
    let mut existing = existing_files(dir, "", &folders)?;
    for folder in &folders {
        existing.extend(existing_files(&dir.join(folder), folder, &[])?);
    }
    let keep: Vec<(String, std::path::PathBuf)> =
        existing.into_iter().filter(|(name, _)| !reports.iter().any(|(r, _)| r == name)).collect();
    let dest = args.out.as_deref().unwrap_or(dir);
    let dest = destination(dir, dest, args.force)?;
    let staging = output::Staging::new(&dest).with_context(|| format!("writing {}", dest.path().display()))?;
    for folder in &folders {
        let path = staging.path().join(folder);
        fs::create_dir_all(&path).with_context(|| format!("writing {}", path.display()))?;
    }
    for (name, path) in &keep {
        // The data files (runs.csv may be gigabytes) are linked, or copied as a stream
        // where links are not possible, never read into memory.
        let to = staging.path().join(name);
        if fs::hard_link(path, &to).is_err() {
            fs::copy(path, &to).with_context(|| format!("copying {}", path.display()))?;
        }
    }
    for (name, bytes) in &reports {
        staging.write(name, bytes).with_context(|| format!("writing {name}"))?;
    }
    staging.commit().with_context(|| format!("writing {}", dest.path().display()))?;
    progress.note(&format!(
        "{}: reports redrawn in {:.1} s -> {}",
        dir.display(),
        started.elapsed().as_secs_f64(),
        dest.path().display()
    ));
    Ok(())
}

/// Where the redrawn folder of `dir` goes: `dir` itself (in place), or `out`, which holds
/// nothing, or a folder of the same kind for the same scenario (the one `meta.json` of
/// `dir` names), unless `force`.
fn destination(dir: &Path, out: &Path, force: bool) -> Result<output::Destination, AppError> {
    let meta = output::read_record(&dir.join("meta.json"))
        .map_err(|e| AppError::BadInput(format!("{}: {e}", dir.display())))?;
    let file = Path::new(&meta.scenario_file);
    let kind = if dir.join(crate::report::sensitivity::TORNADO_CSV).exists() {
        output::Kind::Sensitivity
    } else {
        output::Kind::Results
    };
    let in_place =
        out == dir || fs::canonicalize(out).ok().is_some_and(|o| fs::canonicalize(dir).is_ok_and(|d| d == o));
    let inputs = [dir];
    let claim =
        output::Claim { kind, file, sha256: &meta.scenario_sha256, inputs: if in_place { &[] } else { &inputs } };
    output::check_destination(out, &claim, force || in_place).map_err(|e| AppError::BadInput(e.to_string()))
}

/// Largest data file that `report` reads whole (`yearly.csv`, `summary.csv`, ...); the
/// per-run file is read as a stream, and only its first runs.
const MAX_TABLE_BYTES: u64 = 256 * 1024 * 1024;
/// Most strategies and uncertain inputs a `meta.json` may name: far above any scenario,
/// low enough that the tables sized by them fit in memory.
const MAX_NAMES: usize = 10_000;

/// Checks what `report` is about to read from a results folder before anything is sized by
/// it: `meta.json` (read with its size bounded), the sizes it gives (years, steps,
/// strategies, inputs), and the tables read whole (regular files, bounded); the variants'
/// folders that it names too.
/// What is wrong with the text of a `meta.json`.
#[derive(Debug)]
pub enum MetaProblem {
    /// It is no JSON.
    Json(serde_json::Error),
    /// A key holds what no results folder has.
    Key {
        /// The key.
        key: &'static str,
        /// What it must hold.
        expected: String,
        /// What it holds.
        found: String,
    },
}

/// The checks `report` makes on the text of a `meta.json` before anything is sized by it:
/// JSON, a horizon of 1 to 200 years, 1, 4 or 12 steps a year, at least one run, and lists
/// of strategies (1 to 10,000) and uncertain inputs (at most 10,000). Public for the fuzz
/// target `record_json`.
pub fn check_meta(bytes: &[u8]) -> Result<serde_json::Value, MetaProblem> {
    let meta: serde_json::Value = serde_json::from_slice(bytes).map_err(MetaProblem::Json)?;
    let number = |key: &str| meta.get(key).map(|v| v.to_string()).unwrap_or_else(|| "nothing".into());
    let int = |key: &str| meta.get(key).and_then(serde_json::Value::as_u64);
    let bad =
        |key: &'static str, expected: &str, found: String| MetaProblem::Key { key, expected: expected.into(), found };
    if !int("horizon_years").is_some_and(|y| (1..=200).contains(&y)) {
        return Err(bad("horizon_years", "1 to 200 years", number("horizon_years")));
    }
    if !int("steps_per_year").is_some_and(|s| [1, 4, 12].contains(&s)) {
        return Err(bad("steps_per_year", "1, 4 or 12", number("steps_per_year")));
    }
    if int("runs").is_none_or(|r| r < 1) {
        return Err(bad("runs", "at least 1 run", number("runs")));
    }
    for key in ["strategies", "uncertain_parameters"] {
        let n = meta.get(key).and_then(serde_json::Value::as_array).map(Vec::len);
        if n.is_none_or(|n| n > MAX_NAMES) || (key == "strategies" && n == Some(0)) {
            let found = n.map_or("no list".into(), |n| format!("{n} names"));
            return Err(bad(key, &format!("a list of 1 to {MAX_NAMES} names"), found));
        }
    }
    Ok(meta)
}

fn check_folder(dir: &Path, depth: usize) -> Result<(), AppError> {
    let path = dir.join("meta.json");
    let bad = |key: &str, expected: &str, found: String| {
        AppError::BadInput(format!("{}: key `{key}`: expected {expected}, found {found}", path.display()))
    };
    let bytes = output::read_bounded(&path, output::MAX_RECORD_BYTES).map_err(|e| {
        AppError::BadInput(format!("{}: expected the meta.json of a results folder, found {e}", path.display()))
    })?;
    let meta = check_meta(&bytes).map_err(|e| match e {
        MetaProblem::Json(e) => AppError::BadInput(format!("{}: expected JSON, found {e}", path.display())),
        MetaProblem::Key { key, expected, found } => bad(key, &expected, found),
    })?;
    for file in
        ["yearly.csv", "summary.csv", "budget.csv", "reserve.csv", "reserve_by_certainty.csv", "break_even_inputs.csv"]
    {
        let path = dir.join(file);
        if fs::symlink_metadata(&path).is_err() {
            continue;
        }
        output::read_bounded_len(&path, MAX_TABLE_BYTES).map_err(|e| {
            AppError::BadInput(format!("{}: expected a table of contractsim, found {e}", path.display()))
        })?;
    }
    super::integrity::verify(dir, "meta.json").map_err(AppError::BadInput)?;
    check_yearly(dir, &meta)?;
    if depth == 0
        && let Some(variants) = meta.get("variants").and_then(serde_json::Value::as_array)
    {
        for id in variants.iter().filter_map(|v| v.get("id")).filter_map(serde_json::Value::as_str) {
            check_folder(&dir.join(variant_folder(id)), 1)?;
        }
    }
    Ok(())
}

/// Checks `yearly.csv` before the reports are drawn from it: a header `strategy,year,metric`
/// and statistics, and a row with finite numbers for every strategy of `meta.json`, year of
/// the horizon and metric, each once: an empty, truncated, NaN or repeated table would
/// otherwise be drawn (and told) as if it were the results.
fn check_yearly(dir: &Path, meta: &serde_json::Value) -> Result<(), AppError> {
    let path = dir.join("yearly.csv");
    let bad = |line: usize, expected: &str, found: String| {
        AppError::BadInput(format!("{}:{line}: expected {expected}, found {found}", path.display()))
    };
    let bytes = output::read_bounded(&path, MAX_TABLE_BYTES)
        .map_err(|e| AppError::BadInput(format!("{}: expected the yearly table, found {e}", path.display())))?;
    let strategies: Vec<&str> =
        meta["strategies"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
    let start = meta["start_year"].as_i64().unwrap_or(0);
    let years = meta["horizon_years"].as_i64().unwrap_or(0);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
    let mut rows = reader.records();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        _ => return Err(bad(1, "the header `strategy,year,metric,mean,...`", "no header".into())),
    };
    if header.len() < 4 || &header[0] != "strategy" || &header[1] != "year" || &header[2] != "metric" {
        return Err(bad(
            1,
            "the header `strategy,year,metric,mean,...`",
            format!("`{}`", header.iter().collect::<Vec<_>>().join(",")),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut metrics = std::collections::HashSet::new();
    for (i, row) in rows.enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| bad(line, "a CSV row", e.to_string()))?;
        if row.len() != header.len() {
            return Err(bad(line, &format!("{} columns", header.len()), format!("{}", row.len())));
        }
        if !strategies.contains(&&row[0]) {
            return Err(bad(line, "a strategy of meta.json", format!("`{}`", &row[0])));
        }
        let year: i64 = row[1].parse().map_err(|_| bad(line, "a year", format!("`{}`", &row[1])))?;
        if !(start..start + years).contains(&year) {
            return Err(bad(line, &format!("a year from {start} to {}", start + years - 1), year.to_string()));
        }
        for (c, cell) in row.iter().enumerate().skip(3) {
            // The statistics are numbers; other columns (a variant's id) are text.
            let statistic = ["mean", "mcse"].contains(&&header[c])
                || header[c].strip_prefix('p').is_some_and(|q| q.parse::<u32>().is_ok());
            if cell.is_empty() && !statistic {
                return Err(bad(line, &format!("a value in column `{}`", &header[c]), "nothing".into()));
            }
            if statistic && !cell.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(bad(line, &format!("a finite number in column `{}`", &header[c]), format!("`{cell}`")));
            }
        }
        if !seen.insert((row[0].to_string(), year, row[2].to_string())) {
            return Err(bad(
                line,
                "each strategy, year and metric once",
                format!("{} {year} {} again", &row[0], &row[2]),
            ));
        }
        metrics.insert(row[2].to_string());
    }
    let want = strategies.len() * years as usize * metrics.len().max(1);
    if seen.len() != want {
        return Err(bad(
            seen.len() + 2,
            &format!(
                "{want} rows ({} strategies x {years} years x {} metrics)",
                strategies.len(),
                metrics.len().max(1)
            ),
            format!("{} rows", seen.len()),
        ));
    }
    Ok(())
}

/// Every file of the folder (name, path), so that redrawing in place keeps the data files
/// (the folder is replaced as a whole); names are prefixed with `prefix/` for a variant's
/// folder. A sub-folder other than the variants' folders (`variants/<id>`, given in
/// `worlds`) is refused rather than emptied.
fn existing_files(dir: &Path, prefix: &str, worlds: &[String]) -> Result<Vec<(String, std::path::PathBuf)>, AppError> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            // `variants/` holds only the variants' folders, which the caller lists itself.
            let holds_worlds = name == "variants"
                && fs::read_dir(&path).is_ok_and(|rd| {
                    rd.filter_map(Result::ok).all(|e| {
                        let inner = format!("variants/{}", e.file_name().to_string_lossy());
                        e.path().is_dir() && worlds.contains(&inner)
                    })
                });
            if holds_worlds {
                continue;
            }
            return Err(AppError::BadInput(format!(
                "{}: contains the sub-folder {}; a results folder has none but its variants' (write elsewhere with --out)",
                dir.display(),
                path.display()
            )));
        }
        files.push((if prefix.is_empty() { name } else { format!("{prefix}/{name}") }, path));
    }
    files.sort();
    Ok(files)
}
