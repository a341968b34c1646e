//! `contractsim calibrate`: fit the demand of a scenario's segments to a municipality's own
//! registration (docs/calibration.md) and write a commented, calibrated scenario built on
//! the blank template, with a fit report next to it.
//!
//! The pipeline reads and checks everything before it writes anything: the data
//! ([`data`]), the population, the fit of each segment ([`crate::model::fit`]), the
//! conversion of starts into the scenario's referrals, and the scenario text ([`text`]),
//! which must read back as a valid scenario. Then the scenario and the report are written
//! to temporary files and renamed into place.

mod cbs;
mod data;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::AppError;
use crate::model::fit::{
    BandTest, Estimate, Period, SegmentFit, ShapeFit, exponential_band_test, fit_segment, fit_shape,
};
use crate::report::charts::calibration_fit as charts;
use crate::report::lang::Lang;
use crate::scenario::{self, Scenario};

/// The blank template the calibrated scenario is built on (as `contractsim new` writes it).
const TEMPLATE: &str = include_str!("../../../templates/new.toml");

/// What `calibrate` is to do.
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    /// The registration: a long CSV (docs/calibration.md).
    pub data: PathBuf,
    /// Youths 0-17, the same in every period.
    pub population: Option<f64>,
    /// Youths 0-17 on 1 January by year (`year,youth`).
    pub population_file: Option<PathBuf>,
    /// The scenario to write, `scenarios/NAME.toml`; the fit report goes next to it.
    pub out: PathBuf,
    /// Overwrite the scenario and the report if they exist.
    pub force: bool,
    /// Share of `active_at_start + started` by which a period's stock may fail to add up
    /// (0: exactly).
    pub balance_tolerance: f64,
    /// `Some`: `data` is a CBS StatLine export, read as this says.
    pub cbs: Option<CbsRequest>,
}

/// How `calibrate --cbs` reads a CBS StatLine export (docs/calibration.md, "CBS StatLine
/// exports").
#[derive(Debug, Clone, Default)]
pub struct CbsRequest {
    /// `--region`: the region code whose rows are read, e.g. `GM0080`.
    pub region: Option<String>,
    /// `--cbs-map`: the mapping file [default: examples/calibration/cbs-map.csv, built in].
    pub map: Option<PathBuf>,
    /// `--write-data`: where to write the converted long CSV, written with the scenario.
    pub write_data: Option<PathBuf>,
}

/// One segment's fit and what the scenario makes of it.
pub(crate) struct Fitted {
    /// The segment's id.
    pub(crate) id: String,
    /// The fit of its counts.
    pub(crate) fit: SegmentFit,
    /// Its periods.
    pub(crate) periods: usize,
    /// Starts per 1000 youths a year (the fit's posterior).
    pub(crate) starts: Estimate,
    /// Referrals per 1000 youths a year: `starts × loop_factor − escalations_in`.
    pub(crate) incidence: Estimate,
    /// The share of starts that are not re-entries.
    pub(crate) loop_factor: f64,
    /// Escalations from other fitted segments arriving here, per 1000 youths a year.
    pub(crate) escalations_in: f64,
    /// The segments they come from.
    pub(crate) escalates_from: Vec<String>,
    /// The re-entry rate, when the data count re-entries.
    pub(crate) reentry: Option<Reentry>,
    /// `active_at_end` of the last period.
    pub(crate) initial_caseload: f64,
    /// The line of that count.
    pub(crate) last_line: u64,
    /// With duration bands: the ended trajectories per band and their test against
    /// exponential stays.
    pub(crate) bands: Option<(Vec<f64>, BandTest)>,
    /// With duration bands: the duration shape they give (`duration_shape`).
    pub(crate) shape: Option<ShapeFit>,
}

/// The re-entry rate from the data's re-entry share.
pub(crate) struct Reentry {
    /// Re-entries counted.
    pub(crate) reentered: f64,
    /// Share of starts that are re-entries (Jeffreys posterior).
    pub(crate) share: Estimate,
    /// The template's mean success rate.
    pub(crate) success_mean: f64,
    /// The share of failures that re-enter: `share / (1 − success)`.
    pub(crate) rate: Estimate,
}

