//! `report.html` (stub).
use super::{Report, ReportData, ReportError};
/// `report.html`.
pub struct HtmlReport;
impl Report for HtmlReport {
    fn render(&self, _d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, ReportError> { Ok(vec![]) }
}
