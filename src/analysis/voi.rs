//! Value of information for the choice between strategies.
//!
//! Sign convention: the decision maker picks the strategy with the highest expected *net
//! benefit*. On the municipal perspective spend is a cost, so the net benefit of a strategy
//! in a run is minus its NPV spend, and the preferred strategy minimises expected NPV spend.
//! Both values below are then in euros (NPV) and never negative:
//!
//! - EVPI `= E[max_d NB_d] - max_d E[NB_d]` (= `min_d E[spend_d] - E[min_d spend_d]`), from
//!   the runs directly, as dampack, BCEA and voi do.
//! - EVPPI of an input or group `φ`: `E_φ[max_d E[NB_d | φ]] - max_d E[NB_d]`, with the
//!   conditional expectations estimated by a regression metamodel (Strong, Oakley and
//!   Brennan 2014): the incremental net benefit of each strategy versus the first is
//!   regressed on a cubic regression spline of each input in `φ` (additive over the inputs
//!   of a group), and the fitted values replace `E[NB_d | φ]`.
//!
//! The EVPI counts every source of uncertainty, including the model's process randomness
//! (which referrals arrive, which provider fails), which no study of the inputs can remove;
//! the EVPPI of all drawn inputs together is the part that research on the inputs can buy.

use super::linalg::LeastSquares;

/// EVPI from net benefits `nb[strategy][run]` (higher is better). 0 with one strategy or
/// no runs.
pub fn evpi(nb: &[Vec<f64>]) -> f64 {
    let runs = nb.iter().map(Vec::len).min().unwrap_or(0);
    if nb.len() < 2 || runs == 0 {
        return 0.0;
    }
    let n = runs as f64;
    let mean_max = (0..runs).map(|r| nb.iter().map(|v| v[r]).fold(f64::NEG_INFINITY, f64::max)).sum::<f64>() / n;
    let max_mean = nb.iter().map(|v| v[..runs].iter().sum::<f64>() / n).fold(f64::NEG_INFINITY, f64::max);
    (mean_max - max_mean).max(0.0)
}

/// EVPI of a choice between strategies by their costs `cost[strategy][run]` (lower is
/// better): the EVPI of the net benefits `-cost`.
pub fn evpi_of_costs(cost: &[Vec<f64>]) -> f64 {
    evpi(&negate(cost))
}

/// EVPPI of the group of inputs `inputs[input][run]` for the choice between strategies by
/// their costs (lower is better); see [`evppi`].
pub fn evppi_of_costs(cost: &[Vec<f64>], inputs: &[&[f64]]) -> f64 {
    evppi(&negate(cost), inputs)
}

fn negate(cost: &[Vec<f64>]) -> Vec<Vec<f64>> {
    cost.iter().map(|v| v.iter().map(|x| -x).collect()).collect()
}

/// EVPPI of the group of inputs `inputs[input][run]` from net benefits `nb[strategy][run]`
/// (higher is better), by the regression metamodel described in the module docs. Inputs
/// that do not vary are ignored; with none left, or one strategy, it is 0.
pub fn evppi(nb: &[Vec<f64>], inputs: &[&[f64]]) -> f64 {
    let runs = nb.iter().map(Vec::len).min().unwrap_or(0);
    if nb.len() < 2 || runs < 3 {
        return 0.0;
    }
    let basis = Basis::new(inputs, runs);
    if basis.columns() == 1 {
        return 0.0;
    }
    let targets = nb.len() - 1;
    let mut ls = LeastSquares::new(basis.columns(), targets);
    let mut x = vec![0.0; basis.columns()];
    let mut y = vec![0.0; targets];
    for r in 0..runs {
        basis.row(inputs, r, &mut x);
        for d in 1..nb.len() {
            y[d - 1] = nb[d][r] - nb[0][r];
        }
        ls.add(&x, &y);
    }
    let beta = ls.solve();
    // Fitted incremental net benefits; strategy 0 is the reference at 0.
    let mut sum_max = 0.0;
    let mut sums = vec![0.0; targets];
    for r in 0..runs {
        basis.row(inputs, r, &mut x);
        let mut best = 0.0f64;
        for (d, b) in beta.iter().enumerate() {
            let fit: f64 = x.iter().zip(b).map(|(a, c)| a * c).sum();
            sums[d] += fit;
            best = best.max(fit);
        }
        sum_max += best;
    }
    let n = runs as f64;
    let max_mean = sums.iter().map(|s| s / n).fold(0.0, f64::max);
    (sum_max / n - max_mean).max(0.0)
}

/// The regression basis: an intercept, then per varying input its standardised value `z`,
/// `z²`, `z³` and `(z - k)³₊` at knots `k` at its 20th, 40th, 60th and 80th percentiles.
/// With many inputs, fewer terms per input keep the columns at most a twentieth of the
/// runs (over-fitting would bias the EVPPI upwards): the cubic alone, then the linear term.
struct Basis {
    /// Per input: (mean, sd, knots), or `None` when it does not vary.
    inputs: Vec<Option<(f64, f64, Vec<f64>)>>,
    /// Polynomial degree per input (1 to 3).
    degree: usize,
}

impl Basis {
    fn new(inputs: &[&[f64]], runs: usize) -> Self {
        let varying = inputs.iter().filter(|v| spread(&v[..runs]).1 > 0.0).count();
        let budget = (runs / 20).max(2) - 1;
        let (degree, knots) = if varying * 7 <= budget {
            (3, 4)
        } else if varying * 3 <= budget {
            (3, 0)
        } else {
            (1, 0)
        };
        let inputs = inputs
            .iter()
            .map(|v| {
                let (mean, sd) = spread(&v[..runs]);
                if sd <= 0.0 || varying == 0 {
                    return None;
                }
                let mut z: Vec<f64> = v[..runs].iter().map(|x| (x - mean) / sd).collect();
                z.sort_by(f64::total_cmp);
                let k = (1..=knots).map(|i| crate::stats::quantile_sorted(&z, i as f64 / (knots + 1) as f64)).collect();
                Some((mean, sd, k))
            })
            .collect();
        Basis { inputs, degree }
    }

    fn columns(&self) -> usize {
        1 + self.inputs.iter().flatten().map(|(_, _, k)| self.degree + k.len()).sum::<usize>()
    }

    fn row(&self, inputs: &[&[f64]], r: usize, out: &mut [f64]) {
        out[0] = 1.0;
        let mut c = 1;
        for (v, spec) in inputs.iter().zip(&self.inputs) {
            let Some((mean, sd, knots)) = spec else { continue };
            let z = (v[r] - mean) / sd;
            let mut p = 1.0;
            for _ in 0..self.degree {
                p *= z;
                out[c] = p;
                c += 1;
            }
            for k in knots {
                out[c] = (z - k).max(0.0).powi(3);
                c += 1;
            }
        }
    }
}

/// Mean and standard deviation (sums in order).
fn spread(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.len() < 2 {
        return (v.first().copied().unwrap_or(0.0), 0.0);
    }
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evpi_small_by_hand() {
        // Two runs: strategy costs (10, 20) and (20, 10): each strategy costs 15 on
        // average, knowing the run saves 5.
        let cost = vec![vec![10.0, 20.0], vec![20.0, 10.0]];
        assert_eq!(evpi_of_costs(&cost), 5.0);
        // A dominant strategy: nothing to learn.
        assert_eq!(evpi_of_costs(&[vec![1.0, 2.0], vec![3.0, 4.0]]), 0.0);
        assert_eq!(evpi(&[vec![1.0, 2.0]]), 0.0);
    }
}
