//! Issue 15, points 3 and 7: the reserve split into structural gap (for the
//! meerjarenraming) and risk reserve (for the weerstandscapaciteit), and the break-even
//! values of the key inputs (`break_even_inputs.csv`), against hand-worked cases.

use contractsim::analysis::break_even::{BreakEvenOptions, Note, break_even};
use contractsim::analysis::reserve_split;
use contractsim::engine::Plan;
use contractsim::metrics::Horizon;

use crate::common::*;

/// A task budget fixed for the horizon (deterministic spend `2.1M × 1.02^t`) plus a
/// prevention programme reaching nobody whose yearly cost `K ~ uniform(0, 400k)` is drawn
/// once per run: spend in year t is `2.1M × 1.02^t + K`, so every percentile of spend is
/// that of `K` shifted, and the budget line is below spend in every run and year.
const SPLIT: &str = r#"
[economy]
tariff_indexation = 0.02
budget_by_year = [1_900_000, 1_950_000, 2_000_000]
budget_growth = 0.01
budget_period_years = 4
# The hand case holds the task strategy against the scenario's line, not its own sum.
task_budget_line = "budget"
certainty = [0.8, 0.9]
available_reserve = 500_000

[[contract]]
id = "task"
form = "task"
segments = ["a"]
period_years = 12
margin = 0.05

[[prevention]]
id = "p"
annual_cost = { dist = "uniform", min = 0, max = 400_000 }
targets = ["a"]
reach = 0
effect = 0.1

[[strategy]]
id = "base"
contracts = ["task"]
prevention = ["p"]
baseline = true
"#;

/// Type-7 quantile of unsorted values.
fn q(xs: &[f64], p: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    contractsim::stats::quantile_sorted(&v, p)
}

