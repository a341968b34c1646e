//! The `contractsim` binary: parse the command line, call the library, map errors to exit
//! codes (2 for bad input, 1 for other failures).

use clap::Parser;
use contractsim::cli::{Cli, main_with};

fn main() {
    let cli = Cli::parse();
    if let Err(e) = main_with(cli) {
        match &e {
            contractsim::cli::CliError::Other(err) => eprintln!("error: {err:#}"),
            bad => eprintln!("{bad}"),
        }
        std::process::exit(contractsim::cli::exit_code(&e));
    }
}
