//! Charts and summaries are tested through their data: every series a chart draws is
//! compared with the rows of `yearly.csv`, `summary.csv` and `runs.csv` rendered from the
//! same results, and the plain-language summary's numbers with `summary.csv`. SVG output
//! is checked as text (drawn with `SVGBackend::with_string`); PNG pixels are not compared.

use std::collections::HashMap;

use contractsim::engine::Plan;

use crate::common;
use crate::fixtures::{self, Doc};
use contractsim::export::{Export, RunsCsv, SummaryCsv, YearlyCsv};
use contractsim::metrics::Horizon;
use contractsim::report::ReportData;
use contractsim::report::charts::{self, ChartKind};
use contractsim::report::headline::Headline;
use contractsim::report::lang::Lang;
use contractsim::report::markdown::chance;
use contractsim::results::Results;

const RUNS: usize = 80;

/// The Friesland scenario, run with few runs.
fn friesland() -> (Plan, contractsim::engine::Batch) {
    let text = std::fs::read_to_string("scenarios/friesland.toml").expect("scenario file");
    let plan = Plan::new(common::scenario(&text));
    let b = common::batch(&plan, RUNS, 7);
    (plan, b)
}

/// The Friesland scenario edited, run with few runs.
fn friesland_with(edit: impl Fn(&mut Doc)) -> (Plan, contractsim::engine::Batch) {
    let mut doc = fixtures::load("scenarios/friesland.toml");
    edit(&mut doc);
    let plan = Plan::new(fixtures::scenario(&doc));
    let b = common::batch(&plan, RUNS, 7);
    (plan, b)
}

/// `yearly.csv` parsed: (strategy, year, metric) -> [mean, mcse, p5, p25, p50, p75, p95].
fn yearly_csv(r: &Results) -> HashMap<(String, i32, String), Vec<f64>> {
    let bytes = YearlyCsv.render(r).unwrap();
    let mut rd = csv::Reader::from_reader(&bytes[..]);
    rd.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let nums = (3..10).map(|i| if rec[i].is_empty() { f64::NAN } else { rec[i].parse().unwrap() }).collect();
            ((rec[0].to_string(), rec[1].parse().unwrap(), rec[2].to_string()), nums)
        })
        .collect()
}

/// `summary.csv` parsed: (strategy, metric) -> [mean, mcse, p5, p25, p50, p75, p95].
fn summary_csv(r: &Results) -> HashMap<(String, String), Vec<f64>> {
    let bytes = SummaryCsv.render(r).unwrap();
    let mut rd = csv::Reader::from_reader(&bytes[..]);
    rd.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let nums = (2..9).map(|i| if rec[i].is_empty() { f64::NAN } else { rec[i].parse().unwrap() }).collect();
            ((rec[0].to_string(), rec[1].to_string()), nums)
        })
        .collect()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

fn assert_series(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (t, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(same(*g, *w) || (g - w).abs() <= 1e-9 * w.abs().max(1.0), "{what}[{t}]: {g} != {w}");
    }
}

