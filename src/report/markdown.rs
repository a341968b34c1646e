//! `summary.md` and `summary_nl.md`: one page in plain language for an alderman (the
//! question, the answer in three sentences with numbers and their certainty, the risks,
//! the key assumptions, the charts), followed by the headline tables for a finance
//! officer. Every number comes from [`Headline`] or the statistics; none is typed in.

use std::fmt::Write;

use super::charts::ChartKind;
use super::data::ReportData;
use super::headline::{BestFacts, BudgetRisk, Headline, ProviderRisk};
use super::lang::Lang;
use super::tables;
use super::{OutputError, Report};
use crate::metrics::Horizon;

/// `summary.md` (English) and `summary_nl.md` (Dutch).
pub(crate) struct SummaryMarkdown;

impl Report for SummaryMarkdown {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let hl = Headline::of(d);
        Ok(Lang::ALL.iter().map(|&l| (format!("summary{}.md", l.suffix()), summary(d, &hl, l).into_bytes())).collect())
    }
}

/// The whole Markdown file in a language.
pub fn summary(d: &ReportData, hl: &Headline, lang: Lang) -> String {
    let m = &d.meta;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", m.scenario_name);
    let _ = writeln!(md, "*{}*\n", intro(d, lang));
    let _ = writeln!(md, "## {}\n", lang.t("The question", "De vraag"));
    for p in question(d, lang) {
        let _ = writeln!(md, "{p}\n");
    }
    let _ = writeln!(md, "## {}\n", lang.t("The answer", "Het antwoord"));
    for (i, s) in answer(d, hl, lang).iter().enumerate() {
        let _ = writeln!(md, "{}. {s}", i + 1);
    }
    let _ = writeln!(md, "\n## {}\n", lang.t("The risks", "De risico's"));
    for s in risks(d, hl, lang) {
        let _ = writeln!(md, "- {s}");
    }
    let _ = writeln!(md, "\n## {}\n", lang.t("Key assumptions", "Belangrijkste aannames"));
    for s in assumptions(d, hl, lang) {
        if s.starts_with("  - ") {
            let _ = writeln!(md, "{s}");
        } else {
            let _ = writeln!(md, "- {s}");
        }
    }
    let _ = writeln!(md, "\n## {}\n", lang.t("Charts", "Grafieken"));
    let _ = writeln!(
        md,
        "{}\n",
        lang.t(
            "Each chart is in this folder as PNG (for slides) and SVG (for print); `report.html` shows them all.",
            "Elke grafiek staat in deze map als PNG (voor presentaties) en SVG (voor drukwerk); `report.html` toont ze allemaal."
        )
    );
    for k in ChartKind::ALL.into_iter().filter(|k| k.applies(d)) {
        let _ = writeln!(md, "- `{}`: {}", k.file(lang, "png"), k.title(lang));
    }
    let _ = writeln!(md, "\n## {}\n", lang.t("Tables for the finance officer", "Tabellen voor de financieel adviseur"));
    md.push_str(&tables(d, lang));
    md
}

/// The line under the title: runs, years, seed, money basis.
pub(crate) fn intro(d: &ReportData, lang: Lang) -> String {
    let m = &d.meta;
    match lang {
        Lang::En => format!(
            "A one-page summary for the council. {} simulated futures of {}–{} (seed {}). Yearly amounts are in \
             prices of each year; totals over the period are in today's money (discounted at {}% a year).",
            lang.num(m.runs as f64, 0),
            m.start_year,
            m.end_year(),
            m.seed,
            lang.num(m.discount_rate * 100.0, 2)
        ),
        Lang::Nl => format!(
            "Samenvatting op één pagina voor de raad. {} gesimuleerde toekomsten van {} tot en met {} (seed {}). \
             Jaarbedragen in prijzen van dat jaar; totalen over de periode in euro's van nu (contant gemaakt met {}% \
             per jaar).",
            lang.num(m.runs as f64, 0),
            m.start_year,
            m.end_year(),
            m.seed,
            lang.num(m.discount_rate * 100.0, 2)
        ),
    }
}

