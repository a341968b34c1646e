//! "The answer": each of the scenario's questions (`[[question]]`) answered in the file's
//! order, or, without questions, every strategy compared with the baseline.
//!
//! The rules every sentence here keeps:
//! - one statistic per claim, named: savings are means (with the 90% band of the futures),
//!   never a median beside a mean;
//! - a claim says what it rests on: a contract form's saving that comes from an assumed
//!   provider response (the contract's behaviour factors) is said to rest on it, and
//!   "pays for itself" is kept for strategies that invest (prevention, an investor);
//! - comparisons are with the question's own reference strategy, on the same futures;
//! - probabilities are rounded by [`share`] and [`chance`] the same way everywhere, and a
//!   batch of one run gets no probability at all.

use super::data::ReportData;
use super::lang::Lang;
use crate::metrics::{Horizon, Yearly};

/// One question and the sentences that answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The question as the file asks it (or the comparison made without questions).
    pub question: String,
    /// The answer, one claim per sentence.
    pub sentences: Vec<String>,
}

/// The behaviour factors of a contract: inputs that describe how providers are assumed to
/// respond to it (docs/model.md §Contracts).
const BEHAVIOUR_FACTORS: [&str; 4] = ["incidence_factor", "duration_factor", "success_factor", "reentry_factor"];

/// The comparison of one strategy with a reference, over the horizon, in present value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    /// The strategy.
    pub strategy: usize,
    /// The strategy it is compared with.
    pub reference: usize,
    /// Mean NPV saving (reference minus strategy), euros.
    pub mean: f64,
    /// Its Monte Carlo standard error.
    pub mcse: f64,
    /// 5th and 95th percentile of the saving over the futures.
    pub band: (f64, f64),
    /// Share of futures in which the strategy costs less than the reference.
    pub p_cheaper: f64,
    /// Whether the figures come from the kept per-run sample rather than all runs.
    pub from_sample: bool,
}

impl Comparison {
    /// Strategy `k` against `reference`: from the summary statistics when the reference is
    /// the baseline, otherwise from the per-run savings of the kept runs (every run when
    /// the batch is no larger than the sample).
    pub(crate) fn of(d: &ReportData, k: usize, reference: usize) -> Self {
        if reference == d.baseline() {
            let s = d.horizon(k, Horizon::NpvSavingVsBaseline);
            return Comparison {
                strategy: k,
                reference,
                mean: s.mean,
                mcse: s.mcse,
                band: (s.p5(), s.p95()),
                p_cheaper: d.horizon(k, Horizon::PCheaperThanBaseline).mean,
                from_sample: false,
            };
        }
        let a = d.runs.column(k, Horizon::NpvSavingVsBaseline);
        let b = d.runs.column(reference, Horizon::NpvSavingVsBaseline);
        let diff: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).filter(|x| x.is_finite()).collect();
        let n = diff.len() as f64;
        let mean = diff.iter().sum::<f64>() / n;
        let var = diff.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let mut sorted = diff.clone();
        sorted.sort_by(f64::total_cmp);
        let q = |p: f64| crate::stats::quantile_sorted(&sorted, p);
        Comparison {
            strategy: k,
            reference,
            mean,
            mcse: (var / n).sqrt(),
            band: (q(0.05), q(0.95)),
            p_cheaper: diff.iter().filter(|&&x| x > 0.0).count() as f64 / n,
            from_sample: diff.len() < d.meta.runs,
        }
    }
}

/// A share of futures as a percentage, rounded so that it never reads as a certainty (or
/// an impossibility) it is not: `more than 99%` for 0.9998, `less than 1%` for 0.0002.
pub fn share(p: f64, lang: Lang) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    if p < 1.0 && (p * 100.0).round() >= 100.0 {
        return lang.t("more than 99%", "meer dan 99%").into();
    }
    if p > 0.0 && (p * 100.0).round() <= 0.0 {
        return lang.t("less than 1%", "minder dan 1%").into();
    }
    lang.pct(p)
}

/// A share of futures as "8 of 10" / "8 van de 10", by the same rule as [`share`]: "99 of
/// 100" or finer only when tenths would round a near-certainty to a certainty, and "more
/// than 99 of 100" when even hundredths would.
pub fn chance(p: f64, lang: Lang) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    let of = |n: f64, d: u32| match lang {
        Lang::En => format!("{n:.0} of {d}"),
        Lang::Nl => format!("{n:.0} van de {d}"),
    };
    let ten = (p * 10.0).round();
    if (ten > 0.0 && ten < 10.0) || p == 0.0 || p == 1.0 {
        return of(ten, 10);
    }
    let hundred = (p * 100.0).round();
    if hundred >= 100.0 {
        return lang.t("more than 99 of 100", "meer dan 99 van de 100").into();
    }
    if hundred <= 0.0 {
        return lang.t("fewer than 1 of 100", "minder dan 1 van de 100").into();
    }
    of(hundred, 100)
}

