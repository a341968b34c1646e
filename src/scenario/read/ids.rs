//! Identifiers: the `id` of each table of an array such as `[[segment]]`, lists of ids,
//! and their resolution against the ids read so far.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{describe, suggest};
use super::{Cx, join};

impl Cx<'_> {
    /// Resolves a list of ids against an index: each id once, each a known id (with a "did
    /// you mean" hint); problems are reported under `key`.
    pub(super) fn resolve_ids(
        &mut self,
        list: Vec<(String, Range<usize>)>,
        index: &HashMap<String, usize>,
        key: &str,
        once: &str,
        what: &str,
        noun: &str,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for (id, span) in list {
            match index.get(&id) {
                Some(i) if out.contains(i) => self.problem(span, key, once, format!("\"{id}\" twice"), None),
                Some(&i) => out.push(i),
                None => {
                    let ids: Vec<&str> = index.keys().map(String::as_str).collect();
                    let hint = suggest(&id, &ids);
                    self.problem(span, key, what, format!("\"{id}\", which is no {noun}"), hint);
                }
            }
        }
        out
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
                    self.problem(
                        span.clone(),
                        &full,
                        "a list of ids, e.g. [\"a\", \"b\"]",
                        "nothing (the key is missing)".into(),
                        None,
                    );
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
