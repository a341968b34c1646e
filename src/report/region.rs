//! A region's municipalities in the reports (docs/model.md section 16): the table of each
//! municipality's relative risk (P90/P50 of its spend over the first budget period) under
//! each allocation rule, and the sentence that says who carries the risk.

use super::data::{MunicipalRiskRow, ReportData};
use super::lang::Lang;
use super::tables::Table;

/// The rules in the order the reports show them.
const RULES: [&str; 3] = ["solidarity", "use", "mix"];

/// The rule's name in a column header.
fn rule_name(d: &ReportData, rule: &str, lang: Lang) -> String {
    match rule {
        "solidarity" => lang.t("by the fixed key", "naar vaste verdeelsleutel").to_string(),
        "use" => lang.t("by use", "naar gebruik").to_string(),
        _ => {
            let a = d.meta.allocation.map_or(0.5, |a| a.solidarity);
            match lang {
                Lang::En => format!("the region's mix ({} key)", lang.pct(a)),
                Lang::Nl => format!("mix van de regio ({} sleutel)", lang.pct(a)),
            }
        }
    }
}

/// The region's own rule, as `municipal_risk.csv` names it.
pub(crate) fn own_rule(d: &ReportData) -> &'static str {
    match d.meta.allocation {
        Some(a) if a.by_use == 0.0 => "solidarity",
        Some(a) if a.solidarity == 0.0 => "use",
        Some(_) => "mix",
        None => "solidarity",
    }
}

/// Municipality `m`'s row of strategy `k` under `rule`.
fn row<'a>(d: &'a ReportData, m: usize, k: usize, rule: &str) -> Option<&'a MunicipalRiskRow> {
    d.municipal_risk.iter().find(|x| x.municipality == m && x.strategy == k && x.allocation == rule)
}

/// The rules the results have, in report order.
pub(crate) fn rules(d: &ReportData) -> Vec<&'static str> {
    RULES.into_iter().filter(|r| d.municipal_risk.iter().any(|x| x.allocation == *r)).collect()
}

/// "2026 t/m 2029" / "2026–2029".
fn period(d: &ReportData, lang: Lang) -> String {
    let (a, b) = d.municipal_risk.first().map_or((d.meta.start_year, d.meta.start_year), |x| x.years);
    match lang {
        Lang::En => format!("{a}–{b}"),
        Lang::Nl => format!("{a} t/m {b}"),
    }
}

/// The table, for the baseline strategy; `None` without municipalities.
pub(crate) fn table(d: &ReportData, lang: Lang) -> Option<Table> {
    if d.municipal_risk.is_empty() {
        return None;
    }
    let k = d.baseline();
    let rules = rules(d);
    let own = own_rule(d);
    let mut header = vec![
        lang.t("municipality", "gemeente").to_string(),
        lang.t("youths 0-17", "jeugdigen 0-17").to_string(),
        lang.t("share of the fixed key", "aandeel vaste sleutel").to_string(),
        match lang {
            Lang::En => format!("median spend {} ({})", period(d, lang), rule_name(d, own, lang)),
            Lang::Nl => format!("mediane uitgaven {} ({})", period(d, lang), rule_name(d, own, lang)),
        },
    ];
    header.extend(rules.iter().map(|r| format!("P90/P50 {}", rule_name(d, r, lang))));
    let rows = d
        .meta
        .municipalities
        .iter()
        .enumerate()
        .map(|(m, muni)| {
            let mut cells = vec![
                if lang == Lang::Nl { muni.name_nl.clone() } else { muni.name.clone() },
                lang.num(muni.youth, 0),
                format!("{}%", lang.num(100.0 * muni.key_share, 1)),
                row(d, m, k, own).map_or("–".into(), |x| lang.mln(x.p50)),
            ];
            cells.extend(rules.iter().map(|r| row(d, m, k, r).map_or("–".into(), |x| lang.num(x.relative_risk(), 2))));
            cells
        })
        .collect();
    Some(Table {
        title: match lang {
            Lang::En => format!("The region's municipalities: who carries the risk ({})", d.label(k, lang)),
            Lang::Nl => format!("De gemeenten van de regio: wie draagt het risico ({})", d.label(k, lang)),
        },
        header,
        rows,
        labels: 1,
        note: Some(note(d, lang)),
    })
}

