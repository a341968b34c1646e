//! `contractsim run`: simulate scenarios and write their results folders.
//!
//! Everything that can refuse a run is checked before any scenario is simulated: the
//! scenarios themselves, the destination folders (another scenario's results are not
//! replaced without `--force`), and the size of each run (memory and estimated time). A
//! SIGINT or SIGTERM stops the simulation between runs; nothing more is written, so the
//! previous results stay as they were.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{CliError, RunArgs, scenario_files};
use crate::analysis::convergence::{Precision, run_until_precise};
use crate::engine::{EngineError, HORIZON, Plan, RunOptions, metrics::YEARLY_BASE, run_batch_until};
use crate::report::{Results, render_all};
use crate::{output, scenario};

/// Most memory the per-run results of one scenario may take where the machine's memory
/// cannot be read; elsewhere three quarters of it.
pub const MAX_MEMORY_BYTES: f64 = 8.0 * GIB;
/// Longest estimated simulation time of one scenario.
pub const MAX_SIMULATION: Duration = Duration::from_secs(24 * 3600);
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

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
    let mut jobs = Vec::new();
    for s in scenarios {
        let stem = s.file.file_stem().map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
        let dest = match (&args.out, several) {
            (Some(out), false) => out.clone(),
            (Some(out), true) => out.join(&stem),
            (None, _) => PathBuf::from("outputs").join(&stem),
        };
        if !args.force
            && let Err(e) = output::check_destination(&dest, &s.file, &s.sha256)
        {
            bad.push(e.to_string());
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
        let source = if args.runs.is_some() { "--runs" } else { "scenario.runs" };
        let most = precision.map_or(opts.runs, |p| p.max_runs.max(opts.runs));
        if let Err(e) = check_memory(&s, most, if precision.is_some() { "--max-runs" } else { source }) {
            bad.push(e);
        }
        jobs.push((s, opts, dest, source, precision));
    }
    if !bad.is_empty() {
        return Err(CliError::BadInput(bad.join("\n")));
    }
    // Plans are built and timed on one run up front, so that a run that would take days is
    // refused before any other scenario is simulated.
    let mut planned = Vec::new();
    for (s, opts, dest, source, precision) in jobs {
        for w in &s.warnings {
            eprintln!("warning: {}: {w}", s.file.display());
        }
        let plan = Plan::new(s);
        match estimate_time(&plan, &opts, source) {
            Ok(estimate) => planned.push((plan, opts, dest, estimate, precision)),
            Err(e) => bad.push(e),
        }
    }
    if !bad.is_empty() {
        return Err(CliError::BadInput(bad.join("\n")));
    }
    let stop = stop_flag();
    for (plan, opts, dest, estimate, precision) in planned {
        run_one(plan, &opts, precision, &dest, estimate, stop)?;
    }
    Ok(())
}

/// The flag set by SIGINT, SIGTERM or SIGHUP. The handler is installed once per process;
/// a second signal ends the process at once (temporary folders it leaves are removed by
/// the next run writing there).
fn stop_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // If another handler is installed (a program embedding the library), the default
        // behaviour stays: the process ends, and the atomic write keeps old results intact.
        let _ = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                eprintln!("stopped at once; nothing was written");
                std::process::exit(super::EXIT_INTERRUPTED);
            }
            eprintln!("\nstopping: finishing the runs in progress (signal again to stop at once)");
        });
    });
    &STOP
}

/// Bytes the per-run results of `runs` runs take, about: the records the engine keeps,
/// and as much again for the tables the reports build from them.
pub fn estimated_memory_bytes(s: &scenario::Scenario, runs: usize) -> f64 {
    let yearly = (YEARLY_BASE.len() + 1 + 2 * s.segments.len()) * s.horizon_years;
    let per_run = 8 * (s.strategies.len() * (yearly + HORIZON.len()) + s.uncertain_params().count()) + 96;
    2.0 * runs as f64 * per_run as f64
}

