//! Fuzz target: the records a user can hand back to contractsim, `meta.json` (to `report`)
//! and `partial.json` (to `merge`), must be answered with an error or accepted, never a
//! panic, an abort or a hang; an accepted `meta.json` must also read as the report's
//! record without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = contractsim::app::check_meta(data) {
        let _ = serde_json::from_value::<contractsim::export::meta::Meta>(value);
    }
    let _ = contractsim::app::check_partial(data);
});
