//! The report files as a user gets them: `run` writes every chart (SVG and PNG, English and
//! Dutch), the summaries, `report.html` and `results.xlsx`; `contractsim report DIR`
//! redraws the same bytes from the folder alone; the HTML is self-contained; the workbook
//! opens in a real reader (openpyxl; required in CI, see `readers`).

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use crate::common::{contractsim, run_friesland};
use crate::readers;

// Friesland has a strategy with rationing, so its results have the `waiting` chart.
const CHARTS: [&str; 13] = [
    "spend_fan",
    "cumulative_saving",
    "npv_distribution",
    "p_cheapest",
    "spend_components",
    "caseload",
    "waiting",
    "budget_overrun",
    "provider_reserves",
    "p_provider_failure",
    "reserve_by_certainty",
    "convergence",
    "municipal_risk",
];

/// The files drawn from the data (everything but the data files themselves).
fn report_files(dir: &Path) -> Vec<String> {
    let data = [
        "yearly.csv",
        "summary.csv",
        "runs.csv",
        "budget.csv",
        "reserve.csv",
        "reserve_by_certainty.csv",
        "meta.json",
        "break_even_inputs.csv",
        "municipalities.csv",
        "municipal_risk.csv",
    ];
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !data.contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()))
}

#[test]
fn run_writes_every_chart_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 40, 2);
    for chart in CHARTS {
        for suffix in ["", "_nl"] {
            let svg = fs::read_to_string(out.join(format!("{chart}{suffix}.svg"))).unwrap();
            assert!(svg.starts_with("<svg width=\"1600\" height=\"1000\""), "{chart}{suffix}.svg");
            assert!(svg.trim_end().ends_with("</svg>"));
            let png = fs::read(out.join(format!("{chart}{suffix}.png"))).unwrap();
            assert!(png.len() > 10_000, "{chart}{suffix}.png is not empty");
            assert_eq!(png_size(&png), (1600, 1000), "{chart}{suffix}.png");
        }
    }
    for f in [
        "summary.md",
        "summary_nl.md",
        "report.html",
        "report_nl.html",
        "results.xlsx",
        "results_nl.xlsx",
        "budget.csv",
    ] {
        assert!(fs::metadata(out.join(f)).unwrap().len() > 0, "{f}");
    }
    let xlsx = fs::read(out.join("results.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "an xlsx file is a zip archive");
    for sheet in 1..=6 {
        let name = format!("xl/worksheets/sheet{sheet}.xml");
        assert!(xlsx.windows(name.len()).any(|w| w == name.as_bytes()), "{name}");
    }
    let budget = fs::read_to_string(out.join("budget.csv")).unwrap();
    assert!(budget.starts_with("strategy,year,budget,spend_p50,spend_p80,spend_p90,spend_p95,"));
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(out.join("meta.json")).unwrap()).unwrap();
    assert_eq!(budget.lines().count(), 1 + meta["strategies"].as_array().unwrap().len() * 20);
    assert_eq!(meta["strategy_details"][0]["name"], "Output contracts (today)");
    assert_eq!(meta["budget_eur"], 122_400_000.0);
    let effect = meta["inputs"].as_array().unwrap().iter().find(|i| i["path"] == "prevention.front.effect").unwrap();
    assert_eq!(effect["distribution"], "beta(mean 0.1, sd 0.04)");
    assert_eq!(effect["uncertain"], true);
}

