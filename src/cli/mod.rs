//! The command line: clap definitions of every subcommand, their conversion into the app
//! layer's requests, the terminal's progress bar and signal handling, and exit codes.
// The command line computes no figure of a run: it may use the f64 methods (clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod progress;

pub use crate::app::AppError as CliError;
use crate::app::{self, AppError};

/// Exit code for bad input (a scenario or an argument).
pub(crate) const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for other failures (writing files, threads).
pub(crate) const EXIT_FAILURE: i32 = 1;
/// Exit code for a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub(crate) const EXIT_INTERRUPTED: i32 = 130;

/// Simulates how a municipality finances youth care over 20 years: output-based contracts,
/// effort and task contracts, result financing and prevention, under uncertainty.
///
/// With no command, runs every scenario in `scenarios/` and writes `outputs/<name>/`.
#[derive(Debug, Parser)]
#[command(
    name = "contractsim",
    version,
    about,
    long_about,
    after_help = "Examples:\n  contractsim                                  run every scenario in scenarios/\n  contractsim run scenarios/friesland.toml --runs 20000 --seed 7\n  contractsim check scenarios/*.toml\n  contractsim new my-town --from friesland      start a scenario of your own\n  contractsim calibrate data.csv --population 10000 --out scenarios/my-town.toml\n  contractsim report outputs/friesland          redraw charts and reports"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write their results.
    #[command(
        after_help = "Examples:\n  contractsim run                                   every scenario in scenarios/\n  contractsim run scenarios/friesland.toml --runs 50000 --threads 2\n  contractsim run my.toml --seed 11 --out results/my-case"
    )]
    Run(RunArgs),
    /// Validate scenarios and show whether their initial caseloads are calibrated.
    #[command(after_help = "Example:\n  contractsim check scenarios/friesland.toml")]
    Check(CheckArgs),
    /// Redraw the charts, summaries, report.html and results.xlsx of a results folder from
    /// its files, without simulating again.
    #[command(
        after_help = "Examples:\n  contractsim report outputs/friesland\n  contractsim report outputs/friesland --out /tmp/friesland-copy"
    )]
    Report(ReportArgs),
    /// Which inputs drive the answer and what knowing them better is worth: a results folder
    /// with tornado.csv, rank_correlation.csv and voi.csv next to the files of `run`.
    #[command(
        after_help = "Examples:\n  contractsim sensitivity scenarios/friesland.toml --runs 2000\n  contractsim sensitivity my.toml --metric npv_spend --strategy prevention --out results/sens"
    )]
    Sensitivity(SensitivityArgs),
    /// Re-run a scenario over a grid of values of one or two numeric keys, on common random
    /// numbers: sweep.csv and charts of the metric and P(cheaper than baseline).
    #[command(
        after_help = "Examples:\n  contractsim sweep scenarios/friesland.toml --set prevention.oost.annual_cost=0,250000,500000,1000000\n  contractsim sweep my.toml --set contract.output.margin=0,0.05,0.1 --set prevention.oost.effect=0.1,0.2,0.3"
    )]
    Sweep(SweepArgs),
    /// Write a commented scenario to fill in (`scenarios/NAME.toml`): a blank template with
    /// national averages, or a copy of a shipped scenario.
    #[command(
        after_help = "Examples:\n  contractsim new my-town                       blank template -> scenarios/my-town.toml\n  contractsim new my-town --from friesland      copy the Friesland scenario\n  contractsim new my-town --out /tmp/my-town.toml"
    )]
    New(NewArgs),
    /// Fit the demand of each segment to your own registration (a CSV of periods with the
    /// trajectories started, ended and running, or a CBS StatLine export with `--cbs`) and
    /// write a calibrated scenario built on the blank template, with its fit report
    /// `NAME-fit.csv` (docs/calibration.md).
    #[command(
        after_help = "Examples:\n  contractsim calibrate examples/calibration/registration.csv --population 10000 --out scenarios/my-town.toml\n  contractsim calibrate data.csv --population-file youths.csv --out scenarios/my-town.toml --balance-tolerance 0.02\n  contractsim calibrate examples/calibration/cbs-export.csv --cbs --region GM0080 --population-file examples/calibration/youths.csv --out scenarios/my-town.toml   a CBS StatLine export"
    )]
    Calibrate(CalibrateArgs),
    /// Combine the partial results of `run --shard` into one results folder, identical to
    /// the folder a single run writes.
    #[command(
        after_help = "Example:\n  for k in 0 1 2 3; do contractsim run scenarios/friesland.toml --shard $k/4 --out parts/$k; done\n  contractsim merge parts/0 parts/1 parts/2 parts/3 --out outputs/friesland"
    )]
    Merge(MergeArgs),
}

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The partial results folders, one per shard, in any order.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Results folder to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the results folder even when it holds the results of another scenario.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// The registration: a CSV with the columns period_start, period_end, segment, started,
    /// ended, active_at_start, active_at_end and optionally reentered (docs/calibration.md);
    /// with --cbs, a CBS StatLine export.
    pub data: PathBuf,
    /// Youths 0-17 the data come from, the same in every period, e.g. `--population 10000`.
    #[arg(long, conflicts_with = "population_file")]
    pub population: Option<f64>,
    /// Youths 0-17 on 1 January by year: a CSV with the columns `year,youth`; each period
    /// uses the year it starts in.
    #[arg(long, value_name = "FILE")]
    pub population_file: Option<PathBuf>,
    /// The scenario to write, e.g. `--out scenarios/my-town.toml`; the fit report
    /// `my-town-fit.csv` goes next to it.
    #[arg(long)]
    pub out: PathBuf,
    /// Overwrite the scenario and its fit report if they exist.
    #[arg(long)]
    pub force: bool,
    /// Accept periods whose stock does not add up (active_at_start + started - ended against
    /// active_at_end, and one period's end against the next one's start) by up to this share
    /// of active_at_start + started, e.g. 0.02 for rounded figures [default: 0, exactly].
    #[arg(long, default_value_t = 0.0, value_name = "SHARE")]
    pub balance_tolerance: f64,
    /// DATA is a CBS StatLine export (the OData TypedDataSet as CSV: period codes such as
    /// 2023HJ01, region codes such as GM0080, measure keys), read through --cbs-map
    /// (docs/calibration.md, "CBS StatLine exports").
    #[arg(long)]
    pub cbs: bool,
    /// With --cbs: the region whose rows are read, e.g. `--region GM0080` (needed when the
    /// export has more than one).
    #[arg(long, requires = "cbs", value_name = "CODE")]
    pub region: Option<String>,
    /// With --cbs: the mapping file (CSV `kind,cbs,to`) saying which export columns and
    /// codes are which counts and segments [default: examples/calibration/cbs-map.csv, built
    /// in; an assumption to check against the table's DataProperties].
    #[arg(long, requires = "cbs", value_name = "FILE")]
    pub cbs_map: Option<PathBuf>,
    /// With --cbs: also write the converted data in the long format, to inspect them, e.g.
    /// `--write-data my-town-data.csv` (written with the scenario, never alone).
    #[arg(long, requires = "cbs", value_name = "FILE")]
    pub write_data: Option<PathBuf>,
}

