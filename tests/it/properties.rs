//! Numeric safety over random valid scenarios (proptest): clients and money are conserved,
//! no count goes negative, no NaN or infinity appears, and spend rises with the price.
//! The model-level step is checked on random states too, including very large counts.

use crate::common::*;
use contractsim::model::demand::{ExpectedDraws, Paths, RandomDraws, SegmentRates, SegmentState, step_paths};
use contractsim::random::rng::RunKey;
use contractsim::random::sample::Binomial;
use proptest::prelude::*;

/// Relative closeness for sums of a few hundred terms of similar size.
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

/// One random segment.
#[derive(Debug, Clone)]
struct Seg {
    incidence: f64,
    initial: u32,
    duration: f64,
    cost: f64,
    success: f64,
    reentry: f64,
    escalation: f64,
}

fn seg() -> impl Strategy<Value = Seg> {
    (0.0..60.0f64, 0u32..3000, 0.1..6.0f64, 100.0..300_000.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64).prop_map(
        |(incidence, initial, duration, cost, success, reentry, escalation)| Seg {
            incidence,
            initial,
            duration,
            cost,
            success,
            reentry,
            escalation,
        },
    )
}

/// A random valid scenario: 1–3 segments (each escalating to the next), one lot per
/// segment of a random form, providers that can fail, corridors, and prevention financed
/// by the municipality or an investor. `price` multiplies every cost per client-year.
#[derive(Debug, Clone)]
struct Case {
    segs: Vec<Seg>,
    forms: Vec<u8>,
    providers: Vec<u8>,
    steps_per_year: usize,
    years: usize,
    inflation: f64,
    efficiency_sd: f64,
    reserves: f64,
    corridor: bool,
    investor: bool,
    reach: f64,
    effect: f64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(seg(), 1..=3),
        prop::collection::vec(0u8..4, 3),
        prop::collection::vec(1u8..=3, 3),
        prop_oneof![Just(1usize), Just(4), Just(12)],
        1usize..8,
        -0.05..0.2f64,
        0.01..0.3f64,
        0.0..0.5f64,
        any::<bool>(),
        any::<bool>(),
        0.0..=1.0f64,
        0.01..=1.0f64,
    )
        .prop_map(
            |(
                segs,
                forms,
                providers,
                steps_per_year,
                years,
                inflation,
                efficiency_sd,
                reserves,
                corridor,
                investor,
                reach,
                effect,
            )| {
                Case {
                    segs,
                    forms,
                    providers,
                    steps_per_year,
                    years,
                    inflation,
                    efficiency_sd,
                    reserves,
                    corridor,
                    investor,
                    reach,
                    effect,
                }
            },
        )
}

