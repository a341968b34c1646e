//! Fuzz target: `sweep --set` expressions. Any text is parsed as `KEY=V1,V2,...`; a parsed
//! one is applied to the shipped test scenario through the file's own reader, which must
//! answer with a scenario or a message, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../tests/bad_scenarios/valid_base.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for expr in text.lines().take(2) {
        let Ok(key) = expr.parse::<contractsim::analysis::sweep::SweepKey>() else { continue };
        for &v in key.values.iter().take(4) {
            let _ = contractsim::analysis::sweep::scenario_with(BASE, Path::new("base.toml"), &[(key.path.as_str(), v)]);
        }
    }
});
