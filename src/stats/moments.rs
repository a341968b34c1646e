//! Mean and variance of many figures at once, accumulated run by run in mergeable form.
//!
//! Runs are grouped in blocks of [`BLOCK`] consecutive run indices. Within a block the
//! moments of each figure are updated in run order (Welford 1962); blocks are combined
//! (Chan, Golub and LeVeque 1979) along one fixed binary tree over the block indices, the
//! same whoever computes it: one process in a single pass (a binary counter keeps at most
//! one node per level), or several shards that each reduce their own blocks and are merged
//! later. Floating-point sums therefore take the same path, and give the same bits, at any
//! thread count, with any split into shards.

/// Runs per block: the unit of the combination tree and of shards.
pub const BLOCK: u64 = 256;

/// Count, mean and sum of squared deviations of the non-NaN values seen.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Moments {
    /// Values seen (NaN left out).
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Adds one value (NaN is left out).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The moments of `self`'s values followed by `right`'s.
    pub(crate) fn combine(&self, right: &Moments) -> Moments {
        if right.n == 0 {
            return *self;
        }
        if self.n == 0 {
            return *right;
        }
        let (na, nb) = (self.n as f64, right.n as f64);
        let n = na + nb;
        let delta = right.mean - self.mean;
        Moments {
            n: self.n + right.n,
            mean: self.mean + delta * (nb / n),
            m2: self.m2 + right.m2 + delta * delta * (na * nb / n),
        }
    }

    /// Mean (NaN without values).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Monte Carlo standard error of the mean: `sqrt(m2 / (n - 1) / n)` (NaN below 2 values).
    pub fn mcse(&self) -> f64 {
        if self.n < 2 { f64::NAN } else { (self.m2 / (self.n - 1) as f64 / self.n as f64).sqrt() }
    }
}

/// A node of the combination tree: blocks `index * 2^level .. (index + 1) * 2^level`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// Height in the tree (0: one block).
    pub level: u32,
    /// Position among the nodes of that level.
    pub index: u64,
    /// Moments of every figure over the node's blocks.
    pub moments: Vec<Moments>,
    /// Moments of every figure's replicate means over the node's blocks, when the runs
    /// come in replicates of several runs (`run --sampling lhs|sobol`); empty otherwise.
    pub replicates: Vec<Moments>,
}

impl Node {
    fn is_left_sibling_of(&self, right: &Node) -> bool {
        self.level == right.level && self.index % 2 == 0 && self.index + 1 == right.index
    }
}

/// The moments of many figures over consecutive blocks, reduced along the fixed tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MomentTree {
    /// Maximal complete nodes, in block order.
    pub nodes: Vec<Node>,
}

impl MomentTree {
    /// Appends a node (a finished block is a node of level 0) that follows the last one,
    /// combining siblings as they complete.
    pub fn push(&mut self, node: Node) {
        self.nodes.push(node);
        while self.nodes.len() >= 2 {
            let n = self.nodes.len();
            if !self.nodes[n - 2].is_left_sibling_of(&self.nodes[n - 1]) {
                break;
            }
            let right = self.nodes.pop().expect("two nodes");
            let left = self.nodes.pop().expect("two nodes");
            let moments = combined(&left.moments, &right.moments);
            let replicates = combined(&left.replicates, &right.replicates);
            self.nodes.push(Node { level: left.level + 1, index: left.index / 2, moments, replicates });
        }
    }

    /// Appends the nodes of a tree over the blocks that follow this one's.
    pub fn extend(&mut self, other: MomentTree) {
        for node in other.nodes {
            self.push(node);
        }
    }

    /// The moments over all blocks: the root of the tree padded with empty blocks, i.e.
    /// the remaining nodes folded from the right. `width` figures when there are none.
    pub fn total(&self, width: usize) -> Vec<Moments> {
        self.fold(width, |n| &n.moments)
    }

