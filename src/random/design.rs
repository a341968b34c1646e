//! Sampling designs of the parameter uncertainty (`run --sampling`, docs/model.md section 1).
//!
//! Each uncertain parameter of a run is one uniform number pushed through its quantile
//! function. Under plain Monte Carlo ([`Sampling::Mc`]) that uniform is the first word of
//! the run's own parameter stream. The other designs spread the uniforms of each
//! *replicate*, [`REPLICATE`] consecutive runs (`64 r .. 64 r + 63`), evenly:
//!
//! * [`Sampling::Lhs`]: a Latin hypercube. For parameter `i` the 64 runs of replicate `r`
//!   take the 64 cells `[c/64, (c+1)/64)` in an order drawn for `(seed, r, i)`, one cell
//!   each, and a point within its cell from their own parameter stream.
//! * [`Sampling::Sobol`]: the first 64 points of an Owen-scrambled Sobol' sequence (the
//!   `sobol_burley` crate: Burley's hash-based scramble, Joe and Kuo's direction numbers),
//!   scrambled and shuffled for `(seed, r)`; the uncertain parameters are its dimensions in
//!   file order. Its 23 bits are completed by the run's own parameter stream.
//!
//! Every run's uniform is uniform on `(0, 1)` whatever the design, so every design is
//! unbiased; the replicates are independent of each other, so the spread of their means
//! measures the Monte Carlo error honestly ([`crate::stats`]). A run's numbers depend on the
//! seed and its index only: not on the thread count, the batch or the shard it is in. The
//! process noise (referrals, exits, costs) stays on the run's own streams in every design.

use rand::RngCore;
use rand::seq::SliceRandom;

use super::rng::{Purpose, RunKey};

/// Runs per replicate of [`Sampling::Lhs`] and [`Sampling::Sobol`]: a power of two (a
/// Sobol' net) and a quarter of a statistics block, so that blocks and shards hold whole
/// replicates.
pub const REPLICATE: u64 = 64;
const REPLICATE_BITS: u32 = REPLICATE.trailing_zeros();
/// Bits of a Sobol' coordinate from `sobol_burley` (its `f32` in `[0, 1)` is `m 2^-23`).
const SOBOL_BITS: u32 = 23;
/// The stream index of a replicate's Sobol' seed, above every parameter index.
const SOBOL_SEED_INDEX: usize = 0x80_0000;

/// How the uncertain parameters of the runs are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sampling {
    /// Plain Monte Carlo: every run draws its own, independently.
    #[default]
    Mc,
    /// A Latin hypercube in every replicate of [`REPLICATE`] runs.
    Lhs,
    /// Scrambled Sobol' points in every replicate of [`REPLICATE`] runs.
    Sobol,
}

impl Sampling {
    /// Every design, in the order of `--sampling`.
    pub const ALL: [Sampling; 3] = [Sampling::Mc, Sampling::Lhs, Sampling::Sobol];

    /// The name in `--sampling` and `meta.json`.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Mc => "mc",
            Sampling::Lhs => "lhs",
            Sampling::Sobol => "sobol",
        }
    }

    /// The design of a name in `--sampling` and `meta.json`.
    pub fn from_name(name: &str) -> Option<Sampling> {
        Sampling::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Runs per independent replicate: 1 for plain Monte Carlo (every run is one),
    /// [`REPLICATE`] otherwise.
    pub fn replicate_runs(self) -> u64 {
        match self {
            Sampling::Mc => 1,
            Sampling::Lhs | Sampling::Sobol => REPLICATE,
        }
    }

    /// The number of runs to make when `runs` are asked for: whole replicates.
    pub fn whole_runs(self, runs: u64) -> u64 {
        runs.div_ceil(self.replicate_runs()).saturating_mul(self.replicate_runs())
    }
}

/// The uniforms in `(0, 1)` of the uncertain parameters of run `run` under scenario seed
/// `seed`: `params[d]` is the scenario's index of the `d`-th uncertain parameter (its
/// stream and, with Sobol', dimension `d`).
pub fn uniforms(sampling: Sampling, seed: u64, run: u64, params: &[usize]) -> Vec<f64> {
    let key = RunKey::new(seed, run);
    // The 52 bits of the run's own uniform (plain Monte Carlo uses them as they are).
    let own = |i: usize| key.stream(Purpose::Parameter, i, 0).next_u64() >> 12;
    let replicate = RunKey::new(seed, run / REPLICATE);
    let at = (run % REPLICATE) as usize;
    match sampling {
        Sampling::Mc => params.iter().map(|&i| in_cell(0, 0, own(i))).collect(),
        Sampling::Lhs => params
            .iter()
            .map(|&i| {
                let mut cells: [u8; REPLICATE as usize] = std::array::from_fn(|c| c as u8);
                cells.shuffle(&mut replicate.stream(Purpose::Design, i, 0));
                in_cell(u64::from(cells[at]), REPLICATE_BITS, own(i))
            })
            .collect(),
        Sampling::Sobol => {
            let dims = sobol_burley::NUM_DIMENSIONS as usize;
            let mut seeds = Vec::new();
            params
                .iter()
                .enumerate()
                .map(|(d, &i)| {
                    // Dimensions beyond the direction numbers start another scramble of them.
                    let group = d / dims;
                    while seeds.len() <= group {
                        seeds.push(replicate.stream(Purpose::Design, SOBOL_SEED_INDEX + seeds.len(), 0).next_u32());
                    }
                    let x = sobol_burley::sample(at as u32, (d % dims) as u32, seeds[group]);
                    let cell = (f64::from(x) * f64::from(1u32 << SOBOL_BITS)) as u64;
                    in_cell(cell, SOBOL_BITS, own(i))
                })
                .collect()
        }
    }
}

