//! `runs.parquet`: the per-run data of `runs.csv` as an Apache Parquet file, streamed to
//! disk in row groups while the simulation runs, and read back by `report` and `merge`.
//!
//! Columns: `run` (UInt64), `strategy` (Utf8), one Float64 column per horizon metric and
//! one Float64 column per uncertain parameter: the same columns, in the same order, as
//! `runs.csv`. An undefined value (NaN, an empty cell in `runs.csv`) is written as null and
//! read back as NaN; every other value round-trips bit for bit.
//!
//! Memory is bounded: [`RunsParquet`] buffers at most [`BATCH_ROWS`] rows as plain
//! numbers and the Parquet writer at most one encoded, compressed row group of
//! [`ROW_GROUP_ROWS`] rows, however many runs are written.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

/// Rows per row group: 65,536 rows of ~40 columns are a few MiB once encoded, small enough
/// to buffer and large enough for efficient column scans.
pub(crate) const ROW_GROUP_ROWS: usize = 65_536;

/// Rows buffered as plain numbers before they are handed to the Parquet encoder.
pub(crate) const BATCH_ROWS: usize = 8_192;

/// Key-value metadata: the contractsim version that wrote the file.
pub(crate) const KEY_VERSION: &str = "contractsim.version";
/// Key-value metadata: the strategy ids in order (a JSON list).
pub(crate) const KEY_STRATEGIES: &str = "contractsim.strategies";
/// Key-value metadata: the names of the horizon-metric columns (a JSON list); the
/// remaining Float64 columns are the uncertain parameters.
pub(crate) const KEY_METRICS: &str = "contractsim.metrics";

