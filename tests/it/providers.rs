//! Providers and shared risk: corridors, reserves and failures, investor-financed
//! prevention, and the conservation of money, against answers worked out by hand.

use crate::common::*;
use crate::fixtures;
use contractsim::metrics::{HORIZON, Horizon};
use statrs::distribution::{Discrete, Poisson};

const YEARS: usize = 12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// An effort contract whose single provider is 20% less efficient than the price assumes:
/// its target is client-years × E[c], its cost 1.2 times that, so the deviation is 20% of
/// the target in every run and year. With a 5% band, a 50% municipality share and a cap of
/// 10% of the contract value, the municipality pays 0.5 × 15% = 7.5% of the target (the cap,
/// 10% of a contract value of 1.03 × target, does not bind), to the euro.
#[test]
fn corridor_transfers_by_hand() {
    let extra = r#"
[provider]
efficiency = 1.2
reserves_share = 10.0

[[contract]]
id = "eff"
form = "effort"
segments = ["a"]
margin = 0.03
admin_cost_rate = 0.02

[contract.risk_sharing]
band = 0.05
municipality_share = 0.5
cap_share = 0.1

[[strategy]]
id = "base"
contracts = ["eff"]
baseline = true
"#;
    let (plan, b) = summarise(&one_segment(12, "reentry_rate = 0.2", extra), 40);
    for t in 0..YEARS {
        let cy = yearly(&plan, &b, 0, "client_years", t);
        let transfer = yearly(&plan, &b, 0, "risk_sharing_transfer", t);
        let care = yearly(&plan, &b, 0, "care_payments", t);
        let result = yearly(&plan, &b, 0, "provider_result", t);
        for r in 0..cy.len() {
            let target = cy[r] * 10_000.0;
            assert!(close(transfer[r], 0.075 * target), "run {r} year {t}: {} vs {}", transfer[r], 0.075 * target);
            assert!(close(care[r], 1.03 * target));
            // Revenue 1.03 target + 0.075 target − cost 1.2 target.
            assert!(close(result[r], (1.03 + 0.075 - 1.2) * target));
        }
    }
    // With the cap at 5% of the contract value it binds: 0.05 × 1.03 × target.
    let mut capped = fixtures::doc(&one_segment(12, "", extra));
    fixtures::set(&mut capped, &["contract", "eff", "risk_sharing", "cap_share"], 0.05);
    let (plan, b) = summarise(&fixtures::text(&capped), 10);
    let cy = yearly(&plan, &b, 0, "client_years", 3);
    let transfer = yearly(&plan, &b, 0, "risk_sharing_transfer", 3);
    for r in 0..cy.len() {
        assert!(close(transfer[r], 0.05 * 1.03 * cy[r] * 10_000.0));
    }
}

