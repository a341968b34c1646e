//! The per-run table: horizon metrics per run and strategy, and the values drawn for the
//! uncertain parameters per run. The collector keeps the first runs in one (the sample the
//! charts of runs one by one draw from), and the shard format stores it.

use crate::metrics::{HORIZON, Horizon};

/// The per-run table (`runs.csv`): horizon metrics per run and strategy, and the values
/// drawn for the uncertain parameters per run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTable {
    /// Run numbers, in file order.
    pub run_ids: Vec<u64>,
    /// Horizon metrics, `[run][strategy][HORIZON]`.
    horizon: Vec<f64>,
    /// Parameter values, `[run][parameter]`.
    params: Vec<f64>,
    strategies: usize,
    n_params: usize,
}

impl RunTable {
    /// Number of runs.
    pub fn len(&self) -> usize {
        self.run_ids.len()
    }

    /// Whether there are no runs.
    pub fn is_empty(&self) -> bool {
        self.run_ids.is_empty()
    }

    /// Horizon metric `m` (index in [`HORIZON`]) of strategy `k` in the `i`-th run.
    pub fn horizon(&self, i: usize, k: usize, m: Horizon) -> f64 {
        self.horizon[(i * self.strategies + k) * HORIZON.len() + m.index()]
    }

    /// Horizon metric `m` of strategy `k`, one value per run.
    pub fn column(&self, k: usize, m: Horizon) -> Vec<f64> {
        (0..self.len()).map(|i| self.horizon(i, k, m)).collect()
    }

    /// Value of parameter `p` drawn in the `i`-th run.
    pub(crate) fn param(&self, i: usize, p: usize) -> f64 {
        self.params[i * self.n_params + p]
    }

    /// Parameter `p`, one value per run.
    pub(crate) fn param_column(&self, p: usize) -> Vec<f64> {
        (0..self.len()).map(|i| self.param(i, p)).collect()
    }

    /// An empty table for `strategies` strategies and `n_params` parameters.
    pub fn empty(strategies: usize, n_params: usize) -> Self {
        RunTable { run_ids: Vec::new(), horizon: Vec::new(), params: Vec::new(), strategies, n_params }
    }

    /// Appends a run: its horizon figures (strategy-major) and parameters.
    pub fn push(&mut self, run: u64, horizon: &[f64], params: &[f64]) {
        self.run_ids.push(run);
        self.horizon.extend_from_slice(horizon);
        self.params.extend_from_slice(params);
    }

    /// Appends the runs of `other` until the table holds `cap` runs.
    pub(crate) fn append(&mut self, other: &RunTable, cap: usize) {
        let take = cap.saturating_sub(self.len()).min(other.len());
        let nh = self.strategies * HORIZON.len();
        self.run_ids.extend_from_slice(&other.run_ids[..take]);
        self.horizon.extend_from_slice(&other.horizon[..take * nh]);
        self.params.extend_from_slice(&other.params[..take * self.n_params]);
    }

    /// Writes the table as little-endian numbers: runs, then per run its id, horizon
    /// figures and parameters.
    pub(crate) fn write_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        let nh = self.strategies * HORIZON.len();
        for i in 0..self.len() {
            out.extend_from_slice(&self.run_ids[i].to_le_bytes());
            for x in &self.horizon[i * nh..(i + 1) * nh] {
                out.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            for x in &self.params[i * self.n_params..(i + 1) * self.n_params] {
                out.extend_from_slice(&x.to_bits().to_le_bytes());
            }
        }
    }

    /// Reads what [`RunTable::write_bytes`] wrote.
    pub(crate) fn read_bytes(
        bytes: &[u8],
        strategies: usize,
        n_params: usize,
    ) -> Result<Self, crate::stats::accumulator::DecodeError> {
        use crate::stats::accumulator::DecodeError;
        let words: Vec<u64> =
            bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        let nh = strategies * HORIZON.len();
        let per_run = 1 + nh + n_params;
        let runs = *words.first().ok_or_else(|| DecodeError("no sample of runs".into()))? as usize;
        if bytes.len() % 8 != 0 || words.len() != 1 + runs.saturating_mul(per_run) {
            return Err(DecodeError("the sample of runs has the wrong size".into()));
        }
        let mut t = RunTable::empty(strategies, n_params);
        for w in words[1..].chunks_exact(per_run) {
            t.run_ids.push(w[0]);
            t.horizon.extend(w[1..1 + nh].iter().map(|&b| f64::from_bits(b)));
            t.params.extend(w[1 + nh..].iter().map(|&b| f64::from_bits(b)));
        }
        Ok(t)
    }
}