/// The question, in one or two paragraphs.
pub(crate) fn question(d: &ReportData, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let base = d.name(d.baseline());
    let others: Vec<&str> = (0..d.strategies()).filter(|&k| k != d.baseline()).map(|k| d.name(k)).collect();
    let mut out = vec![match lang {
        Lang::En => format!(
            "What will youth care cost the municipality from {} to {} if it buys care differently or invests in \
             prevention, compared with {base}? Compared: {}.",
            m.start_year,
            m.end_year(),
            others.join("; ")
        ),
        Lang::Nl => format!(
            "Wat kost de jeugdzorg de gemeente van {} tot en met {} als zij de zorg anders inkoopt of investeert in \
             preventie, vergeleken met {base}? Vergeleken: {}.",
            m.start_year,
            m.end_year(),
            others.join("; ")
        ),
    }];
    if lang == Lang::En && !m.scenario_description.is_empty() {
        out.push(m.scenario_description.clone());
    }
    out
}

/// A probability as "8 of 10" / "8 van de 10"; as "99 of 100" when rounding to tenths
/// would turn a near-certainty into a certainty (or a small chance into none).
pub fn chance(p: f64, lang: Lang) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    let ten = (p * 10.0).round();
    let (n, of) = if (ten >= 10.0 && p < 1.0) || (ten <= 0.0 && p > 0.0) {
        ((p * 100.0).round().clamp(1.0, 99.0), 100)
    } else {
        (ten, 10)
    };
    match lang {
        Lang::En => format!("{n:.0} of {of}"),
        Lang::Nl => format!("{n:.0} van de {of}"),
    }
}

/// The answer in three sentences: how sure the best alternative is to save, how much it
/// saves, and when it pays back; then, for each cheaper alternative that keeps more
/// children waiting, a sentence that says so.
pub fn answer(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
    let Some(b) = &hl.best else {
        return vec![nothing_to_compare(d, hl, lang)];
    };
    let mut out = vec![how_sure(d, hl, b, lang), how_much(d, hl, b, lang), when_it_pays_back(d, b, lang)];
    out.extend(hl.cheaper_but_waiting.iter().map(|w| cheaper_but_waiting(d, hl, w, lang)));
    out
}

/// The answer when the scenario has the baseline only.
fn nothing_to_compare(d: &ReportData, hl: &Headline, lang: Lang) -> String {
    let base = d.name(hl.baseline);
    match lang {
        Lang::En => format!("The scenario has only one strategy, {base}: there is nothing to compare."),
        Lang::Nl => format!("Het scenario heeft maar één strategie, {base}: er valt niets te vergelijken."),
    }
}

/// The first sentence: in how many futures the best alternative costs less than the
/// baseline (or, when none is expected to, how close the closest comes).
fn how_sure(d: &ReportData, hl: &Headline, b: &BestFacts, lang: Lang) -> String {
    let (start, end) = (d.meta.start_year, d.meta.end_year());
    let (base, best) = (d.name(hl.baseline), d.name(b.strategy));
    let how_many = chance(b.p_cheaper, lang);
    match (lang, b.saves()) {
        (Lang::En, true) => {
            format!(
                "In {how_many} simulated futures, {best} costs the municipality less than {base} over {start}–{end}."
            )
        }
        (Lang::En, false) => format!(
            "No alternative is expected to cost less than {base} over {start}–{end}: the closest, {best}, is \
             cheaper in {how_many} simulated futures."
        ),
        (Lang::Nl, true) => format!(
            "In {how_many} gesimuleerde toekomsten kost {best} de gemeente minder dan {base} in de periode {start}–{end}."
        ),
        (Lang::Nl, false) => format!(
            "Geen alternatief kost naar verwachting minder dan {base} in de periode {start}–{end}: het beste, {best}, \
             is goedkoper in {how_many} gesimuleerde toekomsten."
        ),
    }
}

