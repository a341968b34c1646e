//! contractsim: a Monte Carlo model of how Dutch municipalities finance youth care.
//!
//! The crate follows the data: a scenario file is read and validated into a
//! [`scenario::Scenario`]; the [`engine`] draws each run's parameters and simulates every
//! strategy on common random numbers with the [`model`]; [`stats`] turns the per-run
//! results into means, Monte Carlo standard errors and percentiles; [`report`] writes them
//! as files, and [`output`] puts a results folder in place atomically.
//!
//! | module | job |
//! | --- | --- |
//! | [`scenario`] | the file format, distributions, validation with file/line/key errors |
//! | [`model`] | MODEL.md as code: demand, contracts, prevention, discounting |
//! | [`engine`] | runs x strategies on rayon, random streams, per-run results |
//! | [`stats`] | summaries: mean, MCSE, percentiles |
//! | [`report`] | one file per output format |
//! | [`analysis`] | sensitivity, value of information, sweeps, convergence |
//! | [`output`] | writing a results folder atomically |

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod stats;
