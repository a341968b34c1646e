//! The partial results of one shard (`run --shard K/N`): a folder with `partial.json`
//! (what was run: scenario, seed, runs, shard, tool version, how percentiles are kept),
//! `scenario.toml` (the scenario as run, so that `merge` needs nothing else),
//! `stats.bin` (the shard's [`super::Collector`]) and the shard's rows of `runs.csv`.
//! `contractsim merge` checks that the partials belong together and combines them.

use serde::{Deserialize, Serialize};

/// Name of the description file of a partial result.
pub(crate) const PARTIAL_JSON: &str = "partial.json";
/// Name of the statistics file of a partial result.
pub(crate) const STATS_BIN: &str = "stats.bin";
/// Name of the scenario copy in a partial result.
pub(crate) const SCENARIO_TOML: &str = "scenario.toml";
/// The format written in `partial.json`.
pub(crate) const FORMAT: &str = "contractsim-partial-1";

/// The file name of the per-run data as CSV.
pub const RUNS_CSV: &str = "runs.csv";
/// The file name of the per-run data as Parquet.
pub const RUNS_PARQUET: &str = "runs.parquet";

/// The format of the per-run data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum RunsFormat {
    /// `runs.csv`: opens in a spreadsheet (up to its row limit).
    #[default]
    Csv,
    /// `runs.parquet`: Apache Parquet, for pandas, polars, R arrow and DuckDB.
    Parquet,
}

impl RunsFormat {
    /// The file it is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            RunsFormat::Csv => RUNS_CSV,
            RunsFormat::Parquet => RUNS_PARQUET,
        }
    }
}

/// `partial.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PartialMeta {
    /// Always [`FORMAT`].
    pub format: String,
    /// Version of contractsim that wrote it.
    pub tool_version: String,
    /// The scenario file as named on the command line.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// Seed.
    pub seed: u64,
    /// Runs of the whole batch.
    pub runs: usize,
    /// This shard (0-based).
    pub shard: u64,
    /// Shards in all.
    pub shards: u64,
    /// First run of this shard.
    pub first_run: u64,
    /// One past the last run of this shard.
    pub end_run: u64,
    /// `exact` or `sketch`.
    pub quantiles: String,
    /// Worker threads used.
    pub threads: usize,
    /// The format of the shard's per-run data.
    #[serde(default)]
    pub runs_format: RunsFormat,
    /// How the uncertain parameters were drawn (`run --sampling`): `mc`, `lhs` or `sobol`.
    #[serde(default = "plain_monte_carlo")]
    pub sampling: String,
    /// The version of the random streams the shard was simulated with
    /// ([`crate::random::rng::STREAMS_VERSION`]); 1 in a shard written before it was kept.
    #[serde(default = "first_streams")]
    pub random_streams: u32,
}

fn plain_monte_carlo() -> String {
    "mc".into()
}

fn first_streams() -> u32 {
    1
}
