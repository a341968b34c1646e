//! The application pipelines: run, merge, redraw, sensitivity, sweep, check, new and calibrate, each
//! taking a plain request (no command-line types) so that it can be called and tested as a
//! library function; and writing a results folder atomically ([`output`]).
//!
//! A pipeline talks to the person waiting only through [`Progress`]: the command line shows
//! a progress bar and messages on standard error, a test or an embedding program shows
//! nothing or what it likes.
// The pipelines compute no figure of a run: they may use the f64 methods (clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod calibrate;
mod check;
mod guard;
mod integrity;
mod merge;
mod new;
pub mod output;
mod redraw;
mod run;
mod sensitivity;
mod sweep;

use std::path::PathBuf;

pub use calibrate::{CalibrateRequest, calibrate, check_data};
pub use check::check;
pub use merge::{check_partial, merge};
pub use new::{SHIPPED, new, scenario_text};
pub use redraw::{MetaProblem, check_meta, redraw};
pub use run::run;
pub use sensitivity::sensitivity;
pub use sweep::sweep;

use crate::export::runs_file::RunsFormat;

/// A failure of a pipeline: bad input (a scenario, an argument), an interruption, or
/// anything else. The command line maps each to its exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: a scenario or an argument.
    #[error("{0}")]
    BadInput(String),
    /// Stopped by a signal before the results were written.
    #[error("{0}")]
    Interrupted(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// How a pipeline reports to the person waiting for it.
pub trait Progress: Sync {
    /// A line of news (a scenario started or finished, a warning).
    fn note(&self, line: &str);
    /// A batch of `total` runs of scenario `name` starts.
    fn start(&self, name: &str, total: u64);
    /// One more run is done.
    fn inc(&self);
    /// The batch ended, finished or not.
    fn finish(&self);
}

/// Reports nothing: for tests and programs that embed the library.
pub struct Silent;

impl Progress for Silent {
    fn note(&self, _line: &str) {}
    fn start(&self, _name: &str, _total: u64) {}
    fn inc(&self) {}
    fn finish(&self) {}
}

/// What `run` is to do (see `contractsim run --help` for each field).
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Scenario files; empty: every `*.toml` in `scenarios/`.
    pub files: Vec<PathBuf>,
    /// Runs [default: the scenario's `runs`].
    pub runs: Option<usize>,
    /// Seed [default: the scenario's `seed`].
    pub seed: Option<u64>,
    /// Results folder (with several files: the parent of one folder per scenario).
    pub out: Option<PathBuf>,
    /// Worker threads (0: all cores); results do not depend on it.
    pub threads: usize,
    /// Replace a folder that holds another scenario's results.
    pub force: bool,
    /// Add runs until every saving's MCSE is below this many euros.
    pub precision: Option<f64>,
    /// With `precision`: at most this many runs.
    pub max_runs: Option<usize>,
    /// Only shard `K/N` of the batch.
    pub shard: Option<String>,
    /// MiB for exact percentiles.
    pub quantile_memory: Option<f64>,
    /// Format of the per-run data.
    pub runs_format: RunsFormat,
}

/// What `merge` is to do.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// The partial results folders, one per shard, in any order.
    pub dirs: Vec<PathBuf>,
    /// Results folder to write.
    pub out: PathBuf,
    /// Replace a folder that holds another scenario's results.
    pub force: bool,
}

/// What `new` is to do.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Name of the scenario.
    pub name: String,
    /// A shipped scenario or a scenario file to start from [default: the blank template].
    pub from: Option<String>,
    /// Where to write it [default: `scenarios/NAME.toml`].
    pub out: Option<PathBuf>,
    /// Overwrite the file if it exists.
    pub force: bool,
}

/// What `sensitivity` is to do.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    /// Scenario file.
    pub file: PathBuf,
    /// Runs of the probabilistic analysis [default: the scenario's `runs`].
    pub runs: Option<usize>,
    /// Runs per setting of the one-way analysis.
    pub tornado_runs: Option<usize>,
    /// Seed [default: the scenario's `seed`].
    pub seed: Option<u64>,
    /// Results folder [default: `outputs/<file stem>-sensitivity`].
    pub out: Option<PathBuf>,
    /// Horizon metric of the tornado and rank correlations.
    pub metric: String,
    /// Only this strategy [default: every strategy but the baseline].
    pub strategy: Option<String>,
    /// The world to analyse: a `[[variant]]`'s id [default: the file's own].
    pub variant: Option<String>,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Replace a folder that holds another scenario's results or no results at all.
    pub force: bool,
}

/// What `sweep` is to do.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// Scenario file.
    pub file: PathBuf,
    /// `KEY=V1,V2,...`, once or twice.
    pub set: Vec<String>,
    /// Runs per grid point [default: the scenario's `runs`].
    pub runs: Option<usize>,
    /// Seed [default: the scenario's `seed`].
    pub seed: Option<u64>,
    /// Results folder [default: `outputs/<file stem>-sweep`].
    pub out: Option<PathBuf>,
    /// Horizon metric.
    pub metric: String,
    /// The strategy of the two-way heat map.
    pub strategy: Option<String>,
    /// The world to sweep: a `[[variant]]`'s id [default: the file's own].
    pub variant: Option<String>,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Replace a folder that holds another scenario's results or no results at all.
    pub force: bool,
}

/// What `check` is to do.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// Scenario files.
    pub files: Vec<PathBuf>,
}

/// What `report` (redraw) is to do.
#[derive(Debug, Clone)]
pub struct RedrawRequest {
    /// Results folder written by `run`.
    pub dir: PathBuf,
    /// Write the redrawn folder here instead of in place.
    pub out: Option<PathBuf>,
    /// With `out`: replace a folder that holds another scenario's results or no results.
    pub force: bool,
}

/// The scenario files to use: the ones given, or every `*.toml` in `scenarios/`.
pub(crate) fn scenario_files(files: Vec<PathBuf>) -> Result<Vec<PathBuf>, AppError> {
    if !files.is_empty() {
        return Ok(files);
    }
    let dir = PathBuf::from("scenarios");
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        AppError::BadInput(format!(
            "{}: cannot list scenarios ({e}); name a scenario file, e.g. `contractsim run my.toml`",
            dir.display()
        ))
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(AppError::BadInput(format!("{}: no *.toml scenario files", dir.display())));
    }
    Ok(found)
}
