//! `[[lever]]`: what the what-if page may move. A lever names a number of the file by its
//! dotted key (tables of an array by their id), and gives a label, a range that holds the
//! file's value and a step.

use toml::de::{DeTable, DeValue};

use super::keys::{Rule, as_number, suggest};
use super::{Cx, join};
use crate::scenario::lever::{Lever, MAX_LEVERS};

/// The keys of a `[[lever]]`.
const KEYS: [&str; 7] = ["id", "key", "label", "label_nl", "min", "max", "step"];

/// The sections a lever's key may be in (those a variant may change).
const SECTIONS: [&str; 7] =
    ["population", "economy", "segment", "contract", "provider", "prevention", "societal_benefit"];

/// Most positions of a lever's slider.
const MAX_POSITIONS: f64 = 10_000.0;

impl Cx<'_> {
    /// Every `[[lever]]`, in file order (none: the page chooses its levers itself).
    pub(super) fn read_levers(&mut self, root: &DeTable<'_>) -> Vec<Lever> {
        let tables = self.tables(root, "lever");
        if tables.len() > MAX_LEVERS
            && let Some((_, span)) = tables.get(MAX_LEVERS)
        {
            self.problem(
                span.clone(),
                "lever",
                &format!("at most {MAX_LEVERS} `[[lever]]` tables (a page of a few levers)"),
                format!("{}", tables.len()),
                Some("keep the levers the debate is about".into()),
            );
        }
        let items = self.entries(&tables, "lever", &KEYS, |cx, e| cx.lever(root, e)).items;
        items.into_iter().flatten().collect()
    }

    /// One `[[lever]]`; `None` when it has a problem (reported).
    fn lever(&mut self, root: &DeTable<'_>, e: super::ids::Entry<'_, '_>) -> Option<Lever> {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let key = self.string(t, path, "key", sp, true);
        let label = self.string(t, path, "label", sp, true);
        let label_nl = self.string(t, path, "label_nl", sp, false);
        let min = self.number(t, path, "min", Rule::Real, sp, None);
        let max = self.number(t, path, "max", Rule::Real, sp, None);
        let step = self.number(t, path, "step", Rule::Positive, sp, None);
        let key_span = t.get("key").map_or(sp.clone(), |v| v.span());
        let value = key.as_deref().and_then(|k| self.lever_value(root, k));
        if let (Some(k), None) = (key.as_deref(), value) {
            let params: Vec<&str> = self.params.iter().map(|p| p.path.as_str()).collect();
            let hint = suggest(k, &params).or_else(|| Some("e.g. `prevention.front.annual_cost`".into()));
            self.problem(
                key_span,
                &join(path, "key"),
                "the dotted key of a number of this file",
                format!("\"{k}\""),
                hint,
            );
        }
        let (key, label, min, max, step, value) = (key?, label?, min?, max?, step?, value?);
        let range_span = t.get("max").map_or(sp.clone(), |v| v.span());
        if min >= max {
            self.problem(
                range_span,
                &join(path, "max"),
                &format!("a number above min = {min}"),
                format!("{max}"),
                None,
            );
            return None;
        }
        let step_span = t.get("step").map_or(sp.clone(), |v| v.span());
        if step > max - min || (max - min) / step > MAX_POSITIONS {
            self.problem(
                step_span,
                &join(path, "step"),
                &format!("a step of at most max - min = {} and at least (max - min) / {MAX_POSITIONS}", max - min),
                format!("{step}"),
                None,
            );
            return None;
        }
        if !(min..=max).contains(&value) {
            self.problem(
                range_span,
                &join(path, "min"),
                &format!("a range from min to max that holds the file's value of `{key}`, {value}"),
                format!("{min} to {max}"),
                None,
            );
            return None;
        }
        let line = self.text[..e.span.start.min(self.text.len())].matches('\n').count() + 1;
        Some(Lever { id: e.id, key, label, label_nl, min, max, step, value, line })
    }

    /// The file's value of the number at dotted key `key`: a value of the scenario (the mean
    /// of its distribution), or a number the file writes there.
    fn lever_value(&self, root: &DeTable<'_>, key: &str) -> Option<f64> {
        if let Some(p) = self.params.iter().find(|p| p.path == key) {
            return Some(p.dist.mean());
        }
        let mut parts = key.split('.');
        let section = parts.next()?;
        if !SECTIONS.contains(&section) {
            return None;
        }
        let mut value = root.get(section)?.get_ref();
        for part in parts {
            value = match value {
                DeValue::Table(t) => t.get(part)?.get_ref(),
                DeValue::Array(items) => items.iter().map(|v| v.get_ref()).find(|v| match v {
                    DeValue::Table(t) => {
                        t.get("id").is_some_and(|id| matches!(id.get_ref(), DeValue::String(s) if s == part))
                    }
                    _ => false,
                })?,
                _ => return None,
            };
        }
        as_number(value)
    }
}