/// The second sentence: the median saving (or extra cost) in today's money, its share of
/// the baseline's cost, and its 90% band.
fn how_much(d: &ReportData, hl: &Headline, b: &BestFacts, lang: Lang) -> String {
    let base = d.name(hl.baseline);
    let s = &b.saving;
    let share = lang.num(s.p50() / hl.baseline_npv.p50() * 100.0, 1);
    let (median, low, high, base_npv) =
        (lang.mln(s.p50()), lang.mln(s.p5()), lang.mln(s.p95()), lang.mln(hl.baseline_npv.p50()));
    match (lang, b.saves()) {
        (Lang::En, true) => format!(
            "The median saving is {median} in today's money, {share}% of the {base_npv} that {base} costs over the \
             period; in 9 of 10 futures the saving lies between {low} and {high}."
        ),
        (Lang::En, false) => format!(
            "The median difference is {median} in today's money (negative means extra cost); in 9 of 10 futures it \
             lies between {low} and {high}."
        ),
        (Lang::Nl, true) => format!(
            "De besparing is in de middelste toekomst (mediaan) {median} in euro's van nu, {share}% van de {base_npv} \
             die {base} over de periode kost; in 9 van de 10 toekomsten ligt zij tussen {low} en {high}."
        ),
        (Lang::Nl, false) => format!(
            "Het verschil is in de middelste toekomst (mediaan) {median} in euro's van nu (negatief: meerkosten); in 9 \
             van de 10 toekomsten ligt het tussen {low} en {high}."
        ),
    }
}

/// The third sentence: when the best alternative has paid for itself, and how often it
/// is the cheapest of all, about ten years in and over the whole horizon.
fn when_it_pays_back(d: &ReportData, b: &BestFacts, lang: Lang) -> String {
    let end = d.meta.end_year();
    let n = d.strategies();
    let (mid_year, mid_p) = b.mid;
    let payback = payback(b, end, lang);
    let (mid, whole) = (chance(mid_p, lang), chance(b.p_cheapest, lang));
    match lang {
        Lang::En => format!(
            "{payback}; counting spend up to {mid_year}, it is the cheapest of all {n} strategies in {mid} futures, \
             and up to {end} in {whole}."
        ),
        Lang::Nl => format!(
            "{payback}; met de uitgaven tot en met {mid_year} is het in {mid} toekomsten de goedkoopste van alle {n} \
             strategieën, tot en met {end} in {whole}."
        ),
    }
}

/// The break-even year in half of the futures, or that more than half do not break even.
fn payback(b: &BestFacts, end: i32, lang: Lang) -> String {
    let (year, share) = (lang.year(b.break_even_year), lang.pct(b.p_break_even));
    match (lang, b.break_even_year.is_finite()) {
        (Lang::En, true) => {
            format!("It has paid for itself by {year} in half of the futures ({share} of futures break even by {end})")
        }
        (Lang::En, false) => {
            format!("In more than half of the futures it has not paid for itself by {end} ({share} do)")
        }
        (Lang::Nl, true) => format!(
            "In de helft van de toekomsten is het in {year} terugverdiend ({share} van de toekomsten vóór eind {end})"
        ),
        (Lang::Nl, false) => {
            format!("In meer dan de helft van de toekomsten is het eind {end} niet terugverdiend ({share} wel)")
        }
    }
}

/// "Cheaper, but N children wait on average W weeks longer": a saving that hides a
/// waiting list, said next to it.
pub fn cheaper_but_waiting(
    d: &ReportData,
    hl: &super::headline::Headline,
    w: &super::headline::WaitingFacts,
    lang: Lang,
) -> String {
    let (name, base) = (d.name(w.strategy), d.name(hl.baseline));
    match lang {
        Lang::En => format!(
            "{name} is cheaper (a mean saving of {} in today's money), but {} children wait on average {} weeks \
             longer than under {base}: on average {} children are on its waiting lists, and {} of its admissions \
             wait longer than the norm. Care that is not given is not paid for.",
            lang.mln(w.saving),
            lang.num(w.extra_waiting, 0),
            lang.num(w.extra_weeks, 1),
            lang.num(w.waiting, 0),
            lang.pct(w.over_norm)
        ),
        Lang::Nl => format!(
            "{name} is goedkoper (gemiddeld {} besparing in euro's van nu), maar {} kinderen wachten gemiddeld {} \
             weken langer dan bij {base}: er staan gemiddeld {} kinderen op de wachtlijsten, en {} van de \
             opnames wacht langer dan de norm. Zorg die niet wordt gegeven, wordt ook niet betaald.",
            lang.mln(w.saving),
            lang.num(w.extra_waiting, 0),
            lang.num(w.extra_weeks, 1),
            lang.num(w.waiting, 0),
            lang.pct(w.over_norm)
        ),
    }
}

