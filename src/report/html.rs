//! `report.html` and `report_nl.html`: one self-contained page per language with the
//! plain-language summary, every chart inline as SVG, the headline tables, the scenario's
//! strategies and inputs (every uncertain input with its distribution) and the provenance.
//! No scripts, no external files, no network: it reads the same from a USB stick.

use std::fmt::Write;

use super::charts::{self, ChartKind};
use super::data::ReportData;
use super::headline::Headline;
use super::lang::Lang;
use super::markdown::{answer, assumptions, intro, question, risks};
use super::tables::{headline_tables, lead, notes, runs_link};
use super::{OutputError, Report};

/// `report.html` (English) and `report_nl.html` (Dutch).
pub(crate) struct HtmlReport;

impl Report for HtmlReport {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        let hl = Headline::of(d);
        Lang::ALL.iter().map(|&l| Ok((format!("report{}.html", l.suffix()), page(d, &hl, l)?.into_bytes()))).collect()
    }
}

/// What the what-if page is, as the reports point to it.
pub(crate) fn whatif_sentence(lang: Lang) -> &'static str {
    lang.t(
        "What if? Move the scenario's levers on the what-if page (whatif.html): it simulates again in the browser, \
         offline, on the same futures.",
        "Wat als? Verschuif de knoppen van het scenario op de wat-als-pagina (whatif_nl.html): zij rekent opnieuw in de \
         browser, zonder netwerk, op dezelfde toekomsten.",
    )
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `code` spans into `<code>`.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// The style sheet: wide tables scroll inside their own box (the page itself never scrolls
/// sideways, from a 390 px phone to a 1400 px screen), charts scale to the width, and print
/// is A4 landscape with every column kept (cells wrap instead of scrolling), charts and
/// table rows not split across pages and the table headers repeated on every page.
const STYLE: &str = "
*, *::before, *::after { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 1280px;
       padding: 24px 40px 60px; line-height: 1.5; font-size: 17px; overflow-wrap: break-word; }