#[test]
fn chart_series_are_the_tables() {
    let (plan, b) = friesland();
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    let yearly = yearly_csv(&r);
    let summary = summary_csv(&r);
    let ids = d.meta.strategies.clone();
    let years = d.years();
    let col = |k: usize, metric: &str, i: usize, scale: f64| -> Vec<f64> {
        years.iter().map(|&y| yearly[&(ids[k].clone(), y, metric.to_string())][i] * scale).collect()
    };

    // spend_fan: p5, p25, p50, p75, p95 of spend, in millions.
    let fan = charts::spend_fan::data(&d);
    assert_eq!(fan.fans.len(), ids.len());
    for (k, f) in &fan.fans {
        assert_series("spend p5", &f.p5, &col(*k, "spend", 2, 1e-6));
        assert_series("spend p25", &f.p25, &col(*k, "spend", 3, 1e-6));
        assert_series("spend p50", &f.p50, &col(*k, "spend", 4, 1e-6));
        assert_series("spend p75", &f.p75, &col(*k, "spend", 5, 1e-6));
        assert_series("spend p95", &f.p95, &col(*k, "spend", 6, 1e-6));
    }
    assert_series("baseline median", &fan.baseline_median, &col(d.baseline(), "spend", 4, 1e-6));
    assert_eq!(fan.budget.len(), years.len(), "friesland has a budget line");
    assert!((fan.budget[0] - 122.4).abs() < 1e-9);

    // cumulative_saving: alternatives only; break-even from summary.csv.
    let cs = charts::cumulative_saving::data(&d);
    assert_eq!(cs.panels.len(), ids.len() - 1);
    for p in &cs.panels {
        assert_ne!(p.strategy, d.baseline());
        assert_series("saving p5", &p.fan.p5, &col(p.strategy, "cumulative_saving", 2, 1e-6));
        assert_series("saving p50", &p.fan.p50, &col(p.strategy, "cumulative_saving", 4, 1e-6));
        assert_series("saving p95", &p.fan.p95, &col(p.strategy, "cumulative_saving", 6, 1e-6));
        let s = &summary[&(ids[p.strategy].clone(), "break_even_year".to_string())];
        assert!(same(p.break_even_year, s[4]));
        assert_eq!(p.p_break_even, summary[&(ids[p.strategy].clone(), "p_break_even".to_string())][0]);
    }

    // npv_distribution: the runs.csv column, counted into bins that hold every run.
    let runs_bytes = RunsCsv.render(&r).unwrap();
    let mut rd = csv::Reader::from_reader(&runs_bytes[..]);
    let header = rd.headers().unwrap().clone();
    let c = header.iter().position(|x| x == "npv_saving_vs_baseline").unwrap();
    let mut by_strategy: HashMap<String, Vec<f64>> = HashMap::new();
    for rec in rd.records() {
        let rec = rec.unwrap();
        by_strategy.entry(rec[1].to_string()).or_default().push(rec[c].parse().unwrap());
    }
    let npv = charts::npv_distribution::data(&d);
    assert_eq!(npv.edges.len(), charts::npv_distribution::BINS + 1);
    for p in &npv.panels {
        assert_series("npv values", &p.values, &by_strategy[&ids[p.strategy]]);
        assert_eq!(p.counts.iter().sum::<usize>(), RUNS, "every run in a bin");
        for (i, &n) in p.counts.iter().enumerate() {
            let (lo, hi) = (npv.edges[i], npv.edges[i + 1]);
            let last = i + 1 == p.counts.len();
            let want = p.values.iter().filter(|v| {
                let m = *v * 1e-6;
                m >= lo && (m < hi || (last && m <= hi + 1e-9))
            });
            assert!(want.count().abs_diff(n) <= 1, "bin {i}: {n}");
        }
        assert_eq!(p.median, summary[&(ids[p.strategy].clone(), "npv_saving_vs_baseline".to_string())][4]);
    }

    // p_cheapest and budget_overrun: means in percent.
    for (k, line) in charts::p_cheapest::data(&d).lines {
        assert_series("p_cheapest", &line, &col(k, "p_cheapest", 0, 100.0));
    }
    let bo = charts::budget_overrun::data(&d);
    for (k, line) in &bo.lines {
        assert_series("budget_overrun", line, &col(*k, "budget_overrun", 0, 100.0));
    }

    // spend_components: medians of the four components; stacking adds them up.
    let sc = charts::spend_components::data(&d);
    for (k, parts) in &sc.stacks {
        for (i, (metric, ..)) in charts::spend_components::COMPONENTS.iter().enumerate() {
            assert_series(metric.name(), &parts[i], &col(*k, metric.name(), 4, 1e-6));
        }
        let tops = charts::spend_components::cumulate(parts);
        for t in 0..years.len() {
            let sum: f64 = parts.iter().map(|p| p[t].max(0.0)).sum();
            assert!((tops[3][t] - sum).abs() < 1e-9);
        }
    }

    // caseload: one panel per segment, the median of caseload.<segment> per strategy.
    let cl = charts::caseload::data(&d);
    assert_eq!(cl.panels.len(), 6);
    for p in &cl.panels {
        for (k, line) in &p.lines {
            assert_series(&p.segment, line, &col(*k, &format!("caseload.{}", p.segment), 4, 1.0));
        }
    }
}