/// A provider that costs 1.5 times its revenue fails in its first year in every run:
/// reserves 10% of revenue R, result −0.5 R. The municipality pays 20% of R once, and the
/// lot is re-tendered at once at a 25% premium until the next period (year 3).
#[test]
fn a_loss_making_provider_fails_and_costs_the_municipality() {
    let extra = r#"
[provider]
efficiency = 1.5
reserves_share = 0.1
transition_cost_share = 0.2
emergency_premium = 0.25

[[contract]]
id = "out"
form = "effort"
segments = ["a"]
period_years = 3

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true
"#;
    let (plan, b) = summarise(&one_segment(12, "", extra), 30);
    let nh = HORIZON.len();
    let failures0 = yearly(&plan, &b, 0, "provider_failures", 0);
    let cost0 = yearly(&plan, &b, 0, "failure_cost", 0);
    let care0 = yearly(&plan, &b, 0, "care_payments", 0);
    let reserves0 = yearly(&plan, &b, 0, "provider_reserves_min", 0);
    let premium1 = yearly(&plan, &b, 0, "emergency_premium", 1);
    let care1 = yearly(&plan, &b, 0, "care_payments", 1);
    let premium3 = yearly(&plan, &b, 0, "emergency_premium", 3);
    for r in 0..b.runs.len() {
        assert_eq!(failures0[r], 1.0);
        assert!(close(cost0[r], 0.2 * care0[r]));
        assert!(close(reserves0[r], (0.1 + 1.0 - 1.5) * care0[r]));
        assert!(close(premium1[r], 0.25 * care1[r]), "premium after a failure");
        assert_eq!(b.runs[r].horizon[Horizon::PProviderFailure.index()], 1.0);
        let _ = nh;
    }
    // The entrant of year 1 loses too (revenue 1.25 R, cost 1.5 R, reserves 0.125 R): it
    // fails in year 1, and so does the entrant of year 2. The premium lasts until the next
    // period (year 3), but at least `emergency_premium_min_years` (default 1) after each
    // failure: year 2's failure is paid its premium in year 3 too.
    assert!(yearly(&plan, &b, 0, "provider_failures", 1).iter().all(|&f| f == 1.0));
    assert!(yearly(&plan, &b, 0, "provider_failures", 2).iter().all(|&f| f == 1.0));
    let care3 = yearly(&plan, &b, 0, "care_payments", 3);
    for r in 0..b.runs.len() {
        assert!(close(premium3[r], 0.25 * care3[r]), "the minimum year of premium after year 2's failure");
    }
    // Without a minimum, the premium ends with the period: in year 3 the lot starts afresh.
    let mut doc = fixtures::doc(&one_segment(12, "", extra));
    fixtures::add(&mut doc, &["provider", "emergency_premium_min_years"], 0);
    let (plan, b) = summarise(&fixtures::text(&doc), 10);
    assert!(yearly(&plan, &b, 0, "emergency_premium", 3).iter().all(|&p| p == 0.0));
    assert!(yearly(&plan, &b, 0, "emergency_premium", 2).iter().all(|&p| p > 0.0));
}

/// With yearly contracts (`period_years = 1`) the premium used to end before it began: a
/// failure in year `t` moved the clients at the premium "until the next period", year
/// `t + 1`. Now it lasts at least `emergency_premium_min_years`: 1 year by default, 3 when
/// set, whatever the period.
#[test]
fn the_emergency_premium_lasts_its_minimum_whatever_the_period() {
    let extra = |min: &str| {
        format!(
            r#"
[provider]
reserves_share = 0.1
transition_cost_share = 0.2
emergency_premium = 0.25
{min}

[[contract]]
id = "out"
form = "effort"
segments = ["a"]
period_years = 1
providers = 2
market_shares = [0.5, 0.5]

[[contract]]
id = "bad"
form = "effort"
segments = ["a"]
period_years = 1
providers = 2
market_shares = [0.5, 0.5]
margin = -0.3

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "loss"
contracts = ["bad"]
"#
        )
    };
    // Both providers of `bad` are paid 70% of their cost (margin -0.3): reserves 0.07 C,
    // result -0.3 C, so both fail in year 0 and the lot is re-tendered at once, at the
    // premium on the whole lot from year 1 (entrants fail again every year).
    let (plan, b) = summarise(&one_segment(12, "", &extra("")), 10);
    let premium1 = yearly(&plan, &b, 1, "emergency_premium", 1);
    let care1 = yearly(&plan, &b, 1, "care_payments", 1);
    for r in 0..b.runs.len() {
        assert!(close(premium1[r], 0.25 * care1[r]), "run {r}: {} vs {}", premium1[r], 0.25 * care1[r]);
    }
    // The premium is in spend and in its components.
    let with = yearly(&plan, &b, 1, "failure_cost_with_premium", 1);
    let fc = yearly(&plan, &b, 1, "failure_cost", 1);
    for r in 0..b.runs.len() {
        assert!(close(with[r], fc[r] + premium1[r]));
    }
    // Without a minimum: nothing, as before.
    let (plan, b) = summarise(&one_segment(12, "", &extra("emergency_premium_min_years = 0")), 10);
    assert!(yearly(&plan, &b, 1, "emergency_premium", 1).iter().all(|&p| p == 0.0));
}

