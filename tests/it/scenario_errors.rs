//! Validation: every problem of a bad scenario is reported, with line, column, key, what
//! was expected and what was found.

use std::path::Path;

use contractsim::scenario::{Shape, parse_str};

use crate::fixtures::{Doc, add, doc, remove, rename, replace_once, set, text, value};

const GOOD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/friesland.toml"));

/// The shipped scenario with typed edits (see `fixtures`), as text.
fn edited(edit: impl FnOnce(&mut Doc)) -> String {
    let mut d = doc(GOOD);
    edit(&mut d);
    text(&d)
}

fn problems(text: &str) -> Vec<String> {
    match parse_str(text, Path::new("x.toml")) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
    }
}

fn assert_problem(text: &str, needles: &[&str]) {
    let ps = problems(text);
    assert!(
        ps.iter().any(|p| needles.iter().all(|n| p.contains(n))),
        "no problem with {needles:?} among:\n{}",
        ps.join("\n")
    );
}

#[test]
fn the_shipped_scenario_is_valid() {
    let s = parse_str(GOOD, Path::new("friesland.toml")).expect("valid");
    assert_eq!(s.strategies.iter().filter(|s| s.baseline).count(), 1);
    assert_eq!(s.segments.len(), 6);
    assert!(s.params.iter().any(|p| matches!(p.dist.shape(), Shape::Pert { .. })));
    assert_eq!(s.sha256.len(), 64);
}

#[test]
fn unknown_key_gets_a_suggestion_and_a_position() {
    let text = edited(|d| {
        rename(d, &["segment", "light_ambulant", "success_rate"], "sucess_rate");
        set(d, &["segment", "light_ambulant", "sucess_rate"], 0.7);
    });
    assert_problem(
        &text,
        &["x.toml:", "key `segment.light_ambulant.sucess_rate`", "unknown key", "did you mean `success_rate`?"],
    );
    // The missing key is reported too: one message per problem.
    assert_problem(
        &text,
        &[
            "key `segment.light_ambulant.success_rate`",
            "expected a share between 0 and 1 or a distribution, found nothing",
        ],
    );
}

#[test]
fn positions_are_line_and_column() {
    let text = "[scenario]\nname = \"x\"\nstart_year = 2025\ndiscount_rate = \"four\"\n";
    let ps = problems(text);
    assert!(
        ps.iter().any(|p| p.starts_with(
            "x.toml:4:17: key `scenario.discount_rate`: expected a finite number, found the string \"four\""
        )),
        "{ps:?}"
    );
}

#[test]
fn many_kinds_of_mistakes_are_named() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (edited(|d| set(d, &["scenario", "steps_per_year"], 5)), vec!["scenario.steps_per_year", "1, 4 or 12", "5"]),
        (edited(|d| set(d, &["scenario", "horizon_years"], 0)), vec!["scenario.horizon_years", "from 1 to 200"]),
        (edited(|d| set(d, &["scenario", "runs"], 0)), vec!["scenario.runs", "from 1"]),
        (
            edited(|d| set(d, &["segment", "light_ambulant", "reentry_rate"], 1.3)),
            vec!["segment.light_ambulant.reentry_rate", "between 0 and 1", "1.3"],
        ),
        (
            edited(|d| set(d, &["prevention", "front", "annual_cost"], -400_000)),
            vec!["prevention.front.annual_cost", ">= 0", "-400000"],
        ),
        (
            edited(|d| {
                set(
                    d,
                    &["segment", "light_ambulant", "success_rate"],
                    value("{ dist = \"beta\", mean = 0.70, sd = 0.5 }"),
                )
            }),
            vec!["segment.light_ambulant.success_rate", "feasible beta", "needs sd below"],
        ),
        (
            edited(|d| {
                set(d, &["population", "growth", "min"], 0.02);
                set(d, &["population", "growth", "max"], -0.02);
            }),
            vec!["population.growth", "min <= max"],
        ),
        (
            edited(|d| set(d, &["segment", "specialised_ambulant", "escalates_to"], "day_treatmnt")),
            vec!["segment.specialised_ambulant.escalates_to", "no segment", "did you mean `day_treatment`?"],
        ),
        (
            edited(|d| set(d, &["prevention", "front", "targets"], vec!["light"])),
            vec!["prevention.front.targets", "\"light\", which is no segment"],
        ),
        (
            edited(|d| set(d, &["contract", "effort", "id"], "output")),
            vec!["contract[2].id", "used once", "\"output\" again"],
        ),
        (
            edited(|d| set(d, &["strategy", "output", "baseline"], false)),
            vec!["strategy.baseline", "exactly one", "none"],
        ),
        (edited(|d| add(d, &["strategy", "effort", "baseline"], true)), vec!["strategy.baseline", "2 baselines"]),
        (
            edited(|d| set(d, &["strategy", "task", "contracts"], vec!["task", "output"])),
            vec!["strategy.task.contracts", "covered by both"],
        ),
        (
            edited(|d| {
                let without = vec!["light_ambulant", "day_treatment", "foster_care", "residential"];
                set(d, &["contract", "task", "segments"], without)
            }),
            vec!["strategy.task.contracts", "no contract for segment(s) specialised_ambulant"],
        ),
        (
            edited(|d| set(d, &["segment", "specialised_ambulant", "id"], "light_ambulant")),
            vec!["segment[2].id", "\"light_ambulant\" again"],
        ),
        (edited(|d| set(d, &["scenario", "discount_rate"], f64::NAN)), vec!["scenario.discount_rate", "finite", "NaN"]),
        (edited(|d| set(d, &["economy", "budget"], 1e308)), vec!["economy.budget", "at most 1e15"]),
        (edited(|d| set(d, &["contract", "task", "form"], "tsk")), vec!["contract.task.form", "did you mean `task`?"]),
        (
            edited(|d| add(d, &["contract", "outcome", "capacity"], value("{ residental = 10 }"))),
            vec!["contract.outcome.capacity.residental", "which is no segment", "did you mean `residential`?"],
        ),
        (
            edited(|d| add(d, &["contract", "effort", "base_share"], 0.5)),
            vec!["contract.effort.base_share", "only with `form = \"outcome\"`"],
        ),
        (
            // foster_care escalates to residential; to youth_protection, which escalates back.
            edited(|d| set(d, &["segment", "foster_care", "escalates_to"], "youth_protection")),
            vec!["escalates_to", "cycle"],
        ),
        (
            edited(|d| {
                let wide = value("{ dist = \"normal\", mean = 130_000, sd = 60_000 }");
                set(d, &["segment", "residential", "cost_per_client_year"], wide)
            }),
            vec!["segment.residential.cost_per_client_year", "draws are all at least 0", "add `min = 0`"],
        ),
        (edited(|d| add(d, &["economy", "budget_by_year"], vec![1, 2])), vec!["economy.budget_by_year", "not both"]),
        (
            edited(|d| set(d, &["economy", "certainty"], value("[0.9, 90]"))),
            vec!["economy.certainty", "strictly between 0 and 1", "90"],
        ),
        (edited(|d| drop(remove(d, &["economy", "budget"]))), vec!["economy.budget_period_years", "a budget line"]),
        (
            edited(|d| set(d, &["economy", "budget_period_years"], 40)),
            vec!["economy.budget_period_years", "from 1 to 20"],
        ),
        (edited(|d| rename(d, &["population"], "populaton")), vec!["populaton", "did you mean `population`?"]),
        (String::new(), vec!["scenario", "a table `[scenario]`"]),
        // Not TOML at all: an edit of the text.
        (replace_once(GOOD, "name = \"Friesland", "name = Friesland"), vec!["expected valid TOML"]),
    ];
    for (text, needles) in &cases {
        assert_problem(text, needles);
    }
}

