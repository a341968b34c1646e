//! Statistics of many figures over runs, accumulated block by block with memory that does
//! not grow with the number of runs (in sketch mode), and mergeable across shards with the
//! same result, bit for bit, as one pass over all runs.
//!
//! Each run contributes one row of `width` figures. Per figure the accumulator keeps its
//! moments along the fixed block tree ([`super::moments`]), its percentile store
//! ([`super::quantiles`]) and the number of runs where it is undefined (NaN).
//!
//! When the runs come in replicates of several runs ([`Accumulator::with_replicates`]:
//! `run --sampling lhs|sobol`, whose runs within a replicate are not independent), each
//! figure's mean per replicate is kept too, and the Monte Carlo standard error is the
//! spread of those independent replicate means: `sd(replicate means) / sqrt(replicates)`.

use rayon::prelude::*;

use super::Summary;
use super::moments::{BLOCK, MomentTree, Moments, Node};
use super::quantiles::{QuantileMode, Quantiles, Sketch, Store};

/// Figures per rayon task when a block is added.
const CHUNK: usize = 64;

/// The statistics of `width` figures over the runs added so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    width: usize,
    mode: QuantileMode,
    tree: MomentTree,
    quantiles: Vec<Quantiles>,
    nan: Vec<u64>,
    runs: u64,
    /// Runs per independent replicate (1: every run is one).
    replicate: u64,
    finished: bool,
}

/// Why a saved accumulator cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DecodeError(pub String);

impl Accumulator {
    /// An empty accumulator for about `expected` runs (the room reserved for exact
    /// percentiles; more runs may be added).
    pub fn new(width: usize, mode: QuantileMode) -> Self {
        assert!(mode != QuantileMode::Mixed, "a mixed accumulator names its exact figures");
        Self::with_stores(mode, (0..width).map(|_| Quantiles::new(mode == QuantileMode::Exact)).collect())
    }

    /// An empty accumulator in [`QuantileMode::Mixed`]: exact percentiles for the figures
    /// where `exact` holds, sketches for the others.
    pub fn mixed(exact: &[bool]) -> Self {
        Self::with_stores(QuantileMode::Mixed, exact.iter().map(|&e| Quantiles::new(e)).collect())
    }

    fn with_stores(mode: QuantileMode, quantiles: Vec<Quantiles>) -> Self {
        let width = quantiles.len();
        Accumulator {
            width,
            mode,
            tree: MomentTree::default(),
            quantiles,
            nan: vec![0; width],
            runs: 0,
            replicate: 1,
            finished: false,
        }
    }

    /// The accumulator of runs that come in independent replicates of `runs` consecutive
    /// runs each (a divisor of [`BLOCK`]; 1: every run is one): the MCSE is then measured
    /// from the replicate means. Before any run is added.
    pub fn with_replicates(mut self, runs: u64) -> Self {
        assert!(runs >= 1 && BLOCK % runs == 0 && self.runs == 0, "replicates that divide a block, before any run");
        self.replicate = runs;
        self
    }

    /// Runs per independent replicate.
    pub fn replicate_runs(&self) -> u64 {
        self.replicate
    }

    /// Figures per run.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Runs added.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// How percentiles are kept.
    pub fn mode(&self) -> QuantileMode {
        self.mode
    }

