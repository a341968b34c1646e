//! Identifiers: the `id` of each table of an array such as `[[segment]]`, lists of ids,
//! and their resolution against the ids read so far.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{describe, suggest};
use super::{Cx, join};

/// What an id refers to, as messages name it.
pub(super) struct IdKind {
    /// `segment`, as in "each segment once" and "which is no segment".
    pub(super) noun: &'static str,
    /// What a reference must be, e.g. "the id of a segment".
    pub(super) what: &'static str,
}

/// Ids of `[[segment]]`.
pub(super) const SEGMENT: IdKind = IdKind { noun: "segment", what: "the id of a segment" };
/// Ids of `[[contract]]`.
pub(super) const CONTRACT: IdKind = IdKind { noun: "contract", what: "the id of a contract" };
/// Ids of `[[prevention]]`.
pub(super) const PROGRAMME: IdKind = IdKind { noun: "programme", what: "the id of a prevention programme" };

impl Cx<'_> {
    /// Resolves a list of ids against an index: each id once, each a known id (with a "did
    /// you mean" hint); problems are reported under `key`.
    pub(super) fn resolve_ids(
        &mut self,
        list: Vec<(String, Range<usize>)>,
        index: &HashMap<String, usize>,
        key: &str,
        kind: &IdKind,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for (id, span) in list {
            match index.get(&id) {
                Some(i) if out.contains(i) => {
                    self.problem(span, key, &format!("each {} once", kind.noun), format!("\"{id}\" twice"), None)
                }
                Some(&i) => out.push(i),
                None => self.unknown_id(span, key, &id, index, kind),
            }
        }
        out
    }

    /// Reports `id` under `key` as no id of `index`, with a "did you mean" hint.
    pub(super) fn unknown_id(
        &mut self,
        span: Range<usize>,
        key: &str,
        id: &str,
        index: &HashMap<String, usize>,
        kind: &IdKind,
    ) {
        let ids: Vec<&str> = index.keys().map(String::as_str).collect();
        let hint = suggest(id, &ids);
        self.problem(span, key, kind.what, format!("\"{id}\", which is no {}", kind.noun), hint);
    }

    /// Reports an empty list of ids under `key`, at the table's `span`.
    pub(super) fn empty_id_list(&mut self, span: &Range<usize>, key: &str, kind: &IdKind) {
        self.problem(span.clone(), key, &format!("at least one {} id", kind.noun), "an empty list".into(), None);
    }

    /// A list of identifiers with the span of each.
    pub(super) fn id_list(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        span: &Range<usize>,
        required: bool,
    ) -> Vec<(String, Range<usize>)> {
        let full = join(path, key);
        match t.get(key) {
            None => {
                if required {
                    self.missing(span, &full, "a list of ids, e.g. [\"a\", \"b\"]");
                }
                Vec::new()
            }
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    let mut out = Vec::new();
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::String(s) => out.push((s.to_string(), item.span())),
                            other => self.problem(item.span(), &full, "an id in quotes", describe(other), None),
                        }
                    }
                    out
                }
                DeValue::String(s) => {
                    self.problem(
                        v.span(),
                        &full,
                        "a list of ids",
                        format!("the string \"{s}\""),
                        Some(format!("write [\"{s}\"]")),
                    );
                    Vec::new()
                }
                other => {
                    self.problem(v.span(), &full, "a list of ids", describe(other), None);
                    Vec::new()
                }
            },
        }
    }

    /// Reads `id`, checks it is a new identifier, and returns it with the key path.
    pub(super) fn id_of(
        &mut self,
        t: &DeTable<'_>,
        kind: &str,
        i: usize,
        sp: &Range<usize>,
        index: &mut HashMap<String, usize>,
        next: usize,
    ) -> (String, String) {
        let fallback = format!("{kind}[{}]", i + 1);
        let Some(id) = self.string(t, &fallback, "id", sp, true) else {
            return (fallback.clone(), fallback);
        };
        let span = t.get("id").map_or(sp.clone(), |v| v.span());
        let valid = !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !valid {
            self.problem(
                span.clone(),
                &join(&fallback, "id"),
                "an id of letters, digits, '_' or '-'",
                format!("\"{id}\""),
                None,
            );
        }
        if index.contains_key(&id) {
            self.problem(
                span,
                &join(&fallback, "id"),
                &format!("a {kind} id used once"),
                format!("\"{id}\" again"),
                None,
            );
        } else {
            index.insert(id.clone(), next);
        }
        (id.clone(), format!("{kind}.{id}"))
    }
}
