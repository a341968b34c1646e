//! `contractsim sensitivity`: run a scenario as `run` does, then the one-way (tornado),
//! rank-correlation and value-of-information analyses, and write one results folder with
//! both (the reports gain a sensitivity section).

use std::path::PathBuf;

use anyhow::Context;

use super::{AppError, Progress, SensitivityRequest};
use crate::analysis::horizon_metric;
use crate::analysis::sensitivity::{rank_correlations, tornado, voi_table};
use crate::app::output;
use crate::engine::{Plan, RunOptions, run_batch};
use crate::export::exporters;
use crate::report::sensitivity::SensitivityData;
use crate::report::{ReportData, render_reports};
use crate::results::Results;
use crate::scenario;

/// Runs the analyses and writes the folder.
pub fn sensitivity(args: SensitivityRequest, progress: &dyn Progress) -> Result<(), AppError> {
    let metric = horizon_metric(&args.metric).map_err(AppError::BadInput)?;
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
    output::write_folder(&dest, &files).with_context(|| format!("writing {}", dest.path().display()))?;
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
