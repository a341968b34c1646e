//! `contractsim merge`: combine the partial results of `run --shard K/N` into the results
//! folder that a single run writes. The partials must be all N shards of one batch (same
//! scenario, seed, runs, tool version and percentile mode), each once; they may be given in
//! any order. Statistics are merged in run order along the same block tree as a single run,
//! so the tables are identical to a single run's, byte for byte.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::run::rayon_threads;
use super::{AppError, MergeRequest, Progress};
use crate::app::output;
use crate::engine::{Plan, shard_runs};
use crate::export::runs_file::RunsWriter;
use crate::random::design::Sampling;
use crate::random::rng::STREAMS_VERSION;
use crate::report::render_world;
use crate::results::partial::{self, PartialMeta};
use crate::results::{BatchInfo, Collector, Results};
use crate::scenario;

/// Merges the partial folders `args.dirs` into `args.out`.
pub fn merge(args: MergeRequest, progress: &dyn Progress) -> Result<(), AppError> {
    let started = std::time::Instant::now();
    let parts = read_parts(&args.dirs)?;
    let (first_dir, first) = parts[0].clone();
    let s = shipped_scenario(&first_dir, &first)?;
    let inputs: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    let claim = output::Claim { kind: output::Kind::Results, file: &s.file, sha256: &s.sha256, inputs: &inputs };
    let dest =
        output::check_destination(&args.out, &claim, args.force).map_err(|e| AppError::BadInput(e.to_string()))?;
    let sampling = Sampling::from_name(&first.sampling).ok_or_else(|| {
        AppError::BadInput(format!(
            "{}: key `sampling` in partial.json: expected mc, lhs or sobol, found `{}`",
            first_dir.join(partial::PARTIAL_JSON).display(),
            first.sampling
        ))
    })?;
    let plan = Plan::new(s).with_sampling(sampling);
    let staging = output::Staging::new(&dest).with_context(|| format!("writing {}", args.out.display()))?;
    let (collected, threads) = combine(&plan, &parts, &first, &staging)?;
    let info = BatchInfo {
        seed: first.seed,
        threads: if threads == 0 { rayon_threads(0) } else { threads },
        runs: first.runs,
    };
    let results = Results::collected(&plan, info, collected);
    let (break_even, file) = super::run::break_even_file(&results, threads)?;
    let (files, _) = render_world(results, &break_even, first.runs_format.file_name(), Vec::new())
        .context("rendering the results")?;
    for (file, bytes) in files {
        staging.write(&file, &bytes).with_context(|| format!("writing {file}"))?;
    }
    if let Some((file, bytes)) = file {
        staging.write(file, &bytes).with_context(|| format!("writing {file}"))?;
    }
    staging.seal("", "meta.json")?;
    staging.commit().with_context(|| format!("writing {}", args.out.display()))?;
    progress.note(&format!(
        "{}: merged {} shards ({} runs) in {:.1} s -> {}",
        first.scenario_file,
        parts.len(),
        first.runs,
        started.elapsed().as_secs_f64(),
        args.out.display()
    ));
    Ok(())
}

/// Reads every partial's `partial.json`, in shard order, and checks that they are all the
/// shards of one batch, each once.
fn read_parts(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, PartialMeta)>, AppError> {
    if dirs.is_empty() {
        return Err(AppError::BadInput("expected the folders of the partial results to merge, found none".into()));
    }
    let mut parts: Vec<(PathBuf, PartialMeta)> = Vec::new();
    let mut bad = Vec::new();
    for dir in dirs {
        match read_meta(dir).and_then(|m| super::integrity::verify(dir, partial::PARTIAL_JSON).map(|_| m)) {
            Ok(m) => parts.push((dir.clone(), m)),
            Err(e) => bad.push(e),
        }
    }
    if !bad.is_empty() {
        return Err(AppError::BadInput(bad.join("\n")));
    }
    parts.sort_by_key(|(_, m)| m.shard);
    let (first_dir, first) = &parts[0];
    for (dir, m) in &parts {
        bad.extend(mismatches(dir, m, first_dir, first));
    }
    if first.random_streams != STREAMS_VERSION {
        bad.push(format!(
            "{}: key `random_streams` in partial.json: expected {STREAMS_VERSION} (the random streams of this \
             contractsim, {}), found {}; merge the shards with the version that simulated them, or run them again \
             with this one",
            first_dir.display(),
            env!("CARGO_PKG_VERSION"),
            first.random_streams
        ));
    }
    bad.extend(shard_coverage(&parts, first.shards));
    if !bad.is_empty() {
        return Err(AppError::BadInput(bad.join("\n")));
    }
    Ok(parts)
}