#[test]
fn summary_numbers_are_the_tables() {
    let (plan, b) = friesland();
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    let summary = summary_csv(&r);
    let ids = &d.meta.strategies;
    let hl = Headline::of(&d);
    // The alternative the risks speak of is the first one the scenario's first question
    // asks about (Friesland: prevention), not the one with the highest saving.
    let best = hl.best.as_ref().expect("alternatives");
    assert_eq!(ids[best.strategy], d.meta.questions[0].strategies[0]);
    let row = |m: &str| summary[&(ids[best.strategy].clone(), m.to_string())].clone();
    assert_eq!(best.p_cheaper, row("p_cheaper_than_baseline")[0]);
    assert_eq!(
        best.saving.p,
        [
            row("npv_saving_vs_baseline")[2],
            row("npv_saving_vs_baseline")[3],
            row("npv_saving_vs_baseline")[4],
            row("npv_saving_vs_baseline")[5],
            row("npv_saving_vs_baseline")[6]
        ]
    );
    assert_eq!(best.p_cheapest, row("p_cheapest")[0]);
    assert!(same(best.break_even_year, row("break_even_year")[4]));
    let base_npv = summary[&(ids[d.baseline()].clone(), "npv_spend".to_string())][4];
    assert_eq!(hl.baseline_npv.p50(), base_npv);

    for lang in Lang::ALL {
        let md = contractsim::report::markdown::summary(&d, &hl, lang);
        let name = d.label(best.strategy, lang);
        let saving = d.horizon(best.strategy, Horizon::NpvSavingVsBaseline);
        for needle in [
            chance(row("p_cheaper_than_baseline")[0], lang),
            contractsim::report::answer::with_mcse(row("npv_saving_vs_baseline")[0], saving.mcse, lang),
            // The band of the saving: a negative end is written as an extra cost.
            lang.mln(row("npv_saving_vs_baseline")[2].abs()),
            lang.mln(row("npv_saving_vs_baseline")[6].abs()),
            lang.mln(base_npv),
            contractsim::report::answer::share(row("p_break_even")[0], lang),
            name.to_string(),
        ] {
            assert!(md.contains(&needle), "{lang:?} summary lacks {needle:?}");
        }
        // The answer answers each of the scenario's questions in order, numbered; the finance
        // officer's tables follow.
        for (i, q) in d.meta.questions.iter().enumerate() {
            let text = if lang == Lang::Nl { &q.text_nl } else { &q.text };
            assert!(md.contains(&format!("\n{}. **{text}**", i + 1)), "{lang:?}: question {}", i + 1);
        }
        assert!(md.contains(lang.t("| strategy |", "| strategie |")));
        assert!(md.contains(lang.t("## Tables for the finance officer", "## Tabellen voor de financieel adviseur")));
    }
    let en = contractsim::report::markdown::summary(&d, &hl, Lang::En);
    assert!(en.contains("EUR ") && !en.contains('€'), "English amounts are EUR x.y mln");
    let nl = contractsim::report::markdown::summary(&d, &hl, Lang::Nl);
    assert!(nl.contains("€ ") && nl.contains(" mln"), "Dutch amounts are € x,y mln");
    // Break-even counts in the notes come from runs.csv: NaN cells are runs that never do.
    for k in (0..ids.len()).filter(|&k| k != d.baseline()) {
        let never = b.runs.iter().filter(|run| run.horizon_of(k, Horizon::BreakEvenYear).is_nan()).count();
        assert!(en.contains(&format!("{}: {never} of {RUNS} runs never break even", d.name(k))));
    }
}

#[test]
fn svg_charts_name_the_scenario_and_use_the_language() {
    let (plan, b) = friesland();
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    for kind in ChartKind::ALL {
        for lang in Lang::ALL {
            let svg = charts::svg(kind, &d, lang).unwrap();
            assert!(svg.starts_with("<svg width=\"1600\" height=\"1000\""), "{kind:?}");
            assert!(svg.contains(kind.title(lang).split('\'').next().unwrap()), "{kind:?} title");
            assert!(svg.contains(&d.scenario_name(lang).replace('&', "&amp;")), "{kind:?} subtitle names the scenario");
            assert!(svg.contains(lang.t("seed 7", "startgetal 7")), "{kind:?} subtitle names the seed");
            assert!(svg.contains(&lang.num(RUNS as f64, 0)), "{kind:?} subtitle names the runs");
            assert!(svg.contains("font-family=\"DejaVu Sans"), "{kind:?} font");
        }
    }
    // Fans: one polygon per band, two bands per strategy, the wide light band first.
    let svg = charts::svg(ChartKind::SpendFan, &d, Lang::En).unwrap();
    let fills: Vec<&str> = svg
        .lines()
        .filter(|l| l.starts_with("<polygon"))
        .map(|l| l.split("fill=\"").nth(1).unwrap().split('"').next().unwrap())
        .collect();
    assert_eq!(fills.len(), 2 * 5, "{fills:?}: the baseline and four alternatives (charts::focus)");
    let lightness = |hex: &str| {
        let v = u32::from_str_radix(&hex[1..], 16).unwrap();
        (v >> 16) + ((v >> 8) & 0xff) + (v & 0xff)
    };
    for pair in fills.chunks(2) {
        assert!(lightness(pair[0]) > lightness(pair[1]), "90% band lighter than 50% band: {pair:?}");
    }
    assert!(svg.contains("EUR ") && svg.contains(" mln"));
    let nl = charts::svg(ChartKind::SpendFan, &d, Lang::Nl).unwrap();
    assert!(nl.contains("€ ") && nl.contains("€ mln"), "Dutch amounts");
    assert!(nl.lines().any(|l| l.contains(",") && l.contains(" mln") && l.contains('€')), "decimal comma");
    // Okabe-Ito colours for the alternatives, black for the baseline.
    for c in ["#0072B2", "#E69F00", "#009E73", "#CC79A7"] {
        assert!(svg.contains(c), "palette colour {c}");
    }
    // The break-even year is marked in the saving chart.
    let cs = charts::svg(ChartKind::CumulativeSaving, &d, Lang::En).unwrap();
    assert!(cs.contains("break-even"));
}

