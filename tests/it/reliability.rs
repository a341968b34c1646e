//! Reliability of the `contractsim` binary: every malformed scenario in
//! `tests/bad_scenarios/` is refused with exit code 2 and exactly the messages in its
//! `.expected` file; results folders of other scenarios are not overwritten without
//! `--force`; absurd sizes are refused up front; an interrupted run leaves the previous
//! results intact.
//!
//! `BLESS=1 cargo test --release --test it reliability::` rewrites the `.expected` files from
//! the binary's answers; review the diff before committing it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;

use crate::common::folder_files as snapshot;
use crate::fixtures;

const CORPUS: &str = "tests/bad_scenarios";
const BASE: &str = "tests/bad_scenarios/valid_base.toml";

fn bin() -> Command {
    Command::cargo_bin("contractsim").expect("binary built")
}

/// The cases: every `NAME.expected`, for the scenario `NAME.toml` (which may be missing,
/// or a directory, on purpose).
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let mut v: Vec<(PathBuf, PathBuf)> = fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expected"))
        .map(|p| (p.with_extension("toml"), p))
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_scenario_gets_exit_code_2_and_its_messages() {
    let bless = std::env::var_os("BLESS").is_some();
    if bless {
        for e in fs::read_dir(CORPUS).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml")
                && p != Path::new(BASE)
                && !p.with_extension("expected").exists()
            {
                fs::write(p.with_extension("expected"), "").unwrap();
            }
        }
    }
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    // Every .toml in the corpus is a case, except the valid base it is made from.
    for e in fs::read_dir(CORPUS).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") && p != Path::new(BASE) {
            assert!(p.with_extension("expected").exists(), "{} has no .expected file", p.display());
        }
    }
    let mut failures = Vec::new();
    for (toml, expected) in &cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = bin().arg("run").arg(toml).arg("--out").arg(&out).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).replace('\r', "");
        if bless {
            fs::write(expected, &stderr).unwrap();
        }
        let want = fs::read_to_string(expected).unwrap();
        if o.status.code() != Some(2) {
            failures.push(format!("{}: exit code {:?}, expected 2\n{stderr}", toml.display(), o.status.code()));
        } else if stderr != want {
            failures.push(format!("{}: messages differ\n--- expected\n{want}--- found\n{stderr}", toml.display()));
        }
        if out.exists() {
            failures.push(format!("{}: a refused run created {}", toml.display(), out.display()));
        }
        // One message per problem, each naming the file, what was expected and what was found.
        for line in want.lines() {
            if !(line.starts_with(&toml.display().to_string())
                && line.contains("expected ")
                && line.contains(", found "))
            {
                failures.push(format!("{}: message without file, expected or found: {line}", toml.display()));
            }
        }
        if want.trim().is_empty() {
            failures.push(format!("{}: empty .expected file", expected.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn the_corpus_base_is_valid() {
    let o = bin().arg("check").arg(BASE).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs the base scenario (or `file`) into `out` with a few runs.
fn small_run(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    bin().arg("run").arg(file).arg("--runs").arg("3").arg("--out").arg(out).args(extra).output().unwrap()
}

#[test]
fn a_folder_of_another_scenario_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    let base = fs::read_to_string(BASE).unwrap();
    let edited = |path: &[&str], v: toml::Value| {
        let mut doc = fixtures::doc(&base);
        fixtures::set(&mut doc, path, v);
        fixtures::text(&doc)
    };
    fs::write(&a, &base).unwrap();
    fs::write(&b, edited(&["scenario", "name"], "Other".into())).unwrap();
    let out = dir.path().join("out");
    assert!(small_run(&a, &out, &[]).status.success());
    let before = snapshot(&out);
    // The same scenario again, edited: replaced without asking.
    fs::write(&a, edited(&["scenario", "seed"], 2.into())).unwrap();
    let o = small_run(&a, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before_b = snapshot(&out);
    assert_ne!(before, before_b);
    // Another scenario: refused before simulating, the folder untouched.
    let o = small_run(&b, &out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "{}: expected results of {} or an empty folder, found results of {} (meta.json); use another `--out`, or \
             `--force` to replace them",
            out.display(),
            b.display(),
            a.display()
        )
    );
    assert!(!stderr.contains("simulating"));
    assert_eq!(snapshot(&out), before_b);
    // With --force it is replaced.
    let o = small_run(&b, &out, &["--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let meta = fs::read_to_string(out.join("meta.json")).unwrap();
    assert!(meta.contains("b.toml") && meta.contains("\"Other\""), "{meta}");
}

#[test]
fn a_folder_that_holds_no_results_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("thesis");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("chapter1.docx"), b"precious").unwrap();
    let o = small_run(Path::new(BASE), &out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("expected a contractsim results folder (with meta.json) or an empty folder, found 1 file(s)")
            && stderr.contains("chapter1.docx")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(fs::read(out.join("chapter1.docx")).unwrap(), b"precious");
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    let o = small_run(Path::new(BASE), &file, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a results folder, found a file"));
}

#[test]
fn absurd_sizes_are_refused_up_front_with_the_estimate_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin().arg("run").arg(BASE).args(["--runs", "1000000000000", "--out"]).arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    // Memory does not grow with the runs (streamed statistics), so the time is the limit.
    assert!(
        stderr.starts_with(&format!("{BASE}: key `--runs`: expected a simulation of at most 24.0 h (at most about "))
            && stderr.contains("runs), found 1000000000000 runs, which would take about ")
            && stderr.contains(" years (")
            && stderr.ends_with("; use fewer runs\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("simulating") && !out.exists());
    // A horizon of 10,000 years is refused by validation (see the corpus); so are scenario
    // files too large to be hand-written.
    let big = dir.path().join("big.toml");
    fs::write(&big, "# padding\n".repeat(2_000_000)).unwrap();
    let o = bin().arg("check").arg(&big).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("expected a scenario file of at most 16 MiB, found 19.1 MiB"), "{stderr}");
}

/// Starts a long run, waits until it is simulating, sends `signal`, and checks that it stops
/// with exit code 130 and a clear message, before all its runs, leaving the previous results
/// byte for byte as they were and no temporary folder or lock behind. With SIGTERM, a second
/// run into the same folder is tried first, while the first writes it.
#[cfg(unix)]
fn interrupted_run_keeps_previous_results(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("friesland");
    let scenario = Path::new("scenarios/friesland.toml");
    let o = small_run(scenario, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = snapshot(&out);
    // Enough runs to take minutes on any machine.
    let runs = 30_000;
    let mut child = bin()
        .arg("run")
        .arg(scenario)
        .args(["--runs", &runs.to_string(), "--threads", "2", "--out"])
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if line.contains(": simulating ") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // A safety net only: the marker comes within a second or two.
    if rx.recv_timeout(Duration::from_secs(300)).is_err() {
        let _ = child.kill();
        panic!("the run never started simulating: {}", reader.join().unwrap());
    }
    if signal == "-TERM" {
        // A second writer of the same folder, while the first holds its lock, is refused up
        // front with exit code 2, naming the process that writes it; the first goes on.
        let lock = dir.path().join(".friesland.lock");
        for _ in 0..200 {
            if lock.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(lock.exists(), "the writer holds a lock");
        let o = small_run(scenario, &out, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("another contractsim is writing this folder"), "{err}");
        assert!(err.contains(&format!("process {} on host", child.id())), "{err}");
    }
    let ok = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("interrupted after")).unwrap_or_else(|| panic!("{stderr}"));
    let done: usize = line.split("interrupted after ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(done < runs, "{line}");
    assert_eq!(
        line,
        format!(
            "{}: interrupted after {done} of {runs} runs; nothing was written, {} is as it was",
            scenario.display(),
            out.display()
        )
    );
    assert_eq!(snapshot(&out), before, "the previous results changed");
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["friesland".to_string()], "temporary folders left behind");
}

#[cfg(unix)]
#[test]
fn sigint_stops_a_run_and_keeps_the_previous_results() {
    interrupted_run_keeps_previous_results("-INT");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_and_keeps_the_previous_results() {
    interrupted_run_keeps_previous_results("-TERM");
}

/// The base scenario's absolute path, for commands run in another folder.
fn base_abs() -> PathBuf {
    fs::canonicalize(BASE).unwrap()
}

/// Runs the binary in `cwd` with `args`; returns the exit code and standard error.
fn in_dir(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = bin().current_dir(cwd).args(args).output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Every name in `dir`, hidden ones too, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// `mine/notes.docx` survives every command that writes a folder: each refuses `--out mine`
/// with exit code 2, up front, naming the folder and `--force`.
#[test]
fn no_command_replaces_a_folder_of_the_users_files_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let base = base_abs();
    let base = base.to_str().unwrap();
    // A results folder and the partials of a sharded run, to report and merge from.
    assert_eq!(in_dir(cwd, &["run", base, "--runs", "3", "--out", "res"]).0, Some(0));
    for k in ["0", "1"] {
        let (code, err) =
            in_dir(cwd, &["run", base, "--runs", "4", "--shard", &format!("{k}/2"), "--out", &format!("p{k}")]);
        assert_eq!(code, Some(0), "{err}");
    }
    fs::create_dir(cwd.join("mine")).unwrap();
    fs::write(cwd.join("mine/notes.docx"), b"x").unwrap();
    let commands: [&[&str]; 5] = [
        &["run", base, "--runs", "3", "--out", "mine"],
        &["sweep", base, "--runs", "3", "--set", "contract.output.margin=0,0.05", "--out", "mine"],
        &["sensitivity", base, "--runs", "3", "--tornado-runs", "2", "--out", "mine"],
        &["report", "res", "--out", "mine"],
        &["merge", "p0", "p1", "--out", "mine"],
    ];
    for args in commands {
        let (code, err) = in_dir(cwd, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("mine: expected ")
                && err.contains("found 1 file(s)")
                && err.contains("notes.docx")
                && err.contains("--force"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("simulating"), "{args:?}: refused only after simulating: {err}");
        assert_eq!(fs::read(cwd.join("mine/notes.docx")).unwrap(), b"x", "{args:?}");
        assert_eq!(names(&cwd.join("mine")), ["notes.docx"], "{args:?}");
    }
    assert_eq!(names(cwd), ["mine", "p0", "p1", "res"], "temporary folders left behind");
}

/// A plain file as destination is refused with exit code 2, also with `--force`, and is
/// left where it is: never renamed to a hidden `.FILE.old-PID`.
#[test]
fn a_file_as_destination_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let base = base_abs();
    let base = base.to_str().unwrap();
    assert_eq!(in_dir(cwd, &["run", base, "--runs", "3", "--out", "res"]).0, Some(0));
    fs::write(cwd.join("FILE"), b"keep me").unwrap();
    let commands: [&[&str]; 4] = [
        &["run", base, "--runs", "3", "--out", "FILE", "--force"],
        &["report", "res", "--out", "FILE", "--force"],
        &["sweep", base, "--runs", "3", "--set", "contract.output.margin=0,0.05", "--out", "FILE", "--force"],
        &["sensitivity", base, "--runs", "3", "--tornado-runs", "2", "--out", "FILE", "--force"],
    ];
    for args in commands {
        let (code, err) = in_dir(cwd, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(err, "FILE: expected a results folder, found a file; choose another `--out`\n", "{args:?}");
        assert_eq!(fs::read(cwd.join("FILE")).unwrap(), b"keep me");
    }
    // A folder inside a file, and a destination that names no folder: refused up front too.
    let (code, err) = in_dir(cwd, &["run", base, "--runs", "3", "--out", "FILE/x"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "FILE/x: expected FILE to be a folder, found a file; choose another `--out`\n");
    let (code, err) = in_dir(cwd, &["run", base, "--runs", "3", "--out", ".", "--force"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with(".: expected the name of a results folder, found `.`"), "{err}");
    assert_eq!(names(cwd), ["FILE", "res"], "hidden folders left behind");
}

/// `sensitivity` writes `outputs/<stem>-sensitivity` by default, not `run`'s
/// `outputs/<stem>`; and neither replaces the other's folder of the same scenario.
#[test]
fn sensitivity_and_run_do_not_share_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs::copy(BASE, cwd.join("base.toml")).unwrap();
    assert_eq!(in_dir(cwd, &["run", "base.toml", "--runs", "3"]).0, Some(0));
    let before = snapshot(&cwd.join("outputs/base"));
    let (code, err) = in_dir(cwd, &["sensitivity", "base.toml", "--runs", "3", "--tornado-runs", "2"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("-> outputs/base-sensitivity"), "{err}");
    assert!(cwd.join("outputs/base-sensitivity/tornado.csv").exists());
    assert_eq!(snapshot(&cwd.join("outputs/base")), before, "run's results changed");
    let (code, err) =
        in_dir(cwd, &["sensitivity", "base.toml", "--runs", "3", "--tornado-runs", "2", "--out", "outputs/base"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err,
        "outputs/base: expected sensitivity results of base.toml or an empty folder, found results of base.toml \
         (meta.json); use another `--out`, or `--force` to replace them\n"
    );
    let (code, err) = in_dir(cwd, &["run", "base.toml", "--runs", "3", "--out", "outputs/base-sensitivity"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("found sensitivity results of base.toml (meta.json)"), "{err}");
    // A sweep folder records its scenario: the same sweep may replace it, another may not.
    let sweep = ["sweep", "base.toml", "--runs", "3", "--set", "contract.output.margin=0,0.05"];
    assert_eq!(in_dir(cwd, &sweep).0, Some(0));
    assert_eq!(in_dir(cwd, &sweep).0, Some(0));
    let (code, err) = in_dir(cwd, &["run", "base.toml", "--runs", "3", "--out", "outputs/base-sweep"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("found a sweep of base.toml (sweep.json)"), "{err}");
    assert_eq!(names(&cwd.join("outputs")), ["base", "base-sensitivity", "base-sweep"]);
}

/// Two results cannot land in one folder through one command, nor can a results folder
/// swallow the files a command reads.
#[test]
fn one_folder_per_scenario_and_no_folder_over_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    for sub in ["a", "b"] {
        fs::create_dir(cwd.join(sub)).unwrap();
        fs::copy(BASE, cwd.join(sub).join("x.toml")).unwrap();
    }
    let (code, err) = in_dir(cwd, &["run", "a/x.toml", "b/x.toml", "--runs", "3", "--out", "both"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err,
        "both/x: expected one results folder per scenario, found both a/x.toml and b/x.toml writing there; run them \
         separately, each with its own `--out`\n"
    );
    assert!(!cwd.join("both").exists());
    let (code, err) = in_dir(cwd, &["run", "a/x.toml", "--runs", "3", "--out", "a", "--force"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("a: expected a results folder that holds none of the command's inputs, found a/x.toml"));
    assert!(cwd.join("a/x.toml").exists());
}

/// Runs the binary in `cwd`, killed after a minute (a value that skips validation may make
/// the engine spin).
fn bounded(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = assert_cmd::Command::cargo_bin("contractsim")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A `--set` value passes the validation the same value gets in the file, before any grid
/// point is simulated: exit code 2 and one message per bad value, naming the key, what is
/// expected and what was found.
#[test]
fn sweep_values_pass_the_validation_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs::copy(BASE, cwd.join("base.toml")).unwrap();
    let cases: [(&str, &str); 5] = [
        (
            "segment.light.success_rate=-3,5",
            "base.toml: --set segment.light.success_rate=-3: key `segment.light.success_rate`: expected a share \
             between 0 and 1, found -3\nbase.toml: --set segment.light.success_rate=5: key \
             `segment.light.success_rate`: expected a share between 0 and 1, found 5\n",
        ),
        (
            "population.growth=50",
            "base.toml: --set population.growth=50: key `population.growth`: expected a yearly rate from -0.5 to 1 \
             (-50% to +100%), found 50\n",
        ),
        (
            "segment.light.mean_duration_years=0",
            "base.toml: --set segment.light.mean_duration_years=0: key `segment.light.mean_duration_years`: expected \
             a number > 0, found 0\n",
        ),
        (
            "contract.output.provider1.efficiency=-1",
            "base.toml: --set contract.output.provider1.efficiency=-1: key `contract.output.provider1.efficiency`: \
             expected a number > 0, found -1\n",
        ),
        (
            "scenario.horizon_years=10000",
            "base.toml: --set scenario.horizon_years=10000: key `scenario.horizon_years`: expected a whole number from \
             1 to 200, found the integer 10000\n",
        ),
    ];
    for (set, want) in cases {
        let (code, err) = bounded(cwd, &["sweep", "base.toml", "--runs", "3", "--set", set]);
        assert_eq!(code, Some(2), "{set}: {err}");
        assert_eq!(err, want, "{set}");
    }
    // A bad value among good ones is refused before the good ones are simulated.
    let (code, err) = bounded(
        cwd,
        &[
            "sweep",
            "base.toml",
            "--runs",
            "3",
            "--set",
            "contract.output.margin=0,0.1",
            "--set",
            "population.growth=0,50",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 2, "one message per bad point: {err}");
    let (code, err) = bounded(
        cwd,
        &["sweep", "base.toml", "--runs", "3", "--set", "population.growth=0", "--set", "population.growth=0.1"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "--set population.growth: expected each key once, found it twice\n");
    let (code, err) = bounded(cwd, &["run", "base.toml", "--precision", "1000", "--max-runs", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "--max-runs: expected at least 2 runs, found 0\n");
    assert!(!cwd.join("outputs").exists(), "a refused command wrote {:?}", names(&cwd.join("outputs")));
}

/// Sizes from outside are bounded before anything is allocated or simulated, on the
/// machine's real core count: threads, one-way runs, runs kept in memory, shards, and the
/// years and shards that a `meta.json` or `partial.json` claims.
#[test]
fn sizes_from_outside_are_bounded_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs::copy("scenarios/friesland.toml", cwd.join("f.toml")).unwrap();
    fs::copy(BASE, cwd.join("base.toml")).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sweep = ["sweep", "base.toml", "--set", "contract.output.margin=0,0.1"];
    for args in [&["run", "base.toml"][..], &sweep[..], &["sensitivity", "base.toml"][..]] {
        let (code, err) = bounded(cwd, &[args, &["--threads", "10000"]].concat());
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.starts_with("--threads: expected at most ") && err.ends_with("found 10000\n"), "{err}");
    }
    // The time guard counts the cores there are, not the threads asked for.
    let (code, err) = bounded(cwd, &["run", "f.toml", "--runs", "500000000", "--threads", "16"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!(" a run on {} thread(s)); use fewer runs", cores.min(16))), "{err}");
    let (code, err) = bounded(cwd, &["sensitivity", "f.toml", "--runs", "20", "--tornado-runs", "1000000000"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("f.toml: key `--tornado-runs`: expected "), "{err}");
    let (code, err) = bounded(cwd, &["sensitivity", "f.toml", "--runs", "1000000"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("f.toml: key `--runs`: expected results that fit in 4 GiB of memory"), "{err}");
    let (code, err) = bounded(cwd, &["sweep", "f.toml", "--runs", "100000000", "--set", "contract.output.margin=0,1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("f.toml: key `--runs`: expected a simulation of at most 24.0 h"), "{err}");
    let (code, err) = bounded(cwd, &["run", "base.toml", "--runs", "10", "--shard", "3/1000000000000"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "base.toml: --shard: expected at most as many shards as runs (10), found 1000000000000 shards\n");
    // A results folder whose meta.json claims 10^11 years.
    assert_eq!(bounded(cwd, &["run", "base.toml", "--runs", "3", "--out", "res"]).0, Some(0));
    let meta = fs::read_to_string(cwd.join("res/meta.json")).unwrap();
    assert!(meta.contains("\"horizon_years\": 10,"));
    fs::write(cwd.join("res/meta.json"), meta.replace("\"horizon_years\": 10,", "\"horizon_years\": 100000000000,"))
        .unwrap();
    let (code, err) = bounded(cwd, &["report", "res", "--out", "copy"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "res/meta.json: key `horizon_years`: expected 1 to 200 years, found 100000000000\n");
    // Partials that claim 10^12 shards.
    for k in ["0", "1"] {
        let args = ["run", "base.toml", "--runs", "4", "--shard", &format!("{k}/2"), "--out", &format!("p{k}")];
        assert_eq!(bounded(cwd, &args).0, Some(0));
        let path = cwd.join(format!("p{k}/partial.json"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"shards\": 2,"), "{text}");
        fs::write(&path, text.replace("\"shards\": 2,", "\"shards\": 1000000000000,")).unwrap();
    }
    let (code, err) = bounded(cwd, &["merge", "p0", "p1", "--out", "merged"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("p0/partial.json: key `shards`: expected 1 to `runs` (4) shards, found 1000000000000"));
    assert!(!cwd.join("merged").exists() && !cwd.join("copy").exists());
}

/// Only regular files are read as scenarios: a FIFO (which would block until a writer
/// comes) or a device (which never ends) is refused at once by every command that reads a
/// scenario, with exit code 2.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read_as_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert!(Command::new("mkfifo").arg(cwd.join("pipe.toml")).status().unwrap().success());
    for (file, found) in [("pipe.toml", "a FIFO"), ("/dev/zero", "a device")] {
        let sweep = ["sweep", file, "--set", "contract.output.margin=0"];
        for args in [&["run", file][..], &["check", file][..], &sweep[..], &["sensitivity", file][..]] {
            let (code, err) = bounded(cwd, args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert_eq!(err, format!("{file}: expected a scenario file (.toml), found {found}, not a regular file\n"));
        }
    }
}

/// Every data file of a results folder is recorded (bytes and SHA-256) in its `meta.json`,
/// and of a partial in its `partial.json`; `report` and `merge` refuse a damaged folder
/// with exit code 2, naming the file, and `report` refuses a `yearly.csv` that is empty, has
/// NaN or repeats a row even where no record says what it should be.
#[test]
fn damaged_folders_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs::copy(BASE, cwd.join("base.toml")).unwrap();
    assert_eq!(bounded(cwd, &["run", "base.toml", "--runs", "3", "--out", "res"]).0, Some(0));
    let meta = fs::read_to_string(cwd.join("res/meta.json")).unwrap();
    for file in ["yearly.csv", "summary.csv", "runs.csv", "budget.csv"] {
        assert!(meta.contains(&format!("\"name\": \"{file}\"")), "{file} not recorded: {meta}");
    }
    assert_eq!(bounded(cwd, &["report", "res", "--out", "copy"]).0, Some(0));
    let copy = |name: &str| {
        let to = cwd.join(name);
        fs::create_dir(&to).unwrap();
        for e in fs::read_dir(cwd.join("res")).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    };
    let yearly = fs::read_to_string(cwd.join("res/yearly.csv")).unwrap();
    let runs = fs::read_to_string(cwd.join("res/runs.csv")).unwrap();
    let damaged: [(&str, &str, String); 3] = [
        ("truncated", "yearly.csv", yearly[..yearly.len() - 30].to_string()),
        ("edited", "runs.csv", runs.replacen('1', "2", 1)),
        ("emptied", "summary.csv", String::new()),
    ];
    for (name, file, text) in damaged {
        let d = copy(name);
        fs::write(d.join(file), text).unwrap();
        let (code, err) = bounded(cwd, &["report", name, "--out", &format!("{name}-out")]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(
            err.starts_with(&format!("{name}/{file}: expected "))
                && err.contains("(as meta.json records), found ")
                && err.ends_with("; the folder is damaged, write it again\n"),
            "{name}: {err}"
        );
        assert!(!cwd.join(format!("{name}-out")).exists());
    }
    // Without a record of the files (an older folder), yearly.csv is still checked.
    let unsealed = meta[..meta.find(",\n  \"files\"").unwrap()].to_string() + "\n}\n";
    let header = yearly.lines().next().unwrap();
    let first = yearly.lines().nth(1).unwrap();
    let nan = first.rsplit_once(',').unwrap().0.to_string() + ",NaN";
    let tables: [(&str, String, &str); 4] = [
        ("empty", String::new(), "yearly.csv:1: expected the header `strategy,year,metric,mean,...`, found no header"),
        ("nan", yearly.replacen(first, &nan, 1), "yearly.csv:2: expected a finite number in column `p95`, found `NaN`"),
        (
            "repeated",
            yearly.replacen(first, &format!("{first}\n{first}"), 1),
            "yearly.csv:3: expected each strategy, year and metric once",
        ),
        ("short", format!("{header}\n{first}\n"), "yearly.csv:3: expected "),
    ];
    for (name, text, want) in tables {
        let d = copy(name);
        fs::write(d.join("meta.json"), &unsealed).unwrap();
        fs::write(d.join("yearly.csv"), text).unwrap();
        let (code, err) = bounded(cwd, &["report", name]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.starts_with(&format!("{name}/{want}")), "{name}: {err}");
    }
    // Partials: the per-run file and the statistics are verified before merging.
    for k in ["0", "1"] {
        let args = ["run", "base.toml", "--runs", "300", "--shard", &format!("{k}/2"), "--out", &format!("p{k}")];
        assert_eq!(bounded(cwd, &args).0, Some(0));
    }
    assert_eq!(bounded(cwd, &["merge", "p0", "p1", "--out", "merged"]).0, Some(0));
    let mut runs = fs::read(cwd.join("p1/runs.csv")).unwrap();
    runs.truncate(runs.len() - 10);
    fs::write(cwd.join("p1/runs.csv"), runs).unwrap();
    let mut stats = fs::read(cwd.join("p0/stats.bin")).unwrap();
    let n = stats.len();
    stats[n / 2] ^= 1;
    fs::write(cwd.join("p0/stats.bin"), stats).unwrap();
    let (code, err) = bounded(cwd, &["merge", "p0", "p1", "--out", "merged2"]);
    assert_eq!(code, Some(2), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("p0/stats.bin: expected ") && lines[0].contains("found SHA-256 "), "{err}");
    assert!(lines[1].starts_with("p1/runs.csv: expected ") && lines[1].contains("(as partial.json records)"), "{err}");
    assert!(!cwd.join("merged2").exists());
}

/// Valid scenarios at the edges of the allowed ranges finish: a waiting list whose
/// segment's mean duration is 10^-12 or 10^15 years, with waiting rates from 0 to 100 (the
/// largest allowed) a year, used to spin forever in the waiting-list fluid (a cohort's
/// front stopped a hair short of its end, and each pass took a sliver).
#[test]
fn extreme_durations_on_a_waiting_list_finish() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(BASE).unwrap();
    for d in ["1e-12", "1e15"] {
        for w in ["0", "1e-6", "100"] {
            let text = base
                .replacen(
                    "mean_duration_years = 1.0",
                    &format!(
                        "mean_duration_years = {d}\nwaiting_dropout_rate = {w}\nescalation_while_waiting_rate = {w}"
                    ),
                    1,
                )
                .replace(
                    "id = \"task_light\"\nform = \"task\"\nsegments = [\"light\"]",
                    "id = \"task_light\"\nform = \"task\"\nsegments = [\"light\"]\ncapacity = { light = 100 }",
                );
            let file = dir.path().join(format!("d{d}_w{w}.toml"));
            fs::write(&file, text).unwrap();
            let out = format!("out-{d}-{w}");
            let (code, err) = bounded(dir.path(), &["run", file.to_str().unwrap(), "--runs", "2", "--out", &out]);
            assert_eq!(code, Some(0), "duration {d}, waiting rates {w}: {err}");
        }
    }
}

/// Names from the scenario file are text in every report: a name that looks like HTML
/// opens no tag in `summary.md` (its `<` is written `\<`) and is escaped in `report.html`,
/// and a `|` in a strategy's name does not split a table cell.
#[test]
fn names_are_text_in_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(BASE).unwrap();
    let evil = "<script>alert(1)</script> Base";
    let text = base.replacen("name = \"Base\"", &format!("name = \"{evil}\""), 1);
    assert_ne!(text, base);
    let text = text.replacen("id = \"now\"\n", "id = \"now\"\nname = \"Output | piece <b>rate</b>\"\n", 1);
    let file = dir.path().join("evil.toml");
    fs::write(&file, &text).unwrap();
    let out = dir.path().join("out");
    let o = small_run(&file, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for md in ["summary.md", "summary_nl.md"] {
        let s = fs::read_to_string(out.join(md)).unwrap();
        assert!(s.contains("\\<script>alert(1)\\</script> Base"), "{md}: the name as escaped text");
        let raw_tag = s.char_indices().any(|(i, c)| {
            c == '<'
                && !s[..i].ends_with('\\')
                && s[i + 1..].chars().next().is_some_and(|n| n.is_ascii_alphabetic() || n == '/')
        });
        assert!(!raw_tag, "{md}: no raw tag");
        let rows: Vec<&str> = s.lines().filter(|l| l.starts_with("| ") && l.contains("piece")).collect();
        assert!(!rows.is_empty(), "{md}: the strategy is in the tables");
        for line in rows {
            assert!(line.contains("Output \\| piece \\<b>rate\\</b>"), "{md}: {line}");
        }
    }
    for html in ["report.html", "report_nl.html"] {
        let s = fs::read_to_string(out.join(html)).unwrap();
        assert!(!s.contains("<script>alert") && s.contains("&lt;script&gt;alert(1)"), "{html}: escaped");
        assert!(!s.contains("<b>rate</b>"), "{html}");
    }
}

/// `new` writes its file whole or not at all: with the file size limited to 1 KiB (as a
/// full disk would stop it; SIGXFSZ ignored, so the write fails with EFBIG), it fails
/// naming the file, leaves no file and no temporary file, and an existing file it was to
/// replace with `--force` stays as it was. Devices, folders and links are refused.
#[test]
fn new_on_a_full_disk_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("contractsim");
    let limited = |args: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f 1; exec '{}' new town {args}", bin.display()))
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let o = limited("--out town.toml");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("town.toml") && err.contains("nothing was written"), "{err}");
    assert!(fs::read_dir(dir.path()).unwrap().next().is_none(), "no file and no temporary file left");
    fs::write(dir.path().join("mine.toml"), "# my own notes\n").unwrap();
    let o = limited("--out mine.toml --force");
    assert!(!o.status.success());
    assert_eq!(fs::read_to_string(dir.path().join("mine.toml")).unwrap(), "# my own notes\n");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only mine.toml");
    // Without the limit it is written whole, and a special file is no destination.
    let o = bin_in(dir.path()).args(["new", "town", "--out", "town.toml"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(fs::read_to_string(dir.path().join("town.toml")).unwrap().contains("[scenario]"));
    for special in ["/dev/null", "."] {
        let o = bin_in(dir.path()).args(["new", "town", "--force", "--out", special]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{special}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("regular file"));
    }
}

fn bin_in(dir: &Path) -> Command {
    let mut c = bin();
    c.current_dir(dir);
    c
}

/// The stop is honoured within a second, whatever the command is doing: a scenario of 1,000
/// municipalities over 200 years spends seconds writing its reports after simulating; a
/// SIGTERM then ends it with exit code 130 (the 0.6 s watchdog, `output::abandon_all`),
/// the previous results byte for byte as they were, no temporary folder or lock left.
/// The bound checked is 3 s, for a loaded machine; the process itself allows 0.6 s.
#[cfg(unix)]
#[test]
fn a_stop_is_honoured_within_a_second_even_while_writing_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = fs::read_to_string(BASE)
        .unwrap()
        .replace("horizon_years = 10", "horizon_years = 200")
        .replace("youth = 20_000", "youth = 1_000_000");
    text.push_str("\n[region]\nallocation = \"use\"\n");
    for i in 0..1000 {
        text.push_str(&format!("\n[[municipality]]\nid = \"m{i}\"\nyouth = 1_000\n"));
    }
    let file = dir.path().join("slow.toml");
    fs::write(&file, &text).unwrap();
    let out = dir.path().join("slow");
    let o = small_run(&file, &out, &["--threads", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = snapshot(&out);
    let mut child = bin()
        .arg("run")
        .arg(&file)
        .args(["--runs", "3", "--threads", "1", "--out"])
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if line.contains(": simulating ") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(120)).expect("the run starts simulating");
    // Three runs take about a second; the reports of 1,000 municipalities several more.
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = std::time::Instant::now();
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(took < Duration::from_secs(3), "stopped {took:?} after the signal: {err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&out), before, "the previous results changed");
    assert_eq!(names(dir.path()), vec!["slow".to_string(), "slow.toml".to_string()], "temporary files left");
}

/// Every command answers a signal within a second, not only `run`: a long `sensitivity`
/// of Friesland, interrupted, exits 130 with its previous results byte for byte as they
/// were and no temporary folder or lock beside them.
#[cfg(unix)]
#[test]
fn a_stopped_sensitivity_keeps_the_previous_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sens");
    let scenario = Path::new("scenarios/friesland.toml");
    let o = bin().arg("sensitivity").arg(scenario).args(["--runs", "40", "--out"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = snapshot(&out);
    // Tens of thousands of runs and their one-way settings: minutes on any machine.
    let mut child = bin()
        .arg("sensitivity")
        .arg(scenario)
        .args(["--runs", "20000", "--out"])
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let signalled = std::time::Instant::now();
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(took < Duration::from_secs(3), "stopped {took:?} after the signal: {err}");
    assert_eq!(snapshot(&out), before, "the previous results changed");
    assert_eq!(names(dir.path()), vec!["sens".to_string()], "temporary files left");
}
