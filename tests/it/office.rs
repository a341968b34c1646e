//! The reports in the programs a municipality's staff open them with: the Dutch workbook in
//! LibreOffice Calc under a Dutch locale (`scripts/check_xlsx_dutch.py`: euros are numbers
//! shown with Dutch separators, not text), and the HTML pages in headless Chromium at a
//! phone's 390 px and a screen's 1400 px and printed to PDF (`scripts/check_html_layout.py`:
//! the page never scrolls sideways, every printed table keeps its last column). The programs
//! are Debian packages that `.ci/run` installs in CI; elsewhere a missing one makes its test
//! say SKIPPED (see `readers`).

use std::path::Path;
use std::process::Command;

use crate::common::run_friesland;
use crate::readers;

/// Runs a check script on a results folder; it must exit 0 and print `ok_line`.
fn check(script: &str, dir: &Path, ok_line: &str) {
    let o = Command::new("python3").arg(script).arg(dir).output().expect("python3 runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{script} failed:\n{stdout}{stderr}");
    assert!(stdout.contains(ok_line), "{script}: no `{ok_line}` in\n{stdout}");
    eprint!("{stdout}");
}

/// Dutch Excel's route is the workbook: opened in LibreOffice with a Dutch locale, the
/// budget, summary, reserve and about sheets hold numbers (shown `120.000`, `0,24`, `3,0%`)
/// equal to the CSV files, in `results_nl.xlsx` and in `results.xlsx` alike.
#[test]
fn workbooks_are_numbers_in_dutch_libreoffice() {
    let test = "workbooks_are_numbers_in_dutch_libreoffice";
    if !readers::program(test, "soffice", "apt-get install libreoffice-calc-nogui")
        || !readers::dutch_locale(test)
        || !readers::python_module(test, "csv", "python3")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 30, 2);
    check("scripts/check_xlsx_dutch.py", &out, "results_nl.xlsx ok in Dutch LibreOffice");
}

/// The HTML pages, English and Dutch, at 390 and 1400 px and printed to PDF.
#[test]
fn html_fits_phone_screen_and_paper_in_chromium() {
    let test = "html_fits_phone_screen_and_paper_in_chromium";
    if !readers::program(test, "/usr/bin/chromium", "apt-get install chromium")
        || !readers::program_with(test, "pdftotext", &["-v"], "apt-get install poppler-utils")
        || !readers::python_module(test, "json", "python3")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 30, 2);
    check("scripts/check_html_layout.py", &out, "report.html ok in Chromium");
}
