//! Small dense linear algebra for the analyses: least squares by Givens rotations (rows are
//! added one at a time in run order, so memory is `p × p` and results do not depend on
//! threads), ranks, and Pearson correlation.

/// A least-squares fit built row by row: the triangular factor `R` of the design matrix
/// and `Qᵀ y` for one or more targets.
#[derive(Debug, Clone)]
pub(crate) struct LeastSquares {
    p: usize,
    targets: usize,
    /// `p` rows of `p + targets` numbers: `R` then `Qᵀ y`.
    r: Vec<f64>,
}

impl LeastSquares {
    /// An empty fit with `p` columns and `targets` right-hand sides.
    pub fn new(p: usize, targets: usize) -> Self {
        LeastSquares { p, targets, r: vec![0.0; p * (p + targets)] }
    }

    /// Adds a row `x` (length `p`) with its targets `y` (length `targets`).
    pub fn add(&mut self, x: &[f64], y: &[f64]) {
        let w = self.p + self.targets;
        let mut row: Vec<f64> = x.iter().chain(y).copied().collect();
        for j in 0..self.p {
            if row[j] == 0.0 {
                continue;
            }
            let rjj = self.r[j * w + j];
            let h = crate::math::hypot(rjj, row[j]);
            let (c, s) = (rjj / h, row[j] / h);
            for (rk, b) in self.r[j * w + j..(j + 1) * w].iter_mut().zip(&mut row[j..]) {
                let a = *rk;
                *rk = c * a + s * *b;
                *b = -s * a + c * *b;
            }
        }
    }

    /// The coefficients, `[target][column]`. Columns that are (nearly) linear combinations
    /// of earlier ones get coefficient 0.
    pub(crate) fn solve(&self) -> Vec<Vec<f64>> {
        let w = self.p + self.targets;
        let scale = (0..self.p).map(|j| self.r[j * w + j].abs()).fold(0.0, f64::max);
        let keep: Vec<bool> = (0..self.p).map(|j| self.r[j * w + j].abs() > 1e-9 * scale && scale > 0.0).collect();
        (0..self.targets)
            .map(|t| {
                let mut beta = vec![0.0; self.p];
                for j in (0..self.p).rev() {
                    if !keep[j] {
                        continue;
                    }
                    let mut acc = self.r[j * w + self.p + t];
                    for (r, b) in self.r[j * w + j + 1..j * w + self.p].iter().zip(&beta[j + 1..]) {
                        acc -= r * b;
                    }
                    beta[j] = acc / self.r[j * w + j];
                }
                beta
            })
            .collect()
    }
}

/// Ranks 1..n, ties given their average rank.
pub(crate) fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            out[o] = rank;
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation; NaN when either side is constant or there are fewer than 3 pairs.
pub(crate) fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 3 {
        return f64::NAN;
    }
    let ma = a[..n].iter().sum::<f64>() / n as f64;
    let mb = b[..n].iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa <= 0.0 || sbb <= 0.0 { f64::NAN } else { sab / (saa * sbb).sqrt() }
}

/// The inverse of a symmetric positive definite matrix (row-major, `n × n`) by Gauss-Jordan
/// elimination with partial pivoting; `None` when it is (nearly) singular.
pub(crate) fn inverse(m: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut a = m.to_vec();
    let mut inv: Vec<f64> = (0..n * n).map(|i| if i / n == i % n { 1.0 } else { 0.0 }).collect();
    let scale = m.iter().fold(0.0f64, |acc, x| acc.max(x.abs()));
    for c in 0..n {
        let piv = (c..n).max_by(|&x, &y| a[x * n + c].abs().total_cmp(&a[y * n + c].abs()))?;
        if a[piv * n + c].abs() <= 1e-12 * scale {
            return None;
        }
        if piv != c {
            for k in 0..n {
                a.swap(c * n + k, piv * n + k);
                inv.swap(c * n + k, piv * n + k);
            }
        }
        let d = a[c * n + c];
        for k in 0..n {
            a[c * n + k] /= d;
            inv[c * n + k] /= d;
        }
        for r in 0..n {
            if r != c {
                let f = a[r * n + c];
                if f != 0.0 {
                    for k in 0..n {
                        a[r * n + k] -= f * a[c * n + k];
                        inv[r * n + k] -= f * inv[c * n + k];
                    }
                }
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_by_hand() {
        // y = 1 + 2x exactly, and a second target y = x^2 fitted by a line on x = 0, 1, 2:
        // slope 2, intercept -1/3.
        let mut ls = LeastSquares::new(2, 2);
        for x in [0.0, 1.0, 2.0] {
            ls.add(&[1.0, x], &[1.0 + 2.0 * x, x * x]);
        }
        let b = ls.solve();
        assert!((b[0][0] - 1.0).abs() < 1e-12 && (b[0][1] - 2.0).abs() < 1e-12, "{b:?}");
        assert!((b[1][0] + 1.0 / 3.0).abs() < 1e-12 && (b[1][1] - 2.0).abs() < 1e-12, "{b:?}");
        // A duplicated column gets 0.
        let mut ls = LeastSquares::new(3, 1);
        for x in [0.0, 1.0, 2.0, 3.0] {
            ls.add(&[1.0, x, x], &[3.0 * x]);
        }
        let b = ls.solve();
        assert!((b[0][1] + b[0][2] - 3.0).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn ranks_and_inverse() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        let inv = inverse(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        let expected = [2.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0, 2.0 / 3.0];
        assert!(inv.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(inverse(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]) - 0.993_399_267_798_783).abs() < 1e-12);
    }
}