/// Errors writing or reading a runs file; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum RunsFileError {
    /// The file could not be created, opened or synced.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The Parquet encoder or decoder failed.
    #[error("{action} {}: {source}", path.display())]
    Parquet {
        /// "writing" or "reading".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: ParquetError,
    },
    /// Building or decoding a batch of columns failed.
    #[error("{action} {}: {source}", path.display())]
    Arrow {
        /// "writing" or "reading".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: ArrowError,
    },
    /// The columns asked for, or a run passed to [`RunsParquet::write_run`], do not fit.
    #[error("writing {}: {reason}", path.display())]
    BadInput {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file is a Parquet file but not a runs file as contractsim writes it.
    #[error("reading {}: not a contractsim runs file: {reason}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Streams per-run data to a Parquet file in row groups, with bounded memory.
pub struct RunsParquet {
    path: PathBuf,
    writer: ArrowWriter<File>,
    schema: SchemaRef,
    strategies: Vec<String>,
    n_metrics: usize,
    n_params: usize,
    /// Buffered rows: run id, strategy index, then one column per metric and parameter.
    runs: Vec<u64>,
    strategy: Vec<usize>,
    values: Vec<Vec<f64>>,
}

impl RunsParquet {
    /// Creates `path`. Columns: `run` (UInt64), `strategy` (Utf8), one Float64 column per
    /// name in `metrics`, one Float64 column per name in `params`. NaN values are written
    /// as null.
    pub fn create(
        path: &Path,
        strategies: &[String],
        metrics: &[&str],
        params: &[String],
    ) -> Result<Self, RunsFileError> {
        Self::create_with(path, strategies, metrics, params, ROW_GROUP_ROWS)
    }

    /// [`RunsParquet::create`] with `group_rows` rows per row group.
    pub(crate) fn create_with(
        path: &Path,
        strategies: &[String],
        metrics: &[&str],
        params: &[String],
        group_rows: usize,
    ) -> Result<Self, RunsFileError> {
        let bad = |reason: String| RunsFileError::BadInput { path: path.to_path_buf(), reason };
        if strategies.is_empty() {
            return Err(bad("no strategies".into()));
        }
        if group_rows == 0 {
            return Err(bad("a row group must hold at least one row".into()));
        }
        let mut names: Vec<&str> = vec!["run", "strategy"];
        names.extend(metrics.iter().copied());
        names.extend(params.iter().map(String::as_str));
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = names.iter().find(|n| !seen.insert(**n)) {
            return Err(bad(format!("column `{dup}` appears twice")));
        }
        let mut fields =
            vec![Field::new("run", DataType::UInt64, false), Field::new("strategy", DataType::Utf8, false)];
        fields.extend(names[2..].iter().map(|n| Field::new(*n, DataType::Float64, true)));
        let schema = Arc::new(Schema::new(fields));

        let json = |v: &[&str]| serde_json::to_string(v).expect("a list of strings serialises");
        let strategy_names: Vec<&str> = strategies.iter().map(String::as_str).collect();
        let metadata = vec![
            KeyValue::new(KEY_VERSION.into(), env!("CARGO_PKG_VERSION").to_string()),
            KeyValue::new(KEY_STRATEGIES.into(), json(&strategy_names)),
            KeyValue::new(KEY_METRICS.into(), json(metrics)),
        ];
        // Snappy: pure Rust (the `snap` crate, no C toolchain or system library), the
        // default codec of pyarrow, Spark and DuckDB, so every Parquet reader opens the file;
        // zstd compresses ~20 % better but needs a C build of libzstd. `created_by` keeps
        // parquet-rs's own value, which readers use to recognise writer quirks; the
        // contractsim version is in the key-value metadata instead.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(group_rows))
            .set_key_value_metadata(Some(metadata))
            .build();
        let file = File::create(path).map_err(|source| RunsFileError::Io { path: path.to_path_buf(), source })?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|source| RunsFileError::Parquet { action: "writing", path: path.to_path_buf(), source })?;
        let columns = metrics.len() + params.len();
        Ok(RunsParquet {
            path: path.to_path_buf(),
            writer,
            schema,
            strategies: strategies.to_vec(),
            n_metrics: metrics.len(),
            n_params: params.len(),
            runs: Vec::with_capacity(BATCH_ROWS),
            strategy: Vec::with_capacity(BATCH_ROWS),
            values: vec![Vec::with_capacity(BATCH_ROWS); columns],
        })
    }

    /// Appends one run: `horizon` is strategy-major (`strategies.len() * metrics.len()`
    /// values), `params` one value per parameter; writes one row per strategy (in strategy
    /// order), the run's parameter values repeated on each row as runs.csv does.
    pub fn write_run(&mut self, run: u64, horizon: &[f64], params: &[f64]) -> Result<(), RunsFileError> {
        let (n, nm) = (self.strategies.len(), self.n_metrics);
        if horizon.len() != n * nm || params.len() != self.n_params {
            return Err(RunsFileError::BadInput {
                path: self.path.clone(),
                reason: format!(
                    "run {run}: {} horizon values and {} parameter values, expected {} ({n} strategies × {nm} \
                     metrics) and {}",
                    horizon.len(),
                    params.len(),
                    n * nm,
                    self.n_params
                ),
            });
        }
        for k in 0..n {
            self.runs.push(run);
            self.strategy.push(k);
            for (m, &x) in horizon[k * nm..(k + 1) * nm].iter().enumerate() {
                self.values[m].push(x);
            }
            for (p, &x) in params.iter().enumerate() {
                self.values[nm + p].push(x);
            }
        }
        if self.runs.len() >= BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Appends every row of another runs file with the same columns and strategies (a
    /// shard's partial `runs.parquet`, for `merge`), streaming it batch by batch so that
    /// memory stays bounded however large the file is.
    pub(crate) fn append_file(&mut self, other: &Path) -> Result<(), RunsFileError> {
        self.write_batch()?;
        let bad = |reason: String| RunsFileError::BadFile { path: other.to_path_buf(), reason };
        let pq = |source| RunsFileError::Parquet { action: "reading", path: other.to_path_buf(), source };
        let file = File::open(other).map_err(|source| RunsFileError::Io { path: other.to_path_buf(), source })?;
        let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(pq)?;
        let (ours, theirs) = (self.schema.fields(), builder.schema().fields().clone());
        if ours.len() != theirs.len()
            || ours.iter().zip(theirs.iter()).any(|(a, b)| a.name() != b.name() || a.data_type() != b.data_type())
        {
            return Err(bad(format!("its columns differ from those of {}", self.path.display())));
        }
        let strategies = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|e| e.key == KEY_STRATEGIES))
            .and_then(|e| e.value.as_deref())
            .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok());
        if strategies.as_ref() != Some(&self.strategies) {
            return Err(bad(format!("its strategies differ from those of {}", self.path.display())));
        }
        let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(pq)?;
        for batch in reader {
            let batch = batch.map_err(|source| RunsFileError::Arrow {
                action: "reading",
                path: other.to_path_buf(),
                source,
            })?;
            let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())
                .map_err(|source| RunsFileError::Arrow { action: "reading", path: other.to_path_buf(), source })?;
            self.writer.write(&batch).map_err(|source| RunsFileError::Parquet {
                action: "writing",
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Hands the buffered rows to the encoder, which closes a row group whenever it holds
    /// [`ROW_GROUP_ROWS`] rows.
    fn write_batch(&mut self) -> Result<(), RunsFileError> {
        if self.runs.is_empty() {
            return Ok(());
        }
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(2 + self.values.len());
        columns.push(Arc::new(UInt64Array::from(std::mem::take(&mut self.runs))));
        columns
            .push(Arc::new(StringArray::from_iter_values(self.strategy.iter().map(|&k| self.strategies[k].as_str()))));
        self.strategy.clear();
        for col in &mut self.values {
            columns.push(Arc::new(col.iter().map(|&x| (!x.is_nan()).then_some(x)).collect::<Float64Array>()));
            col.clear();
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(|source| RunsFileError::Arrow {
            action: "writing",
            path: self.path.clone(),
            source,
        })?;
        self.writer.write(&batch).map_err(|source| RunsFileError::Parquet {
            action: "writing",
            path: self.path.clone(),
            source,
        })
    }

    /// Flushes the last row group and closes the file.
    pub fn finish(mut self) -> Result<(), RunsFileError> {
        self.write_batch()?;
        let path = self.path;
        let file = self.writer.into_inner().map_err(|source| RunsFileError::Parquet {
            action: "writing",
            path: path.clone(),
            source,
        })?;
        file.sync_all().map_err(|source| RunsFileError::Io { path, source })
    }
}

/// The per-run data read back (used by `contractsim report` and `merge`).
#[derive(Debug, Clone)]
pub struct RunsData {
    /// Run ids, in file order.
    pub run_ids: Vec<u64>,
    /// Strategy ids, in the order of each run's rows.
    pub strategies: Vec<String>,
    /// Horizon metrics, `[run][strategy][metric]`; NaN where the file holds null.
    pub horizon: Vec<f64>,
    /// Horizon-metric names.
    pub metrics: Vec<String>,
    /// Parameter values, `[run][param]`; NaN where the file holds null.
    pub params: Vec<f64>,
    /// Parameter names.
    pub param_names: Vec<String>,
}

/// Reads a runs file written by [`RunsParquet`]: at most `max_runs` runs if given.
///
/// The strategies and the split between metric and parameter columns come from the file's
/// key-value metadata; a file rewritten by another tool without it still reads when its
/// metric columns are named as in [`crate::metrics::HORIZON`] and come first.
pub fn read_runs_parquet(path: &Path, max_runs: Option<usize>) -> Result<RunsData, RunsFileError> {
    let pq = |source| RunsFileError::Parquet { action: "reading", path: path.to_path_buf(), source };
    let file = File::open(path).map_err(|source| RunsFileError::Io { path: path.to_path_buf(), source })?;
    // Column types from the Parquet schema alone, not from an embedded Arrow schema, so that a
    // file rewritten by pandas, polars or DuckDB reads the same.
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(pq)?;
    let (data, strategies, known) = columns_of(&builder, path)?;
    let mut rows =
        Rows { bad_path: path, n_metrics: data.metrics.len(), data, strategies, row_in_run: 0, first_run_done: known };
    if max_runs == Some(0) {
        return Ok(rows.into_data());
    }
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(pq)?;
    for batch in reader {
        let batch =
            batch.map_err(|source| RunsFileError::Arrow { action: "reading", path: path.to_path_buf(), source })?;
        if !rows.read_batch(&batch, max_runs)? {
            break;
        }
    }
    rows.finish()
}

/// The column layout of a runs file: an empty [`RunsData`] with its metric and parameter
/// names, the strategies named in its metadata, and whether they were.
fn columns_of(
    builder: &ParquetRecordBatchReaderBuilder<File>,
    path: &Path,
) -> Result<(RunsData, Vec<String>, bool), RunsFileError> {
    let bad = |reason: String| RunsFileError::BadFile { path: path.to_path_buf(), reason };
    let kv = |key: &str| -> Result<Option<Vec<String>>, RunsFileError> {
        let Some(value) = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|e| e.key == key))
            .and_then(|e| e.value.as_deref())
        else {
            return Ok(None);
        };
        serde_json::from_str(value).map(Some).map_err(|e| bad(format!("metadata {key}: {e}")))
    };
    let schema = builder.schema().clone();
    let fields = schema.fields();
    if fields.len() < 2 || fields[0].name() != "run" || fields[1].name() != "strategy" {
        return Err(bad("the first two columns must be `run` and `strategy`".into()));
    }
    if !matches!(fields[0].data_type(), DataType::UInt64 | DataType::Int64) {
        return Err(bad(format!("column `run` is {}, expected an integer", fields[0].data_type())));
    }
    if fields[1].data_type() != &DataType::Utf8 {
        return Err(bad(format!("column `strategy` is {}, expected text", fields[1].data_type())));
    }
    let value_names: Vec<String> = fields[2..].iter().map(|f| f.name().clone()).collect();
    if let Some(f) = fields[2..].iter().find(|f| f.data_type() != &DataType::Float64) {
        return Err(bad(format!("column `{}` is {}, expected Float64", f.name(), f.data_type())));
    }
    let n_metrics = match kv(KEY_METRICS)? {
        Some(metrics) => {
            if value_names.len() < metrics.len() || value_names[..metrics.len()] != metrics[..] {
                return Err(bad(format!("metadata {KEY_METRICS} does not match the columns")));
            }
            metrics.len()
        }
        None => value_names.iter().take_while(|n| crate::metrics::HORIZON.contains(&n.as_str())).count(),
    };
    let (strategies, known) = match kv(KEY_STRATEGIES)? {
        Some(s) if !s.is_empty() => (s, true),
        Some(_) => return Err(bad(format!("metadata {KEY_STRATEGIES} is empty"))),
        None => (Vec::new(), false),
    };
    let data = RunsData {
        run_ids: Vec::new(),
        strategies: Vec::new(),
        horizon: Vec::new(),
        metrics: value_names[..n_metrics].to_vec(),
        params: Vec::new(),
        param_names: value_names[n_metrics..].to_vec(),
    };
    Ok((data, strategies, known))
}

/// The runs read so far, and where the reader is within the current run. While the
/// strategies are not known from the metadata, the first run's rows define them.
struct Rows<'a> {
    bad_path: &'a Path,
    n_metrics: usize,
    data: RunsData,
    strategies: Vec<String>,
    row_in_run: usize,
    first_run_done: bool,
}