/// Fits the data, writes the scenario and its fit report, and says what to do next.
pub fn calibrate(req: CalibrateRequest) -> Result<(), AppError> {
    let bad = AppError::BadInput;
    if !(0.0..=0.5).contains(&req.balance_tolerance) {
        return Err(bad(format!(
            "--balance-tolerance: expected a share from 0 to 0.5, found {}",
            req.balance_tolerance
        )));
    }
    let name = req.out.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
    if name.is_empty()
        || !name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        || req.out.extension().is_none_or(|x| x != "toml")
    {
        return Err(bad(format!(
            "--out: expected a scenario file NAME.toml with a plain NAME of letters, digits, '-' and '_' (e.g. scenarios/my-town.toml), found \"{}\"",
            req.out.display()
        )));
    }
    let report = req.out.with_file_name(format!("{name}-fit.csv"));
    let chart_files: Vec<PathBuf> = ["-fit.png", "-fit.svg", "-fit_nl.png", "-fit_nl.svg"]
        .iter()
        .map(|x| req.out.with_file_name(format!("{name}{x}")))
        .collect();
    let write_data = req.cbs.as_ref().and_then(|c| c.write_data.clone());
    for dest in std::iter::once(&req.out).chain([&report]).chain(&chart_files).chain(&write_data) {
        if dest.exists() && !req.force {
            return Err(bad(format!(
                "{}: the file exists; choose another --out, or add --force to overwrite it",
                dest.display()
            )));
        }
    }
    let file = req.out.display().to_string();
    let template_text = TEMPLATE.replace("{{NAME}}", &name).replace("{{FILE}}", &file);
    let template = scenario::parse_str(&template_text, Path::new("templates/new.toml"))
        .map_err(|e| AppError::Other(anyhow::anyhow!("the template does not read: {e}")))?;
    let known: Vec<&str> = template.segments.iter().map(|s| s.id.as_str()).collect();

    let what = if req.cbs.is_some() { "CBS StatLine export (CSV)" } else { "data file (CSV)" };
    let text = data::read_text(&req.data, what).map_err(|p| bad(p.to_string()))?;
    let (data, converted) = match &req.cbs {
        None => {
            (data::parse(&text, &req.data, &known, req.balance_tolerance).map_err(|p| bad(data::describe(&p)))?, None)
        }
        Some(c) => {
            let (data, converted) = read_cbs(&text, &req, c, &known)?;
            (data, Some(converted))
        }
    };
    let last_day = data.last_day();
    let start_year = data::civil_from_days(last_day + 1).0;
    let (youth_of, youth, youth_note) = population(&req, &data, start_year)?;

    let mut fitted = Vec::new();
    for seg in &template.segments {
        let Some(rows) = data.segments.get(&seg.id) else { continue };
        let periods: Vec<Period> = rows.iter().map(|r| period_of(r, &youth_of)).collect();
        let fit =
            fit_segment(&periods).map_err(|e| bad(format!("{}: segment `{}`: {e}", req.data.display(), seg.id)))?;
        let last = rows.last().expect("a segment has rows");
        fitted.push((seg, fit, rows.len(), last.active_at_end, last.line));
    }
    let mut fitted = referrals(&template, fitted, &req.data)?;
    let bands_file = req.out.with_file_name(format!("{name}-fit-bands.csv"));
    if !data.bands.is_empty() {
        if bands_file.exists() && !req.force {
            return Err(bad(format!(
                "{}: the file exists; choose another --out, or add --force to overwrite it",
                bands_file.display()
            )));
        }
        let bounds: Vec<(f64, Option<f64>)> = data.bands.iter().map(|b| (b.lo, b.hi)).collect();
        for f in &mut fitted {
            let rows = &data.segments[&f.id];
            let observed: Vec<f64> = (0..bounds.len()).map(|b| rows.iter().map(|r| r.bands[b]).sum()).collect();
            let test = exponential_band_test(&observed, &bounds, f.fit.duration_mle_years);
            // The bootstrap's seed: the segment's id, so the same data give the same text.
            let seed =
                f.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
            f.shape = Some(fit_shape(&observed, &bounds, f.fit.duration_mle_years, seed));
            f.bands = Some((observed, test));
        }
    }
    let all_starts: f64 = fitted.iter().map(|f| f.starts.mean).sum();
    if all_starts > 1000.0 {
        return Err(bad(format!(
            "{}: expected the youths 0-17 the data come from, found so few that the data start {} trajectories a year per 1000 youths (more than one per youth)",
            if req.population.is_some() { "--population" } else { "--population-file" },
            text::num(all_starts)
        )));
    }

    let sha256: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let date = data::format_date(today());
    let n_periods = data.segments.values().map(Vec::len).max().unwrap_or(0);
    let periods =
        format!("{} to {}, {} periods", data::format_date(data.first_day()), data::format_date(last_day), n_periods);
    let caseload_cost: f64 = fitted
        .iter()
        .map(|f| {
            let g = template.segments.iter().find(|s| s.id == f.id).expect("a template segment");
            f.initial_caseload * template.mean(g.cost_per_client_year)
        })
        .sum();
    let budget = (caseload_cost * 1.03 / 10_000.0).round().max(1.0) * 10_000.0;
    let source = req.data.display().to_string();
    let cbs_flags = req.cbs.as_ref().map_or(String::new(), |c| {
        let mut f = String::from(" --cbs");
        if let Some(r) = &c.region {
            f.push_str(&format!(" --region {r}"));
        }
        if let Some(m) = &c.map {
            f.push_str(&format!(" --cbs-map {}", m.display()));
        }
        if let Some(w) = &c.write_data {
            f.push_str(&format!(" --write-data {}", w.display()));
        }
        f
    });
    let command = format!(
        "contractsim calibrate {source}{cbs_flags} {} --out {file}{}",
        match (&req.population, &req.population_file) {
            (Some(n), _) => format!("--population {n}"),
            (_, Some(f)) => format!("--population-file {}", f.display()),
            _ => String::new(),
        },
        if req.balance_tolerance > 0.0 {
            format!(" --balance-tolerance {}", req.balance_tolerance)
        } else {
            String::new()
        }
    );
    let cx = text::Context {
        name: &name,
        command: &command,
        file: &file,
        source: &source,
        sha256: &sha256,
        date: &date,
        periods: &periods,
        start_year,
        last_day: &data::format_date(last_day),
        youth,
        youth_note: &youth_note,
        budget,
        caseload_cost,
    };
    let scenario_text = text::scenario_text(&template_text, &cx, &fitted);
    if let Err(e) = scenario::parse_str(&scenario_text, &req.out) {
        return Err(AppError::Other(anyhow::anyhow!("the calibrated scenario does not read back (a bug): {e}")));
    }
    let report_text = fit_report(&data, &fitted, &youth_of);
    let chart = fit_chart(&template, &data, &fitted, &youth_of, &name, &source);
    let chart_error = |e: String| AppError::Other(anyhow::anyhow!("drawing the fit chart: {e}"));
    let mut files = vec![(&req.out, scenario_text.as_bytes().to_vec()), (&report, report_text.into_bytes())];
    for (i, lang) in Lang::ALL.into_iter().enumerate() {
        files.push((&chart_files[2 * i], charts::png(&chart, lang).map_err(chart_error)?));
        files.push((&chart_files[2 * i + 1], charts::svg(&chart, lang).map_err(chart_error)?.into_bytes()));
    }
    if !data.bands.is_empty() {
        files.push((&bands_file, bands_report(&data, &fitted).into_bytes()));
    }
    if let (Some(dest), Some(c)) = (&write_data, &converted) {
        let note = format!(
            "# Converted by `{command}` from the CBS StatLine export {source} (SHA-256 {sha256});\n# the long format of docs/calibration.md. Not read back by calibrate: edit the export or the map.\n"
        );
        files.push((dest, format!("{note}{}", c.long).into_bytes()));
    }
    let files_ref: Vec<(&PathBuf, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    write_all(&files_ref)?;
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    let mut summary = String::new();
    for n in converted.iter().flat_map(|c| &c.notes) {
        summary.push_str(&format!("{n}\n"));
    }
    summary.push_str(&format!("wrote {}:\n", names.join(", ")));
    for f in &fitted {
        let rows = &data.segments[&f.id];
        let dispersion = dispersion(rows, &f.fit, &youth_of);
        summary.push_str(&format!(
            "  {:<22} starts {} per 1000 a year (sd {}), referrals {} per 1000, mean duration {} years (sd {}), caseload {}{}\n",
            f.id,
            text::num(f.starts.mean),
            text::num(f.starts.sd),
            text::num(f.incidence.mean),
            text::num(f.fit.mean_duration_years.mean),
            text::num(f.fit.mean_duration_years.sd),
            f.initial_caseload,
            match dispersion {
                Some(d) if d > 2.0 => format!(
                    "\n    warning: the starts vary {} times more from period to period than Poisson counts would (a trend or a season?); the stated uncertainty is then too small",
                    text::num(d)
                ),
                _ => String::new(),
            }
        ));
        if let Some((_, t)) = &f.bands {
            summary.push_str(&format!(
                "    durations by band: chi-square {} on {} degrees of freedom against exponential stays, p = {}{}\n",
                text::num(t.chi_square),
                t.df,
                text::num(t.p_value),
                if t.p_value < 0.01 {
                    "\n    warning: the stays are not exponential (p < 0.01); duration_shape below gives them the shape the bands fit (docs/calibration.md)"
                } else {
                    ""
                }
            ));
        }
        if let Some(k) = &f.shape {
            summary.push_str(&format!(
                "    duration shape from the bands: duration_shape = {} (likelihood interval {} to {}; the same shape in {}% of bootstrap datasets)\n",
                k.shape,
                k.interval.0,
                k.interval.1,
                text::num((k.recovered * 1000.0).round() / 10.0)
            ));
        }
    }
    summary.push_str(&format!(
        "  then `contractsim check {0}` and `contractsim run {0}`; replace the [assumption] numbers with your own",
        req.out.display()
    ));
    println!("{summary}");
    Ok(())
}

/// Reads a CBS StatLine export: converted to the long CSV through the map, then checked as
/// a data file, every problem said of the export's lines and columns; the rows' lines are
/// the export's.
fn read_cbs(
    text: &str,
    req: &CalibrateRequest,
    c: &CbsRequest,
    known: &[&str],
) -> Result<(data::Data, cbs::Converted), AppError> {
    let bad = AppError::BadInput;
    let (map_text, map_file) = match &c.map {
        Some(m) => (data::read_text(m, "mapping file (CSV)").map_err(|p| bad(p.to_string()))?, m.clone()),
        None => (cbs::DEFAULT_MAP.to_string(), PathBuf::from(cbs::DEFAULT_MAP_NAME)),
    };
    let options = cbs::Options { region: c.region.as_deref(), map_text: &map_text, map_file: &map_file, known };
    let converted = cbs::convert(text, &req.data, &options).map_err(|p| bad(data::describe(&p)))?;
    let mut data = data::parse(&converted.long, &req.data, known, req.balance_tolerance).map_err(|p| {
        let located: Vec<data::DataProblem> = p.into_iter().map(|x| converted.locate(x, &req.data)).collect();
        bad(data::describe(&located))
    })?;
    for rows in data.segments.values_mut() {
        for r in rows.iter_mut() {
            r.line = converted.export_line(r.line).unwrap_or(r.line);
        }
    }
    Ok((data, converted))
}

/// Youths per period, youths at the start and where they come from.
type Population = (Box<dyn Fn(&data::Row) -> f64>, f64, String);

/// The youths of each period and at the start: `--population` for every period, or the
/// population file's 1 January figure of the year each period starts in.
fn population(req: &CalibrateRequest, data: &data::Data, start_year: i64) -> Result<Population, AppError> {
    let bad = AppError::BadInput;
    match (req.population, &req.population_file) {
        (Some(_), Some(_)) => Err(bad("give either --population N or --population-file F, not both".into())),
        (None, None) => Err(bad(
            "calibrate needs the youths 0-17 the data come from: --population N (the same in every period) or --population-file F (a CSV `year,youth`)".into(),
        )),
        (Some(n), None) => {
            if !(n.is_finite() && n > 0.0 && n < 1e10) {
                return Err(bad(format!("--population: expected a number of youths > 0, found {n}")));
            }
            Ok((Box::new(move |_| n), n, format!("--population {n}, the same in every period")))
        }
        (None, Some(path)) => {
            let text = data::read_text(path, "population file (CSV)").map_err(|p| bad(p.to_string()))?;
            let years = data::parse_population(&text, path).map_err(|p| bad(data::describe(&p)))?;
            let mut missing = Vec::new();
            for rows in data.segments.values() {
                for r in rows {
                    let y = data::civil_from_days(r.start).0 as i32;
                    if !years.contains_key(&y) && !missing.iter().any(|(m, _)| *m == y) {
                        missing.push((y, r.line));
                    }
                }
            }
            if let Some((y, line)) = missing.first() {
                return Err(bad(format!(
                    "{}: expected the youths of {y} (the period on {} line {line} starts in it), found no row for {y}",
                    path.display(),
                    req.data.display()
                )));
            }
            let (&y0, &n0) = years.range(..=(start_year as i32)).next_back().expect("the data's years are listed");
            let note = if i64::from(y0) == start_year {
                format!("{} (1 January {y0})", path.display())
            } else {
                format!("{} (1 January {y0}, the latest year listed before {start_year})", path.display())
            };
            let years: BTreeMap<i32, f64> = years;
            let of = move |r: &data::Row| years[&(data::civil_from_days(r.start).0 as i32)];
            Ok((Box::new(of), n0, note))
        }
    }
}

/// Turns each fitted rate of starts into the scenario's referrals: starts include re-entries
/// (`(1 − σ) ρ` of them in a steady state, or the data's share) and escalations from the
/// other fitted segments (`λ_u (1 − σ_u)(1 − ρ_u) ε_u`), which the model adds to the
/// referrals by itself (docs/model.md §3).
fn referrals(
    template: &Scenario,
    fitted: Vec<(&crate::scenario::Segment, SegmentFit, usize, f64, u64)>,
    file: &Path,
) -> Result<Vec<Fitted>, AppError> {
    let bad = AppError::BadInput;
    let mut out: Vec<Fitted> = Vec::new();
    for (seg, fit, periods, initial_caseload, last_line) in fitted {
        let success = template.mean(seg.success_rate);
        let reentry = match fit.reentry_share {
            None => None,
            Some(share) => {
                let rate = Estimate { mean: share.mean / (1.0 - success), sd: share.sd / (1.0 - success) };
                if rate.mean >= 1.0 || rate.sd * rate.sd >= rate.mean * (1.0 - rate.mean) {
                    return Err(bad(format!(
                        "{}: column `reentered`: segment `{}`: a re-entry share of {} of the starts needs more failures than the template's success rate ({}) leaves: expected a share below {}, found {}",
                        file.display(),
                        seg.id,
                        text::num(share.mean),
                        text::num(success),
                        text::num(1.0 - success),
                        text::num(share.mean)
                    )));
                }
                Some(Reentry { reentered: fit.reentered, share, success_mean: success, rate })
            }
        };
        let loop_factor = match &reentry {
            Some(r) => 1.0 - r.share.mean,
            None => 1.0 - (1.0 - success) * template.mean(seg.reentry_rate),
        };
        out.push(Fitted {
            id: seg.id.clone(),
            starts: fit.starts_per_1000,
            incidence: fit.starts_per_1000,
            fit,
            periods,
            loop_factor,
            escalations_in: 0.0,
            escalates_from: Vec::new(),
            reentry,
            initial_caseload,
            last_line,
            bands: None,
            shape: None,
        });
    }
    // Escalations between fitted segments, and the variance of the referrals.
    for g in 0..out.len() {
        let (mut x, mut var_x, mut from) = (0.0, 0.0, Vec::new());
        for u in 0..out.len() {
            let seg_u = template.segments.iter().find(|s| s.id == out[u].id).expect("a template segment");
            let Some(to) = seg_u.escalates_to else { continue };
            if template.segments[to].id != out[g].id {
                continue;
            }
            let rho_u = out[u].reentry.as_ref().map_or(template.mean(seg_u.reentry_rate), |r| r.rate.mean);
            let k = (1.0 - template.mean(seg_u.success_rate)) * (1.0 - rho_u) * template.mean(seg_u.escalation_rate);
            x += k * out[u].starts.mean;
            var_x += (k * out[u].starts.sd).powi(2);
            from.push(out[u].id.clone());
        }
        let f = &mut out[g];
        let c = f.loop_factor;
        let var_share = f.reentry.as_ref().map_or(0.0, |r| (f.starts.mean * r.share.sd).powi(2));
        let mean = f.starts.mean * c - x;
        if mean <= 0.0 {
            return Err(bad(format!(
                "{}: segment `{}`: its {} starts per 1000 a year are fewer than the re-entries and escalations the template's rates make of the other segments' starts ({} per 1000): edit the escalation and re-entry rates of the template, or fit the segments apart",
                file.display(),
                f.id,
                text::num(f.starts.mean),
                text::num(f.starts.mean * (1.0 - c) + x)
            )));
        }
        f.incidence = Estimate { mean, sd: ((c * f.starts.sd).powi(2) + var_share + var_x).sqrt() };
        f.escalations_in = x;
        f.escalates_from = from;
    }
    Ok(out)
}

/// The Pearson dispersion of the starts over the periods, `Σ (obs − fit)² / fit / (P − 1)`:
/// about 1 for Poisson counts at a constant rate. `None` with one period.
fn dispersion(rows: &[data::Row], fit: &SegmentFit, youth_of: &dyn Fn(&data::Row) -> f64) -> Option<f64> {
    if rows.len() < 2 {
        return None;
    }
    let chi2: f64 = rows
        .iter()
        .map(|r| {
            let e = fit.starts_per_1000.mean * youth_of(r) * r.years() / 1000.0;
            (r.started - e).powi(2) / e.max(1e-12)
        })
        .sum();
    Some(chi2 / (rows.len() - 1) as f64)
}

/// The fit report: per segment and period the observed counts beside the fitted ones.
fn fit_report(data: &data::Data, fitted: &[Fitted], youth_of: &dyn Fn(&data::Row) -> f64) -> String {
    let mut s = String::from(
        "segment,period_start,period_end,line,years,youth,started,started_fitted,started_residual,ended,ended_fitted,ended_residual,active_at_start,active_at_end,client_years,balance_gap\n",
    );
    for f in fitted {
        for r in &data.segments[&f.id] {
            let p = period_of(r, youth_of);
            let (fs, fe) = (f.fit.fitted_started(&p), f.fit.fitted_ended(&p));
            let resid = |o: f64, e: f64| if e > 0.0 { (o - e) / e.sqrt() } else { 0.0 };
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                f.id,
                data::format_date(r.start),
                data::format_date(r.end),
                r.line,
                text::num(p.years),
                p.youth,
                r.started,
                text::num(fs),
                text::num(resid(r.started, fs)),
                r.ended,
                text::num(fe),
                text::num(resid(r.ended, fe)),
                r.active_at_start,
                r.active_at_end,
                text::num(p.client_years()),
                r.balance_gap()
            ));
        }
    }
    s
}

