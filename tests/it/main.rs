//! The integration tests, in one crate: one module per area, so that `cargo test` compiles
//! and links one test binary instead of one per file (each with thin LTO and one codegen
//! unit). Run one area with `cargo test --release --test it engine::`, one test with its
//! full name, e.g. `cargo test --release --test it reliability::the_corpus_base_is_valid`.
//!
//! The tests run in parallel threads of one process: a test that writes files does so in
//! its own `tempfile::TempDir` and passes paths to the binary, and no test changes the
//! current directory or the environment. Relative paths (`scenarios/…`, `tests/…`) are
//! from the package root, the current directory cargo gives test binaries.
// The tests may use the f64 methods (clippy.toml): they check figures, they do not make them.
#![allow(clippy::disallowed_methods)]

mod common;
mod fixtures;
mod readers;

mod answers;
mod architecture;
mod break_even;
mod calibrate;
mod chart_layout;
mod cli;
mod cluster_files;
mod durations;
mod engine;
mod office;
mod properties;
mod providers;
mod quantile_modes;
mod region;
mod reliability;
mod report_cli;
mod report_data;
mod runs_parquet;
mod sampling;
mod scenario_errors;
mod scenarios;
mod scenarios_societal;
mod sensitivity;
mod sensitivity_voi;
mod shards;
mod tables;
mod unchanged_without_capacity;
mod variants;
mod waiting;
mod whatif;
