//! `[[societal_benefit]]` checked by hand on a small scenario: the yearly benefit is value ×
//! cost index × events avoided versus the baseline in the same run, the horizon figures are
//! its discounted sum and that plus the municipal saving, and municipal spend does not move.

use crate::common::{batch, one_segment, scenario, yearly};
use contractsim::engine::Plan;
use contractsim::metrics::Horizon;
use contractsim::report::lang::Lang;

use crate::fixtures;

const PROGRAMME: &str = r#"
[economy]
cost_inflation = 0.02

[[contract]]
id = "output"
form = "output"
segments = ["a"]

[[prevention]]
id = "p"
annual_cost = 10_000
targets = ["a"]
reach = 0.5
effect = { dist = "beta", mean = 0.2, sd = 0.05 }

[[strategy]]
id = "base"
contracts = ["output"]
baseline = true

[[strategy]]
id = "prev"
contracts = ["output"]
prevention = ["p"]
"#;

const BENEFITS: &str = r#"
[[societal_benefit]]
id = "referral"
value_per_event = 1_000
prevention = ["p"]

[[societal_benefit]]
id = "start"
name = "Avoided start"
value_per_event = 300
follows = "a"
"#;

fn horizon(plan: &Plan, b: &contractsim::engine::Batch, k: usize, m: Horizon) -> Vec<f64> {
    let _ = plan;
    b.runs.iter().map(|r| r.horizon_of(k, m)).collect()
}

#[test]
fn societal_benefit_by_hand() {
    let with = Plan::new(scenario(&one_segment(4, "", &format!("{PROGRAMME}{BENEFITS}"))));
    let without = Plan::new(scenario(&one_segment(4, "", PROGRAMME)));
    let (bw, bo) = (batch(&with, 200, 3), batch(&without, 200, 3));
    let years = with.scenario.horizon_years;
    let rate = with.scenario.discount_rate;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()));
    let mut some_benefit = false;
    for k in 0..2 {
        let mut npv = vec![0.0; bw.runs.len()];
        for t in 0..years {
            // Municipal spend is the same with and without the benefit tables.
            assert_eq!(yearly(&with, &bw, k, "spend", t), yearly(&without, &bo, k, "spend", t), "spend moved");
            let benefit = yearly(&with, &bw, k, "societal_benefit", t);
            let prevented = yearly(&with, &bw, k, "prevented", t);
            let prevented_base = yearly(&with, &bw, 0, "prevented", t);
            let starts = yearly(&with, &bw, k, "starts.a", t);
            let starts_base = yearly(&with, &bw, 0, "starts.a", t);
            let index = 1.02f64.powi(t as i32);
            for i in 0..bw.runs.len() {
                let expected =
                    index * (1_000.0 * (prevented[i] - prevented_base[i]) + 300.0 * (starts_base[i] - starts[i]));
                assert!(close(benefit[i], expected), "strategy {k} year {t} run {i}: {} vs {expected}", benefit[i]);
                if k == 0 {
                    assert_eq!(benefit[i], 0.0, "the baseline gains nothing versus itself");
                }
                some_benefit |= benefit[i] > 0.0;
                npv[i] += benefit[i] / (1.0 + rate).powi(t as i32);
            }
        }
        let got = horizon(&with, &bw, k, Horizon::NpvSocietalBenefit);
        let saving = horizon(&with, &bw, k, Horizon::NpvSavingVsBaseline);
        let net = horizon(&with, &bw, k, Horizon::NpvSocietalNet);
        for i in 0..bw.runs.len() {
            assert!(close(got[i], npv[i]), "npv_societal_benefit run {i}: {} vs {}", got[i], npv[i]);
            assert!(close(net[i], saving[i] + npv[i]), "npv_societal_net run {i}");
        }
        // Without benefit tables there is no societal figure (not applicable, not zero).
        assert!(horizon(&without, &bo, k, Horizon::NpvSocietalBenefit).iter().all(|x| x.is_nan()));
        assert!(!without.layout.yearly.iter().any(|m| m == "societal_benefit"));
    }
    assert!(some_benefit, "the programme prevented nothing: the test would prove nothing");
}