/// Several providers: the lot's volume is split by market share (a multinomial draw), their
/// costs add up to the lot's, and a profitable lot has no failures.
#[test]
fn several_providers_share_the_lot() {
    let extra = r#"
[provider]
efficiency = { dist = "normal", mean = 1.0, sd = 0.02, min = 0.9, max = 1.1 }
cost_noise_sd = 0.03
reserves_share = 0.2

[[contract]]
id = "out"
form = "output"
segments = ["a"]
providers = 3
market_shares = [0.5, 0.3, 0.2]
margin = 0.1

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true
"#;
    let (plan, b) = summarise(&one_segment(12, "", extra), 200);
    assert_eq!(plan.uncertain_params().filter(|p| p.ends_with(".efficiency")).count(), 3);
    for t in 0..YEARS {
        let care = yearly(&plan, &b, 0, "care_payments", t);
        let cost = yearly(&plan, &b, 0, "provider_cost", t);
        let result = yearly(&plan, &b, 0, "provider_result", t);
        for r in 0..care.len() {
            assert!(close(result[r], care[r] - cost[r]), "result = revenue − cost");
        }
    }
    // A provider fails exactly when its reserves fall below zero: the year's lowest
    // reserves are negative in the years with failures and only then.
    for t in 0..YEARS {
        let failures = yearly(&plan, &b, 0, "provider_failures", t);
        let lowest = yearly(&plan, &b, 0, "provider_reserves_min", t);
        for r in 0..failures.len() {
            assert_eq!(failures[r] > 0.0, lowest[r] < 0.0, "run {r} year {t}");
        }
    }
}

/// Investor-financed prevention: the investor pays the programme; the municipality pays
/// EUR 2,000 per start below the contracted baseline (100 a year, the expected starts without
/// the programme). With reach × effect = 0.2 and no re-entry, starts are Poisson(80), so the
/// expected payment is 2,000 × E[max(0, 100 − A)], A ~ Poisson(80), summed by hand over the
/// probability mass function. Luck, the multiple and P(loss) follow per run from the
/// strategy's and the baseline's starts (the baseline is the counterfactual here).
#[test]
fn investor_financed_prevention_by_hand() {
    let extra = r#"
[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[prevention]]
id = "sib"
annual_cost = 30_000
targets = ["a"]
reach = 0.5
effect = 0.4
financing = "investor"
payment_per_prevented_start = 2_000

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "sib"
contracts = ["out"]
prevention = ["sib"]
"#;
    let (plan, b) = summarise(&one_segment(12, "", extra), 4000);
    let a = Poisson::new(80.0).unwrap();
    let expected: f64 = (0..100u64).map(|k| a.pmf(k) * (100.0 - k as f64)).sum::<f64>() * 2_000.0;
    for t in [0, 6, 11] {
        assert_mean(&yearly(&plan, &b, 1, "investor_payments", t), expected, &format!("investor payments, year {t}"));
        assert!(yearly(&plan, &b, 1, "prevention_cost", t).iter().all(|&c| c == 0.0), "the investor pays");
        assert!(yearly(&plan, &b, 1, "investor_cost", t).iter().all(|&c| c == 30_000.0));
    }
    let nh = HORIZON.len();
    for (r, run) in b.runs.iter().enumerate() {
        let (mut paid, mut lucky) = (0.0, 0.0);
        for t in 0..YEARS {
            let actual = yearly(&plan, &b, 1, "starts", t)[r];
            let without = yearly(&plan, &b, 0, "starts", t)[r];
            let p = (100.0 - actual).max(0.0) * 2_000.0;
            assert!(close(yearly(&plan, &b, 1, "investor_payments", t)[r], p));
            let paid_starts = (100.0 - actual).max(0.0);
            if paid_starts > 0.0 {
                lucky += p * (paid_starts - (without - actual).max(0.0)).max(0.0) / paid_starts;
            }
            paid += p;
        }
        let hz = &run.horizon[nh..2 * nh];
        assert!(close(hz[Horizon::InvestorMultiple.index()], paid / (30_000.0 * YEARS as f64)));
        // P(loss) counts runs whose multiple is below 1 (an exact tie is a matter of rounding).
        assert_eq!(
            hz[Horizon::PInvestorLoss.index()],
            if hz[Horizon::InvestorMultiple.index()] < 1.0 { 1.0 } else { 0.0 }
        );
        if paid > 0.0 {
            assert!(
                close(hz[Horizon::PaidForLuckShare.index()], lucky / paid),
                "run {r}: {} vs {}",
                hz[Horizon::PaidForLuckShare.index()],
                lucky / paid
            );
        }
    }
}

