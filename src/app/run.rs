//! The run pipeline (`contractsim run`): simulate scenarios and write their results folders.
//!
//! Everything that can refuse a run is checked before any scenario is simulated: the
//! scenarios themselves, the destination folders (another scenario's results are not
//! replaced without `--force`), and the estimated time of each run. Runs are simulated
//! block by block and streamed: their statistics are accumulated and their rows written to
//! `runs.csv` in a temporary folder, so memory does not grow with the runs (beyond the
//! exact percentiles' budget). A SIGINT or SIGTERM stops the simulation between runs; the
//! temporary folder is removed, so the previous results stay as they were.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{AppError, Progress, RunRequest, scenario_files};
use crate::analysis::convergence::{Precision, needs_more};
use crate::app::{guard, output};
use crate::engine::{EngineError, Plan, RunOptions, RunRecord, StreamError, run_blocks, shard_runs};
use crate::export::runs_file::{RunsFormat, RunsWriter};
use crate::random::design::Sampling;
use crate::report::data::{WorldData, variant_folder};
use crate::report::render_world;
use crate::results::partial::{self, PartialMeta};
use crate::results::{BatchInfo, Collector, Columns, Results};
use crate::scenario;
use crate::stats::quantiles::QuantileMode;
use anyhow::Context;

/// Default memory for exact percentiles, MiB.
pub(crate) const QUANTILE_MEMORY_MIB: f64 = 576.0;

/// How `run --precision` draws the uncertain parameters unless `--sampling` says otherwise
/// (docs/performance.md: the design that reaches a precision in the fewest runs on the
/// shipped scenarios, with an MCSE that tests/it/sampling.rs checks is honest).
pub const PRECISION_SAMPLING: Sampling = Sampling::Sobol;

/// What one scenario's run is to do.
struct Job {
    plan: Plan,
    opts: RunOptions,
    dest: output::Destination,
    estimate: Duration,
    precision: Option<Precision>,
    shard: Option<(u64, u64)>,
    mode: QuantileMode,
    /// What the console says of the percentiles when not every one is exact.
    mode_note: Option<String>,
    format: RunsFormat,
}