impl Rows<'_> {
    fn bad(&self, reason: String) -> RunsFileError {
        RunsFileError::BadFile { path: self.bad_path.to_path_buf(), reason }
    }

    /// Reads the rows of a batch; false once `max_runs` runs are read.
    fn read_batch(&mut self, batch: &RecordBatch, max_runs: Option<usize>) -> Result<bool, RunsFileError> {
        let run_col = batch.column(0);
        let strategy_col = batch.column(1).as_string::<i32>();
        let value_cols: Vec<&Float64Array> =
            batch.columns()[2..].iter().map(|c| c.as_primitive::<Float64Type>()).collect();
        let value = |c: &Float64Array, i: usize| if c.is_null(i) { f64::NAN } else { c.value(i) };
        for i in 0..batch.num_rows() {
            if run_col.is_null(i) {
                return Err(self.bad("a `run` cell is empty".into()));
            }
            let run = match run_col.as_primitive_opt::<UInt64Type>() {
                Some(a) => a.value(i),
                None => {
                    let v = run_col.as_primitive::<Int64Type>().value(i);
                    u64::try_from(v).map_err(|_| self.bad(format!("negative run id {v}")))?
                }
            };
            if strategy_col.is_null(i) {
                return Err(self.bad(format!("run {run}: a `strategy` cell is empty")));
            }
            let values: Vec<f64> = value_cols.iter().map(|c| value(c, i)).collect();
            if !self.row(run, strategy_col.value(i), &values, max_runs)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Takes one row (`values`: metrics then parameters); false, without taking it, when it
    /// would start run number `max_runs + 1`.
    fn row(
        &mut self,
        run: u64,
        strategy: &str,
        values: &[f64],
        max_runs: Option<usize>,
    ) -> Result<bool, RunsFileError> {
        let (metrics, params) = values.split_at(self.n_metrics);
        let same_run = self.data.run_ids.last() == Some(&run);
        if same_run && !self.first_run_done && self.row_in_run == self.strategies.len() {
            if self.strategies.iter().any(|s| s == strategy) {
                return Err(self.bad(format!("run {run} has two rows for strategy `{strategy}`")));
            }
            self.strategies.push(strategy.to_string());
        }
        if !same_run || self.row_in_run == self.strategies.len() {
            // A new run starts: the previous one must be complete.
            if let Some(&prev) = self.data.run_ids.last() {
                if same_run {
                    return Err(self.bad(format!("run {run} has more than {} rows", self.strategies.len())));
                }
                if self.row_in_run != self.strategies.len() {
                    let (rows, want) = (self.row_in_run, self.strategies.len());
                    return Err(self.bad(format!("run {prev} has {rows} rows, expected {want}")));
                }
                self.first_run_done = true;
            }
            if max_runs == Some(self.data.run_ids.len()) {
                return Ok(false);
            }
            if !self.first_run_done {
                self.strategies.push(strategy.to_string());
            }
            self.data.run_ids.push(run);
            self.data.params.extend_from_slice(params);
            self.row_in_run = 0;
        } else {
            let start = self.data.params.len() - params.len();
            let same = params
                .iter()
                .zip(&self.data.params[start..])
                .all(|(&v, &p)| v.to_bits() == p.to_bits() || (v.is_nan() && p.is_nan()));
            if !same {
                return Err(self.bad(format!("run {run}: the parameter values differ between strategies")));
            }
        }
        if strategy != self.strategies[self.row_in_run] {
            let expected = &self.strategies[self.row_in_run];
            return Err(self.bad(format!(
                "run {run}: row {} is strategy `{strategy}`, expected `{expected}`",
                self.row_in_run + 1
            )));
        }
        self.data.horizon.extend_from_slice(metrics);
        self.row_in_run += 1;
        Ok(true)
    }

    /// The runs read, checking that the last one is complete.
    fn finish(self) -> Result<RunsData, RunsFileError> {
        if !self.data.run_ids.is_empty() && self.row_in_run != self.strategies.len() && self.first_run_done {
            let last = self.data.run_ids[self.data.run_ids.len() - 1];
            let (rows, want) = (self.row_in_run, self.strategies.len());
            return Err(self.bad(format!("run {last} has {rows} rows, expected {want}")));
        }
        Ok(self.into_data())
    }

    fn into_data(mut self) -> RunsData {
        self.data.strategies = self.strategies;
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategies() -> Vec<String> {
        vec!["baseline".into(), "result".into(), "prevention".into()]
    }

    /// Bit-exact equality with NaN equal to NaN.
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    /// Deterministic, varied values with NaN, infinities, -0.0 and subnormals among them.
    fn value(run: u64, i: usize) -> f64 {
        match (run as usize * 31 + i * 7) % 13 {
            0 => f64::NAN,
            1 => -0.0,
            2 => f64::INFINITY,
            3 => f64::MIN_POSITIVE / 8.0,
            k => (run as f64 + 0.1) * (i as f64 - 3.7) * 1e5 / k as f64,
        }
    }

    fn write(path: &Path, runs: u64, metrics: &[&str], params: &[String], group_rows: usize) -> (Vec<f64>, Vec<f64>) {
        let s = strategies();
        let mut w = RunsParquet::create_with(path, &s, metrics, params, group_rows).unwrap();
        let (mut horizon, mut pars) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let h: Vec<f64> = (0..s.len() * metrics.len()).map(|i| value(run, i)).collect();
            let p: Vec<f64> = (0..params.len()).map(|i| value(run, 100 + i)).collect();
            w.write_run(run + 1000, &h, &p).unwrap();
            horizon.extend(&h);
            pars.extend(&p);
        }
        w.finish().unwrap();
        (horizon, pars)
    }

    #[test]
    fn round_trip_with_nan() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.parquet");
        let metrics = ["npv_spend", "break_even_year", "investor_irr"];
        let params = vec!["demand.growth".to_string(), "segments[jeugd-ggz].cost".to_string()];
        let (horizon, pars) = write(&path, 7, &metrics, &params, ROW_GROUP_ROWS);
        assert!(horizon.iter().any(|x| x.is_nan()) && pars.iter().any(|x| x.is_nan()));
        let d = read_runs_parquet(&path, None).unwrap();
        assert_eq!(d.run_ids, (1000..1007).collect::<Vec<_>>());
        assert_eq!(d.strategies, strategies());
        assert_eq!(d.metrics, metrics);
        assert_eq!(d.param_names, params);
        assert!(same(&d.horizon, &horizon));
        assert!(same(&d.params, &pars));

        let first = read_runs_parquet(&path, Some(3)).unwrap();
        assert_eq!(first.run_ids, vec![1000, 1001, 1002]);
        assert!(same(&first.horizon, &horizon[..3 * 3 * 3]));
        assert!(same(&first.params, &pars[..3 * 2]));
        assert!(read_runs_parquet(&path, Some(0)).unwrap().run_ids.is_empty());
        let all = read_runs_parquet(&path, Some(100)).unwrap();
        assert_eq!(all.run_ids, d.run_ids);
        assert!(same(&all.horizon, &horizon) && same(&all.params, &pars));
    }

    #[test]
    fn several_row_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.parquet");
        let metrics = ["npv_spend", "npv_saving_vs_baseline"];
        let params = vec!["a".to_string()];
        // 5,000 runs × 3 strategies = 15,000 rows: two batches, eight row groups of 2,000 rows.
        let (horizon, pars) = write(&path, 5_000, &metrics, &params, 2_000);
        let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap().metadata().clone();
        assert_eq!(meta.num_row_groups(), 8);
        assert!(meta.row_groups().iter().all(|g| g.num_rows() <= 2_000));
        assert_eq!(meta.file_metadata().num_rows(), 15_000);
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        assert!(kv.iter().any(|e| e.key == KEY_VERSION && e.value.as_deref() == Some(env!("CARGO_PKG_VERSION"))));
        let d = read_runs_parquet(&path, None).unwrap();
        assert_eq!(d.run_ids.len(), 5_000);
        assert!(same(&d.horizon, &horizon));
        assert!(same(&d.params, &pars));
        // A limit in the middle of a batch and of a row group.
        let d = read_runs_parquet(&path, Some(4_321)).unwrap();
        assert_eq!(d.run_ids.len(), 4_321);
        assert!(same(&d.horizon, &horizon[..4_321 * 6]));
    }

    #[test]
    fn empty_params_and_no_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.parquet");
        let metrics = ["npv_spend"];
        let (horizon, _) = write(&path, 4, &metrics, &[], ROW_GROUP_ROWS);
        let d = read_runs_parquet(&path, None).unwrap();
        assert!(d.params.is_empty() && d.param_names.is_empty());
        assert!(same(&d.horizon, &horizon));

        let empty = dir.path().join("empty.parquet");
        write(&empty, 0, &metrics, &["p".to_string()], ROW_GROUP_ROWS);
        let d = read_runs_parquet(&empty, None).unwrap();
        assert!(d.run_ids.is_empty() && d.horizon.is_empty());
        assert_eq!(d.strategies, strategies());
        assert_eq!(d.param_names, vec!["p".to_string()]);
    }

    #[test]
    fn bad_input_and_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.parquet");
        let mut w = RunsParquet::create(&path, &strategies(), &["npv_spend"], &[]).unwrap();
        let e = w.write_run(0, &[1.0, 2.0], &[]).unwrap_err().to_string();
        assert!(e.contains("runs.parquet") && e.contains("expected 3"), "{e}");
        let e = RunsParquet::create(&path, &strategies(), &["x", "x"], &[]).err().unwrap().to_string();
        assert!(e.contains("`x` appears twice"), "{e}");

        let missing = dir.path().join("missing.parquet");
        let e = read_runs_parquet(&missing, None).unwrap_err().to_string();
        assert!(e.contains("missing.parquet"), "{e}");
        let csv = dir.path().join("runs.csv");
        std::fs::write(&csv, "run,strategy\n0,baseline\n").unwrap();
        let e = read_runs_parquet(&csv, None).unwrap_err().to_string();
        assert!(e.starts_with("reading ") && e.contains("runs.csv"), "{e}");
    }

    /// `merge`: partial files appended one after the other equal one file written at once.
    #[test]
    fn append_files_of_shards() {
        let dir = tempfile::tempdir().unwrap();
        let s = strategies();
        let metrics = ["npv_spend", "npv_saving_vs_baseline"];
        let params = vec!["a".to_string(), "b".to_string()];
        let whole = dir.path().join("whole.parquet");
        let (horizon, pars) = write(&whole, 9_000, &metrics, &params, ROW_GROUP_ROWS);
        // Shards of runs 1000..5000 and 5000..10000, written as `write` does.
        let mut parts = Vec::new();
        for (i, runs) in [(0u64..4_000), (4_000..9_000)].into_iter().enumerate() {
            let path = dir.path().join(format!("shard-{i}.parquet"));
            let mut w = RunsParquet::create(&path, &s, &metrics, &params).unwrap();
            for run in runs {
                let h: Vec<f64> = (0..s.len() * metrics.len()).map(|i| value(run, i)).collect();
                let p: Vec<f64> = (0..params.len()).map(|i| value(run, 100 + i)).collect();
                w.write_run(run + 1000, &h, &p).unwrap();
            }
            w.finish().unwrap();
            parts.push(path);
        }
        let merged = dir.path().join("merged.parquet");
        let mut w = RunsParquet::create(&merged, &s, &metrics, &params).unwrap();
        for p in &parts {
            w.append_file(p).unwrap();
        }
        w.finish().unwrap();
        let d = read_runs_parquet(&merged, None).unwrap();
        assert_eq!(d.run_ids, (1000..10_000).collect::<Vec<_>>());
        assert!(same(&d.horizon, &horizon) && same(&d.params, &pars));

        // Another layout is refused, naming the file.
        let other = dir.path().join("other.parquet");
        write(&other, 2, &["npv_spend"], &params, ROW_GROUP_ROWS);
        let mut w = RunsParquet::create(&dir.path().join("x.parquet"), &s, &metrics, &params).unwrap();
        let e = w.append_file(&other).unwrap_err().to_string();
        assert!(e.contains("other.parquet") && e.contains("columns differ"), "{e}");
        let mut w = RunsParquet::create(&dir.path().join("y.parquet"), &s[..2], &metrics, &params).unwrap();
        let e = w.append_file(&whole).unwrap_err().to_string();
        assert!(e.contains("whole.parquet") && e.contains("strategies differ"), "{e}");
    }

    /// Without contractsim's metadata (a file rewritten by another tool) the strategies come
    /// from the first run and the metric columns from their names.
    #[test]
    fn reads_without_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.parquet");
        let schema = Arc::new(Schema::new(vec![
            Field::new("run", DataType::Int64, false),
            Field::new("strategy", DataType::Utf8, false),
            Field::new("npv_spend", DataType::Float64, true),
            Field::new("growth", DataType::Float64, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(arrow_array::Int64Array::from(vec![5, 5, 6, 6])),
            Arc::new(StringArray::from(vec!["a", "b", "a", "b"])),
            Arc::new(Float64Array::from(vec![Some(1.0), None, Some(3.0), Some(4.0)])),
            Arc::new(Float64Array::from(vec![Some(0.5), Some(0.5), None, None])),
        ];
        let mut w = ArrowWriter::try_new(File::create(&path).unwrap(), schema.clone(), None).unwrap();
        w.write(&RecordBatch::try_new(schema, columns).unwrap()).unwrap();
        w.close().unwrap();
        let d = read_runs_parquet(&path, None).unwrap();
        assert_eq!(d.run_ids, vec![5, 6]);
        assert_eq!(d.strategies, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(d.metrics, vec!["npv_spend".to_string()]);
        assert_eq!(d.param_names, vec!["growth".to_string()]);
        assert!(same(&d.horizon, &[1.0, f64::NAN, 3.0, 4.0]));
        assert!(same(&d.params, &[0.5, f64::NAN]));
    }
}
