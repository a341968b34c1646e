//! The benchmarks live in `benches/engine.rs`: `cargo bench -p contractsim-bench`.
//! This library is empty; Cargo needs one target besides the bench.
