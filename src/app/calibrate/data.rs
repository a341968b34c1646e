//! Reading a registration for `calibrate` (docs/calibration.md): the long CSV of periods
//! per segment and the optional population file, every problem named by file, line, column,
//! what was expected and what was found.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The columns every data file has.
pub(crate) const REQUIRED: [&str; 7] =
    ["period_start", "period_end", "segment", "started", "ended", "active_at_start", "active_at_end"];
/// The optional column: of the starts, those that re-enter the same segment.
pub(crate) const REENTERED: &str = "reentered";
/// Largest data file read.
const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 25;

/// One problem in a data file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataProblem {
    /// The file.
    pub(crate) file: PathBuf,
    /// 1-based line, when the problem sits on one.
    pub(crate) line: Option<u64>,
    /// The column, when the problem is in one.
    pub(crate) column: Option<String>,
    /// What was expected.
    pub(crate) expected: String,
    /// What was found.
    pub(crate) found: String,
    /// How to mend it, when there is something to say.
    pub(crate) hint: Option<String>,
}

impl fmt::Display for DataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column `{c}`")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)?;
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

/// The problems of a data file, at most [`MAX_PROBLEMS`] of them listed.
pub(crate) fn describe(problems: &[DataProblem]) -> String {
    let mut lines: Vec<String> = problems.iter().take(MAX_PROBLEMS).map(ToString::to_string).collect();
    if problems.len() > MAX_PROBLEMS {
        lines.push(format!("... and {} more problems", problems.len() - MAX_PROBLEMS));
    }
    lines.join("\n")
}

/// A duration band of the ended trajectories: a column `ended_<lo>_<hi>y` (from `lo` up to
/// but not including `hi` years) or `ended_<lo>y_plus` (`lo` years or longer).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Band {
    /// The column's name.
    pub(crate) name: String,
    /// Lower bound in years.
    pub(crate) lo: f64,
    /// Upper bound in years; `None` for the open last band.
    pub(crate) hi: Option<f64>,
}

/// The band a column name describes, when it is one.
pub(crate) fn band_of(name: &str) -> Option<Band> {
    let rest = name.strip_prefix("ended_")?;
    let number = |x: &str| x.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    if let Some(lo) = rest.strip_suffix("y_plus") {
        return Some(Band { name: name.to_string(), lo: number(lo)?, hi: None });
    }
    let (lo, hi) = rest.strip_suffix('y')?.split_once('_')?;
    let (lo, hi) = (number(lo)?, number(hi)?);
    (hi > lo).then(|| Band { name: name.to_string(), lo, hi: Some(hi) })
}

/// One row of the data file, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// Its line in the file.
    pub(crate) line: u64,
    /// First day of the period (days since 1970-01-01).
    pub(crate) start: i64,
    /// Last day of the period, inclusive.
    pub(crate) end: i64,
    /// `started`.
    pub(crate) started: f64,
    /// `ended`.
    pub(crate) ended: f64,
    /// `active_at_start`.
    pub(crate) active_at_start: f64,
    /// `active_at_end`.
    pub(crate) active_at_end: f64,
    /// `reentered`, when the file has the column.
    pub(crate) reentered: Option<f64>,
    /// The ended trajectories per duration band, in the order of [`Data::bands`].
    pub(crate) bands: Vec<f64>,
}

impl Row {
    /// Length of the period in years: days / 365.25.
    pub(crate) fn years(&self) -> f64 {
        (self.end - self.start + 1) as f64 / 365.25
    }

    /// `active_at_start + started − ended − active_at_end`: zero when the stock and the
    /// flows add up.
    pub(crate) fn balance_gap(&self) -> f64 {
        self.active_at_start + self.started - self.ended - self.active_at_end
    }
}

/// A checked data file: each segment's periods in time order, contiguous.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Data {
    /// Per segment id, its rows sorted by `start`.
    pub(crate) segments: BTreeMap<String, Vec<Row>>,
    /// Whether the file has the `reentered` column.
    pub(crate) has_reentered: bool,
    /// The duration bands of the ended trajectories, from 0 years up, when the file has them.
    pub(crate) bands: Vec<Band>,
}

impl Data {
    /// The last day of the data (every segment ends on it).
    pub(crate) fn last_day(&self) -> i64 {
        self.segments.values().filter_map(|r| r.last()).map(|r| r.end).max().unwrap_or(0)
    }