/// Runs each scenario and writes `outputs/<file stem>/` (or the `--out` folder).
/// Every scenario is validated before any is simulated.
pub fn run(args: RunRequest, progress: &dyn Progress, stop: &'static AtomicBool) -> Result<(), AppError> {
    let files = scenario_files(args.files.clone())?;
    let (shard, budget) = check_flags(&args, files.len())?;
    let mut scenarios = Vec::new();
    let mut bad = Vec::new();
    for f in &files {
        match scenario::load(f) {
            Ok(s) => {
                bad.extend(crate::analysis::whatif::check_levers(&s));
                scenarios.push(s);
            }
            Err(e) => bad.push(e.to_string()),
        }
    }
    if !bad.is_empty() {
        return Err(AppError::BadInput(bad.join("\n")));
    }
    let several = scenarios.len() > 1;
    let mut jobs = Vec::new();
    for s in scenarios {
        let stem = s.file.file_stem().map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
        let dest = match (&args.out, several) {
            (Some(out), false) => out.clone(),
            (Some(out), true) => out.join(&stem),
            (None, _) => PathBuf::from("outputs").join(&stem),
        };
        let kind = if shard.is_some() { output::Kind::Partial } else { output::Kind::Results };
        let inputs = [s.file.as_path()];
        let claim = output::Claim { kind, file: &s.file, sha256: &s.sha256, inputs: &inputs };
        let dest = match output::check_destination(&dest, &claim, args.force) {
            Ok(d) => d,
            Err(e) => {
                bad.push(e.to_string());
                continue;
            }
        };
        let precision = match args.precision {
            None => None,
            Some(p) if p.is_finite() && p > 0.0 => {
                Some(Precision { mcse_eur: p, max_runs: args.max_runs.unwrap_or(1_000_000).max(2) })
            }
            Some(p) => return Err(AppError::BadInput(format!("--precision: expected euros > 0, found {p}"))),
        };
        let sampling = args.sampling.unwrap_or(if precision.is_some() { PRECISION_SAMPLING } else { Sampling::Mc });
        let precision = precision.map(|p| Precision { max_runs: sampling.whole_runs(p.max_runs as u64) as usize, ..p });
        // Under a design of replicates the MCSE rests on the replicates: at least 16 of
        // them before `--precision` may stop (its estimate then has 15 degrees of freedom).
        let first_precision = if sampling.replicate_runs() > 1 { 16 * sampling.replicate_runs() as usize } else { 100 };
        let asked =
            if precision.is_some() { args.runs.unwrap_or(first_precision) } else { args.runs.unwrap_or(s.runs) };
        let first = sampling.whole_runs(asked as u64) as usize;
        if first != asked {
            progress.note(&format!(
                "{}: --sampling {} makes whole replicates of {} runs: {first} runs, not {asked}",
                s.file.display(),
                sampling.name(),
                sampling.replicate_runs()
            ));
        }
        let opts = RunOptions { runs: first, seed: args.seed.unwrap_or(s.seed), threads: args.threads };
        let source = if args.runs.is_some() { "--runs" } else { "scenario.runs" };
        jobs.push((s, opts, dest, source, precision, sampling));
    }
    let dests: Vec<(PathBuf, PathBuf)> =
        jobs.iter().map(|(s, _, d, ..)| (d.path().to_path_buf(), s.file.clone())).collect();
    if let Err(e) = output::check_distinct(&dests) {
        bad.push(e.to_string());
    }
    if !bad.is_empty() {
        return Err(AppError::BadInput(bad.join("\n")));
    }
    // Plans are built and timed on one run up front, so that a run that would take days is
    // refused before any other scenario is simulated.
    let mut planned = Vec::new();
    for (s, opts, dest, source, precision, sampling) in jobs {
        if shard.is_some() && !s.variants.is_empty() {
            bad.push(format!(
                "{}: --shard: expected a scenario without `[[variant]]`, found {} variant(s); run it whole, \
                 or each variant as a scenario file of its own",
                s.file.display(),
                s.variants.len()
            ));
            continue;
        }
        for w in &s.warnings {
            progress.note(&format!("warning: {}: {w}", s.file.display()));
        }
        let plan = Plan::new(s).with_stop(stop).with_sampling(sampling);
        let most = precision.map_or(opts.runs, |p| p.max_runs.max(opts.runs));
        if let Some((_, n)) = shard
            && n > most as u64
        {
            bad.push(format!(
                "{}: --shard: expected at most as many shards as runs ({most}), found {n} shards",
                plan.scenario.file.display()
            ));
            continue;
        }
        let share = shard.map_or(most, |(k, n)| {
            let r = shard_runs(most as u64, k, n);
            (r.end - r.start) as usize
        });
        // Every variant's world simulates the same runs again.
        let share = share.saturating_mul(1 + plan.scenario.variants.len());
        match estimate_time(&plan, &opts, share, source) {
            Ok(estimate) => {
                let mode = quantile_mode(&plan, most, budget);
                let mode_note = quantile_note(&plan, most, budget, mode);
                let format = args.runs_format;
                planned.push(Job { plan, opts, dest, estimate, precision, shard, mode, mode_note, format })
            }
            Err(e) => bad.push(e),
        }
    }
    if !bad.is_empty() {
        return Err(AppError::BadInput(bad.join("\n")));
    }
    for job in planned {
        run_one(job, progress, stop)?;
    }
    Ok(())
}

