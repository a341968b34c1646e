//! `[[strategy]]`: the strategies compared, each a set of contracts that covers every
//! segment exactly once plus prevention programmes; exactly one is the baseline.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::ids::{CONTRACT, Entries, Entry, PROGRAMME};
use super::{Cx, join};
use crate::scenario::{Contract, Segment, Strategy};

/// The keys of a `[[strategy]]`.
const KEYS: [&str; 5] = ["id", "name", "contracts", "prevention", "baseline"];

/// What a strategy is made of.
pub(super) struct Parts<'a> {
    /// The segments its contracts must cover.
    pub(super) segments: &'a [Segment],
    /// The contracts it may hold, with their ids.
    pub(super) contracts: &'a Entries<Contract>,
    /// The ids of the prevention programmes it may hold.
    pub(super) programmes: &'a HashMap<String, usize>,
}

/// A strategy's id with the span of its `baseline = true`.
type Baseline = (String, Range<usize>);

impl Cx<'_> {
    /// Every `[[strategy]]` (at least one), exactly one of them the baseline.
    pub(super) fn read_strategies(
        &mut self,
        root: &DeTable<'_>,
        span: &Range<usize>,
        parts: &Parts<'_>,
    ) -> Vec<Strategy> {
        let tables = self.tables(root, "strategy");
        if tables.is_empty() {
            self.problem(
                span.clone(),
                "strategy",
                "at least one `[[strategy]]`, one of them with `baseline = true`",
                "none".into(),
                None,
            );
        }
        let mut baselines = Vec::new();
        let strategies = self.entries(&tables, "strategy", &KEYS, |cx, e| cx.strategy(e, parts, &mut baselines));
        if let Some((_, first)) = tables.first() {
            self.one_baseline(first, &baselines);
        }
        strategies.items
    }

    /// One `[[strategy]]`; when it is a baseline, it goes to `baselines` too.
    fn strategy(&mut self, e: Entry<'_, '_>, parts: &Parts<'_>, baselines: &mut Vec<Baseline>) -> Strategy {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let name = self.name(&e);
        let baseline = self.boolean(t, path, "baseline", false);
        if baseline {
            baselines.push((e.id.clone(), t.get("baseline").map_or(sp.clone(), |v| v.span())));
        }
        let (contracts, contract_of_segment) = self.strategy_contracts(&e, parts);
        if t.contains_key("contracts") {
            self.every_segment_covered(&e, parts.segments, &contract_of_segment);
        }
        let list = self.id_list(t, path, "prevention", sp, false);
        let programmes = self.resolve_ids(list, parts.programmes, &join(path, "prevention"), &PROGRAMME);
        Strategy { id: e.id, name, contracts, programmes, baseline, contract_of_segment }
    }

    /// `contracts`: the contract indices, and for each segment the contract that covers it
    /// (`usize::MAX` for none); a segment covered twice is reported.
    fn strategy_contracts(&mut self, e: &Entry<'_, '_>, parts: &Parts<'_>) -> (Vec<usize>, Vec<usize>) {
        let key = join(&e.path, "contracts");
        let contracts = &parts.contracts.items;
        let mut cs = Vec::new();
        let mut contract_of_segment = vec![usize::MAX; parts.segments.len()];
        for (cid, csp) in self.id_list(e.table, &e.path, "contracts", &e.span, true) {
            let Some(&c) = parts.contracts.index.get(&cid) else {
                self.unknown_id(csp, &key, &cid, &parts.contracts.index, &CONTRACT);
                continue;
            };
            for &s in &contracts[c].segments {
                if contract_of_segment[s] != usize::MAX {
                    let other = &contracts[contract_of_segment[s]].id;
                    self.problem(
                        csp.clone(),
                        &key,
                        "contracts that cover every segment exactly once",
                        format!("segment \"{}\" covered by both \"{other}\" and \"{cid}\"", parts.segments[s].id),
                        None,
                    );
                } else {
                    contract_of_segment[s] = c;
                }
            }
            cs.push(c);
        }
        (cs, contract_of_segment)
    }

    /// Reports the segments no contract of the strategy covers, unless its `contracts`
    /// already has a problem.
    fn every_segment_covered(&mut self, e: &Entry<'_, '_>, segments: &[Segment], contract_of_segment: &[usize]) {
        let missing: Vec<&str> = contract_of_segment
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == usize::MAX)
            .map(|(s, _)| segments[s].id.as_str())
            .collect();
        let key = join(&e.path, "contracts");
        if !missing.is_empty() && !self.reported(&key) {
            let sp = e.table.get("contracts").map_or(e.span.clone(), |v| v.span());
            self.problem(
                sp,
                &key,
                "contracts that cover every segment exactly once",
                format!("no contract for segment(s) {}", missing.join(", ")),
                None,
            );
        }
    }

    /// Reports a file without a baseline (at the first strategy) or with more than one (at
    /// the second).
    fn one_baseline(&mut self, first: &Range<usize>, baselines: &[Baseline]) {
        match baselines.len() {
            1 => {}
            0 => self.problem(
                first.clone(),
                "strategy.baseline",
                "exactly one strategy with `baseline = true`",
                "none".into(),
                None,
            ),
            _ => {
                let ids: Vec<String> = baselines.iter().map(|(id, _)| format!("\"{id}\"")).collect();
                self.problem(
                    baselines[1].1.clone(),
                    "strategy.baseline",
                    "exactly one strategy with `baseline = true`",
                    format!("{} baselines: {}", baselines.len(), ids.join(", ")),
                    None,
                );
            }
        }
    }
}