/// An amount with its Monte Carlo standard error, both at the precision the error has
/// (two significant digits of the error, never "± 0.0"): `EUR 5.72 mln ± 0.11`.
pub fn with_mcse(eur: f64, mcse: f64, lang: Lang) -> String {
    if !eur.is_finite() {
        return "–".into();
    }
    if !mcse.is_finite() || mcse <= 0.0 {
        return lang.mln(eur);
    }
    let decimals = mcse_decimals(mcse / 1e6);
    format!("{} {} mln ± {}", lang.euro(), lang.num(eur / 1e6, decimals), lang.num(mcse / 1e6, decimals))
}

/// Decimals that show two significant digits of `x` (at least one, at most six).
pub(crate) fn mcse_decimals(x: f64) -> usize {
    if !(x.is_finite() && x > 0.0) {
        return 1;
    }
    (1.0 - x.log10().floor()).clamp(1.0, 6.0) as usize
}

/// The answers, one per question (or one overall comparison without questions).
pub fn answers(d: &ReportData, lang: Lang) -> Vec<Answered> {
    if d.strategies() < 2 {
        let base = d.label(d.baseline(), lang);
        return vec![Answered {
            question: String::new(),
            sentences: vec![match lang {
                Lang::En => format!("The scenario has only one strategy, {base}: there is nothing to compare."),
                Lang::Nl => format!("Het scenario heeft maar één strategie, {base}: er valt niets te vergelijken."),
            }],
        }];
    }
    if d.meta.questions.is_empty() {
        let base = d.baseline();
        let all: Vec<usize> = (0..d.strategies()).filter(|&k| k != base).collect();
        let question = match lang {
            Lang::En => format!("What does each strategy cost the municipality compared with {}?", d.label(base, lang)),
            Lang::Nl => format!("Wat kost elke strategie de gemeente vergeleken met {}?", d.label(base, lang)),
        };
        let mut out = vec![Answered { question, sentences: municipal(d, &all, base, lang) }];
        out.extend(super::worlds::answer(d, lang));
        out.extend(super::region::answer(d, lang));
        return out;
    }
    let mut out: Vec<Answered> = d
        .meta
        .questions
        .iter()
        .map(|q| {
            // A question asked in a variant's world is answered from that world's results.
            let w = d.in_world(q.variant.as_deref());
            let ks: Vec<usize> = q.strategies.iter().filter_map(|id| w.meta.strategy_index(id)).collect();
            let reference = w.meta.strategy_index(&q.compared_with).unwrap_or(w.baseline());
            let question = if lang == Lang::Nl { q.text_nl.clone() } else { q.text.clone() };
            let mut sentences = Vec::new();
            if let Some(world) = d.worlds.iter().find(|x| Some(x.world.id.as_str()) == q.variant.as_deref()) {
                sentences.push(super::worlds::asked_in(&world.world, lang));
            }
            // A question about a price input asks who carries a price risk.
            let price = q.about.as_deref().is_some_and(|p| p.starts_with("economy."));
            sentences.extend(if q.view == "societal" {
                societal(w, &ks, reference, lang)
            } else {
                municipal_asking(w, &ks, reference, price, lang)
            });
            Answered { question, sentences }
        })
        .collect();
    out.extend(super::worlds::answer(d, lang));
    out.extend(super::region::answer(d, lang));
    out
}

/// The municipal answer: each strategy's mean saving against the reference, what it rests
/// on, when it is ahead, and its waiting lists or investor where it has them.
fn municipal(d: &ReportData, ks: &[usize], reference: usize, lang: Lang) -> Vec<String> {
    municipal_asking(d, ks, reference, false, lang)
}

/// [`municipal`], and with `providers` also what providers' results do: for a question
/// about a price input (`about` an `economy.` key), which asks who carries a price risk.
fn municipal_asking(d: &ReportData, ks: &[usize], reference: usize, providers: bool, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for &k in ks {
        let c = Comparison::of(d, k, reference);
        // An investor strategy's saving and the investor's side of the deal in one sentence.
        let saving = saving_sentence(d, &c, lang);
        out.push(match investor_clause(d, k, lang) {
            Some(clause) => format!("{}{clause}", saving.trim_end_matches('.')),
            None => saving,
        });
        if d.meta.runs > 1 {
            out.push(certainty_sentence(d, &c, lang));
        }
        out.extend(rests_on(d, k, reference, lang));
        if reference == d.baseline() {
            out.extend(what_we_must_believe(d, k, lang));
        }
        if providers {
            out.extend(providers_sentence(d, k, reference, lang));
        }
        out.extend(continuity_sentence(d, k, reference, lang));
        out.extend(waiting_sentence(d, k, lang));
    }
    out
}

