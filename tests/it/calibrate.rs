//! `contractsim calibrate` on synthetic registrations with a known truth: the fitted values
//! recover it within the data's own sampling error, the stated 90% intervals cover it at
//! their nominal rate, bad data is refused with its line and column before anything is
//! written, and the written scenario checks and runs.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use contractsim::app::{CalibrateRequest, calibrate};
use contractsim::random::rng::{Purpose, RunKey, Stream};
use contractsim::random::sample::poisson;
use contractsim::scenario::{self, Scenario};

use crate::common::contractsim;

/// A segment's truth: starts per 1000 youths a year and the mean of exponential stays.
#[derive(Clone, Copy)]
struct Truth {
    id: &'static str,
    starts_per_1000: f64,
    duration_years: f64,
}

/// Youths in every period of the synthetic data.
const YOUTH: f64 = 10_000.0;

/// Half-years 2021 to 2024: (period_start, period_end, days).
const HALF_YEARS: [(&str, &str, u32); 8] = [
    ("2021-01-01", "2021-06-30", 181),
    ("2021-07-01", "2021-12-31", 184),
    ("2022-01-01", "2022-06-30", 181),
    ("2022-07-01", "2022-12-31", 184),
    ("2023-01-01", "2023-06-30", 181),
    ("2023-07-01", "2023-12-31", 184),
    ("2024-01-01", "2024-06-30", 182),
    ("2024-07-01", "2024-12-31", 184),
];

/// A draw from the exponential law with mean `d`.
fn exponential(d: f64, s: &mut Stream) -> f64 {
    -d * (1.0 - s.uniform()).ln()
}

/// Simulates a segment in its steady state over [`HALF_YEARS`] and returns its rows in the
/// input format, with the counts summed: (starts, exits). Starts are a Poisson process at the
/// true rate, stays exponential, the caseload at the first day Poisson with mean rate × d
/// and (memoryless) exponential remaining stays.
fn simulate(t: Truth, seed: u64, rows: &mut String) -> (f64, f64) {
    let mut s = RunKey::new(seed, 0).stream(Purpose::Referrals, 0, 0);
    let per_year = t.starts_per_1000 * YOUTH / 1000.0;
    let mut stays: Vec<(f64, f64)> = (0..poisson(per_year * t.duration_years, &mut s))
        .map(|_| (-1.0, exponential(t.duration_years, &mut s)))
        .collect();
    let mut bounds = vec![0.0];
    for (_, _, days) in HALF_YEARS {
        bounds.push(bounds.last().unwrap() + f64::from(days) / 365.25);
    }
    for w in bounds.windows(2) {
        for _ in 0..poisson(per_year * (w[1] - w[0]), &mut s) {
            let start = w[0] + (w[1] - w[0]) * s.uniform();
            stays.push((start, start + exponential(t.duration_years, &mut s)));
        }
    }
    let (mut n, mut m) = (0.0, 0.0);
    for (p, w) in bounds.windows(2).enumerate() {
        let count = |f: &dyn Fn(f64, f64) -> bool| stays.iter().filter(|(a, b)| f(*a, *b)).count();
        let started = count(&|a, _| w[0] <= a && a < w[1]);
        let ended = count(&|_, b| w[0] <= b && b < w[1]);
        let at_start = count(&|a, b| a < w[0] && w[0] <= b);
        let at_end = count(&|a, b| a < w[1] && w[1] <= b);
        n += started as f64;
        m += ended as f64;
        let (from, to, _) = HALF_YEARS[p];
        writeln!(rows, "{from},{to},{},{started},{ended},{at_start},{at_end}", t.id).unwrap();
    }
    (n, m)
}

const HEADER: &str = "period_start,period_end,segment,started,ended,active_at_start,active_at_end\n";

/// Calibrates `data` through the library into `dir/NAME.toml` and reads the scenario back.
fn calibrated(dir: &Path, data: &str, name: &str) -> Scenario {
    let csv = dir.join(format!("{name}.csv"));
    fs::write(&csv, data).unwrap();
    let out = dir.join(format!("{name}.toml"));
    calibrate(CalibrateRequest {
        data: csv,
        population: Some(YOUTH),
        population_file: None,
        out: out.clone(),
        force: true,
        balance_tolerance: 0.0,
        cbs: None,
    })
    .unwrap_or_else(|e| panic!("calibrate: {e}"));
    scenario::load(&out).unwrap_or_else(|e| panic!("{e}"))
}

/// The distribution the scenario gives the value at `path`.
fn dist<'a>(s: &'a Scenario, path: &str) -> &'a scenario::Distribution {
    &s.params.iter().find(|p| p.path == path).unwrap_or_else(|| panic!("no {path}")).dist
}

