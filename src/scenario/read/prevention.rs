//! `[[prevention]]`: prevention programmes, each with its cost, years, target segments,
//! reach and effect, and who pays: the municipality, or an investor paid per prevented
//! start (a social impact bond).

use std::collections::HashMap;
use std::ops::Range;

use toml::de::DeTable;

use super::ids::{Entries, Entry, SEGMENT};
use super::keys::{Rule, suggest};
use super::scenario::Settings;
use super::{Cx, join};
use crate::scenario::{Financing, InvestorTerms, Programme};

/// The keys of a `[[prevention]]`.
const KEYS: [&str; 17] = [
    "id",
    "name",
    "annual_cost",
    "first_year",
    "last_year",
    "targets",
    "reach",
    "effect",
    "ramp_up_years",
    "persistence_half_life_years",
    "financing",
    "payment_per_prevented_start",
    "annual_cap",
    "total_cap",
    "max_return_per_year",
    "payment_indexed",
    "partner_share",
];

/// The keys of the terms of an investor.
const INVESTOR_KEYS: [&str; 5] =
    ["payment_per_prevented_start", "annual_cap", "total_cap", "max_return_per_year", "payment_indexed"];

impl Cx<'_> {
    /// Every `[[prevention]]`; `segments` are the ids they may target, `settings` give the
    /// default years (the whole horizon).
    pub(super) fn read_prevention(
        &mut self,
        root: &DeTable<'_>,
        segments: &HashMap<String, usize>,
        settings: &Settings,
    ) -> Entries<Programme> {
        let tables = self.tables(root, "prevention");
        self.entries(&tables, "prevention", &KEYS, |cx, e| cx.programme(e, segments, settings))
    }

    /// One `[[prevention]]`.
    fn programme(&mut self, e: Entry<'_, '_>, segments: &HashMap<String, usize>, settings: &Settings) -> Programme {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let name = self.name(&e);
        let annual_cost = self.value(t, path, "annual_cost", Rule::NonNeg, sp, None);
        let (first_year, last_year) = self.programme_years(t, path, sp, settings);
        let target_list = self.id_list(t, path, "targets", sp, true);
        if target_list.is_empty() && t.contains_key("targets") {
            self.empty_id_list(sp, &join(path, "targets"), &SEGMENT);
        }
        let targets = self.resolve_ids(target_list, segments, &join(path, "targets"), &SEGMENT);
        let reach = self.value(t, path, "reach", Rule::Share, sp, None);
        let effect = self.value(t, path, "effect", Rule::Share, sp, None);
        let ramp_up_years = self.number(t, path, "ramp_up_years", Rule::NonNeg, sp, Some(0.0)).unwrap_or(0.0);
        let persistence_half_life_years =
            self.number(t, path, "persistence_half_life_years", Rule::NonNeg, sp, Some(0.0)).unwrap_or(0.0);
        let financing = self.financing(t, path, sp);
        let partner_share = self.number(t, path, "partner_share", Rule::Share, sp, Some(0.0)).unwrap_or(0.0);
        if partner_share >= 1.0
            && let Some(v) = t.get("partner_share")
        {
            self.problem(
                v.span(),
                &join(path, "partner_share"),
                "a share from 0 to below 1 (the partners' part of the whole programme's cost)",
                format!("{partner_share}"),
                None,
            );
        }
        Programme {
            id: e.id,
            name,
            annual_cost,
            first_year,
            last_year,
            targets,
            reach,
            effect,
            ramp_up_years,
            persistence_half_life_years,
            financing,
            partner_share,
        }
    }

    /// `first_year` and `last_year` (by default the horizon's first and last), the last no
    /// earlier than the first.
    fn programme_years(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, settings: &Settings) -> (i32, i32) {
        let start = settings.start_year as i64;
        let end = start + settings.horizon_years as i64 - 1;
        let first_year = self.integer(t, path, "first_year", (1900, 2300), sp, Some(start)).unwrap_or(start) as i32;
        let last_year = self.integer(t, path, "last_year", (1900, 2300), sp, Some(end)).unwrap_or(start) as i32;
        if last_year < first_year
            && let Some(v) = t.get("last_year")
        {
            self.problem(
                v.span(),
                &join(path, "last_year"),
                &format!("a year from first_year ({first_year}) on"),
                format!("{last_year}"),
                None,
            );
        }
        (first_year, last_year)
    }

    /// `financing`: `"municipality"` (the default) or `"investor"` with its terms, which
    /// only an investor may have.
    fn financing(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>) -> Financing {
        match self.string(t, path, "financing", sp, false).as_deref() {
            None | Some("municipality") => {
                self.only_with(t, path, &INVESTOR_KEYS, "this key only with `financing = \"investor\"`");
                Financing::Municipality
            }
            Some("investor") => {
                let payment_per_prevented_start =
                    self.number(t, path, "payment_per_prevented_start", Rule::NonNeg, sp, None).unwrap_or(0.0);
                let annual_cap = self.optional_number(t, path, "annual_cap", Rule::NonNeg);
                let total_cap = self.optional_number(t, path, "total_cap", Rule::NonNeg);
                let max_return_per_year = self.optional_number(t, path, "max_return_per_year", Rule::Real);
                if let (Some(r), Some(v)) = (max_return_per_year, t.get("max_return_per_year"))
                    && !(-0.5..=1.0).contains(&r)
                {
                    self.problem(v.span(), &join(path, "max_return_per_year"), super::RATE_RANGE, format!("{r}"), None);
                }
                let payment_indexed = self.boolean(t, path, "payment_indexed", true);
                Financing::Investor(InvestorTerms {
                    payment_per_prevented_start,
                    annual_cap,
                    total_cap,
                    max_return_per_year,
                    payment_indexed,
                })
            }
            Some(other) => {
                let v = t.get("financing").map_or(sp.clone(), |v| v.span());
                let hint = suggest(other, &["municipality", "investor"]);
                self.problem(
                    v,
                    &join(path, "financing"),
                    "\"municipality\" or \"investor\"",
                    format!("\"{other}\""),
                    hint,
                );
                Financing::Municipality
            }
        }
    }
}