/// Who carries a price risk: providers' combined result summed over the years (the mean of
/// each year's nominal result) under the strategy and the reference, and what a corridor
/// moves between them.
fn providers_sentence(d: &ReportData, k: usize, reference: usize, lang: Lang) -> Option<String> {
    let total = |j: usize, m: Yearly| d.yearly_or_empty(j, m).iter().map(|s| s.mean).sum::<f64>();
    if d.yearly_or_empty(k, Yearly::ProviderResult).is_empty() {
        return None;
    }
    let (mine, theirs) = (total(k, Yearly::ProviderResult), total(reference, Yearly::ProviderResult));
    let transfer = total(k, Yearly::RiskSharingTransfer) - total(reference, Yearly::RiskSharingTransfer);
    let (start, end) = (d.meta.start_year, d.meta.end_year());
    let (name, refname) = (d.label(k, lang), d.label(reference, lang));
    let corridor = match (lang, transfer.abs() >= 0.05e6, transfer > 0.0) {
        (_, false, _) => String::new(),
        (Lang::En, true, true) => format!("; its corridor pays providers {} more (mean, summed)", lang.mln(transfer)),
        (Lang::En, true, false) => {
            format!("; through its corridor providers pay back {} more (mean, summed)", lang.mln(-transfer))
        }
        (Lang::Nl, true, true) => {
            format!("; via de risicocorridor krijgen aanbieders {} meer (gemiddeld, opgeteld)", lang.mln(transfer))
        }
        (Lang::Nl, true, false) => format!(
            "; via de risicocorridor betalen aanbieders {} meer terug (gemiddeld, opgeteld)",
            lang.mln(-transfer)
        ),
    };
    Some(match lang {
        Lang::En => format!(
            "Providers' combined result over {start}–{end} adds up to {} under {name}, against {} under {refname} \
             (the mean of each year's nominal result, summed, not discounted){corridor}.",
            lang.mln(mine),
            lang.mln(theirs)
        ),
        Lang::Nl => format!(
            "Het gezamenlijke resultaat van aanbieders over {start} t/m {end} komt bij {name} uit op {}, tegen {} bij \
             {refname} (het gemiddelde nominale resultaat per jaar, opgeteld, niet verdisconteerd){corridor}.",
            lang.mln(mine),
            lang.mln(theirs)
        ),
    })
}

/// "Compared with R, S saves the municipality on average X over 2026–2045 in present value
/// (contante waarde); in 9 of 10 futures between A and B."
fn saving_sentence(d: &ReportData, c: &Comparison, lang: Lang) -> String {
    let (start, end) = (d.meta.start_year, d.meta.end_year());
    let (name, reference) = (d.label(c.strategy, lang), d.label(c.reference, lang));
    let amount = with_mcse(c.mean.abs(), c.mcse, lang);
    let saves = c.mean >= 0.0;
    let (low, high) =
        if saves { (lang.mln(c.band.0), lang.mln(c.band.1)) } else { (lang.mln(-c.band.1), lang.mln(-c.band.0)) };
    let straddles = c.band.0 < 0.0 && c.band.1 > 0.0;
    let band = match (lang, d.meta.runs > 1, saves) {
        (_, false, _) => String::new(),
        (Lang::En, true, _) if straddles => format!(
            "; in 9 of 10 simulated futures the result lies between an extra cost of {} and a saving of {}",
            lang.mln(-c.band.0),
            lang.mln(c.band.1)
        ),
        (Lang::Nl, true, _) if straddles => format!(
            "; in 9 van de 10 gesimuleerde toekomsten ligt de uitkomst tussen meerkosten van {} en een besparing van {}",
            lang.mln(-c.band.0),
            lang.mln(c.band.1)
        ),
        (Lang::En, true, true) => format!("; in 9 of 10 simulated futures the saving lies between {low} and {high}"),
        (Lang::En, true, false) => {
            format!("; in 9 of 10 simulated futures the extra cost lies between {low} and {high}")
        }
        (Lang::Nl, true, true) => {
            format!("; in 9 van de 10 gesimuleerde toekomsten ligt de besparing tussen {low} en {high}")
        }
        (Lang::Nl, true, false) => {
            format!("; in 9 van de 10 gesimuleerde toekomsten liggen de meerkosten tussen {low} en {high}")
        }
    };
    match (lang, saves) {
        (Lang::En, true) => format!(
            "Compared with {reference}, {name} saves the municipality {amount} over {start}–{end} on average (mean, \
             present value){band}."
        ),
        (Lang::En, false) => format!(
            "Compared with {reference}, {name} costs the municipality {amount} more over {start}–{end} on average \
             (mean, present value){band}."
        ),
        (Lang::Nl, true) => format!(
            "Vergeleken met {reference} bespaart {name} de gemeente over {start} t/m {end} gemiddeld {amount} \
             (contante waarde){band}."
        ),
        (Lang::Nl, false) => format!(
            "Vergeleken met {reference} kost {name} de gemeente over {start} t/m {end} gemiddeld {amount} meer \
             (contante waarde){band}."
        ),
    }
}

