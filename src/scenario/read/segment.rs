//! `[[segment]]`: the segments of care, each with its demand, durations, costs and
//! outcomes; then the escalations between segments, which must name another segment and
//! never cycle back.

use std::ops::Range;

use toml::de::DeTable;

use super::ids::{Entries, Entry, SEGMENT};
use super::keys::Rule;
use super::{Cx, join};
use crate::scenario::{ParamId, Segment};

/// The largest `duration_shape` (phases of a trajectory): the engine's
/// `model::phases::MAX_SHAPE`, which this floor cannot import (tests/it/durations.rs checks
/// that the two agree).
const MAX_DURATION_SHAPE: i64 = 20;

/// The keys of a `[[segment]]`.
const KEYS: [&str; 16] = [
    "id",
    "name",
    "incidence_per_1000",
    "initial_caseload",
    "mean_duration_years",
    "duration_shape",
    "cost_per_client_year",
    "success_rate",
    "reentry_rate",
    "reentry_delay_years",
    "escalates_to",
    "escalation_rate",
    "escalation_while_waiting_rate",
    "waiting_dropout_rate",
    "dropout_cost_per_client_year",
    "court_ordered",
];

/// An `escalates_to` as written, resolved once every segment is read.
struct Escalation {
    /// The segment that escalates.
    from: usize,
    /// The id it names.
    target: String,
    /// Where it names it.
    span: Range<usize>,
    /// Its key path, `segment.<id>.escalates_to`.
    key: String,
}

