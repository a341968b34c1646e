//! `[[variant]]`: states of the world. A variant names the inputs it changes with the keys
//! of the rest of the file, under the same section names, tables of an array by their id:
//!
//! ```toml
//! [[variant]]
//! id = "demand_up"
//! name = "Demand 10% higher than the budget assumed"
//! [variant.segment.light_ambulant]
//! incidence_per_1000 = { dist = "lognormal", mean = 66.1, sd = 4.4 }
//! ```
//!
//! Its world is the file with those values put in, read again by the same reader, so that
//! every check of the format applies to the variant's values too, and a problem in one of
//! them is reported at its line in the variant. A variant changes values only: ids, lists of
//! ids, contract forms, the providers of a lot and the structure of waiting lists stay the
//! file's, so that every world has the same strategies, contracts and segments.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::ids::Entry;
use super::keys::{describe, suggest};
use super::{Cx, join};
use crate::scenario::variant::{BASE_WORLD, Variant, World};
use crate::scenario::{Problem, Scenario};

/// The sections a variant may change, as the file names them.
const SECTIONS: [&str; 7] =
    ["population", "economy", "segment", "contract", "provider", "prevention", "societal_benefit"];

/// The sections that are arrays of tables, changed table by table through their id.
const ARRAYS: [&str; 4] = ["segment", "contract", "prevention", "societal_benefit"];

/// The keys of a `[[variant]]` besides the sections it changes.
const OWN_KEYS: [&str; 4] = ["id", "name", "description", "known_at_signing"];

/// Keys that give the file its shape; a variant may not change them.
const FIXED: [&str; 15] = [
    "id",
    "name",
    "name_nl",
    "description",
    "description_nl",
    "segments",
    "escalates_to",
    "court_ordered",
    "form",
    "providers",
    "market_shares",
    "capacity",
    "rationing",
    "targets",
    "financing",
];

/// Keys of societal benefits that name what they follow: fixed as well.
const FIXED_REFERENCES: [&str; 2] = ["follows", "prevention"];

/// The ids of the file's `[[variant]]` tables by their place, for questions that name one
/// (read before the variants themselves; a bad table is reported when they are).
pub(super) fn ids(root: &DeTable<'_>) -> HashMap<String, usize> {
    table_ids(root, "variant").into_iter().filter_map(|(i, id)| Some((id?, i))).collect()
}

/// The `id` of each table of the array `section` of `root`, by its place (`None` for a
/// table without a text id).
fn table_ids(root: &DeTable<'_>, section: &str) -> Vec<(usize, Option<String>)> {
    let Some(DeValue::Array(items)) = root.get(section).map(|v| v.get_ref()) else { return Vec::new() };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = match item.get_ref() {
                DeValue::Table(t) => match t.get("id").map(|v| v.get_ref()) {
                    Some(DeValue::String(s)) => Some(s.to_string()),
                    _ => None,
                },
                _ => None,
            };
            (i, id)
        })
        .collect()
}

/// What a `[[variant]]` says about itself, before its world is read.
struct Head<'t, 'i> {
    id: String,
    path: String,
    span: Range<usize>,
    name: String,
    name_nl: Option<String>,
    description: String,
    description_nl: Option<String>,
    known_at_signing: bool,
    table: &'t DeTable<'i>,
}

impl<'a> Cx<'a> {
    /// The heads of every `[[variant]]`: id, texts, `known_at_signing`, and each key one of
    /// the format's.
    fn variant_heads<'t, 'i>(&mut self, root: &'t DeTable<'i>) -> Vec<Head<'t, 'i>> {
        let tables = self.tables(root, "variant");
        let mut keys: Vec<&str> = OWN_KEYS.to_vec();
        keys.extend(SECTIONS);
        self.entries(&tables, "variant", &keys, |cx, e: Entry<'t, 'i>| {
            if e.id == BASE_WORLD {
                let span = e.table.get("id").map_or(e.span.clone(), |v| v.span());
                cx.problem(
                    span,
                    &join(&e.path, "id"),
                    "an id other than \"base\"",
                    "\"base\", the name of the file's own world in the outputs".into(),
                    Some("call the variant after what it assumes, e.g. \"demand_up\"".into()),
                );
            }
            let name = cx.name(&e);
            let name_nl = cx.string(e.table, &e.path, "name_nl", &e.span, false);
            let description = cx.string(e.table, &e.path, "description", &e.span, false).unwrap_or_default();
            let description_nl = cx.string(e.table, &e.path, "description_nl", &e.span, false);
            let known_at_signing = cx.boolean(e.table, &e.path, "known_at_signing", false);
            Head {
                id: e.id,
                path: e.path,
                span: e.span,
                name,
                name_nl,
                description,
                description_nl,
                known_at_signing,
                table: e.table,
            }
        })
        .items
    }