/// How often it is cheaper, and from when: "pays for itself" for a strategy that invests,
/// "cheaper from" for a change of contracts.
fn certainty_sentence(d: &ReportData, c: &Comparison, lang: Lang) -> String {
    let how_often = chance(c.p_cheaper, lang);
    let (start, end) = (d.meta.start_year, d.meta.end_year());
    let invests = invests(d, c.strategy);
    let be = if c.reference == d.baseline() { d.horizon(c.strategy, Horizon::BreakEvenYear).p50() } else { f64::NAN };
    let when = match (lang, be.is_finite(), invests) {
        (_, false, _) => String::new(),
        (Lang::En, true, true) => format!("; in half of the futures it has paid for itself by {be:.0} (median)"),
        (Lang::En, true, false) => format!("; in half of the futures it is cumulatively cheaper from {be:.0} (median)"),
        (Lang::Nl, true, true) => format!("; in de helft van de toekomsten is het in {be:.0} terugverdiend (mediaan)"),
        (Lang::Nl, true, false) => {
            format!("; in de helft van de toekomsten is het vanaf {be:.0} cumulatief goedkoper (mediaan)")
        }
    };
    let sample =
        if c.from_sample { lang.t(" (counted over the kept runs)", " (geteld over de bewaarde runs)") } else { "" };
    match lang {
        Lang::En => format!(
            "Over {start}–{end} as a whole it costs less in {how_often} simulated futures{sample}, given the \
             scenario's assumptions{when}."
        ),
        Lang::Nl => format!(
            "Over {start} t/m {end} als geheel is het goedkoper in {how_often} gesimuleerde toekomsten{sample}, \
             gegeven de aannames van het scenario{when}."
        ),
    }
}

/// Whether a strategy invests: it holds a prevention programme.
pub(crate) fn invests(d: &ReportData, k: usize) -> bool {
    d.meta.strategy_details.get(k).is_some_and(|s| !s.prevention.is_empty())
}

/// The behaviour factors of strategy `k`'s contracts that are not fixed at 1, as
/// `(path, distribution, mean)`.
pub(crate) fn assumed_behaviour(d: &ReportData, k: usize) -> Vec<(String, String, f64)> {
    let Some(s) = d.meta.strategy_details.get(k) else { return Vec::new() };
    let ids: Vec<&str> = s.contracts.iter().filter_map(|c| c.split(' ').next()).collect();
    d.meta
        .inputs
        .iter()
        .filter(|i| {
            let mut parts = i.path.splitn(3, '.');
            parts.next() == Some("contract")
                && parts.next().is_some_and(|c| ids.contains(&c))
                && parts.next().is_some_and(|f| BEHAVIOUR_FACTORS.contains(&f))
        })
        .filter(|i| i.uncertain || (i.mean - 1.0).abs() > 1e-12)
        .map(|i| (i.path.clone(), i.distribution.clone(), i.mean))
        .collect()
}

