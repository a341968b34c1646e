//! Random numbers: counter-based streams keyed by run, purpose and position (common
//! random numbers across strategies), and the samplers drawn from them.
//!
//! The bottom floor of the crate: it imports nothing from the rest of contractsim.

pub mod design;
pub mod rng;
pub mod sample;