#[test]
fn report_redraws_the_same_files_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (ran, redrawn) = (dir.path().join("ran"), dir.path().join("redrawn"));
    run_friesland(&ran, 40, 2);
    contractsim().arg("report").arg(&ran).arg("--out").arg(&redrawn).assert().success();
    let files = report_files(&ran);
    // Friesland has nine strategies: the five panel-per-strategy charts again with all of
    // them (the appendix, `*_all`), in two languages and two formats.
    let appendix = ["spend_fan", "cumulative_saving", "npv_distribution", "spend_components", "provider_reserves"];
    for a in appendix {
        assert!(files.contains(&format!("{a}_all_nl.png")), "{a}: {files:?}");
    }
    // Besides the charts: summary.md, report.html, results.xlsx and whatif.html, each in two
    // languages (`contractsim report` keeps the folder's what-if page as it is).
    assert!(files.len() == (CHARTS.len() + appendix.len()) * 4 + 8, "{files:?}");
    assert_eq!(files, report_files(&redrawn));
    for f in &files {
        let (a, b) = (fs::read(ran.join(f)).unwrap(), fs::read(redrawn.join(f)).unwrap());
        assert!(a == b, "{f} differs when redrawn from the folder");
    }
    // In place: the data files stay, the reports are rewritten identically.
    let before = fs::read(ran.join("runs.csv")).unwrap();
    fs::remove_file(ran.join("report.html")).unwrap();
    contractsim().arg("report").arg(&ran).assert().success();
    assert_eq!(fs::read(ran.join("runs.csv")).unwrap(), before);
    assert_eq!(fs::read(ran.join("report.html")).unwrap(), fs::read(redrawn.join("report.html")).unwrap());
    // Not a results folder: exit code 2 and a message naming the file.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    contractsim().arg("report").arg(&empty).assert().code(2).stderr(predicates::str::contains("meta.json"));
}

#[test]
fn report_files_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("one"), dir.path().join("two"));
    run_friesland(&a, 24, 1);
    run_friesland(&b, 24, 2);
    for f in report_files(&a) {
        assert!(fs::read(a.join(&f)).unwrap() == fs::read(b.join(&f)).unwrap(), "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn html_report_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 30, 2);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for id in ["summary", "charts", "tables", "assumptions", "provenance"] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "section {id}");
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "contents link to {id}");
    }
    for chart in CHARTS {
        assert!(html.contains(&format!("<figure id=\"chart-{chart}\">\n<svg ")), "inline SVG of {chart}");
    }
    assert_eq!(html.matches("<svg ").count(), CHARTS.len());
    assert_eq!(html.matches("</svg>").count(), CHARTS.len());
    // No scripts, no external resources: the only URL is the SVG namespace.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img") && !html.contains("src="));
    let urls = html.matches("http").count();
    assert_eq!(urls, html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(), "no network resources");
    // Every uncertain input with its distribution, and the strategies.
    let meta: serde_json::Value = serde_json::from_slice(&fs::read(out.join("meta.json")).unwrap()).unwrap();
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for input in meta["inputs"].as_array().unwrap() {
        let path = input["path"].as_str().unwrap();
        let dist = input["distribution"].as_str().unwrap();
        assert!(html.contains(&format!("<code>{path}</code></th><td>{}</td>", esc(dist))), "{path}: {dist}");
    }
    for s in meta["strategy_details"].as_array().unwrap() {
        assert!(html.contains(s["name"].as_str().unwrap()));
    }
    // The tables as in summary.md: the same cells (a figure and its band each in a span that
    // keeps it on one line).
    let md = fs::read_to_string(out.join("summary.md")).unwrap();
    let row = md.lines().find(|l| l.starts_with("| Result financing | EUR")).expect("horizon row");
    let text = html.replace("<span class=\"nw\">", "").replace("</span>", "");
    for cell in row.trim_matches('|').split(" | ").skip(1) {
        assert!(text.contains(&format!("<td class=\"num\">{}</td>", esc(cell.trim()))), "{cell}");
    }
    // Every table scrolls in its own box; charts scale; print is landscape.
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("<div class=\"table-scroll\" tabindex=\"0\">\n<table>").count()
    );
    assert!(html.contains("figure svg { display: block; width: 100%; max-width: 100%; height: auto;"));
    assert!(html.contains("@media print") && html.contains("@page { size: A4 landscape;"));
    let nl = fs::read_to_string(out.join("report_nl.html")).unwrap();
    assert!(nl.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">") && nl.contains("€ "));
}

/// Opens results.xlsx with openpyxl through `scripts/check_xlsx.py`, which compares its
/// cells and number formats with the CSV files. Without python3 and openpyxl it fails in
/// CI and is skipped (with a message) elsewhere.
#[test]
fn xlsx_opens_in_openpyxl() {
    if !readers::python_module("xlsx_opens_in_openpyxl", "openpyxl", "openpyxl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr");
    run_friesland(&out, 30, 2);
    let o = Process::new("python3").arg("scripts/check_xlsx.py").arg(&out).output().unwrap();
    assert!(
        o.status.success(),
        "check_xlsx.py failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("results.xlsx ok"));
}
