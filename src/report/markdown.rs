//! `summary.md` and `summary_nl.md`: one page in plain language for an alderman (the
//! question, the answer in three sentences with numbers and their certainty, the risks,
//! the key assumptions, the charts), followed by the headline tables for a finance
//! officer. Every number comes from [`Headline`] or the statistics; none is typed in.

use std::fmt::Write;

use super::charts::ChartKind;
use super::data::ReportData;
use super::headline::{BudgetRisk, Headline, ProviderRisk};
use super::lang::Lang;
use super::tables;
use super::{OutputError, Report};
use crate::metrics::Horizon;

/// `summary.md` (English) and `summary_nl.md` (Dutch).
pub(crate) struct SummaryMarkdown;

impl Report for SummaryMarkdown {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let hl = Headline::of(d);
        Ok(Lang::ALL
            .iter()
            .map(|&l| (format!("summary{}.md", l.suffix()), no_raw_html(&summary(d, &hl, l)).into_bytes()))
            .collect())
    }
}

/// The whole Markdown file in a language.
pub fn summary(d: &ReportData, hl: &Headline, lang: Lang) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", d.scenario_name(lang));
    let _ = writeln!(md, "*{}*\n", intro(d, lang));
    let _ = writeln!(md, "## {}\n", lang.t("The question", "De vraag"));
    for p in question(d, lang) {
        let _ = writeln!(md, "{p}\n");
    }
    let _ = writeln!(md, "## {}\n", lang.t("The answer", "Het antwoord"));
    for (i, a) in answers(d, lang).iter().enumerate() {
        if a.question.is_empty() {
            let _ = writeln!(md, "{}. {}", i + 1, a.sentences.join(" "));
        } else {
            let _ = writeln!(md, "{}. **{}**", i + 1, a.question);
            for s in &a.sentences {
                let _ = writeln!(md, "   - {s}");
            }
        }
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
    if d.whatif_page {
        let _ = writeln!(md, "\n## {}\n\n{}", lang.t("What if?", "Wat als?"), super::html::whatif_sentence(lang));
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
    for k in super::charts::appendix(d) {
        let what = lang.t("the same, every strategy (appendix)", "hetzelfde, alle strategieën (bijlage)");
        let _ = writeln!(md, "- `{}`: {what}", k.appendix_file(lang, "png"));
    }
    let _ = writeln!(md, "\n## {}\n", lang.t("Tables for the finance officer", "Tabellen voor de financieel adviseur"));
    md.push_str(&tables(d, lang));
    md
}

/// The line under the title: runs, years, seed, money basis.
pub(crate) fn intro(d: &ReportData, lang: Lang) -> String {
    let m = &d.meta;
    let rate = lang.num(m.discount_rate * 100.0, 2);
    let runs = lang.num(m.runs as f64, 0);
    match lang {
        Lang::En => format!(
            "A one-page summary for the council. {runs} simulated futures of {}–{} (seed {}). Yearly amounts are \
             nominal (prices of each year); totals over the period are present values in euros of {} (discounted at \
             {rate}% a year).",
            m.start_year,
            m.end_year(),
            m.seed,
            m.start_year
        ),
        Lang::Nl => format!(
            "Samenvatting op één pagina voor de raad. {runs} gesimuleerde toekomsten van {} t/m {} (startgetal {}). \
             Jaarbedragen zijn nominaal (prijspeil van elk jaar); totalen over de periode zijn contante waarden in \
             euro's van {} (disconteringsvoet {rate}% per jaar).",
            m.start_year,
            m.end_year(),
            m.seed,
            m.start_year
        ),
    }
}

/// The question: the scenario's own description, then its questions (or, without
/// questions, the comparison the answer makes).
pub(crate) fn question(d: &ReportData, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let description = match lang {
        Lang::Nl if !m.scenario_description_nl.is_empty() => &m.scenario_description_nl,
        _ => &m.scenario_description,
    };
    let mut out = Vec::new();
    if !description.is_empty() {
        out.push(description.clone());
    }
    if m.questions.is_empty() {
        let base = d.label(d.baseline(), lang);
        let others: Vec<&str> = (0..d.strategies()).filter(|&k| k != d.baseline()).map(|k| d.label(k, lang)).collect();
        out.push(match lang {
            Lang::En => format!(
                "What does youth care cost the municipality over {}–{} under each strategy, compared with {base}? \
                 Compared: {}.",
                m.start_year,
                m.end_year(),
                others.join("; ")
            ),
            Lang::Nl => format!(
                "Wat kost de jeugdhulp de gemeente over {} t/m {} bij elke strategie, vergeleken met {base}? \
                 Vergeleken: {}.",
                m.start_year,
                m.end_year(),
                others.join("; ")
            ),
        });
    } else {
        for (i, q) in m.questions.iter().enumerate() {
            let text = if lang == Lang::Nl { &q.text_nl } else { &q.text };
            out.push(format!("{}. {text}", i + 1));
        }
    }
    out
}

pub use super::answer::chance;
use super::answer::{answers, share};

/// The answer, one item per question: the question, then its sentences (for the HTML
/// report and the workbook, which show each as one list item).
pub fn answer(d: &ReportData, _hl: &Headline, lang: Lang) -> Vec<String> {
    answers(d, lang)
        .into_iter()
        .map(|a| {
            if a.question.is_empty() {
                a.sentences.join(" ")
            } else {
                format!("{} {}", a.question, a.sentences.join(" "))
            }
        })
        .collect()
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
    let base = d.label(hl.baseline, lang);
    let growth = lang.num(d.meta.budget_growth * 100.0, 1);
    let (budget, p0, pt) =
        (lang.mln(b.first_year_budget), share(b.baseline_first_last.0, lang), share(b.baseline_first_last.1, lang));
    let mut s = match lang {
        Lang::En => format!(
            "Budget: under {base}, spend exceeds the budget line ({budget} in {start}, growing {growth}% a year) in \
             {p0} of futures in {start} and in {pt} in {end}"
        ),
        Lang::Nl => format!(
            "Begroting: bij {base} komen de uitgaven boven de begrotingsraming ({budget} in {start}, groei {growth}% \
             per jaar) in {p0} van de toekomsten in {start} en in {pt} in {end}"
        ),
    };
    if let (Some(best), Some(p)) = (&hl.best, b.best_last) {
        let _ =
            write!(s, "; {} {} in {} in {end}", lang.t("under", "bij"), d.label(best.strategy, lang), share(p, lang));
    }
    s + "."
}

/// Providers' combined yearly result under a strategy: the median in the last year, the
/// worst 5th percentile and in how many years that is a loss.
fn providers_result(d: &ReportData, p: &ProviderRisk, lang: Lang) -> String {
    let (end, years) = (d.meta.end_year(), d.meta.horizon_years);
    let name = d.label(p.strategy, lang);
    let ((worst, worst_year), losses) = (p.worst_p5, p.loss_years);
    // A result as words with its sign: a loss or a surplus, never a negative amount.
    let result = |x: f64| match (lang, x < 0.0) {
        (Lang::En, true) => format!("a loss of {}", lang.mln(-x)),
        (Lang::En, false) => format!("a surplus of {}", lang.mln(x)),
        (Lang::Nl, true) => format!("een verlies van {}", lang.mln(-x)),
        (Lang::Nl, false) => format!("een overschot van {}", lang.mln(x)),
    };
    let (median, worst) = (result(p.median_last), result(worst));
    match lang {
        Lang::En => format!(
            "Providers under {name}: their combined yearly result in {end} is {median} in the median future; the 5th \
             percentile of that result is lowest in {worst_year}, {worst}, and is a loss in {losses} of {years} years."
        ),
        Lang::Nl => format!(
            "Aanbieders bij {name}: hun gezamenlijke jaarresultaat in {end} is {median} in de middelste toekomst \
             (mediaan); het 5e percentiel van dat resultaat is het laagst in {worst_year}, {worst}, en is in {losses} \
             van de {years} jaren een verlies."
        ),
    }
}

/// How often at least one provider runs out of reserves, under the baseline and under
/// the best alternative, and what that costs the municipality.
fn provider_failures(d: &ReportData, hl: &Headline, lang: Lang) -> String {
    let end = d.meta.end_year();
    let base = d.label(hl.baseline, lang);
    let failure = |k: usize| share(d.horizon(k, Horizon::PProviderFailure).mean, lang);
    let base_failure = failure(hl.baseline);
    let best = hl.best.as_ref().map(|b| b.strategy).filter(|&k| k != hl.baseline);
    match (lang, best) {
        (Lang::En, Some(b)) => format!(
            "Continuity of providers: under {base}, at least one provider runs out of reserves by {end} in \
             {base_failure} of futures; under {}, in {}. When that happens the municipality pays a transition \
             payment and higher prices for the moved clients until a replacement provider takes over.",
            d.label(b, lang),
            failure(b)
        ),
        (Lang::En, None) => format!(
            "Continuity of providers: under {base}, at least one provider runs out of reserves by {end} in \
             {base_failure} of futures."
        ),
        (Lang::Nl, Some(b)) => format!(
            "Continuïteitsrisico: bij {base} raakt t/m {end} minstens één aanbieder door zijn reserves heen in \
             {base_failure} van de toekomsten; bij {} in {}. De gemeente betaalt dan transitiekosten en hogere \
             prijzen voor de overgedragen cliënten tot een nieuwe aanbieder het overneemt.",
            d.label(b, lang),
            failure(b)
        ),
        (Lang::Nl, None) => format!(
            "Continuïteitsrisico: bij {base} raakt t/m {end} minstens één aanbieder door zijn reserves heen in \
             {base_failure} van de toekomsten."
        ),
    }
}

/// The costliest alternative, judged on the mean saving (the statistic of the answer),
/// when it is expected to cost more than the baseline.
fn costliest_choice(d: &ReportData, hl: &Headline, lang: Lang) -> Option<String> {
    let (k, s) = hl.worst.as_ref().filter(|(_, s)| s.mean < 0.0)?;
    let (base, name, extra) = (d.label(hl.baseline, lang), d.label(*k, lang), lang.mln(-s.mean));
    Some(match lang {
        Lang::En => format!(
            "The costliest choice is {name}: on average (mean) it costs {extra} more than {base} in present value."
        ),
        Lang::Nl => {
            format!("De duurste keuze is {name}: die kost gemiddeld {extra} meer dan {base} (contante waarde).")
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
        let best = d.label(b.strategy, lang);
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
                lang.distribution(&dr.distribution),
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
            "Totalen zijn contante waarden, verdisconteerd met {}% per jaar (nominaal); jaarbedragen zijn nominaal \
             (prijspeil van elk jaar).",
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
        tables::lead(d, lang).replace(d.label(d.baseline(), lang), &format!("**{}**", d.label(d.baseline(), lang)))
    );
    for t in tables::headline_tables(d, lang) {
        let _ = writeln!(md, "### {}\n", t.title);
        let cells = |row: &[String]| row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ");
        let _ = writeln!(md, "| {} |", cells(&t.header));
        let _ = writeln!(md, "|{}", " --- |".repeat(t.header.len()));
        for row in &t.rows {
            let _ = writeln!(md, "| {} |", cells(row));
        }
        let _ = writeln!(md);
        if let Some(note) = &t.note {
            let _ = writeln!(md, "*{note}*\n");
        }
    }
    let _ = writeln!(md, "### {}\n", lang.t("Notes", "Toelichting"));
    for n in tables::notes(d, lang) {
        let _ = writeln!(md, "- {n}");
    }
    md
}

/// A table cell: a `|` in it (from a name in the scenario file) would end the cell, and a
/// line break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown with every `<` that could open raw HTML (followed by a letter, `/`, `!` or
/// `?`, as CommonMark reads a tag, comment or declaration) written `\<`, which renders as
/// `<`: a name in the scenario file such as `<script>` stays text. The summary's own text
/// never opens a tag (its only `<` is "F < 0.6").
pub(crate) fn no_raw_html(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut chars = md.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_open_html_or_cells() {
        assert_eq!(no_raw_html("A <script>x</script> and F < 0.6"), "A \\<script>x\\</script> and F < 0.6");
        assert_eq!(no_raw_html("<!-- c --> <?x?> <b"), "\\<!-- c --> \\<?x?> \\<b");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