#[test]
fn non_utf8_directory_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.toml");
    std::fs::write(&bad, b"[scenario]\nname = \"Leeuw\xe4rden\"\n").unwrap();
    let e = contractsim::scenario::load(&bad).unwrap_err().to_string();
    assert!(e.contains("latin1.toml:2:14") && e.contains("not UTF-8"), "{e}");
    let e = contractsim::scenario::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("a directory"), "{e}");
    let e = contractsim::scenario::load(&dir.path().join("nope.toml")).unwrap_err().to_string();
    assert!(e.contains("nope.toml") && e.contains("readable"), "{e}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Mutations of a valid file (a line dropped, duplicated, or a value replaced by an
        /// arbitrary token) are accepted or refused with problems, never a panic; every
        /// problem names the file and a position or the file itself.
        #[test]
        fn mutated_scenarios_get_an_answer(
            line in 0usize..400,
            action in 0u8..3,
            token in prop_oneof![
                Just("-1".to_string()), Just("1e308".to_string()), Just("nan".to_string()), Just("\"x\"".to_string()),
                Just("[]".to_string()), Just("{ dist = \"beta\", mean = 2, sd = 1 }".to_string()), Just("true".to_string()),
                "[a-z_]{1,12}".prop_map(|s| s), "-?[0-9]{1,20}".prop_map(|s| s),
            ],
        ) {
            let lines: Vec<&str> = GOOD.lines().collect();
            let i = line % lines.len();
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            match action {
                0 => { out.remove(i); }
                1 => { out.insert(i, lines[i].to_string()); }
                _ => {
                    if let Some((key, _)) = lines[i].split_once('=') {
                        out[i] = format!("{key}= {token}");
                    }
                }
            }
            let text = out.join("\n");
            if let Err(e) = parse_str(&text, Path::new("m.toml")) {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.to_string().starts_with("m.toml"));
                }
            }
        }

        /// Arbitrary text gets an answer too.
        #[test]
        fn arbitrary_text_gets_an_answer(text in "\\PC{0,400}") {
            let _ = parse_str(&text, Path::new("a.toml"));
        }
    }
}

/// `[scenario] focus`: known ids of strategies other than the baseline, one to four of them,
/// each once; each mistake named with the key, what was expected and what was found.
#[test]
fn a_bad_focus_is_named() {
    let with = |list: &str| GOOD.replacen("[scenario]\n", &format!("[scenario]\nfocus = {list}\n"), 1);
    assert!(problems(&with("[\"prevention\", \"task_corridor\"]")).is_empty(), "two known alternatives are fine");
    assert_problem(&with("[\"prevention\", \"tsak\"]"), &["scenario.focus", "\"tsak\", which is no strategy", "task"]);
    assert_problem(&with("[\"output\"]"), &["scenario.focus", "other than the baseline", "\"output\""]);
    assert_problem(&with("[]"), &["scenario.focus", "at least one strategy id", "an empty list"]);
    assert_problem(&with("[\"prevention\", \"prevention\"]"), &["scenario.focus", "each strategy once"]);
    assert_problem(
        &with("[\"prevention\", \"task\", \"effort\", \"outcome\", \"task_corridor\"]"),
        &["scenario.focus", "at most 4 strategies", "5"],
    );
    assert_problem(&with("\"prevention\""), &["scenario.focus"]);
}
