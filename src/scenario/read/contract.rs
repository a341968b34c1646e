//! `[[contract]]`: a contract per lot of segments: its payment form (with the terms of an
//! outcome contract), period, margin, providers and their market shares, behaviour
//! factors, and the limits on admissions (capacity, rationing). Its risk corridor is read
//! in `risk_sharing.rs`.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::ids::{Entries, Entry, SEGMENT};
use super::keys::{MAX_MAGNITUDE, Rule, as_number, describe, suggest};
use super::{Cx, join};
use crate::scenario::{Contract, Form, OutcomeTerms, ParamId, ProviderDefaults};

/// The keys of a `[[contract]]`.
const KEYS: [&str; 21] = [
    "id",
    "form",
    "segments",
    "period_years",
    "margin",
    "admin_cost_rate",
    "providers",
    "market_shares",
    "incidence_factor",
    "duration_factor",
    "success_factor",
    "reentry_factor",
    "base_share",
    "outcome_payment",
    "follow_up_years",
    "outcome_cap_share",
    "advance_share",
    "capacity",
    "rationing",
    "rationing_tolerance",
    "risk_sharing",
];

/// The payment forms, as the file names them.
const FORMS: [&str; 4] = ["effort", "output", "task", "outcome"];

/// The keys of the terms of an outcome contract.
const OUTCOME_KEYS: [&str; 5] =
    ["base_share", "outcome_payment", "follow_up_years", "outcome_cap_share", "advance_share"];

/// What every contract is read against.
pub(super) struct ContractDefaults<'a> {
    /// The ids of the segments a lot may hold.
    pub(super) segments: &'a HashMap<String, usize>,
    /// Per segment, whether its care is court-ordered (it may not wait).
    pub(super) court_ordered: &'a [bool],
    /// Years simulated: the default contract period.
    pub(super) horizon_years: usize,
    /// `[provider]`, whose efficiency each provider draws.
    pub(super) provider: &'a ProviderDefaults,
}