/// Arguments of `new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Name of the scenario (letters, digits, '-' and '_'), e.g. `my-town`.
    pub name: String,
    /// Start from a shipped scenario (friesland, leeuwarden-oost, alphen-totaalopdracht,
    /// roermond-meerjarig, zaanstad-maatwerkbudget) or a scenario file [default: the blank
    /// template].
    #[arg(long)]
    pub from: Option<String>,
    /// Where to write it, e.g. `--out /tmp/my-town.toml` [default: `scenarios/NAME.toml`].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files (TOML). Without any, every `*.toml` in `scenarios/`.
    pub files: Vec<PathBuf>,
    /// Monte Carlo runs, e.g. `--runs 20000` [default: the scenario's `runs`].
    #[arg(long)]
    pub runs: Option<usize>,
    /// Seed of the random streams, e.g. `--seed 7` [default: the scenario's `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Results folder, e.g. `--out results/case`. With one file, the folder itself; with
    /// several, a parent folder with one sub-folder per scenario [default: `outputs/`].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads, e.g. `--threads 2`; results do not depend on it [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Replace the results folder even when it holds the results of another scenario (its
    /// meta.json names another file) or is not a results folder at all.
    #[arg(long)]
    pub force: bool,
    /// Keep adding runs until the Monte Carlo standard error of every strategy's
    /// `npv_saving_vs_baseline` is below this many euros, e.g. `--precision 50000`; the
    /// first batch is `--runs` (default 100 here; 1,024 with `--sampling lhs` or `sobol`,
    /// the default with `--precision`, so that the MCSE rests on at least 16 replicates).
    /// Results equal a fixed run of the same count.
    #[arg(long)]
    pub precision: Option<f64>,
    /// With `--precision`: never more runs than this [default: 1000000].
    #[arg(long)]
    pub max_runs: Option<usize>,
    /// Run only shard K of N (K from 0 to N-1), e.g. `--shard 3/16`: the runs of that
    /// shard, with the same numbers as in a single run, written as a partial result that
    /// `contractsim merge` combines. Every shard needs the same `--runs` and `--seed`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Memory in MiB for exact percentiles (8 bytes per figure and run): when every figure
    /// of every run fits, every percentile is exact; otherwise, when the figures that the
    /// reports, charts and summary tables give fit, those stay exact and the other metrics
    /// of yearly.csv (listed in meta.json) come from sketches with a relative error of at
    /// most 0.1%; otherwise every percentile does, and memory no longer grows with the runs
    /// [default: 576].
    #[arg(long, value_name = "MIB")]
    pub quantile_memory: Option<f64>,
    /// Format of the per-run data: `csv` (runs.csv) or `parquet` (runs.parquet, for pandas,
    /// polars, R arrow and DuckDB).
    #[arg(long, value_enum, default_value_t = crate::export::runs_file::RunsFormat::Csv)]
    pub runs_format: crate::export::runs_file::RunsFormat,
    /// How the uncertain parameters are drawn: `mc` (plain Monte Carlo, every run its own),
    /// `lhs` (a Latin hypercube in every replicate of 64 runs) or `sobol` (scrambled
    /// Sobol' points in every replicate of 64 runs). With `lhs` and `sobol` the runs are
    /// whole replicates and the MCSE comes from the spread of the replicates' means
    /// (docs/model.md section 1) [default: `mc`; with `--precision`, `sobol`].
    #[arg(long, value_parser = parse_sampling, value_name = "mc|lhs|sobol")]
    pub sampling: Option<crate::random::design::Sampling>,
}