/// The starts a year the scenario implies for segment `id`, per 1000 youths: the steady
/// state of `check` (referrals plus re-entries plus escalations) divided by the duration.
fn implied_starts_per_1000(s: &Scenario, id: &str) -> f64 {
    let g = s.segments.iter().position(|x| x.id == id).unwrap();
    let st = &contractsim::model::calibration::steady_states(s)[g];
    st.with_reentry_and_escalation / s.mean(s.segments[g].mean_duration_years) / s.youth * 1000.0
}

/// One synthetic registration of two segments, the second fed by the first's escalations:
/// the scenario's implied starts and its mean durations recover the truth within four
/// standard errors computed from the counts (√n / exposure for a rate of n starts; d / √m
/// for a mean duration from m exits). A correct fit fails this with probability about 6 in
/// 100,000 per value.
#[test]
fn recovers_the_truth_within_its_sampling_error() {
    let dir = tempfile::tempdir().unwrap();
    let truths = [
        Truth { id: "light_ambulant", starts_per_1000: 66.0, duration_years: 0.5 },
        Truth { id: "specialised_ambulant", starts_per_1000: 25.0, duration_years: 1.0 },
    ];
    let mut data = String::from(HEADER);
    let counts: Vec<(f64, f64)> =
        truths.iter().enumerate().map(|(i, t)| simulate(*t, 11 + i as u64, &mut data)).collect();
    let s = calibrated(dir.path(), &data, "known");
    let exposure = YOUTH / 1000.0 * HALF_YEARS.iter().map(|h| f64::from(h.2)).sum::<f64>() / 365.25;
    for (t, (n, m)) in truths.iter().zip(&counts) {
        let se_rate = n.sqrt() / exposure;
        let starts = implied_starts_per_1000(&s, t.id);
        assert!(
            (starts - t.starts_per_1000).abs() < 4.0 * se_rate,
            "{}: implied starts {starts} per 1000 vs truth {}, se {se_rate}",
            t.id,
            t.starts_per_1000
        );
        let g = s.segments.iter().position(|x| x.id == t.id).unwrap();
        let d = s.mean(s.segments[g].mean_duration_years);
        let se_d = t.duration_years / m.sqrt();
        assert!((d - t.duration_years).abs() < 4.0 * se_d, "{}: duration {d} vs {}, se {se_d}", t.id, t.duration_years);
    }
    // The light segment escalates into the specialised one: its referrals are its starts
    // less the re-entries and the escalations arriving, so the two differ.
    let spec = &s.segments[s.segments.iter().position(|x| x.id == "specialised_ambulant").unwrap()];
    assert!(s.mean(spec.incidence_per_1000) < implied_starts_per_1000(&s, "specialised_ambulant") * 0.95);
    // The initial caseloads are the last counts of the data.
    let last_light = data.lines().rfind(|l| l.contains("light_ambulant")).unwrap();
    let active_at_end: f64 = last_light.rsplit(',').next().unwrap().parse().unwrap();
    assert_eq!(s.segments[0].initial_caseload, active_at_end);
    let report = fs::read_to_string(dir.path().join("known-fit.csv")).unwrap();
    assert_eq!(report.lines().count(), 1 + 2 * HALF_YEARS.len(), "{report}");
    assert!(s.calibration.is_some());
}

/// Over 2,000 synthetic registrations (two segments each: short stays at a high rate, long
/// stays at a low one), the 90% interval (5th to 95th percentile) of each value as the
/// scenario writes it covers the truth at a rate within three binomial standard errors of
/// 90% (√(2000 × 0.9 × 0.1) = 13.4 datasets, 0.67 points): a correct fit fails this with
/// probability about 3 in 1,000 per value. 2,000 and not 200: the intervals of short stays
/// without the trapezoid's error covered 86.6%, which 200 datasets (sd 2.1 points) would
/// not have shown. The referral rate's truth is the true starts times the share
/// that are not re-entries (no escalation arrives from outside the data).
#[test]
fn stated_90_percent_intervals_cover_the_truth_at_their_rate() {
    const REPS: u64 = 2000;
    let dir = tempfile::tempdir().unwrap();
    let truths = [
        Truth { id: "light_ambulant", starts_per_1000: 66.0, duration_years: 0.5 },
        Truth { id: "youth_protection", starts_per_1000: 4.0, duration_years: 2.0 },
    ];
    let mut covered = [[0u64; 2]; 2];
    for rep in 0..REPS {
        let mut data = String::from(HEADER);
        for (i, t) in truths.iter().enumerate() {
            simulate(*t, 1000 + 2 * rep + i as u64, &mut data);
        }
        let s = calibrated(dir.path(), &data, "rep");
        for (i, t) in truths.iter().enumerate() {
            let seg = &s.segments[s.segments.iter().position(|x| x.id == t.id).unwrap()];
            let loop_factor = 1.0 - (1.0 - s.mean(seg.success_rate)) * s.mean(seg.reentry_rate);
            let truth = [t.starts_per_1000 * loop_factor, t.duration_years];
            for (j, key) in ["incidence_per_1000", "mean_duration_years"].iter().enumerate() {
                let d = dist(&s, &format!("segment.{}.{key}", t.id));
                if (d.quantile(0.05)..=d.quantile(0.95)).contains(&truth[j]) {
                    covered[i][j] += 1;
                }
            }
        }
    }
    let sd = (REPS as f64 * 0.9 * 0.1).sqrt();
    let mut off = Vec::new();
    for (i, t) in truths.iter().enumerate() {
        for (j, key) in ["incidence_per_1000", "mean_duration_years"].iter().enumerate() {
            let c = covered[i][j] as f64;
            if (c - 0.9 * REPS as f64).abs() >= 3.0 * sd {
                off.push(format!("{}.{key}: the 90% interval covered the truth in {c} of {REPS} datasets", t.id));
            }
        }
    }
    assert!(off.is_empty(), "{}", off.join("\n"));
}

