//! `break_even_inputs.csv`: per strategy but the baseline, the value of its key input at
//! which its mean NPV saving versus the baseline crosses zero
//! ([`crate::analysis::break_even`]). Unlike the other exports it is not computed from
//! [`Results`] alone but from reruns of the plan, so the app layer computes the rows and this
//! export only renders them.

use super::csv_files::{finish, writer};
use super::{Export, OutputError, Results, cell};
use crate::analysis::break_even::BreakEvenRow;

/// File name.
pub const BREAK_EVEN_CSV: &str = "break_even_inputs.csv";

/// The columns, the first five as the issue asks for them.
pub const COLUMNS: [&str; 12] = [
    "strategy",
    "input",
    "assumed",
    "break_even",
    "ratio",
    "basis",
    "scale",
    "scale_se",
    "saving_at_assumed",
    "runs",
    "reruns",
    "note",
];

/// `break_even_inputs.csv` of the rows computed by [`crate::analysis::break_even::break_even`].
pub struct BreakEvenCsv<'a>(pub &'a [BreakEvenRow]);

impl Export for BreakEvenCsv<'_> {
    fn file_name(&self) -> &'static str {
        BREAK_EVEN_CSV
    }

    fn applies(&self, _results: &Results) -> bool {
        !self.0.is_empty()
    }

    fn render(&self, _results: &Results) -> Result<Vec<u8>, OutputError> {
        render_rows(self.0)
    }
}

/// The file's bytes.
pub fn render_rows(rows: &[BreakEvenRow]) -> Result<Vec<u8>, OutputError> {
    let err = |source| OutputError::Csv { file: BREAK_EVEN_CSV, source };
    let mut w = writer();
    w.write_record(COLUMNS).map_err(err)?;
    for row in rows {
        w.write_record([
            row.strategy_id.clone(),
            row.input.clone(),
            cell(row.assumed),
            cell(row.break_even),
            cell(row.ratio),
            row.basis.name().to_string(),
            cell(row.scale),
            cell(row.scale_se),
            cell(row.saving_assumed),
            row.runs.to_string(),
            row.reruns.to_string(),
            row.note.name().to_string(),
        ])
        .map_err(err)?;
    }
    finish(BREAK_EVEN_CSV, w)
}
