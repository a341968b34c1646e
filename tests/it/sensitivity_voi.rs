//! Value of information against reference values worked out by hand.
//!
//! Two strategies whose incremental net benefit is linear in independent standard normal
//! inputs, `INB = a + b X + c Y`: with the unit normal loss integral
//! `L(z) = φ(z) - z (1 - Φ(z))`, the EVPI is `σ L(|a| / σ)` with `σ² = b² + c²`, and the
//! EVPPI of `X` alone is `|b| L(|a| / |b|)` (Y averages out). For `a = 1000`, `b = 2000`,
//! `c = 1500` (so `σ = 2500`):
//!
//! - `L(0.4) = 0.368270 - 0.4 × 0.344578 = 0.230439`, EVPI = 2500 × 0.230439 = 576.10;
//! - `L(0.5) = 0.352065 - 0.5 × 0.308538 = 0.197797`, EVPPI(X) = 2000 × 0.197797 = 395.59;
//! - `L(2/3) = 0.319448 - 2/3 × 0.252493 = 0.151119`, EVPPI(Y) = 1500 × 0.151119 = 226.68.
//!
//! Tolerances are four Monte Carlo standard errors of the estimates, computed from the
//! samples; the test fails by chance with probability below 1 in 10,000.

use contractsim::analysis::voi::{evpi, evpi_of_costs, evppi, evppi_of_costs};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// SplitMix64 and Box-Muller: standard normals, reproducible, no dependency.
struct Normals(u64);

impl Normals {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn pair(&mut self) -> (f64, f64) {
        let (u, v) = (self.uniform(), self.uniform());
        let r = (-2.0 * u.ln()).sqrt();
        let t = 2.0 * std::f64::consts::PI * v;
        (r * t.cos(), r * t.sin())
    }
}

fn loss(z: f64) -> f64 {
    let n = Normal::standard();
    n.pdf(z) - z * (1.0 - n.cdf(z))
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    contractsim::stats::mean_mcse(v)
}

const A: f64 = 1000.0;
const B: f64 = 2000.0;
const C: f64 = 1500.0;
const N: usize = 200_000;

fn samples() -> (Vec<f64>, Vec<f64>) {
    let mut g = Normals(20_240_611);
    (0..N).map(|_| g.pair()).unzip()
}

#[test]
fn closed_forms_match_the_hand_values() {
    assert!((2500.0 * loss(0.4) - 576.10).abs() < 0.01, "{}", 2500.0 * loss(0.4));
    assert!((2000.0 * loss(0.5) - 395.59).abs() < 0.01, "{}", 2000.0 * loss(0.5));
    assert!((1500.0 * loss(2.0 / 3.0) - 226.68).abs() < 0.01, "{}", 1500.0 * loss(2.0 / 3.0));
}

#[test]
fn evpi_and_evppi_match_the_normal_loss_integral() {
    let (x, y) = samples();
    let inb: Vec<f64> = x.iter().zip(&y).map(|(x, y)| A + B * x + C * y).collect();
    // As costs: strategy 0 costs nothing, strategy 1 costs -INB (it saves INB).
    let cost = vec![vec![0.0; N], inb.iter().map(|v| -v).collect::<Vec<_>>()];

    // EVPI = mean(max(0, INB)) - max(0, mean INB): the standard error of the first mean
    // plus that of the second.
    let pos: Vec<f64> = inb.iter().map(|v| v.max(0.0)).collect();
    let tol = |a: &[f64], b: &[f64]| 4.0 * (mean_se(a).1 + mean_se(b).1);
    let sigma = (B * B + C * C).sqrt();
    let expected = sigma * loss(A / sigma);
    let got = evpi_of_costs(&cost);
    assert!((got - expected).abs() < tol(&pos, &inb), "EVPI {got}, expected {expected}");
    // The same from net benefits; EVPI is never negative.
    let nb = vec![vec![0.0; N], inb.clone()];
    assert_eq!(evpi(&nb), got);
    assert!(got > 0.0);

    // EVPPI of X: the regression recovers E[INB | X] = A + B X, so the estimate is close to
    // mean(max(0, A + B X)) - max(0, A + mean error): the same kind of tolerance.
    let gx: Vec<f64> = x.iter().map(|x| (A + B * x).max(0.0)).collect();
    let ex = B * loss(A / B);
    let got_x = evppi_of_costs(&cost, &[&x]);
    assert!((got_x - ex).abs() < tol(&gx, &inb), "EVPPI(X) {got_x}, expected {ex}");
    let gy: Vec<f64> = y.iter().map(|y| (A + C * y).max(0.0)).collect();
    let ey = C * loss(A / C);
    let got_y = evppi_of_costs(&cost, &[&y]);
    assert!((got_y - ey).abs() < tol(&gy, &inb), "EVPPI(Y) {got_y}, expected {ey}");

    // EVPPI <= EVPI, and all inputs together give the EVPI (the fit is exact here).
    assert!(got_x <= got && got_y <= got);
    let both = evppi_of_costs(&cost, &[&x, &y]);
    assert!((both - got).abs() < 1e-6 * got, "EVPPI(X, Y) {both} vs EVPI {got}");
    // An input unrelated to the decision is worth (about) nothing: its estimate is the
    // over-fitting bias only, far below one standard error of the EVPI.
    let (z, _) = {
        let mut g = Normals(99);
        (0..N).map(|_| g.pair()).unzip::<f64, f64, Vec<f64>, Vec<f64>>()
    };
    let got_z = evppi(&nb, &[&z]);
    assert!(got_z < mean_se(&pos).1, "EVPPI of noise {got_z}");
}

/// Three strategies, two equally likely futures, costs (0, 10, 4) and (0, -10, 4): each of
/// the first two costs 0 on average, so without information the municipality expects 0;
/// with it, 0 in the first future and -10 in the second, -5 on average: EVPI = 5. The
/// sign error of maximising costs instead would give 3 (E[max] = 7, max E = 4).
#[test]
fn evpi_of_costs_by_hand_with_three_strategies() {
    let cost = vec![vec![0.0, 0.0], vec![10.0, -10.0], vec![4.0, 4.0]];
    assert_eq!(evpi_of_costs(&cost), 5.0);
    assert_eq!(evpi(&cost), 3.0);
}
