//! Variants of scenario files for the tests, made by typed edits instead of `.replace()`
//! on the text: a typo in a `.replace()` pattern leaves the text as it was, and the test
//! then tests nothing. Here every edit names its key by path and panics, with the path and
//! what is there, when the key or element does not exist (or, for `set`, when the value is
//! already the one asked for).
//!
//! A path walks tables by key and arrays of tables by the `id` of an element:
//! `["contract", "output", "margin"]` is `margin` of the `[[contract]]` with
//! `id = "output"`. The edited document is written back with `toml::to_string` (comments
//! and layout are not kept; inline tables may come back as `[a.b]` tables, which is the
//! same TOML) and read with `contractsim::scenario::parse_str` like any scenario.
//!
//! Where a test needs the exact text (a syntax error, a message with line and column), it
//! edits the text with [`replace_once`], which panics unless the pattern occurs exactly once.

use std::path::Path;

use contractsim::scenario::Scenario;
use toml::{Table, Value};

use crate::common;

/// A scenario document: the TOML tables of a scenario file.
pub type Doc = Table;

/// Parses scenario text into a document, panicking if it is not TOML.
pub fn doc(text: &str) -> Doc {
    text.parse::<Table>().unwrap_or_else(|e| panic!("fixture: the scenario text is not TOML:\n{e}"))
}

/// Reads a scenario file (relative to the package root) into a document.
pub fn load(path: &str) -> Doc {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text =
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("fixture: cannot read {}: {e}", full.display()));
    doc(&text)
}

/// The document as TOML text.
pub fn text(doc: &Doc) -> String {
    toml::to_string(doc).unwrap_or_else(|e| panic!("fixture: cannot write the document as TOML: {e}"))
}

/// The document as a validated scenario (panics with the problems if it is invalid).
pub fn scenario(doc: &Doc) -> Scenario {
    common::scenario(&text(doc))
}

/// A TOML value written as in a file: `value("{ dist = \"beta\", mean = 0.2, sd = 0.05 }")`.
pub fn value(expr: &str) -> Value {
    let mut t = doc(&format!("v = {expr}"));
    t.remove("v").expect("the key just written")
}

/// What a path step found, for messages: the keys of a table or the ids of an array.
fn describe(v: &Value) -> String {
    match v {
        Value::Table(t) => format!("a table with keys {:?}", t.keys().collect::<Vec<_>>()),
        Value::Array(a) => format!("an array with ids {:?}", ids(a)),
        other => format!("the value {other}"),
    }
}

fn ids(a: &[Value]) -> Vec<String> {
    a.iter().map(|e| e.get("id").and_then(Value::as_str).unwrap_or("<no id>").to_string()).collect()
}

/// One step down from `v` by `key`: a table's key, or the element of an array of tables
/// whose `id` is `key`.
fn step<'a>(v: &'a mut Value, key: &str, path: &[&str]) -> &'a mut Value {
    let shown = describe(v);
    let found = match v {
        Value::Table(t) => t.get_mut(key),
        Value::Array(a) => a.iter_mut().find(|e| e.get("id").and_then(Value::as_str) == Some(key)),
        _ => None,
    };
    found.unwrap_or_else(|| panic!("fixture: no `{key}` on the path {path:?}: found {shown}"))
}

/// The value at `path`, which must exist.
pub fn get_mut<'a>(doc: &'a mut Doc, path: &[&str]) -> &'a mut Value {
    let (first, rest) = path.split_first().expect("fixture: an empty path");
    let keys = doc.keys().cloned().collect::<Vec<_>>();
    let mut v = doc
        .get_mut(*first)
        .unwrap_or_else(|| panic!("fixture: no `{first}` on the path {path:?}: the file has {keys:?}"));
    for key in rest {
        v = step(v, key, path);
    }
    v
}

/// The table that holds the last key of `path` (the document itself for a one-key path).
fn parent<'a, 'b>(doc: &'a mut Doc, path: &[&'b str]) -> (&'a mut Table, &'b str) {
    let (last, up) = path.split_last().expect("fixture: an empty path");
    if up.is_empty() {
        return (doc, last);
    }
    match get_mut(doc, up) {
        Value::Table(t) => (t, last),
        other => panic!("fixture: {up:?} is not a table but {}", describe(other)),
    }
}

/// Sets the existing key at `path` to `v`. Panics if the key does not exist or already
/// holds `v` (an edit that changes nothing would make the test prove nothing).
pub fn set(doc: &mut Doc, path: &[&str], v: impl Into<Value>) {
    let v = v.into();
    let old = get_mut(doc, path);
    assert!(*old != v, "fixture: {path:?} is already {v}");
    *old = v;
}

/// Adds the new key at `path` (its table must exist, the key must not).
pub fn add(doc: &mut Doc, path: &[&str], v: impl Into<Value>) {
    let (table, key) = parent(doc, path);
    if let Some(old) = table.get(key) {
        panic!("fixture: {path:?} exists already ({old}); use `set`");
    }
    table.insert(key.to_string(), v.into());
}