/// What the saving rests on: the assumed provider response, when the contract has one.
/// Against a reference other than the baseline, the behaviour-neutral comparison takes the
/// reference without its own factors too, so that both sides of the difference are as
/// providers behave today.
fn rests_on(d: &ReportData, k: usize, reference: usize, lang: Lang) -> Option<String> {
    let factors = assumed_behaviour(d, k);
    if factors.is_empty() {
        return None;
    }
    let listed = |fs: &[(String, String, f64)]| -> String {
        fs.iter().map(|(p, dist, _)| format!("`{p}` {}", lang.distribution(dist))).collect::<Vec<_>>().join(", ")
    };
    let list = listed(&factors);
    let saving = |j: usize| d.horizon(j, Horizon::NpvSavingVsBaseline).mean;
    let neutral_of = |j: usize| if j == d.baseline() { Some(0.0) } else { d.behaviour_neutral_saving(j) };
    let of_reference = if reference == d.baseline() { Vec::new() } else { assumed_behaviour(d, reference) };
    if !of_reference.is_empty() {
        // Both sides carry factors: compare the two twins.
        let name = d.label(reference, lang);
        let now = Comparison::of(d, k, reference).mean;
        let both = neutral_of(k).zip(neutral_of(reference)).map(|(a, b)| a - b);
        let ref_list = listed(&of_reference);
        return Some(match (lang, both) {
            (Lang::En, Some(n)) => format!(
                "This rests on assumed behaviour factors on both sides ({list}; for {name}: {ref_list}): with every \
                 factor of both at 1, the mean result against {name} is {} instead of {}.",
                result(n, lang),
                result(now, lang)
            ),
            (Lang::Nl, Some(n)) => format!(
                "Dit rust op aangenomen gedragsfactoren aan beide kanten ({list}; voor {name}: {ref_list}): met alle \
                 factoren van beide op 1 is de gemiddelde uitkomst ten opzichte van {name} {} in plaats van {}.",
                result(n, lang),
                result(now, lang)
            ),
            (Lang::En, None) => format!(
                "This rests on assumed behaviour factors on both sides ({list}; for {name}: {ref_list}); the \
                 probability above is conditional on them."
            ),
            (Lang::Nl, None) => format!(
                "Dit rust op aangenomen gedragsfactoren aan beide kanten ({list}; voor {name}: {ref_list}); de kans \
                 hierboven geldt alleen als die aannames kloppen."
            ),
        });
    }
    let against = (reference != d.baseline()).then(|| d.label(reference, lang));
    let now = Comparison::of(d, k, reference).mean;
    // The reference has no factors: its saving against the baseline is the same with
    // providers behaving as today.
    let neutral =
        d.behaviour_neutral_saving(k).map(|n| n - if reference == d.baseline() { 0.0 } else { saving(reference) });
    Some(match (lang, neutral) {
        (Lang::En, Some(n)) if n >= 0.0 && now >= 0.0 => format!(
            "This rests on an assumed provider response ({list}): with providers behaving as today, the mean saving \
             against {} is {} instead of {}.",
            against.unwrap_or("the baseline"),
            lang.mln(n),
            lang.mln(now)
        ),
        (Lang::Nl, Some(n)) if n >= 0.0 && now >= 0.0 => format!(
            "Dit rust op een aangenomen reactie van aanbieders ({list}): als aanbieders zich gedragen als nu, is de \
             gemiddelde besparing ten opzichte van {} {} in plaats van {}.",
            against.unwrap_or("de basis"),
            lang.mln(n),
            lang.mln(now)
        ),
        (Lang::En, Some(n)) => format!(
            "This rests on an assumed provider response ({list}): with providers behaving as today, the mean result \
             against {} is {} instead of {}.",
            against.unwrap_or("the baseline"),
            result(n, lang),
            result(now, lang)
        ),
        (Lang::Nl, Some(n)) => format!(
            "Dit rust op een aangenomen reactie van aanbieders ({list}): als aanbieders zich gedragen als nu, is de \
             gemiddelde uitkomst ten opzichte van {} {} in plaats van {}.",
            against.unwrap_or("de basis"),
            result(n, lang),
            result(now, lang)
        ),
        (Lang::En, None) => format!(
            "This rests on an assumed provider response to the contract ({list}); the probability above is \
             conditional on it."
        ),
        (Lang::Nl, None) => format!(
            "Dit rust op een aangenomen reactie van aanbieders op het contract ({list}); de kans hierboven geldt \
             alleen als die aanname klopt."
        ),
    })
}

/// A mean result against a reference as words with its sign: "a saving of EUR 3.1 mln" or
/// "an extra cost of EUR 3.1 mln".
fn result(saving: f64, lang: Lang) -> String {
    match (lang, saving >= 0.0) {
        (Lang::En, true) => format!("a saving of {}", lang.mln(saving)),
        (Lang::En, false) => format!("an extra cost of {}", lang.mln(-saving)),
        (Lang::Nl, true) => format!("een besparing van {}", lang.mln(saving)),
        (Lang::Nl, false) => format!("meerkosten van {}", lang.mln(-saving)),
    }
}

