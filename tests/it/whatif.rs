//! The what-if page (`whatif.html`): its figures are those of `contractsim run` for the same
//! file, seed and run count with the lever values written into the file, bit for bit, in
//! the engine (a narrowed plan, run by run) and in Debian's Chromium (the WebAssembly module
//! on two workers, from `file://`); and the committed module is the build of this source.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use contractsim::analysis::whatif::{Answer, Request, WhatIf};
use contractsim::engine::Plan;
use contractsim::metrics::{HORIZON, Horizon};
use contractsim::scenario;

use crate::common::contractsim;
use crate::readers;

/// The test scenario: a prevention programme, a corridor, a behaviour factor, a budget line
/// and a lever for each.
const FIXTURE: &str = "tests/fixtures/whatif.toml";

/// The scenario's text with `key = value` written in for each `(table id, key, value)`:
/// the key's line in the table `[[...]]` whose `id` is the id (or `[contract.risk_sharing]`
/// after it), the way a user would edit the file.
fn with_values(text: &str, set: &[(&str, &str, f64)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (id, key, value) in set {
        let start = lines.iter().position(|l| l == &format!("id = \"{id}\"")).expect("the table's id line");
        let at = (start..lines.len())
            .find(|&i| lines[i].starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("`{key}` after `id = \"{id}\"`"));
        lines[at] = format!("{key} = {value:?}");
    }
    lines.join("\n") + "\n"
}

/// Values written into the file: (table id, key, value).
type Written<'a> = &'a [(&'a str, &'a str, f64)];

/// Lever values as the page sets them: (key, value).
type Set<'a> = &'a [(&'a str, f64)];

/// The CSV rows of a results folder's file, by their first columns joined with `,`.
fn rows(dir: &Path, file: &str, key_columns: usize) -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(str::to_string).collect();
            (cells[..key_columns].join(","), cells[key_columns..].to_vec())
        })
        .collect()
}

/// A CSV cell as a number (empty: NaN).
fn num(cell: &str) -> f64 {
    if cell.is_empty() { f64::NAN } else { cell.parse().unwrap() }
}

/// Whether two figures are the same bits (NaN equal to NaN).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Runs `contractsim run` on `text` (written to a file in `dir`) with `runs` runs and
/// returns the results folder.
fn run_cli(dir: &Path, name: &str, text: &str, runs: usize) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join(name);
    contractsim().arg("run").arg(&file).args(["--runs", &runs.to_string(), "--out"]).arg(&out).assert().success();
    out
}

/// Every figure of the page's answer against the results folder's tables: `summary.csv`
/// (the saving's mean, MCSE and percentiles, P(cheaper), the break-even year's median and
/// P(break-even)), `yearly.csv` (the spend fan of both strategies) and `reserve.csv` (the
/// first period's required and risk reserve). Returns the figures that differ.
fn differences(a: &Answer, dir: &Path) -> Vec<String> {
    let summary = rows(dir, "summary.csv", 2);
    let yearly = rows(dir, "yearly.csv", 3);
    let reserve = rows(dir, "reserve.csv", 3);
    let mut out = Vec::new();
    let mut check = |what: String, page: f64, cli: f64| {
        if !same(page, cli) {
            out.push(format!("{what}: page {page:?}, run {cli:?}"));
        }
    };
    let s = &a.strategy;
    let saving = &summary[&format!("{s},npv_saving_vs_baseline")];
    // summary.csv: mean, mcse, p5, p25, p50, p75, p95.
    check("saving mean".into(), a.saving.mean, num(&saving[0]));
    check("saving mcse".into(), a.saving.mcse, num(&saving[1]));
    check("saving p5".into(), a.saving.p5, num(&saving[2]));
    check("saving p50".into(), a.saving.p50, num(&saving[4]));
    check("saving p95".into(), a.saving.p95, num(&saving[6]));
    check("p_cheaper".into(), a.p_cheaper, num(&summary[&format!("{s},p_cheaper_than_baseline")][0]));
    check("break-even median".into(), a.break_even_year, num(&summary[&format!("{s},break_even_year")][4]));
    check("p_break_even".into(), a.p_break_even, num(&summary[&format!("{s},p_break_even")][0]));
    for (id, fan) in [(&a.baseline, &a.spend_baseline), (&a.strategy, &a.spend_strategy)] {
        for (t, year) in a.years.iter().enumerate() {
            // yearly.csv: mean, mcse, p5, p25, p50, p75, p95.
            let row = &yearly[&format!("{id},{year},spend")];
            for (what, page, col) in [
                ("mean", fan.mean[t], 0),
                ("p5", fan.p5[t], 2),
                ("p25", fan.p25[t], 3),
                ("p50", fan.p50[t], 4),
                ("p75", fan.p75[t], 5),
                ("p95", fan.p95[t], 6),
            ] {
                check(format!("{id} spend {year} {what}"), page, num(&row[col]));
            }
        }
    }
    let r = a.reserve.as_ref().expect("the fixture has a budget line");
    for (k, id) in [&a.baseline, &a.strategy].into_iter().enumerate() {
        // reserve.csv: certainty, required_reserve, ..., risk_reserve (column 9).
        let row = &reserve[&format!("{id},{},{}", r.years.0, r.years.1)];
        check(format!("{id} required reserve"), r.required[k], num(&row[1]));
        check(format!("{id} risk reserve"), r.risk[k], num(&row[9]));
    }
    out
}