/// The risks: the budget line, providers' results, provider failures, the costliest
/// alternative.
pub(crate) fn risks(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = hl.budget.iter().map(|b| budget_risk(d, hl, b, lang)).collect();
    out.extend(hl.providers.iter().map(|p| providers_result(d, p, lang)));
    out.push(provider_failures(d, hl, lang));
    out.extend(costliest_choice(d, hl, lang));
    out
}

/// How often spend exceeds the budget line under the baseline, in the first and the last
/// year, and under the best alternative in the last year.
fn budget_risk(d: &ReportData, hl: &Headline, b: &BudgetRisk, lang: Lang) -> String {
    let (start, end) = (d.meta.start_year, d.meta.end_year());
    let base = d.name(hl.baseline);
    let growth = lang.num(d.meta.budget_growth * 100.0, 1);
    let (budget, p0, pt) =
        (lang.mln(b.first_year_budget), lang.pct(b.baseline_first_last.0), lang.pct(b.baseline_first_last.1));
    let mut s = match lang {
        Lang::En => format!(
            "Budget: under {base}, spend exceeds the budget line ({budget} in {start}, growing {growth}% a year) in \
             {p0} of futures in {start} and in {pt} in {end}"
        ),
        Lang::Nl => format!(
            "Begroting: met {base} komen de uitgaven boven de begroting ({budget} in {start}, groei {growth}% per \
             jaar) in {p0} van de toekomsten in {start} en in {pt} in {end}"
        ),
    };
    if let (Some(best), Some(p)) = (&hl.best, b.best_last) {
        let _ = write!(s, "; {} {} in {} in {end}", lang.t("under", "met"), d.name(best.strategy), lang.pct(p));
    }
    s + "."
}

/// Providers' combined yearly result under a strategy: the median in the last year, the
/// worst 5th percentile and in how many years that is a loss.
fn providers_result(d: &ReportData, p: &ProviderRisk, lang: Lang) -> String {
    let (end, years) = (d.meta.end_year(), d.meta.horizon_years);
    let name = d.name(p.strategy);
    let (median, (worst, worst_year), losses) = (lang.mln(p.median_last), p.worst_p5, p.loss_years);
    let worst = lang.mln(worst);
    match lang {
        Lang::En => format!(
            "Providers under {name}: their combined yearly result is {median} in {end} (median); in the worst 5% of \
             futures it falls to {worst} (in {worst_year}), and it is a loss in the worst 5% of futures in {losses} of \
             {years} years."
        ),
        Lang::Nl => format!(
            "Aanbieders bij {name}: hun gezamenlijke jaarresultaat is {median} in {end} (mediaan); in de slechtste 5% \
             van de toekomsten zakt het tot {worst} (in {worst_year}), en in {losses} van de {years} jaren is het in de \
             slechtste 5% een verlies."
        ),
    }
}

/// How often at least one provider runs out of reserves, under the baseline and under
/// the best alternative, and what a failure costs the municipality.
fn provider_failures(d: &ReportData, hl: &Headline, lang: Lang) -> String {
    let end = d.meta.end_year();
    let base = d.name(hl.baseline);
    let failure = |k: usize| lang.pct(d.horizon(k, Horizon::PProviderFailure).mean);
    let base_failure = failure(hl.baseline);
    let best = hl.best.as_ref().map(|b| b.strategy).filter(|&k| k != hl.baseline);
    match (lang, best) {
        (Lang::En, Some(b)) => format!(
            "Provider failures: under {base}, at least one provider runs out of reserves before {end} in \
             {base_failure} of futures; under {}, in {}. A failure costs the municipality a transition payment and \
             higher prices for the moved clients.",
            d.name(b),
            failure(b)
        ),
        (Lang::En, None) => format!(
            "Provider failures: under {base}, at least one provider runs out of reserves before {end} in \
             {base_failure} of futures."
        ),
        (Lang::Nl, Some(b)) => format!(
            "Faillissementen: met {base} raakt vóór {end} minstens één aanbieder door zijn reserves heen in \
             {base_failure} van de toekomsten; met {} in {}. Een faillissement kost de gemeente transitiekosten en \
             hogere prijzen voor de overgeplaatste cliënten.",
            d.name(b),
            failure(b)
        ),
        (Lang::Nl, None) => format!(
            "Faillissementen: met {base} raakt vóór {end} minstens één aanbieder door zijn reserves heen in \
             {base_failure} van de toekomsten."
        ),
    }
}

