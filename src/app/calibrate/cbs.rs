//! Reading a CBS StatLine export for `calibrate --cbs` (docs/calibration.md, "CBS StatLine
//! exports"): the export's rows of one region, their period codes and their measure columns,
//! read through a mapping file, become the long CSV of [`super::data`], and every problem
//! names the export's (or the map's) file, line and column.
//!
//! The conversion keeps, for each line of the long CSV it writes, the export line and the
//! export columns it came from, so that the checks [`super::data::parse`] makes on the long
//! rows are reported against the export.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::data::{self, DataProblem};

/// The default mapping file: the worked example's, an assumption to check against the
/// DataProperties of the table exported (docs/calibration.md).
pub(crate) const DEFAULT_MAP: &str = include_str!("../../../examples/calibration/cbs-map.csv");
/// The name the default map goes by in messages.
pub(crate) const DEFAULT_MAP_NAME: &str = "examples/calibration/cbs-map.csv";
/// The export's period dimension.
const PERIOD: &str = "Perioden";
/// The export's region dimension.
const REGION: &str = "RegioS";
/// The row number of the OData TypedDataSet layout.
const ID: &str = "ID";
/// What a measure may be read as, besides the duration bands `ended_...`.
const FIELDS: [&str; 6] = ["started", "ended", "active_at_start", "active_at_end", "in_period", "reentered"];

/// What the export is read with.
#[derive(Debug, Clone)]
pub(crate) struct Options<'a> {
    /// `--region`: the region code whose rows are read.
    pub(crate) region: Option<&'a str>,
    /// The mapping file's text.
    pub(crate) map_text: &'a str,
    /// The mapping file, as messages name it.
    pub(crate) map_file: &'a Path,
    /// The segment ids a map may name.
    pub(crate) known: &'a [&'a str],
}

/// Where one line of the long CSV came from.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    /// The export's line.
    line: u64,
    /// Per long column, the export column(s) it was read from.
    columns: BTreeMap<String, String>,
}

/// An export converted to the long CSV.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Converted {
    /// The long CSV (docs/calibration.md, "The input format").
    pub(crate) long: String,
    /// Per data line of `long` (its line 2 first), where it came from.
    origins: Vec<Origin>,
    /// What was read and what was left out, for the summary.
    pub(crate) notes: Vec<String>,
}

impl Converted {
    /// The export line of line `long_line` of the long CSV, when it is a data line.
    pub(crate) fn export_line(&self, long_line: u64) -> Option<u64> {
        let i = usize::try_from(long_line).ok()?.checked_sub(2)?;
        self.origins.get(i).map(|o| o.line)
    }

    /// A problem [`data::parse`] found in the long CSV, said of the export: its file, its
    /// line, the export column(s) a long column was read from, and the export lines of the
    /// lines the message mentions.
    pub(crate) fn locate(&self, p: DataProblem, export: &Path) -> DataProblem {
        let origin = p.line.and_then(|l| usize::try_from(l).ok()?.checked_sub(2)).and_then(|i| self.origins.get(i));
        let column = match (&p.column, origin) {
            (Some(c), Some(o)) => Some(o.columns.get(c).map_or_else(|| c.clone(), |x| format!("{x}` read as `{c}"))),
            (c, _) => c.clone(),
        };
        DataProblem {
            file: export.to_path_buf(),
            line: origin.map(|o| o.line),
            column,
            expected: self.relines(&p.expected),
            found: self.relines(&p.found),
            hint: match (p.hint.map(|h| self.relines(&h)), p.column.as_deref()) {
                (Some(h), Some("active_at_start" | "active_at_end")) if !h.contains("--balance-tolerance") => {
                    Some(format!(
                        "{h}; CBS rounds its published counts, so that the stocks may not add up exactly: allow a small difference with --balance-tolerance, e.g. 0.02"
                    ))
                }
                (h, _) => h,
            },
        }
    }