#[test]
fn a_narrowed_plan_draws_what_the_file_plan_draws() {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios").unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.push(FIXTURE.into());
    for file in files.iter().filter(|f| f.extension().is_some_and(|x| x == "toml")) {
        let s = scenario::load(file).unwrap();
        let base = s.baseline();
        let full = Plan::new(s.clone());
        let records: Vec<_> = (0..2).map(|r| full.run(s.seed, r)).collect();
        for k in (0..s.strategies.len()).filter(|&k| k != base) {
            let keep = [base.min(k), base.max(k)];
            let narrow = full.narrowed(&keep).unwrap();
            let at = keep.iter().position(|&x| x == k).unwrap();
            for (r, whole) in records.iter().enumerate() {
                let part = narrow.run(s.seed, r as u64);
                // Every yearly figure but p_cheapest (which compares with every strategy).
                for (m, name) in narrow.layout.yearly.iter().enumerate() {
                    if name == "p_cheapest" {
                        continue;
                    }
                    let mf = full.layout.yearly.iter().position(|x| x == name).expect("the same metrics");
                    for t in 0..s.horizon_years {
                        let a = part.yearly[at * narrow.layout.yearly_len() + narrow.layout.at_index(m, t)];
                        let b = whole.yearly[k * full.layout.yearly_len() + full.layout.at_index(mf, t)];
                        assert!(
                            same(a, b),
                            "{}: {} run {r}: {name} {t}: {a} vs {b}",
                            file.display(),
                            s.strategies[k].id
                        );
                    }
                }
                for m in Horizon::ALL.into_iter().filter(|&m| m != Horizon::PCheapest) {
                    let (a, b) = (part.horizon_of(at, m), whole.horizon_of(k, m));
                    assert!(same(a, b), "{}: {} run {r}: {}: {a} vs {b}", file.display(), s.strategies[k].id, m.name());
                }
            }
        }
    }
    assert_eq!(HORIZON.len(), Horizon::ALL.len());
}

/// The page's engine, natively: the figures of its rows are those of `contractsim run`
/// with the lever values written into the file, for two lever settings and two strategies;
/// and the runs may be made in any pieces.
#[test]
fn the_page_engine_gives_the_figures_of_contractsim_run() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runs = 300;
    let settings: [(&str, Written<'_>, Set<'_>); 2] = [
        ("prevention", &[("front", "annual_cost", 350_000.0)], &[("prevention.front.annual_cost", 350_000.0)]),
        (
            "corridor",
            &[("corridor", "band", 0.1), ("corridor", "duration_factor", 1.1)],
            &[("contract.corridor.risk_sharing.band", 0.1), ("contract.corridor.duration_factor", 1.1)],
        ),
    ];
    for (i, (strategy, written, set)) in settings.iter().enumerate() {
        let request = Request {
            scenario: text.clone(),
            file: "whatif.toml".into(),
            set: set.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            strategy: strategy.to_string(),
            seed: 11,
            runs,
        };
        let w = WhatIf::new(request).unwrap();
        // In pieces of 7 and 93, as two workers might make them.
        let mut rows = Vec::new();
        let mut from = 0;
        for piece in [7, 93].iter().cycle() {
            if from >= runs {
                break;
            }
            rows.extend(w.rows(from..from + piece));
            from += piece;
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert!(bits(&rows) == bits(&w.rows(0..runs)), "pieces give the same rows");
        let answer = w.answer(&rows);
        assert_eq!(answer.runs, runs);
        let out = run_cli(dir.path(), &format!("setting{i}"), &with_values(&text, written), runs);
        let diff = differences(&answer, &out);
        assert!(diff.is_empty(), "{strategy}: {} figures differ:\n{}", diff.len(), diff.join("\n"));
    }
}