impl Cx<'_> {
    /// Every `[[segment]]` (at least one), with `escalates_to` resolved and checked for
    /// cycles.
    pub(super) fn read_segments(&mut self, root: &DeTable<'_>, span: &Range<usize>) -> Entries<Segment> {
        let tables = self.tables(root, "segment");
        if tables.is_empty() && !root.contains_key("segment") {
            self.problem(span.clone(), "segment", "at least one `[[segment]]`", "none".into(), None);
        }
        let mut escalations = Vec::new();
        let mut segments = self.entries(&tables, "segment", &KEYS, |cx, e| cx.segment(e, &mut escalations));
        for Escalation { from, target, span, key } in escalations {
            match segments.index.get(&target) {
                Some(&to) if to == from => {
                    self.problem(span, &key, "another segment", format!("the segment itself (\"{target}\")"), None)
                }
                Some(&to) => segments.items[from].escalates_to = Some(to),
                None => self.unknown_id(span, &key, &target, &segments.index, &SEGMENT),
            }
        }
        self.escalation_cycles(&tables, &segments.items);
        segments
    }

    /// One `[[segment]]`; its `escalates_to`, if any, goes to `escalations`.
    fn segment(&mut self, e: Entry<'_, '_>, escalations: &mut Vec<Escalation>) -> Segment {
        let (t, path, sp) = (e.table, e.path.as_str(), &e.span);
        let name = self.name(&e);
        let incidence_per_1000 = self.value(t, path, "incidence_per_1000", Rule::NonNeg, sp, None);
        let initial_caseload = self.number(t, path, "initial_caseload", Rule::NonNeg, sp, None).unwrap_or(0.0);
        if initial_caseload.fract() != 0.0
            && let Some(v) = t.get("initial_caseload")
        {
            self.problem(
                v.span(),
                &join(path, "initial_caseload"),
                "a whole number of clients",
                format!("{initial_caseload}"),
                None,
            );
        }
        let mean_duration_years = self.value(t, path, "mean_duration_years", Rule::Positive, sp, None);
        // A whole number of phases, not a value: the phase structure is fixed per segment.
        let duration_shape =
            self.integer(t, path, "duration_shape", (1, MAX_DURATION_SHAPE), sp, Some(1)).unwrap_or(1) as usize;
        let cost_per_client_year = self.value(t, path, "cost_per_client_year", Rule::NonNeg, sp, None);
        let success_rate = self.value(t, path, "success_rate", Rule::Share, sp, None);
        let reentry_rate = self.value(t, path, "reentry_rate", Rule::Share, sp, Some(0.0));
        let reentry_delay_years =
            self.number(t, path, "reentry_delay_years", Rule::Positive, sp, Some(1.0)).unwrap_or(1.0);
        let escalates = self.string(t, path, "escalates_to", sp, false);
        if let Some(target) = &escalates
            && let Some(v) = t.get("escalates_to")
        {
            let key = join(path, "escalates_to");
            escalations.push(Escalation { from: e.index, target: target.clone(), span: v.span(), key });
        }
        let escalation_rate = self.value(t, path, "escalation_rate", Rule::Share, sp, Some(0.0));
        let escalation_while_waiting_rate =
            self.value(t, path, "escalation_while_waiting_rate", Rule::NonNeg, sp, Some(0.0));
        let waiting_dropout_rate = self.value(t, path, "waiting_dropout_rate", Rule::NonNeg, sp, Some(0.0));
        // Registered only when present, so that the parameters of files without it keep
        // their indices (and their draws).
        let dropout_cost_per_client_year = t
            .contains_key("dropout_cost_per_client_year")
            .then(|| self.value(t, path, "dropout_cost_per_client_year", Rule::NonNeg, sp, None));
        let court_ordered = self.boolean(t, path, "court_ordered", false);
        let segment = Segment {
            id: e.id,
            name,
            incidence_per_1000,
            initial_caseload,
            mean_duration_years,
            duration_shape,
            cost_per_client_year,
            success_rate,
            reentry_rate,
            reentry_delay_years,
            escalates_to: None,
            escalation_rate,
            escalation_while_waiting_rate,
            waiting_dropout_rate,
            dropout_cost_per_client_year,
            court_ordered,
        };
        self.escalation_rates(t, path, &segment, escalates.is_some());
        segment
    }

    /// The rates of escalating and of leaving a waiting list: a positive escalation needs a
    /// segment to escalate to, and no hazard of a waiting list exceeds 100 a year.
    fn escalation_rates(&mut self, t: &DeTable<'_>, path: &str, segment: &Segment, escalates: bool) {
        if !escalates {
            self.needs_escalation_target(t, path, "escalation_rate", segment.escalation_rate, "failures");
        }
        // Hazards of leaving a waiting list: above 100 a year the list empties within
        // days, and the fluid's exponentials would overflow at yearly steps.
        for (key, id) in [
            ("escalation_while_waiting_rate", segment.escalation_while_waiting_rate),
            ("waiting_dropout_rate", segment.waiting_dropout_rate),
        ] {
            let max = self.params[id.0].dist.support().1;
            if max > 100.0
                && let Some(v) = t.get(key)
            {
                self.problem(v.span(), &join(path, key), "a rate per year of at most 100", format!("{max}"), None);
            }
        }
        if !escalates {
            let rate = segment.escalation_while_waiting_rate;
            self.needs_escalation_target(t, path, "escalation_while_waiting_rate", rate, "waiting clients");
        }
    }

    /// Reports a positive escalation rate `key` in a segment without `escalates_to`; `who`
    /// names those who would escalate, in the hint.
    fn needs_escalation_target(&mut self, t: &DeTable<'_>, path: &str, key: &str, rate: ParamId, who: &str) {
        if self.params[rate.0].dist.support().1 > 0.0
            && let Some(v) = t.get(key)
        {
            self.problem(
                v.span(),
                &join(path, key),
                &format!("`escalates_to` next to a positive `{key}`"),
                "no `escalates_to`".into(),
                Some(format!("name the segment that {who} escalate to")),
            );
        }
    }

    /// Escalation cycles: escalation means heavier care, so a cycle is a mistake. Each
    /// segment on a cycle is reported at its `escalates_to`.
    fn escalation_cycles(&mut self, tables: &[(&DeTable<'_>, Range<usize>)], segments: &[Segment]) {
        for start in 0..segments.len() {
            let mut seen = vec![false; segments.len()];
            let mut at = start;
            while let Some(next) = segments[at].escalates_to {
                if next == start {
                    let t = &tables[start];
                    let sp = t.0.get("escalates_to").map_or(t.1.clone(), |v| v.span());
                    let path = format!("segment.{}.escalates_to", segments[start].id);
                    self.problem(
                        sp,
                        &path,
                        "escalation towards heavier care, without a cycle",
                        format!("a cycle back to \"{}\"", segments[start].id),
                        None,
                    );
                    break;
                }
                if seen[next] {
                    break;
                }
                seen[next] = true;
                at = next;
            }
        }
    }
}