/// A good registration of one segment, to break one field at a time.
fn good_rows() -> String {
    let mut data = String::from(HEADER);
    simulate(Truth { id: "out_of_home", starts_per_1000: 4.5, duration_years: 2.0 }, 5, &mut data);
    data
}

/// Replaces field `col` (0-based) of data line `line` (1-based, the header is line 1).
fn with_field(data: &str, line: usize, col: usize, value: &str) -> String {
    let mut out = String::new();
    for (i, l) in data.lines().enumerate() {
        if i + 1 == line {
            let mut f: Vec<&str> = l.split(',').collect();
            f[col] = value;
            out.push_str(&f.join(","));
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    out
}

/// Each kind of bad data: exit code 2, a message naming the file, the line and the column,
/// and no file written.
#[test]
fn bad_data_is_refused_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_rows();
    let line3: Vec<String> = good.lines().nth(2).unwrap().split(',').map(str::to_string).collect();
    let bigger_end = (line3[6].parse::<u64>().unwrap() + 3).to_string();
    let too_many_ended = (line3[5].parse::<u64>().unwrap() + line3[3].parse::<u64>().unwrap() + 1).to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "negative",
            with_field(&good, 3, 3, "-4"),
            "bad.csv:3: column `started`: expected a whole number >= 0, found \"-4\"",
        ),
        ("not a number", with_field(&good, 4, 4, "12a"), "bad.csv:4: column `ended`: expected a whole number >= 0"),
        (
            "more ended than possible",
            with_field(&good, 3, 4, &too_many_ended),
            "bad.csv:3: column `ended`: expected at most active_at_start + started",
        ),
        (
            "stock does not add up",
            with_field(&good, 3, 6, &bigger_end),
            "bad.csv:3: column `active_at_end`: expected active_at_start + started - ended",
        ),
        (
            "unknown segment",
            with_field(&good, 5, 2, "out_of_hom"),
            "bad.csv:5: column `segment`: expected a segment id",
        ),
        ("empty segment", with_field(&good, 5, 2, ""), "bad.csv:5: column `segment`: expected a segment id"),
        (
            "bad date",
            with_field(&good, 6, 0, "2022-13-01"),
            "bad.csv:6: column `period_start`: expected a date YYYY-MM-DD from 1900-01-01 to 2199-12-31, found \"2022-13-01\"",
        ),
        (
            "overlap",
            with_field(&good, 4, 0, "2021-12-01"),
            "bad.csv:4: column `period_start`: expected a period of segment out_of_home after the one on line 3 (2021-07-01 to 2021-12-31): period_start 2022-01-01, found 2021-12-01, which overlaps it",
        ),
        (
            "gap",
            with_field(&good, 4, 0, "2022-02-01"),
            "bad.csv:4: column `period_start`: expected the day after the period of segment out_of_home on line 3 (period_end 2021-12-31): 2022-01-01, found 2022-02-01, which leaves a gap",
        ),
        (
            "missing column",
            good.replace("active_at_end\n", "closing\n"),
            "bad.csv:1: column `closing`: expected a column of the format",
        ),
    ];
    let out = dir.path().join("s.toml");
    for (what, data, expected) in cases {
        let csv = dir.path().join("bad.csv");
        fs::write(&csv, &data).unwrap();
        let r = contractsim()
            .current_dir(dir.path())
            .args(["calibrate", "bad.csv", "--population", "10000", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(expected), "{what}: expected {expected:?} in:\n{err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!out.exists() && !dir.path().join("s-fit.csv").exists(), "{what}: a file was written");
    }
}

/// An existing scenario is kept without --force and replaced with it.
#[test]
fn an_existing_file_is_only_replaced_with_force() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("data.csv"), good_rows()).unwrap();
    fs::write(dir.path().join("mine.toml"), "keep me").unwrap();
    let args = ["calibrate", "data.csv", "--population", "10000", "--out", "mine.toml"];
    let r = contractsim().current_dir(dir.path()).args(args).output().unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(dir.path().join("mine.toml")).unwrap(), "keep me");
    assert!(!dir.path().join("mine-fit.csv").exists());
    contractsim().current_dir(dir.path()).args(args).arg("--force").assert().success();
    assert!(fs::read_to_string(dir.path().join("mine.toml")).unwrap().contains("[calibration]"));
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