/// What must be believed for the saving: for each key input of the strategy
/// (`break_even_inputs.csv`), the value at which the mean saving against the baseline
/// crosses zero, or that it keeps its sign over the whole range searched.
fn what_we_must_believe(d: &ReportData, k: usize, lang: Lang) -> Vec<String> {
    let mean = d.horizon(k, Horizon::NpvSavingVsBaseline).mean;
    // The inputs whose search never crosses zero, grouped by the range searched (0: a
    // behaviour factor, 1: an effect or reach, 2: another input), so that one sentence names
    // them all instead of one sentence each.
    let mut stays: [Vec<(&str, String)>; 3] = Default::default();
    let mut out = Vec::new();
    for b in d.break_even.iter().filter(|b| b.strategy == k) {
        let (input, assumed) = (b.input.as_str(), lang.num(b.assumed, 3));
        // A behaviour factor's neutral value is 1 (providers behave as today); an effect's
        // or a reach's is 0. Other inputs (an efficiency, a cost) have no neutral value, so
        // their break-even is not given as a part of the assumed value.
        let factor = input.ends_with("_factor");
        let effect = input.ends_with(".effect") || input.ends_with(".reach");
        if !b.break_even.is_finite() {
            stays[if factor {
                0
            } else if effect {
                1
            } else {
                2
            }]
            .push((input, assumed));
            continue;
        }
        let part = if factor { (b.break_even - 1.0) / (b.assumed - 1.0) } else { b.ratio };
        let of = match (lang, factor, effect) {
            (Lang::En, true, _) => format!(" ({} of the assumed provider response)", lang.pct(part)),
            (Lang::En, false, true) => format!(" ({} of it)", lang.pct(part)),
            (Lang::Nl, true, _) => format!(" ({} van de aangenomen reactie van aanbieders)", lang.pct(part)),
            (Lang::Nl, false, true) => format!(" ({} daarvan)", lang.pct(part)),
            (_, false, false) => String::new(),
        };
        let at = lang.num(b.break_even, 3);
        out.push(match (lang, mean >= 0.0) {
            (Lang::En, true) => format!(
                "The mean saving falls to zero when `{input}` is {at} instead of the assumed {assumed}{of}, on the \
                 same futures."
            ),
            (Lang::En, false) => format!(
                "The mean extra cost falls to zero when `{input}` is {at} instead of the assumed {assumed}{of}, on \
                 the same futures."
            ),
            (Lang::Nl, true) => format!(
                "De gemiddelde besparing wordt nul als `{input}` {at} is in plaats van de aangenomen {assumed}{of}, \
                 in dezelfde toekomsten."
            ),
            (Lang::Nl, false) => format!(
                "De gemiddelde meerkosten worden nul als `{input}` {at} is in plaats van de aangenomen \
                 {assumed}{of}, in dezelfde toekomsten."
            ),
        });
    }
    for (kind, inputs) in stays.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
        let range = match (lang, kind) {
            (Lang::En, 0) => ", from providers behaving as today to twice the assumed response",
            (Lang::En, 1) => ", from no effect to twice the assumed one",
            (Lang::Nl, 0) => ", van aanbieders die zich gedragen als nu tot twee keer de aangenomen reactie",
            (Lang::Nl, 1) => ", van geen effect tot twee keer het aangenomen effect",
            _ => "",
        };
        let (assumed_word, and) = (lang.t("assumed", "aangenomen"), lang.t("and", "en"));
        let items: Vec<String> = inputs.iter().map(|(i, a)| format!("`{i}` ({assumed_word} {a})")).collect();
        let list = match items.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} {and} {last}", rest.join(", ")),
            None => unreachable!("filtered on non-empty"),
        };
        let each = match (lang, inputs.len() > 1) {
            (_, false) => "",
            (Lang::En, true) => ", each searched alone",
            (Lang::Nl, true) => ", elk afzonderlijk",
        };
        out.push(match (lang, mean >= 0.0) {
            (Lang::En, true) => {
                format!("The mean saving stays a saving for every value searched of {list}{each}{range}.")
            }
            (Lang::En, false) => {
                format!("The mean extra cost stays an extra cost for every value searched of {list}{each}{range}.")
            }
            (Lang::Nl, true) => {
                format!(
                    "De gemiddelde besparing blijft een besparing bij elke onderzochte waarde van {list}{each}{range}."
                )
            }
            (Lang::Nl, false) => format!(
                "De gemiddelde meerkosten blijven meerkosten bij elke onderzochte waarde van {list}{each}{range}."
            ),
        });
    }
    out
}

/// How often at least one provider runs out of reserves, against the reference, when the
/// two differ by more than the Monte Carlo error.
fn continuity_sentence(d: &ReportData, k: usize, reference: usize, lang: Lang) -> Option<String> {
    if d.meta.runs < 2 {
        return None;
    }
    let (p, q) = (d.horizon(k, Horizon::PProviderFailure), d.horizon(reference, Horizon::PProviderFailure));
    let se = (p.mcse.powi(2) + q.mcse.powi(2)).sqrt();
    let end = d.meta.end_year();
    let same_contracts = {
        let contracts = |j: usize| d.meta.strategy_details.get(j).map(|s| &s.contracts);
        contracts(k) == contracts(reference)
    };
    let (name, reference) = (d.label(k, lang), d.label(reference, lang));
    if (p.mean - q.mean).abs() <= 2.0 * se.max(1e-12) {
        // The difference is within the Monte Carlo error: said when providers fail at all
        // and the two strategies buy under different contracts, since a question may ask
        // what a contract does to them (with the same contracts it is no news).
        if p.mean.max(q.mean) <= 0.0 || same_contracts {
            return None;
        }
        let (p, q) = (share(p.mean, lang), share(q.mean, lang));
        return Some(match lang {
            Lang::En => format!(
                "At least one provider runs out of reserves by {end} about as often under {name} as under \
                 {reference} ({p} against {q} of futures; the difference is within twice its Monte Carlo error)."
            ),
            Lang::Nl => format!(
                "T/m {end} raakt bij {name} ongeveer even vaak minstens één aanbieder door zijn reserves heen als bij \
                 {reference} ({p} tegen {q} van de toekomsten; het verschil valt binnen tweemaal de \
                 Monte-Carlofout)."
            ),
        });
    }
    let (p, q) = (share(p.mean, lang), share(q.mean, lang));
    Some(match lang {
        Lang::En => format!(
            "Under {name}, at least one provider runs out of reserves by {end} in {p} of futures, against {q} under \
             {reference}."
        ),
        Lang::Nl => format!(
            "Bij {name} raakt t/m {end} minstens één aanbieder door zijn reserves heen in {p} van de toekomsten, \
             tegen {q} bij {reference}."
        ),
    })
}

