//! `[calibration]` (optional): where the segments' demand figures came from when
//! `contractsim calibrate` fitted them to a registration (docs/calibration.md): the data
//! file, its SHA-256, the periods, the date of the fit and the segments fitted.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::Cx;
use super::ids::SEGMENT;
use crate::scenario::Calibration;

/// The keys of `[calibration]`.
const KEYS: [&str; 5] = ["source", "sha256", "date", "periods", "segments"];

impl Cx<'_> {
    /// `[calibration]`, when the file has it.
    pub(super) fn read_calibration(
        &mut self,
        root: &DeTable<'_>,
        span: &Range<usize>,
        segments: &HashMap<String, usize>,
    ) -> Option<Calibration> {
        let (t, sp) = self.table(root, "calibration", "", false, span.clone())?;
        self.known_keys(t, "calibration", &KEYS);
        let source = self.string(t, "calibration", "source", &sp, true).unwrap_or_default();
        let sha256 = self.string(t, "calibration", "sha256", &sp, true).unwrap_or_default();
        let hex = sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if !sha256.is_empty()
            && !hex
            && let Some(v) = t.get("sha256")
        {
            self.problem(
                v.span(),
                "calibration.sha256",
                "64 lower-case hexadecimal digits (the SHA-256 of the data file)",
                format!("\"{sha256}\""),
                None,
            );
        }
        let date = self.string(t, "calibration", "date", &sp, true).unwrap_or_default();
        if !date.is_empty()
            && !is_iso_date(&date)
            && let Some(v) = t.get("date")
        {
            self.problem(v.span(), "calibration.date", "a date YYYY-MM-DD", format!("\"{date}\""), None);
        }
        let periods = self.string(t, "calibration", "periods", &sp, false).unwrap_or_default();
        let list = self.id_list(t, "calibration", "segments", &sp, true);
        if list.is_empty() && t.contains_key("segments") {
            self.empty_id_list(&sp, "calibration.segments", &SEGMENT);
        }
        let segments = self.resolve_ids(list, segments, "calibration.segments", &SEGMENT);
        Some(Calibration { source, sha256, date, periods, segments })
    }
}

/// Whether `s` is a calendar date written `YYYY-MM-DD`.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: Range<usize>| s.get(r).filter(|x| x.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::is_iso_date;

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2024-13-01"));
        assert!(!is_iso_date("2024-1-01"));
        assert!(!is_iso_date("24-01-011"));
    }
}