/// Calibrates the shipped example (docs/calibration.md) into `dir`; the scenario's path.
fn calibrate_example(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("example.toml");
    contractsim()
        .args([
            "calibrate",
            "examples/calibration/registration.csv",
            "--population-file",
            "examples/calibration/youths.csv",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    out
}

/// The shipped example (docs/calibration.md): calibrated with its population file, the
/// scenario passes `check`, which reports it as calibrated from the data, and runs.
#[test]
fn the_example_calibrates_checks_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = calibrate_example(dir.path());
    let r = contractsim().arg("check").arg(&out).output().unwrap();
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{text}");
    assert!(text.contains("calibrated from data: light_ambulant, specialised_ambulant, youth_protection, out_of_home fitted to examples/calibration/registration.csv"), "{text}");
    assert!(text.contains("examples/calibration/registration.csv: unchanged since the fit"), "{text}");
    // out_of_home's last count (90) is 9.8% above its fitted steady state (81), about one
    // Poisson standard deviation: within check's 10% (docs/calibration.md).
    assert!(text.contains("calibrated: every initial caseload is within 10%"), "{text}");
    // out_of_home's stays have 3 phases in the example's truth, and its bands say so.
    let s = scenario::load(&out).unwrap();
    let shapes: Vec<usize> = s.segments.iter().map(|g| g.duration_shape).collect();
    assert_eq!(shapes, [1, 1, 1, 3]);
    let results = dir.path().join("results");
    contractsim().args(["run", "--runs", "20", "--threads", "2", "--out"]).arg(&results).arg(&out).assert().success();
    assert!(results.join("summary.csv").is_file());
    assert_eq!((s.start_year, s.youth), (2025, 9950.0));
}

/// Simulates a segment whose stays are Erlang with `k` phases (1: exponential) of mean
/// `duration_years`, from 20 mean durations before the first period with nobody in care (so
/// the first day is in a steady state whatever `k`), and writes its rows with the ended
/// trajectories by duration band.
fn simulate_banded(t: Truth, k: usize, seed: u64, rows: &mut String) {
    let mut s = RunKey::new(seed, 0).stream(Purpose::Referrals, 0, 0);
    let per_year = t.starts_per_1000 * YOUTH / 1000.0;
    let burn_in = 20.0 * t.duration_years;
    let mut stays: Vec<(f64, f64)> = Vec::new();
    let mut bounds = vec![0.0];
    for (_, _, days) in HALF_YEARS {
        bounds.push(bounds.last().unwrap() + f64::from(days) / 365.25);
    }
    let end = *bounds.last().unwrap();
    for _ in 0..poisson(per_year * (burn_in + end), &mut s) {
        let start = -burn_in + (burn_in + end) * s.uniform();
        let stay: f64 = (0..k).map(|_| exponential(t.duration_years / k as f64, &mut s)).sum();
        stays.push((start, start + stay));
    }
    for (p, w) in bounds.windows(2).enumerate() {
        let count = |f: &dyn Fn(f64, f64) -> bool| stays.iter().filter(|(a, b)| f(*a, *b)).count();
        let started = count(&|a, _| w[0] <= a && a < w[1]);
        let ended = count(&|_, b| w[0] <= b && b < w[1]);
        let at_start = count(&|a, b| a < w[0] && w[0] <= b);
        let at_end = count(&|a, b| a < w[1] && w[1] <= b);
        let band = |lo: f64, hi: f64| count(&|a, b| w[0] <= b && b < w[1] && b - a >= lo && b - a < hi);
        let (from, to, _) = HALF_YEARS[p];
        writeln!(
            rows,
            "{from},{to},{},{started},{ended},{at_start},{at_end},{},{},{},{}",
            t.id,
            band(0.0, 0.5),
            band(0.5, 1.0),
            band(1.0, 2.0),
            band(2.0, f64::INFINITY)
        )
        .unwrap();
    }
}

/// Duration bands: exponential stays pass the chi-square test against the exponential law,
/// Erlang stays with 3 phases (same mean) fail it and `calibrate` warns. At a mean of half a
/// year the band from 0.5 to 1 year holds 23.3% of exponential stays (e^(−1) − e^(−2)) and
/// 36.1% of Erlang-3 stays (e^(−3)(1 + 3 + 4.5) − e^(−6)(1 + 6 + 18)), so with 2,600 exits
/// the test's power is near 1; under the exponential truth it warns with probability 1%.
#[test]
fn duration_bands_test_the_exponential_law() {
    let dir = tempfile::tempdir().unwrap();
    let head = HEADER.replace('\n', ",ended_0_0.5y,ended_0.5_1y,ended_1_2y,ended_2y_plus\n");
    let truth = Truth { id: "light_ambulant", starts_per_1000: 66.0, duration_years: 0.5 };
    for (k, warns) in [(1, false), (3, true)] {
        let mut data = head.clone();
        simulate_banded(truth, k, 77, &mut data);
        let csv = dir.path().join(format!("k{k}.csv"));
        fs::write(&csv, &data).unwrap();
        let out = dir.path().join(format!("k{k}.toml"));
        let r =
            contractsim().args(["calibrate", "--population", "10000", "--out"]).arg(&out).arg(&csv).output().unwrap();
        let text = String::from_utf8_lossy(&r.stdout);
        assert!(r.status.success(), "k = {k}: {text}{}", String::from_utf8_lossy(&r.stderr));
        assert!(text.contains("durations by band: chi-square"), "{text}");
        assert_eq!(text.contains("warning: the stays are not exponential"), warns, "k = {k}: {text}");
        let bands = fs::read_to_string(dir.path().join(format!("k{k}-fit-bands.csv"))).unwrap();
        assert_eq!(bands.lines().count(), 5, "{bands}");
        // Either law gives its mean from the counts (Little's law: client-years / exits).
        let s = scenario::load(&out).unwrap();
        let d = s.mean(s.segments[0].mean_duration_years);
        let m: f64 = data.lines().skip(1).map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap()).sum();
        assert!((d - 0.5).abs() < 4.0 * 0.5 / m.sqrt(), "k = {k}: duration {d} from {m} exits");
    }
}