    /// The first day of the data.
    pub(crate) fn first_day(&self) -> i64 {
        self.segments.values().filter_map(|r| r.first()).map(|r| r.start).min().unwrap_or(0)
    }
}

/// The text of a data file: a regular file of at most 64 MiB in UTF-8.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, Box<DataProblem>> {
    use std::io::Read;
    let fail = |expected: String, found: String| {
        Box::new(DataProblem { file: path.to_path_buf(), line: None, column: None, expected, found, hint: None })
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("a readable {what}"), e.to_string()))?;
    if !meta.is_file() {
        return Err(fail(format!("a {what} (a regular file)"), "a directory or a special file".into()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(format!("a readable {what}"), e.to_string()))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(fail(format!("a {what} of at most 64 MiB"), "more than 64 MiB".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Box::new(DataProblem {
            file: path.to_path_buf(),
            line: Some(line),
            column: None,
            expected: "text in UTF-8".into(),
            found: "a byte that is not UTF-8".into(),
            hint: Some("save the file as UTF-8 (CSV UTF-8 in Excel)".into()),
        })
    })
}

/// A CSV reader of the format's dialect: a header row, `#` comment lines, spaces around
/// fields ignored, every row as long as the header; fields separated by commas, or by
/// semicolons when the header has semicolons and no comma (as Excel writes CSV under a Dutch
/// locale). A byte-order mark (Excel's "CSV UTF-8") is skipped.
pub(crate) fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or("");
    let delimiter = if header.contains(';') && !header.contains(',') { b';' } else { b',' };
    csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// `text` with CRLF line endings as LF, so that the csv crate's line numbers are the file's.
pub(crate) fn crlf_to_lf(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// What a csv error says, and on which line.
pub(crate) fn csv_problem(file: &Path, e: &csv::Error) -> DataProblem {
    let line = e.position().map(|p| p.line());
    let (expected, found) = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            (format!("{expected_len} fields, as in the header"), format!("{len} fields"))
        }
        _ => ("a comma-separated table".to_string(), e.to_string()),
    };
    DataProblem { file: file.to_path_buf(), line, column: None, expected, found, hint: None }
}

