//! Identifiers and arrays of tables: each table of an array such as `[[segment]]` read
//! with its `id` (one of letters, digits, '_' or '-', used once), lists of ids, and their
//! resolution against the ids read so far.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::dutch::dutch_keys;
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

/// One table of an array such as `[[segment]]`, once its id is read.
pub(super) struct Entry<'t, 'i> {
    /// The table.
    pub(super) table: &'t DeTable<'i>,
    /// Its span in the file.
    pub(super) span: Range<usize>,
    /// Its place in the array, which is also the index of what is read from it.
    pub(super) index: usize,
    /// Its id (`segment[2]` when it has none).
    pub(super) id: String,
    /// Its key path in messages, `segment.<id>`.
    pub(super) path: String,
}

/// What the tables of an array were read into, in file order, with the index of each id.
pub(super) struct Entries<T> {
    /// One item per table.
    pub(super) items: Vec<T>,
    /// Each id read (once) and the index of its item.
    pub(super) index: HashMap<String, usize>,
}

impl Cx<'_> {
    /// Reads each table of an array such as `[[segment]]`, in file order: its id (a new
    /// one), its keys (each one `known`), then the rest with `read`. Every table gives an
    /// item, even a bad one, so that the items of later tables keep their indices.
    pub(super) fn entries<'t, 'i, T>(
        &mut self,
        tables: &[(&'t DeTable<'i>, Range<usize>)],
        kind: &str,
        known: &[&str],
        mut read: impl FnMut(&mut Self, Entry<'t, 'i>) -> T,
    ) -> Entries<T> {
        let mut out = Entries { items: Vec::new(), index: HashMap::new() };
        for (index, (table, span)) in tables.iter().enumerate() {
            let (id, path) = self.id_of(table, kind, index, span, &mut out.index);
            let mut keys = known.to_vec();
            keys.extend(dutch_keys(known));
            self.known_keys(table, &path, &keys);
            self.read_dutch(table, kind, index, &path, span);
            let item = read(self, Entry { table, span: span.clone(), index, id, path });
            out.items.push(item);
        }
        out
    }

    /// The `name` of an entry; its id when it has none.
    pub(super) fn name(&mut self, e: &Entry<'_, '_>) -> String {
        self.string(e.table, &e.path, "name", &e.span, false).unwrap_or_else(|| e.id.clone())
    }

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

    /// Reads the `id` of table `i` of an array, checks it is a new identifier (entered in
    /// `index` as `i`), and returns it with the key path.
    fn id_of(
        &mut self,
        t: &DeTable<'_>,
        kind: &str,
        i: usize,
        sp: &Range<usize>,
        index: &mut HashMap<String, usize>,
    ) -> (String, String) {
        let fallback = format!("{kind}[{}]", i + 1);
        let Some(id) = self.string(t, &fallback, "id", sp, true) else {
            return (fallback.clone(), fallback);
        };
        let span = t.get("id").map_or(sp.clone(), |v| v.span());
        let valid = !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        let max = super::keys::MAX_ID;
        if !valid {
            self.problem(
                span.clone(),
                &join(&fallback, "id"),
                "an id of letters, digits, '_' or '-'",
                format!("\"{id}\""),
                None,
            );
        } else if id.chars().count() > max {
            self.problem(
                span.clone(),
                &join(&fallback, "id"),
                &format!("an id of at most {max} characters"),
                format!("an id of {} characters", id.chars().count()),
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
            index.insert(id.clone(), i);
        }
        (id.clone(), format!("{kind}.{id}"))
    }
}