/// With a `reentered` column, the scenario's re-entry rate is the data's share of re-entries
/// over the template's failure share, `q / (1 − σ̄)`, recovered within four standard errors
/// of the share (`√(q (1 − q) / n) / (1 − σ̄)`), and the implied starts still recover the
/// true rate of starts.
#[test]
fn a_reentry_column_gives_the_reentry_rate() {
    let dir = tempfile::tempdir().unwrap();
    let truth = Truth { id: "light_ambulant", starts_per_1000: 66.0, duration_years: 0.5 };
    let q = 0.12;
    let mut rows = String::new();
    let (n, _) = simulate(truth, 31, &mut rows);
    let mut s = RunKey::new(31, 1).stream(Purpose::Reentry, 0, 0);
    let mut data = HEADER.replace('\n', ",reentered\n");
    for line in rows.lines() {
        let started: u64 = line.split(',').nth(3).unwrap().parse().unwrap();
        let k = (0..started).filter(|_| s.uniform() < q).count();
        writeln!(data, "{line},{k}").unwrap();
    }
    let sc = calibrated(dir.path(), &data, "reentry");
    let seg = &sc.segments[0];
    let failures = 1.0 - sc.mean(seg.success_rate);
    let rho = sc.mean(seg.reentry_rate);
    let se = (q * (1.0 - q) / n).sqrt() / failures;
    assert!((rho - q / failures).abs() < 4.0 * se, "reentry_rate {rho} vs {}, se {se}", q / failures);
    assert!(fs::read_to_string(dir.path().join("reentry.toml")).unwrap().contains("re-entered (column reentered)"));
    let exposure = YOUTH / 1000.0 * HALF_YEARS.iter().map(|h| f64::from(h.2)).sum::<f64>() / 365.25;
    let starts = implied_starts_per_1000(&sc, truth.id);
    let se_rate = n.sqrt() / exposure;
    assert!((starts - 66.0).abs() < 4.0 * se_rate, "implied starts {starts} vs 66, se {se_rate}");
}

