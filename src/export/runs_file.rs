//! The per-run data (`runs.csv`, or `runs.parquet` with `--runs-format parquet`): one row
//! per run and strategy with the horizon figures and the values drawn for the uncertain
//! parameters. `run` streams it to disk block by block ([`RunsWriter`]), so it is never held
//! whole in memory; CSV rows are formatted in parallel and written in run order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::digest::{Digesting, FileDigest};
#[cfg(feature = "outputs")]
use super::parquet::{RunsFileError, RunsParquet};
use super::{OutputError, cell};
use crate::engine::{Plan, RunRecord};
use crate::metrics::HORIZON;

pub use crate::results::partial::{RUNS_CSV, RUNS_PARQUET, RunsFormat};

/// The header line of `runs.csv`.
pub(crate) fn csv_header(plan: &Plan) -> Vec<u8> {
    let mut header: Vec<String> = vec!["run".into(), "strategy".into()];
    header.extend(HORIZON.iter().map(|m| m.to_string()));
    header.extend(plan.uncertain_params().map(str::to_string));
    line(&header)
}

fn line(fields: &[String]) -> Vec<u8> {
    let mut w = super::csv_files::writer();
    // Writing into memory cannot fail.
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

/// The rows of `runs`, in run order (formatted in parallel).
pub fn csv_rows(plan: &Plan, runs: &[RunRecord]) -> Vec<u8> {
    let s = &plan.scenario;
    let nh = HORIZON.len();
    let parts: Vec<Vec<u8>> = runs
        .par_iter()
        .map(|run| {
            let mut out = Vec::new();
            let params: Vec<String> = run.params.iter().map(|&x| cell(x)).collect();
            for (k, st) in s.strategies.iter().enumerate() {
                let mut row = Vec::with_capacity(2 + nh + params.len());
                row.push(run.run.to_string());
                row.push(st.id.clone());
                row.extend(run.horizon[k * nh..(k + 1) * nh].iter().map(|&x| cell(x)));
                row.extend(params.iter().cloned());
                out.extend(line(&row));
            }
            out
        })
        .collect();
    parts.concat()
}

/// Streams the per-run data into a folder.
pub(crate) struct RunsWriter {
    path: PathBuf,
    out: Out,
}

enum Out {
    Csv(BufWriter<Digesting<File>>),
    #[cfg(feature = "outputs")]
    Parquet(Box<RunsParquet>),
}

impl RunsWriter {
    /// Creates `dir/runs.csv` (with its header) or `dir/runs.parquet`.
    pub fn create(dir: &Path, plan: &Plan, format: RunsFormat) -> Result<Self, OutputError> {
        let path = dir.join(format.file_name());
        let out = match format {
            RunsFormat::Csv => {
                let f = File::create(&path).map_err(|e| write_error(&path, e))?;
                let mut out = BufWriter::with_capacity(1 << 20, Digesting::new(f));
                out.write_all(&csv_header(plan)).map_err(|e| write_error(&path, e))?;
                Out::Csv(out)
            }
            #[cfg(not(feature = "outputs"))]
            RunsFormat::Parquet => {
                return Err(OutputError::RunsFile("runs.parquet needs the `outputs` feature".into()));
            }
            #[cfg(feature = "outputs")]
            RunsFormat::Parquet => {
                let strategies: Vec<String> = plan.scenario.strategies.iter().map(|s| s.id.clone()).collect();
                let params: Vec<String> = plan.uncertain_params().map(str::to_string).collect();
                Out::Parquet(Box::new(
                    RunsParquet::create(&path, &strategies, &HORIZON, &params).map_err(parquet_error)?,
                ))
            }
        };
        Ok(RunsWriter { path, out })
    }

    /// Appends the rows of a block of runs.
    pub(crate) fn write_block(&mut self, plan: &Plan, runs: &[RunRecord]) -> Result<(), OutputError> {
        match &mut self.out {
            Out::Csv(out) => out.write_all(&csv_rows(plan, runs)).map_err(|e| write_error(&self.path, e)),
            #[cfg(feature = "outputs")]
            Out::Parquet(p) => {
                let n = plan.strategies() * HORIZON.len();
                for run in runs {
                    p.write_run(run.run, &run.horizon[..n], &run.params).map_err(parquet_error)?;
                }
                Ok(())
            }
        }
    }

    /// Appends the rows of another file of the same format (a shard's).
    pub(crate) fn append_file(&mut self, other: &Path) -> Result<(), OutputError> {
        match &mut self.out {
            Out::Csv(out) => {
                let f = File::open(other).map_err(|e| read_error(other, e))?;
                let mut r = std::io::BufReader::with_capacity(1 << 20, f);
                let mut header = Vec::new();
                std::io::BufRead::read_until(&mut r, b'\n', &mut header).map_err(|e| read_error(other, e))?;
                std::io::copy(&mut r, out).map_err(|e| write_error(&self.path, e))?;
                Ok(())
            }
            #[cfg(feature = "outputs")]
            Out::Parquet(p) => p.append_file(other).map_err(parquet_error),
        }
    }

    /// Flushes and closes the file; returns its path and, for `runs.csv`, its digest
    /// (hashed as it was written).
    pub fn finish(self) -> Result<(PathBuf, Option<FileDigest>), OutputError> {
        let path = self.path;
        match self.out {
            Out::Csv(out) => {
                let (f, digest) = out.into_inner().map_err(|e| write_error(&path, e.into_error()))?.finish();
                f.sync_all().map_err(|e| write_error(&path, e))?;
                Ok((path, Some(digest)))
            }
            #[cfg(feature = "outputs")]
            Out::Parquet(p) => {
                p.finish().map_err(parquet_error)?;
                Ok((path, None))
            }
        }
    }
}

#[cfg(feature = "outputs")]
fn parquet_error(e: RunsFileError) -> OutputError {
    OutputError::RunsFile(e.to_string())
}

fn write_error(path: &Path, e: std::io::Error) -> OutputError {
    OutputError::Write { path: path.to_path_buf(), reason: e.to_string() }
}

fn read_error(path: &Path, e: std::io::Error) -> OutputError {
    OutputError::Write { path: path.to_path_buf(), reason: format!("reading: {e}") }
}