    /// Adds block `block` (runs `block * BLOCK ..`, at most [`BLOCK`] of them): `rows` holds
    /// one row of `width` figures per run, in run order. Blocks must be added in order.
    pub(crate) fn push_block(&mut self, block: u64, rows: &[f64]) {
        assert!(self.width == 0 || rows.len() % self.width == 0, "rows of {} figures", self.width);
        let n = rows.len().checked_div(self.width).unwrap_or(0);
        assert!(n as u64 <= BLOCK, "at most one block of runs");
        let width = self.width;
        let replicate = self.replicate as usize;
        let mut moments = vec![Moments::default(); width];
        // With replicates: the moments of each figure's replicate means (a replicate cut
        // off by the end of the batch counts as one, but batches hold whole replicates).
        let mut replicates = vec![Moments::default(); if replicate > 1 { width } else { 0 }];
        let reps: Vec<Option<&mut [Moments]>> = if replicate > 1 {
            replicates.chunks_mut(CHUNK).map(Some).collect()
        } else {
            (0..width.div_ceil(CHUNK)).map(|_| None).collect()
        };
        moments
            .par_chunks_mut(CHUNK)
            .zip(self.quantiles.par_chunks_mut(CHUNK))
            .zip(self.nan.par_chunks_mut(CHUNK))
            .zip(reps.into_par_iter())
            .enumerate()
            .for_each(|(chunk, (((m, q), nan), mut reps))| {
                let first = chunk * CHUNK;
                let mut within = vec![Moments::default(); if reps.is_some() { m.len() } else { 0 }];
                for r in 0..n {
                    let row = &rows[r * width + first..r * width + first + m.len()];
                    for (j, &x) in row.iter().enumerate() {
                        if x.is_nan() {
                            nan[j] += 1;
                        } else {
                            m[j].push(x);
                            q[j].push(x);
                        }
                    }
                    if let Some(reps) = reps.as_deref_mut() {
                        for (w, &x) in within.iter_mut().zip(row) {
                            w.push(x);
                        }
                        if (r + 1) % replicate == 0 || r + 1 == n {
                            for (rep, w) in reps.iter_mut().zip(&mut within) {
                                rep.push(w.mean());
                                *w = Moments::default();
                            }
                        }
                    }
                }
            });
        self.tree.push(Node { level: 0, index: block, moments, replicates });
        self.runs += n as u64;
        self.finished = false;
    }

    /// Adds the runs of another accumulator over the blocks that follow this one's.
    pub fn merge(&mut self, other: Accumulator) {
        assert_eq!(self.width, other.width, "accumulators of the same figures");
        assert_eq!(self.replicate, other.replicate, "accumulators of the same replicates");
        self.tree.extend(other.tree);
        self.quantiles.par_iter_mut().zip(other.quantiles.into_par_iter()).for_each(|(a, b)| a.merge(b));
        self.nan.iter_mut().zip(&other.nan).for_each(|(a, b)| *a += b);
        self.runs += other.runs;
        self.finished = false;
    }

    /// Prepares the percentile stores for queries.
    pub fn finish(&mut self) {
        if !self.finished {
            self.quantiles.par_iter_mut().for_each(Quantiles::finish);
            self.finished = true;
        }
    }

    /// Moments of figure `i` so far.
    pub(crate) fn moments(&self, i: usize) -> Moments {
        self.tree.total_of(i)
    }

    /// The Monte Carlo standard error of figure `i`'s mean so far: from the runs'
    /// spread, or with replicates from the replicate means' (NaN below two).
    pub(crate) fn mcse(&self, i: usize) -> f64 {
        if self.replicate > 1 { self.tree.total_replicates_of(i).mcse() } else { self.moments(i).mcse() }
    }

    /// The `q`-quantile of figure `i` (after [`Accumulator::finish`]).
    pub fn quantile(&self, i: usize, q: f64) -> f64 {
        self.quantiles[i].quantile(q)
    }

    /// Summaries of every figure: mean and MCSE over the runs where it is defined, and the
    /// percentiles; where `never[i]`, undefined runs count as later than any value (as
    /// [`Summary::of_with_never`]). After [`Accumulator::finish`].
    pub fn summaries(&self, never: &[bool]) -> Vec<Summary> {
        let moments = self.tree.total(self.width);
        let replicates = (self.replicate > 1).then(|| self.tree.total_replicates(self.width));
        (0..self.width)
            .into_par_iter()
            .map(|i| {
                let m = moments[i];
                let mcse = replicates.as_ref().map_or_else(|| m.mcse(), |r| r[i].mcse());
                let q = &self.quantiles[i];
                let p = if never.get(i).copied().unwrap_or(false) {
                    super::PERCENTILES.map(|p| q.quantile_with_never(p, self.nan[i]))
                } else {
                    super::PERCENTILES.map(|p| q.quantile(p))
                };
                Summary { mean: m.mean(), mcse, p, n: m.n as usize }
            })
            .collect()
    }

