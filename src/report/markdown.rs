//! `summary.md` and `summary_nl.md`: one page in plain language for an alderman (the
//! question, the answer in three sentences with numbers and their certainty, the risks,
//! the key assumptions, the charts), followed by the headline tables for a finance
//! officer. Every number comes from [`Headline`] or the statistics; none is typed in.

use std::fmt::Write;

use super::charts::ChartKind;
use super::data::ReportData;
use super::headline::Headline;
use super::lang::Lang;
use super::{Report, ReportError};
use crate::engine::metrics::h;

/// `summary.md` (English) and `summary_nl.md` (Dutch).
pub struct SummaryMarkdown;

impl Report for SummaryMarkdown {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
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
        let _ = writeln!(md, "- {s}");
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
pub fn intro(d: &ReportData, lang: Lang) -> String {
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
pub fn question(d: &ReportData, lang: Lang) -> Vec<String> {
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

/// How many of 10 futures a probability is.
pub fn of_ten(p: f64) -> String {
    if p.is_finite() { format!("{:.0}", (p * 10.0).round()) } else { "–".into() }
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
            "In {} of 10 simulated futures, {best} costs the municipality less than {base} over {start}–{end}.",
            of_ten(b.p_cheaper)
        ),
        (Lang::En, false) => format!(
            "No alternative is expected to cost less than {base} over {start}–{end}: the closest, {best}, is \
             cheaper in {} of 10 simulated futures.",
            of_ten(b.p_cheaper)
        ),
        (Lang::Nl, true) => format!(
            "In {} van de 10 gesimuleerde toekomsten kost {best} de gemeente minder dan {base} over {start}–{end}.",
            of_ten(b.p_cheaper)
        ),
        (Lang::Nl, false) => format!(
            "Geen alternatief kost naar verwachting minder dan {base} over {start}–{end}: het beste, {best}, is \
             goedkoper in {} van de 10 gesimuleerde toekomsten.",
            of_ten(b.p_cheaper)
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
            "{payback}; counting spend up to {mid_year}, it is the cheapest of all {n} strategies in {} of 10 \
             futures, and up to {end} in {} of 10.",
            of_ten(mid_p),
            of_ten(b.p_cheapest)
        ),
        Lang::Nl => format!(
            "{payback}; met de uitgaven tot en met {mid_year} is het in {} van de 10 toekomsten de goedkoopste van \
             alle {n} strategieën, tot en met {end} in {} van de 10.",
            of_ten(mid_p),
            of_ten(b.p_cheapest)
        ),
    };
    vec![first, second, third]
}

/// The risks: budget line, providers' results, the costliest alternative.
pub fn risks(d: &ReportData, hl: &Headline, lang: Lang) -> Vec<String> {
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
    out.push(
        lang.t(
            "Provider failures (bankruptcies and the cost of moving clients) are not in this model yet.",
            "Faillissementen van aanbieders (en de kosten van het overplaatsen van cliënten) zitten nog niet in dit model.",
        )
        .to_string(),
    );
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

/// The years shown in the yearly tables: every fifth and the last.
pub fn shown_years(d: &ReportData) -> Vec<usize> {
    let n = d.meta.horizon_years;
    let mut v: Vec<usize> = (0..n).step_by(5).collect();
    if n > 0 && v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// The finance officer's headline tables.
pub fn tables(d: &ReportData, lang: Lang) -> String {
    let m = &d.meta;
    let base = d.baseline();
    let runs = d.runs.len();
    let last = m.end_year();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "{}\n",
        match lang {
            Lang::En => format!(
                "Baseline: **{}**. Figures are medians with the 90% band (5th to 95th percentile) unless said \
                 otherwise; ± is the Monte Carlo standard error.",
                d.name(base)
            ),
            Lang::Nl => format!(
                "Basis: **{}**. Bedragen zijn medianen met de 90%-band (5e tot 95e percentiel), tenzij anders \
                 vermeld; ± is de Monte-Carlo-standaardfout.",
                d.name(base)
            ),
        }
    );
    let _ = writeln!(md, "### {} {} {}\n", lang.t("Over", "Over"), m.horizon_years, lang.t("years", "jaar"));
    let head = match lang {
        Lang::En => format!(
            "| strategy | NPV of spend | saving vs baseline (NPV, mean) | P(cheaper than baseline) | P(cheapest) | break-even year (median) | P(break even by {last}) | cost per success |"
        ),
        Lang::Nl => format!(
            "| strategie | contante waarde uitgaven | besparing t.o.v. basis (contant, gemiddeld) | P(goedkoper dan basis) | P(goedkoopste) | terugverdienjaar (mediaan) | P(terugverdiend t/m {last}) | kosten per succes |"
        ),
    };
    let _ = writeln!(md, "{head}");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for k in 0..d.strategies() {
        let npv = d.horizon(k, h::NPV_SPEND);
        let saving = d.horizon(k, h::NPV_SAVING);
        let cps = d.horizon(k, h::COST_PER_SUCCESS);
        let (be, pbe, cheaper, saving_text) = if k == base {
            (lang.t("(baseline)", "(basis)").to_string(), "–".to_string(), "–".to_string(), "–".to_string())
        } else {
            (
                lang.year(d.horizon(k, h::BREAK_EVEN_YEAR).p50()),
                lang.pct(d.horizon(k, h::BREAKS_EVEN).mean),
                lang.pct(d.horizon(k, h::CHEAPER).mean),
                format!("{} ± {}", lang.mln(saving.mean), lang.num(saving.mcse / 1e6, 1)),
            )
        };
        let _ = writeln!(
            md,
            "| {} | {} ({} – {}) | {saving_text} | {cheaper} | {} | {be} | {pbe} | {} |",
            d.name(k),
            lang.mln(npv.p50()),
            lang.mln(npv.p5()),
            lang.mln(npv.p95()),
            lang.pct(d.horizon(k, h::CHEAPEST).mean),
            lang.eur(cps.p50())
        );
    }
    let shown = shown_years(d);
    let years_header = |md: &mut String| {
        let _ = write!(md, "| {} |", lang.t("strategy", "strategie"));
        for &t in &shown {
            let _ = write!(md, " {} |", m.start_year + t as i32);
        }
        let _ = writeln!(md);
        let _ = writeln!(md, "| --- |{}", " --- |".repeat(shown.len()));
    };
    let _ = writeln!(
        md,
        "\n### {}\n",
        lang.t("Yearly municipal spend (median, 90% band)", "Jaarlijkse uitgaven van de gemeente (mediaan, 90%-band)")
    );
    years_header(&mut md);
    for k in 0..d.strategies() {
        let _ = write!(md, "| {} |", d.name(k));
        let spend = d.yearly_or_empty(k, "spend");
        for &t in &shown {
            if let Some(v) = spend.get(t) {
                let _ = write!(md, " {} ({} – {}) |", lang.mln(v.p50()), lang.num(v.p5() / 1e6, 1), lang.num(v.p95() / 1e6, 1));
            }
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "\n### {}\n",
        lang.t(
            "Prudent budget: spend that is not exceeded in 9 of 10 futures (P90)",
            "Voorzichtige begroting: uitgaven die in 9 van de 10 toekomsten niet worden overschreden (P90)"
        )
    );
    years_header(&mut md);
    for k in 0..d.strategies() {
        let _ = write!(md, "| {} |", d.name(k));
        let p90 = d.spend_p90(k);
        for &t in &shown {
            let _ = write!(md, " {} |", lang.mln(p90.get(t).copied().unwrap_or(f64::NAN)));
        }
        let _ = writeln!(md);
    }
    if let (true, Some(budget)) = (d.has_budget(), m.budget_eur) {
        let _ = writeln!(
            md,
            "\n### {} {})\n",
            lang.t(
                "Probability that spend exceeds the budget line (first year",
                "Kans dat de uitgaven boven de begroting uitkomen (eerste jaar"
            ),
            lang.mln(budget)
        );
        years_header(&mut md);
        for k in 0..d.strategies() {
            let _ = write!(md, "| {} |", d.name(k));
            let over = d.yearly_or_empty(k, "budget_overrun");
            for &t in &shown {
                let _ = write!(md, " {} |", lang.pct(over.get(t).map_or(f64::NAN, |s| s.mean)));
            }
            let _ = writeln!(md);
        }
    }
    let _ = writeln!(
        md,
        "\n### {}\n",
        lang.t("Caseload (median active clients at year end)", "Cliënten in zorg (mediaan, einde van het jaar)")
    );
    years_header(&mut md);
    for k in 0..d.strategies() {
        let _ = write!(md, "| {} |", d.name(k));
        let c = d.yearly_or_empty(k, "caseload");
        for &t in &shown {
            let _ = write!(md, " {} |", lang.num(c.get(t).map_or(f64::NAN, |s| s.p50()), 0));
        }
        let _ = writeln!(md);
    }
    let never: Vec<String> = (0..d.strategies())
        .filter(|&k| k != base)
        .map(|k| match lang {
            Lang::En => format!("{}: {} of {runs} runs never break even", d.name(k), d.never_break_even(k)),
            Lang::Nl => format!("{}: {} van {runs} simulaties nooit terugverdiend", d.name(k), d.never_break_even(k)),
        })
        .collect();
    let _ = writeln!(md, "\n### {}\n", lang.t("Notes", "Toelichting"));
    let _ = writeln!(md, "- {}", m.money_basis);
    let _ = writeln!(
        md,
        "- {} {}.",
        lang.t(
            "Break-even year: the first year from which cumulative discounted spend stays below the baseline's.",
            "Terugverdienjaar: het eerste jaar vanaf wanneer de opgetelde, contant gemaakte uitgaven onder die van de basis blijven."
        ),
        never.join("; ")
    );
    let _ = writeln!(
        md,
        "- {}",
        lang.t(
            "Full tables: `summary.csv`, `yearly.csv`, `budget.csv` and `results.xlsx`; per-run data: `runs.csv`; provenance: `meta.json`.",
            "Volledige tabellen: `summary.csv`, `yearly.csv`, `budget.csv` en `results.xlsx`; per simulatie: `runs.csv`; herkomst: `meta.json`."
        )
    );
    md
}
