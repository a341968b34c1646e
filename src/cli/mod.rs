//! The command line: clap definitions and one file per subcommand.

mod check;
mod new;
mod report;
mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use check::check;
pub use new::{SHIPPED, new, scenario_text};
pub use report::report;
pub use run::run;

/// Exit code for bad input (a scenario or an argument).
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for other failures (writing files, threads).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

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
    after_help = "Examples:\n  contractsim                                  run every scenario in scenarios/\n  contractsim run scenarios/friesland.toml --runs 20000 --seed 7\n  contractsim check scenarios/*.toml\n  contractsim new my-town --from friesland      start a scenario of your own\n  contractsim report outputs/friesland          redraw charts and reports"
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
    /// Write a commented scenario to fill in (`scenarios/NAME.toml`): a blank template with
    /// national averages, or a copy of a shipped scenario.
    #[command(
        after_help = "Examples:\n  contractsim new my-town                       blank template -> scenarios/my-town.toml\n  contractsim new my-town --from friesland      copy the Friesland scenario\n  contractsim new my-town --out /tmp/my-town.toml"
    )]
    New(NewArgs),
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
#[derive(Debug, clap::Args, Default)]
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
}

/// A failure of a command, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
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

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => EXIT_BAD_INPUT,
            CliError::Interrupted(_) => EXIT_INTERRUPTED,
            CliError::Other(_) => EXIT_FAILURE,
        }
    }
}

/// Runs the command line.
pub fn main_with(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Report(args)) => report(args),
        Some(Command::New(args)) => new(args),
    }
}

/// The scenario files to use: the ones given, or every `*.toml` in `scenarios/`.
fn scenario_files(files: Vec<PathBuf>) -> Result<Vec<PathBuf>, CliError> {
    if !files.is_empty() {
        return Ok(files);
    }
    let dir = PathBuf::from("scenarios");
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        CliError::BadInput(format!(
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
        return Err(CliError::BadInput(format!("{}: no *.toml scenario files", dir.display())));
    }
    Ok(found)
}