/// The flags that can be refused before any file is read: the shard (`--shard K/N`) and the
/// memory for exact percentiles, MiB.
fn check_flags(args: &RunRequest, files: usize) -> Result<(Option<(u64, u64)>, f64), AppError> {
    if args.runs == Some(0) {
        return Err(AppError::BadInput("--runs: expected at least 1 run, found 0".into()));
    }
    guard::check_threads(args.threads)?;
    if args.max_runs == Some(0) {
        return Err(AppError::BadInput("--max-runs: expected at least 2 runs, found 0".into()));
    }
    if args.max_runs.is_some() && args.precision.is_none() {
        return Err(AppError::BadInput("--max-runs: expected together with --precision, found it alone".into()));
    }
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() && args.precision.is_some() {
        return Err(AppError::BadInput(
            "--shard: expected a fixed number of runs, found --precision too (shards need the same --runs)".into(),
        ));
    }
    if shard.is_some() && files != 1 {
        return Err(AppError::BadInput(format!(
            "--shard: expected one scenario file, found {files}; run each scenario's shards separately"
        )));
    }
    let budget = match args.quantile_memory {
        None => QUANTILE_MEMORY_MIB,
        Some(m) if m.is_finite() && m >= 0.0 => m,
        Some(m) => return Err(AppError::BadInput(format!("--quantile-memory: expected MiB >= 0, found {m}"))),
    };
    Ok((shard, budget))
}

/// Bytes of the statistics kept for `runs` runs with exact percentiles of `figures`
/// figures: every value (8 bytes each). Sketches take a fixed amount whatever the number
/// of runs.
fn exact_quantile_bytes(figures: usize, runs: usize) -> f64 {
    figures as f64 * 8.0 * runs as f64
}

/// How percentiles are kept for a batch of `runs` runs: exact when every figure of every
/// run fits in `budget_mib` MiB; otherwise exact for the figures the reports, charts and
/// summary tables give percentiles of ([`Columns::reported`]) when those fit, with the
/// detail sketched; otherwise sketches.
pub(crate) fn quantile_mode(plan: &Plan, runs: usize, budget_mib: f64) -> QuantileMode {
    let budget = budget_mib * 1024.0 * 1024.0;
    let columns = Columns::new(plan);
    if exact_quantile_bytes(columns.width, runs) <= budget {
        return QuantileMode::Exact;
    }
    let reported = columns.reported_figures(plan);
    if exact_quantile_bytes(reported, runs) <= budget { QuantileMode::Mixed } else { QuantileMode::Sketch }
}

/// What the console says when not every percentile of `runs` runs is exact.
fn quantile_note(plan: &Plan, runs: usize, budget_mib: f64, mode: QuantileMode) -> Option<String> {
    let columns = Columns::new(plan);
    let reported = columns.reported_figures(plan);
    let mib = |figures: usize| format!("{:.0} MiB", exact_quantile_bytes(figures, runs) / (1024.0 * 1024.0));
    match mode {
        QuantileMode::Exact => None,
        QuantileMode::Mixed => Some(format!(
            "percentiles exact for the {reported} figures that the reports, charts and summary tables give ({}); \
             the other metrics of yearly.csv ({}, listed in meta.json) from sketches, within 0.1%: every figure \
             of every run would take {}, more than --quantile-memory {budget_mib} MiB",
            mib(reported),
            Columns::sketched_metrics(plan).len(),
            mib(columns.width)
        )),
        QuantileMode::Sketch => Some(format!(
            "percentiles from sketches, within 0.1%: even the {reported} figures that the reports give would take \
             {}, more than --quantile-memory {budget_mib} MiB",
            mib(reported)
        )),
    }
}

