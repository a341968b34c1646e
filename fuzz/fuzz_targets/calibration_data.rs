//! Fuzz target: the data `calibrate` reads (a registration CSV, a population file) must be
//! answered with segments or with problems that each name the file, never a panic or a
//! hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(problems) = contractsim::app::check_data(text, Path::new("fuzz.csv")) {
        assert!(!problems.is_empty());
        for p in &problems {
            assert!(p.starts_with("fuzz.csv"), "{p}");
        }
    }
});
