//! `summary.md` and `summary_nl.md`: one page in plain language for an alderman (the
//! question, the answer in three sentences with numbers and their certainty, the risks,
//! the key assumptions, the charts), followed by the headline tables for a finance
//! officer. Every number comes from [`Headline`] or the statistics; none is typed in.

use std::fmt::Write;

use super::charts::ChartKind;
use super::data::ReportData;
use super::headline::Headline;
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

/// The answer in three sentences.
pub fn answer(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let (start, end) = (m.start_year, m.end_year());
    let base = d.name(hl.baseline);
    let Some(b) = &hl.best else {
        return vec![match lang {
            Lang::En => format!("The scenario has only one strategy, {base}: there is nothing to compare."),
            Lang::Nl => format!("Het scenario heeft maar één strategie, {base}: er valt niets te vergelijken."),
        }];
    };
    let best = d.name(b.strategy);
    let n = d.strategies();
    let s = &b.saving;
    let share = s.p50() / hl.baseline_npv.p50() * 100.0;
    let first = match (lang, b.saves()) {
        (Lang::En, true) => format!(
            "In {} simulated futures, {best} costs the municipality less than {base} over {start}–{end}.",
            chance(b.p_cheaper, lang)
        ),
        (Lang::En, false) => format!(
            "No alternative is expected to cost less than {base} over {start}–{end}: the closest, {best}, is \
             cheaper in {} simulated futures.",
            chance(b.p_cheaper, lang)
        ),
        (Lang::Nl, true) => format!(
            "In {} gesimuleerde toekomsten kost {best} de gemeente minder dan {base} in de periode {start}–{end}.",
            chance(b.p_cheaper, lang)
        ),
        (Lang::Nl, false) => format!(
            "Geen alternatief kost naar verwachting minder dan {base} in de periode {start}–{end}: het beste, {best}, \
             is goedkoper in {} gesimuleerde toekomsten.",
            chance(b.p_cheaper, lang)
        ),
    };
    let second = match (lang, b.saves()) {
        (Lang::En, true) => format!(
            "The median saving is {} in today's money, {}% of the {} that {base} costs over the period; in 9 of 10 \
             futures the saving lies between {} and {}.",
            lang.mln(s.p50()),
            lang.num(share, 1),
            lang.mln(hl.baseline_npv.p50()),
            lang.mln(s.p5()),
            lang.mln(s.p95())
        ),
        (Lang::En, false) => format!(
            "The median difference is {} in today's money (negative means extra cost); in 9 of 10 futures it lies \
             between {} and {}.",
            lang.mln(s.p50()),
            lang.mln(s.p5()),
            lang.mln(s.p95())
        ),
        (Lang::Nl, true) => format!(
            "De besparing is in de middelste toekomst (mediaan) {} in euro's van nu, {}% van de {} die {base} over \
             de periode kost; in 9 van de 10 toekomsten ligt zij tussen {} en {}.",
            lang.mln(s.p50()),
            lang.num(share, 1),
            lang.mln(hl.baseline_npv.p50()),
            lang.mln(s.p5()),
            lang.mln(s.p95())
        ),
        (Lang::Nl, false) => format!(
            "Het verschil is in de middelste toekomst (mediaan) {} in euro's van nu (negatief: meerkosten); in 9 van \
             de 10 toekomsten ligt het tussen {} en {}.",
            lang.mln(s.p50()),
            lang.mln(s.p5()),
            lang.mln(s.p95())
        ),
    };
    let (mid_year, mid_p) = b.mid;
    let payback = match (lang, b.break_even_year.is_finite()) {
        (Lang::En, true) => format!(
            "It has paid for itself by {} in half of the futures ({} of futures break even by {end})",
            lang.year(b.break_even_year),
            lang.pct(b.p_break_even)
        ),
        (Lang::En, false) => format!(
            "In more than half of the futures it has not paid for itself by {end} ({} do)",
            lang.pct(b.p_break_even)
        ),
        (Lang::Nl, true) => format!(
            "In de helft van de toekomsten is het in {} terugverdiend ({} van de toekomsten vóór eind {end})",
            lang.year(b.break_even_year),
            lang.pct(b.p_break_even)
        ),
        (Lang::Nl, false) => format!(
            "In meer dan de helft van de toekomsten is het eind {end} niet terugverdiend ({} wel)",
            lang.pct(b.p_break_even)
        ),
    };
    let third = match lang {
        Lang::En => format!(
            "{payback}; counting spend up to {mid_year}, it is the cheapest of all {n} strategies in {} futures, \
             and up to {end} in {}.",
            chance(mid_p, lang),
            chance(b.p_cheapest, lang)
        ),
        Lang::Nl => format!(
            "{payback}; met de uitgaven tot en met {mid_year} is het in {} toekomsten de goedkoopste van alle {n} \
             strategieën, tot en met {end} in {}.",
            chance(mid_p, lang),
            chance(b.p_cheapest, lang)
        ),
    };
    let mut out = vec![first, second, third];
    out.extend(hl.cheaper_but_waiting.iter().map(|w| cheaper_but_waiting(d, hl, w, lang)));
    out
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

/// The risks: budget line, providers' results, the costliest alternative.
pub(crate) fn risks(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let (start, end) = (m.start_year, m.end_year());
    let base = d.name(hl.baseline);
    let mut out = Vec::new();
    if let Some(b) = &hl.budget {
        let growth = lang.num(m.budget_growth * 100.0, 1);
        let best = hl.best.as_ref().map(|x| d.name(x.strategy));
        let (p0, pt) = b.baseline_first_last;
        out.push(match lang {
            Lang::En => {
                let mut s = format!(
                    "Budget: under {base}, spend exceeds the budget line ({} in {start}, growing {growth}% a year) in \
                     {} of futures in {start} and in {} in {end}",
                    lang.mln(b.first_year_budget),
                    lang.pct(p0),
                    lang.pct(pt)
                );
                if let (Some(name), Some(p)) = (best, b.best_last) {
                    let _ = write!(s, "; under {name} in {} in {end}", lang.pct(p));
                }
                s + "."
            }
            Lang::Nl => {
                let mut s = format!(
                    "Begroting: met {base} komen de uitgaven boven de begroting ({} in {start}, groei {growth}% per \
                     jaar) in {} van de toekomsten in {start} en in {} in {end}",
                    lang.mln(b.first_year_budget),
                    lang.pct(p0),
                    lang.pct(pt)
                );
                if let (Some(name), Some(p)) = (best, b.best_last) {
                    let _ = write!(s, "; met {name} in {} in {end}", lang.pct(p));
                }
                s + "."
            }
        });
    }
    for p in &hl.providers {
        let name = d.name(p.strategy);
        out.push(match lang {
            Lang::En => format!(
                "Providers under {name}: their combined yearly result is {} in {end} (median); in the worst 5% of \
                 futures it falls to {} (in {}), and it is a loss in the worst 5% of futures in {} of {} years.",
                lang.mln(p.median_last),
                lang.mln(p.worst_p5.0),
                p.worst_p5.1,
                p.loss_years,
                m.horizon_years
            ),
            Lang::Nl => format!(
                "Aanbieders bij {name}: hun gezamenlijke jaarresultaat is {} in {end} (mediaan); in de slechtste 5% \
                 van de toekomsten zakt het tot {} (in {}), en in {} van de {} jaren is het in de slechtste 5% een \
                 verlies.",
                lang.mln(p.median_last),
                lang.mln(p.worst_p5.0),
                p.worst_p5.1,
                p.loss_years,
                m.horizon_years
            ),
        });
    }
    let failure = |k: usize| d.horizon(k, Horizon::PProviderFailure).mean;
    let best = hl.best.as_ref().map(|b| b.strategy).filter(|&k| k != hl.baseline);
    out.push(match (lang, best) {
        (Lang::En, Some(b)) => format!(
            "Provider failures: under {base}, at least one provider runs out of reserves before {end} in {} of \
             futures; under {}, in {}. A failure costs the municipality a transition payment and higher prices \
             for the moved clients.",
            lang.pct(failure(hl.baseline)),
            d.name(b),
            lang.pct(failure(b))
        ),
        (Lang::En, None) => format!(
            "Provider failures: under {base}, at least one provider runs out of reserves before {end} in {} of futures.",
            lang.pct(failure(hl.baseline))
        ),
        (Lang::Nl, Some(b)) => format!(
            "Faillissementen: met {base} raakt vóór {end} minstens één aanbieder door zijn reserves heen in {} van \
             de toekomsten; met {} in {}. Een faillissement kost de gemeente transitiekosten en hogere prijzen \
             voor de overgeplaatste cliënten.",
            lang.pct(failure(hl.baseline)),
            d.name(b),
            lang.pct(failure(b))
        ),
        (Lang::Nl, None) => format!(
            "Faillissementen: met {base} raakt vóór {end} minstens één aanbieder door zijn reserves heen in {} van de toekomsten.",
            lang.pct(failure(hl.baseline))
        ),
    });
    if let Some((k, s)) = &hl.worst
        && s.p50() < 0.0
    {
        out.push(match lang {
            Lang::En => format!(
                "The costliest choice is {}: in the median future it costs {} more than {base} in today's money.",
                d.name(*k),
                lang.mln(-s.p50())
            ),
            Lang::Nl => format!(
                "De duurste keuze is {}: in de middelste toekomst kost die {} meer dan {base}, in euro's van nu.",
                d.name(*k),
                lang.mln(-s.p50())
            ),
        });
    }
    out
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
