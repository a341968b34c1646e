//! `contractsim sweep`: re-run a scenario over a grid of values of one or two numeric keys
//! on common random numbers, and write `sweep.csv` with its charts.

use std::path::PathBuf;

use anyhow::Context;

use super::sensitivity::chosen_strategies;
use super::{AppError, Progress, SweepRequest};
use crate::analysis::horizon_metric;
use crate::analysis::sweep::{SweepKey, check_keys, grid, grid_plans, run_grid};
use crate::app::{guard, output};
use crate::report::sweep::SweepData;
use crate::scenario;

/// Runs the grid and writes the folder.
pub fn sweep(args: SweepRequest, progress: &dyn Progress) -> Result<(), AppError> {
    let metric = horizon_metric(&args.metric).map_err(AppError::BadInput)?;
    if args.runs == Some(0) {
        return Err(AppError::BadInput("--runs: expected at least 1 run, found 0".into()));
    }
    guard::check_threads(args.threads)?;
    let keys: Vec<SweepKey> =
        args.set.iter().map(|s| s.parse()).collect::<Result<_, String>>().map_err(AppError::BadInput)?;
    check_keys(&keys).map_err(AppError::BadInput)?;
    let text = scenario::read_text(&args.file).map_err(|e| AppError::BadInput(e.to_string()))?;
    let s = scenario::parse_str(&text, &args.file).map_err(|e| AppError::BadInput(e.to_string()))?;
    let strategies = chosen_strategies(&s, args.strategy.as_deref())?;
    let stem = s.file.file_stem().map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
    let dest = args.out.clone().unwrap_or_else(|| PathBuf::from("outputs").join(format!("{stem}-sweep")));
    let inputs = [s.file.as_path()];
    let claim = output::Claim { kind: output::Kind::Sweep, file: &s.file, sha256: &s.sha256, inputs: &inputs };
    let dest = output::check_destination(&dest, &claim, args.force).map_err(|e| AppError::BadInput(e.to_string()))?;
    let runs = args.runs.unwrap_or(s.runs);
    let seed = args.seed.unwrap_or(s.seed);
    let started = std::time::Instant::now();
    if let Some(id) = args.variant.as_deref() {
        crate::engine::Plan::of_world(s.clone(), Some(id)).map_err(AppError::BadInput)?;
    }
    // Every grid point is checked, and the whole sweep sized, before any is simulated.
    let grid = grid(&keys);
    let plans = grid_plans(&text, &args.file, &keys, &grid, args.variant.as_deref()).map_err(AppError::BadInput)?;
    let source = if args.runs.is_some() { "--runs" } else { "scenario.runs" };
    // Timed at the first, middle and last points: the cost moves with the swept value.
    let sample = [0, plans.len() / 2, plans.len().saturating_sub(1)];
    let cost = sample.iter().filter_map(|&i| plans.get(i)).map(|p| guard::measure(p, seed)).fold(
        guard::RunCost { secs: 0.0, bytes: 0.0 },
        |a, c| guard::RunCost { secs: a.secs.max(c.secs), bytes: a.bytes.max(c.bytes) },
    );
    let total = runs as f64 * plans.len() as f64;
    guard::check_time(&s.file, source, cost, total, args.threads).map_err(AppError::BadInput)?;
    guard::check_memory(&s.file, source, cost, runs as f64, 0.0).map_err(AppError::BadInput)?;
    let opts = crate::engine::RunOptions { runs, seed, threads: args.threads };
    let rows = run_grid(&grid, &plans, metric, &opts).context("running the sweep")?;
    let data = SweepData {
        scenario: s.name.clone(),
        keys: keys.iter().map(|k| k.path.clone()).collect(),
        metric: args.metric.clone(),
        runs,
        seed,
        baseline: s.strategies[s.baseline()].id.clone(),
        highlight: s.strategies[strategies[0]].id.clone(),
        rows,
    };
    let mut files = data.files().context("rendering the sweep")?;
    let record = serde_json::json!({
        "tool": "contractsim",
        "command": "sweep",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "scenario_file": s.file.display().to_string(),
        "scenario_sha256": s.sha256,
        "set": args.set,
        "runs": runs,
        "seed": seed,
        "metric": args.metric,
        "variant": args.variant,
    });
    let record = serde_json::to_vec_pretty(&record).context("rendering sweep.json")?;
    files.push((output::SWEEP_JSON.to_string(), record));
    output::write_folder(&dest, &files).with_context(|| format!("writing {}", dest.path().display()))?;
    progress.note(&format!(
        "{}: sweep of {} over {} points x {runs} runs in {:.1} s -> {}",
        args.file.display(),
        data.keys.join(" x "),
        keys.iter().map(|k| k.values.len()).product::<usize>(),
        started.elapsed().as_secs_f64(),
        dest.path().display()
    ));
    Ok(())
}