/// Removes the key at `path`, or the element of an array of tables whose `id` is the last
/// step, and returns it. Panics if there is none.
pub fn remove(doc: &mut Doc, path: &[&str]) -> Value {
    let (last, up) = path.split_last().expect("fixture: an empty path");
    if !up.is_empty() && get_mut(doc, up).is_array() {
        let Value::Array(a) = get_mut(doc, up) else { unreachable!() };
        let i = a
            .iter()
            .position(|e| e.get("id").and_then(Value::as_str) == Some(last))
            .unwrap_or_else(|| panic!("fixture: no element `{last}` in {up:?}: found ids {:?}", ids(a)));
        return a.remove(i);
    }
    let (table, key) = parent(doc, path);
    let keys = table.keys().cloned().collect::<Vec<_>>();
    table.remove(key).unwrap_or_else(|| panic!("fixture: no `{key}` to remove at {path:?}: found keys {keys:?}"))
}

/// Renames the key at `path` to `new`, keeping its value and its place among its siblings.
pub fn rename(doc: &mut Doc, path: &[&str], new: &str) {
    let (table, key) = parent(doc, path);
    assert!(
        table.contains_key(key),
        "fixture: no `{key}` to rename at {path:?}: found keys {:?}",
        table.keys().collect::<Vec<_>>()
    );
    assert!(!table.contains_key(new), "fixture: cannot rename {path:?} to `{new}`, which exists");
    let old = std::mem::take(table);
    *table = old.into_iter().map(|(k, v)| if k == key { (new.to_string(), v) } else { (k, v) }).collect();
}

/// Appends an element, written as TOML keys (`"id = \"q\"\nreach = 0.5"`), to the array of
/// tables at `path` (`["prevention"]`). Panics if the array does not exist or has an element
/// with the same `id`.
pub fn push(doc: &mut Doc, path: &[&str], keys: &str) {
    let element = Value::Table(self::doc(keys));
    match get_mut(doc, path) {
        Value::Array(a) => {
            if let Some(id) = element.get("id").and_then(Value::as_str) {
                assert!(!ids(a).iter().any(|x| x == id), "fixture: {path:?} has an element `{id}` already");
            }
            a.push(element);
        }
        other => panic!("fixture: {path:?} is not an array of tables but {}", describe(other)),
    }
}

/// `text` with the one occurrence of `from` replaced by `to`. Panics if `from` does not
/// occur, or occurs more than once (then the pattern must be made longer).
pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    match text.matches(from).count() {
        1 => text.replacen(from, to, 1),
        0 => panic!("fixture: {from:?} does not occur in the text"),
        n => panic!("fixture: {from:?} occurs {n} times in the text; make the pattern unique"),
    }
}

#[test]
fn edits_panic_on_keys_that_do_not_exist() {
    let base = load("scenarios/friesland.toml");
    let fails = |edit: fn(&mut Doc)| {
        let mut d = base.clone();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| edit(&mut d))).is_err()
    };
    assert!(fails(|d| set(d, &["contract", "outptu", "margin"], 0.05)), "a wrong id");
    assert!(fails(|d| set(d, &["contract", "output", "margn"], 0.05)), "a wrong key");
    assert!(fails(|d| set(d, &["contract", "output", "margin"], 0.03)), "the value it has");
    assert!(fails(|d| add(d, &["contract", "output", "margin"], 0.05)), "add of a key that exists");
    assert!(fails(|d| add(d, &["contract", "nope", "margin"], 0.05)), "add to an element that does not exist");
    assert!(fails(|d| drop(remove(d, &["economy", "budgett"]))), "remove of a key that does not exist");
    assert!(fails(|d| drop(remove(d, &["strategy", "nope"]))), "remove of an element that does not exist");
    assert!(fails(|d| rename(d, &["populaton"], "x")), "rename of a key that does not exist");
    assert!(fails(|d| push(d, &["strategy"], "id = \"output\"")), "push of an id that exists");
    assert!(std::panic::catch_unwind(|| replace_once("a b a", "a", "c")).is_err(), "two occurrences");
    assert!(std::panic::catch_unwind(|| replace_once("a b", "x", "c")).is_err(), "none");
}

#[test]
fn edits_change_exactly_what_they_name() {
    let mut d = load("scenarios/friesland.toml");
    // Written back and read again, the document is the same scenario.
    let same = scenario(&d);
    assert_eq!(same.contracts.len(), 8, "task_rationing buys youth protection apart");
    set(&mut d, &["contract", "output", "margin"], 0.05);
    add(&mut d, &["segment", "residential", "escalates_to"], "youth_protection");
    remove(&mut d, &["strategy", "task_rationing"]);
    rename(&mut d, &["strategy", "effort", "name"], "title");
    let t = text(&d);
    let back = doc(&t);
    assert_eq!(back["contract"][0]["margin"].as_float(), Some(0.05));
    assert_eq!(back["contract"][1]["margin"].as_float(), Some(0.03), "only the output contract");
    assert_eq!(back["segment"][4]["escalates_to"].as_str(), Some("youth_protection"));
    assert_eq!(back["strategy"].as_array().unwrap().len(), 8);
    assert_eq!(back["strategy"][1]["title"].as_str(), Some("Effort contracts"));
    let keys: Vec<&String> = back["strategy"][1].as_table().unwrap().keys().collect();
    assert_eq!(keys, ["id", "title", "name_nl", "contracts"], "a renamed key keeps its place");
    assert_eq!(value("{ dist = \"beta\", mean = 0.2, sd = 0.05 }")["dist"].as_str(), Some("beta"));
}
