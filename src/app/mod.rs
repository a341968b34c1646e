//! The application pipelines: run, merge, redraw, sensitivity, sweep, check and new, and
//! writing a results folder atomically ([`output`]).

pub mod output;
