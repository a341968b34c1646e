//! Random streams for common random numbers (docs/model.md §1).
//!
//! Every random purpose has its own stream keyed by `(seed, run, purpose, index, step)`,
//! where `index` is a segment or contract. A stream is counter-based: its `i`-th 64-bit
//! word is `mix(key ^ mix(i))`, with `mix` the SplitMix64 finaliser (a bijection with full
//! avalanche). No generator state is shared between runs or threads, so a run's numbers do
//! not depend on thread count, batch size or on which other runs exist, and two strategies
//! that ask for the same purpose at the same segment and step get the same numbers.

use rand::RngCore;

/// The SplitMix64 finaliser (Steele, Lea and Flood 2014; constants of Stafford's mix 13).
#[inline(always)]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const TABLE_LEN: usize = 32;

/// `mix64` of the first counters, so that most draws cost one mix.
const COUNTER_MIX: [u64; TABLE_LEN] = {
    let mut t = [0u64; TABLE_LEN];
    let mut i = 0;
    while i < TABLE_LEN {
        t[i] = mix64((i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15));
        i += 1;
    }
    t
};

/// The version of the random streams: it changes whenever a change of contractsim alters
/// the numbers a seed gives (a new purpose for a new feature does not: runs without the
/// feature keep theirs). Recorded in `meta.json` and in a shard's `partial.json`.
///
/// - 1: the streams of contractsim up to 2026-12-07.
/// - 2: the municipalities' share of a path's exits drawn by contractsim's own
///   hypergeometric sampler ([`crate::random::sample::hypergeometric`]) in place of
///   `rand_distr`'s, and item by item below 10 instead of 32 (docs/model.md section 16).
///   Only the municipalities' figures change; the region's are the same bits.
pub const STREAMS_VERSION: u32 = 2;

/// What a stream is used for. The discriminant is part of the stream key: never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    /// One uniform per uncertain parameter and run.
    Parameter = 1,
    /// Base referrals of a segment in a step (shared by all strategies).
    Referrals = 2,
    /// Thinning of the shared referrals to a contract's incidence factor.
    IncidenceThinning = 3,
    /// Referrals removed by prevention.
    Prevention = 4,
    /// Exits among clients carried into the step.
    ExitCarried = 5,
    /// Exits among clients who start in the step.
    ExitNew = 6,
    /// Successful exits.
    Success = 7,
    /// Failed exits that will re-enter.
    Reentry = 8,
    /// Failed exits that escalate.
    Escalation = 9,
    /// Release of waiting re-entrants.
    ReentryRelease = 10,
    /// Yearly provider cost noise of a contract's provider.
    CostNoise = 11,
    /// Split of a lot's clients over its providers.
    ProviderSplit = 12,
    /// Releases of full places in a step with a waiting list (capacity).
    QueueRelease = 13,
    /// Clients leaving a waiting list (drop-out or escalation).
    QueueLeave = 14,
    /// Escalation among those leaving a waiting list.
    QueueEscalation = 15,
    /// The municipalities of a path's clients at the start (docs/model.md section 16).
    MunicipalInitial = 16,
    /// The municipalities of a path's starts in a year.
    MunicipalStarts = 17,
    /// The municipalities of a path's exits in a year.
    MunicipalExits = 18,
    /// Phase changes and exits of clients carried into a step, in a segment with
    /// durations in phases (index: segment × 1024 + phase × 32 + draw).
    PhaseCarried = 19,
    /// Phase changes and exits of clients who start in a step, in a segment with
    /// durations in phases (index: segment × 32 + draw).
    PhaseNew = 20,
    /// Phase changes of full places in a binding step with a waiting list, in a segment
    /// with durations in phases (index: (segment × 32 + phase) × 1024 + draw).
    PhaseCycle = 21,
    /// The sampling design of a replicate of runs (`run --sampling`, keyed by the
    /// replicate instead of the run): a Latin hypercube's order of cells (index: parameter)
    /// or a Sobol' scramble (index: 2^23 + group of dimensions).
    Design = 22,
}

/// The key of one run: all of its streams derive from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunKey(u64);

impl RunKey {
    /// The key of run `run` under scenario seed `seed`.
    pub fn new(seed: u64, run: u64) -> Self {
        RunKey(mix64(mix64(seed ^ 0x6a09_e667_f3bc_c909) ^ mix64(run.wrapping_add(0xbb67_ae85_84ca_a73b))))
    }

    /// The stream for `purpose` at `index` (segment, contract or parameter) and `step`.
    #[inline(always)]
    pub fn stream(self, purpose: Purpose, index: usize, step: usize) -> Stream {
        Stream::from_key(self.stream_key(purpose, index, step))
    }