    /// The moments of the replicate means over all blocks, folded as [`MomentTree::total`].
    pub fn total_replicates(&self, width: usize) -> Vec<Moments> {
        self.fold(width, |n| &n.replicates)
    }

    fn fold(&self, width: usize, of: impl Fn(&Node) -> &Vec<Moments>) -> Vec<Moments> {
        let mut it = self.nodes.iter().rev();
        let Some(last) = it.next() else { return vec![Moments::default(); width] };
        let mut acc = of(last).clone();
        for node in it {
            acc = combined(of(node), &acc);
        }
        if acc.is_empty() { vec![Moments::default(); width] } else { acc }
    }

    /// The moments of figure `i` over all blocks.
    pub(crate) fn total_of(&self, i: usize) -> Moments {
        self.fold_of(|n| n.moments.get(i).copied())
    }

    /// The moments of figure `i`'s replicate means over all blocks.
    pub(crate) fn total_replicates_of(&self, i: usize) -> Moments {
        self.fold_of(|n| n.replicates.get(i).copied())
    }

    fn fold_of(&self, of: impl Fn(&Node) -> Option<Moments>) -> Moments {
        let mut it = self.nodes.iter().rev();
        let Some(last) = it.next() else { return Moments::default() };
        let mut acc = of(last).unwrap_or_default();
        for node in it {
            acc = of(node).unwrap_or_default().combine(&acc);
        }
        acc
    }
}

/// The moments of each figure over `left`'s values followed by `right`'s (an empty side
/// has none).
fn combined(left: &[Moments], right: &[Moments]) -> Vec<Moments> {
    match (left.is_empty(), right.is_empty()) {
        (true, _) => right.to_vec(),
        (_, true) => left.to_vec(),
        _ => left.iter().zip(right).map(|(a, b)| a.combine(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_of(values: &[f64], blocks: std::ops::Range<u64>, per_block: usize) -> MomentTree {
        let mut t = MomentTree::default();
        for b in blocks {
            let mut m = Moments::default();
            for &x in &values[b as usize * per_block..(b as usize + 1) * per_block] {
                m.push(x);
            }
            t.push(Node { level: 0, index: b, moments: vec![m], replicates: Vec::new() });
        }
        t
    }

    #[test]
    fn moments_by_hand() {
        let mut m = Moments::default();
        for x in [4.0, 1.0, f64::NAN, 3.0, 2.0] {
            m.push(x);
        }
        assert_eq!(m.n, 4);
        assert_eq!(m.mean(), 2.5);
        // sd = sqrt(5/3), mcse = sd / 2.
        assert!((m.mcse() - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-15);
        let mut a = Moments::default();
        let mut b = Moments::default();
        [4.0, 1.0].iter().for_each(|&x| a.push(x));
        [3.0, 2.0].iter().for_each(|&x| b.push(x));
        let c = a.combine(&b);
        assert_eq!((c.n, c.mean), (4, 2.5));
        assert!((c.m2 - 5.0).abs() < 1e-12);
    }

    #[test]
    fn any_split_into_shards_gives_the_same_bits() {
        let values: Vec<f64> = (0..37 * 4).map(|i| ((i * 7919) % 1000) as f64 * 1.37e6 + 0.1).collect();
        let whole = tree_of(&values, 0..37, 4).total(1);
        for cut in [1u64, 2, 3, 8, 16, 17, 31, 36] {
            for cut2 in [cut, (cut + 5).min(37)] {
                let mut t = tree_of(&values, 0..cut, 4);
                t.extend(tree_of(&values, cut..cut2, 4));
                t.extend(tree_of(&values, cut2..37, 4));
                assert_eq!(t.total(1), whole, "cuts {cut}, {cut2}");
                assert_eq!(t.nodes, tree_of(&values, 0..37, 4).nodes);
            }
        }
        // And it is the mean and variance, to rounding.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let m2: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        assert!((whole[0].mean - mean).abs() < 1e-9 * mean);
        assert!((whole[0].m2 - m2).abs() < 1e-9 * m2);
    }
}