    /// `text` with every "line N" of the long CSV replaced by the export's line.
    fn relines(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("line ") {
            out.push_str(&rest[..i + 5]);
            rest = &rest[i + 5..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            match rest[..digits].parse::<u64>().ok().and_then(|n| self.export_line(n)) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.push_str(&rest[..digits]),
            }
            rest = &rest[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// One measure of the map: an export column read as a long column of a segment.
#[derive(Debug, Clone)]
struct Measure {
    /// The map's line.
    line: u64,
    /// The CBS key (with or without its `_N` suffix) or Title, as the map gives it.
    cbs: String,
    /// The segment, for a table whose measures are grouped by care form; `None` when a
    /// segment dimension gives it.
    segment: Option<String>,
    /// The long column (or `in_period`).
    field: String,
}

/// A mapping file, read.
#[derive(Debug, Clone, Default)]
struct Map {
    /// `select` lines: dimension, code, map line.
    selects: Vec<(String, String, u64)>,
    /// The segment dimension and, per code, the segment (`None`: skip), with its map line.
    segment_dim: Option<String>,
    segments: BTreeMap<String, (Option<String>, u64)>,
    /// `measure` lines.
    measures: Vec<Measure>,
}

/// Reads the mapping file: a CSV `kind,cbs,to` (docs/calibration.md).
fn parse_map(text: &str, file: &Path, known: &[&str]) -> Result<Map, Vec<DataProblem>> {
    let problem = |line: Option<u64>, column: Option<&str>, expected: String, found: String, hint: Option<String>| {
        DataProblem { file: file.to_path_buf(), line, column: column.map(str::to_string), expected, found, hint }
    };
    let mut rd = data::reader(text);
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(vec![data::csv_problem(file, &e)]),
    };
    if header != ["kind", "cbs", "to"] {
        return Err(vec![problem(
            Some(header_line(text)),
            None,
            "the header `kind,cbs,to`".into(),
            format!("\"{}\"", header.join(",")),
            None,
        )]);
    }
    let mut map = Map::default();
    let mut problems = Vec::new();
    for record in rd.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(data::csv_problem(file, &e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let (kind, cbs, to) = (record.get(0).unwrap_or(""), record.get(1).unwrap_or(""), record.get(2).unwrap_or(""));
        match kind {
            "select" => {
                if cbs.is_empty() || to.is_empty() {
                    problems.push(problem(
                        Some(line),
                        Some("to"),
                        "select,DIMENSION,CODE: the code of the dimension to keep".into(),
                        format!("\"{cbs},{to}\""),
                        None,
                    ));
                } else if map.selects.iter().any(|(d, _, _)| d == cbs) {
                    problems.push(problem(
                        Some(line),
                        Some("cbs"),
                        "one code selected per dimension".into(),
                        format!("dimension {cbs} again"),
                        None,
                    ));
                } else {
                    map.selects.push((cbs.to_string(), to.to_string(), line));
                }
            }
            "segment" => {
                let Some((dim, code)) = cbs.split_once('=').filter(|(d, c)| !d.is_empty() && !c.is_empty()) else {
                    problems.push(problem(
                        Some(line),
                        Some("cbs"),
                        "DIMENSION=CODE, e.g. Jeugdhulpvorm=A045".into(),
                        format!("\"{cbs}\""),
                        None,
                    ));
                    continue;
                };
                if map.segment_dim.as_deref().is_some_and(|d| d != dim) {
                    problems.push(problem(
                        Some(line),
                        Some("cbs"),
                        format!(
                            "the segment dimension of the map's other segment lines, {}",
                            map.segment_dim.as_deref().unwrap_or("")
                        ),
                        dim.to_string(),
                        Some(
                            "the segments come from one dimension; select a code of any other with a select line"
                                .into(),
                        ),
                    ));
                    continue;
                }
                map.segment_dim = Some(dim.to_string());
                let segment = if to == "skip" {
                    None
                } else if known.contains(&to) {
                    Some(to.to_string())
                } else {
                    problems.push(problem(
                        Some(line),
                        Some("to"),
                        format!("a segment id ({}) or skip", known.join(", ")),
                        format!("\"{to}\""),
                        None,
                    ));
                    continue;
                };
                if map.segments.insert(code.to_string(), (segment, line)).is_some() {
                    problems.push(problem(
                        Some(line),
                        Some("cbs"),
                        "each code once".into(),
                        format!("{cbs} again"),
                        None,
                    ));
                }
            }
            "measure" => {
                // `SEGMENT.FIELD`, or a field alone (whose band may have a decimal point).
                let (segment, field) = match to.split_once('.') {
                    Some((s, f)) if !s.starts_with("ended_") => (Some(s), f),
                    _ => (None, to),
                };
                let field_ok = FIELDS.contains(&field) || data::band_of(field).is_some();
                if cbs.is_empty() || !field_ok {
                    problems.push(problem(
                        Some(line),
                        Some("to"),
                        format!(
                            "what the column is read as: {}, or a duration band ended_<from>_<to>y / ended_<from>y_plus, optionally after SEGMENT. (e.g. out_of_home.started)",
                            FIELDS.join(", ")
                        ),
                        format!("\"{to}\""),
                        None,
                    ));
                    continue;
                }
                if let Some(s) = segment
                    && !known.contains(&s)
                {
                    problems.push(problem(
                        Some(line),
                        Some("to"),
                        format!("a segment id ({}) before the dot", known.join(", ")),
                        format!("\"{s}\""),
                        None,
                    ));
                    continue;
                }
                if let Some(m) = map.measures.iter().find(|m| m.segment.as_deref() == segment && m.field == field) {
                    problems.push(problem(
                        Some(line),
                        Some("to"),
                        format!("one column read as {to}"),
                        format!("a second one (the first on line {})", m.line),
                        Some("contractsim does not add columns: a total and its parts would count twice".into()),
                    ));
                    continue;
                }
                map.measures.push(Measure {
                    line,
                    cbs: cbs.to_string(),
                    segment: segment.map(str::to_string),
                    field: field.to_string(),
                });
            }
            _ => problems.push(problem(
                Some(line),
                Some("kind"),
                "select, segment or measure".into(),
                format!("\"{kind}\""),
                None,
            )),
        }
    }
    if problems.is_empty() {
        let grouped = map.measures.iter().filter(|m| m.segment.is_some()).count();
        if grouped > 0 && grouped < map.measures.len() {
            let m = map.measures.iter().find(|m| m.segment.is_none()).expect("an ungrouped measure");
            problems.push(problem(
                Some(m.line),
                Some("to"),
                "SEGMENT.FIELD, as the map's other measures give their segment".into(),
                format!("\"{}\"", m.field),
                None,
            ));
        } else if grouped > 0 && map.segment_dim.is_some() {
            problems.push(problem(
                None,
                None,
                "the segments from a segment dimension (segment lines) or from the measures (SEGMENT.FIELD), not both"
                    .into(),
                "both".into(),
                None,
            ));
        } else if grouped == 0 && map.segment_dim.is_none() {
            problems.push(problem(
                None,
                None,
                "segment lines (DIMENSION=CODE to a segment) or measures read as SEGMENT.FIELD".into(),
                "neither: nothing says which segment a count is of".into(),
                None,
            ));
        }
        if map.measures.is_empty() {
            problems.push(problem(None, None, "measure lines".into(), "none".into(), None));
        }
    }
    if problems.is_empty() { Ok(map) } else { Err(problems) }
}

/// The first and last day of a CBS period code: `YYYYJJ00` a year, `YYYYHJ01`/`HJ02` a
/// half-year, `YYYYKW01`..`04` a quarter, `YYYYMM01`..`12` a month; with its granularity
/// (0 year, 1 half-year, 2 quarter, 3 month).
pub(crate) fn period_of_code(code: &str) -> Option<(i64, i64, u8)> {
    let b = code.as_bytes();
    if b.len() != 8 || !code.is_ascii() {
        return None;
    }
    let year: i64 = code[..4].parse().ok().filter(|y| (1900..=2199).contains(y))?;
    let n: i64 = code[6..].bytes().all(|c| c.is_ascii_digit()).then(|| code[6..].parse().ok())??;
    let (first_month, months, rank) = match &code[4..6] {
        "JJ" if n == 0 => (1, 12, 0),
        "HJ" if (1..=2).contains(&n) => (6 * n - 5, 6, 1),
        "KW" if (1..=4).contains(&n) => (3 * n - 2, 3, 2),
        "MM" if (1..=12).contains(&n) => (n, 1, 3),
        _ => return None,
    };
    let start = data::days_from_civil(year, first_month, 1);
    let (ny, nm) =
        if first_month + months > 12 { (year + 1, first_month + months - 12) } else { (year, first_month + months) };
    Some((start, data::days_from_civil(ny, nm, 1) - 1, rank))
}

/// A CSV reader of a CBS export: fields separated by semicolons when the header line has
/// one (as StatLine and Excel under a Dutch locale write them), else by commas; quoted
/// fields, spaces around fields ignored (the OData codes are padded, `GM0080    `), a
/// byte-order mark skipped, `#` comment lines.
fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or("");
    csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .delimiter(if header.contains(';') { b';' } else { b',' })
        .from_reader(text.as_bytes())
}

/// The line of a CSV's header: the first that is neither empty nor a comment.
fn header_line(text: &str) -> u64 {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().position(|l| !l.trim().is_empty() && !l.starts_with('#')).map_or(1, |i| i as u64 + 1)
}

/// Whether export column `header` is the map's `cbs`: the same, or the same but for the
/// `_N` suffix of a CBS key.
fn matches(header: &str, cbs: &str) -> bool {
    header == cbs || strip_key_number(header) == cbs
}

/// `Key_12` → `Key`; anything else unchanged.
fn strip_key_number(header: &str) -> &str {
    match header.rsplit_once('_') {
        Some((stem, n)) if !stem.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => stem,
        _ => header,
    }
}

/// A count in an export cell: a whole number; a suppressed or missing cell is an error.
fn count(v: &str) -> Result<f64, (String, Option<String>)> {
    if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) && v.len() < 10 {
        return v.parse::<f64>().map_err(|_| (format!("\"{v}\""), None));
    }
    let found = if v.is_empty() { "an empty cell".to_string() } else { format!("\"{v}\"") };
    let hint = match v {
        "" | "." | "x" | "X" | "?" => Some(
            "CBS leaves out (suppresses) counts too small to publish and marks them so; a suppressed count cannot be fitted: leave this period, segment or region out of the export, or use a coarser segment or period"
                .to_string(),
        ),
        "-" => Some("CBS writes `-` for nil; write 0 in the export if the count is zero".into()),
        _ if v.replace(['.', ','], "").bytes().all(|c| c.is_ascii_digit()) => {
            Some("write counts without digit groups or decimals (export the table as CSV, not formatted)".into())
        }
        _ => None,
    };
    Err((found, hint))
}

/// A row of the export for one segment and period, with the counts it gives.
struct Entry {
    /// Last day.
    end: i64,
    /// Granularity of its period code.
    rank: u8,
    /// The period code.
    code: String,
    /// Export line.
    line: u64,
    /// Per field, its count and the export column.
    values: BTreeMap<String, (f64, String)>,
}

/// Converts a CBS StatLine export's text (`file`) to the long CSV.
pub(crate) fn convert(text: &str, file: &Path, opt: &Options<'_>) -> Result<Converted, Vec<DataProblem>> {
    let map = parse_map(&data::crlf_to_lf(opt.map_text), opt.map_file, opt.known)?;
    // StatLine and Excel end lines with CRLF, which the csv crate counts one short.
    let text = &data::crlf_to_lf(text);
    let problem = |line: Option<u64>, column: Option<&str>, expected: String, found: String, hint: Option<String>| {
        DataProblem { file: file.to_path_buf(), line, column: column.map(str::to_string), expected, found, hint }
    };
    let mut rd = reader(text);
    let names: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(vec![data::csv_problem(file, &e)]),
    };
    let header_line = header_line(text);
    let columns_found = || format!("the export's columns are {}", names.join(", "));
    let mut problems = Vec::new();
    let at = |name: &str| names.iter().position(|n| n == name);
    let Some(period_col) = at(PERIOD) else {
        return Err(vec![problem(
            Some(header_line),
            Some(PERIOD),
            "the period dimension of a CBS export".into(),
            "no such column".into(),
            Some(columns_found()),
        )]);
    };
    let region_col = at(REGION);
    if region_col.is_none()
        && let Some(r) = opt.region
    {
        problems.push(problem(
            Some(header_line),
            Some(REGION),
            format!("the region dimension, to read region {r} from"),
            "no such column".into(),
            Some(format!("{}; leave out --region for an export of one region", columns_found())),
        ));
    }
    // The measures' columns.
    let mut measure_cols: Vec<usize> = Vec::new();
    for m in &map.measures {
        let found: Vec<usize> = (0..names.len()).filter(|&i| matches(&names[i], &m.cbs)).collect();
        match found.as_slice() {
            [i] => measure_cols.push(*i),
            [] => problems.push(problem(
                Some(header_line),
                Some(&m.cbs),
                format!(
                    "a measure column to read as {} ({} line {})",
                    m.segment.as_ref().map_or(m.field.clone(), |s| format!("{s}.{}", m.field)),
                    opt.map_file.display(),
                    m.line
                ),
                "no such column".into(),
                Some(format!(
                    "{}; a map names a column by its CBS key, with or without the _N suffix, or by its title as the export's header gives it (check the table's DataProperties)",
                    columns_found()
                )),
            )),
            many => problems.push(problem(
                Some(header_line),
                Some(&m.cbs),
                format!("one column for {} ({} line {})", m.cbs, opt.map_file.display(), m.line),
                format!(
                    "{} columns: {}",
                    many.len(),
                    many.iter().map(|&i| names[i].as_str()).collect::<Vec<_>>().join(", ")
                ),
                Some("give the full key, with its _N suffix".into()),
            )),
        }
    }
    let segment_col = match &map.segment_dim {
        Some(d) => {
            let c = at(d);
            if c.is_none() {
                problems.push(problem(
                    Some(header_line),
                    Some(d),
                    format!("the segment dimension of the map ({})", opt.map_file.display()),
                    "no such column".into(),
                    Some(columns_found()),
                ));
            }
            c
        }
        None => None,
    };
    let mut select_cols: Vec<(usize, &str)> = Vec::new();
    for (dim, code, line) in &map.selects {
        match at(dim) {
            Some(c) => select_cols.push((c, code)),
            None => problems.push(problem(
                Some(header_line),
                Some(dim),
                format!("the dimension selected on {} line {line}", opt.map_file.display()),
                "no such column".into(),
                Some(columns_found()),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The other dimensions: not the row number, not a measure (mapped, or a CBS key `_N`).
    let other_dims: Vec<usize> = (0..names.len())
        .filter(|&i| {
            names[i] != ID
                && i != period_col
                && Some(i) != region_col
                && Some(i) != segment_col
                && !measure_cols.contains(&i)
                && !select_cols.iter().any(|(c, _)| *c == i)
                && strip_key_number(&names[i]) == names[i]
        })
        .collect();
    let mut other_codes: BTreeMap<usize, BTreeMap<String, u64>> = BTreeMap::new();
    let mut regions: BTreeSet<String> = BTreeSet::new();
    let mut skipped_codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries: BTreeMap<(String, i64, u8), Entry> = BTreeMap::new();
    let mut rows_read = 0usize;
    let region_given: Option<String> = opt.region.map(|r| r.trim().to_string());
    // Without --region, the rows of the first region are read (and more regions refused).
    let mut region_wanted = region_given.clone();
    for record in rd.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(data::csv_problem(file, &e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("");
        if let Some(rc) = region_col {
            regions.insert(cell(rc).to_string());
            if region_wanted.is_none() {
                region_wanted = Some(cell(rc).to_string());
            }
            if region_wanted.as_deref().is_some_and(|r| r != cell(rc)) {
                continue;
            }
        }
        if select_cols.iter().any(|(c, code)| cell(*c) != *code) {
            continue;
        }
        rows_read += 1;
        for &d in &other_dims {
            other_codes.entry(d).or_default().entry(cell(d).to_string()).or_insert(line);
        }
        let code = cell(period_col);
        let Some((start, end, rank)) = period_of_code(code) else {
            problems.push(problem(
                Some(line),
                Some(PERIOD),
                "a CBS period code: YYYYJJ00 (a year), YYYYHJ01 or YYYYHJ02 (a half-year), YYYYKW01..04 (a quarter) or YYYYMM01..12 (a month), from 1900 to 2199".into(),
                if code.is_empty() { "an empty cell".into() } else { format!("\"{code}\"") },
                Some("export the period codes (the OData TypedDataSet, or StatLine's CSV with codes), not their titles".into()),
            ));
            continue;
        };
        // The segments this row gives, and per segment the measures read for it.
        let segments: Vec<(String, Vec<usize>)> = match segment_col {
            Some(sc) => {
                let c = cell(sc);
                match map.segments.get(c) {
                    Some((Some(s), _)) => vec![(s.clone(), (0..map.measures.len()).collect())],
                    Some((None, _)) => {
                        *skipped_codes.entry(format!("{}={c} (skip in the map)", names[sc])).or_default() += 1;
                        continue;
                    }
                    None => {
                        *skipped_codes.entry(format!("{}={c} (not in the map)", names[sc])).or_default() += 1;
                        continue;
                    }
                }
            }
            None => {
                let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for (k, m) in map.measures.iter().enumerate() {
                    by.entry(m.segment.clone().unwrap_or_default()).or_default().push(k);
                }
                by.into_iter().collect()
            }
        };
        for (segment, ks) in segments {
            let mut values = BTreeMap::new();
            let mut bad = false;
            for k in ks {
                let col = measure_cols[k];
                match count(cell(col)) {
                    Ok(x) => {
                        values.insert(map.measures[k].field.clone(), (x, names[col].clone()));
                    }
                    Err((found, hint)) => {
                        bad = true;
                        problems.push(problem(
                            Some(line),
                            Some(&format!("{}` read as `{}", names[col], map.measures[k].field)),
                            "a whole number >= 0".into(),
                            found,
                            hint,
                        ));
                    }
                }
            }
            if bad {
                continue;
            }
            let key = (segment.clone(), start, rank);
            if let Some(e) = entries.get(&key) {
                problems.push(problem(
                    Some(line),
                    None,
                    format!("one row of segment {segment} for period {code}"),
                    format!("a second one (the first on line {})", e.line),
                    Some("a dimension the map does not select has several codes: select one with a select line".into()),
                ));
                continue;
            }
            entries.insert(key, Entry { end, rank, code: code.to_string(), line, values });
        }
    }
    if let (None, Some(_)) = (&region_given, region_col)
        && regions.len() > 1
    {
        // The other problems are of the first region's rows, which may not be the one meant.
        problems.clear();
        problems.push(problem(
            None,
            Some(REGION),
            "the rows of one region: give it with --region CODE".into(),
            format!("{} regions: {}", regions.len(), list(&regions)),
            None,
        ));
    }
    if let Some(r) = &region_given
        && region_col.is_some()
        && !regions.contains(r)
    {
        problems.push(problem(
            None,
            Some(REGION),
            format!("rows of region {r} (--region)"),
            format!("none; the export's regions are {}", list(&regions)),
            Some("a municipality's code is GM and four digits, e.g. GM0080; export the region you want".into()),
        ));
    }
    for (d, codes) in &other_codes {
        if codes.len() > 1 {
            problems.push(problem(
                codes.values().nth(1).copied(),
                Some(&names[*d]),
                format!("one code of dimension {}, or a select line for it in the map", names[*d]),
                format!("{} codes: {}", codes.len(), list(&codes.keys().cloned().collect())),
                Some(format!(
                    "rows of several codes would count the same trajectories twice; add `select,{},CODE` to the map (a measure column whose name has no CBS key suffix _N is taken for a dimension: remove it from the export)",
                    names[*d]
                )),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if entries.is_empty() {
        return Err(vec![problem(
            None,
            None,
            "rows of a mapped segment".into(),
            format!("none of the {rows_read} rows read{}", skipped_note(&skipped_codes)),
            None,
        )]);
    }
    // The finest periods only: a year's counts repeat those of its half-years.
    let finest = entries.values().map(|e| e.rank).max().unwrap_or(0);
    let coarser = entries.values().filter(|e| e.rank < finest).count();
    entries.retain(|_, e| e.rank == finest);
    let mut notes = vec![format!(
        "read {} as a CBS export{} with {}{}: {} rows",
        file.display(),
        region_wanted.filter(|_| region_col.is_some()).map_or(String::new(), |r| format!(" (region {r})")),
        if opt.map_text == DEFAULT_MAP { "the built-in default map " } else { "the map " },
        opt.map_file.display(),
        rows_read
    )];
    if coarser > 0 {
        notes.push(format!(
            "left out {coarser} rows of longer periods (the {} are used; the longer periods repeat their counts)",
            ["years", "half-years", "quarters", "months"][usize::from(finest)]
        ));
    }
    if !skipped_codes.is_empty() {
        let parts: Vec<String> = skipped_codes.iter().map(|(c, n)| format!("{n} rows of {c}")).collect();
        notes.push(format!("left out {}", parts.join(", ")));
    }
    derive(entries, &map, file, notes)
}

/// `a, b, c` (at most 10, then how many more).
fn list(items: &BTreeSet<String>) -> String {
    let mut v: Vec<String> =
        items.iter().take(10).map(|s| if s.is_empty() { "(empty)".into() } else { s.clone() }).collect();
    if items.len() > 10 {
        v.push(format!("and {} more", items.len() - 10));
    }
    v.join(", ")
}

/// `, skipped: N rows of CODE, ...` or nothing.
fn skipped_note(skipped: &BTreeMap<String, usize>) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped.iter().map(|(c, n)| format!("{n} rows of {c}")).collect();
    format!(", skipped: {}", parts.join(", "))
}

/// The running trajectories of each period from what the map reads, and the long CSV.
fn derive(
    entries: BTreeMap<(String, i64, u8), Entry>,
    map: &Map,
    file: &Path,
    notes: Vec<String>,
) -> Result<Converted, Vec<DataProblem>> {
    let problem = |line: u64, column: String, expected: String, found: String| DataProblem {
        file: file.to_path_buf(),
        line: Some(line),
        column: Some(column),
        expected,
        found,
        hint: None,
    };
    let fields: BTreeSet<&str> = map.measures.iter().map(|m| m.field.as_str()).collect();
    let has = |f: &str| fields.contains(f);
    let map_problem = |expected: &str, found: &str| {
        vec![DataProblem {
            file: PathBuf::from(file),
            line: None,
            column: None,
            expected: expected.into(),
            found: found.into(),
            hint: Some("see docs/calibration.md, \"CBS StatLine exports\"".into()),
        }]
    };
    if !has("started") || !has("ended") {
        return Err(map_problem(
            "a map that reads the started and the ended trajectories",
            "a measure read as neither started nor ended",
        ));
    }
    if has("in_period") && (has("active_at_start") || has("active_at_end")) {
        return Err(map_problem(
            "the running trajectories read one way: in_period, or active_at_start and/or active_at_end",
            "in_period and active_at_...",
        ));
    }
    if !has("in_period") && !has("active_at_end") {
        return Err(map_problem(
            "a map that reads the running trajectories: in_period, or active_at_end (with or without active_at_start)",
            "none of them",
        ));
    }
    let mut bands: Vec<data::Band> = fields.iter().filter_map(|f| data::band_of(f)).collect();
    bands.sort_by(|a, b| a.lo.total_cmp(&b.lo));
    let reentered = has("reentered");
    let mut long = data::REQUIRED.join(",");
    if reentered {
        long.push(',');
        long.push_str(data::REENTERED);
    }
    for b in &bands {
        long.push(',');
        long.push_str(&b.name);
    }
    long.push('\n');
    let mut origins = Vec::new();
    let mut problems = Vec::new();
    let mut prev: Option<(String, i64, f64, u64)> = None; // segment, end, active_at_end, line
    for ((segment, start, _), e) in &entries {
        let v = |f: &str| e.values.get(f).map_or(0.0, |x| x.0);
        let col = |f: &str| e.values.get(f).map_or_else(String::new, |x| x.1.clone());
        let (started, ended) = (v("started"), v("ended"));
        let mut columns: BTreeMap<String, String> = BTreeMap::new();
        columns.insert("period_start".into(), format!("{PERIOD} {}", e.code));
        columns.insert("period_end".into(), format!("{PERIOD} {}", e.code));
        for f in e.values.keys().filter(|f| *f != "in_period") {
            columns.insert(f.clone(), col(f));
        }
        let (at_start, at_end) = if has("in_period") {
            let total = v("in_period");
            columns.insert("active_at_start".into(), format!("{} - {}", col("in_period"), col("started")));
            columns.insert("active_at_end".into(), format!("{} - {}", col("in_period"), col("ended")));
            if total < started.max(ended) {
                problems.push(problem(
                    e.line,
                    format!("{}` read as `in_period", col("in_period")),
                    format!(
                        "at least the started ({started}) and the ended ({ended}) trajectories: the trajectories of the period include both"
                    ),
                    format!("{total}"),
                ));
                continue;
            }
            (total - started, total - ended)
        } else if has("active_at_start") {
            (v("active_at_start"), v("active_at_end"))
        } else {
            let at_end = v("active_at_end");
            let after = prev.as_ref().filter(|(s, end, _, _)| s == segment && end + 1 == *start);
            match after {
                Some((_, _, before, line)) => {
                    columns.insert("active_at_start".into(), format!("{} of line {line}", col("active_at_end")));
                    (*before, at_end)
                }
                None => {
                    columns.insert(
                        "active_at_start".into(),
                        format!("{} + {} - {}", col("active_at_end"), col("ended"), col("started")),
                    );
                    let s = at_end + ended - started;
                    if s < 0.0 {
                        problems.push(problem(
                            e.line,
                            format!("{}` read as `active_at_end", col("active_at_end")),
                            format!(
                                "at least started - ended = {}, since the first period's running trajectories at its start are active_at_end + ended - started",
                                started - ended
                            ),
                            format!("{at_end}"),
                        ));
                        continue;
                    }
                    (s, at_end)
                }
            }
        };
        prev = Some((segment.clone(), e.end, at_end, e.line));
        long.push_str(&format!(
            "{},{},{segment},{started},{ended},{at_start},{at_end}",
            data::format_date(*start),
            data::format_date(e.end)
        ));
        if reentered {
            long.push_str(&format!(",{}", v("reentered")));
        }
        for b in &bands {
            long.push_str(&format!(",{}", v(&b.name)));
        }
        long.push('\n');
        columns.insert(
            "segment".into(),
            map.segment_dim.clone().unwrap_or_else(|| format!("the map's measures of {segment}")),
        );
        origins.push(Origin { line: e.line, columns });
    }
    if problems.is_empty() { Ok(Converted { long, origins, notes }) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 2] = ["light_ambulant", "out_of_home"];
    const MAP: &str = "kind,cbs,to\nselect,VerwijzerJeugdzorg,T001\nsegment,Zorgvorm=A1,light_ambulant\nsegment,Zorgvorm=A2,out_of_home\nsegment,Zorgvorm=T001,skip\nmeasure,Totaal,in_period\nmeasure,Begonnen,started\nmeasure,Beeindigd,ended\n";
    const HEAD: &str = "\"ID\";\"VerwijzerJeugdzorg\";\"Zorgvorm\";\"RegioS\";\"Perioden\";\"Totaal_1\";\"Begonnen_2\";\"Beeindigd_3\"\n";

    fn opts<'a>(map: &'a str, region: Option<&'a str>) -> Options<'a> {
        Options { region, map_text: map, map_file: Path::new("map.csv"), known: &KNOWN }
    }

    fn convert_ok(text: &str, region: Option<&str>) -> Converted {
        convert(text, Path::new("e.csv"), &opts(MAP, region)).unwrap_or_else(|p| panic!("{}", data::describe(&p)))
    }

    fn problems(text: &str, map: &str, region: Option<&str>) -> String {
        data::describe(&convert(text, Path::new("e.csv"), &opts(map, region)).unwrap_err())
    }

    fn row(id: u32, verwijzer: &str, zorg: &str, region: &str, period: &str, n: [&str; 3]) -> String {
        format!(
            "\"{id}\";\"{verwijzer}\";\"{zorg}\";\"{region}   \";\"{period}\";\"{}\";\"{}\";\"{}\"\n",
            n[0], n[1], n[2]
        )
    }

    fn export() -> String {
        let mut s = String::from(HEAD);
        let mut id = 0;
        for region in ["GM0080", "GM0014"] {
            for (p, n) in [
                ("2023HJ01", ["130", "40", "30"]),
                ("2023HJ02", ["140", "40", "35"]),
                ("2023JJ00", ["170", "80", "65"]),
            ] {
                for zorg in ["A1", "A2", "T001"] {
                    for v in ["T001", "V2"] {
                        s.push_str(&row(id, v, zorg, region, p, n));
                        id += 1;
                    }
                }
            }
        }
        s
    }

    #[test]
    fn period_codes() {
        let d = |c: &str| period_of_code(c).map(|(a, b, r)| (data::format_date(a), data::format_date(b), r));
        assert_eq!(d("2021HJ01"), Some(("2021-01-01".into(), "2021-06-30".into(), 1)));
        assert_eq!(d("2021HJ02"), Some(("2021-07-01".into(), "2021-12-31".into(), 1)));
        assert_eq!(d("2024JJ00"), Some(("2024-01-01".into(), "2024-12-31".into(), 0)));
        assert_eq!(d("2024KW01"), Some(("2024-01-01".into(), "2024-03-31".into(), 2)));
        assert_eq!(d("2024MM02"), Some(("2024-02-01".into(), "2024-02-29".into(), 3)));
        for bad in ["2021HJ03", "2021JJ01", "2021", "21HJ01", "2021hj01", "2021HJ1 ", "2021KW05", "2021MM13"] {
            assert_eq!(period_of_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_export_becomes_the_long_csv() {
        let c = convert_ok(&export(), Some("GM0080"));
        assert_eq!(
            c.long,
            "period_start,period_end,segment,started,ended,active_at_start,active_at_end\n\
             2023-01-01,2023-06-30,light_ambulant,40,30,90,100\n\
             2023-07-01,2023-12-31,light_ambulant,40,35,100,105\n\
             2023-01-01,2023-06-30,out_of_home,40,30,90,100\n\
             2023-07-01,2023-12-31,out_of_home,40,35,100,105\n"
        );
        // The first converted row is the export's first row of GM0080, A1, T001, 2023HJ01.
        assert_eq!(c.export_line(2), Some(2));
        let notes = c.notes.join("\n");
        assert!(notes.contains("left out 2 rows of longer periods (the half-years are used"), "{notes}");
        assert!(notes.contains("3 rows of Zorgvorm=T001 (skip in the map)"), "{notes}");
    }

    #[test]
    fn problems_name_the_export_line_and_column() {
        let e = export();
        let p = problems(&e, MAP, None);
        assert!(p.contains("column `RegioS`: expected the rows of one region: give it with --region CODE, found 2 regions: GM0014, GM0080"), "{p}");
        let p = problems(&e, MAP, Some("GM0999"));
        assert!(
            p.contains(
                "expected rows of region GM0999 (--region), found none; the export's regions are GM0014, GM0080"
            ),
            "{p}"
        );
        let p = problems(&e.replacen("\"40\"", "\".\"", 1), MAP, Some("GM0080"));
        assert!(
            p.contains("e.csv:2: column `Begonnen_2` read as `started`: expected a whole number >= 0, found \".\"; CBS leaves out (suppresses)"),
            "{p}"
        );
        let p = problems(&e.replacen("2023HJ01", "2023H1", 1), MAP, Some("GM0080"));
        assert!(p.contains("e.csv:2: column `Perioden`: expected a CBS period code"), "{p}");
        assert!(p.contains("found \"2023H1\""), "{p}");
        let p = problems(&e.replace("Beeindigd_3", "Gestopt_3"), MAP, Some("GM0080"));
        assert!(p.contains("e.csv:1: column `Beeindigd`: expected a measure column to read as ended (map.csv line 8), found no such column; the export's columns are ID, VerwijzerJeugdzorg, Zorgvorm, RegioS, Perioden, Totaal_1, Begonnen_2, Gestopt_3"), "{p}");
        let unselected = MAP.replace("select,VerwijzerJeugdzorg,T001\n", "");
        let p = problems(&e, &unselected, Some("GM0080"));
        assert!(p.contains("column `VerwijzerJeugdzorg`: expected one code of dimension VerwijzerJeugdzorg"), "{p}");
        let dup = format!("{e}{}", row(99, "T001", "A1", "GM0080", "2023HJ01", ["130", "40", "30"]));
        let p = problems(&dup, MAP, Some("GM0080"));
        assert!(p.contains("e.csv:38: expected one row of segment light_ambulant for period 2023HJ01, found a second one (the first on line 2)"), "{p}");
    }

    #[test]
    fn running_trajectories_from_the_count_date_alone() {
        let map = "kind,cbs,to\nmeasure,Lopend,out_of_home.active_at_end\nmeasure,Begonnen,out_of_home.started\nmeasure,Beeindigd,out_of_home.ended\n";
        let text = "Perioden;Lopend_1;Begonnen_2;Beeindigd_3\n2023HJ02;105;40;35\n2023HJ01;100;40;30\n";
        let c = convert(text, Path::new("e.csv"), &opts(map, None)).unwrap();
        assert_eq!(
            c.long,
            "period_start,period_end,segment,started,ended,active_at_start,active_at_end\n\
             2023-01-01,2023-06-30,out_of_home,40,30,90,100\n\
             2023-07-01,2023-12-31,out_of_home,40,35,100,105\n"
        );
        assert_eq!((c.export_line(2), c.export_line(3)), (Some(3), Some(2)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the cells hold, converting an export never panics: it gives the long CSV
        /// or problems.
        #[test]
        fn converting_never_panics(rows in proptest::collection::vec(
            proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("T001".to_string()),
                    proptest::strategy::Just("A1".to_string()),
                    proptest::strategy::Just("GM0080".to_string()),
                    proptest::strategy::Just("2023HJ01".to_string()),
                    proptest::strategy::Just("2023JJ00".to_string()),
                    proptest::strategy::Just(".".to_string()),
                    proptest::strategy::Just(String::new()),
                    "[0-9]{1,11}",
                    "[ -~]{0,6}",
                ],
                7..10,
            ),
            0..8,
        ), region in proptest::option::of(proptest::strategy::Just("GM0080"))) {
            let mut text = String::from(HEAD);
            for r in rows {
                text.push_str(&r.join(";"));
                text.push('\n');
            }
            if let Ok(c) = convert(&text, Path::new("e.csv"), &opts(MAP, region)) {
                let _ = data::parse(&c.long, Path::new("e.csv"), &KNOWN, 0.0)
                    .map_err(|p| p.into_iter().map(|x| c.locate(x, Path::new("e.csv")).to_string()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn bad_maps_are_named() {
        let p = problems(&export(), "kind,cbs,to\nmeasure,Begonnen,begun\n", None);
        assert!(p.contains("map.csv:2: column `to`: expected what the column is read as"), "{p}");
        let p = problems(&export(), "kind,cbs,to\nsegment,Zorgvorm=A1,light\n", None);
        assert!(
            p.contains("map.csv:2: column `to`: expected a segment id (light_ambulant, out_of_home) or skip"),
            "{p}"
        );
        let p = problems(&export(), "kind,cbs\n", None);
        assert!(p.contains("map.csv:1: expected the header `kind,cbs,to`"), "{p}");
    }

    #[test]
    fn located_problems_name_the_export() {
        let c = convert_ok(&export(), Some("GM0080"));
        let p = DataProblem {
            file: "long".into(),
            line: Some(3),
            column: Some("active_at_start".into()),
            expected: "active_at_end of the period before (line 2): 100".into(),
            found: "99".into(),
            hint: None,
        };
        let l = c.locate(p, Path::new("e.csv")).to_string();
        assert_eq!(
            l,
            "e.csv:8: column `Totaal_1 - Begonnen_2` read as `active_at_start`: expected active_at_end of the period before (line 2): 100, found 99"
        );
    }
}