#[test]
fn reserve_split_by_hand() {
    let plan = Plan::new(scenario(&one_segment(12, "", SPLIT)));
    let line = plan.scenario.budget_line.clone().unwrap();
    let n = 4000;
    let b = batch(&plan, n, 11);
    let r = results(&plan, &b);
    let k: Vec<f64> = b.runs.iter().map(|run| run.params[0]).collect();
    assert_eq!(plan.uncertain_params().collect::<Vec<_>>(), ["prevention.p.annual_cost"]);
    let task = |t: usize| 2_100_000.0 * 1.02f64.powi(t as i32);
    let (q50, q80, q90) = (q(&k, 0.5), q(&k, 0.8), q(&k, 0.9));
    // Closed form: the c-quantile of uniform(0, 400k) is 400k c, and a sample quantile of n
    // draws has standard error sqrt(c (1 - c) / n) × 400k (the density is 1 / 400k).
    for (c, got) in [(0.5, q50), (0.8, q80), (0.9, q90)] {
        let se = (c * (1.0 - c) / n as f64).sqrt() * 400_000.0;
        assert!((got - 400_000.0 * c).abs() < 4.0 * se, "quantile {c} of K: {got}, se {se}");
    }
    // Yearly: the gap is P50 of spend minus the line, the risk reserve P_c − P50 = that of K.
    let cs = contractsim::results::finance::certainties(&r);
    let yearly = reserve_split::yearly(&r);
    assert_eq!(yearly.len(), 12);
    for row in &yearly {
        let t = row.year;
        let tol = 1e-6 * task(t);
        assert!((row.structural_gap - (task(t) + q50 - line[t])).abs() < tol, "gap {t}: {}", row.structural_gap);
        for (c, risk) in cs.iter().zip(&row.risk_reserve) {
            assert!((risk - (q(&k, *c) - q50)).abs() < tol, "risk {c} in year {t}: {risk}");
        }
    }
    // budget.csv carries the same figures in its new columns, the old ones unchanged.
    let files = contractsim::report::render_all(&r, &[]).unwrap();
    let get = |name: &str| String::from_utf8(files.iter().find(|(f, _)| f == name).unwrap().1.clone()).unwrap();
    let budget = get("budget.csv");
    let header: Vec<&str> = budget.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..9],
        [
            "strategy",
            "year",
            "budget",
            "spend_p50",
            "spend_p80",
            "spend_p90",
            "spend_p95",
            "expected_overrun",
            "p_overrun"
        ]
    );
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let first: Vec<&str> = budget.lines().nth(1).unwrap().split(',').collect();
    let num = |name: &str| first[col(name)].parse::<f64>().unwrap();
    assert!((num("structural_gap") - (num("spend_p50") - num("budget"))).abs() < 1e-6);
    assert!((num("risk_reserve_90") - (num("spend_p90") - num("spend_p50"))).abs() < 1e-6);
    // Every year overruns in every run, so the required reserve of the year is gap + risk.
    assert!((num("required_reserve_90") - (num("structural_gap") + num("risk_reserve_90"))).abs() < 1e-6);
    // The first budget period (4 years): the summed overrun is D + 4 K, D = Σ (task − line),
    // so the risk reserve is 4 (Q_c(K) − Q_50(K)) and the gap D + 4 Q_50(K).
    let d: f64 = (0..4).map(|t| task(t) - line[t]).sum();
    let periods = reserve_split::periods(&r);
    assert_eq!(periods.len(), 9 * 2, "rolling periods 2025-2028 up to 2033-2036 at two certainties");
    let p90 = periods.iter().find(|p| p.years == (2025, 2028) && p.certainty == 0.9).unwrap();
    assert!((p90.structural_gap - (d + 4.0 * q50)).abs() < 1e-6 * d);
    let risk = 4.0 * (q90 - q50);
    assert!((p90.risk_reserve - risk).abs() < 1e-6 * d, "{} vs {risk}", p90.risk_reserve);
    assert!((p90.risk_ratio - 500_000.0 / risk).abs() < 1e-9 * p90.risk_ratio);
    assert_eq!(p90.risk_class, contractsim::stats::reserve::RatioClass::of(500_000.0 / risk).letter());
    // The required reserve of reserve.csv is the median period overrun plus the risk reserve.
    let required = d + 4.0 * q90;
    let reserve = get("reserve.csv");
    let row = reserve.lines().find(|l| l.starts_with("base,2025,2028,0.9,")).unwrap();
    let need: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert!((need - required).abs() < 1e-6 * d, "{need} vs {required}");
    // And its new columns carry the split, the old eight unchanged.
    let header: Vec<&str> = reserve.lines().next().unwrap().split(',').collect();
    assert_eq!(header[8..], ["structural_gap", "risk_reserve", "risk_ratio", "risk_class", "risk_reserve_spend"]);
    let fields: Vec<&str> = row.split(',').collect();
    assert!((fields[8].parse::<f64>().unwrap() - p90.structural_gap).abs() < 1e-6 * d);
    assert!((fields[9].parse::<f64>().unwrap() - risk).abs() < 1e-6 * d);
    assert_eq!(fields[11], p90.risk_class);
    let by_certainty = get("reserve_by_certainty.csv");
    assert!(
        by_certainty
            .starts_with("strategy,first_year,last_year,certainty,required_reserve,structural_gap,risk_reserve\n")
    );
    // On the risk part the class is better than on the whole reserve: K's spread over four
    // years (about 4 × 160k) against about 1.1M required.
    assert!(p90.risk_ratio > 500_000.0 / need);
    let by_c = reserve_split::first_period_by_certainty(&r);
    assert_eq!(by_c.len(), cs.len());
    for (row, c) in by_c.iter().zip(&cs) {
        assert_eq!(row.certainty, *c);
        assert!((row.risk_reserve - 4.0 * (q(&k, *c) - q50)).abs() < 1e-6 * d);
    }
}

/// The prevention case solved by hand. Output contract at price `E[c] E[d] = 20,000` per
/// start, no re-entry, 100 referrals a year, no discounting, 10 years. The programme
/// reaches half the referrals with effect 0.4 and costs K = 100,000 a year. At a scale `s`
/// on the effect the prevention strategy saves, in expectation, `10 × (20,000 × 100 × 0.5 ×
/// 0.4 s − 100,000) = 4M s − 1M` over the horizon: break-even at `s* = 0.25`, an effect of
/// 0.1, a quarter of what is assumed.
const PREVENTION: &str = r#"
[scenario]
name = "break-even by hand"
start_year = 2025
horizon_years = 10
steps_per_year = 12
discount_rate = 0.0

[population]
youth = 10_000

[[segment]]
id = "a"
incidence_per_1000 = 10
initial_caseload = 200
mean_duration_years = 2.0
cost_per_client_year = 10_000
success_rate = 0.6

[[contract]]
id = "out"
form = "output"
segments = ["a"]
margin = 0

[[prevention]]
id = "p"
annual_cost = 100_000
targets = ["a"]
reach = 0.5
effect = 0.4