fn memory_limit() -> f64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024.0)
    });
    // Three quarters of the machine: the per-run records are most of a run's memory.
    total.map_or(MAX_MEMORY_BYTES, |t| 0.75 * t)
}

fn check_memory(s: &scenario::Scenario, runs: usize, source: &str) -> Result<(), String> {
    let need = estimated_memory_bytes(s, runs);
    let limit = memory_limit();
    if need <= limit {
        return Ok(());
    }
    let max_runs = (limit / estimated_memory_bytes(s, 1)).floor().max(0.0);
    Err(format!(
        "{}: key `{source}`: expected at most {max_runs:.0} runs (the results of {} strategies x {} segments x {} years \
         must fit in {} of memory), found {runs}, which would need about {}; use fewer runs",
        s.file.display(),
        s.strategies.len(),
        s.segments.len(),
        s.horizon_years,
        bytes(limit),
        bytes(need),
    ))
}

/// Times one run (run 0, which the batch makes again) and scales it to the batch.
fn estimate_time(plan: &Plan, opts: &RunOptions, source: &str) -> Result<Duration, String> {
    let threads =
        if opts.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.threads };
    let started = Instant::now();
    let _ = plan.run(opts.seed, 0);
    let one = started.elapsed().as_secs_f64().max(1e-6);
    let total = one * opts.runs as f64 / threads as f64;
    if total <= MAX_SIMULATION.as_secs_f64() {
        return Ok(Duration::from_secs_f64(total));
    }
    let max_runs = MAX_SIMULATION.as_secs_f64() / one * threads as f64;
    Err(format!(
        "{}: key `{source}`: expected a simulation of at most {} (at most about {max_runs:.0} runs), found {} runs, \
         which would take about {} ({:.1} ms a run on {threads} thread(s)); use fewer runs",
        plan.scenario.file.display(),
        human(MAX_SIMULATION.as_secs_f64()),
        opts.runs,
        human(total),
        one * 1e3,
    ))
}

fn bytes(b: f64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

fn human(secs: f64) -> String {
    match secs {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 90.0 * 60.0 => format!("{:.0} min", s / 60.0),
        s if s < 48.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        s if s < 2.0 * 365.0 * 86400.0 => format!("{:.0} days", s / 86400.0),
        s => format!("{:.0} years", s / (365.25 * 86400.0)),
    }
}

fn run_one(
    plan: Plan,
    opts: &RunOptions,
    precision: Option<Precision>,
    dest: &Path,
    estimate: Duration,
    stop: &AtomicBool,
) -> Result<(), CliError> {
    let name = plan.scenario.name.clone();
    let file = plan.scenario.file.clone();
    // Also the marker that the simulation has started (tests wait for it).
    eprintln!(
        "{}: simulating {} runs x {} strategies (about {})",
        file.display(),
        opts.runs,
        plan.strategies(),
        human(estimate.as_secs_f64())
    );
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
    let started = Instant::now();
    let interrupted = |done: usize| {
        CliError::Interrupted(format!(
            "{}: interrupted after {done} of {} runs; nothing was written, {} is as it was",
            file.display(),
            opts.runs,
            dest.display()
        ))
    };
    let result = match precision {
        None => run_batch_until(&plan, opts, &|| bar.inc(1), stop),
        Some(p) => {
            bar.set_length(p.max_runs as u64);
            run_until_precise(&plan, opts, p, &|| bar.inc(1))
        }
    };
    let batch = match result {
        Ok(b) => b,
        Err(EngineError::Stopped { done, .. }) => {
            bar.abandon();
            return Err(interrupted(done));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("running the simulation").into()),
    };
    bar.finish_and_clear();
    let results = Results::new(&plan, &batch);
    let files = render_all(&results).context("rendering the results")?;
    if stop.load(Ordering::SeqCst) {
        return Err(interrupted(opts.runs));
    }
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
