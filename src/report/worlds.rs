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

/// Whether the answer holds in the other worlds: the cheapest strategy on average in each,
/// and whether the whole ranking is the same.
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
    let mut sentences = Vec::new();
    let names = |rank: &[usize]| rank.iter().map(|&k| d.label(k, lang).to_string()).collect::<Vec<_>>().join(", ");
    if ranks.iter().all(|r| *r == ranks[0]) {
        sentences.push(match lang {
            Lang::En => format!(
                "Yes: ranked by mean present value of spend, from the cheapest, the strategies come in the same order \
                 in {}: {}.",
                if worlds.len() == 2 { "both worlds".to_string() } else { format!("all {} worlds", worlds.len()) },
                names(&ranks[0])
            ),
            Lang::Nl => format!(
                "Ja: gerangschikt naar de gemiddelde contante waarde van de uitgaven, van goedkoop naar duur, staan de \
                 strategieën in {} in dezelfde volgorde: {}.",
                if worlds.len() == 2 {
                    "beide werelden".to_string()
                } else {
                    format!("alle {} werelden", worlds.len())
                },
                names(&ranks[0])
            ),
        });
    } else {
        sentences.push(
            lang.t(
                "No: ranked by mean present value of spend, the order of the strategies differs between the worlds.",
                "Nee: gerangschikt naar de gemiddelde contante waarde van de uitgaven verschilt de volgorde van de \
                 strategieën tussen de werelden.",
            )
            .to_string(),
        );
        for ((w, _), rank) in worlds.iter().zip(&ranks) {
            sentences.push(match lang {
                Lang::En => format!("In {}, from the cheapest: {}.", quoted(w, lang), names(rank)),
                Lang::Nl => format!("In {}, van goedkoop naar duur: {}.", quoted(w, lang), names(rank)),
            });
        }
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
