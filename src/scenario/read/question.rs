//! `[[question]]`: the comparisons a scenario asks about, each with the strategies it
//! compares, the strategy they are compared with, and optionally the input it is about.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::ids::{Entry, IdKind};
use super::keys::suggest;
use super::{Cx, join};
use crate::scenario::question::Question;
use crate::scenario::{Param, Strategy};

/// The keys of a `[[question]]`.
const KEYS: [&str; 8] = ["id", "text", "text_nl", "strategies", "compared_with", "about", "view", "variant"];

/// Ids of `[[strategy]]`.
const STRATEGY: IdKind = IdKind { noun: "strategy", what: "the id of a strategy" };
/// Ids of `[[variant]]`.
const VARIANT: IdKind = IdKind { noun: "variant", what: "the id of a `[[variant]]` of this file" };

impl Cx<'_> {
    /// Every `[[question]]`, in file order (none is fine: the answer then compares every
    /// strategy with the baseline).
    pub(super) fn read_questions(&mut self, root: &DeTable<'_>, strategies: &[Strategy]) -> Vec<Question> {
        let tables = self.tables(root, "question");
        let index: HashMap<String, usize> = strategies.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        let baseline = strategies.iter().position(|s| s.baseline).unwrap_or(0);
        let worlds = super::variant::ids(root);
        self.entries(&tables, "question", &KEYS, |cx, e| cx.question(e, &index, baseline, &worlds)).items
    }

    /// `[scenario] focus`: the alternatives the charts show (at most
    /// [`crate::scenario::MAX_FOCUS`], the baseline not among them; empty: the rule of
    /// `docs/reports.md`).
    pub(super) fn read_focus(&mut self, root: &DeTable<'_>, strategies: &[Strategy]) -> Vec<usize> {
        let Some(DeValue::Table(sc)) = root.get("scenario").map(|v| v.get_ref()) else { return Vec::new() };
        let Some(value) = sc.get("focus") else { return Vec::new() };
        let span = value.span();
        let index: HashMap<String, usize> = strategies.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        let list = self.id_list(sc, "scenario", "focus", &span, false);
        let n = list.len();
        let ids = self.resolve_ids(list, &index, "scenario.focus", &STRATEGY);
        let limit = crate::scenario::MAX_FOCUS;
        if n == 0 {
            self.empty_id_list(&span, "scenario.focus", &STRATEGY);
        } else if n > limit {
            self.problem(
                span.clone(),
                "scenario.focus",
                &format!("at most {limit} strategies (the charts show the baseline and at most {limit} others)"),
                format!("{n}"),
                Some("the tables show every strategy; name the ones the charts should show".into()),
            );
        }
        if let Some(&b) = ids.iter().find(|&&k| strategies[k].baseline) {
            self.problem(
                span,
                "scenario.focus",
                "strategies other than the baseline (the charts always show it)",
                format!("\"{}\" among them", strategies[b].id),
                Some("leave the baseline out".into()),
            );
        }
        ids.into_iter().filter(|&k| !strategies[k].baseline).take(limit).collect()
    }

    /// One `[[question]]`.
    fn question(
        &mut self,
        e: Entry<'_, '_>,
        index: &HashMap<String, usize>,
        baseline: usize,
        worlds: &HashMap<String, usize>,
    ) -> Question {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let text = self.string(t, path, "text", sp, true).unwrap_or_default();
        if let Some(nl) = self.string(t, path, "text_nl", sp, false) {
            self.dutch.set_name(crate::scenario::dutch::Kind::Question, e.index, nl);
        }
        let list = self.id_list(t, path, "strategies", sp, true);
        let mut strategies = self.resolve_ids(list, index, &join(path, "strategies"), &STRATEGY);
        let reference = match t.get("compared_with") {
            None => baseline,
            Some(_) => {
                let id = self.string(t, path, "compared_with", sp, false).unwrap_or_default();
                let span = t.get("compared_with").map_or(sp.clone(), |v| v.span());
                match index.get(&id) {
                    Some(&i) => i,
                    None => {
                        self.unknown_id(span, &join(path, "compared_with"), &id, index, &STRATEGY);
                        baseline
                    }
                }
            }
        };
        if strategies.contains(&reference) {
            let span = t.get("strategies").map_or(sp.clone(), |v| v.span());
            self.problem(
                span,
                &join(path, "strategies"),
                "strategies other than the one they are compared with",
                format!("\"{}\" among them", index.iter().find(|(_, i)| **i == reference).map_or("", |(id, _)| id)),
                Some("list it under `compared_with` only".into()),
            );
            strategies.retain(|&k| k != reference);
        }
        let about = self.about(t, path, sp);
        let societal = self.view(t, path);
        let variant = match t.get("variant") {
            None => None,
            Some(v) => {
                let id = self.string(t, path, "variant", sp, false).unwrap_or_default();
                let found = worlds.get(&id).copied();
                if found.is_none() && !self.reported(&join(path, "variant")) {
                    self.unknown_id(v.span(), &join(path, "variant"), &id, worlds, &VARIANT);
                }
                found
            }
        };
        Question { id: e.id, text, strategies, reference, about, societal, variant }
    }

    /// `about`: the dotted path of an input read earlier in the file.
    fn about(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>) -> Option<usize> {
        let key = self.string(t, path, "about", sp, false)?;
        let found = self.params.iter().position(|p: &Param| p.path == key);
        if found.is_none() {
            let span = t.get("about").map_or(sp.clone(), |v| v.span());
            let paths: Vec<&str> = self.params.iter().map(|p| p.path.as_str()).collect();
            let hint = suggest(&key, &paths);
            self.problem(
                span,
                &join(path, "about"),
                "the key path of an input in this file",
                format!("\"{key}\""),
                hint,
            );
        }
        found
    }

    /// `view`: `"municipal"` (the default) or `"societal"`.
    fn view(&mut self, t: &DeTable<'_>, path: &str) -> bool {
        let Some(v) = t.get("view") else { return false };
        match v.get_ref() {
            toml::de::DeValue::String(s) if s.as_ref() == "municipal" => false,
            toml::de::DeValue::String(s) if s.as_ref() == "societal" => true,
            other => {
                self.problem(
                    v.span(),
                    &join(path, "view"),
                    "\"municipal\" or \"societal\"",
                    super::keys::describe(other),
                    None,
                );
                false
            }
        }
    }
}