[[strategy]]
id = "base"
contracts = ["out"]
baseline = true

[[strategy]]
id = "prev"
contracts = ["out"]
prevention = ["p"]
"#;

#[test]
fn prevention_breaks_even_where_the_closed_form_says() {
    let plan = Plan::new(scenario(PREVENTION));
    let runs = 200;
    let b = batch(&plan, runs, 5);
    let r = results(&plan, &b);
    let rows = break_even(&plan, &r.collected.sample, &BreakEvenOptions { runs, seed: 5, threads: 2 }).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!((row.strategy_id.as_str(), row.input.as_str()), ("prev", "prevention.p.effect"));
    assert_eq!(row.assumed, 0.4);
    assert_eq!(row.note, Note::Found, "{row:?}");
    // The tolerance: the search's own standard error of the scale, MCSE(f) / slope, with the
    // slope 4M known in closed form; recomputed here from the per-run savings of the prevention
    // strategy at the found effect (the same runs, the effect fixed in the file).
    let text = PREVENTION.replace("effect = 0.4", &format!("effect = {}", 0.4 * row.scale));
    let at = Plan::new(scenario(&text));
    let rb = batch(&at, runs, 5);
    let saving: Vec<f64> = rb.runs.iter().map(|x| x.horizon_of(1, Horizon::NpvSavingVsBaseline)).collect();
    let (mean, mcse) = mean_se(&saving);
    assert!(mcse > 0.0);
    let se = mcse / 4.0e6;
    assert!((row.scale - 0.25).abs() < 4.0 * se, "scale {} vs 0.25, se {se}", row.scale);
    assert!((row.break_even - 0.1).abs() < 4.0 * 0.4 * se, "effect {} vs 0.1", row.break_even);
    assert!((row.ratio - row.scale).abs() < 1e-12, "a multiplier: ratio = scale");
    // On these runs the mean saving at the break-even is zero within the search's tolerance.
    assert!(mean.abs() < 0.1 * mcse + 1e-6, "mean saving {mean} at the break-even, mcse {mcse}");
    assert!((row.scale_se - se).abs() < 0.5 * se, "{} vs {se}", row.scale_se);
}

/// Same scenario under a task contract: the budget is set on the expected effect, so the
/// realised effect changes nothing the municipality pays; the saving is the same at every
/// scale and never crosses zero (`K` high enough that prevention costs more than it saves).
#[test]
fn no_crossing_when_the_saving_does_not_move() {
    let text = PREVENTION.replace("form = \"output\"", "form = \"task\"\nperiod_years = 10");
    let plan = Plan::new(scenario(&text));
    let b = batch(&plan, 20, 5);
    let r = results(&plan, &b);
    let rows = break_even(&plan, &r.collected.sample, &BreakEvenOptions { runs: 20, seed: 5, threads: 2 }).unwrap();
    assert_eq!(rows.len(), 1);
    let saving = rows[0].saving_assumed;
    let expected = r.horizon.iter().find(|h| h.strategy == 1 && h.metric == Horizon::NpvSavingVsBaseline).unwrap();
    assert!((saving - expected.summary.mean).abs() < 1e-6 * saving.abs());
    assert_eq!(rows[0].note, if saving > 0.0 { Note::PositiveThroughout } else { Note::NegativeThroughout });
    assert!(rows[0].break_even.is_nan() && rows[0].scale.is_nan());
}