/// The page as a council member opens it: Debian's Chromium loads whatif.html from
/// `file://`, the test moves levers (and the strategy), waits for the page to finish, and
/// reads `#whatif-results`; its figures are those of `contractsim run` with the values
/// written into the file, for two settings, in English and Dutch.
#[test]
fn the_page_in_chromium_gives_the_figures_of_contractsim_run() {
    let test = "the_page_in_chromium_gives_the_figures_of_contractsim_run";
    if !readers::program(test, "/usr/bin/chromium", "apt-get install chromium") {
        return;
    }
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runs = 300;
    let report = run_cli(dir.path(), "report", &text, runs);
    let cases: [(&str, &str, &[&str], Written<'_>); 2] = [
        ("whatif.html", "prevention", &["budget=350000"], &[("front", "annual_cost", 350_000.0)]),
        (
            "whatif_nl.html",
            "corridor",
            &["band=0.1", "duration=1.1"],
            &[("corridor", "band", 0.1), ("corridor", "duration_factor", 1.1)],
        ),
    ];
    for (i, (page, strategy, levers, written)) in cases.iter().enumerate() {
        let mut cmd = Command::new("python3");
        cmd.arg("scripts/check_whatif.py").arg(report.join(page)).args(["--strategy", strategy]);
        for l in levers.iter() {
            cmd.args(["--set", l]);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{page}: {}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8(o.stdout).unwrap();
        let states: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(states.len(), 2, "the page as loaded, then after the changes");
        // As loaded: the report's own figures (the page starts at the report's run count).
        let loaded: Answer = answer_of(&states[0]);
        assert_eq!(states[0]["runs"], runs);
        let diff = differences(&loaded, &report);
        assert!(diff.is_empty(), "{page} as loaded: {} figures differ:\n{}", diff.len(), diff.join("\n"));
        // After the changes: the run of the file with the values written in.
        let after = &states[1];
        assert_eq!(after["strategy"], *strategy);
        assert_eq!(after["seed"], 11);
        assert!(after["ms"].as_f64().unwrap() > 0.0, "the page says how long the recompute took");
        let out = run_cli(dir.path(), &format!("chromium{i}"), &with_values(&text, written), runs);
        let diff = differences(&answer_of(after), &out);
        assert!(diff.is_empty(), "{page} after {levers:?}: {} figures differ:\n{}", diff.len(), diff.join("\n"));
    }
}

/// The page's answer, from its `#whatif-results` JSON (`null` for NaN).
fn answer_of(state: &serde_json::Value) -> Answer {
    let a = &state["answer"];
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let list = |v: &serde_json::Value| v.as_array().unwrap().iter().map(f).collect::<Vec<f64>>();
    let fan = |v: &serde_json::Value| contractsim::analysis::whatif::Fan {
        mean: list(&v["mean"]),
        p5: list(&v["p5"]),
        p25: list(&v["p25"]),
        p50: list(&v["p50"]),
        p75: list(&v["p75"]),
        p95: list(&v["p95"]),
    };
    let figure = |v: &serde_json::Value| contractsim::analysis::whatif::Figure {
        mean: f(&v["mean"]),
        mcse: f(&v["mcse"]),
        p5: f(&v["p5"]),
        p50: f(&v["p50"]),
        p95: f(&v["p95"]),
    };
    let reserve = a["reserve"].as_object().map(|r| contractsim::analysis::whatif::Reserve {
        years: (r["years"][0].as_i64().unwrap() as i32, r["years"][1].as_i64().unwrap() as i32),
        certainty: f(&r["certainty"]),
        required: [f(&r["required"][0]), f(&r["required"][1])],
        risk: [f(&r["risk"][0]), f(&r["risk"][1])],
    });
    Answer {
        runs: a["runs"].as_u64().unwrap() as usize,
        seed: a["seed"].as_u64().unwrap(),
        set: Vec::new(),
        baseline: a["baseline"].as_str().unwrap().into(),
        strategy: a["strategy"].as_str().unwrap().into(),
        years: a["years"].as_array().unwrap().iter().map(|y| y.as_i64().unwrap() as i32).collect(),
        spend_baseline: fan(&a["spend_baseline"]),
        spend_strategy: fan(&a["spend_strategy"]),
        saving: figure(&a["saving"]),
        p_cheaper: f(&a["p_cheaper"]),
        break_even_year: f(&a["break_even_year"]),
        p_break_even: f(&a["p_break_even"]),
        reserve,
    }
}

/// The committed module (assets/whatif/contractsim.wasm) is what scripts/build-wasm builds
/// from this source: a change to the engine core without a new module fails here.
#[test]
fn the_committed_module_is_the_build_of_this_source() {
    let test = "the_committed_module_is_the_build_of_this_source";
    let toolchain = Command::new("/usr/bin/rustc")
        .arg("-vV")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("release: 1.96"));
    if !toolchain && !readers::missing(test, "Debian's rustc-web 1.96", "apt-get install rustc-web rust-web-src lld-22")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("contractsim.wasm");
    let o = Command::new("scripts/build-wasm").arg(&fresh).output().unwrap();
    assert!(o.status.success(), "scripts/build-wasm: {}", String::from_utf8_lossy(&o.stderr));
    let committed = std::fs::read("assets/whatif/contractsim.wasm").unwrap();
    let built = std::fs::read(&fresh).unwrap();
    assert!(
        committed == built,
        "assets/whatif/contractsim.wasm ({} bytes) is not the build of this source ({} bytes): run scripts/build-wasm and commit the module",
        committed.len(),
        built.len()
    );
}

/// The page's texts: every placeholder of the page filled, and every text of the Dutch page
/// Dutch (none the same as the English one, so none left untranslated).
#[test]
fn the_dutch_page_is_dutch_and_every_placeholder_is_filled() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let out = run_cli(dir.path(), "texts", &text, 20);
    let data = |page: &str| -> serde_json::Value {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(!html.contains("{{"), "{page}: a placeholder is left");
        let start = html.find(r#"<script type="application/json" id="whatif-data">"#).unwrap();
        let body = &html[start..];
        let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
        serde_json::from_str(body).unwrap()
    };
    let (en, nl) = (data("whatif.html"), data("whatif_nl.html"));
    assert_eq!(nl["locale"], "nl-NL");
    for (key, english) in en["text"].as_object().unwrap() {
        assert_ne!(&nl["text"][key], english, "text `{key}` is the same in Dutch");
    }
    for (e, n) in en["levers"].as_array().unwrap().iter().zip(nl["levers"].as_array().unwrap()) {
        assert_ne!(e["label"], n["label"], "a lever's label is the same in Dutch");
    }
    // The Dutch page names the strategies by their Dutch names.
    assert_eq!(nl["baseline"]["name"], "Productgerichte contracten");
}

/// A scenario with `[[variant]]`s: the file's own folder has the page, a variant's folder
/// (whose world has no text of its own to read again) has none and does not point to one.
#[test]
fn only_the_files_own_world_has_a_what_if_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alphen");
    contractsim()
        .args(["run", "scenarios/alphen-totaalopdracht.toml", "--runs", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("whatif.html").is_file() && out.join("whatif_nl.html").is_file());
    assert!(std::fs::read_to_string(out.join("summary.md")).unwrap().contains("whatif.html"));
    let variant = out.join("variants/demand_up");
    assert!(variant.join("summary.md").is_file(), "the variant's folder is written");
    assert!(!variant.join("whatif.html").exists());
    assert!(!std::fs::read_to_string(variant.join("summary.md")).unwrap().contains("whatif"));
}
