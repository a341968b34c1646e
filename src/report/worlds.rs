//! The states of the world of a scenario with `[[variant]]`s side by side: every strategy's
//! mean saving against the baseline of the same world, and whether the ranking by mean
//! present value of spend holds from world to world. Strategies are only ever compared
//! within one world; these tables put the comparisons next to each other.

use super::answer::{Answered, with_mcse};
use super::data::ReportData;
use super::lang::Lang;
use super::tables::Table;
use crate::metrics::Horizon;
use crate::scenario::variant::World;

/// Every world of the results, the file's own first: (world, its results).
pub(crate) fn all(d: &ReportData) -> Vec<(World, &ReportData)> {
    let mut out = vec![(World::base(), d)];
    out.extend(d.worlds.iter().map(|w| (w.world.clone(), w.data.as_ref())));
    out
}

/// The strategies of one world from the cheapest to the dearest by mean present value of
/// spend.
fn ranking(d: &ReportData) -> Vec<usize> {
    let mut ks: Vec<usize> = (0..d.strategies()).collect();
    ks.sort_by(|&a, &b| d.horizon(a, Horizon::NpvSpend).mean.total_cmp(&d.horizon(b, Horizon::NpvSpend).mean));
    ks
}

/// The world's name as the reports quote it.
fn quoted(w: &World, lang: Lang) -> String {
    match lang {
        Lang::En => format!("\u{201c}{}\u{201d}", w.name(false)),
        Lang::Nl => format!("\u{2018}{}\u{2019}", w.name(true)),
    }
}

/// The table of the worlds: per strategy and world the mean saving on the baseline of the
/// same world (present value) and the strategy's place by mean present value of spend.
pub(crate) fn table(d: &ReportData, lang: Lang) -> Option<Table> {
    if d.worlds.is_empty() {
        return None;
    }
    let worlds = all(d);
    let mut header = vec![lang.t("strategy", "strategie").to_string()];
    for (w, _) in &worlds {
        header.push(match lang {
            Lang::En => format!("{}: saving vs baseline (NPV, mean)", w.name(false)),
            Lang::Nl => format!("{}: besparing t.o.v. basis (contant, gemiddeld)", w.name(true)),
        });
        header.push(match lang {
            Lang::En => format!("{}: place", w.name(false)),
            Lang::Nl => format!("{}: plaats", w.name(true)),
        });
    }
    let ranks: Vec<Vec<usize>> = worlds.iter().map(|(_, wd)| ranking(wd)).collect();
    let rows = (0..d.strategies())
        .map(|k| {
            let mut row = vec![d.label(k, lang).to_string()];
            for ((_, wd), rank) in worlds.iter().zip(&ranks) {
                row.push(if k == wd.baseline() {
                    lang.t("(baseline)", "(basis)").to_string()
                } else {
                    let s = wd.horizon(k, Horizon::NpvSavingVsBaseline);
                    with_mcse(s.mean, s.mcse, lang)
                });
                let place = rank.iter().position(|&j| j == k).map_or(0, |p| p + 1);
                row.push(format!("{place} / {}", wd.strategies()));
            }
            row
        })
        .collect();
    let note = match lang {
        Lang::En => "Each world is simulated with every strategy on the same seed and the same futures; each saving \
                     is against the baseline in the same world, never across worlds. Place: 1 is the lowest mean \
                     present value of spend in that world."
            .to_string(),
        Lang::Nl => "Elke wereld is met elke strategie gesimuleerd met hetzelfde startgetal en dezelfde toekomsten; \
                     elke besparing is t.o.v. de basis in dezelfde wereld, nooit tussen werelden. Plaats: 1 is de \
                     laagste gemiddelde contante waarde van de uitgaven in die wereld."
            .to_string(),
    };
    Some(Table {
        title: lang.t("The strategies in each world", "De strategieën in elke wereld").to_string(),
        header,
        rows,
        labels: 1,
        note: Some(note),
    })
}

/// Whether strategy `a` costs less than `b` on average in world `d`: `Some(true)` or
/// `Some(false)` when their mean difference in present value of spend (paired, on the same
/// futures) is beyond twice its Monte Carlo standard error, `None` when it is not settled.
fn cheaper(d: &ReportData, a: usize, b: usize) -> Option<bool> {
    let c = super::answer::Comparison::of(d, a, b);
    (c.mean.abs() > 2.0 * c.mcse).then_some(c.mean > 0.0)
}