/// Parses and checks a data file's text; `known` are the segment ids a row may name and
/// `tolerance` the share of `active_at_start + started` by which the stock may fail to add
/// up (0: exactly).
pub(crate) fn parse(text: &str, file: &Path, known: &[&str], tolerance: f64) -> Result<Data, Vec<DataProblem>> {
    // The csv crate counts a CRLF line ending (Excel's) one line short after the header.
    let text = &crlf_to_lf(text);
    let mut problems = Vec::new();
    let problem = |line: Option<u64>, column: Option<&str>, expected: String, found: String, hint: Option<String>| {
        DataProblem { file: file.to_path_buf(), line, column: column.map(str::to_string), expected, found, hint }
    };
    let mut rd = reader(text);
    let header = match rd.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![csv_problem(file, &e)]),
    };
    // The header is the first line that is neither empty nor a comment.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line =
        text.lines().position(|l| !l.trim().is_empty() && !l.starts_with('#')).map_or(1, |i| i as u64 + 1);
    let names: Vec<&str> = header.iter().collect();
    let mut known_columns: Vec<&str> = REQUIRED.to_vec();
    known_columns.push(REENTERED);
    let mut bands: Vec<Band> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(b) = band_of(name) {
            if bands.iter().any(|x| x.name == b.name) {
                problems.push(problem(
                    Some(header_line),
                    Some(name),
                    "each column once".into(),
                    "it twice".into(),
                    None,
                ));
            }
            bands.push(b);
        } else if !known_columns.contains(name) {
            let hint =
                suggest(name, &known_columns).or_else(|| Some(format!("the columns are {}", known_columns.join(", "))));
            problems.push(problem(
                Some(header_line),
                Some(name),
                "a column of the format".into(),
                format!("unknown column `{name}` (column {})", i + 1),
                hint.map(|h| {
                    format!(
                        "{h}; duration bands are written ended_<from>_<to>y and ended_<from>y_plus, e.g. ended_0_0.5y"
                    )
                }),
            ));
        } else if names[..i].contains(name) {
            problems.push(problem(Some(header_line), Some(name), "each column once".into(), "it twice".into(), None));
        }
    }
    for col in REQUIRED {
        if !names.contains(&col) {
            problems.push(problem(
                Some(header_line),
                Some(col),
                format!("a header with the columns {}", REQUIRED.join(", ")),
                "no such column".into(),
                None,
            ));
        }
    }
    bands.sort_by(|a, b| a.lo.total_cmp(&b.lo));
    if !bands.is_empty() {
        let mut from = 0.0;
        for (i, b) in bands.iter().enumerate() {
            let last = i + 1 == bands.len();
            let fault = if b.lo != from {
                Some(format!("a band from {from} years (the bands tile 0 years and up without gaps or overlaps)"))
            } else if last && b.hi.is_some() {
                Some(format!("a last band `ended_{}y_plus` (open above)", b.hi.unwrap_or(0.0)))
            } else if !last && b.hi.is_none() {
                Some("the open band `..._plus` to be the last, above every other band".to_string())
            } else {
                None
            };
            if let Some(expected) = fault {
                problems.push(problem(Some(header_line), Some(&b.name), expected, format!("`{}`", b.name), None));
                break;
            }
            from = b.hi.unwrap_or(f64::INFINITY);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let at = |col: &str| names.iter().position(|n| *n == col);
    let has_reentered = at(REENTERED).is_some();
    let mut segments: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for record in rd.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_problem(file, &e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |col: &str| at(col).and_then(|i| record.get(i)).unwrap_or("");
        let mut bad = false;
        let mut date = |col: &str, problems: &mut Vec<DataProblem>| {
            let v = field(col);
            // Years 1900 to 2199, so that the simulation can start the year after.
            let d = parse_date(v).filter(|d| (-25_567..=84_005).contains(d));
            if d.is_none() {
                bad = true;
                problems.push(problem(
                    Some(line),
                    Some(col),
                    "a date YYYY-MM-DD from 1900-01-01 to 2199-12-31".into(),
                    quoted(v),
                    Some("write ISO dates, e.g. 2024-01-01".into()),
                ));
            }
            d.unwrap_or(0)
        };
        let start = date("period_start", &mut problems);
        let end = date("period_end", &mut problems);
        let mut count = |col: &str, problems: &mut Vec<DataProblem>| {
            let v = field(col);
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1e9 => x,
                Ok(x) if x.is_finite() && x >= 1e9 && x.fract() == 0.0 => {
                    bad = true;
                    let expected = "a whole number from 0 to 999999999".to_string();
                    problems.push(problem(Some(line), Some(col), expected, quoted(v), None));
                    0.0
                }
                _ => {
                    bad = true;
                    let hint = if v.is_empty() {
                        Some("a count the data does not have cannot be fitted; leave the period out".into())
                    } else if v.contains(['.', ',']) && v.replace(['.', ','], "").parse::<f64>().is_ok() {
                        Some("write counts without digit groups or decimals".into())
                    } else {
                        None
                    };
                    problems.push(problem(Some(line), Some(col), "a whole number >= 0".into(), quoted(v), hint));
                    0.0
                }
            }
        };
        let started = count("started", &mut problems);
        let ended = count("ended", &mut problems);
        let active_at_start = count("active_at_start", &mut problems);
        let active_at_end = count("active_at_end", &mut problems);
        let reentered = has_reentered.then(|| count(REENTERED, &mut problems));
        let banded: Vec<f64> = bands.iter().map(|b| count(&b.name, &mut problems)).collect();
        let segment = field("segment");
        if segment.is_empty() {
            bad = true;
            problems.push(problem(
                Some(line),
                Some("segment"),
                format!("a segment id ({})", known.join(", ")),
                "an empty field".into(),
                None,
            ));
        } else if !known.contains(&segment) {
            bad = true;
            let hint = suggest(segment, known)
                .or_else(|| Some(format!("the segments are those of the template: {}", known.join(", "))));
            problems.push(problem(
                Some(line),
                Some("segment"),
                format!("a segment id ({})", known.join(", ")),
                quoted(segment),
                hint,
            ));
        }
        if bad {
            continue;
        }
        if end < start {
            problems.push(problem(
                Some(line),
                Some("period_end"),
                format!("a date on or after period_start {}", format_date(start)),
                format_date(end),
                None,
            ));
            continue;
        }
        if ended > active_at_start + started {
            problems.push(problem(
                Some(line),
                Some("ended"),
                format!("at most active_at_start + started = {}", active_at_start + started),
                format!("{ended}"),
                Some("no more trajectories can end than were running or started".into()),
            ));
            continue;
        }
        if let Some(k) = reentered
            && k > started
        {
            problems.push(problem(
                Some(line),
                Some(REENTERED),
                format!("at most started = {started}"),
                format!("{k}"),
                Some("re-entries are counted among the starts".into()),
            ));
            continue;
        }
        if !bands.is_empty() && banded.iter().sum::<f64>() != ended {
            problems.push(problem(
                Some(line),
                Some("ended"),
                format!(
                    "the sum of the duration bands ({}) = {}",
                    bands.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(" + "),
                    banded.iter().sum::<f64>()
                ),
                format!("{ended}"),
                Some("every ended trajectory falls in one band".into()),
            ));
            continue;
        }
        let row = Row { line, start, end, started, ended, active_at_start, active_at_end, reentered, bands: banded };
        let gap = row.balance_gap();
        if gap.abs() > tolerance * (active_at_start + started) {
            problems.push(problem(
                Some(line),
                Some("active_at_end"),
                format!(
                    "active_at_start + started - ended = {}{}",
                    active_at_start + started - ended,
                    if tolerance > 0.0 {
                        format!(" within {}% (--balance-tolerance {tolerance})", 100.0 * tolerance)
                    } else {
                        String::new()
                    }
                ),
                format!("{active_at_end}"),
                Some("the stock must add up with its flows; for rounded figures (CBS rounds), allow a difference with --balance-tolerance, e.g. 0.02".into()),
            ));
            continue;
        }
        segments.entry(segment.to_string()).or_default().push(row);
    }
    if segments.is_empty() && problems.is_empty() {
        problems.push(problem(None, None, "at least one row of data".into(), "none".into(), None));
    }
    for rows in segments.values_mut() {
        rows.sort_by_key(|r| (r.start, r.line));
    }
    for (id, rows) in &segments {
        for w in rows.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if b.start <= a.end {
                problems.push(problem(
                    Some(b.line),
                    Some("period_start"),
                    format!(
                        "a period of segment {id} after the one on line {} ({} to {}): period_start {}",
                        a.line,
                        format_date(a.start),
                        format_date(a.end),
                        format_date(a.end + 1)
                    ),
                    format!("{}, which overlaps it", format_date(b.start)),
                    None,
                ));
            } else if b.start > a.end + 1 {
                problems.push(problem(
                    Some(b.line),
                    Some("period_start"),
                    format!(
                        "the day after the period of segment {id} on line {} (period_end {}): {}",
                        a.line,
                        format_date(a.end),
                        format_date(a.end + 1)
                    ),
                    format!("{}, which leaves a gap", format_date(b.start)),
                    Some(
                        "periods are inclusive of period_end; add the missing period or fit the data after the gap"
                            .into(),
                    ),
                ));
            } else if (b.active_at_start - a.active_at_end).abs() > tolerance * a.active_at_end.max(1.0) {
                problems.push(problem(
                    Some(b.line),
                    Some("active_at_start"),
                    format!("active_at_end of the period before (line {}): {}", a.line, a.active_at_end),
                    format!("{}", b.active_at_start),
                    Some("the clients running at the end of a period run at the start of the next".into()),
                ));
            }
        }
    }
    if problems.is_empty() {
        let last = segments.values().filter_map(|r| r.last()).map(|r| r.end).max().unwrap_or(0);
        for (id, rows) in &segments {
            if let Some(r) = rows.last()
                && r.end != last
            {
                problems.push(problem(
                    Some(r.line),
                    Some("period_end"),
                    format!(
                        "the last period of segment {id} to end on {}, as the data's last period does",
                        format_date(last)
                    ),
                    format_date(r.end),
                    Some("the initial caseloads are the counts of one day: give every segment data up to it".into()),
                ));
            }
        }
    }
    if problems.is_empty() { Ok(Data { segments, has_reentered, bands }) } else { Err(problems) }
}