/// A registered row as the fit sees it: its length, youths and counts.
fn period_of(r: &data::Row, youth_of: &dyn Fn(&data::Row) -> f64) -> Period {
    Period {
        years: r.years(),
        youth: youth_of(r),
        started: r.started,
        ended: r.ended,
        active_at_start: r.active_at_start,
        active_at_end: r.active_at_end,
        reentered: r.reentered,
    }
}

/// The fit report as a chart: per segment and period the registered starts and ends beside
/// the fitted ones (the same numbers as [`fit_report`]).
fn fit_chart(
    template: &Scenario,
    data: &data::Data,
    fitted: &[Fitted],
    youth_of: &dyn Fn(&data::Row) -> f64,
    name: &str,
    source: &str,
) -> charts::FitChart {
    let panels = fitted
        .iter()
        .map(|f| {
            let s = template.segments.iter().position(|g| g.id == f.id).expect("a template segment");
            let points = data.segments[&f.id]
                .iter()
                .map(|r| {
                    let p = period_of(r, youth_of);
                    // The middle of the period in decimal years (days / 365.25 from 1 January).
                    let y = data::civil_from_days(r.start).0;
                    let day_of_year = r.start - data::days_from_civil(y, 1, 1);
                    let mid = y as f64 + (day_of_year as f64 + (r.end - r.start + 1) as f64 / 2.0) / 365.25;
                    charts::FitPoint {
                        mid_year: mid,
                        started: r.started,
                        started_fitted: f.fit.fitted_started(&p),
                        ended: r.ended,
                        ended_fitted: f.fit.fitted_ended(&p),
                    }
                })
                .collect();
            charts::FitPanel {
                name: template.segment_name(s, false).to_string(),
                name_nl: template.segment_name(s, true).to_string(),
                points,
            }
        })
        .collect();
    charts::FitChart { scenario: name.to_string(), source: source.to_string(), panels }
}

