//! Analyses that read the table of per-run draws and results (and, for the one-way and
//! sweep analyses, re-run the plan on common random numbers): which inputs drive the
//! answer ([`sensitivity`]), what knowing them better is worth ([`voi`]), how the answer
//! moves over a grid of inputs ([`sweep`]) and whether enough runs were made
//! ([`convergence`]); what a strategy's key input must at least be for its saving to hold
//! ([`break_even`]) and the reserve split into structural gap and risk reserve
//! ([`reserve_split`]); the figures of the what-if page, on one thread ([`whatif`]). [`linalg`] holds the small least-squares and matrix helpers they share.

pub mod break_even;
pub mod convergence;
pub mod linalg;
pub mod reserve_split;
pub mod sensitivity;
pub mod sweep;
pub mod voi;
pub mod whatif;

use crate::metrics::{HORIZON, Horizon};

/// The horizon metric named `name`, or an error message listing the names.
pub(crate) fn horizon_metric(name: &str) -> Result<Horizon, String> {
    Horizon::from_name(name).ok_or_else(|| format!("--metric: expected one of {}, found `{name}`", HORIZON.join(", ")))
}