    /// The accumulator as bytes (for partial results of a shard).
    #[cfg(test)]
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into memory cannot fail.
        let _ = self.write_to(&mut out);
        out
    }

    /// Writes the accumulator as [`Accumulator::to_bytes`] does, as a stream.
    pub(crate) fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut w = Bytes { out: std::io::BufWriter::with_capacity(1 << 20, out), err: None };
        w.put_bytes(MAGIC);
        w.u64(self.width as u64);
        w.u64(match self.mode {
            QuantileMode::Exact => 0,
            QuantileMode::Sketch => 1,
            QuantileMode::Mixed => 2,
        });
        w.u64(self.runs);
        w.u64(self.replicate);
        w.u64(self.tree.nodes.len() as u64);
        for node in &self.tree.nodes {
            w.u64(node.level as u64);
            w.u64(node.index);
            for m in node.moments.iter().chain(&node.replicates) {
                w.u64(m.n);
                w.f64(m.mean);
                w.f64(m.m2);
            }
        }
        for &n in &self.nan {
            w.u64(n);
        }
        // The stores, most of the file: encoded in parallel a group of figures at a time, in
        // figure order, while the group before is written (encoding a shard's exact values
        // one by one kept one core busy alone for about a second).
        let mut ready: Vec<Vec<u8>> = Vec::new();
        for group in self.quantiles.chunks(ENCODE_GROUP) {
            let mut next = Vec::new();
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| next = group.par_iter().map(store_bytes).collect());
                ready.iter().for_each(|b| w.put_bytes(b));
            });
            ready = next;
        }
        ready.iter().for_each(|b| w.put_bytes(b));
        w.finish()
    }

    /// Reads what [`Accumulator::to_bytes`] wrote.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(DecodeError("not a contractsim statistics file".into()));
        }
        let width = r.len()?;
        let mode = match r.u64()? {
            0 => QuantileMode::Exact,
            1 => QuantileMode::Sketch,
            2 => QuantileMode::Mixed,
            m => return Err(DecodeError(format!("unknown percentile mode {m}"))),
        };
        let runs = r.u64()?;
        let replicate = r.u64()?;
        if replicate == 0 || BLOCK % replicate != 0 {
            return Err(DecodeError(format!("replicates of {replicate} runs, expected a divisor of {BLOCK}")));
        }
        let nodes = r.len()?;
        let mut tree = MomentTree::default();
        let read = |r: &mut Reader, n: usize| -> Result<Vec<Moments>, DecodeError> {
            let mut moments = Vec::with_capacity(n.min(bytes.len()));
            for _ in 0..n {
                moments.push(Moments { n: r.u64()?, mean: r.f64()?, m2: r.f64()? });
            }
            Ok(moments)
        };
        for _ in 0..nodes {
            let level = r.u64()? as u32;
            let index = r.u64()?;
            let moments = read(&mut r, width)?;
            let replicates = read(&mut r, if replicate > 1 { width } else { 0 })?;
            tree.nodes.push(Node { level, index, moments, replicates });
        }
        let nan = (0..width).map(|_| r.u64()).collect::<Result<Vec<_>, _>>()?;
        let mut quantiles = Vec::with_capacity(width.min(bytes.len()));
        for _ in 0..width {
            quantiles.push(match r.u64()? {
                0 => {
                    let n = r.len()?;
                    let mut all = super::packed::Packed::default();
                    for _ in 0..n {
                        all.push(r.f64()?);
                    }
                    Quantiles::All(all)
                }
                1 => {
                    let n = r.len()?;
                    Quantiles::Distinct((0..n).map(|_| Ok((r.f64()?, r.u64()?))).collect::<Result<_, DecodeError>>()?)
                }
                2 => {
                    let zero = r.u64()?;
                    let mut stores = [Store::default(), Store::default()];
                    for s in &mut stores {
                        s.offset = r.u64()? as i64 as i32;
                        let n = r.len()?;
                        s.counts = (0..n)
                            .map(|_| {
                                let c = r.u64()?;
                                u32::try_from(c).map_err(|_| DecodeError(format!("a bucket count of {c}")))
                            })
                            .collect::<Result<_, _>>()?;
                    }
                    let [pos, neg] = stores;
                    Quantiles::Sketch(Sketch { pos, neg, zero })
                }
                3 => {
                    // Where the first format kept the room reserved for the values.
                    r.u64()?;
                    let n = r.len()?;
                    Quantiles::Few((0..n).map(|_| Ok((r.f64()?, r.u64()?))).collect::<Result<_, DecodeError>>()?)
                }
                k => return Err(DecodeError(format!("unknown percentile store {k}"))),
            });
        }
        if r.at != bytes.len() {
            return Err(DecodeError(format!("{} bytes left over", bytes.len() - r.at)));
        }
        Ok(Accumulator { width, mode, tree, quantiles, nan, runs, replicate, finished: false })
    }
}

const MAGIC: &[u8] = b"contractsim-stats-2\n";

/// Figures whose stores are encoded together (see [`Accumulator::write_to`]).
const ENCODE_GROUP: usize = 64;