/// Two programmes on one segment share its prevented referrals in proportion to their
/// reduction: a benefit following both counts them all, one following one counts its part.
#[test]
fn prevented_referrals_are_attributed_to_programmes() {
    let benefits = "[[societal_benefit]]\nid = \"both\"\nvalue_per_event = 1\nprevention = [\"p\", \"q\"]\n\n\
                    [[societal_benefit]]\nid = \"q_only\"\nvalue_per_event = 1000\nprevention = [\"q\"]\n";
    let mut doc = fixtures::doc(&one_segment(1, "", &format!("{PROGRAMME}{benefits}")));
    fixtures::push(
        &mut doc,
        &["prevention"],
        "id = \"q\"\nannual_cost = 10_000\ntargets = [\"a\"]\nreach = 0.5\neffect = 0.1",
    );
    fixtures::set(&mut doc, &["strategy", "prev", "prevention"], vec!["p", "q"]);
    let plan = Plan::new(fixtures::scenario(&doc));
    let b = batch(&plan, 50, 5);
    // Inflation 2%, so divide by the index. With reach × effect of 0.5 × e_p and 0.5 × 0.1,
    // q's share is 0.05 / (0.5 e_p + 0.05), e_p drawn per run.
    let e_p: Vec<f64> = b.runs.iter().map(|r| r.params[0]).collect();
    assert!(plan.uncertain_params().next() == Some("prevention.p.effect"));
    for t in 0..plan.scenario.horizon_years {
        let benefit = yearly(&plan, &b, 1, "societal_benefit", t);
        let prevented = yearly(&plan, &b, 1, "prevented", t);
        let index = 1.02f64.powi(t as i32);
        for i in 0..b.runs.len() {
            let share_q = 0.05 / (0.5 * e_p[i] + 0.05);
            let expected = index * prevented[i] * (1.0 + 1000.0 * share_q);
            assert!((benefit[i] - expected).abs() <= 1e-9 * (1.0 + expected.abs()), "year {t} run {i}");
        }
    }
}

/// Mistakes in `[[societal_benefit]]` are refused with the key and a hint.
#[test]
fn bad_societal_benefits_are_refused() {
    let bad = |table: &str| {
        let text = one_segment(1, "", &format!("{PROGRAMME}{table}"));
        match contractsim::scenario::parse_str(&text, std::path::Path::new("t.toml")) {
            Ok(_) => panic!("accepted:\n{table}"),
            Err(e) => e.to_string(),
        }
    };
    let e = bad("[[societal_benefit]]\nid = \"x\"\nvalue_per_event = 1\nfollows = \"b\"\n");
    assert!(e.contains("societal_benefit.x.follows") && e.contains("no segment"), "{e}");
    let e = bad("[[societal_benefit]]\nid = \"x\"\nvalue_per_event = 1\nprevention = [\"pp\"]\n");
    assert!(e.contains("societal_benefit.x.prevention") && e.contains("did you mean"), "{e}");
    let e = bad("[[societal_benefit]]\nid = \"x\"\nvalue_per_event = 1\nfollows = \"a\"\nprevention = [\"p\"]\n");
    assert!(e.contains("either"), "{e}");
    let e = bad("[[societal_benefit]]\nid = \"x\"\nvalue_per_event = -5\nfollows = \"a\"\n");
    assert!(e.contains("value_per_event"), "{e}");
    let e = bad("[[societal_benefit]]\nid = \"x\"\nvalue_per_event = 1\nfollows = \"a\"\nvalue = 3\n");
    assert!(e.contains("societal_benefit.x.value"), "{e}");
}

/// The societal answer names its statistics and agrees with the runs: the mean net for
/// society and its 90% band (type-7 percentiles 5 and 95 of the per-run net), in both
/// languages, in the youth-care budget's words.
#[test]
fn the_societal_answer_gives_the_mean_and_the_band_of_the_runs() {
    let question = r#"
[[question]]
id = "society"
text = "And for society?"
text_nl = "En voor de samenleving?"
strategies = ["prev"]
view = "societal"
"#;
    let text = one_segment(12, "", &format!("{PROGRAMME}{BENEFITS}{question}"));
    let plan = Plan::new(scenario(&text));
    let b = batch(&plan, 400, 3);
    let r = contractsim::results::Results::new(&plan, &b);
    let files: std::collections::HashMap<String, Vec<u8>> =
        contractsim::report::render_all(&r, &[]).unwrap().into_iter().collect();
    let mut net = horizon(&plan, &b, 1, Horizon::NpvSocietalNet);
    net.sort_by(f64::total_cmp);
    let mean = net.iter().sum::<f64>() / net.len() as f64;
    let q = |p: f64| contractsim::stats::quantile_sorted(&net, p);
    for (file, lang) in [("summary.md", Lang::En), ("summary_nl.md", Lang::Nl)] {
        let md = String::from_utf8(files[file].clone()).unwrap();
        let (society, youth_care, band) = match lang {
            Lang::En => ("For society as a whole", "youth-care budget", "the net for society lies between"),
            Lang::Nl => {
                ("Voor de samenleving als geheel", "begroting jeugdhulp", "ligt het maatschappelijk saldo tussen")
            }
        };
        let line = md.lines().find(|l| l.contains(society)).unwrap_or_else(|| panic!("{file}: no societal answer"));
        let and = lang.t("and", "en");
        assert!(line.contains(&lang.mln(mean.abs())), "{file}: mean {}: {line}", lang.mln(mean));
        assert!(line.contains(youth_care), "{file}: {line}");
        let expected = format!("{band} {} {and} {}.", lang.mln(q(0.05)), lang.mln(q(0.95)));
        assert!(line.contains(&expected), "{file}: {expected} in {line}");
    }
}