fn text(c: &Case, price: f64) -> String {
    let mut t = format!(
        "[scenario]\nname = \"random\"\nstart_year = 2025\nhorizon_years = {}\nsteps_per_year = {}\ndiscount_rate = 0.03\n\n\
         [population]\nyouth = 25_000\ngrowth = {{ dist = \"uniform\", min = -0.02, max = 0.02 }}\n\n\
         [economy]\ncost_inflation = {}\n\n\
         [provider]\nefficiency = {{ dist = \"normal\", mean = 1.0, sd = {}, min = 0.5, max = 1.6 }}\n\
         cost_noise_sd = 0.05\nreserves_share = {}\ntransition_cost_share = 0.2\nemergency_premium = 0.1\n\n",
        c.years, c.steps_per_year, c.inflation, c.efficiency_sd, c.reserves
    );
    let n = c.segs.len();
    for (i, g) in c.segs.iter().enumerate() {
        t += &format!(
            "[[segment]]\nid = \"s{i}\"\nincidence_per_1000 = {}\ninitial_caseload = {}\nmean_duration_years = {}\n\
             cost_per_client_year = {}\nsuccess_rate = {}\nreentry_rate = {}\n",
            g.incidence,
            g.initial,
            g.duration,
            g.cost * price,
            g.success,
            g.reentry
        );
        if i + 1 < n {
            t += &format!("escalates_to = \"s{}\"\nescalation_rate = {}\n", i + 1, g.escalation);
        }
        t += "\n";
    }
    let mut ids = Vec::new();
    for i in 0..n {
        let form = ["output", "effort", "task", "outcome"][c.forms[i] as usize];
        ids.push(format!("\"c{i}\""));
        t += &format!(
            "[[contract]]\nid = \"c{i}\"\nform = \"{form}\"\nsegments = [\"s{i}\"]\nproviders = {}\nperiod_years = 2\n\
             margin = 0.03\nadmin_cost_rate = 0.02\n",
            c.providers[i]
        );
        if form == "outcome" {
            // The outcome payment is a price too: it scales with the others, so that a
            // higher price moves every payment in proportion (`spend_is_monotone_in_price`).
            t += &format!(
                "base_share = 0.8\noutcome_payment = {}\nfollow_up_years = 0.5\noutcome_cap_share = 0.3\n",
                2_000.0 * price
            );
        }
        if c.corridor && form != "outcome" {
            t += "[contract.risk_sharing]\nband = 0.05\nmunicipality_share = 0.5\n";
        }
        t += "\n";
    }
    let financing = if c.investor {
        "financing = \"investor\"\npayment_per_prevented_start = 3_000\nannual_cap = 500_000\n"
    } else {
        "financing = \"municipality\"\n"
    };
    t += &format!(
        "[[prevention]]\nid = \"p\"\nannual_cost = 100_000\ntargets = [\"s0\"]\nreach = {}\neffect = {{ dist = \"uniform\", \
         min = 0, max = {} }}\n{financing}\n",
        c.reach, c.effect
    );
    let contracts = ids.join(", ");
    t += &format!("[[strategy]]\nid = \"base\"\ncontracts = [{contracts}]\nbaseline = true\n\n");
    t += &format!("[[strategy]]\nid = \"prev\"\ncontracts = [{contracts}]\nprevention = [\"p\"]\n");
    t
}