/// How partial `m` (in `dir`) differs from the first partial: one message per key.
fn mismatches(dir: &Path, m: &PartialMeta, first_dir: &Path, first: &PartialMeta) -> Vec<String> {
    let mismatch = |what: &str, mine: String, theirs: String| {
        format!(
            "{}: key `{what}` in partial.json: expected {mine} (as in {}), found {theirs}; every shard must come \
             from the same batch",
            dir.display(),
            first_dir.display()
        )
    };
    let mut bad = Vec::new();
    if m.scenario_sha256 != first.scenario_sha256 {
        bad.push(mismatch("scenario_sha256", first.scenario_sha256.clone(), m.scenario_sha256.clone()));
    }
    for (key, a, b) in
        [("seed", first.seed, m.seed), ("runs", first.runs as u64, m.runs as u64), ("shards", first.shards, m.shards)]
    {
        if a != b {
            bad.push(mismatch(key, a.to_string(), b.to_string()));
        }
    }
    if m.tool_version != first.tool_version {
        bad.push(mismatch("tool_version", first.tool_version.clone(), m.tool_version.clone()));
    }
    if m.quantiles != first.quantiles {
        bad.push(mismatch("quantiles", first.quantiles.clone(), m.quantiles.clone()));
    }
    if m.sampling != first.sampling {
        bad.push(mismatch("sampling", first.sampling.clone(), m.sampling.clone()));
    }
    if m.random_streams != first.random_streams {
        bad.push(mismatch("random_streams", first.random_streams.to_string(), m.random_streams.to_string()));
    }
    if m.runs_format != first.runs_format {
        bad.push(mismatch("runs_format", first.runs_format.file_name().into(), m.runs_format.file_name().into()));
    }
    let expected = shard_runs(m.runs as u64, m.shard, m.shards.max(1));
    if m.shard >= m.shards || (m.first_run, m.end_run) != (expected.start, expected.end) {
        bad.push(format!(
            "{}: partial.json: expected shard K < N with runs {}..{} for shard {} of {}, found runs {}..{}",
            dir.display(),
            expected.start,
            expected.end,
            m.shard,
            m.shards,
            m.first_run,
            m.end_run
        ));
    }
    bad
}

/// Shards missing or given twice, given the partials in shard order.
fn shard_coverage(parts: &[(PathBuf, PartialMeta)], shards: u64) -> Vec<String> {
    let mut bad = Vec::new();
    let given: Vec<u64> = parts.iter().map(|(_, m)| m.shard).collect();
    // Lazily, and at most ten named: `shards` may be large.
    let mut missing: Vec<String> =
        (0..shards).filter(|k| !given.contains(k)).take(11).map(|k| format!("{k}/{shards}")).collect();
    if missing.len() > 10 {
        missing[10] = "...".into();
    }
    if !missing.is_empty() {
        bad.push(format!("expected all {shards} shards, missing: {}", missing.join(", ")));
    }
    let mut twice: Vec<String> = given.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].to_string()).collect();
    twice.dedup();
    if !twice.is_empty() {
        bad.push(format!("expected each shard once, found shard {} more than once", twice.join(", ")));
    }
    bad
}