impl Cx<'_> {
    /// Every `[[contract]]`.
    pub(super) fn read_contracts(&mut self, root: &DeTable<'_>, defaults: &ContractDefaults<'_>) -> Entries<Contract> {
        let tables = self.tables(root, "contract");
        self.entries(&tables, "contract", &KEYS, |cx, e| cx.contract(e, defaults))
    }

    /// One `[[contract]]`. A contract with a bad form is kept (as output) so that later ids
    /// keep their indices; the problem is reported and the scenario refused.
    fn contract(&mut self, e: Entry<'_, '_>, defaults: &ContractDefaults<'_>) -> Contract {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let form_key = self.one_of(t, path, "form", &FORMS, sp);
        let segments = self.lot(t, path, sp, defaults.segments);
        let period_years = self
            .integer(t, path, "period_years", (1, 200), sp, Some(defaults.horizon_years as i64))
            .unwrap_or(1) as usize;
        let margin = self.number(t, path, "margin", Rule::Real, sp, Some(0.0)).unwrap_or(0.0);
        if margin <= -1.0
            && let Some(v) = t.get("margin")
        {
            self.problem(v.span(), &join(path, "margin"), "a margin above -1", format!("{margin}"), None);
        }
        let admin_cost_rate = self.number(t, path, "admin_cost_rate", Rule::Share, sp, Some(0.0)).unwrap_or(0.0);
        let providers = self.integer(t, path, "providers", (1, 100), sp, Some(1)).unwrap_or(1) as usize;
        let market_shares = self.market_shares(t, path, sp, providers);
        let efficiency: Vec<ParamId> = (1..=providers)
            .map(|j| self.register(format!("{path}.provider{j}.efficiency"), defaults.provider.efficiency.clone()))
            .collect();
        let capacity = self.capacity(t, path, &segments, defaults.segments);
        let rationing = self.rationing(t, path, sp, form_key.as_deref());
        self.court_ordered_may_not_wait(t, path, &segments, defaults, rationing.is_some(), &capacity);
        let risk_sharing = self.contract_risk_sharing(t, path);
        let incidence_factor = self.value(t, path, "incidence_factor", Rule::NonNeg, sp, Some(1.0));
        let duration_factor = self.value(t, path, "duration_factor", Rule::Positive, sp, Some(1.0));
        let success_factor = self.value(t, path, "success_factor", Rule::NonNeg, sp, Some(1.0));
        let reentry_factor = self.value(t, path, "reentry_factor", Rule::NonNeg, sp, Some(1.0));
        let form = self.form(t, path, sp, form_key.as_deref());
        Contract {
            id: e.id,
            form,
            segments,
            period_years,
            margin,
            admin_cost_rate,
            providers,
            market_shares,
            efficiency,
            risk_sharing,
            incidence_factor,
            duration_factor,
            success_factor,
            reentry_factor,
            capacity,
            rationing,
        }
    }

    /// `segments`: the lot, at least one segment, each once.
    fn lot(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, index: &HashMap<String, usize>) -> Vec<usize> {
        let key = join(path, "segments");
        let list = self.id_list(t, path, "segments", sp, true);
        let segments = self.resolve_ids(list, index, &key, &SEGMENT);
        if segments.is_empty() && t.contains_key("segments") && !self.reported(&key) {
            self.empty_id_list(sp, &key, &SEGMENT);
        }
        segments
    }

    /// `market_shares`: one share per provider, summing to 1; equal shares when absent (or
    /// wrong, which is reported).
    fn market_shares(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, providers: usize) -> Vec<f64> {
        let equal = vec![1.0 / providers as f64; providers];
        let Some(shares) = self.number_list(t, path, "market_shares", Rule::Share) else { return equal };
        let span = t.get("market_shares").map_or(sp.clone(), |v| v.span());
        let key = join(path, "market_shares");
        let total: f64 = shares.iter().sum();
        if shares.len() != providers {
            let expected = format!("one share per provider ({providers})");
            self.problem(span, &key, &expected, format!("{} shares", shares.len()), None);
            equal
        } else if (total - 1.0).abs() > 1e-9 {
            self.problem(span, &key, "shares that sum to 1", format!("a sum of {total}"), None);
            equal
        } else {
            shares
        }
    }

    /// The payment form from `form_key` (output when it is missing or wrong), with the
    /// terms of an outcome contract, which no other form may have.
    fn form(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, form_key: Option<&str>) -> Form {
        let form = match form_key {
            Some("effort") => Form::Effort,
            Some("output") => Form::Output,
            Some("task") => Form::Task,
            Some("outcome") => Form::Outcome(self.outcome_terms(t, path, sp)),
            _ => Form::Output,
        };
        if form_key != Some("outcome") && form_key.is_some() {
            self.only_with(t, path, &OUTCOME_KEYS, "this key only with `form = \"outcome\"`");
        }
        form
    }

    /// The terms of an outcome contract: `base_share` and `outcome_payment`, with
    /// `follow_up_years` (default 1) and `outcome_cap_share` (no cap by default).
    fn outcome_terms(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>) -> OutcomeTerms {
        let base_share = self.number(t, path, "base_share", Rule::Share, sp, None).unwrap_or(0.0);
        let outcome_payment = self.value(t, path, "outcome_payment", Rule::NonNeg, sp, None);
        let follow_up_years = self.number(t, path, "follow_up_years", Rule::NonNeg, sp, Some(1.0)).unwrap_or(1.0);
        let outcome_cap_share = self.optional_number(t, path, "outcome_cap_share", Rule::NonNeg);
        let advance_share = self.number(t, path, "advance_share", Rule::Share, sp, Some(0.0)).unwrap_or(0.0);
        OutcomeTerms { base_share, outcome_payment, follow_up_years, outcome_cap_share, advance_share }
    }

    /// Court-ordered segments cannot wait: a contract that covers one may not ration
    /// (`rationing = true`) nor cap its places (`capacity`). Reported at the key, naming
    /// the segment.
    fn court_ordered_may_not_wait(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        segments: &[usize],
        defaults: &ContractDefaults<'_>,
        rationing: bool,
        capacity: &[Option<f64>],
    ) {
        let id_of = |g: usize| defaults.segments.iter().find(|(_, i)| **i == g).map_or("?", |(id, _)| id.as_str());
        let court: Vec<usize> =
            segments.iter().copied().filter(|&g| defaults.court_ordered.get(g).copied().unwrap_or(false)).collect();
        if court.is_empty() {
            return;
        }
        if rationing && let Some(v) = t.get("rationing") {
            let ids: Vec<String> = court.iter().map(|&g| format!("\"{}\"", id_of(g))).collect();
            self.problem(
                v.span(),
                &join(path, "rationing"),
                "no rationing on a lot with a court-ordered segment (its clients cannot legally wait)",
                format!("rationing on a lot with court-ordered segment {}", ids.join(", ")),
                Some(format!("put {} in a contract of its own without rationing", ids.join(", "))),
            );
        }
        for (pos, &g) in segments.iter().enumerate() {
            if capacity.get(pos).copied().flatten().is_none() || !court.contains(&g) {
                continue;
            }
            let id = id_of(g);
            let span = match t.get("capacity").map(|v| v.get_ref()) {
                Some(DeValue::Table(table)) => table.iter().find(|(k, _)| k.get_ref() == id).map(|(k, _)| k.span()),
                _ => None,
            };
            if let Some(span) = span {
                self.problem(
                    span,
                    &join(&join(path, "capacity"), id),
                    "no capacity for a court-ordered segment (its clients cannot legally wait)",
                    format!("a capacity for court-ordered segment \"{id}\""),
                    Some(format!("remove the capacity of \"{id}\"")),
                );
            }
        }
    }

    /// `capacity = { <segment id> = <maximum active clients>, ... }`: per segment of the
    /// lot (in the lot's order), the limit or `None`. Every key must be a segment the
    /// contract covers; every limit a whole number of clients >= 0.
    fn capacity(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        segs: &[usize],
        seg_index: &HashMap<String, usize>,
    ) -> Vec<Option<f64>> {
        let mut out = vec![None; segs.len()];
        let Some(v) = t.get("capacity") else { return out };
        let full = join(path, "capacity");
        let DeValue::Table(table) = v.get_ref() else {
            self.problem(
                v.span(),
                &full,
                "a table of segment id = maximum active clients, e.g. `capacity = { residential = 300 }`",
                describe(v.get_ref()),
                None,
            );
            return out;
        };
        let covered: Vec<&str> =
            seg_index.iter().filter(|(_, g)| segs.contains(g)).map(|(id, _)| id.as_str()).collect::<Vec<_>>();
        for (k, val) in table.iter() {
            let id: &str = k.get_ref();
            let key = join(&full, id);
            let pos = seg_index.get(id).and_then(|g| segs.iter().position(|s| s == g));
            let Some(pos) = pos else {
                let mut ids = covered.clone();
                ids.sort_unstable();
                let found = if seg_index.contains_key(id) {
                    format!("\"{id}\", a segment this contract does not cover")
                } else {
                    format!("\"{id}\", which is no segment")
                };
                let hint = suggest(id, &ids).or_else(|| Some(format!("this contract covers: {}", ids.join(", "))));
                self.problem(k.span(), &key, "the id of a segment of this contract", found, hint);
                continue;
            };
            match as_number(val.get_ref()) {
                Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= MAX_MAGNITUDE => out[pos] = Some(x),
                _ => self.problem(
                    val.span(),
                    &key,
                    "a whole number of clients >= 0 (the maximum active clients)",
                    describe(val.get_ref()),
                    None,
                ),
            }
        }
        out
    }

    /// `rationing = true` (task contracts only) with `rationing_tolerance`, a share of the
    /// budget from -0.5 to 1 (default 0): `Some(tolerance)` when the contract rations.
    fn rationing(&mut self, t: &DeTable<'_>, path: &str, sp: &Range<usize>, form: Option<&str>) -> Option<f64> {
        let on = self.boolean(t, path, "rationing", false);
        if on
            && form.is_some()
            && form != Some("task")
            && let Some(v) = t.get("rationing")
        {
            self.problem(
                v.span(),
                &join(path, "rationing"),
                "`rationing = true` only with `form = \"task\"` (rationing keeps a fixed budget)",
                format!("a contract with form \"{}\"", form.unwrap_or_default()),
                None,
            );
        }
        let tolerance = self.number(t, path, "rationing_tolerance", Rule::Real, sp, Some(0.0)).unwrap_or(0.0);
        if let Some(v) = t.get("rationing_tolerance") {
            if !on {
                self.problem(
                    v.span(),
                    &join(path, "rationing_tolerance"),
                    "`rationing_tolerance` only next to `rationing = true`",
                    "no `rationing = true`".into(),
                    None,
                );
            } else if !(-0.5..=1.0).contains(&tolerance) {
                self.problem(
                    v.span(),
                    &join(path, "rationing_tolerance"),
                    "a share of the budget from -0.5 to 1",
                    format!("{tolerance}"),
                    None,
                );
            }
        }
        on.then_some(tolerance)
    }
}