h1 { font-size: 32px; margin-bottom: 4px; }
h2 { font-size: 25px; border-bottom: 2px solid #0072b2; padding-bottom: 4px; margin-top: 44px; }
h3 { font-size: 19px; margin-top: 28px; }
.lead { color: #555; font-style: italic; }
.note { color: #444; font-size: 15px; }
nav ol { columns: 2; }
.answer { background: #eef5fb; border-left: 6px solid #0072b2; padding: 12px 24px 12px 40px; }
figure { margin: 28px 0; max-width: 100%; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 15px; }
.table-scroll { max-width: 100%; overflow-x: auto; margin: 12px 0; }
.table-scroll:focus { outline: 2px solid #0072b2; }
table { border-collapse: collapse; font-size: 15px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
.nw { white-space: nowrap; }
code { font-size: 14px; background: #f4f4f4; padding: 0 3px; overflow-wrap: anywhere; }
footer { margin-top: 48px; color: #777; font-size: 14px; }
@media (max-width: 700px) {
  body { padding: 12px 14px 40px; font-size: 16px; }
  h1 { font-size: 25px; }
  h2 { font-size: 21px; margin-top: 32px; }
  nav ol { columns: 1; }
  .answer { padding: 8px 12px 8px 28px; }
  table { font-size: 14px; }
}
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; line-height: 1.35; }
  h1 { font-size: 18pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; }
  h3 { font-size: 11pt; break-after: avoid; }
  nav { display: none; }
  .table-scroll { overflow: visible; }
  table { width: 100%; font-size: 7.5pt; }
  th, td { padding: 2px 4px; }
  thead { display: table-header-group; }
  tr, figure, .answer li { break-inside: avoid; }
  figure svg { width: auto; max-width: 100%; max-height: 165mm; margin: 0 auto; }
  a { color: inherit; text-decoration: none; }
}
";

fn table_html(out: &mut String, header: &[String], rows: &[Vec<String>], numeric_from: usize) {
    // A table scrolls in its own box; the box is focusable so that a keyboard can scroll it.
    out.push_str("<div class=\"table-scroll\" tabindex=\"0\">\n<table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", inline(c));
            } else if i >= numeric_from {
                let _ = write!(out, "<td class=\"num\">{}</td>", number_cell(c));
            } else {
                let _ = write!(out, "<td>{}</td>", inline(c));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// A figure's cell: the figure and its band (`EUR 12.3 mln (10.1 – 14.8)`) each kept on one
/// line, so that a narrow column breaks the cell between them and never inside an amount.
fn number_cell(c: &str) -> String {
    // An amount followed by words ("€ 12.345 bespaard per geslaagd traject minder"): the
    // amount on one line, the words free to wrap in a narrow column.
    if let Some(rest) = c.strip_prefix("€ ").or_else(|| c.strip_prefix("EUR "))
        && let Some((number, words)) = rest.split_once(' ')
        && !words.starts_with("mln")
        && words.split_whitespace().filter(|w| w.chars().all(char::is_alphabetic)).count() >= 2
    {
        let currency = &c[..c.len() - rest.len()];
        return format!("<span class=\"nw\">{}</span> {}", inline(&format!("{currency}{number}")), inline(words));
    }
    match c.split_once(" (") {
        Some((figure, band)) => {
            format!("<span class=\"nw\">{}</span> <span class=\"nw\">({}</span>", inline(figure), inline(band))
        }
        None => format!("<span class=\"nw\">{}</span>", inline(c)),
    }
}

/// An input's mean with as many decimals as its size calls for.
fn mean_text(lang: Lang, x: f64) -> String {
    let decimals = match x.abs() {
        a if a >= 1000.0 => 0,
        a if a >= 10.0 => 2,
        _ => 4,
    };
    lang.num(x, decimals)
}

/// A section of the page: its anchor and its title.
type Section = (&'static str, &'static str);

/// The sections in the contents list, in order, for the list and the headings alike.
fn sections(lang: Lang) -> [Section; 5] {
    [
        ("summary", lang.t("Summary", "Samenvatting")),
        ("charts", lang.t("Charts", "Grafieken")),
        ("tables", lang.t("Tables", "Tabellen")),
        ("assumptions", lang.t("Assumptions", "Aannames")),
        ("provenance", lang.t("Provenance", "Herkomst")),
    ]
}

/// The whole page in a language.
pub(crate) fn page(d: &ReportData, hl: &Headline, lang: Lang) -> Result<String, OutputError> {
    let [summary, charts, tables, assumptions, provenance] = sections(lang);
    let mut h = String::new();
    head(&mut h, d, lang);
    contents(&mut h, lang);
    summary_section(&mut h, summary, d, hl, lang);
    charts_section(&mut h, charts, d, lang)?;
    tables_section(&mut h, tables, d, lang);
    if let Some(sens) = &d.sensitivity {
        sensitivity_section(&mut h, sens, lang);
    }
    assumptions_section(&mut h, assumptions, d, lang);
    provenance_section(&mut h, provenance, d, lang);
    footer(&mut h, lang);
    Ok(h)
}

/// The document head with the style sheet, and the page header: the scenario's name and
/// the line about runs, years and money basis.
fn head(h: &mut String, d: &ReportData, lang: Lang) {
    let name = esc(&d.meta.scenario_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.t("en", "nl"),
    );
    let _ = writeln!(h, "<header>\n<h1>{name}</h1>\n<p class=\"lead\">{}</p>", esc(&intro(d, lang)));
    if d.whatif_page {
        let _ = writeln!(h, "<p><a href=\"whatif{}.html\">{}</a></p>", lang.suffix(), esc(whatif_sentence(lang)));
    }
    let _ = writeln!(h, "</header>");
}

/// Opens a section: its anchor and its heading.
fn open_section(h: &mut String, (id, title): Section) {
    let _ = writeln!(h, "<section id=\"{id}\">\n<h2>{}</h2>", esc(title));
}

/// The contents list, one link per section.
fn contents(h: &mut String, lang: Lang) {
    let _ = writeln!(h, "<nav aria-label=\"{}\">\n<ol>", lang.t("contents", "inhoud"));
    for (id, title) in sections(lang) {
        let _ = writeln!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    let _ = writeln!(h, "</ol>\n</nav>");
}

/// The plain-language summary: the question, the answer, the risks, the key assumptions.
fn summary_section(h: &mut String, section: Section, d: &ReportData, hl: &Headline, lang: Lang) {
    open_section(h, section);
    let _ = writeln!(h, "<h3>{}</h3>", lang.t("The question", "De vraag"));
    for p in question(d, lang) {
        let _ = writeln!(h, "<p>{}</p>", esc(&p));
    }
    let _ = writeln!(h, "<h3>{}</h3>\n<ol class=\"answer\">", lang.t("The answer", "Het antwoord"));
    for s in answer(d, hl, lang) {
        let _ = writeln!(h, "<li>{}</li>", esc(&s));
    }
    let _ = writeln!(h, "</ol>\n<h3>{}</h3>\n<ul>", lang.t("The risks", "De risico's"));
    for s in risks(d, hl, lang) {
        let _ = writeln!(h, "<li>{}</li>", esc(&s));
    }
    let _ = writeln!(h, "</ul>\n<h3>{}</h3>\n<ul>", lang.t("Key assumptions", "Belangrijkste aannames"));
    assumption_items(h, &assumptions(d, hl, lang));
    let _ = writeln!(h, "</ul>\n</section>");
}

/// The key assumptions as list items; the lines that [`assumptions`] indents with
/// `"  - "` (the drivers) become a list nested in the item before them.
fn assumption_items(h: &mut String, lines: &[String]) {
    let mut i = 0;
    while i < lines.len() {
        let _ = write!(h, "<li>{}", inline(&lines[i]));
        let mut nested = Vec::new();
        while i + 1 < lines.len() && lines[i + 1].starts_with("  - ") {
            i += 1;
            nested.push(format!("<li>{}</li>", inline(&lines[i][4..])));
        }
        if !nested.is_empty() {
            let _ = write!(h, "\n<ul>\n{}\n</ul>", nested.join("\n"));
        }
        let _ = writeln!(h, "</li>");
        i += 1;
    }
}

/// Every chart that applies, inline as SVG with its accessible name and its file names.
fn charts_section(h: &mut String, section: Section, d: &ReportData, lang: Lang) -> Result<(), OutputError> {
    open_section(h, section);
    for k in ChartKind::ALL.into_iter().filter(|k| k.applies(d)) {
        let svg = charts::svg(k, d, lang)?;
        let svg = svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(k.title(lang))), 1);
        let _ = writeln!(
            h,
            "<figure id=\"chart-{}\">\n{svg}<figcaption>{} <code>{}</code>, <code>{}</code></figcaption>\n</figure>",
            k.name(),
            lang.t("Files:", "Bestanden:"),
            k.file(lang, "png"),
            k.file(lang, "svg")
        );
    }
    let appendix = charts::appendix(d);
    if !appendix.is_empty() {
        let links: Vec<String> = appendix
            .iter()
            .map(|k| {
                let (png, svg) = (k.appendix_file(lang, "png"), k.appendix_file(lang, "svg"));
                format!("<a href=\"{png}\">{png}</a> (<a href=\"{svg}\">SVG</a>)")
            })
            .collect();
        let _ = writeln!(
            h,
            "<p>{} {}.</p>",
            esc(lang.t(
                "The charts show at most five strategies; the same charts with every strategy, in this folder:",
                "De grafieken tonen hooguit vijf strategieën; dezelfde grafieken met alle strategieën, in deze map:"
            )),
            links.join(", ")
        );
    }
    let _ = writeln!(h, "</section>");
    Ok(())
}

/// The finance officer's headline tables with the sentence above them and the notes below.
fn tables_section(h: &mut String, section: Section, d: &ReportData, lang: Lang) {
    open_section(h, section);
    let _ = writeln!(h, "<p>{}</p>", esc(&lead(d, lang)));
    for t in headline_tables(d, lang) {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&t.title));
        table_html(h, &t.header, &t.rows, t.labels.max(1));
        if let Some(note) = &t.note {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", inline(note));
        }
    }
    let _ = writeln!(h, "<ul>");
    for n in notes(d, lang) {
        let _ = writeln!(h, "<li>{}</li>", inline(&n));
    }
    let _ = writeln!(h, "</ul>\n</section>");
}

/// The scenario's strategies, its uncertain inputs with their distributions, and its fixed
/// inputs (folded away: there are many and they do not vary).
fn assumptions_section(h: &mut String, section: Section, d: &ReportData, lang: Lang) {
    open_section(h, section);
    let _ = writeln!(h, "<h3>{}</h3>", lang.t("Strategies", "Strategieën"));
    strategies_table(h, d, lang);
    let header: Vec<String> =
        [lang.t("input", "invoer"), lang.t("distribution", "verdeling"), lang.t("mean", "gemiddelde")]
            .map(String::from)
            .to_vec();
    let uncertain = input_rows(d, lang, true);
    let _ = writeln!(
        h,
        "<h3>{} ({})</h3>\n<p>{}</p>",
        lang.t("Uncertain inputs", "Onzekere invoer"),
        uncertain.len(),
        inline(&match lang {
            Lang::En => format!(
                "Drawn anew in every simulated future; the same draws are used for every strategy. The values drawn per \
                 run are in {}.",
                runs_link(d, lang)
            ),
            Lang::Nl => format!(
                "In elke gesimuleerde toekomst opnieuw getrokken; dezelfde trekkingen gelden voor elke strategie. De \
                 getrokken waarden per simulatie staan in {}.",
                runs_link(d, lang)
            ),
        })
    );
    table_html(h, &header, &uncertain, 2);
    let fixed = input_rows(d, lang, false);
    let _ = writeln!(h, "<details>\n<summary>{} ({})</summary>", lang.t("Fixed inputs", "Vaste invoer"), fixed.len());
    table_html(h, &header, &fixed, 2);
    let _ = writeln!(h, "</details>\n</section>");
}

/// The strategies: name (the baseline marked), identifier, contract forms, prevention.
fn strategies_table(h: &mut String, d: &ReportData, lang: Lang) {
    let header: Vec<String> = [
        lang.t("strategy", "strategie"),
        lang.t("identifier", "code"),
        lang.t("contracts (form)", "contracten (vorm)"),
        lang.t("prevention", "preventie"),
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = d
        .meta
        .strategy_details
        .iter()
        .map(|s| {
            let name =
                if s.baseline { format!("{} ({})", s.name, lang.t("baseline", "basis")) } else { s.name.clone() };
            vec![name, format!("`{}`", s.id), s.contracts.join(", "), s.prevention.join(", ")]
        })
        .collect();
    table_html(h, &header, &rows, usize::MAX);
}

/// The uncertain (or the fixed) inputs as rows: path, distribution, mean.
fn input_rows(d: &ReportData, lang: Lang, uncertain: bool) -> Vec<Vec<String>> {
    d.meta
        .inputs
        .iter()
        .filter(|i| i.uncertain == uncertain)
        .map(|i| vec![format!("`{}`", i.path), lang.distribution(&i.distribution), mean_text(lang, i.mean)])
        .collect()
}

/// Where the numbers come from: tool, scenario file and its hash, runs, seed, steps and
/// the sampling crates, enough to run the same simulation again.
fn provenance_section(h: &mut String, section: Section, d: &ReportData, lang: Lang) {
    let m = &d.meta;
    open_section(h, section);
    let prov: Vec<Vec<String>> = vec![
        vec![lang.t("tool", "programma").into(), format!("{} {}", m.tool, m.tool_version)],
        vec![lang.t("scenario file", "scenariobestand").into(), format!("`{}`", m.scenario_file)],
        vec!["SHA-256".into(), format!("`{}`", m.scenario_sha256)],
        vec![lang.t("runs", "simulaties").into(), lang.num(m.runs as f64, 0)],
        vec!["seed".into(), m.seed.to_string()],
        vec![lang.t("steps per year", "stappen per jaar").into(), m.steps_per_year.to_string()],
        vec![
            lang.t("sampling crates", "crates voor trekkingen").into(),
            format!("rand {}, statrs {}", m.crate_versions.rand, m.crate_versions.statrs),
        ],
    ];
    table_html(h, &[lang.t("what", "wat").into(), lang.t("value", "waarde").into()], &prov, usize::MAX);
    let _ = writeln!(h, "</section>");
}

/// The footer, which says how to redraw the page, and the end of the document.
fn footer(h: &mut String, lang: Lang) {
    let _ = writeln!(
        h,
        "<footer>{}</footer>\n</body>\n</html>",
        inline(lang.t(
            "Written by contractsim. Redraw from the results folder with `contractsim report DIR`.",
            "Gemaakt met contractsim. Opnieuw tekenen vanuit de resultatenmap met `contractsim report MAP`."
        ))
    );
}

/// The sensitivity section, when the results folder has the sensitivity tables: the EVPI,
/// the inputs worth most to learn about, and the largest one-way swings.
fn sensitivity_section(h: &mut String, s: &super::sensitivity::SensitivityData, lang: Lang) {
    open_section(h, ("sensitivity", lang.t("Sensitivity", "Gevoeligheid")));
    if let Some(evpi) = s.evpi("municipal") {
        let _ = writeln!(
            h,
            "<p>{} {}</p>",
            esc(lang.t(
                "Expected value of perfect information (EVPI) for the choice of strategy, on municipal NPV spend:",
                "Verwachte waarde van volledige informatie (EVPI) voor de keuze van de strategie, op contante gemeentelijke uitgaven:"
            )),
            esc(&format!("€ {}", lang.num(evpi, 0)))
        );
    }
    let mut voi: Vec<_> = s.voi.iter().filter(|v| v.input != "ALL").collect();
    voi.sort_by(|a, b| b.value.total_cmp(&a.value));
    let rows: Vec<Vec<String>> =
        voi.iter().take(10).map(|v| vec![format!("`{}`", v.input), lang.num(v.value, 0)]).collect();
    let _ =
        writeln!(h, "<h3>{}</h3>", lang.t("Worth learning about (EVPPI, euros)", "Het uitzoeken waard (EVPPI, euro)"));
    table_html(h, &[lang.t("input", "invoer").into(), "EVPPI".into()], &rows, 1);
    let rows: Vec<Vec<String>> = s
        .tornado
        .iter()
        .take(10)
        .map(|t| {
            vec![
                t.strategy.clone(),
                format!("`{}`", t.input),
                lang.num(t.metric_low, 0),
                lang.num(t.metric_high, 0),
                lang.num(t.swing(), 0),
            ]
        })
        .collect();
    let _ = writeln!(
        h,
        "<h3>{} ({})</h3>",
        lang.t("Largest one-way swings", "Grootste eenzijdige uitslagen"),
        esc(&s.metric)
    );
    let header = [
        lang.t("strategy", "strategie"),
        lang.t("input", "invoer"),
        lang.t("at P10", "bij P10"),
        lang.t("at P90", "bij P90"),
        lang.t("swing", "uitslag"),
    ]
    .map(String::from)
    .to_vec();
    table_html(h, &header, &rows, 2);
    let _ = writeln!(
        h,
        "<p>{}</p>\n</section>",
        esc(lang.t(
            "Files: tornado.csv, rank_correlation.csv, voi.csv and the charts tornado, rank_correlation and voi (SVG, PNG).",
            "Bestanden: tornado.csv, rank_correlation.csv, voi.csv en de grafieken tornado, rank_correlation en voi (SVG, PNG)."
        ))
    );
}