/// The population: a year the data need but the population file lacks is named with the
/// data line that needs it; both flags at once, or neither, are refused; all with exit 2.
#[test]
fn the_population_must_cover_the_data() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("data.csv"), good_rows()).unwrap();
    fs::write(dir.path().join("youths.csv"), "year,youth\n2021,10000\n2022,10000\n2024,10000\n").unwrap();
    let r = contractsim()
        .current_dir(dir.path())
        .args(["calibrate", "data.csv", "--population-file", "youths.csv", "--out", "s.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains("youths.csv: expected the youths of 2023 (the period on data.csv line 6 starts in it)"),
        "{err}"
    );
    for args in [vec!["--population", "10000", "--population-file", "youths.csv"], vec![]] {
        let r = contractsim()
            .current_dir(dir.path())
            .args(["calibrate", "data.csv", "--out", "s.toml"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
    }
    assert!(!dir.path().join("s.toml").exists());
}

/// The fit of one banded registration through the library, as `calibrate` makes it: the
/// segment's fit of its counts, then the shape of its bands with the mean at the fitted one.
fn shape_of(rows: &str, seed: u64) -> contractsim::model::fit::ShapeFit {
    use contractsim::model::fit::{Period, fit_segment, fit_shape};
    let mut periods = Vec::new();
    let mut observed = [0.0; 4];
    for (line, (_, _, days)) in rows.lines().zip(HALF_YEARS) {
        let f: Vec<f64> = line.split(',').skip(3).map(|x| x.parse().unwrap()).collect();
        periods.push(Period {
            years: f64::from(days) / 365.25,
            youth: YOUTH,
            started: f[0],
            ended: f[1],
            active_at_start: f[2],
            active_at_end: f[3],
            reentered: None,
        });
        observed.iter_mut().zip(&f[4..]).for_each(|(o, x)| *o += x);
    }
    let fit = fit_segment(&periods).unwrap();
    let bounds = [(0.0, Some(0.5)), (0.5, Some(1.0)), (1.0, Some(2.0)), (2.0, None)];
    fit_shape(&observed, &bounds, fit.duration_mle_years, seed)
}

/// `duration_shape` from the bands, on synthetic registrations with a known shape: over
/// `R` datasets the fitted shape equals the truth at the rate the fits themselves state
/// (the mean of their bootstrap shares), within 4 binomial standard errors
/// `√(p̄(1 − p̄)/R)`; and the likelihood-ratio limits (about 95%) hold the truth in at least
/// 95% of datasets less 4 standard errors. The truths are chosen where the answer is
/// uncertain (a few hundred exits, neighbouring shapes hard to tell apart), so that the
/// rates are not trivially 1.
#[test]
fn the_duration_shape_is_recovered_at_its_stated_rate() {
    let r = 1000;
    for (truth, k) in [
        (Truth { id: "specialised_ambulant", starts_per_1000: 3.0, duration_years: 1.0 }, 3),
        (Truth { id: "out_of_home", starts_per_1000: 2.0, duration_years: 1.5 }, 2),
    ] {
        let (mut hits, mut stated, mut covered) = (0usize, 0.0, 0usize);
        for i in 0..r as u64 {
            let mut rows = String::new();
            simulate_banded(truth, k, 5000 + i, &mut rows);
            let f = shape_of(&rows, i);
            hits += usize::from(f.shape == k);
            stated += f.recovered;
            covered += usize::from(f.interval.0 <= k && k <= f.interval.1);
        }
        let (rate, p) = (hits as f64 / r as f64, stated / r as f64);
        let se = (p * (1.0 - p) / r as f64).sqrt();
        let coverage = covered as f64 / r as f64;
        eprintln!(
            "shape {k} of {}: recovered in {rate} of {r}, stated {p:.3} (se {se:.3}); interval covers {coverage}",
            truth.id
        );
        assert!((rate - p).abs() <= 4.0 * se, "k {k}: recovered {rate}, stated {p} (se {se})");
        assert!(coverage >= 0.95 - 4.0 * (0.95 * 0.05 / r as f64).sqrt(), "k {k}: coverage {coverage}");
    }
}

/// End to end: a registration whose stays have 4 phases, with the bands in its columns,
/// calibrates to a scenario whose `duration_shape` is within its stated likelihood limits
/// of 4 (about 95%), with the comment saying where it came from; the scenario runs.
#[test]
fn calibrate_writes_the_duration_shape_of_the_bands() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = HEADER.replace('\n', ",ended_0_0.5y,ended_0.5_1y,ended_1_2y,ended_2y_plus\n");
    let truth = Truth { id: "light_ambulant", starts_per_1000: 66.0, duration_years: 0.5 };
    simulate_banded(truth, 4, 91, &mut data);
    let sc = calibrated(dir.path(), &data, "shape");
    let k = sc.segments.iter().find(|s| s.id == "light_ambulant").unwrap().duration_shape;
    let text = fs::read_to_string(dir.path().join("shape.toml")).unwrap();
    assert!(text.contains(&format!("duration_shape = {k}\n")), "{text}");
    assert!(text.contains("[derived] Duration shape from the same bands"), "{text}");
    // The comment unwrapped: its lines joined.
    let joined = text.replace("\n# ", " ");
    // (Only light_ambulant has data, so the one shape comment is its.)
    let limits = joined.split("limit (chi-square 3.84, about 95%) are ").nth(1).unwrap();
    let limits: Vec<usize> =
        limits.split(';').next().unwrap().split(" to ").map(|x| x.trim().parse().unwrap()).collect();
    assert!(limits[0] <= 4 && 4 <= limits[1] && limits[0] <= k && k <= limits[1], "{limits:?}, k {k}");
    let bands = fs::read_to_string(dir.path().join("shape-fit-bands.csv")).unwrap();
    assert!(bands.starts_with(
        "segment,band,from_years,to_years,observed,expected_exponential,residual,duration_shape,expected_at_shape\n"
    ));
    let results = dir.path().join("results");
    contractsim()
        .args(["run", "--runs", "20", "--threads", "2", "--out"])
        .arg(&results)
        .arg(dir.path().join("shape.toml"))
        .assert()
        .success();
}

/// The fit report as a chart: `NAME-fit.png/svg` and `NAME-fit_nl.png/svg` next to the
/// scenario, valid images in their language, with no text overlapping another or leaving
/// the canvas (the check of tests/it/chart_layout.rs).
#[test]
fn the_fit_chart_is_drawn_in_both_languages_without_colliding_text() {
    let dir = tempfile::tempdir().unwrap();
    calibrate_example(dir.path());
    let metrics = crate::chart_layout::Metrics::new();
    for (suffix, title, segment) in [
        ("", "Calibration: registered against fitted", "Care with residence (foster and residential)"),
        ("_nl", "Kalibratie: geregistreerd tegenover gefit", "Jeugdhulp met verblijf (pleegzorg en residentieel)"),
    ] {
        let png = fs::read(dir.path().join(format!("example-fit{suffix}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "example-fit{suffix}.png is a PNG");
        let svg = fs::read_to_string(dir.path().join(format!("example-fit{suffix}.svg"))).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("a valid SVG");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect();
        assert!(texts.iter().any(|t| t == title), "example-fit{suffix}.svg: {title}");
        assert!(texts.iter().any(|t| t == segment), "example-fit{suffix}.svg: {segment}");
        // The x axis names whole years only (ticks between years carry no label).
        for year in 2021..=2025 {
            assert!(texts.iter().any(|t| *t == year.to_string()), "example-fit{suffix}.svg: the year {year}");
        }
        assert!(!texts.iter().any(|t| t.starts_with("202") && t.contains(['.', ','])), "no decimal years");
        let problems = crate::chart_layout::problems(&svg, &metrics);
        assert!(problems.is_empty(), "example-fit{suffix}.svg:\n{}", problems.join("\n"));
    }
}

/// Calibrates the shipped CBS StatLine example (docs/calibration.md, "CBS StatLine exports")
/// into `dir/NAME.toml` with `extra` arguments; the command's output.
fn calibrate_cbs(dir: &Path, export: &Path, name: &str, extra: &[&str]) -> std::process::Output {
    contractsim()
        .arg("calibrate")
        .arg(export)
        .args(["--cbs", "--population-file", "examples/calibration/youths.csv"])
        .args(extra)
        .arg("--out")
        .arg(dir.join(format!("{name}.toml")))
        .output()
        .unwrap()
}

/// The lines of a scenario that are not comments, without those naming the scenario and its
/// data file: the figures the fit gave.
fn figures(toml: &str) -> Vec<&str> {
    toml.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| !["name = ", "name_nl = ", "source = ", "sha256 = "].iter().any(|k| l.starts_with(k)))
        .collect()
}

/// The CBS export of the worked example converts to exactly the long CSV of the same numbers
/// (tests/fixtures/cbs-long.csv, written by examples/calibration/make_cbs_export.py apart
/// from the converter), so the fit is the same to the last digit; the scenario passes `check`,
/// which finds the export unchanged since the fit.
#[test]
fn a_cbs_export_calibrates_as_its_long_data_do() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("converted.csv");
    let export = Path::new("examples/calibration/cbs-export.csv");
    let r =
        calibrate_cbs(dir.path(), export, "cbs", &["--region", "GM0080", "--write-data", written.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{out}{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.contains("read examples/calibration/cbs-export.csv as a CBS export (region GM0080) with the built-in default map examples/calibration/cbs-map.csv: 60 rows"), "{out}");
    assert!(out.contains("left out 16 rows of longer periods (the half-years are used"), "{out}");
    assert!(out.contains("left out 12 rows of SoortJeugdzorg=T001 (skip in the map)"), "{out}");
    let long = fs::read_to_string("tests/fixtures/cbs-long.csv").unwrap();
    let converted = fs::read_to_string(&written).unwrap();
    let data: String = converted.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    assert_eq!(data, long);

    let twin = dir.path().join("long.csv");
    fs::write(&twin, &long).unwrap();
    contractsim()
        .arg("calibrate")
        .arg(&twin)
        .args(["--population-file", "examples/calibration/youths.csv", "--out"])
        .arg(dir.path().join("long.toml"))
        .assert()
        .success();
    let read = |f: &str| fs::read_to_string(dir.path().join(f)).unwrap();
    let (a, b) = (read("cbs.toml"), read("long.toml"));
    assert_eq!(figures(&a), figures(&b));
    assert_eq!(read("cbs-fit-bands.csv"), read("long-fit-bands.csv"));
    // The fit reports differ in their `line` column only: the export's lines, the long file's.
    let without_line = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.split(',').enumerate().filter(|(i, _)| *i != 3).map(|(_, f)| f).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(without_line(&read("cbs-fit.csv")), without_line(&read("long-fit.csv")));
    // The running trajectories on the last day are those of the export's line 145
    // (GM0080, Totaal verwijzer, light_ambulant's code A1, 2024HJ02).
    assert!(a.contains("examples/calibration/cbs-export.csv line\n# 145)"), "{a}");
    let line_145 = fs::read_to_string(export).unwrap().lines().nth(144).unwrap().to_string();
    assert!(line_145.contains("\"T001\";\"A1\";\"GM0080    \";\"2024HJ02\""), "{line_145}");

    let r = contractsim().arg("check").arg(dir.path().join("cbs.toml")).output().unwrap();
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{text}");
    assert!(text.contains("fitted to examples/calibration/cbs-export.csv"), "{text}");
    assert!(text.contains("examples/calibration/cbs-export.csv: unchanged since the fit"), "{text}");
}

/// Each kind of bad export: exit code 2, a message naming the export's line and column, and
/// no file written.
#[test]
fn bad_cbs_exports_are_refused_with_their_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read_to_string("examples/calibration/cbs-export.csv").unwrap();
    // Line 145: GM0080, T001, A1, 2024HJ02 (see above); its started trajectories are "307".
    let on_line = |n: usize, from: &str, to: &str| -> String {
        good.split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| if i + 1 == n { l.replacen(from, to, 1) } else { l.to_string() })
            .collect()
    };
    assert!(good.lines().nth(144).unwrap().contains("\"307\""));
    let duplicate = format!("{good}{}", good.lines().nth(144).unwrap().replacen("\"143\"", "\"999\"", 1));
    let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
        (
            "suppressed cell",
            on_line(145, "\"307\"", "\".\""),
            vec!["--region", "GM0080"],
            "bad.csv:145: column `TotaalBegonnenTrajecten_2` read as `started`: expected a whole number >= 0, found \".\"; CBS leaves out (suppresses) counts",
        ),
        (
            "empty cell",
            on_line(145, "\"307\"", "\"\""),
            vec!["--region", "GM0080"],
            "bad.csv:145: column `TotaalBegonnenTrajecten_2` read as `started`: expected a whole number >= 0, found an empty cell",
        ),
        (
            "unknown period code",
            on_line(145, "2024HJ02", "2024HJ03"),
            vec!["--region", "GM0080"],
            "bad.csv:145: column `Perioden`: expected a CBS period code: YYYYJJ00 (a year), YYYYHJ01 or YYYYHJ02 (a half-year)",
        ),
        (
            "missing column",
            good.replacen("TotaalBeeindigdeTrajecten_3", "Beeindigd_3", 1),
            vec!["--region", "GM0080"],
            "bad.csv:1: column `TotaalBeeindigdeTrajecten`: expected a measure column to read as ended (examples/calibration/cbs-map.csv line 28), found no such column; the export's columns are ID, VerwijzerJeugdzorg, SoortJeugdzorg, RegioS, Perioden, TotaalJeugdzorgtrajecten_1, TotaalBegonnenTrajecten_2, Beeindigd_3,",
        ),
        (
            "region not in the file",
            good.clone(),
            vec!["--region", "GM0363"],
            "bad.csv: column `RegioS`: expected rows of region GM0363 (--region), found none; the export's regions are GM0014, GM0080",
        ),
        (
            "several regions",
            good.clone(),
            vec![],
            "bad.csv: column `RegioS`: expected the rows of one region: give it with --region CODE, found 2 regions: GM0014, GM0080",
        ),
        (
            "duplicate row",
            duplicate,
            vec!["--region", "GM0080"],
            "bad.csv:242: expected one row of segment light_ambulant for period 2024HJ02, found a second one (the first on line 145)",
        ),
        (
            "stock that does not add up",
            on_line(145, "\"655\"", "\"650\""),
            vec!["--region", "GM0080"],
            "bad.csv:145: column `TotaalJeugdzorgtrajecten_1 - TotaalBegonnenTrajecten_2` read as `active_at_start`: expected active_at_end of the period before (line 144): 348, found 343; the clients running at the end of a period run at the start of the next; CBS rounds its published counts, so that the stocks may not add up exactly: allow a small difference with --balance-tolerance, e.g. 0.02",
        ),
    ];
    let out = dir.path().join("s.toml");
    for (what, export, extra, expected) in cases {
        fs::write(dir.path().join("bad.csv"), &export).unwrap();
        let mut args: Vec<&str> = vec!["--write-data", "data.csv"];
        args.extend(extra);
        let r = contractsim()
            .current_dir(dir.path())
            .args(["calibrate", "bad.csv", "--cbs", "--population", "10000", "--out", "s.toml"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(expected), "{what}: expected {expected:?} in:\n{err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!out.exists() && !dir.path().join("data.csv").exists(), "{what}: a file was written");
    }
}