/// The number `((cell 2^(52 - bits)) + (k >> bits) + 1/2) 2^-52`: a point of the cell
/// `[cell 2^-bits, (cell + 1) 2^-bits)` set by the top bits of the 52 random bits `k`, in
/// `[2^-53, 1 - 2^-53]` and exactly representable. With `bits = 0` it is the run's own
/// open uniform.
#[inline]
fn in_cell(cell: u64, bits: u32, k: u64) -> f64 {
    debug_assert!(cell < 1 << bits && k < 1 << 52);
    (((cell << (52 - bits)) | (k >> bits)) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_monte_carlo_is_the_runs_own_open_uniform() {
        let params = [0, 3, 7];
        for run in [0, 1, 63, 64, 1000] {
            let u = uniforms(Sampling::Mc, 9, run, &params);
            for (d, &i) in params.iter().enumerate() {
                let mut s = RunKey::new(9, run).stream(Purpose::Parameter, i, 0);
                assert_eq!(u[d].to_bits(), s.open_uniform().to_bits());
            }
        }
    }

    /// Every design puts exactly one run of each replicate in each of the 64 equal cells
    /// of every parameter (for Sobol' that is the net property of its first 64 points,
    /// which Burley's shuffle keeps), and replicates differ.
    #[test]
    fn every_replicate_stratifies_every_parameter() {
        let params: Vec<usize> = (0..300).collect();
        for sampling in [Sampling::Lhs, Sampling::Sobol] {
            for r in [0u64, 1, 17] {
                let points: Vec<Vec<f64>> =
                    (r * REPLICATE..(r + 1) * REPLICATE).map(|run| uniforms(sampling, 5, run, &params)).collect();
                for d in 0..params.len() {
                    let mut cells: Vec<u64> = points.iter().map(|p| (p[d] * REPLICATE as f64) as u64).collect();
                    cells.sort_unstable();
                    assert_eq!(cells, (0..REPLICATE).collect::<Vec<_>>(), "{sampling:?}, replicate {r}, dimension {d}");
                    assert!(points.iter().all(|p| p[d] > 0.0 && p[d] < 1.0));
                }
            }
            let a = uniforms(sampling, 5, 3, &params);
            let b = uniforms(sampling, 5, 3 + REPLICATE, &params);
            assert_ne!(a, b);
        }
    }

    /// Sobol' points stratify pairs of dimensions too: each of the 8 × 8 squares of the
    /// first two dimensions holds exactly one of a replicate's 64 points (a (0, 6, 2)-net),
    /// where a Latin hypercube only holds the margins.
    #[test]
    fn sobol_points_fill_the_squares_of_the_first_two_dimensions() {
        for r in 0..8u64 {
            let mut squares: Vec<u64> = (r * REPLICATE..(r + 1) * REPLICATE)
                .map(|run| {
                    let u = uniforms(Sampling::Sobol, 11, run, &[4, 9]);
                    (u[0] * 8.0) as u64 * 8 + (u[1] * 8.0) as u64
                })
                .collect();
            squares.sort_unstable();
            assert_eq!(squares, (0..64).collect::<Vec<_>>(), "replicate {r}");
        }
    }

    #[test]
    fn the_cells_edges_are_inside_the_open_interval() {
        assert_eq!(in_cell(0, 6, 0), 0.5 / (1u64 << 52) as f64);
        assert_eq!(in_cell(63, 6, (1 << 52) - 1), 1.0 - 0.5 / (1u64 << 52) as f64);
        assert_eq!(in_cell(1, 6, 0), 1.0 / 64.0 + 0.5 / (1u64 << 52) as f64);
        assert_eq!(Sampling::Lhs.whole_runs(10_000), 10_048);
        assert_eq!(Sampling::Mc.whole_runs(10_000), 10_000);
    }
}
