//! `contractsim sensitivity`: run a scenario as `run` does, then the one-way (tornado),
//! rank-correlation and value-of-information analyses, and write one results folder with
//! both (the reports gain a sensitivity section).

use std::path::PathBuf;

use anyhow::Context;

use super::{AppError, Progress, SensitivityRequest};
use crate::analysis::horizon_metric;
use crate::analysis::sensitivity::{TORNADO_LEVELS, rank_correlations, tornado, voi_table};
use crate::app::{guard, output};
use crate::engine::{Plan, RunOptions, run_batch};
use crate::export::exporters;
use crate::report::sensitivity::SensitivityData;
use crate::report::{ReportData, render_reports};
use crate::results::Results;
use crate::scenario;

/// Runs the analyses and writes the folder.
pub fn sensitivity(args: SensitivityRequest, progress: &dyn Progress) -> Result<(), AppError> {
    let metric = horizon_metric(&args.metric).map_err(AppError::BadInput)?;
    guard::check_threads(args.threads)?;
    if args.runs == Some(0) || args.tornado_runs == Some(0) {
        return Err(AppError::BadInput("--runs, --tornado-runs: expected at least 1 run, found 0".into()));
    }
    let s = scenario::load(&args.file).map_err(|e| AppError::BadInput(e.to_string()))?;
    for w in &s.warnings {
        progress.note(&format!("warning: {}: {w}", s.file.display()));
    }
    let strategies = chosen_strategies(&s, args.strategy.as_deref())?;
    let stem = s.file.file_stem().map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
    // Not `run`'s folder: a sensitivity folder is a kind of its own (see `output::Kind`).
    let dest = args.out.clone().unwrap_or_else(|| PathBuf::from("outputs").join(format!("{stem}-sensitivity")));
    let inputs = [s.file.as_path()];
    let claim = output::Claim { kind: output::Kind::Sensitivity, file: &s.file, sha256: &s.sha256, inputs: &inputs };
    let dest = output::check_destination(&dest, &claim, args.force).map_err(|e| AppError::BadInput(e.to_string()))?;
    let opts =
        RunOptions { runs: args.runs.unwrap_or(s.runs), seed: args.seed.unwrap_or(s.seed), threads: args.threads };
    let tornado_runs = args.tornado_runs.unwrap_or(opts.runs.min(200));
    let started = std::time::Instant::now();
    let plan = Plan::of_world(s, args.variant.as_deref()).map_err(AppError::BadInput)?;
    size_guard(&plan, &args, &opts, tornado_runs, strategies.len())?;
    let batch = run_batch(&plan, &opts, &|| {}).context("running the simulation")?;
    let sens = SensitivityData {
        metric: args.metric.clone(),
        tornado: tornado(&plan, metric, &strategies, tornado_runs, opts.seed, opts.threads)
            .context("running the one-way analysis")?,
        ranks: rank_correlations(&plan, &batch, metric, &strategies),
        voi: voi_table(&plan, &batch),
    };
    let results = Results::new(&plan, &batch);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for e in exporters().iter().filter(|e| e.applies(&results)) {
        files.push((e.file_name().to_string(), e.render(&results).context("rendering the results")?));
    }
    files.extend(sens.files().context("rendering the sensitivity tables")?);
    let mut data = ReportData::from_results(&results);
    data.sensitivity = Some(sens);
    files.extend(render_reports(&data).context("rendering the reports")?);
    let staging = output::Staging::new(&dest).with_context(|| format!("writing {}", dest.path().display()))?;
    for (name, bytes) in &files {
        staging.write(name, bytes).with_context(|| format!("writing {name}"))?;
    }
    staging.seal("", "meta.json")?;
    staging.commit().with_context(|| format!("writing {}", dest.path().display()))?;
    progress.note(&format!(
        "{}: sensitivity of {} over {} runs ({} per one-way setting) in {:.1} s -> {}",
        args.file.display(),
        args.metric,
        opts.runs,
        tornado_runs,
        started.elapsed().as_secs_f64(),
        dest.path().display()
    ));
    Ok(())
}

/// Refuses an analysis that would take more than a day or keep more in memory than
/// [`guard::MAX_IN_MEMORY_BYTES`]: the runs of the probabilistic analysis are kept whole,
/// and the one-way analysis makes `tornado_runs` runs at each of its settings.
fn size_guard(
    plan: &Plan,
    args: &SensitivityRequest,
    opts: &RunOptions,
    tornado_runs: usize,
    strategies: usize,
) -> Result<(), AppError> {
    let file = &plan.scenario.file;
    let cost = guard::measure(plan, opts.seed);
    let settings = 1.0 + (TORNADO_LEVELS.len() * plan.scenario.uncertain_params().count()) as f64;
    let tornado = tornado_runs as f64 * settings;
    let runs_key = if args.runs.is_some() { "--runs" } else { "scenario.runs" };
    let tornado_key = if args.tornado_runs.is_some() { "--tornado-runs" } else { runs_key };
    // Each one-way run keeps one figure per analysed strategy.
    let tornado_bytes = tornado * (24.0 + 8.0 * strategies as f64);
    let bad = |e: String| AppError::BadInput(e);
    let batch_bytes = cost.bytes * opts.runs as f64;
    if tornado_bytes > batch_bytes {
        // Per `--tornado-runs` run: one run at every setting.
        let per_run = guard::RunCost { secs: cost.secs * settings, bytes: settings * (24.0 + 8.0 * strategies as f64) };
        guard::check_memory(file, tornado_key, per_run, tornado_runs as f64, batch_bytes).map_err(bad)?;
    } else {
        guard::check_memory(file, runs_key, cost, opts.runs as f64, tornado_bytes).map_err(bad)?;
    }
    let key = if tornado > opts.runs as f64 { tornado_key } else { runs_key };
    guard::check_time(file, key, cost, opts.runs as f64 + tornado, opts.threads).map_err(bad)?;
    Ok(())
}

/// The strategies to analyse: the one named, or every one but the baseline (the baseline
/// alone when it is the only one).
pub(super) fn chosen_strategies(s: &scenario::Scenario, id: Option<&str>) -> Result<Vec<usize>, AppError> {
    match id {
        Some(id) => s.strategies.iter().position(|st| st.id == id).map(|k| vec![k]).ok_or_else(|| {
            let ids: Vec<&str> = s.strategies.iter().map(|st| st.id.as_str()).collect();
            AppError::BadInput(format!(
                "{}: --strategy: expected one of {}, found `{id}`",
                s.file.display(),
                ids.join(", ")
            ))
        }),
        None => {
            let base = s.baseline();
            let others: Vec<usize> = (0..s.strategies.len()).filter(|&k| k != base).collect();
            Ok(if others.is_empty() { vec![base] } else { others })
        }
    }
}