/// The note under the table: what P90/P50 is and what it rests on.
fn note(d: &ReportData, lang: Lang) -> String {
    let p = period(d, lang);
    match lang {
        Lang::En => format!(
            "P90/P50: a municipality's spend over {p} that is not exceeded in 9 of 10 simulated futures, divided by its \
             median. By the fixed key every municipality pays its key share of the region's spend and carries the \
             region's relative risk; by use it pays for its own clients, each client's municipality drawn in \
             proportion to its youths times its incidence multiplier (docs/model.md section 16), so a small \
             municipality's figure rests on few clients. Per strategy and rule in municipal_risk.csv, year by year \
             against each municipality's budget line in municipalities.csv."
        ),
        Lang::Nl => format!(
            "P90/P50: de uitgaven van een gemeente over {p} die in 9 van de 10 gesimuleerde toekomsten niet worden \
             overschreden, gedeeld door de mediaan. Naar vaste verdeelsleutel betaalt elke gemeente haar aandeel in de \
             uitgaven van de regio en draagt zij het relatieve risico van de regio; naar gebruik betaalt zij voor haar \
             eigen cliënten, waarbij de gemeente van elke cliënt wordt getrokken naar haar aandeel jeugdigen maal haar \
             incidentiefactor (docs/model.md, paragraaf 16). Bij een kleine gemeente berust het cijfer dus op weinig \
             cliënten. Per strategie en verdeling in municipal_risk.csv, per jaar tegen de begroting van elke gemeente \
             in municipalities.csv."
        ),
    }
}

/// The answer to "who in the region carries the risk?"; `None` without municipalities.
pub(crate) fn answer(d: &ReportData, lang: Lang) -> Option<super::answer::Answered> {
    let sentence = sentence(d, lang)?;
    Some(super::answer::Answered {
        question: lang.t("Who in the region carries the risk?", "Wie in de regio draagt het risico?").to_string(),
        sentences: vec![sentence],
    })
}

/// One sentence for the answer: under use, the municipality with the highest relative
/// risk against the fixed key's; `None` without municipalities.
fn sentence(d: &ReportData, lang: Lang) -> Option<String> {
    let k = d.baseline();
    let key = row(d, 0, k, "solidarity")?.relative_risk();
    let (m, worst) = (0..d.meta.municipalities.len())
        .filter_map(|m| Some((m, row(d, m, k, "use")?.relative_risk())))
        .filter(|(_, r)| r.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let muni = &d.meta.municipalities[m];
    let name = if lang == Lang::Nl { &muni.name_nl } else { &muni.name };
    let (pk, pw) = (lang.num(100.0 * (key - 1.0), 0), lang.num(100.0 * (worst - 1.0), 0));
    let p = period(d, lang);
    let base = d.label(k, lang);
    Some(match lang {
        Lang::En => format!(
            "Who in the region carries the risk depends on how it splits the cost. Split by each municipality's own \
             use, {name} needs {pw}% above its median spend over {p} to be covered in 9 of 10 futures (P90/P50, {base}); \
             split by the fixed key, every municipality needs {pk}%, the region's own."
        ),
        Lang::Nl => format!(
            "Wie in de regio het risico draagt, hangt af van de verdeling van de kosten. Naar eigen gebruik heeft \
             {name} {pw}% boven de mediane uitgaven over {p} nodig om in 9 van de 10 toekomsten gedekt te zijn \
             (P90/P50, {base}); naar vaste verdeelsleutel heeft elke gemeente {pk}% nodig, het cijfer van de regio."
        ),
    })
}