/// The costliest alternative, when in the median future it costs more than the baseline.
fn costliest_choice(d: &ReportData, hl: &Headline, lang: Lang) -> Option<String> {
    let (k, s) = hl.worst.as_ref().filter(|(_, s)| s.p50() < 0.0)?;
    let (base, name, extra) = (d.name(hl.baseline), d.name(*k), lang.mln(-s.p50()));
    Some(match lang {
        Lang::En => {
            format!(
                "The costliest choice is {name}: in the median future it costs {extra} more than {base} in today's money."
            )
        }
        Lang::Nl => {
            format!(
                "De duurste keuze is {name}: in de middelste toekomst kost die {extra} meer dan {base}, in euro's van nu."
            )
        }
    })
}

/// The key assumptions: the uncertain inputs that drive the answer, and the basis.
pub fn assumptions(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let mut out = Vec::new();
    if let Some(b) = &hl.best
        && !hl.drivers.is_empty()
    {
        let best = d.name(b.strategy);
        out.push(match lang {
            Lang::En => format!("The saving of {best} depends most on these uncertain inputs:"),
            Lang::Nl => format!("De besparing van {best} hangt het meest af van deze onzekere invoer:"),
        });
        for dr in &hl.drivers {
            let dir = match (lang, dr.correlation > 0.0) {
                (Lang::En, true) => "higher values raise the saving",
                (Lang::En, false) => "higher values lower the saving",
                (Lang::Nl, true) => "hogere waarden verhogen de besparing",
                (Lang::Nl, false) => "hogere waarden verlagen de besparing",
            };
            out.push(format!(
                "  - `{}`: {} ({} {}; {dir})",
                dr.path,
                dr.distribution,
                lang.t("correlation", "correlatie"),
                lang.num(dr.correlation, 2)
            ));
        }
    }
    let uncertain = m.inputs.iter().filter(|i| i.uncertain).count();
    out.push(match lang {
        Lang::En => format!(
            "{uncertain} of the scenario's {} inputs are uncertain and drawn anew in every simulated future; \
             `report.html` and `results.xlsx` (sheet inputs) list them all with their distributions.",
            m.inputs.len()
        ),
        Lang::Nl => format!(
            "{uncertain} van de {} invoerwaarden van het scenario zijn onzeker en worden in elke gesimuleerde \
             toekomst opnieuw getrokken; `report.html` en `results.xlsx` (blad inputs) geven ze allemaal met hun \
             verdeling.",
            m.inputs.len()
        ),
    });
    out.push(match lang {
        Lang::En => format!(
            "Totals are discounted at {}% a year (nominal); yearly amounts are nominal euros.",
            lang.num(m.discount_rate * 100.0, 2)
        ),
        Lang::Nl => format!(
            "Totalen zijn contant gemaakt met {}% per jaar (nominaal); jaarbedragen zijn nominale euro's.",
            lang.num(m.discount_rate * 100.0, 2)
        ),
    });
    out
}

/// The finance officer's headline tables in Markdown.
pub fn tables(d: &ReportData, lang: Lang) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "{}\n",
        tables::lead(d, lang).replace(d.name(d.baseline()), &format!("**{}**", d.name(d.baseline())))
    );
    for t in tables::headline_tables(d, lang) {
        let _ = writeln!(md, "### {}\n", t.title);
        let _ = writeln!(md, "| {} |", t.header.join(" | "));
        let _ = writeln!(md, "|{}", " --- |".repeat(t.header.len()));
        for row in &t.rows {
            let _ = writeln!(md, "| {} |", row.join(" | "));
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "### {}\n", lang.t("Notes", "Toelichting"));
    for n in tables::notes(d, lang) {
        let _ = writeln!(md, "- {n}");
    }
    md
}
