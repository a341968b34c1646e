//! Fuzz target: the scenario reader and validator must answer any bytes with a scenario or
//! with problems that name the file, never panic or hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match contractsim::scenario::parse_str(text, Path::new("fuzz.toml")) {
        Ok(s) => {
            // A valid scenario must be one the engine can lay out.
            assert!(!s.segments.is_empty() && !s.strategies.is_empty());
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            for p in &e.problems {
                assert!(p.to_string().starts_with("fuzz.toml"));
            }
        }
    }
});