/// Money is conserved in every run and year: what the municipality spends is what providers
/// receive (payments, premiums and corridor transfers), what investors receive, and its own
/// costs (administration, its own prevention, failure costs).
#[test]
fn money_is_conserved() {
    let text = std::fs::read_to_string("scenarios/friesland.toml").unwrap();
    let (plan, b) = summarise(&text, 60);
    for k in 0..plan.strategies() {
        for t in 0..plan.layout.years {
            let get = |m: &str| yearly(&plan, &b, k, m, t);
            let (spend, care, outcome, premium, transfer) = (
                get("spend"),
                get("care_payments"),
                get("outcome_payments"),
                get("emergency_premium"),
                get("risk_sharing_transfer"),
            );
            let (investor, prevention, admin, failure) =
                (get("investor_payments"), get("prevention_cost"), get("admin_cost"), get("failure_cost"));
            let (result, cost) = (get("provider_result"), get("provider_cost"));
            let advance = get("outcome_advance");
            for r in 0..spend.len() {
                let revenue = care[r] + outcome[r] + advance[r] + premium[r] + transfer[r];
                assert!(
                    close(spend[r], revenue + investor[r] + prevention[r] + admin[r] + failure[r]),
                    "strategy {k} year {t} run {r}"
                );
                assert!(close(result[r], revenue - cost[r]), "provider result, strategy {k} year {t} run {r}");
            }
        }
    }
}

/// A question about a price input (`about` an `economy.` key) asks who carries a price
/// risk: its answer gives providers' combined result (the sum of each year's mean) under
/// the strategy and the baseline, and what the corridor moves, as the runs have them.
#[test]
fn a_price_question_says_what_providers_carry() {
    let extra = r#"
[economy]
tariff_indexation = { dist = "normal", mean = 0.02, sd = 0.005, min = 0 }

[provider]
efficiency = 1.1
reserves_share = 10.0

[[contract]]
id = "out"
form = "output"
segments = ["a"]

[[contract]]
id = "eff"
form = "effort"
segments = ["a"]
margin = 0.03

[contract.risk_sharing]
band = 0.05
municipality_share = 0.5
cap_share = 0.1

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "eff"
name = "Effort with a corridor"
contracts = ["eff"]

[[question]]
id = "prices"
text = "Who carries it when prices lag?"
text_nl = "Wie draagt het als de tarieven achterblijven?"
strategies = ["eff"]
about = "economy.tariff_indexation"
"#;
    let (plan, b) = summarise(&one_segment(12, "", extra), 200);
    let r = contractsim::results::Results::new(&plan, &b);
    let files: std::collections::HashMap<String, Vec<u8>> =
        contractsim::report::render_all(&r, &[]).unwrap().into_iter().collect();
    let total = |k: usize, m: &str| -> f64 { (0..YEARS).map(|t| mean_se(&yearly(&plan, &b, k, m, t)).0).sum() };
    let transfer = total(1, "risk_sharing_transfer") - total(0, "risk_sharing_transfer");
    assert!(transfer > 0.05e6, "the corridor pays providers in this case: {transfer}");
    use contractsim::report::lang::Lang;
    for (file, lang) in [("summary.md", Lang::En), ("summary_nl.md", Lang::Nl)] {
        let md = String::from_utf8(files[file].clone()).unwrap();
        let start = lang.t("Providers' combined result", "Het gezamenlijke resultaat van aanbieders");
        let line = md.lines().find(|l| l.contains(start)).unwrap_or_else(|| panic!("{file}: no providers' sentence"));
        for x in [total(1, "provider_result"), total(0, "provider_result"), transfer] {
            assert!(line.contains(&lang.mln(x)), "{file}: {} in {line}", lang.mln(x));
        }
    }
    // Without `about` (or about a non-price input) the sentence is not there.
    let plain = extra.replace("about = \"economy.tariff_indexation\"\n", "");
    let (plan, b) = summarise(&one_segment(12, "", &plain), 20);
    let r = contractsim::results::Results::new(&plan, &b);
    let files: std::collections::HashMap<String, Vec<u8>> =
        contractsim::report::render_all(&r, &[]).unwrap().into_iter().collect();
    assert!(!String::from_utf8_lossy(&files["summary.md"]).contains("Providers' combined result"));
}