/// The population file: youths 0-17 on 1 January by calendar year, columns `year,youth`.
pub(crate) fn parse_population(text: &str, file: &Path) -> Result<BTreeMap<i32, f64>, Vec<DataProblem>> {
    let text = &crlf_to_lf(text);
    let mut problems = Vec::new();
    let problem = |line: Option<u64>, column: Option<&str>, expected: String, found: String| DataProblem {
        file: file.to_path_buf(),
        line,
        column: column.map(str::to_string),
        expected,
        found,
        hint: None,
    };
    let mut rd = reader(text);
    let header = match rd.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![csv_problem(file, &e)]),
    };
    let names: Vec<&str> = header.iter().collect();
    if names != ["year", "youth"] {
        return Err(vec![problem(
            Some(rd.position().line().max(1)),
            None,
            "the header `year,youth`".into(),
            quoted(&names.join(",")),
        )]);
    }
    let mut years = BTreeMap::new();
    for record in rd.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_problem(file, &e));
                continue;
            }
        };
        let line = record.position().map(|p| p.line());
        let (y, n) = (record.get(0).unwrap_or(""), record.get(1).unwrap_or(""));
        let year = y.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y));
        let youth = n.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0 && *x < 1e10);
        match (year, youth) {
            (None, _) => problems.push(problem(line, Some("year"), "a year from 1900 to 2200".into(), quoted(y))),
            (_, None) => problems.push(problem(line, Some("youth"), "a number of youths > 0".into(), quoted(n))),
            (Some(y), Some(n)) => {
                if years.insert(y, n).is_some() {
                    problems.push(problem(line, Some("year"), "each year once".into(), format!("{y} again")));
                }
            }
        }
    }
    if years.is_empty() && problems.is_empty() {
        problems.push(problem(None, None, "at least one year".into(), "none".into()));
    }
    if problems.is_empty() { Ok(years) } else { Err(problems) }
}