/// The bytes of one figure's store in the statistics file.
fn store_bytes(q: &Quantiles) -> Vec<u8> {
    let room = match q {
        Quantiles::All(v) => 16 + 8 * v.len(),
        Quantiles::Few(v) => 24 + 16 * v.len(),
        Quantiles::Distinct(v) => 16 + 16 * v.len(),
        Quantiles::Sketch(s) => 48 + 8 * (s.pos.counts.len() + s.neg.counts.len()),
    };
    let mut w = Bytes { out: Vec::with_capacity(room), err: None };
    match q {
        Quantiles::All(v) => {
            w.u64(0);
            w.u64(v.len() as u64);
            v.values().for_each(|x| w.f64(x));
        }
        Quantiles::Few(counts) => {
            w.u64(3);
            // Where the first format kept the room reserved for the values.
            w.u64(0);
            w.u64(counts.len() as u64);
            for &(x, c) in counts {
                w.f64(x);
                w.u64(c);
            }
        }
        Quantiles::Distinct(v) => {
            w.u64(1);
            w.u64(v.len() as u64);
            for &(x, c) in v {
                w.f64(x);
                w.u64(c);
            }
        }
        Quantiles::Sketch(s) => {
            w.u64(2);
            w.u64(s.zero);
            for store in [&s.pos, &s.neg] {
                w.u64(store.offset as i64 as u64);
                w.u64(store.counts.len() as u64);
                store.counts.iter().for_each(|&c| w.u64(u64::from(c)));
            }
        }
    }
    w.out
}

struct Bytes<W: std::io::Write> {
    out: W,
    err: Option<std::io::Error>,
}