/// Parses `--shard K/N`.
fn parse_shard(text: &str) -> Result<(u64, u64), AppError> {
    let bad = || {
        AppError::BadInput(format!(
            "--shard: expected K/N with 0 <= K < N (shard K of N, counted from 0), e.g. --shard 0/4, found `{text}`"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Times one run (run 0, which the batch makes again) and scales it to the batch.
fn estimate_time(plan: &Plan, opts: &RunOptions, runs: usize, source: &str) -> Result<Duration, String> {
    let cost = guard::measure(plan, opts.seed);
    guard::check_time(&plan.scenario.file, source, cost, runs as f64, opts.threads)
}

fn run_one(job: Job, progress: &dyn Progress, stop: &AtomicBool) -> Result<(), AppError> {
    let Job { plan, opts, dest, estimate, precision, shard, mode, mode_note, format } = job;
    let name = plan.scenario.name.clone();
    let file = plan.scenario.file.clone();
    let total = precision.map_or(opts.runs, |p| p.max_runs.max(opts.runs));
    let range = shard.map_or(0..total as u64, |(k, n)| shard_runs(total as u64, k, n));
    let todo = (range.end - range.start) as usize;
    // Also the marker that the simulation has started (tests wait for it).
    progress.note(&format!(
        "{}: simulating {} runs x {} strategies{} (about {})",
        file.display(),
        if precision.is_some() { opts.runs } else { todo },
        plan.strategies(),
        shard.map_or(String::new(), |(k, n)| format!(", shard {k} of {n}: runs {} to {}", range.start, range.end)),
        guard::human(estimate.as_secs_f64())
    ));
    if let Some(note) = mode_note {
        progress.note(&format!("{}: {note}", file.display()));
    }
    progress.start(&name, todo as u64);
    let started = Instant::now();
    let interrupted = |done: usize| {
        AppError::Interrupted(format!(
            "{}: interrupted after {done} of {} runs; nothing was written, {} is as it was",
            file.display(),
            todo,
            dest.path().display()
        ))
    };
    let staging = output::Staging::new(&dest).with_context(|| format!("writing {}", dest.path().display()))?;
    let runs_name = format.file_name();
    let mut runs_file =
        RunsWriter::create(staging.path(), &plan, format).with_context(|| format!("writing {runs_name}"))?;
    let mut collected = Collector::new(&plan, mode);
    let sink = |block: u64, records: &[RunRecord]| -> Result<bool, crate::export::OutputError> {
        collected.add_block(&plan, block, records);
        runs_file.write_block(&plan, records)?;
        Ok(precision.is_none_or(|p| needs_more(&collected, opts.runs, &p)))
    };
    let done = match run_blocks(&plan, &opts, range.clone(), &|| progress.inc(), stop, sink) {
        Ok(done) => done,
        Err(StreamError::Engine(EngineError::Stopped { done, .. })) => {
            progress.finish();
            return Err(interrupted(done));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("running the simulation").into()),
    };
    progress.finish();
    staging.finish_runs(runs_file).with_context(|| format!("writing {runs_name}"))?;
    let threads = rayon_threads(opts.threads);
    let write = |file: &str, bytes: &[u8]| staging.write(file, bytes).with_context(|| format!("writing {file}"));
    match shard {
        Some(shard) => {
            let at = Shard { shard, range: range.clone(), total, mode, format, threads };
            write_partial(&plan, &opts, &at, &collected, &staging)?;
            staging.seal("", partial::PARTIAL_JSON)?;
        }
        None => {
            let info = BatchInfo { seed: opts.seed, threads, runs: done as usize };
            let results = Results::collected(&plan, info, collected);
            let (break_even, file) = break_even_file(&results, opts.threads)?;
            if stop.load(Ordering::SeqCst) {
                return Err(interrupted(done as usize));
            }
            let batch = WorldBatch { opts: &opts, runs: done as usize, mode, format };
            let worlds = simulate_worlds(&plan, &batch, &staging, progress, stop).map_err(|e| match e {
                WorldError::Stopped => interrupted(done as usize),
                WorldError::App(e) => e,
            })?;
            let (files, _) =
                render_world(results, &break_even, format.file_name(), worlds).context("rendering the results")?;
            for (file, bytes) in files {
                write(&file, &bytes)?;
            }
            if let Some((file, bytes)) = file {
                write(file, &bytes)?;
            }
            for v in &plan.scenario.variants {
                staging.seal(&variant_folder(&v.world.id), "meta.json")?;
            }
            staging.seal("", "meta.json")?;
        }
    }
    if stop.load(Ordering::SeqCst) {
        return Err(interrupted(done as usize));
    }
    staging.commit().with_context(|| format!("writing {}", dest.path().display()))?;
    progress.note(&format!(
        "{}: {} runs x {} strategies in {:.1} s -> {}",
        file.display(),
        done,
        plan.strategies(),
        started.elapsed().as_secs_f64(),
        dest.path().display()
    ));
    Ok(())
}

use crate::analysis::break_even::BreakEvenRow;

/// Why the variants' worlds could not be simulated.
enum WorldError {
    /// A SIGINT or SIGTERM stopped the simulation.
    Stopped,
    /// Anything else.
    App(AppError),
}

impl From<AppError> for WorldError {
    fn from(e: AppError) -> Self {
        WorldError::App(e)
    }
}

impl From<anyhow::Error> for WorldError {
    fn from(e: anyhow::Error) -> Self {
        WorldError::App(e.into())
    }
}

/// The batch every variant's world repeats: the file's own world's options, its final
/// number of runs, its percentile mode and its per-run file format.
#[derive(Clone, Copy)]
struct WorldBatch<'a> {
    opts: &'a RunOptions,
    runs: usize,
    mode: QuantileMode,
    format: RunsFormat,
}

/// Simulates each `[[variant]]` of the scenario that `plan` plans on the same seed and the
/// same `runs` runs as its own world (common random numbers), and writes each world's
/// complete results into `variants/<id>/` of the staging folder: the world's data, for
/// the reports of the file's own world, and its `summary.csv`, for `variants.csv`.
fn simulate_worlds(
    plan: &Plan,
    batch: &WorldBatch<'_>,
    staging: &output::Staging,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> Result<Vec<(WorldData, Vec<u8>)>, WorldError> {
    let WorldBatch { opts, runs, mode, format } = *batch;
    let mut out = Vec::new();
    for variant in &plan.scenario.variants {
        let world = Plan::in_world(variant, plan);
        let folder = variant_folder(&variant.world.id);
        let dir = staging.path().join(&folder);
        std::fs::create_dir_all(&dir).with_context(|| format!("writing {folder}"))?;
        progress.start(&format!("{} ({})", plan.scenario.name, variant.world.name), runs as u64);
        let runs_name = format.file_name();
        let mut runs_file =
            RunsWriter::create(&dir, &world, format).with_context(|| format!("writing {folder}/{runs_name}"))?;
        let mut collected = Collector::new(&world, mode);
        let sink = |block: u64, records: &[RunRecord]| -> Result<bool, crate::export::OutputError> {
            collected.add_block(&world, block, records);
            runs_file.write_block(&world, records)?;
            Ok(true)
        };
        let done = match run_blocks(&world, opts, 0..runs as u64, &|| progress.inc(), stop, sink) {
            Ok(done) => done,
            Err(StreamError::Engine(EngineError::Stopped { .. })) => {
                progress.finish();
                return Err(WorldError::Stopped);
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context("running the simulation of a variant").into());
            }
        };
        progress.finish();
        staging.finish_runs(runs_file).with_context(|| format!("writing {folder}/{runs_name}"))?;
        let info = BatchInfo { seed: opts.seed, threads: rayon_threads(opts.threads), runs: done as usize };
        let results = Results::collected(&world, info, collected);
        let (break_even, file) = break_even_file(&results, opts.threads)?;
        let (files, data) =
            render_world(results, &break_even, runs_name, Vec::new()).context("rendering the results of a variant")?;
        let mut summary = Vec::new();
        for (name, bytes) in files.into_iter().chain(file.map(|(f, b)| (f.to_string(), b))) {
            if name == "summary.csv" {
                summary = bytes.clone();
            }
            let path = format!("{folder}/{name}");
            staging.write(&path, &bytes).with_context(|| format!("writing {path}"))?;
        }
        out.push((WorldData { world: variant.world.clone(), data: Box::new(data) }, summary));
    }
    Ok(out)
}

/// `break_even_inputs.csv` of a batch (reruns of its first runs on common random numbers,
/// `analysis::break_even`); `None` when it has no rows (one run, or no strategy besides the
/// baseline).
pub(crate) fn break_even_file(
    results: &Results,
    threads: usize,
) -> Result<(Vec<BreakEvenRow>, BreakEvenFile), AppError> {
    use crate::analysis::break_even::{BreakEvenOptions, break_even};
    use crate::export::break_even::{BREAK_EVEN_CSV, render_rows};
    let opts = BreakEvenOptions { runs: results.info.runs, seed: results.info.seed, threads };
    let rows = break_even(results.plan, &results.collected.sample, &opts).context("running the break-even reruns")?;
    if rows.is_empty() {
        return Ok((rows, None));
    }
    let bytes = render_rows(&rows).context("rendering break_even_inputs.csv")?;
    Ok((rows, Some((BREAK_EVEN_CSV, bytes))))
}

/// `break_even_inputs.csv` by name and contents, when a batch has one.
pub(crate) type BreakEvenFile = Option<(&'static str, Vec<u8>)>;

/// Where a shard sits in its batch, for its `partial.json`.
struct Shard {
    shard: (u64, u64),
    range: std::ops::Range<u64>,
    total: usize,
    mode: QuantileMode,
    format: RunsFormat,
    threads: usize,
}

/// Writes a shard's `partial.json`, its copy of the scenario (refusing a file that changed
/// while it was simulated) and its statistics into the staging folder.
fn write_partial(
    plan: &Plan,
    opts: &RunOptions,
    at: &Shard,
    collected: &Collector,
    staging: &output::Staging,
) -> Result<(), AppError> {
    let file = &plan.scenario.file;
    let write = |name: &str, bytes: &[u8]| staging.write(name, bytes).with_context(|| format!("writing {name}"));
    let (k, n) = at.shard;
    let meta = PartialMeta {
        format: partial::FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: file.display().to_string(),
        scenario_sha256: plan.scenario.sha256.clone(),
        seed: opts.seed,
        runs: at.total,
        shard: k,
        shards: n,
        first_run: at.range.start,
        end_run: at.range.end,
        quantiles: mode_name(at.mode).into(),
        threads: at.threads,
        runs_format: at.format,
        sampling: plan.sampling().name().into(),
        random_streams: crate::random::rng::STREAMS_VERSION,
    };
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let same = std::str::from_utf8(&text)
        .ok()
        .and_then(|t| scenario::parse_str(t, file).ok())
        .is_some_and(|s| s.sha256 == plan.scenario.sha256);
    if !same {
        return Err(AppError::BadInput(format!(
            "{}: the file changed while it was simulated; run the shard again",
            file.display()
        )));
    }
    write(partial::SCENARIO_TOML, &text)?;
    // Hashed as it is written, at the same time as the copy into the file (the largest
    // file of a shard: read back to be sealed, it kept one core busy alone).
    let path = staging.path().join(partial::STATS_BIN);
    let f = std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
    let mut out = crate::export::digest::Digesting::new(f);
    collected.write_to(&mut out).with_context(|| format!("writing {}", path.display()))?;
    let (f, digest) = out.finish();
    f.sync_all().with_context(|| format!("writing {}", path.display()))?;
    staging.record(path, Some(digest));
    write(partial::PARTIAL_JSON, &serde_json::to_vec_pretty(&meta).context("writing partial.json")?)?;
    Ok(())
}

pub(crate) use guard::rayon_threads;

/// The name of a percentile mode in `partial.json`.
pub(crate) fn mode_name(mode: QuantileMode) -> &'static str {
    match mode {
        QuantileMode::Exact => "exact",
        QuantileMode::Mixed => "mixed",
        QuantileMode::Sketch => "sketch",
    }
}