const COUNTS: [&str; 7] = ["caseload", "client_years", "starts", "exits", "referrals", "prevented", "successes"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Conservation and signs in every run, strategy and year of random valid scenarios.
    #[test]
    fn clients_and_money_are_conserved(c in case(), seed in 0u64..1000) {
        let s = scenario(&text(&c, 1.0));
        let initial: f64 = s.segments.iter().map(|g| g.initial_caseload).sum();
        let plan = contractsim::engine::Plan::new(s);
        let b = batch(&plan, 4, seed);
        for r in &b.runs {
            for (i, v) in r.yearly.iter().enumerate() {
                prop_assert!(v.is_finite(), "yearly value {i} of run {} is {v}", r.run);
            }
        }
        for k in 0..plan.strategies() {
            let mut before = vec![initial; b.runs.len()];
            for t in 0..plan.layout.years {
                let get = |m: &str| yearly(&plan, &b, k, m, t);
                for m in COUNTS {
                    for v in get(m) {
                        prop_assert!(v >= 0.0, "{m} = {v} in strategy {k} year {t}");
                    }
                }
                for g in 0..plan.scenario.segments.len() {
                    let id = &plan.scenario.segments[g].id;
                    for m in [format!("caseload.{id}"), format!("starts.{id}")] {
                        for v in get(&m) {
                            prop_assert!(v >= 0.0, "{m} = {v}");
                        }
                    }
                }
                let (caseload, starts, exits) = (get("caseload"), get("starts"), get("exits"));
                for r in 0..caseload.len() {
                    let scale = before[r] + starts[r] + exits[r];
                    prop_assert!(
                        close(caseload[r] - before[r], starts[r] - exits[r], scale),
                        "clients: strategy {k} year {t} run {r}: caseload {} -> {}, starts {}, exits {}",
                        before[r], caseload[r], starts[r], exits[r]
                    );
                }
                before = caseload;
                let (spend, care, outcome, premium, transfer) = (
                    get("spend"), get("care_payments"), get("outcome_payments"), get("emergency_premium"),
                    get("risk_sharing_transfer"),
                );
                let (investor, prevention, admin, failure) =
                    (get("investor_payments"), get("prevention_cost"), get("admin_cost"), get("failure_cost"));
                let (result, cost) = (get("provider_result"), get("provider_cost"));
                for r in 0..spend.len() {
                    let revenue = care[r] + outcome[r] + premium[r] + transfer[r];
                    let parts = revenue + investor[r] + prevention[r] + admin[r] + failure[r];
                    let scale = care[r].abs() + outcome[r].abs() + premium[r].abs() + transfer[r].abs() + investor[r]
                        + prevention[r] + admin[r] + failure[r];
                    prop_assert!(close(spend[r], parts, scale), "money: strategy {k} year {t} run {r}: {} vs {parts}", spend[r]);
                    prop_assert!(spend[r] >= 0.0 && cost[r] >= 0.0);
                    prop_assert!(close(result[r], revenue - cost[r], scale + cost[r]), "provider result, strategy {k} year {t}");
                }
            }
        }
    }

    /// Under common random numbers, a higher cost per client-year never lowers spend in any
    /// run, strategy or year: volumes do not depend on the price, and every payment that
    /// does is proportional to it.
    #[test]
    fn spend_is_monotone_in_price(c in case(), factor in 1.0..3.0f64, seed in 0u64..1000) {
        let low = contractsim::engine::Plan::new(scenario(&text(&c, 1.0)));
        let high = contractsim::engine::Plan::new(scenario(&text(&c, factor)));
        let (bl, bh) = (batch(&low, 3, seed), batch(&high, 3, seed));
        for k in 0..low.strategies() {
            for t in 0..low.layout.years {
                let (sl, sh) = (yearly(&low, &bl, k, "spend", t), yearly(&high, &bh, k, "spend", t));
                for r in 0..sl.len() {
                    prop_assert!(sh[r] >= sl[r] * (1.0 - 1e-12), "strategy {k} year {t} run {r}: x{factor} gives {} < {}", sh[r], sl[r]);
                }
            }
        }
    }

    /// One step of random segment paths, with counts up to 10^12: no count goes negative or
    /// becomes NaN, and active clients change by starts − exits exactly as bookkept.
    #[test]
    fn a_step_keeps_counts_whole_and_non_negative(
        active in 0.0..1e12f64,
        waiting in 0.0..1e12f64,
        referrals in 0.0..1e12f64,
        escalations in 0.0..1e6f64,
        d in 0.01..50.0f64,
        spy in prop_oneof![Just(1usize), Just(4), Just(12)],
        p in prop::collection::vec(0.0..=1.0f64, 5),
        delay in 0.01..10.0f64,
        random in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (active, waiting) = (active.round(), waiting.round());
        let rates = SegmentRates::new(d, 1.0 / spy as f64, p[0], p[1], p[2], delay);
        let mut paths = Paths::default();
        paths.push(0, rates, Binomial::new(p[3]), SegmentState { active, waiting_reentry: waiting, queue: 0.0 });
        paths.prevention[0] = Binomial::new(p[4]);
        paths.escalations_in[0] = escalations.round();
        let shared = [referrals.round()];
        if random {
            step_paths(&mut RandomDraws { key: RunKey::new(seed, 0) }, 3, &mut paths, &shared);
        } else {
            step_paths(&mut ExpectedDraws, 3, &mut paths, &shared);
        }
        let f = paths.flows[0];
        let st = &paths.state[0];
        for (name, v) in [
            ("referrals", f.referrals), ("prevented", f.prevented), ("starts", f.starts), ("exits", f.exits),
            ("successes", f.successes), ("escalations_out", f.escalations_out), ("client_years", f.client_years),
            ("active", st.active), ("waiting", st.waiting_reentry),
        ] {
            prop_assert!(v.is_finite() && v >= 0.0, "{name} = {v}");
        }
        prop_assert!(f.successes <= f.exits && f.exits <= active + f.starts);
        let scale = active + f.starts;
        prop_assert!(close(st.active - active, f.starts - f.exits, scale * 1e-3));
    }
}