/// For an investor-financed strategy, the investor's side of the deal, as a clause of the
/// saving's sentence: the mean multiple and the share of futures in which it loses money.
fn investor_clause(d: &ReportData, k: usize, lang: Lang) -> Option<String> {
    let multiple = d.horizon(k, Horizon::InvestorMultiple).mean;
    if !multiple.is_finite() || d.meta.runs < 2 {
        return None;
    }
    let loses = share(d.horizon(k, Horizon::PInvestorLoss).mean, lang);
    let m = lang.num(multiple, 2);
    Some(match lang {
        Lang::En => format!(
            ", while the investor gets back {m} times its outlay on average (mean multiple) and loses money in \
             {loses} of futures: what the investor loses is part of the municipality's saving, so it lasts only as \
             long as an investor accepts such a deal."
        ),
        Lang::Nl => format!(
            ", terwijl de investeerder gemiddeld {m} keer zijn inleg terugkrijgt (gemiddelde multiple) en in {loses} \
             van de toekomsten geld verliest: wat de investeerder verliest, is een deel van de besparing van de \
             gemeente, die dus alleen standhoudt zolang een investeerder zo'n afspraak aangaat."
        ),
    })
}

/// Waiting lists as they are: the mean list and its band in the last year, the share of
/// futures whose average wait exceeds the norm, and the drop-outs and escalations.
fn waiting_sentence(d: &ReportData, k: usize, lang: Lang) -> Option<String> {
    let list = d.yearly_or_empty(k, Yearly::Waiting);
    if !list.iter().any(|s| s.mean > 0.0) {
        return None;
    }
    let last = list.last()?;
    let end = d.meta.end_year();
    let per_year = |m: Yearly| {
        let s = d.yearly_or_empty(k, m);
        s.iter().map(|x| x.mean).sum::<f64>() / s.len().max(1) as f64
    };
    let (dropouts, escalations) = (per_year(Yearly::DropoutsFromWaiting), per_year(Yearly::EscalationsFromWaiting));
    let over = d.horizon(k, Horizon::ShareWaitedOverNorm).mean;
    let (mean, p5, p95) = (lang.num(last.mean, 0), lang.num(last.p5(), 0), lang.num(last.p95(), 0));
    let name = d.label(k, lang);
    Some(match lang {
        Lang::En => format!(
            "Under {name}, {mean} children are on the waiting lists at the end of {end} on average (mean; in 9 of 10 \
             futures between {p5} and {p95}); {} of admissions wait longer than the norm, and each year on average \
             {} children drop out while waiting and {} escalate to heavier care. Care that is not given is not paid \
             for.",
            share(over, lang),
            lang.num(dropouts, 0),
            lang.num(escalations, 0)
        ),
        Lang::Nl => format!(
            "Bij {name} staan eind {end} gemiddeld {mean} kinderen op de wachtlijst (gemiddelde; in 9 van de 10 \
             toekomsten tussen {p5} en {p95}); {} van de instromers wacht langer dan de norm, en per jaar haken \
             gemiddeld {} kinderen af tijdens het wachten en stromen er {} door naar zwaardere jeugdhulp. Zorg die \
             niet wordt gegeven, wordt ook niet betaald.",
            share(over, lang),
            lang.num(dropouts, 0),
            lang.num(escalations, 0)
        ),
    })
}

