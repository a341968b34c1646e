//! `[[municipality]]` and `[region]`: the municipalities of a region and the rule that
//! splits the region's spend over them.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{Rule, describe};
use super::{Cx, join};
use crate::scenario::region::{Allocation, MAX_MUNICIPALITIES, Municipality, Region};

/// The keys of a `[[municipality]]` (`name_nl` comes with `name`).
const KEYS: [&str; 5] = ["id", "name", "youth", "incidence_multiplier", "key_share"];

/// How far the municipalities' youths may lie from `[population] youth` (rounding in the
/// sources the figures come from).
const YOUTH_TOLERANCE: f64 = 0.01;

/// How far shares that must add up to 1 may miss it (decimals written by hand).
const SUM_TOLERANCE: f64 = 1e-6;

impl Cx<'_> {
    /// Every `[[municipality]]` and `[region]`; `None` when the file names no municipality
    /// (then a `[region]` table is reported).
    pub(super) fn read_region(&mut self, root: &DeTable<'_>, span: &Range<usize>, youth: f64) -> Option<Region> {
        let tables = self.tables(root, "municipality");
        let entries = self.entries(&tables, "municipality", &KEYS, |cx, e| {
            let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
            let name = cx.name(&e);
            let name_nl = cx.string(t, path, "name_nl", sp, false);
            let youth = cx.number(t, path, "youth", Rule::Positive, sp, None).unwrap_or(f64::NAN);
            let incidence_multiplier =
                cx.number(t, path, "incidence_multiplier", Rule::Positive, sp, Some(1.0)).unwrap_or(1.0);
            let key_share = cx.optional_number(t, path, "key_share", Rule::Share);
            (
                Municipality { id: e.id, name, name_nl, youth, incidence_multiplier, key_share: 0.0 },
                key_share,
                sp.clone(),
            )
        });
        let region_table = self.table(root, "region", "", false, span.clone());
        if entries.items.is_empty() {
            if let Some((_, sp)) = region_table {
                self.problem(sp, "region", "`[[municipality]]` tables beside `[region]`", "none".into(), None);
            }
            return None;
        }
        let allocation = match region_table {
            Some((t, _)) => {
                self.known_keys(t, "region", &["allocation"]);
                self.allocation(t)
            }
            None => Allocation::SOLIDARITY,
        };
        let first_span = entries.items[0].2.clone();
        if entries.items.len() < 2 {
            self.problem(
                first_span.clone(),
                "municipality",
                "at least two `[[municipality]]` tables (the municipalities of a region)",
                "one".into(),
                Some("leave `[[municipality]]` out for a municipality on its own".into()),
            );
        }
        if entries.items.len() > MAX_MUNICIPALITIES {
            self.problem(
                first_span.clone(),
                "municipality",
                &format!("at most {MAX_MUNICIPALITIES} `[[municipality]]` tables"),
                format!("{}", entries.items.len()),
                None,
            );
        }
        let total: f64 = entries.items.iter().map(|(m, _, _)| m.youth).sum();
        if total.is_finite() && youth > 0.0 && ((total - youth) / youth).abs() > YOUTH_TOLERANCE {
            self.problem(
                first_span.clone(),
                "municipality.youth",
                &format!("youths that add up to `[population] youth` = {youth} (within 1%)"),
                format!("{total} in all"),
                Some("the region's youths are its municipalities' youths".into()),
            );
        }
        let given = entries.items.iter().filter(|(_, k, _)| k.is_some()).count();
        let mut municipalities = Vec::with_capacity(entries.items.len());
        if given > 0 && given < entries.items.len() {
            let (_, _, sp) = entries.items.iter().find(|(_, k, _)| k.is_none()).expect("one lacks it");
            self.problem(
                sp.clone(),
                "municipality.key_share",
                "a `key_share` for every municipality, or for none (then the key is the youths)",
                format!("{given} of {} municipalities with one", entries.items.len()),
                None,
            );
        } else if given > 0 {
            let sum: f64 = entries.items.iter().filter_map(|(_, k, _)| *k).sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                self.problem(
                    first_span,
                    "municipality.key_share",
                    "key shares that add up to 1",
                    format!("{sum} in all"),
                    None,
                );
            }
        }
        for (mut m, key, _) in entries.items {
            m.key_share = key.unwrap_or(m.youth / total);
            municipalities.push(m);
        }
        Some(Region { municipalities, allocation })
    }

    /// `[region] allocation`: `"solidarity"`, `"use"`, or `{ solidarity = w, use = 1 - w }`.
    fn allocation(&mut self, t: &DeTable<'_>) -> Allocation {
        const EXPECTED: &str = "\"solidarity\", \"use\" or a mix such as { solidarity = 0.5, use = 0.5 }";
        let key = "region.allocation";
        let Some(v) = t.get("allocation") else { return Allocation::SOLIDARITY };
        match v.get_ref() {
            DeValue::String(s) if s == "solidarity" => Allocation::SOLIDARITY,
            DeValue::String(s) if s == "use" => Allocation::USE,
            DeValue::Table(mix) => {
                self.known_keys(mix, key, &["solidarity", "use"]);
                let sp = v.span();
                let solidarity = self.number(mix, key, "solidarity", Rule::Share, &sp, Some(0.0)).unwrap_or(0.0);
                let by_use = self.number(mix, key, "use", Rule::Share, &sp, Some(0.0)).unwrap_or(0.0);
                if (solidarity + by_use - 1.0).abs() > SUM_TOLERANCE && !self.reported(&join(key, "solidarity")) {
                    self.problem(
                        sp,
                        key,
                        "weights of `solidarity` and `use` that add up to 1",
                        format!("{solidarity} + {by_use} = {}", solidarity + by_use),
                        None,
                    );
                    return Allocation::SOLIDARITY;
                }
                Allocation { solidarity, by_use }
            }
            other => {
                self.problem(v.span(), key, EXPECTED, describe(other), None);
                Allocation::SOLIDARITY
            }
        }
    }
}