/// "did you mean `k`?" for the known name closest to `name`, when one is close enough.
fn suggest(name: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

/// `"x"`, or `an empty field`.
fn quoted(v: &str) -> String {
    if v.is_empty() { "an empty field".into() } else { format!("\"{v}\"") }
}

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD`; `None` when it is no calendar date.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).filter(|x| x.bytes().all(|c| c.is_ascii_digit()))?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days in month `m` of year `y`.
fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day number (the inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A day number as `YYYY-MM-DD`.
pub(crate) fn format_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 2] = ["a", "b"];

    fn parse_ok(text: &str) -> Data {
        parse(text, Path::new("d.csv"), &KNOWN, 0.0).unwrap_or_else(|e| panic!("{}", describe(&e)))
    }

    fn problems(text: &str) -> String {
        describe(&parse(text, Path::new("d.csv"), &KNOWN, 0.0).unwrap_err())
    }

    const HEAD: &str = "period_start,period_end,segment,started,ended,active_at_start,active_at_end\n";

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "2100-03-01"] {
            assert_eq!(format_date(parse_date(s).unwrap()), s);
        }
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-1-01"), None);
        assert_eq!(parse_date("01-01-2023"), None);
    }

    #[test]
    fn a_good_file_is_read_in_time_order() {
        let text =
            format!("# a comment\n{HEAD}2024-07-01,2024-12-31,a,10,8,12,14\n2024-01-01,2024-06-30,a,10,8,10,12\n");
        let d = parse_ok(&text);
        let rows = &d.segments["a"];
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (4, 3));
        assert!((rows[0].years() - 182.0 / 365.25).abs() < 1e-12);
        assert_eq!(format_date(d.last_day()), "2024-12-31");
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,-1,8,10,12\n"));
        assert!(p.contains("d.csv:2: column `started`: expected a whole number >= 0, found \"-1\""), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,1,30,10,12\n"));
        assert!(p.contains("d.csv:2: column `ended`: expected at most active_at_start + started = 11"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,10,8,10,13\n"));
        assert!(p.contains("d.csv:2: column `active_at_end`: expected active_at_start + started - ended = 12"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-31,c,10,8,10,12\n"));
        assert!(
            p.contains(
                "column `period_end`: expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31, found \"2024-06-31\""
            ),
            "{p}"
        );
        assert!(p.contains("column `segment`"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,10,8,10,12\n2024-06-01,2024-12-31,a,10,8,12,14\n"));
        assert!(p.contains("d.csv:3: column `period_start`") && p.contains("overlaps"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,10,8,10,12\n2024-08-01,2024-12-31,a,10,8,12,14\n"));
        assert!(p.contains("d.csv:3: column `period_start`") && p.contains("gap"), "{p}");
        let p = problems("period_start,period_end,segment,started,ended,active_at_start\n");
        assert!(p.contains("column `active_at_end`: expected a header with the columns"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,10,8,10\n"));
        assert!(p.contains("d.csv:2: expected 7 fields, as in the header, found 6 fields"), "{p}");
    }

    #[test]
    fn crlf_line_endings_give_the_file_s_lines() {
        let text = format!("{HEAD}2024-01-01,2024-06-30,a,10,8,10,12\n2024-07-01,2024-12-31,a,-1,8,12,14\n")
            .replace('\n', "\r\n");
        assert!(problems(&text).contains("d.csv:3: column `started`"), "{}", problems(&text));
    }

    #[test]
    fn semicolons_and_a_byte_order_mark_are_read() {
        let text = format!("\u{feff}{}2024-01-01;2024-06-30;a;10;8;10;12\n", HEAD.replace(',', ";"));
        assert_eq!(parse_ok(&text).segments["a"][0].active_at_end, 12.0);
    }

    #[test]
    fn dates_and_counts_are_bounded() {
        assert_eq!(parse_date("1900-01-01"), Some(-25_567));
        assert_eq!(parse_date("2199-12-31"), Some(84_005));
        let p = problems(&format!("{HEAD}1899-12-01,1899-12-31,a,10,8,10,12\n"));
        assert!(p.contains("expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31"), "{p}");
        let p = problems(&format!("{HEAD}2024-01-01,2024-06-30,a,1000000000,8,10,12\n"));
        assert!(p.contains("column `started`: expected a whole number from 0 to 999999999"), "{p}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the rows hold, reading them never panics: it gives data or problems.
        #[test]
        fn reading_never_panics(rows in proptest::collection::vec(
            proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("2024-01-01".to_string()),
                    proptest::strategy::Just("2024-07-01".to_string()),
                    proptest::strategy::Just("a".to_string()),
                    proptest::strategy::Just(String::new()),
                    "-?[0-9]{1,12}(\\.[0-9])?",
                    "[ -~]{0,6}",
                ],
                6..9,
            ),
            0..6,
        ), tolerance in 0.0..0.5f64) {
            let mut text = String::from(HEAD);
            for r in rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            let _ = parse(&text, Path::new("d.csv"), &KNOWN, tolerance);
            let _ = parse_population(&text, Path::new("d.csv"));
        }
    }

    #[test]
    fn duration_bands() {
        let head = "period_start,period_end,segment,started,ended,active_at_start,active_at_end,ended_0.5_1y,ended_0_0.5y,ended_1y_plus\n";
        let d = parse_ok(&format!("{head}2024-01-01,2024-06-30,a,10,8,10,12,3,4,1\n"));
        let names: Vec<&str> = d.bands.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["ended_0_0.5y", "ended_0.5_1y", "ended_1y_plus"]);
        assert_eq!(d.segments["a"][0].bands, [4.0, 3.0, 1.0]);
        let p = problems(&format!("{head}2024-01-01,2024-06-30,a,10,8,10,12,3,4,2\n"));
        assert!(p.contains("d.csv:2: column `ended`: expected the sum of the duration bands"), "{p}");
        let gap = head.replace("ended_0.5_1y", "ended_0.6_1y");
        let p = problems(&format!("{gap}2024-01-01,2024-06-30,a,10,8,10,12,3,4,1\n"));
        assert!(p.contains("d.csv:1: column `ended_0.6_1y`: expected a band from 0.5 years"), "{p}");
        let closed = head.replace("ended_1y_plus", "ended_1_2y");
        let p = problems(&format!("{closed}2024-01-01,2024-06-30,a,10,8,10,12,3,4,1\n"));
        assert!(p.contains("column `ended_1_2y`: expected a last band `ended_2y_plus`"), "{p}");
    }

    #[test]
    fn a_tolerance_accepts_small_differences_only() {
        let text = format!("{HEAD}2024-01-01,2024-06-30,a,100,80,100,121\n");
        assert!(parse(&text, Path::new("d.csv"), &KNOWN, 0.0).is_err());
        assert!(parse(&text, Path::new("d.csv"), &KNOWN, 0.01).is_ok());
        let text = format!("{HEAD}2024-01-01,2024-06-30,a,100,80,100,125\n");
        assert!(parse(&text, Path::new("d.csv"), &KNOWN, 0.01).is_err());
    }

    #[test]
    fn population_file() {
        let y = parse_population("year,youth\n2023,10000\n2024,10100\n", Path::new("p.csv")).unwrap();
        assert_eq!(y[&2024], 10100.0);
        let e = parse_population("year,youth\n2023,0\n", Path::new("p.csv")).unwrap_err();
        assert!(describe(&e).contains("p.csv:2: column `youth`"), "{}", describe(&e));
    }
}
