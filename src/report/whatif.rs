//! `whatif.html` and `whatif_nl.html`: the what-if page for a council debate. One
//! self-contained file per language: the engine core compiled to WebAssembly
//! (assets/whatif/contractsim.wasm, built by scripts/build-wasm) and inlined, with the
//! scenario's text, its levers and strategies. On every change of a lever, the strategy or
//! the number of runs the page simulates again on two Web Workers, on the run's seed, and
//! shows the figures of the runs so far ([`crate::analysis::whatif`]); it needs no server
//! and no network, and opens from `file://`.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};

use super::data::ReportData;
use super::lang::Lang;
use super::{OutputError, Report};
use crate::analysis::whatif::{self, MAX_RUNS, PageLever, Unit};
use crate::results::BatchInfo;
use crate::scenario::Scenario;
use crate::scenario::dutch::Kind;

/// The engine core as WebAssembly (scripts/build-wasm; tests/it/whatif.rs checks that it is
/// the build of this source).
const WASM: &[u8] = include_bytes!("../../assets/whatif/contractsim.wasm");
/// The page, with `{{key}}` where the texts and data go.
const PAGE: &str = include_str!("../../assets/whatif/page.html");
/// The page's script.
const PAGE_JS: &str = include_str!("../../assets/whatif/page.js");
/// The workers' script.
const WORKER_JS: &str = include_str!("../../assets/whatif/worker.js");

/// The runs the page makes at first: few enough to answer within a second.
pub(crate) const PAGE_RUNS: usize = 1_000;

/// What the page needs of the scenario and the run.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    text: Arc<str>,
    file: String,
    sha256: String,
    seed: u64,
    runs: usize,
    levers: Vec<PageLever>,
    /// Per strategy, what its answer rests on, in English and Dutch.
    rests: Vec<(Vec<String>, Vec<String>)>,
    /// Whether the scenario discounts at one rate (else a schedule of rates).
    one_rate: bool,
    /// Per lever, the file's distribution as written (`None`: a number, which the page
    /// shows in the lever's unit).
    written: Vec<Option<String>>,
}

impl Source {
    /// The page's source for a run of `s` with seed and runs `info`.
    pub(crate) fn of(s: &Scenario, info: BatchInfo) -> Self {
        let levers = whatif::levers(s);
        let written = levers
            .iter()
            .map(|l| match s.params.iter().find(|p| p.path == l.lever.key) {
                Some(p) if !p.dist.is_fixed() => Some(p.dist.describe()),
                _ => None,
            })
            .collect();
        let rests = (0..s.strategies.len()).map(|k| rests(s, k)).collect();
        let file =
            s.file.file_name().map_or_else(|| s.file.display().to_string(), |f| f.to_string_lossy().into_owned());
        Source {
            one_rate: s.discount_schedule.len() <= 1,
            text: s.text.clone(),
            file,
            sha256: s.sha256.clone(),
            seed: info.seed,
            runs: info.runs,
            levers,
            rests,
            written,
        }
    }
}