/// A contract form crowned on assumed behaviour: the strategy's own output contract has
/// `incidence_factor = 0.9` and 2% own cost. At scale `s` on the factor's deviation from 1
/// the expected saving is `10 × 20,000 × 100 × (1 − 1.02 (1 − 0.1 s))`: zero at
/// `s* = 0.02 / 0.102`, a factor of `1 − 0.1 s*`.
#[test]
fn behaviour_factor_breaks_even_where_the_closed_form_says() {
    let text = PREVENTION.replace(
        "[[strategy]]\nid = \"prev\"\ncontracts = [\"out\"]\nprevention = [\"p\"]\n",
        "[[contract]]\nid = \"out2\"\nform = \"output\"\nsegments = [\"a\"]\nmargin = 0\nadmin_cost_rate = 0.02\n\
         incidence_factor = 0.9\n\n[[strategy]]\nid = \"own\"\ncontracts = [\"out2\"]\n",
    );
    let plan = Plan::new(scenario(&text));
    let runs = 200;
    let b = batch(&plan, runs, 9);
    let r = results(&plan, &b);
    let one = break_even(&plan, &r.collected.sample, &BreakEvenOptions { runs, seed: 9, threads: 1 }).unwrap();
    let two = break_even(&plan, &r.collected.sample, &BreakEvenOptions { runs, seed: 9, threads: 2 }).unwrap();
    let csv = |rows| contractsim::export::break_even::render_rows(rows).unwrap();
    assert_eq!(csv(&one), csv(&two), "the same bits at 1 and 2 threads");
    assert_eq!(one.len(), 1, "{one:?}");
    let row = &one[0];
    assert_eq!(row.input, "contract.out2.incidence_factor");
    assert_eq!(row.note, Note::Found, "{row:?}");
    let s_star = 0.02 / 0.102;
    // Tolerance: MCSE of the mean saving at the found factor over the slope 10 × 20,000 × 100
    // × 0.102, the MCSE from the per-run savings at the found factor (fixed in the file).
    let at_factor = text.replace("incidence_factor = 0.9", &format!("incidence_factor = {}", row.break_even));
    let at = Plan::new(scenario(&at_factor));
    let rb = batch(&at, runs, 9);
    let saving: Vec<f64> = rb.runs.iter().map(|x| x.horizon_of(1, Horizon::NpvSavingVsBaseline)).collect();
    let (_, mcse) = mean_se(&saving);
    let se = mcse / (10.0 * 20_000.0 * 100.0 * 0.102);
    assert!((row.scale - s_star).abs() < 4.0 * se, "scale {} vs {s_star}, se {se}", row.scale);
    assert!((row.break_even - (1.0 - 0.1 * row.scale)).abs() < 1e-12);
    assert!((row.ratio - row.break_even / 0.9).abs() < 1e-12);
}

/// A question's `about` input is a key input of the strategies it compares with the
/// baseline. The prevention case with effect 0.15 and the question about the programme's
/// yearly cost K = 100,000: at a scale `s` on the cost the saving is `10 × (20,000 × 100 ×
/// 0.5 × 0.15 − 100,000 s) = 1.5M − 1M s` in expectation, zero at `s* = 1.5` (a cost of
/// 150,000). The cost is not random, so on the same runs the mean saving is exactly linear
/// in `s`: the search solves it in one step, at `1 + f(1) / 1M` to rounding.
#[test]
fn a_questions_input_breaks_even_where_the_closed_form_says() {
    let text = PREVENTION.replace("effect = 0.4", "effect = 0.15")
        + r#"
[[strategy]]
id = "other"
contracts = ["out"]
prevention = ["p"]

[[strategy]]
id = "without"
contracts = ["out"]

[[question]]
id = "cost"
text = "How much may the programme cost?"
text_nl = "Hoeveel mag het programma kosten?"
strategies = ["prev", "without"]
about = "prevention.p.annual_cost"
"#;
    let plan = Plan::new(scenario(&text));
    let runs = 200;
    let b = batch(&plan, runs, 5);
    let r = results(&plan, &b);
    let rows = break_even(&plan, &r.collected.sample, &BreakEvenOptions { runs, seed: 5, threads: 2 }).unwrap();
    let asked: Vec<_> = rows.iter().filter(|x| x.input == "prevention.p.annual_cost").collect();
    assert_eq!(asked.len(), 1, "only the strategy the question compares that runs the programme: {rows:?}");
    let row = asked[0];
    assert_eq!(row.strategy_id, "prev");
    assert_eq!(row.basis.name(), "question_about");
    assert_eq!(row.note, Note::Found, "{row:?}");
    assert!((row.scale - (1.0 + row.saving_assumed / 1.0e6)).abs() < 1e-9, "{row:?}");
    assert!((row.break_even - 100_000.0 * row.scale).abs() < 1e-6, "{row:?}");
    // Against the closed form, within 4 standard errors of the mean saving over the slope.
    let saving: Vec<f64> = b.runs.iter().map(|x| x.horizon_of(1, Horizon::NpvSavingVsBaseline)).collect();
    let (_, mcse) = mean_se(&saving);
    assert!(mcse > 0.0);
    assert!((row.scale - 1.5).abs() < 4.0 * mcse / 1.0e6, "scale {} vs 1.5, se {}", row.scale, mcse / 1.0e6);
    // The effect stays a key input of both strategies, as before.
    assert_eq!(rows.iter().filter(|x| x.input == "prevention.p.effect").count(), 2);
}
