//! `[population]`: the youths 0-17 at the start and their yearly growth.

use std::ops::Range;

use toml::de::DeTable;

use super::Cx;
use super::keys::Rule;
use crate::scenario::ParamId;

/// What `[population]` sets.
pub(super) struct Population<'t, 'i> {
    /// Youths 0-17 at the start.
    pub(super) youth: f64,
    /// Yearly growth, a value.
    pub(super) growth: ParamId,
    /// The table itself, for the check of the growth rate next to the economy's rates.
    pub(super) table: &'t DeTable<'i>,
}

impl Cx<'_> {
    /// `[population]`, which every file has.
    pub(super) fn read_population<'t, 'i>(&mut self, root: &'t DeTable<'i>, span: &Range<usize>) -> Population<'t, 'i> {
        let (pop, sp) = self.section(root, "population", true, span);
        self.known_keys(pop, "population", &["youth", "growth"]);
        let youth = self.number(pop, "population", "youth", Rule::NonNeg, &sp, None).unwrap_or(0.0);
        let growth = self.value(pop, "population", "growth", Rule::Real, &sp, Some(0.0));
        Population { youth, growth, table: pop }
    }
}
