#![warn(missing_docs)]
// Without the outputs, the pipelines that use the exporters and some analyses are not built.
#![cfg_attr(not(feature = "outputs"), allow(dead_code))]
//! contractsim: a Monte Carlo model of how Dutch municipalities finance youth care.
//!
//! The crate follows the data, one floor on top of the other; a module imports only from
//! the floors below it (`tests/architecture.rs` holds the rule, docs/architecture.md
//! explains it):
//!
//! | floor | module | job |
//! | --- | --- | --- |
//! | – | [`math`] | the elementary and distribution functions, the same bits on every machine (below every floor) |
//! | 0 | [`random`], [`metrics`], [`stats`] | random streams and samplers; the metric schema; means, MCSE, percentiles |
//! | 1 | [`scenario`] | the file format, distributions, validation with file/line/key errors |
//! | 2 | [`model`] | docs/model.md as code: demand, contracts, prevention, providers, investors, time; the fit of demand to data |
//! | 3 | [`engine`] | runs × strategies on rayon with common random numbers: the plan and a step's phases |
//! | 4 | [`results`] | per-run records collected into statistics, the shard format |
//! | 5 | [`analysis`] | sensitivity, value of information, sweeps, convergence |
//! | 6 | [`export`] | machine-readable files: CSV, Parquet, JSON |
//! | 7 | [`report`] | human outputs: summaries, charts, HTML, the workbook |
//! | 8 | [`app`] | the pipelines: run, merge, redraw, sensitivity, sweep, check, new, calibrate |
//! | 9 | [`cli`] | command-line arguments and exit codes |

pub mod analysis;
#[cfg(feature = "outputs")]
pub mod app;
#[cfg(feature = "cli")]
pub mod cli;
pub mod engine;
pub mod export;
pub mod math;
pub mod metrics;
pub mod model;
pub mod random;
#[cfg(feature = "outputs")]
pub mod report;
pub mod results;
pub mod scenario;
pub mod stats;
