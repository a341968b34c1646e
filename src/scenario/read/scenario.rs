//! `[scenario]`: the name, the years simulated and their steps, the discount rate (one or
//! a schedule by year), and the defaults of a run (runs, seed, waiting norm).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{Rule, as_number, describe};
use super::{Cx, Val, join};
use crate::scenario::DiscountStep;

/// The keys of `[scenario]`.
const KEYS: [&str; 12] = [
    "name",
    "name_nl",
    "description",
    "description_nl",
    "start_year",
    "horizon_years",
    "steps_per_year",
    "discount_rate",
    "runs",
    "seed",
    "waiting_norm_weeks",
    "focus",
];

/// What `[scenario]` sets; see the fields of the same names in [`crate::scenario::Scenario`].
pub(super) struct Settings {
    /// `name`.
    pub(super) name: String,
    /// `description` (empty by default).
    pub(super) description: String,
    /// First simulated calendar year.
    pub(super) start_year: i32,
    /// Years simulated (default 20).
    pub(super) horizon_years: usize,
    /// Steps per year: 1, 4 or 12 (default 12).
    pub(super) steps_per_year: usize,
    /// The discount rates by year, the first from the start year or earlier.
    pub(super) discount_schedule: Vec<DiscountStep>,
    /// Default number of runs (1000).
    pub(super) runs: usize,
    /// Default seed (1).
    pub(super) seed: u64,
    /// The waiting-time norm in weeks (default 4).
    pub(super) waiting_norm_weeks: f64,
}

impl Cx<'_> {
    /// `[scenario]`, which every file has.
    pub(super) fn read_scenario_table(&mut self, root: &DeTable<'_>, span: &Range<usize>) -> Settings {
        let (sc, sp) = self.section(root, "scenario", true, span);
        self.known_keys(sc, "scenario", &KEYS);
        self.read_dutch(sc, "scenario", 0, "scenario", &sp);
        let name = self.string(sc, "scenario", "name", &sp, true).unwrap_or_default();
        let description = self.string(sc, "scenario", "description", &sp, false).unwrap_or_default();
        let start_year = self.integer(sc, "scenario", "start_year", (1900, 2200), &sp, None).unwrap_or(2025) as i32;
        let horizon_years =
            self.integer(sc, "scenario", "horizon_years", (1, 200), &sp, Some(20)).unwrap_or(20) as usize;
        let steps_per_year = self.steps_per_year(sc);
        let discount_schedule = self.discount_rate(sc, &sp, start_year);
        let runs = self.integer(sc, "scenario", "runs", (1, 100_000_000), &sp, Some(1000)).unwrap_or(1000) as usize;
        let seed = self.seed(sc);
        let waiting_norm_weeks =
            self.number(sc, "scenario", "waiting_norm_weeks", Rule::NonNeg, &sp, Some(4.0)).unwrap_or(4.0);
        Settings {
            name,
            description,
            start_year,
            horizon_years,
            steps_per_year,
            discount_schedule,
            runs,
            seed,
            waiting_norm_weeks,
        }
    }

    /// `steps_per_year`: 1, 4 or 12 (default 12).
    fn steps_per_year(&mut self, sc: &DeTable<'_>) -> usize {
        let Some(v) = sc.get("steps_per_year") else { return 12 };
        match as_number(v.get_ref()) {
            Some(x) if x == 1.0 || x == 4.0 || x == 12.0 => x as usize,
            _ => {
                self.problem(v.span(), "scenario.steps_per_year", "1, 4 or 12", describe(v.get_ref()), None);
                12
            }
        }
    }

    /// `discount_rate`: one yearly rate from the start year on, or a schedule by year.
    fn discount_rate(&mut self, sc: &DeTable<'_>, sp: &Range<usize>, start_year: i32) -> Vec<DiscountStep> {
        match sc.get("discount_rate") {
            Some(v) if matches!(v.get_ref(), DeValue::Array(_)) => self.discount_schedule(v, start_year),
            _ => {
                let rate = self.number(sc, "scenario", "discount_rate", Rule::Real, sp, None).unwrap_or(0.0);
                self.rate_in_range(sc, "scenario", "discount_rate", rate);
                vec![DiscountStep { from_year: start_year, rate }]
            }
        }
    }

    /// A time-varying discount rate: a list of `{ from_year, rate }` tables in increasing
    /// `from_year`, the first no later than the start year, every rate above -1.
    fn discount_schedule(&mut self, v: &Val<'_>, start_year: i32) -> Vec<DiscountStep> {
        const KEY: &str = "scenario.discount_rate";
        let DeValue::Array(items) = v.get_ref() else { return Vec::new() };
        let mut out: Vec<DiscountStep> = Vec::new();
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                self.problem(
                    item.span(),
                    KEY,
                    "a number or a list of { from_year, rate }",
                    describe(item.get_ref()),
                    Some(
                        "e.g. discount_rate = [{ from_year = 2025, rate = 0.0225 }, { from_year = 2055, rate = 0.02 }]"
                            .into(),
                    ),
                );
                continue;
            };
            self.known_keys(t, KEY, &["from_year", "rate"]);
            let span = item.span();
            let from = self.integer(t, KEY, "from_year", (1900, 2400), &span, None);
            let rate = self.number(t, KEY, "rate", Rule::Real, &span, None);
            let (Some(from), Some(rate)) = (from, rate) else { continue };
            if rate <= -1.0 {
                self.problem(span.clone(), &join(KEY, "rate"), "a rate above -1", format!("{rate}"), None);
            }
            if let Some(prev) = out.last()
                && i64::from(prev.from_year) >= from
            {
                self.problem(
                    span.clone(),
                    &join(KEY, "from_year"),
                    &format!("a year after {} (the steps in increasing order)", prev.from_year),
                    format!("{from}"),
                    None,
                );
            }
            out.push(DiscountStep { from_year: from as i32, rate });
        }
        match out.first() {
            None => {
                self.problem(v.span(), KEY, "at least one { from_year, rate }", "an empty list".into(), None);
                vec![DiscountStep { from_year: start_year, rate: 0.0 }]
            }
            Some(first) if first.from_year > start_year => {
                self.problem(
                    v.span(),
                    &join(KEY, "from_year"),
                    &format!("a first step from the start year {start_year} or earlier"),
                    format!("{}", first.from_year),
                    None,
                );
                out
            }
            Some(_) => out,
        }
    }

    /// `seed`: a whole number from 0 to 2^64 - 1 (default 1).
    fn seed(&mut self, sc: &DeTable<'_>) -> u64 {
        let Some(v) = sc.get("seed") else { return 1 };
        match v.get_ref() {
            DeValue::Integer(i) => match u64::from_str_radix(i.as_str(), i.radix()) {
                Ok(s) => s,
                Err(_) => {
                    self.problem(
                        v.span(),
                        "scenario.seed",
                        "a whole number from 0 to 18446744073709551615",
                        describe(v.get_ref()),
                        None,
                    );
                    1
                }
            },
            other => {
                self.problem(v.span(), "scenario.seed", "a whole number", describe(other), None);
                1
            }
        }
    }
}
