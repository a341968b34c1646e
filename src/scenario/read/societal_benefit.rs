//! `[[societal_benefit]]`: benefits outside the youth-care budget, each following either
//! a segment (`follows`, avoided starts versus the baseline) or prevention programmes
//! (`prevention`, referrals they prevented).

use std::collections::HashMap;

use toml::de::DeTable;

use super::ids::{Entry, PROGRAMME, SEGMENT};
use super::keys::Rule;
use super::{Cx, join};
use crate::scenario::{Follows, SocietalBenefit};

/// The keys of a `[[societal_benefit]]`.
const KEYS: [&str; 5] = ["id", "name", "value_per_event", "follows", "prevention"];

impl Cx<'_> {
    /// Every `[[societal_benefit]]`; `segments` and `programmes` are the ids they may follow.
    pub(super) fn read_societal_benefits(
        &mut self,
        root: &DeTable<'_>,
        segments: &HashMap<String, usize>,
        programmes: &HashMap<String, usize>,
    ) -> Vec<SocietalBenefit> {
        let tables = self.tables(root, "societal_benefit");
        self.entries(&tables, "societal_benefit", &KEYS, |cx, e| cx.societal_benefit(e, segments, programmes)).items
    }

    /// One `[[societal_benefit]]`: `follows` a segment or `prevention` programmes, one of
    /// the two.
    fn societal_benefit(
        &mut self,
        e: Entry<'_, '_>,
        segments: &HashMap<String, usize>,
        programmes: &HashMap<String, usize>,
    ) -> SocietalBenefit {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let name = self.name(&e);
        let value_per_event = self.value(t, path, "value_per_event", Rule::NonNeg, sp, None);
        let follows = match (t.contains_key("follows"), t.contains_key("prevention")) {
            (true, false) => self.follows_segment(&e, segments),
            (false, true) => self.follows_programmes(&e, programmes),
            (both, _) => {
                self.problem(
                    sp.clone(),
                    path,
                    "either `follows = \"<segment id>\"` or `prevention = [\"<programme id>\", ...]`",
                    if both { "both".into() } else { "neither".into() },
                    None,
                );
                Follows::Programmes(Vec::new())
            }
        };
        SocietalBenefit { id: e.id, name, value_per_event, follows }
    }

    /// `follows = "<segment id>"`.
    fn follows_segment(&mut self, e: &Entry<'_, '_>, segments: &HashMap<String, usize>) -> Follows {
        let seg = self.string(e.table, &e.path, "follows", &e.span, true);
        match seg.as_ref().map(|seg| (seg, segments.get(seg))) {
            None => Follows::Segment(0),
            Some((_, Some(&g))) => Follows::Segment(g),
            Some((seg, None)) => {
                let v = e.table.get("follows").map_or(e.span.clone(), |v| v.span());
                self.unknown_id(v, &join(&e.path, "follows"), seg, segments, &SEGMENT);
                Follows::Segment(0)
            }
        }
    }

    /// `prevention = ["<programme id>", ...]`: at least one programme, each once.
    fn follows_programmes(&mut self, e: &Entry<'_, '_>, programmes: &HashMap<String, usize>) -> Follows {
        let key = join(&e.path, "prevention");
        let list = self.id_list(e.table, &e.path, "prevention", &e.span, true);
        let progs = self.resolve_ids(list, programmes, &key, &PROGRAMME);
        if progs.is_empty() && !self.reported(&key) {
            self.empty_id_list(&e.span, &key, &PROGRAMME);
        }
        Follows::Programmes(progs)
    }
}
