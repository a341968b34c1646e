//! The shipped scenarios: each parses, is calibrated and sources its numbers; `new` writes
//! scenarios that `check` accepts; and the committed results in `outputs/` are not stale.

use std::fs;
use std::path::{Path, PathBuf};

use contractsim::app::{SHIPPED, scenario_text};
use contractsim::model::calibration::steady_states;
use contractsim::scenario::{Scenario, load, parse_str};

use crate::common::contractsim;

/// Every `*.toml` in `scenarios/`, sorted.
fn shipped_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir("scenarios")
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().expect("a file name").to_string_lossy().into_owned()
}

fn assert_calibrated(s: &Scenario, what: &str) {
    for st in steady_states(s) {
        assert!(
            st.deviation().abs() <= 0.10,
            "{what}: segment {} starts at {} but its steady state is {:.0} ({:+.1}%)",
            st.segment,
            st.initial_caseload,
            st.with_reentry_and_escalation,
            st.deviation() * 100.0
        );
    }
}

/// The five scenarios of issue 5 are shipped.
#[test]
fn the_scenarios_from_dutch_practice_are_shipped() {
    let stems: Vec<String> = shipped_files().iter().map(|p| stem(p)).collect();
    for name in
        ["friesland", "leeuwarden-oost", "alphen-totaalopdracht", "roermond-meerjarig", "zaanstad-maatwerkbudget"]
    {
        assert!(stems.iter().any(|s| s == name), "scenarios/{name}.toml is missing");
    }
}

/// Each shipped scenario is valid, without warnings, and every segment starts within 10% of
/// its steady state (what `contractsim check` reports as calibrated).
#[test]
fn every_shipped_scenario_parses_and_is_calibrated() {
    for file in shipped_files() {
        let s = load(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(s.warnings.is_empty(), "{}: warnings {:?}", file.display(), s.warnings);
        assert_calibrated(&s, &file.display().to_string());
        assert!(s.runs >= 1000 && s.runs <= 10_000, "{}: default runs {} outside 1,000-10,000", file.display(), s.runs);
    }
}

/// Every table with numbers says where they come from: each `[[segment]]`, `[[prevention]]`,
/// `[[contract]]` and `[[societal_benefit]]` block carries a [source], [derived] or
/// [assumption] mark, and the file has a header that explains the marks.
#[test]
fn every_shipped_scenario_marks_its_sources() {
    // "[assumption; cf. ...]" counts too.
    let marks = ["[source", "[derived", "[assumption"];
    for file in shipped_files() {
        let text = fs::read_to_string(&file).expect("readable");
        for m in marks {
            assert!(text.contains(m), "{}: no {m}] in the file", file.display());
        }
        // Blocks start at a table header; the comments above a block belong to it.
        let lines: Vec<&str> = text.lines().collect();
        let starts: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.starts_with('[')).map(|(i, _)| i).collect();
        for (n, &i) in starts.iter().enumerate() {
            let header = lines[i];
            let sourced = ["[[segment]]", "[[prevention]]", "[[societal_benefit]]", "[economy]", "[population]"];
            if !sourced.contains(&header) {
                continue;
            }
            let end = starts.get(n + 1).copied().unwrap_or(lines.len());
            let block = lines[i..end].join("\n");
            assert!(
                marks.iter().any(|m| block.contains(m)),
                "{}: the {header} block at line {} has no [source], [derived] or [assumption] comment",
                file.display(),
                i + 1
            );
        }
    }
}

/// `contractsim new --from` knows every shipped scenario, with the text of the file.
#[test]
fn new_from_knows_every_shipped_scenario() {
    let files = shipped_files();
    assert_eq!(files.len(), SHIPPED.len(), "scenarios/ and SHIPPED in src/app/new.rs differ");
    for file in files {
        let name = stem(&file);
        let text = SHIPPED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        assert_eq!(text, Some(fs::read_to_string(&file).expect("readable").as_str()), "{name}");
    }
}

/// The blank template and a copy of every shipped scenario parse, are calibrated, and carry
/// the new name.
#[test]
fn new_writes_scenarios_that_check_accepts() {
    let dest = Path::new("scenarios/my-town.toml");
    let mut froms: Vec<Option<&str>> = vec![None];
    froms.extend(SHIPPED.iter().map(|(n, _)| Some(*n)));
    for from in froms {
        let text = scenario_text("my-town", from, dest).expect("text");
        let s = parse_str(&text, dest).unwrap_or_else(|e| panic!("new --from {from:?}: {e}"));
        assert_eq!(s.name, "my-town", "--from {from:?}");
        assert!(s.warnings.is_empty(), "--from {from:?}: {:?}", s.warnings);
        assert_calibrated(&s, &format!("new --from {from:?}"));
        assert!(!text.contains("{{"), "--from {from:?}: a placeholder is left");
    }
}

/// The binary end to end: `new` writes the file, `check` accepts it, a second `new` to the
/// same file is refused (exit code 2) unless `--force`, and a bad `--from` is refused.
#[test]
fn new_then_check_with_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gemeente.toml");
    contractsim().args(["new", "gemeente", "--out"]).arg(&file).assert().success();
    contractsim()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicates::str::contains("calibrated: every initial caseload"));
    contractsim().args(["new", "gemeente", "--out"]).arg(&file).assert().code(2);
    contractsim().args(["new", "gemeente", "--from", "friesland", "--force", "--out"]).arg(&file).assert().success();
    contractsim().arg("check").arg(&file).assert().success();
    contractsim()
        .args(["new", "gemeente", "--from", "atlantis", "--out"])
        .arg(dir.path().join("x.toml"))
        .assert()
        .code(2);
    contractsim().args(["new", "../escape", "--out"]).arg(dir.path().join("y.toml")).assert().code(2);
}

/// The committed results are those of the committed scenarios and tool: for every scenario
/// in `scenarios/`, `outputs/<name>/meta.json` exists and records the scenario file's
/// SHA-256 and this version of contractsim. Regenerate with `cargo run --release`.
#[test]
fn committed_outputs_are_not_stale() {
    let mut stale = Vec::new();
    for file in shipped_files() {
        let name = stem(&file);
        let meta_path = Path::new("outputs").join(&name).join("meta.json");
        let Ok(text) = fs::read_to_string(&meta_path) else {
            stale.push(format!("{}: missing", meta_path.display()));
            continue;
        };
        let meta: serde_json::Value = serde_json::from_str(&text).expect("meta.json is JSON");
        let sha = load(&file).expect("valid scenario").sha256;
        if meta["scenario_sha256"].as_str() != Some(sha.as_str()) {
            stale.push(format!("{}: made from another version of {}", meta_path.display(), file.display()));
        }
        if meta["tool_version"].as_str() != Some(env!("CARGO_PKG_VERSION")) {
            stale.push(format!(
                "{}: made by contractsim {}, this is {}",
                meta_path.display(),
                meta["tool_version"],
                env!("CARGO_PKG_VERSION")
            ));
        }
        // results.xlsx and runs.csv are large and not committed (.gitignore).
        for f in ["summary.md", "summary.csv", "yearly.csv", "report.html"] {
            if !meta_path.with_file_name(f).is_file() {
                stale.push(format!("outputs/{name}/{f}: missing"));
            }
        }
    }
    assert!(stale.is_empty(), "stale results; regenerate them with `cargo run --release`:\n{}", stale.join("\n"));
}