fn parse_sampling(text: &str) -> Result<crate::random::design::Sampling, String> {
    crate::random::design::Sampling::from_name(text)
        .ok_or_else(|| format!("expected one of mc, lhs, sobol; found `{text}`"))
}

/// Arguments of `sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Monte Carlo runs of the probabilistic analysis [default: the scenario's `runs`].
    #[arg(long)]
    pub runs: Option<usize>,
    /// Runs per setting of the one-way (tornado) analysis [default: the smaller of
    /// `--runs` and 200].
    #[arg(long)]
    pub tornado_runs: Option<usize>,
    /// Seed [default: the scenario's `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Results folder [default: `outputs/<file stem>-sensitivity`, next to the folder of
    /// `run`].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Horizon metric of the tornado and rank correlations, e.g. `npv_spend`.
    #[arg(long, default_value = "npv_saving_vs_baseline")]
    pub metric: String,
    /// Only this strategy (its id) in the tornado and rank correlations [default: every
    /// strategy but the baseline].
    #[arg(long)]
    pub strategy: Option<String>,
    /// The world to analyse: the id of a `[[variant]]` of the file [default: the file's own].
    #[arg(long)]
    pub variant: Option<String>,
    /// Worker threads; results do not depend on it [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Replace the results folder even when it holds the results of another scenario or
    /// is not a results folder at all (never a file, nor a folder that holds an input).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// A key and its values, `KEY=V1,V2,...` (dotted path); once or twice.
    #[arg(long = "set", required = true)]
    pub set: Vec<String>,
    /// Runs per grid point [default: the scenario's `runs`].
    #[arg(long)]
    pub runs: Option<usize>,
    /// Seed [default: the scenario's `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Results folder [default: `outputs/<file stem>-sweep`].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Horizon metric, e.g. `npv_spend`.
    #[arg(long, default_value = "npv_saving_vs_baseline")]
    pub metric: String,
    /// The strategy of the two-way heat map (its id) [default: the first that is not the
    /// baseline].
    #[arg(long)]
    pub strategy: Option<String>,
    /// The world to analyse: the id of a `[[variant]]` of the file [default: the file's own].
    #[arg(long)]
    pub variant: Option<String>,
    /// Worker threads; results do not depend on it [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Replace the results folder even when it holds the results of another scenario or
    /// is not a results folder at all (never a file, nor a folder that holds an input).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML), e.g. `scenarios/friesland.toml`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Results folder written by `contractsim run`, e.g. `outputs/friesland`.
    pub dir: PathBuf,
    /// Write the folder with its redrawn reports here instead of in place, e.g.
    /// `--out /tmp/copy` [default: the results folder itself].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the results folder even when it holds the results of another scenario or
    /// is not a results folder at all (never a file, nor a folder that holds an input).
    #[arg(long)]
    pub force: bool,
}