/// Whether the answer holds in the other worlds: the ranking of each world by mean present
/// value of spend, and every pair of strategies whose order is reversed between two worlds
/// where both differences are beyond twice their Monte Carlo error. A pair within that
/// error in a world is said to be unsettled there, not reversed.
pub(crate) fn answer(d: &ReportData, lang: Lang) -> Option<Answered> {
    if d.worlds.is_empty() || d.strategies() < 2 {
        return None;
    }
    let worlds = all(d);
    let ranks: Vec<Vec<usize>> = worlds.iter().map(|(_, wd)| ranking(wd)).collect();
    let question = lang
        .t(
            "Does the ranking of the strategies hold in the other states of the world?",
            "Blijft de rangorde van de strategieën staan in de andere toestanden van de wereld?",
        )
        .to_string();
    let n = d.strategies();
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect();
    let settled: Vec<Vec<Option<bool>>> =
        worlds.iter().map(|(_, wd)| pairs.iter().map(|&(a, b)| cheaper(wd, a, b)).collect()).collect();
    let reversed: Vec<(usize, usize)> = pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let signs: Vec<bool> = settled.iter().filter_map(|w| w[*i]).collect();
            signs.iter().any(|&x| x) && signs.iter().any(|&x| !x)
        })
        .map(|(_, &p)| p)
        .collect();
    // Semicolons: strategy names may hold commas.
    let names = |rank: &[usize]| rank.iter().map(|&k| d.label(k, lang).to_string()).collect::<Vec<_>>().join("; ");
    let all_worlds = match (lang, worlds.len()) {
        (Lang::En, 2) => "both worlds".to_string(),
        (Lang::Nl, 2) => "beide werelden".to_string(),
        (Lang::En, k) => format!("all {k} worlds"),
        (Lang::Nl, k) => format!("alle {k} werelden"),
    };
    let mut sentences = Vec::new();
    if reversed.is_empty() {
        sentences.push(match lang {
            Lang::En => format!(
                "Yes: in {all_worlds} the strategies keep their order by mean present value of spend wherever the \
                 difference is beyond twice its Monte Carlo error."
            ),
            Lang::Nl => format!(
                "Ja: in {all_worlds} houden de strategieën hun volgorde naar gemiddelde contante waarde van de \
                 uitgaven, overal waar het verschil groter is dan tweemaal de Monte-Carlofout."
            ),
        });
    } else {
        sentences.push(
            lang.t(
                "No: ranked by mean present value of spend, the order of some strategies reverses between the worlds \
                 (each difference beyond twice its Monte Carlo error):",
                "Nee: gerangschikt naar de gemiddelde contante waarde van de uitgaven draait de volgorde van \
                 sommige strategieën om tussen de werelden (elk verschil groter dan tweemaal de Monte-Carlofout):",
            )
            .to_string(),
        );
        for &(a, b) in &reversed {
            let i = pairs.iter().position(|&p| p == (a, b)).unwrap_or(0);
            let side = |cheap: bool| {
                worlds
                    .iter()
                    .zip(&settled)
                    .filter(|(_, w)| w[i] == Some(cheap))
                    .map(|((w, _), _)| quoted(w, lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (x, y) = (d.label(a, lang), d.label(b, lang));
            sentences.push(match lang {
                Lang::En => format!("{x} costs less than {y} in {}, more in {}.", side(true), side(false)),
                Lang::Nl => format!("{x} kost minder dan {y} in {}, meer in {}.", side(true), side(false)),
            });
        }
    }
    for ((w, wd), (rank, settled)) in worlds.iter().zip(ranks.iter().zip(&settled)) {
        let open: Vec<String> = pairs
            .iter()
            .zip(settled)
            .filter(|(_, s)| s.is_none())
            .map(|(&(a, b), _)| format!("{} / {}", wd.label(a, lang), wd.label(b, lang)))
            .collect();
        let unsettled = match (lang, open.is_empty()) {
            (_, true) => String::new(),
            (Lang::En, false) => {
                format!(" (not settled, within twice the Monte Carlo error of each other: {})", open.join("; "))
            }
            (Lang::Nl, false) => {
                format!(" (niet beslist, binnen tweemaal de Monte-Carlofout van elkaar: {})", open.join("; "))
            }
        };
        sentences.push(match lang {
            Lang::En => format!("In {}, from the cheapest on average: {}{unsettled}.", quoted(w, lang), names(rank)),
            Lang::Nl => {
                format!("In {}, van gemiddeld goedkoop naar duur: {}{unsettled}.", quoted(w, lang), names(rank))
            }
        });
    }
    for (w, _) in worlds.iter().skip(1) {
        sentences.push(signing_sentence(w, lang));
    }
    Some(Answered { question, sentences })
}

/// What a variant's contracts were priced on.
fn signing_sentence(w: &World, lang: Lang) -> String {
    let name = quoted(w, lang);
    match (w.known_at_signing, lang) {
        (false, Lang::En) => format!(
            "{name} comes as a surprise: prices, lump sums, task budget lines and investor baselines were set on the \
             file's own expectations."
        ),
        (false, Lang::Nl) => format!(
            "{name} komt als verrassing: prijzen, lumpsums, budgetregels van taakgerichte contracten en de \
             referentiewaarden van investeerders zijn vastgesteld op de verwachtingen van het bestand zelf."
        ),
        (true, Lang::En) => {
            format!("{name} was known at signing: prices, lump sums and budget lines were set on its own expectations.")
        }
        (true, Lang::Nl) => format!(
            "{name} was bij de ondertekening bekend: prijzen, lumpsums en budgetregels zijn vastgesteld op de \
             verwachtingen van die wereld."
        ),
    }
}

/// The sentence that opens the answer to a question asked in a variant's world.
pub(crate) fn asked_in(w: &World, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Answered in the world {}: every strategy simulated in it on the same futures, and compared within it.",
            quoted(w, lang)
        ),
        Lang::Nl => format!(
            "Beantwoord in de wereld {}: elke strategie daarin gesimuleerd op dezelfde toekomsten, en daarbinnen \
             vergeleken.",
            quoted(w, lang)
        ),
    }
}
