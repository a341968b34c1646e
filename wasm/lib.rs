//! The what-if page's module: [`contractsim::analysis::whatif`] behind a small C ABI, so
//! that the page needs no JavaScript glue but a few lines (assets/whatif/worker.js).
//!
//! Each of the page's workers writes a request (JSON of [`Request`]) into memory it got
//! from [`cs_alloc`] and calls [`cs_start`]; then [`cs_rows`] makes runs and gives their
//! rows, and [`cs_answer`] gives the figures (JSON) of the rows of the first runs. What a
//! call gives is in [`cs_output`], [`cs_output_len`] bytes long, until the next call.

use std::cell::RefCell;

use contractsim::analysis::whatif::{Request, WhatIf};

thread_local! {
    static STATE: RefCell<Option<WhatIf>> = const { RefCell::new(None) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Sets the output; returns 0.
fn output(bytes: Vec<u8>) -> u32 {
    OUTPUT.with(|o| *o.borrow_mut() = bytes);
    0
}

/// Sets the output to `{"error": message}`; returns 1.
fn fail(message: String) -> u32 {
    output(serde_json::json!({ "error": message }).to_string().into_bytes());
    1
}

/// Memory for `len` bytes, for the page to write a request into.
#[unsafe(no_mangle)]
pub extern "C" fn cs_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Frees what [`cs_alloc`] gave.
///
/// # Safety
/// `ptr` and `len` are those of one call of [`cs_alloc`], freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cs_free(ptr: *mut u8, len: usize) {
    // SAFETY: the caller passes what cs_alloc returned for `len` (its capacity is len.max(1)).
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

/// Starts a what-if from the request of `len` bytes at `ptr` (JSON). Returns the figures
/// per run ([`WhatIf::width`], at least 1), or 0 with `{"error": ...}` in the output.
///
/// # Safety
/// `ptr` points to `len` initialised bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cs_start(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller wrote `len` bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    STATE.with(|s| *s.borrow_mut() = None);
    let request: Request = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            fail(format!("the page's request: {e}"));
            return 0;
        }
    };
    match WhatIf::new(request) {
        Ok(w) => {
            let width = w.width() as u32;
            STATE.with(|s| *s.borrow_mut() = Some(w));
            output(Vec::new());
            width
        }
        Err(e) => {
            fail(e);
            0
        }
    }
}

/// Simulates runs `from..to` and puts their rows into the output: [`WhatIf::width`]
/// little-endian f64 per run, run-major. Returns the runs made.
#[unsafe(no_mangle)]
pub extern "C" fn cs_rows(from: u32, to: u32) -> u32 {
    let rows = STATE.with(|s| s.borrow().as_ref().map(|w| (w.rows(from as usize..to as usize), w.width())));
    match rows {
        Some((rows, width)) => {
            let runs = rows.len() / width.max(1);
            output(rows.iter().flat_map(|x| x.to_le_bytes()).collect());
            runs as u32
        }
        None => {
            fail("no what-if started".into());
            0
        }
    }
}

/// Puts the figures of the first runs into the output (JSON of
/// [`contractsim::analysis::whatif::Answer`]), from their rows: `len` bytes at `ptr` of
/// little-endian f64, run-major, runs `0..` in order. Returns 0, or 1 with an error.
///
/// # Safety
/// `ptr` points to `len` initialised bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cs_answer(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller wrote `len` bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let rows: Vec<f64> = bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))).collect();
    let answer = STATE.with(|s| s.borrow().as_ref().map(|w| serde_json::to_string(&w.answer(&rows))));
    match answer {
        Some(Ok(json)) => output(json.into_bytes()),
        Some(Err(e)) => fail(e.to_string()),
        None => fail("no what-if started".into()),
    }
}

/// Where the output is.
#[unsafe(no_mangle)]
pub extern "C" fn cs_output() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

/// The output's length in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn cs_output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}