impl<W: std::io::Write> Bytes<W> {
    fn put_bytes(&mut self, b: &[u8]) {
        if self.err.is_none()
            && let Err(e) = self.out.write_all(b)
        {
            self.err = Some(e);
        }
    }
    fn finish(mut self) -> std::io::Result<()> {
        match self.err.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }
    fn u64(&mut self, x: u64) {
        self.put_bytes(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.put_bytes(&x.to_bits().to_le_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| DecodeError("file ends early".into()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    fn f64(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A length, checked against what is left of the file.
    fn len(&mut self) -> Result<usize, DecodeError> {
        let n = self.u64()?;
        if n > self.bytes.len() as u64 {
            return Err(DecodeError(format!("a length of {n} in a file of {} bytes", self.bytes.len())));
        }
        Ok(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(runs: std::ops::Range<u64>, width: usize) -> Vec<f64> {
        runs.flat_map(|r| {
            (0..width).map(move |c| {
                if c == 2 && r % 3 == 0 {
                    f64::NAN
                } else if c == 3 {
                    // Few distinct values: kept as counts in exact mode too.
                    (r % 5) as f64 * 2.5e5
                } else {
                    ((r * 7919 + c as u64 * 104_729) % 10_007) as f64 * 1.5e3
                }
            })
        })
        .collect()
    }

    fn build(blocks: std::ops::Range<u64>, runs: u64, width: usize, mode: QuantileMode) -> Accumulator {
        build_in(blocks, runs, width, mode, 1)
    }

    /// Figures 0, 3, 6, … exact in [`QuantileMode::Mixed`].
    fn mixed_mask(width: usize) -> Vec<bool> {
        (0..width).map(|c| c % 3 == 0).collect()
    }

    /// An empty accumulator in `mode`, mixed by [`mixed_mask`].
    fn empty(width: usize, mode: QuantileMode) -> Accumulator {
        match mode {
            QuantileMode::Mixed => Accumulator::mixed(&mixed_mask(width)),
            _ => Accumulator::new(width, mode),
        }
    }

    fn build_in(blocks: std::ops::Range<u64>, runs: u64, width: usize, mode: QuantileMode, rep: u64) -> Accumulator {
        let mut a = empty(width, mode).with_replicates(rep);
        for b in blocks {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(runs));
            a.push_block(b, &rows(lo..hi, width));
        }
        a
    }

    #[test]
    fn shards_merge_to_the_single_pass_and_survive_bytes() {
        let (runs, width) = (10 * BLOCK + 17, 70);
        for mode in [QuantileMode::Exact, QuantileMode::Sketch, QuantileMode::Mixed] {
            let mut whole = build(0..11, runs, width, mode);
            whole.finish();
            let expected = whole.summaries(&[false, false, true]);
            let mut merged = empty(width, mode);
            for (lo, hi) in [(0, 3), (3, 4), (4, 9), (9, 11)] {
                let part = build(lo..hi, runs, width, mode);
                merged.merge(Accumulator::from_bytes(&part.to_bytes()).unwrap());
            }
            merged.finish();
            assert_eq!(merged.runs(), runs);
            let got = merged.summaries(&[false, false, true]);
            for (a, b) in got.iter().zip(&expected) {
                assert_eq!(a.mean.to_bits(), b.mean.to_bits());
                assert_eq!(a.mcse.to_bits(), b.mcse.to_bits());
                for (x, y) in a.p.iter().zip(&b.p) {
                    assert!(x.to_bits() == y.to_bits(), "{mode:?}: {x} vs {y}");
                }
            }
        }
    }

    /// With replicates the MCSE is the standard deviation of the replicate means over the
    /// square root of their number (by hand), the mean is every run's, and shards merged
    /// from bytes give the same bits.
    #[test]
    fn with_replicates_the_mcse_is_the_spread_of_the_replicate_means() {
        let (runs, width, rep) = (10 * BLOCK, 5, 64);
        let mut whole = build_in(0..10, runs, width, QuantileMode::Exact, rep);
        whole.finish();
        let got = whole.summaries(&[false; 5]);
        let all = rows(0..runs, width);
        for c in [0, 1, 3, 4] {
            let xs: Vec<f64> = (0..runs as usize).map(|r| all[r * width + c]).collect();
            let means: Vec<f64> = xs.chunks(rep as usize).map(|v| v.iter().sum::<f64>() / v.len() as f64).collect();
            let (m, se) = crate::stats::mean_mcse(&means);
            assert!((got[c].mean - m).abs() <= 1e-9 * m.abs().max(1.0), "column {c}");
            assert!((got[c].mcse - se).abs() <= 1e-9 * se, "column {c}: {} vs {se}", got[c].mcse);
            assert_ne!(got[c].mcse, crate::stats::mean_mcse(&xs).1);
        }
        let mut merged = Accumulator::new(width, QuantileMode::Exact).with_replicates(rep);
        for (lo, hi) in [(0, 3), (3, 4), (4, 10)] {
            let part = build_in(lo..hi, runs, width, QuantileMode::Exact, rep);
            merged.merge(Accumulator::from_bytes(&part.to_bytes()).unwrap());
        }
        merged.finish();
        for (a, b) in merged.summaries(&[false; 5]).iter().zip(&got) {
            assert_eq!(a.mcse.to_bits(), b.mcse.to_bits());
            assert_eq!(a.mean.to_bits(), b.mean.to_bits());
        }
    }

    /// A mixed accumulator's exact figures have the exact percentiles and its others the
    /// sketch's, bit for bit; it says it is mixed after a round trip through bytes.
    #[test]
    fn a_mixed_accumulator_keeps_each_figure_as_its_mask_says() {
        let (runs, width) = (3 * BLOCK + 5, 9);
        let never = [false; 9];
        let summaries = |mode| {
            let mut a = build(0..4, runs, width, mode);
            a = Accumulator::from_bytes(&a.to_bytes()).unwrap();
            assert_eq!(a.mode(), mode);
            a.finish();
            a.summaries(&never)
        };
        let (exact, sketch, mixed) =
            (summaries(QuantileMode::Exact), summaries(QuantileMode::Sketch), summaries(QuantileMode::Mixed));
        let mut differ = 0;
        for (c, is_exact) in mixed_mask(width).into_iter().enumerate() {
            let want = if is_exact { &exact[c] } else { &sketch[c] };
            assert_eq!(mixed[c].p.map(f64::to_bits), want.p.map(f64::to_bits), "figure {c}");
            assert_eq!(mixed[c].mean.to_bits(), exact[c].mean.to_bits());
            differ += usize::from(exact[c].p != sketch[c].p);
        }
        assert!(differ > 0, "the test rows have figures that the sketch does not keep exactly");
    }

    #[test]
    fn bad_bytes_are_an_error_not_a_panic() {
        let a = build(0..2, 2 * BLOCK, 5, QuantileMode::Sketch);
        let bytes = a.to_bytes();
        for cut in [0, 5, 30, bytes.len() / 2, bytes.len() - 1] {
            assert!(Accumulator::from_bytes(&bytes[..cut]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Accumulator::from_bytes(&longer).is_err());
    }
}
