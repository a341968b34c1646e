//! `results.xlsx` (stub).
use super::{Report, ReportData, ReportError};
/// `results.xlsx`.
pub struct Workbook;
impl Report for Workbook {
    fn render(&self, _d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, ReportError> { Ok(vec![]) }
}