/// The societal answer: the mean societal net (municipal saving plus benefits elsewhere)
/// of each strategy against the reference.
fn societal(d: &ReportData, ks: &[usize], reference: usize, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for &k in ks {
        let net = d.horizon(k, Horizon::NpvSocietalNet);
        let benefit = d.horizon(k, Horizon::NpvSocietalBenefit);
        let ref_net = d.horizon(reference, Horizon::NpvSocietalNet).mean;
        let ref_benefit = d.horizon(reference, Horizon::NpvSocietalBenefit).mean;
        let (net, benefit) = (net.mean - ref_net.max(f64::MIN), benefit.mean - ref_benefit);
        let municipal = Comparison::of(d, k, reference).mean;
        let name = d.label(k, lang);
        let (start, end) = (d.meta.start_year, d.meta.end_year());
        // What the net holds besides the two: the costs other parties carry (partners' share
        // of the programme), so that the parts named add up to the net.
        let others = net - municipal - benefit;
        // Who the other parties are: the partners paying a share of a programme, and an
        // investor where the strategy has one.
        let investor = d.horizon(k, Horizon::InvestorMultiple).mean.is_finite();
        let who = match (lang, investor) {
            (Lang::En, true) => "partners' share of the programme and the investor's net result",
            (Lang::En, false) => "partners' share of the programme",
            (Lang::Nl, true) => "aandeel partners in het programma en het nettoresultaat van de investeerder",
            (Lang::Nl, false) => "aandeel partners in het programma",
        };
        let rest = match (lang, others.abs() >= 0.05e6, others < 0.0) {
            (_, false, _) => String::new(),
            (Lang::En, true, true) => format!(", and a cost of {} carried by other parties ({who})", lang.mln(-others)),
            (Lang::En, true, false) => format!(", and {} gained by other parties ({who})", lang.mln(others)),
            (Lang::Nl, true, true) => {
                format!(", en kosten van {} voor rekening van andere partijen ({who})", lang.mln(-others))
            }
            (Lang::Nl, true, false) => format!(", en {} opbrengst voor andere partijen ({who})", lang.mln(others)),
        };
        let elsewhere = match (lang, benefit >= 0.0) {
            (Lang::En, true) => format!("{} of benefits elsewhere", lang.mln(benefit)),
            (Lang::En, false) => format!("{} of losses elsewhere", lang.mln(-benefit)),
            (Lang::Nl, true) => format!("{} aan baten elders", lang.mln(benefit)),
            (Lang::Nl, false) => format!("{} aan verliezen elders", lang.mln(-benefit)),
        };
        let budget = result(municipal, lang);
        // The band is that of the net against the baseline, so only when that is the reference.
        let band = if reference == d.baseline() {
            let s = d.horizon(k, Horizon::NpvSocietalNet);
            match lang {
                Lang::En => format!(
                    " In 9 of 10 simulated futures the net for society lies between {} and {}.",
                    lang.mln(s.p5()),
                    lang.mln(s.p95())
                ),
                Lang::Nl => format!(
                    " In 9 van de 10 gesimuleerde toekomsten ligt het maatschappelijk saldo tussen {} en {}.",
                    lang.mln(s.p5()),
                    lang.mln(s.p95())
                ),
            }
        } else {
            String::new()
        };
        out.push(match (lang, net >= 0.0) {
            (Lang::En, true) => format!(
                "For society as a whole, {name} brings on average {} over {start}–{end} (mean, present value): \
                 {budget} in the municipality's youth-care budget, {elsewhere}{rest}.{band}",
                lang.mln(net)
            ),
            (Lang::En, false) => format!(
                "For society as a whole, {name} costs on average {} over {start}–{end} (mean, present value): \
                 {budget} in the municipality's youth-care budget, {elsewhere}{rest}.{band}",
                lang.mln(-net)
            ),
            (Lang::Nl, true) => format!(
                "Voor de samenleving als geheel levert {name} over {start} t/m {end} gemiddeld {} op (contante \
                 waarde): {budget} in de begroting jeugdhulp van de gemeente, {elsewhere}{rest}.{band}",
                lang.mln(net)
            ),
            (Lang::Nl, false) => format!(
                "Voor de samenleving als geheel kost {name} over {start} t/m {end} gemiddeld {} (contante waarde): \
                 {budget} in de begroting jeugdhulp van de gemeente, {elsewhere}{rest}.{band}",
                lang.mln(-net)
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rounding_rule_for_shares_and_chances() {
        // 0.9998 is neither "100%" nor "10 of 10", in either form.
        assert_eq!(share(0.9998, Lang::En), "more than 99%");
        assert_eq!(chance(0.9998, Lang::En), "more than 99 of 100");
        assert_eq!(share(0.0002, Lang::Nl), "minder dan 1%");
        assert_eq!(chance(0.0002, Lang::Nl), "minder dan 1 van de 100");
        assert_eq!(chance(0.97, Lang::En), "97 of 100");
        assert_eq!(share(0.97, Lang::En), "97%");
        assert_eq!(chance(0.83, Lang::En), "8 of 10");
        assert_eq!(chance(1.0, Lang::En), "10 of 10");
        assert_eq!(share(1.0, Lang::En), "100%");
        assert_eq!(chance(0.0, Lang::Nl), "0 van de 10");
        assert_eq!(share(0.994, Lang::En), "99%");
    }

    #[test]
    fn mcse_shows_two_significant_digits() {
        assert_eq!(with_mcse(5_712_345.0, 112_000.0, Lang::En), "EUR 5.71 mln ± 0.11");
        assert_eq!(with_mcse(181_234_567.0, 950_000.0, Lang::En), "EUR 181.23 mln ± 0.95");
        assert_eq!(with_mcse(5_712_345.0, 1_260_000.0, Lang::Nl), "€ 5,7 mln ± 1,3");
        assert_eq!(with_mcse(1_000.0, 40.0, Lang::En), "EUR 0.001000 mln ± 0.000040");
        assert_eq!(mcse_decimals(0.011), 3);
        assert_eq!(mcse_decimals(0.0099), 4);
    }
}
