//! Size guards: every size a request brings (runs, one-way runs, grid points, threads) is
//! bounded before anything is simulated or allocated, on the machine's real core count, so
//! that an absurd request is refused up front with exit code 2 instead of running for days,
//! aborting on an allocation or failing late.

use std::time::{Duration, Instant};

use super::AppError;
use crate::engine::Plan;

/// Longest estimated simulation time of one command.
pub(crate) const MAX_SIMULATION: Duration = Duration::from_secs(24 * 3600);
/// Most memory that the per-run results a command keeps in memory (`sensitivity`, each
/// point of `sweep`) may take, bytes. `run` streams its runs and needs no such bound.
pub(crate) const MAX_IN_MEMORY_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;
/// Most worker threads per core that `--threads` may ask for: more gain nothing, and
/// thousands fail to start.
pub(crate) const THREADS_PER_CORE: usize = 8;

/// The cores of this machine (at least 1).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Worker threads that `threads` (0: all cores) gives.
pub(crate) fn rayon_threads(threads: usize) -> usize {
    if threads == 0 { cores() } else { threads }
}

/// Refuses more threads than [`THREADS_PER_CORE`] per core (at least 16).
pub(crate) fn check_threads(threads: usize) -> Result<(), AppError> {
    let most = (THREADS_PER_CORE * cores()).max(16);
    if threads > most {
        return Err(AppError::BadInput(format!(
            "--threads: expected at most {most} threads ({THREADS_PER_CORE} per core on this machine's {} core(s); \
             0 uses every core), found {threads}",
            cores()
        )));
    }
    Ok(())
}

/// What one run of a plan costs: its time, measured, and the bytes of its record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunCost {
    /// Seconds of one run on one core.
    pub secs: f64,
    /// Bytes of one run's record in memory.
    pub bytes: f64,
}

/// Times one run of `plan` (run 0, which the command makes again).
pub(crate) fn measure(plan: &Plan, seed: u64) -> RunCost {
    let started = Instant::now();
    let rec = plan.run(seed, 0);
    let secs = started.elapsed().as_secs_f64().max(1e-6);
    let values = rec.yearly.len() + rec.horizon.len() + rec.params.len();
    RunCost { secs, bytes: 8.0 * values as f64 + 4.0 * 24.0 }
}

/// The time `runs` runs take on `threads` threads (0: all cores), which gain nothing beyond
/// the cores there are; refused (naming the key `source` and `file`) above
/// [`MAX_SIMULATION`], with the estimate and the most runs that fit.
pub(crate) fn check_time(
    file: &std::path::Path,
    source: &str,
    cost: RunCost,
    runs: f64,
    threads: usize,
) -> Result<Duration, String> {
    let threads = rayon_threads(threads).min(cores());
    let total = cost.secs * runs / threads as f64;
    if total <= MAX_SIMULATION.as_secs_f64() {
        return Ok(Duration::from_secs_f64(total));
    }
    let max_runs = MAX_SIMULATION.as_secs_f64() / cost.secs * threads as f64;
    Err(format!(
        "{}: key `{source}`: expected a simulation of at most {} (at most about {max_runs:.0} runs), found {runs:.0} \
         runs, which would take about {} ({:.1} ms a run on {threads} thread(s)); use fewer runs",
        file.display(),
        human(MAX_SIMULATION.as_secs_f64()),
        human(total),
        cost.secs * 1e3,
    ))
}

/// Refuses `runs` runs kept in memory at once (plus `extra` bytes) above
/// [`MAX_IN_MEMORY_BYTES`].
pub(crate) fn check_memory(
    file: &std::path::Path,
    source: &str,
    cost: RunCost,
    runs: f64,
    extra: f64,
) -> Result<(), String> {
    let bytes = cost.bytes * runs + extra;
    if bytes <= MAX_IN_MEMORY_BYTES {
        return Ok(());
    }
    let max_runs = ((MAX_IN_MEMORY_BYTES - extra).max(0.0) / cost.bytes).floor();
    Err(format!(
        "{}: key `{source}`: expected results that fit in {:.0} GiB of memory (at most about {max_runs:.0} runs of \
         {:.0} kB), found {runs:.0} runs, which need {:.1} GiB; use fewer runs",
        file.display(),
        MAX_IN_MEMORY_BYTES / 1073741824.0,
        cost.bytes / 1e3,
        bytes / 1073741824.0
    ))
}

/// A duration as a person reads it.
pub(crate) fn human(secs: f64) -> String {
    match secs {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 90.0 * 60.0 => format!("{:.0} min", s / 60.0),
        s if s < 48.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        s if s < 2.0 * 365.0 * 86400.0 => format!("{:.0} days", s / 86400.0),
        s => format!("{:.0} years", s / (365.25 * 86400.0)),
    }
}
