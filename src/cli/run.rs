//! `contractsim run`: simulate scenarios and write their results folders.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{CliError, RunArgs, scenario_files};
use crate::analysis::convergence::{Precision, run_until_precise};
use crate::engine::{Plan, RunOptions, run_batch};
use crate::report::{Results, render_all};
use crate::{output, scenario};

/// Runs each scenario and writes `outputs/<file stem>/` (or the `--out` folder).
/// Every scenario is validated before any is simulated.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let files = scenario_files(args.files)?;
    if args.runs == Some(0) {
        return Err(CliError::BadInput("--runs: expected at least 1 run, found 0".into()));
    }
    if args.max_runs.is_some() && args.precision.is_none() {
        return Err(CliError::BadInput("--max-runs: expected together with --precision, found it alone".into()));
    }
    let mut scenarios = Vec::new();
    let mut bad = Vec::new();
    for f in &files {
        match scenario::load(f) {
            Ok(s) => scenarios.push(s),
            Err(e) => bad.push(e.to_string()),
        }
    }
    if !bad.is_empty() {
        return Err(CliError::BadInput(bad.join("\n")));
    }
    let several = scenarios.len() > 1;
    for s in scenarios {
        let stem = s.file.file_stem().map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
        let dest = match (&args.out, several) {
            (Some(out), false) => out.clone(),
            (Some(out), true) => out.join(&stem),
            (None, _) => PathBuf::from("outputs").join(&stem),
        };
        for w in &s.warnings {
            eprintln!("warning: {}: {w}", s.file.display());
        }
        let precision = match args.precision {
            None => None,
            Some(p) if p.is_finite() && p > 0.0 => {
                Some(Precision { mcse_eur: p, max_runs: args.max_runs.unwrap_or(1_000_000).max(2) })
            }
            Some(p) => return Err(CliError::BadInput(format!("--precision: expected euros > 0, found {p}"))),
        };
        let first = if precision.is_some() { args.runs.unwrap_or(100) } else { args.runs.unwrap_or(s.runs) };
        let opts = RunOptions { runs: first, seed: args.seed.unwrap_or(s.seed), threads: args.threads };
        run_one(s, &opts, precision, &dest)?;
    }
    Ok(())
}

fn run_one(
    s: scenario::Scenario,
    opts: &RunOptions,
    precision: Option<Precision>,
    dest: &Path,
) -> Result<(), CliError> {
    let name = s.name.clone();
    let file = s.file.clone();
    let plan = Plan::new(s);
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(opts.runs as u64);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} runs, {per_sec}, eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(name.clone());
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let batch = match precision {
        None => run_batch(&plan, opts, &|| bar.inc(1)),
        Some(p) => {
            bar.set_length(p.max_runs as u64);
            run_until_precise(&plan, opts, p, &|| bar.inc(1))
        }
    }
    .context("running the simulation")?;
    bar.finish_and_clear();
    let results = Results::new(&plan, &batch);
    let files = render_all(&results).context("rendering the results")?;
    output::write_folder(dest, &files).with_context(|| format!("writing {}", dest.display()))?;
    eprintln!(
        "{}: {} runs x {} strategies in {:.1} s -> {}",
        file.display(),
        batch.runs.len(),
        plan.strategies(),
        started.elapsed().as_secs_f64(),
        dest.display()
    );
    Ok(())
}