/// Means are summed in run order without compensation: over a million runs of values that
/// differ by eight orders of magnitude, the rounding error stays far below a millionth of the
/// Monte Carlo standard error, so compensated summation would change no reported digit that
/// matters.
#[test]
fn plain_summation_of_means_is_accurate_enough() {
    let xs: Vec<f64> = (0..1_000_000u64)
        .map(|i| {
            let u = ((i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64) / (1u64 << 53) as f64;
            1e8 * (1.0 + u) + if i % 1000 == 0 { 1e15 } else { 0.0 }
        })
        .collect();
    let (mean, se) = mean_se(&xs);
    // Neumaier's compensated sum as the reference.
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for &x in &xs {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() { (sum - t) + x } else { (x - t) + sum };
        sum = t;
    }
    let exact = (sum + comp) / xs.len() as f64;
    assert!((mean - exact).abs() < 1e-6 * se, "mean {mean} vs compensated {exact}, se {se}");
}

/// A short, deterministic fuzz run in the normal test suite: TOML-shaped text built from the
/// format's own tables, keys and awkward values (the `cargo fuzz` target explores further,
/// see docs/reliability.md). The reader answers every file with a scenario or with
/// problems that each name the file, a key or a position, what was expected and what was
/// found; it never panics.
mod toml_fuzz {
    use std::path::Path;

    use contractsim::scenario::parse_str;
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    const TABLES: [&str; 9] = [
        "[scenario]",
        "[population]",
        "[economy]",
        "[[segment]]",
        "[[contract]]",
        "[contract.risk_sharing]",
        "[provider]",
        "[[prevention]]",
        "[[strategy]]",
    ];
    const KEYS: [&str; 40] = [
        "name",
        "start_year",
        "horizon_years",
        "steps_per_year",
        "discount_rate",
        "runs",
        "seed",
        "youth",
        "growth",
        "cost_inflation",
        "budget",
        "budget_by_year",
        "certainty",
        "id",
        "incidence_per_1000",
        "initial_caseload",
        "mean_duration_years",
        "cost_per_client_year",
        "success_rate",
        "reentry_rate",
        "escalates_to",
        "escalation_rate",
        "form",
        "segments",
        "providers",
        "market_shares",
        "base_share",
        "outcome_payment",
        "band",
        "bands",
        "municipality_share",
        "efficiency",
        "annual_cost",
        "targets",
        "reach",
        "effect",
        "financing",
        "contracts",
        "prevention",
        "baseline",
    ];
    const VALUES: [&str; 24] = [
        "0",
        "1",
        "-1",
        "0.5",
        "12",
        "2025",
        "1e308",
        "-1e308",
        "nan",
        "inf",
        "1_000_000",
        "99999999999999999999",
        "\"a\"",
        "\"output\"",
        "\"task\"",
        "\"outcome\"",
        "true",
        "[]",
        "[\"a\", \"b\"]",
        "[1, 2]",
        "{ dist = \"beta\", mean = 0.5, sd = 0.1 }",
        "{ dist = \"normal\", mean = 1, sd = 0, min = 2, max = 1 }",
        "{ dist = \"pert\", min = 1, mode = 0, max = 2 }",
        "[{ from = 0.1, share = 2 }]",
    ];

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => (0..TABLES.len()).prop_map(|i| TABLES[i].to_string()),
            6 => (0..KEYS.len(), 0..VALUES.len()).prop_map(|(k, v)| format!("{} = {}", KEYS[k], VALUES[v])),
            1 => ("[a-z_]{1,10}", 0..VALUES.len()).prop_map(|(k, v)| format!("{k} = {}", VALUES[v])),
            1 => "\\PC{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, rng_seed: RngSeed::Fixed(20_251_125), ..ProptestConfig::default() })]

        #[test]
        fn toml_shaped_text_gets_an_answer(lines in prop::collection::vec(line(), 0..60)) {
            let text = lines.join("\n");
            if let Err(e) = parse_str(&text, Path::new("f.toml")) {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    let shown = p.to_string();
                    prop_assert!(shown.starts_with("f.toml"), "{shown}");
                    prop_assert!(shown.contains("expected ") && shown.contains(", found "), "{shown}");
                    prop_assert!(p.position.is_some() || !p.key.is_empty(), "neither key nor position: {shown}");
                }
            }
        }
    }
}