/// The process exit code of a failure.
pub fn exit_code(e: &AppError) -> i32 {
    match e {
        AppError::BadInput(_) => EXIT_BAD_INPUT,
        AppError::Interrupted(_) => EXIT_INTERRUPTED,
        // A destination another process is writing: refused up front, like a bad destination.
        AppError::Other(e)
            if e.chain().any(|c| matches!(c.downcast_ref(), Some(crate::app::output::OutputError::Busy { .. }))) =>
        {
            EXIT_BAD_INPUT
        }
        AppError::Other(_) => EXIT_FAILURE,
    }
}

/// Runs the command line.
pub fn main_with(cli: Cli) -> Result<(), AppError> {
    let bar = progress::Terminal::new();
    // Every command answers a signal the same way: within a second, with its temporary
    // folders and locks removed and exit code 130 (`run` also stops between runs itself).
    let _ = progress::stop_flag();
    match cli.command {
        None => app::run(app::RunRequest::default(), &bar, progress::stop_flag()),
        Some(Command::Run(a)) => app::run(a.into(), &bar, progress::stop_flag()),
        Some(Command::Check(a)) => app::check(app::CheckRequest { files: a.files }),
        Some(Command::Report(a)) => app::redraw(app::RedrawRequest { dir: a.dir, out: a.out, force: a.force }, &bar),
        Some(Command::New(a)) => app::new(app::NewRequest { name: a.name, from: a.from, out: a.out, force: a.force }),
        Some(Command::Sensitivity(a)) => app::sensitivity(a.into(), &bar),
        Some(Command::Sweep(a)) => app::sweep(a.into(), &bar),
        Some(Command::Calibrate(a)) => app::calibrate(app::CalibrateRequest {
            data: a.data,
            population: a.population,
            population_file: a.population_file,
            out: a.out,
            force: a.force,
            balance_tolerance: a.balance_tolerance,
            cbs: a.cbs.then_some(app::calibrate::CbsRequest {
                region: a.region,
                map: a.cbs_map,
                write_data: a.write_data,
            }),
        }),
        Some(Command::Merge(a)) => app::merge(app::MergeRequest { dirs: a.dirs, out: a.out, force: a.force }, &bar),
    }
}

impl From<RunArgs> for app::RunRequest {
    fn from(a: RunArgs) -> Self {
        app::RunRequest {
            files: a.files,
            runs: a.runs,
            seed: a.seed,
            out: a.out,
            threads: a.threads,
            force: a.force,
            precision: a.precision,
            max_runs: a.max_runs,
            shard: a.shard,
            quantile_memory: a.quantile_memory,
            runs_format: a.runs_format,
            sampling: a.sampling,
        }
    }
}

impl From<SensitivityArgs> for app::SensitivityRequest {
    fn from(a: SensitivityArgs) -> Self {
        app::SensitivityRequest {
            file: a.file,
            runs: a.runs,
            tornado_runs: a.tornado_runs,
            seed: a.seed,
            out: a.out,
            metric: a.metric,
            strategy: a.strategy,
            variant: a.variant,
            threads: a.threads,
            force: a.force,
        }
    }
}

impl From<SweepArgs> for app::SweepRequest {
    fn from(a: SweepArgs) -> Self {
        app::SweepRequest {
            file: a.file,
            set: a.set,
            runs: a.runs,
            seed: a.seed,
            out: a.out,
            metric: a.metric,
            strategy: a.strategy,
            variant: a.variant,
            threads: a.threads,
            force: a.force,
        }
    }
}
