//! The Monte Carlo engine: runs × strategies on rayon, each run on its own random
//! streams, results collected in run order so that files are identical at any thread
//! count and a run's results do not depend on the batch it is in.

mod layout;
pub(crate) mod region;
mod simulate;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

pub use crate::stats::moments::BLOCK;
pub use layout::Layout;
pub use simulate::DrawCounts;
pub use simulate::{Plan, RunRecord};

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
pub(crate) fn run_batch_until(
    plan: &Plan,
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Result<Batch, EngineError> {
    let pool = pool(opts.threads)?;
    let threads = pool.current_num_threads();
    let done = AtomicUsize::new(0);
    let runs = pool.install(|| simulate_runs(plan, opts.seed, 0..opts.runs as u64, tick, stop, &done));
    match runs {
        Some(runs) if !stop.load(Ordering::Relaxed) => Ok(Batch { seed: opts.seed, threads, runs }),
        _ => Err(EngineError::Stopped { done: done.into_inner(), runs: opts.runs }),
    }
}

/// A pool of `threads` worker threads (0: all cores).
fn pool(threads: usize) -> Result<rayon::ThreadPool, EngineError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| EngineError::Threads { threads, source })
}

/// Simulates `runs` in parallel, collected in run order; `None` when `stop` was seen (runs
/// in flight finish). `done` counts finished runs.
fn simulate_runs(
    plan: &Plan,
    seed: u64,
    runs: std::ops::Range<u64>,
    tick: &(dyn Fn() + Sync),
    stop: &AtomicBool,
    done: &AtomicUsize,
) -> Option<Vec<RunRecord>> {
    runs.into_par_iter()
        .map(|k| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let r = plan.run(seed, k);
            done.fetch_add(1, Ordering::Relaxed);
            tick();
            Some(r)
        })
        .collect()
}

/// The runs of shard `shard` of `shards` in a batch of `runs` runs: whole blocks of
/// [`BLOCK`] runs by index, shard `k` taking blocks `k·B/N .. (k+1)·B/N` of the `B` blocks,
/// so that the shards together make exactly the batch's runs, each with its own streams.
pub(crate) fn shard_runs(runs: u64, shard: u64, shards: u64) -> std::ops::Range<u64> {
    // In 128 bits: blocks x shard overflows 64 bits for absurd counts.
    let (blocks, shard, shards) = (u128::from(runs.div_ceil(BLOCK)), u128::from(shard), u128::from(shards.max(1)));
    let at = |b: u128| u64::try_from(b * u128::from(BLOCK)).unwrap_or(u64::MAX).min(runs);
    at(blocks * shard / shards)..at(blocks * (shard + 1) / shards)
}

/// Why a streamed batch ended early.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E: std::error::Error + 'static> {
    /// The engine failed or was stopped.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The consumer of the blocks failed.
    #[error(transparent)]
    Sink(E),
}

/// Simulates runs `range` (which starts at a multiple of [`BLOCK`]) block by block and
/// hands each block's records, in run order, to `sink(block index, records)`, which
/// returns whether to go on. While `sink` works on one block the next is simulated, so at
/// most two blocks are in memory. Returns the number of runs handed to `sink`. A run's
/// numbers depend only on the seed and its index, so the blocks are the same whatever the
/// thread count or range.
pub fn run_blocks<E, F>(
    plan: &Plan,
    opts: &RunOptions,
    range: std::ops::Range<u64>,
    tick: &(dyn Fn() + Sync),
    stop: &AtomicBool,
    mut sink: F,
) -> Result<u64, StreamError<E>>
where
    E: std::error::Error + Send + 'static,
    F: FnMut(u64, &[RunRecord]) -> Result<bool, E> + Send,
{
    assert!(range.start % BLOCK == 0, "a range of whole blocks");
    let pool = pool(opts.threads)?;
    let done = AtomicUsize::new(0);
    let simulate = |block: u64| {
        let runs = (block * BLOCK).max(range.start)..((block + 1) * BLOCK).min(range.end);
        simulate_runs(plan, opts.seed, runs, tick, stop, &done)
    };
    let stopped = || StreamError::Engine(EngineError::Stopped { done: done.load(Ordering::Relaxed), runs: opts.runs });
    let first = range.start / BLOCK;
    let last = range.end.div_ceil(BLOCK);
    pool.install(|| {
        if first >= last {
            return Ok(0);
        }
        let mut handed = 0u64;
        let mut current = simulate(first).ok_or_else(stopped)?;
        for block in first..last {
            let (go_on, next) = if block + 1 < last {
                rayon::join(|| sink(block, &current), || simulate(block + 1))
            } else {
                (sink(block, &current), None)
            };
            if stop.load(Ordering::Relaxed) {
                return Err(stopped());
            }
            handed += current.len() as u64;
            if !go_on.map_err(StreamError::Sink)? || block + 1 == last {
                return Ok(handed);
            }
            current = next.ok_or_else(stopped)?;
        }
        Ok(handed)
    })
}

impl RunRecord {
    /// Horizon metric `m` of strategy `k` in this run.
    #[inline]
    pub fn horizon_of(&self, k: usize, m: crate::metrics::Horizon) -> f64 {
        self.horizon[k * crate::metrics::HORIZON.len() + m.index()]
    }
}