#[test]
fn png_charts_are_1600_by_1000() {
    let (plan, b) = friesland();
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    let png = charts::png(ChartKind::PCheapest, &d, Lang::Nl).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1600);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1000);
}

#[test]
fn without_a_budget_there_is_no_budget_chart() {
    let (plan, b) = friesland_with(|doc| {
        for key in ["budget", "budget_growth", "budget_period_years", "certainty", "available_reserve"] {
            fixtures::remove(doc, &["economy", key]);
        }
    });
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    assert!(!d.has_budget());
    assert!(!ChartKind::BudgetOverrun.applies(&d));
    let files = contractsim::report::render_reports(&d).unwrap();
    assert!(!files.iter().any(|(n, _)| n.starts_with("budget_overrun")));
    assert!(files.iter().any(|(n, _)| n == "spend_fan.png"));
    assert!(charts::spend_fan::data(&d).budget.is_empty());
    let md = String::from_utf8(files.iter().find(|(n, _)| n == "summary.md").unwrap().1.clone()).unwrap();
    assert!(!md.contains("Budget:"));
    assert!(!md.contains("weerstandscapaciteit"), "no reserve tables without a budget line");
    assert!(d.reserve_by_certainty.is_empty());
}

/// The provider and reserve charts draw the results' own series: P(a provider has failed by
/// the year) is the mean of `provider_failed_so_far`, which never falls over the years and
/// ends at `p_provider_failure`; the reserve chart's points are `reserve_by_certainty.csv`'s.
#[test]
fn provider_and_reserve_charts_draw_the_results() {
    let (plan, b) = friesland();
    let r = Results::new(&plan, &b);
    let d = ReportData::from_results(&r);
    let p = charts::p_provider_failure::data(&d);
    for (k, ys) in &p.lines {
        assert!(ys.windows(2).all(|w| w[1] >= w[0]), "a failure stays a failure");
        let last = *ys.last().unwrap();
        let overall = d.horizon(*k, Horizon::PProviderFailure).mean * 100.0;
        assert!((last - overall).abs() < 1e-9, "{last} vs {overall}");
    }
    let fans = charts::provider_reserves::data(&d);
    let csv = yearly_csv(&r);
    let (k, fan) = &fans.fans[0];
    let id = &plan.scenario.strategies[*k].id;
    let row = &csv[&(id.clone(), plan.scenario.start_year + 3, "provider_reserves_min".to_string())];
    assert!((fan.p50[3] - row[4] * 1e-6).abs() < 1e-9);
    let res = charts::reserve_by_certainty::data(&d);
    assert_eq!(res.certainty.first(), Some(&70.0));
    assert_eq!(res.certainty.last(), Some(&95.0));
    for (k, ys) in &res.lines {
        assert!(ys.windows(2).all(|w| w[1] >= w[0]), "the reserve grows with certainty");
        let direct = d.reserve_by_certainty.iter().find(|x| x.0 == *k && x.1 == 0.9).unwrap().2;
        let i = res.certainty.iter().position(|c| (*c - 90.0).abs() < 1e-9).unwrap();
        assert!((ys[i] - direct * 1e-6).abs() < 1e-9);
    }
}