/// What strategy `k`'s comparison with the baseline rests on besides the demand and price
/// inputs every strategy shares: the assumed provider response of its contracts (behaviour
/// factors other than a fixed 1) and the assumed reach and effect of its programmes.
fn rests(s: &Scenario, k: usize) -> (Vec<String>, Vec<String>) {
    let st = &s.strategies[k];
    let (mut en, mut nl) = (Vec::new(), Vec::new());
    let factor = |path: String| s.params.iter().any(|p| p.path == path && (!p.dist.is_fixed() || p.dist.mean() != 1.0));
    let responds = st.contracts.iter().any(|&c| {
        ["incidence_factor", "duration_factor", "success_factor", "reentry_factor"]
            .iter()
            .any(|f| factor(format!("contract.{}.{f}", s.contracts[c].id)))
    });
    if responds {
        en.push(
            "the assumed response of providers to its contracts (behaviour factors, assumptions of the scenario file)"
                .into(),
        );
        nl.push("de veronderstelde reactie van aanbieders op de contracten (gedragsfactoren, aannames in het scenariobestand)".into());
    }
    if !st.programmes.is_empty() {
        let names = |lang: Lang| -> String {
            st.programmes
                .iter()
                .map(|&p| match lang {
                    Lang::Nl => s.dutch.name(Kind::Programme, p).unwrap_or(&s.programmes[p].name).to_string(),
                    Lang::En => s.programmes[p].name.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        en.push(format!("the assumed reach and effect of {}", names(Lang::En)));
        nl.push(format!("het veronderstelde bereik en effect van {}", names(Lang::Nl)));
    }
    (en, nl)
}

/// `whatif.html` (English) and `whatif_nl.html` (Dutch), for the results of a run.
pub(crate) struct WhatIfPage;

impl Report for WhatIfPage {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let Some(src) = &d.whatif else { return Ok(Vec::new()) };
        let wasm = base64::engine::general_purpose::STANDARD.encode(WASM);
        Ok(Lang::ALL
            .iter()
            .map(|&l| (format!("whatif{}.html", l.suffix()), page(d, src, l, &wasm).into_bytes()))
            .collect())
    }
}

/// The texts of the page in `lang`: those of the HTML, then those the script fills in.
fn texts(d: &ReportData, lang: Lang) -> (Vec<(&'static str, String)>, Value) {
    let base = d.label(d.baseline(), lang).to_string();
    let name = d.scenario_name(lang);
    let t = |en: &str, nl: &str| lang.t(en, nl).to_string();
    let rate = lang.num(d.meta.discount_rate * 100.0, 2);
    let html = vec![
        ("title", format!("{} {name}", t("What if? ", "Wat als? "))),
        (
            "lead",
            t(
                "Move a lever and the page simulates again, here in the browser, on the same seed as the report: the \
                 same futures, with your values. Inputs you do not touch keep the scenario file's values and their \
                 uncertainty.",
                "Verschuif een knop en de pagina rekent opnieuw, hier in de browser, met dezelfde seed als het \
                 rapport: dezelfde toekomsten, met uw waarden. Inputs die u niet aanraakt houden de waarden en de \
                 onzekerheid uit het scenariobestand.",
            ),
        ),
        ("controls", t("Choices", "Keuzes")),
        ("strategy_label", format!("{} {base}", t("Strategy compared with", "Strategie vergeleken met"))),
        ("runs_label", t("Runs (simulated futures)", "Aantal runs (gesimuleerde toekomsten)")),
        ("levers_title", t("Levers", "Knoppen")),
        (
            "levers_note",
            t(
                "A lever you move fixes that input at its value in every future. Only the levers that can change \
                 this comparison are shown.",
                "Een knop die u verschuift zet die input in elke toekomst vast op de gekozen waarde. Alleen de \
                 knoppen die deze vergelijking kunnen veranderen staan hier.",
            ),
        ),
        ("no_levers", t("No lever changes this comparison.", "Geen knop verandert deze vergelijking.")),
        ("reset", t("Reset to the report", "Terug naar het rapport")),
        (
            "saving_label",
            if d.whatif.as_ref().is_none_or(|s| s.one_rate) {
                format!(
                    "{} {rate}%{}",
                    t("Saving, present value at", "Besparing, contante waarde tegen"),
                    t(" (mean)", " (gemiddelde)")
                )
            } else {
                t(
                    "Saving, present value at the scenario's discount rates (mean)",
                    "Besparing, contante waarde tegen de disconteringsvoeten van het scenario (gemiddelde)",
                )
            },
        ),
        ("p_cheaper_label", t("Chance that it is cheaper", "Kans dat het goedkoper is")),
        (
            "p_cheaper_note",
            t(
                "share of futures in which the present value of its spend is below the baseline's",
                "aandeel van de toekomsten waarin de contante waarde van de uitgaven lager is dan bij de basis",
            ),
        ),
        ("break_even_label", t("Break-even year (median)", "Terugverdienjaar (mediaan)")),
        ("reserve_label", t("Risk reserve, first budget period", "Risicoreserve, eerste begrotingsperiode")),
        (
            "fan_title",
            t(
                "Yearly spend, nominal: median, 50% and 90% bands",
                "Uitgaven per jaar, nominaal: mediaan, 50%- en 90%-band",
            ),
        ),
        (
            "fan_note",
            t(
                "Shaded: the middle 50% and 90% of futures in each year; line: the median. Dashed: the baseline.",
                "Gearceerd: de middelste 50% en 90% van de toekomsten per jaar; lijn: de mediaan. Gestippeld: de basis.",
            ),
        ),
        (
            "band_title",
            t(
                "Saving over the horizon (present value): 90% band and mean",
                "Besparing over de looptijd (contante waarde): 90%-band en gemiddelde",
            ),
        ),
        (
            "footer",
            format!(
                "{} {} (SHA-256 {}). {}",
                t("contractsim, scenario", "contractsim, scenario"),
                d.whatif.as_ref().map_or("", |s| s.file.as_str()),
                d.whatif.as_ref().map_or("", |s| &s.sha256[..s.sha256.len().min(12)]),
                t(
                    "This page runs the model in your browser: it needs no network and sends nothing anywhere. \
                     docs/reports.md says how to use it in a debate.",
                    "Deze pagina rekent het model door in uw browser: zij heeft geen netwerk nodig en verstuurt \
                     niets. docs/reports.md beschrijft het gebruik in een debat.",
                ),
            ),
        ),
    ];
    let script = json!({
        "years_span": t("{first}–{last}", "{first} t/m {last}"),
        "band": t("in 9 of 10 futures between {p5} and {p95}", "in 9 van de 10 toekomsten tussen {p5} en {p95}"),
        "break_even_never": t("not in most futures", "in de meeste toekomsten niet"),
        "break_even_note": t(
            "the cumulative present value of spend falls below the baseline's and stays there in {p} of futures",
            "de opgetelde contante waarde van de uitgaven komt in {p} van de toekomsten onder die van de basis en blijft daar"
        ),
        "reserve_note": t(
            "at {c} certainty: the {cn}th percentile of spend over {first}–{last} less its median (baseline: {base})",
            "bij {c} zekerheid: het {cn}e percentiel van de uitgaven {first} t/m {last} min de mediaan (basis: {base})"
        ),
        "reserve_none": t(
            "The scenario has no budget line, so the report computes no reserve.",
            "Het scenario heeft geen begrotingslijn, dus het rapport berekent geen reserve."
        ),
        "fan_axis": t("EUR mln", "€ mln"),
        "band_zero": t("no saving", "geen besparing"),
        "answer_saves": t(
            "Over {span}, {strategy} costs the municipality on average {amount} less than {baseline} (present value, \
             mean of {n} futures); in 9 of 10 futures the saving lies between {p5} and {p95}, and it is cheaper in {p} \
             of futures.",
            "Over {span} kost {strategy} de gemeente gemiddeld {amount} minder dan {baseline} (contante waarde, \
             gemiddelde van {n} toekomsten); in 9 van de 10 toekomsten ligt de besparing tussen {p5} en {p95}, en in \
             {p} van de toekomsten is het goedkoper."
        ),
        "answer_costs": t(
            "Over {span}, {strategy} costs the municipality on average {amount} more than {baseline} (present value, \
             mean of {n} futures); in 9 of 10 futures the saving lies between {p5} and {p95}, and it is cheaper in {p} \
             of futures.",
            "Over {span} kost {strategy} de gemeente gemiddeld {amount} meer dan {baseline} (contante waarde, \
             gemiddelde van {n} toekomsten); in 9 van de 10 toekomsten ligt de besparing tussen {p5} en {p95}, en in \
             {p} van de toekomsten is het goedkoper."
        ),
        "rests_on": t("This rests on:", "Dit rust op:"),
        "rests_lever": t("{label} fixed at {value}", "{label} vast op {value}"),
        "rests_nothing": t(
            "This rests on the scenario's demand and price inputs only, which both strategies share.",
            "Dit rust alleen op de vraag- en prijsinputs van het scenario, die beide strategieën delen."
        ),
        "runs_done": t(
            "{n} runs on seed {seed}: the figures `contractsim run` gives with --runs {n} and these lever values \
             written into the scenario file.",
            "{n} runs met seed {seed}: de cijfers die `contractsim run` geeft met --runs {n} en deze waarden in het \
             scenariobestand."
        ),
        "runs_partial": t("A first answer from {n} of {runs} runs; it is refined as runs come in.", "Een eerste antwoord uit {n} van {runs} runs; het wordt verfijnd zodra er runs bij komen."),
        "status_running": t("Simulating: {done} of {runs} runs", "Bezig: {done} van {runs} runs"),
        "status_done": t("Done: {runs} runs in {s} s", "Klaar: {runs} runs in {s} s"),
        "runs_report": t("{n} (as the report)", "{n} (als het rapport)"),
        "lever_reset": t("back to the file's value", "terug naar de waarde uit het bestand"),
        "lever_file": t("As in the file: {file}", "Zoals in het bestand: {file}"),
        "lever_fixed": t("Moved; the file has {file}", "Verschoven; het bestand heeft {file}"),
        "lever_fixed_uncertain": t(
            "Fixed at this value in every future; the file has {file}",
            "In elke toekomst vast op deze waarde; het bestand heeft {file}"
        ),
        "less_than_1": t("less than 1%", "minder dan 1%"),
        "more_than_99": t("more than 99%", "meer dan 99%"),
        "error": t("Error", "Fout"),
    });
    (html, script)
}

/// Decimals that show a lever's step: 0.005 as a share needs one (0.5%).
fn decimals(l: &PageLever) -> usize {
    let step = match l.unit {
        Unit::Share => l.lever.step * 100.0,
        Unit::Euro => l.lever.step / 1e6,
        Unit::Number => l.lever.step,
    };
    (0..6).find(|&d| (step * 10f64.powi(d as i32)).fract().abs() < 1e-9).unwrap_or(6)
}

/// The page in `lang`.
fn page(d: &ReportData, src: &Source, lang: Lang, wasm: &str) -> String {
    let (html, text) = texts(d, lang);
    let base = d.baseline();
    let id = |k: usize| d.meta.strategies[k].clone();
    let strategies: Vec<Value> = (0..d.strategies())
        .filter(|&k| k != base)
        .map(|k| {
            let rests = src.rests.get(k).map(|(en, nl)| if lang == Lang::Nl { nl.clone() } else { en.clone() });
            json!({ "id": id(k), "name": d.label(k, lang), "rests": rests.unwrap_or_default() })
        })
        .collect();
    let default =
        super::charts::focus_alternatives(d).first().map_or_else(|| id((base + 1) % d.strategies()), |&k| id(k));
    let levers: Vec<Value> = src
        .levers
        .iter()
        .zip(&src.written)
        .map(|(l, written)| {
            let unit = match l.unit {
                Unit::Euro => "eur",
                Unit::Share => "share",
                Unit::Number => "number",
            };
            json!({
                "id": l.lever.id, "key": l.lever.key,
                "label": if lang == Lang::Nl { &l.label_nl } else { &l.lever.label },
                "min": l.lever.min, "max": l.lever.max, "step": l.lever.step, "value": l.lever.value,
                "unit": unit, "decimals": decimals(l), "uncertain": l.uncertain,
                "file_text": written.as_deref().map(|w| lang.distribution(w)),
                "affects": l.affects.iter().map(|&k| id(k)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report_runs = src.runs;
    let default_runs = report_runs.min(PAGE_RUNS);
    let mut choices: Vec<usize> = [default_runs, 2_000, 5_000, report_runs]
        .into_iter()
        .filter(|&n| n <= MAX_RUNS.min(report_runs.max(PAGE_RUNS)))
        .collect();
    choices.sort_unstable();
    choices.dedup();
    let data = json!({
        "locale": lang.t("en-GB", "nl-NL"),
        "euro": lang.euro(),
        "text": text,
        "scenario": &*src.text,
        "file": src.file,
        "seed": src.seed,
        "report_runs": report_runs,
        "report_runs_choice": if report_runs <= MAX_RUNS { report_runs } else { default_runs },
        "default_runs": default_runs,
        "run_choices": choices,
        "baseline": { "id": id(base), "name": d.label(base, lang) },
        "strategies": strategies,
        "default_strategy": default,
        "levers": levers,
    });
    // `</` would end the script element: JSON lets it be written `<\/`.
    let data = data.to_string().replace("</", "<\\/");
    let mut out = PAGE.to_string();
    for (key, value) in &html {
        out = out.replace(&format!("{{{{{key}}}}}"), &super::html::esc(value));
    }
    // The data last: the scenario's text may hold anything, `{{wasm}}` too.
    out.replace("{{lang}}", lang.t("en", "nl"))
        .replace("{{wasm}}", wasm)
        .replace("{{worker}}", &WORKER_JS.replace("</", "<\\/"))
        .replace("{{page}}", &PAGE_JS.replace("</", "<\\/"))
        .replace("{{data}}", &data)
}
