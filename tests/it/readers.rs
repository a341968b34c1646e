//! Real readers of the files contractsim writes (openpyxl for results.xlsx, DuckDB for
//! runs.parquet, pyyaml for the Kubernetes manifests, shellcheck for the Slurm scripts).
//! They are not Rust crates, so a machine may lack them: then a test that needs one says
//! SKIPPED and passes, except in CI (`CI=true`, as `.ci/run` is run there), where it fails
//! and says how to install the reader, so that CI never passes without having read the files.

use std::process::Command;

/// Whether this is a CI run: the environment variable `CI` is `true` (or `1`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// What to do when `test` cannot find the reader `what`: fail in CI, else say SKIPPED.
/// Returns false (the test should return early) outside CI.
pub fn missing(test: &str, what: &str, install: &str) -> bool {
    if in_ci() {
        panic!(
            "{test}: {what} not found, and CI=true needs the real reader: install it with `{install}` (.ci/run does)"
        );
    }
    eprintln!("SKIPPED {test}: {what} not found (install it with `{install}`; with CI=true this fails)");
    false
}

/// Whether `python3` can import `module` (from the PyPI package `package`); see [`missing`].
pub fn python_module(test: &str, module: &str, package: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok || missing(test, &format!("python3 with {module}"), &format!("python3 -m pip install {package}"))
}

/// Whether the program `program` can be started (`program --version`); see [`missing`].
pub fn program(test: &str, program: &str, install: &str) -> bool {
    let ok = Command::new(program).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    ok || missing(test, program, install)
}

/// Whether `program args` runs and exits 0 (for programs without `--version`, such as
/// pdftotext with `-v`); see [`missing`].
pub fn program_with(test: &str, program: &str, args: &[&str], install: &str) -> bool {
    let ok = Command::new(program).args(args).output().map(|o| o.status.success()).unwrap_or(false);
    ok || missing(test, program, install)
}

/// Whether the C library has the Dutch locale `nl_NL.UTF-8`, in which LibreOffice shows a
/// workbook as a Dutch reader sees it; see [`missing`].
pub fn dutch_locale(test: &str) -> bool {
    let ok = Command::new("locale").arg("-a").output().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout).lines().any(|l| l.eq_ignore_ascii_case("nl_NL.utf8") || l == "nl_NL.UTF-8")
    });
    ok || missing(test, "the locale nl_NL.UTF-8", "apt-get install locales && localedef -i nl_NL -f UTF-8 nl_NL.UTF-8")
}
