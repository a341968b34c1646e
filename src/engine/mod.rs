//! The Monte Carlo engine: runs × strategies on rayon, each run on its own random
//! streams, results collected in run order so that files are identical at any thread
//! count and a run's results do not depend on the batch it is in.

pub mod metrics;
pub mod rng;
pub mod sample;
mod simulate;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

pub use metrics::{HORIZON, Layout};
pub use simulate::{DrawCounts, Plan, RunRecord};

/// How many runs to make, and how.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Number of runs.
    pub runs: usize,
    /// Scenario seed.
    pub seed: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
}

/// The per-run results of a batch, in run order.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The seed used.
    pub seed: u64,
    /// Threads used.
    pub threads: usize,
    /// One record per run, run 0 first.
    pub runs: Vec<RunRecord>,
}

/// Errors of the engine itself (not of the scenario).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The cause.
        source: rayon::ThreadPoolBuildError,
    },
    /// The batch was stopped (by a signal) before every run finished.
    #[error("stopped after {done} of {runs} runs")]
    Stopped {
        /// Runs finished when the stop was seen (about; runs in flight finish).
        done: usize,
        /// Runs asked for.
        runs: usize,
    },
}

/// Runs a batch. `tick` is called once per finished run (for progress bars).
pub fn run_batch(plan: &Plan, opts: &RunOptions, tick: &(dyn Fn() + Sync)) -> Result<Batch, EngineError> {
    run_batch_until(plan, opts, tick, &AtomicBool::new(false))
}

/// Like [`run_batch`], but checks `stop` before each run and returns
/// [`EngineError::Stopped`] as soon as it is set: runs already started finish, no new run
/// starts, so the batch stops within about one run's time per thread.
pub fn run_batch_until(
    plan: &Plan,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Result<Batch, EngineError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|source| EngineError::Threads { threads: opts.threads, source })?;
    let threads = pool.current_num_threads();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let runs: Option<Vec<RunRecord>> = pool.install(|| {
        (0..opts.runs as u64)
            .into_par_iter()
            .map(|k| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let r = plan.run(opts.seed, k);
                done.fetch_add(1, Ordering::Relaxed);
                tick();
                Some(r)
            })
            .collect()
    });
    match runs {
        Some(runs) if !stop.load(Ordering::Relaxed) => Ok(Batch { seed: opts.seed, threads, runs }),
        _ => Err(EngineError::Stopped { done: done.into_inner(), runs: opts.runs }),
    }
}