    /// The key of that stream, to build it more than once without re-hashing.
    #[inline(always)]
    pub(crate) fn stream_key(self, purpose: Purpose, index: usize, step: usize) -> u64 {
        let label = ((purpose as u64) << 56) ^ ((index as u64 & 0xff_ffff) << 32) ^ (step as u64 & 0xffff_ffff);
        mix64(self.0 ^ mix64(label))
    }
}

/// A counter-based stream of random 64-bit words.
#[derive(Debug, Clone)]
pub struct Stream {
    key: u64,
    counter: u64,
    /// The first two words, computed in advance (see [`StreamStart`]).
    first: [u64; 2],
}

/// A stream's key with its first two words already computed: the engine makes one per
/// purpose, segment and step and starts every strategy's stream from it, so the shared
/// words are hashed once (most draws need one or two).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStart {
    key: u64,
    first: [u64; 2],
}

impl StreamStart {
    /// The start of the stream with key `key`.
    #[inline(always)]
    pub fn new(key: u64) -> Self {
        StreamStart { key, first: [mix64(key ^ COUNTER_MIX[0]), mix64(key ^ COUNTER_MIX[1])] }
    }
}

impl Stream {
    /// The stream with key `key` (from [`RunKey::stream_key`]), at its start.
    #[inline(always)]
    pub(crate) fn from_key(key: u64) -> Self {
        Self::from_start(&StreamStart::new(key))
    }

    /// The stream at `start`.
    #[inline(always)]
    pub(crate) fn from_start(start: &StreamStart) -> Self {
        Stream { key: start.key, counter: 0, first: start.first }
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        // Through i64: a single conversion instruction on x86-64.
        ((self.next_word() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform number in the open interval `(0, 1)`: `(k + 1/2) 2^-52` for a random
    /// 52-bit `k`, so it lies in `[2^-53, 1 - 2^-53]`, both exactly representable.
    #[inline(always)]
    pub(crate) fn open_uniform(&mut self) -> f64 {
        (((self.next_word() >> 12) as i64) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
    }

    #[inline(always)]
    fn next_word(&mut self) -> u64 {
        let i = self.counter;
        self.counter += 1;
        if i < 2 {
            return self.first[i as usize];
        }
        let c = if (i as usize) < TABLE_LEN {
            COUNTER_MIX[i as usize]
        } else {
            mix64(i.wrapping_add(0x9e37_79b9_7f4a_7c15))
        };
        mix64(self.key ^ c)
    }
}

impl RngCore for Stream {
    fn next_u32(&mut self) -> u32 {
        (self.next_word() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.next_word()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let w = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let k = RunKey::new(42, 7);
        let a: Vec<f64> = {
            let mut s = k.stream(Purpose::ExitNew, 3, 100);
            (0..5).map(|_| s.uniform()).collect()
        };
        let b: Vec<f64> = {
            let mut s = k.stream(Purpose::ExitNew, 3, 100);
            (0..5).map(|_| s.uniform()).collect()
        };
        assert_eq!(a, b);
        let c: Vec<f64> = {
            let mut s = k.stream(Purpose::ExitNew, 3, 101);
            (0..5).map(|_| s.uniform()).collect()
        };
        assert_ne!(a, c);
        assert_ne!(RunKey::new(42, 7), RunKey::new(42, 8));
        assert_ne!(RunKey::new(42, 7), RunKey::new(43, 7));
    }

    /// Uniformity over 100 bins, pooled over many short streams as the engine uses them.
    /// Chi-square with 99 degrees of freedom: mean 99, sd 14; 99 + 5 sd = 169 fails only
    /// with probability below 1e-6 for a sound generator.
    #[test]
    fn first_draws_of_neighbouring_streams_are_uniform() {
        let mut bins = [0u32; 100];
        let n = 200_000;
        for run in 0..20u64 {
            let k = RunKey::new(1, run);
            for step in 0..(n / 20) {
                let u = k.stream(Purpose::Success, 0, step as usize).uniform();
                bins[(u * 100.0) as usize] += 1;
            }
        }
        let expected = n as f64 / 100.0;
        let chi2: f64 = bins.iter().map(|&o| (o as f64 - expected).powi(2) / expected).sum();
        assert!(chi2 < 169.0, "chi-square {chi2}");
    }

    /// Neighbouring streams must not be correlated: the correlation of first uniforms of
    /// streams at step s and s+1 has standard error 1/sqrt(n); 5 standard errors bound it.
    #[test]
    fn neighbouring_streams_are_uncorrelated() {
        let n = 100_000;
        let k = RunKey::new(9, 0);
        let xs: Vec<f64> = (0..=n).map(|s| k.stream(Purpose::ExitCarried, 2, s).uniform() - 0.5).collect();
        let cov: f64 = xs.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / n as f64;
        let corr = cov / (1.0 / 12.0);
        assert!(corr.abs() < 5.0 / (n as f64).sqrt(), "correlation {corr}");
    }
}