/// The scenario the shards ran, from the first partial's copy, checked against its hash.
fn shipped_scenario(first_dir: &Path, first: &PartialMeta) -> Result<scenario::Scenario, AppError> {
    let path = first_dir.join(partial::SCENARIO_TOML);
    let text = scenario::read_text(&path).map_err(|e| AppError::BadInput(e.to_string()))?;
    let s = scenario::parse_str(&text, Path::new(&first.scenario_file))
        .map_err(|e| AppError::BadInput(format!("{}: {e}", path.display())))?;
    if s.sha256 != first.scenario_sha256 {
        return Err(AppError::BadInput(format!(
            "{}: expected the scenario with SHA-256 {}, found {}",
            path.display(),
            first.scenario_sha256,
            s.sha256
        )));
    }
    Ok(s)
}

/// Merges the partials' statistics in shard order and appends their runs files into
/// `staging`; returns the statistics and the most threads any shard used.
fn combine(
    plan: &Plan,
    parts: &[(PathBuf, PartialMeta)],
    first: &PartialMeta,
    staging: &output::Staging,
) -> Result<(Collector, usize), AppError> {
    let runs_name = first.runs_format.file_name();
    let mut runs_file =
        RunsWriter::create(staging.path(), plan, first.runs_format).with_context(|| format!("writing {runs_name}"))?;
    let mut collected: Option<Collector> = None;
    let mut threads = 0;
    for (dir, m) in parts {
        let path = dir.join(partial::STATS_BIN);
        let bytes = output::read_bounded(&path, u64::MAX / 2)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let c =
            Collector::from_bytes(plan, &bytes).map_err(|e| AppError::BadInput(format!("{}: {e}", path.display())))?;
        if c.stats.runs() != m.end_run - m.first_run {
            return Err(AppError::BadInput(format!(
                "{}: expected {} runs, found {}",
                path.display(),
                m.end_run - m.first_run,
                c.stats.runs()
            )));
        }
        match &mut collected {
            None => collected = Some(c),
            Some(all) => all.merge(c),
        }
        runs_file.append_file(&dir.join(runs_name)).with_context(|| format!("merging {runs_name}"))?;
        threads = threads.max(m.threads);
    }
    staging.finish_runs(runs_file).with_context(|| format!("writing {runs_name}"))?;
    Ok((collected.expect("at least one partial"), threads))
}

fn read_meta(dir: &Path) -> Result<PartialMeta, String> {
    let path = dir.join(partial::PARTIAL_JSON);
    let bytes = output::read_bounded(&path, output::MAX_RECORD_BYTES).map_err(|e| {
        format!(
            "{}: expected the partial results of `run --shard` (with partial.json), cannot read it: {e}",
            path.display()
        )
    })?;
    read_partial(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The checks `merge` makes on the text of a `partial.json` ([`read_partial`]), for the
/// fuzz target `record_json`.
pub fn check_partial(bytes: &[u8]) -> Result<(), String> {
    read_partial(bytes).map(|_| ())
}

/// The checks `merge` makes on the text of a `partial.json` before anything is sized by
/// it: a partial record of this format, with 1 to `runs` shards.
fn read_partial(bytes: &[u8]) -> Result<PartialMeta, String> {
    let meta: PartialMeta = serde_json::from_slice(bytes).map_err(|e| format!("not a partial.json: {e}"))?;
    if meta.format != partial::FORMAT {
        return Err(format!("key `format`: expected {}, found {}", partial::FORMAT, meta.format));
    }
    // Sizes from outside, bounded before anything is sized by them.
    if meta.runs == 0 || meta.shards == 0 || meta.shards > meta.runs as u64 {
        return Err(format!("key `shards`: expected 1 to `runs` ({}) shards, found {}", meta.runs, meta.shards));
    }
    Ok(meta)
}
