//! `name_nl` and `description_nl`: the Dutch texts beside the English ones, read with every
//! entry that has a `name` (and a `description`), and the list of entries that lack one.

use std::ops::Range;

use toml::de::DeTable;

use super::Cx;
use crate::scenario::dutch::Kind;

/// The Dutch keys an entry with a `name` (and a `description`) may have.
pub(super) fn dutch_keys(known: &[&str]) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if known.contains(&"name") {
        keys.push("name_nl");
    }
    if known.contains(&"description") {
        keys.push("description_nl");
    }
    keys
}

impl Cx<'_> {
    /// Reads an entry's `name_nl` and `description_nl`, when its section has Dutch texts.
    pub(super) fn read_dutch(&mut self, t: &DeTable<'_>, section: &str, index: usize, path: &str, span: &Range<usize>) {
        let Some(kind) = Kind::of_section(section).or((section == "scenario").then_some(Kind::Scenario)) else {
            return;
        };
        if let Some(name) = self.string(t, path, "name_nl", span, false) {
            self.dutch.set_name(kind, index, name);
        }
        if let Some(text) = self.string(t, path, "description_nl", span, false) {
            self.dutch.set_description(kind, index, text);
        }
    }
}

/// The entries whose Dutch name is missing, as `strategy "task"`, for `check`'s warning.
pub(super) fn untranslated(s: &crate::scenario::Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if s.dutch.name(Kind::Scenario, 0).is_none() {
        out.push("scenario.name_nl".to_string());
    }
    if !s.description.is_empty() && s.dutch.description(Kind::Scenario, 0).is_none() {
        out.push("scenario.description_nl".to_string());
    }
    let ids = |kind: Kind, ids: Vec<&str>, out: &mut Vec<String>| {
        for (i, id) in ids.into_iter().enumerate() {
            if s.dutch.name(kind, i).is_none() {
                let key = if kind == Kind::Question { "text_nl" } else { "name_nl" };
                out.push(format!("{}.{id}.{key}", kind.section()));
            }
        }
    };
    ids(Kind::Segment, s.segments.iter().map(|x| x.id.as_str()).collect(), &mut out);
    ids(Kind::Programme, s.programmes.iter().map(|x| x.id.as_str()).collect(), &mut out);
    ids(Kind::SocietalBenefit, s.societal_benefits.iter().map(|x| x.id.as_str()).collect(), &mut out);
    ids(Kind::Strategy, s.strategies.iter().map(|x| x.id.as_str()).collect(), &mut out);
    ids(Kind::Question, s.questions.iter().map(|x| x.id.as_str()).collect(), &mut out);
    out
}