/// The band report: per segment and duration band the ended trajectories observed and those
/// exponential stays of the fitted mean would give.
fn bands_report(data: &data::Data, fitted: &[Fitted]) -> String {
    let mut s = String::from(
        "segment,band,from_years,to_years,observed,expected_exponential,residual,duration_shape,expected_at_shape\n",
    );
    for f in fitted {
        let Some((observed, test)) = &f.bands else { continue };
        let shape = f.shape.as_ref();
        for (i, ((b, o), e)) in data.bands.iter().zip(observed).zip(&test.expected).enumerate() {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                f.id,
                b.name,
                b.lo,
                b.hi.map_or(String::new(), |h| h.to_string()),
                o,
                text::num(*e),
                text::num(if *e > 0.0 { (o - e) / e.sqrt() } else { 0.0 }),
                shape.map_or(String::new(), |k| k.shape.to_string()),
                shape.map_or(String::new(), |k| text::num(k.expected[i]))
            ));
        }
    }
    s
}

/// Writes each file to a temporary file beside it, then renames them all into place, so
/// that a failure leaves no half-written file.
fn write_all(files: &[(&PathBuf, &[u8])]) -> Result<(), AppError> {
    let other = |e: String| AppError::Other(anyhow::anyhow!(e));
    let mut temps = Vec::new();
    for (dest, bytes) in files {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| other(format!("creating {}: {e}", dir.display())))?;
        }
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            for t in &temps {
                let _ = std::fs::remove_file(t);
            }
            return Err(other(format!("writing {}: {e}", tmp.display())));
        }
        temps.push(tmp);
    }
    for ((dest, _), tmp) in files.iter().zip(&temps) {
        std::fs::rename(tmp, dest)
            .map_err(|e| other(format!("renaming {} to {}: {e}", tmp.display(), dest.display())))?;
    }
    Ok(())
}

/// Today (UTC) as a day number since 1970-01-01.
fn today() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    (secs / 86_400) as i64
}

/// Reads `text` as calibration data (`DATA.csv`, the segments of the `new` template) and as
/// a population file, the checks `calibrate` makes before it fits anything: `Ok` with the
/// number of segments, or the problems, each naming `file`. For the fuzz target
/// `calibration_data`.
pub fn check_data(text: &str, file: &Path) -> Result<usize, Vec<String>> {
    let known = ["light_ambulant", "specialised_ambulant", "youth_protection", "out_of_home"];
    let strings = |p: Vec<data::DataProblem>| p.iter().map(ToString::to_string).collect::<Vec<_>>();
    let _ = data::parse_population(text, file).map_err(strings);
    data::parse(text, file, &known, 0.0).map(|d| d.segments.len()).map_err(strings)
}
