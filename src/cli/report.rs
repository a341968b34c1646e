//! `contractsim report`: redraw the charts, summaries, HTML report and workbook of a results
//! folder from its files (`yearly.csv`, `summary.csv`, `runs.csv`, `budget.csv`,
//! `meta.json`), without simulating again.

use std::fs;
use std::path::Path;

use anyhow::Context;

use super::{CliError, ReportArgs};
use crate::output;
use crate::report::{ReportData, render_reports};

/// Redraws the reports of `args.dir`, in place or into `--out`.
pub fn report(args: ReportArgs) -> Result<(), CliError> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(CliError::BadInput(format!(
            "{}: not a results folder; give the folder that `contractsim run` wrote, e.g. outputs/friesland",
            dir.display()
        )));
    }
    let data = ReportData::from_folder(dir).map_err(|e| CliError::BadInput(format!("{}: {e}", dir.display())))?;
    let started = std::time::Instant::now();
    let reports = render_reports(&data).context("rendering the reports")?;
    let mut files = existing_files(dir)?;
    files.retain(|(name, _)| !reports.iter().any(|(r, _)| r == name));
    files.extend(reports);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let dest = args.out.as_deref().unwrap_or(dir);
    output::write_folder(dest, &files).with_context(|| format!("writing {}", dest.display()))?;
    eprintln!("{}: reports redrawn in {:.1} s -> {}", dir.display(), started.elapsed().as_secs_f64(), dest.display());
    Ok(())
}

/// Every file of the folder, so that redrawing in place keeps the data files (the folder
/// is replaced as a whole). A folder with sub-folders is refused rather than emptied.
fn existing_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        if path.is_dir() {
            return Err(CliError::BadInput(format!(
                "{}: contains the sub-folder {}; a results folder has none (write elsewhere with --out)",
                dir.display(),
                path.display()
            )));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        files.push((name, bytes));
    }
    Ok(files)
}