    /// The file's tables with the variant's values put in, every change checked against
    /// the shape of the file.
    fn world<'i>(&mut self, root: &DeTable<'i>, head: &Head<'_, 'i>) -> DeTable<'i> {
        let mut doc = root.clone();
        doc.remove("variant");
        keep_questions_of(&mut doc, &head.id);
        for (key, value) in head.table.iter() {
            let section: &str = key.get_ref();
            if !SECTIONS.contains(&section) {
                continue;
            }
            let full = join(&head.path, section);
            let DeValue::Table(changes) = value.get_ref() else {
                self.problem(
                    value.span(),
                    &full,
                    "a table of the values the variant changes",
                    describe(value.get_ref()),
                    None,
                );
                continue;
            };
            if ARRAYS.contains(&section) {
                self.change_entries(&mut doc, section, changes, &full);
            } else {
                match doc.get_mut(section).map(|v| v.get_mut()) {
                    Some(DeValue::Table(target)) => self.change_values(target, changes, &full),
                    Some(_) => {}
                    None => {
                        doc.insert(key.clone(), value.clone());
                        if let Some(DeValue::Table(target)) = doc.get_mut(section).map(|v| v.get_mut()) {
                            let copy = target.clone();
                            target.clear();
                            self.change_values(target, &copy, &full);
                        }
                    }
                }
            }
        }
        doc
    }

    /// `[variant.segment.<id>]` and the like: each named table of the array changed.
    fn change_entries<'i>(&mut self, doc: &mut DeTable<'i>, section: &str, changes: &DeTable<'i>, full: &str) {
        let known: Vec<String> = table_ids(doc, section).into_iter().filter_map(|(_, id)| id).collect();
        let mut items = match doc.get_mut(section).map(|v| v.get_mut()) {
            Some(DeValue::Array(items)) => Some(items),
            _ => None,
        };
        for (id, value) in changes.iter() {
            let id_text: &str = id.get_ref();
            let path = join(full, id_text);
            let target = items.as_deref_mut().and_then(|items| {
                items.iter_mut().find_map(|item| match item.get_mut() {
                    DeValue::Table(t) if matches!(t.get("id").map(|v| v.get_ref()), Some(DeValue::String(s)) if s.as_ref() == id_text) => {
                        Some(t)
                    }
                    _ => None,
                })
            });
            let Some(target) = target else {
                let refs: Vec<&str> = known.iter().map(String::as_str).collect();
                let hint =
                    suggest(id_text, &refs).or_else(|| Some(format!("the file's ids here: {}", refs.join(", "))));
                self.problem(
                    id.span(),
                    &path,
                    &format!("the id of a `[[{section}]]` of this file"),
                    format!("\"{id_text}\", which is none"),
                    hint,
                );
                continue;
            };
            match value.get_ref() {
                DeValue::Table(values) => self.change_values(target, values, &path),
                other => self.problem(
                    value.span(),
                    &path,
                    "a table of the values the variant changes",
                    describe(other),
                    None,
                ),
            }
        }
    }

    /// The values of one table changed: each key put in (a distribution replaced as a
    /// whole), `risk_sharing` changed key by key, the keys that give the file its shape
    /// refused.
    fn change_values<'i>(&mut self, target: &mut DeTable<'i>, changes: &DeTable<'i>, path: &str) {
        for (key, value) in changes.iter() {
            let name: &str = key.get_ref();
            let full = join(path, name);
            let reference = FIXED_REFERENCES.contains(&name) && path.contains(".societal_benefit.");
            if FIXED.contains(&name) || reference {
                self.problem(
                    key.span(),
                    &full,
                    "a value the world changes (a number or a distribution)",
                    format!("`{name}`, which gives the file its shape"),
                    Some("a variant changes values only; a different structure is another strategy or another scenario file".into()),
                );
                continue;
            }
            match (name, target.get_mut(name).map(|v| v.get_mut()), value.get_ref()) {
                ("risk_sharing", Some(DeValue::Table(inner)), DeValue::Table(values)) => {
                    self.change_values(inner, values, &full)
                }
                _ => {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// The questions a world answers: those asked in it and those that name no variant (asked
/// of every world), without their `variant` key, which the world's own reading has no
/// variants to resolve against.
fn keep_questions_of<'i>(doc: &mut DeTable<'i>, id: &str) {
    let Some(v) = doc.get_mut("question") else { return };
    let DeValue::Array(items) = v.get_mut() else { return };
    let all = std::mem::replace(items, std::iter::empty().collect());
    *items = all
        .into_iter()
        .filter_map(|mut item| {
            if let DeValue::Table(t) = item.get_mut() {
                let asked_here = match t.get("variant").map(|v| v.get_ref()) {
                    None => true,
                    Some(DeValue::String(s)) => s.as_ref() == id,
                    Some(_) => false,
                };
                if !asked_here {
                    return None;
                }
                t.remove("variant");
            }
            Some(item)
        })
        .collect();
}

/// Reads the file's `[[variant]]` tables once its own world has been read without a
/// problem: each variant's world is the file with its values, read again.
pub(super) fn read_variants(
    file: &std::path::Path,
    text: &str,
    root: &DeTable<'_>,
    base: &Scenario,
) -> Result<Vec<Variant>, Vec<Problem>> {
    let mut cx = Cx::new(file, text);
    let heads = cx.variant_heads(root);
    let worlds: Vec<DeTable<'_>> = heads.iter().map(|h| cx.world(root, h)).collect();
    let mut problems = std::mem::take(&mut cx.problems);
    let mut out = Vec::new();
    for (head, world) in heads.into_iter().zip(worlds) {
        let mut wcx = Cx::new(file, text);
        match wcx.scenario(&world, head.span.clone()) {
            Some(mut s) if wcx.problems.is_empty() => {
                s.sha256 = base.sha256.clone();
                s.params = std::mem::take(&mut wcx.params);
                s.untranslated = Vec::new();
                s.warnings = Vec::new();
                let world = World {
                    id: head.id,
                    name: head.name,
                    name_nl: head.name_nl,
                    description: head.description,
                    description_nl: head.description_nl,
                    known_at_signing: head.known_at_signing,
                };
                s.world = Some(world.clone());
                out.push(Variant { world, scenario: Box::new(s) });
            }
            // The file's own world was read without a problem, so each problem of this one
            // comes from the variant's values: it is named under the variant.
            _ => problems.extend(wcx.problems.into_iter().map(|mut p| {
                p.key = join(&head.path, &p.key);
                p
            })),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}
