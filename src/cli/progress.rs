//! The terminal's side of a pipeline: a progress bar on standard error when it is a
//! terminal, messages on standard error, and the stop flag that SIGINT, SIGTERM and SIGHUP
//! set.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::Progress;

/// Progress on standard error: a bar while a batch runs (only on a terminal), messages
/// always.
pub(crate) struct Terminal {
    bar: std::sync::Mutex<ProgressBar>,
}

impl Terminal {
    /// A reporter with no batch running yet.
    pub fn new() -> Self {
        Terminal { bar: std::sync::Mutex::new(ProgressBar::hidden()) }
    }

    fn bar(&self) -> ProgressBar {
        // A ProgressBar is a handle: cloning it shares the bar.
        self.bar.lock().map(|b| b.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }
}

impl Progress for Terminal {
    fn note(&self, line: &str) {
        self.bar().suspend(|| eprintln!("{line}"));
    }

    fn start(&self, name: &str, total: u64) {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} runs, {per_sec}, eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(name.to_string());
            bar
        } else {
            ProgressBar::hidden()
        };
        if let Ok(mut b) = self.bar.lock() {
            *b = bar;
        }
    }

    fn inc(&self) {
        self.bar().inc(1);
    }

    fn finish(&self) {
        self.bar().finish_and_clear();
    }
}

/// The flag set by SIGINT, SIGTERM or SIGHUP. The handler is installed once per process.
/// The stop is honoured within a second: runs end at their next step, the command returns
/// "interrupted" and writes nothing; whatever has not ended 0.6 s after the signal is
/// abandoned (`output::abandon_all`: the temporary folders and locks removed, the
/// destinations as they were) and the process ends with exit code 130. A second signal
/// ends the process at once (temporary folders it leaves are removed by the next write
/// there).
/// How long after the first signal the process ends whatever it is doing.
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_millis(600);

pub(crate) fn stop_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // If another handler is installed (a program embedding the library), the default
        // behaviour stays: the process ends, and the atomic write keeps old results intact.
        let _ = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                eprintln!("stopped at once; nothing was written");
                std::process::exit(super::EXIT_INTERRUPTED);
            }
            eprintln!("\nstopping: finishing the runs in progress (signal again to stop at once)");
            // Honoured within a second: a run ends at its next step, and whatever does not
            // end in time (writing the reports) is abandoned, its temporary folders removed.
            std::thread::spawn(|| {
                std::thread::sleep(STOP_WITHIN);
                let dests = crate::app::output::abandon_all();
                let dests: Vec<String> = dests.iter().map(|d| d.display().to_string()).collect();
                if dests.is_empty() {
                    eprintln!("stopped");
                } else {
                    eprintln!("stopped: nothing was written, {} as it was", dests.join(", "));
                }
                std::process::exit(super::EXIT_INTERRUPTED);
            });
        });
    });
    &STOP
}
