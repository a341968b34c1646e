//! The finance officer's headline tables as data (title, header, rows of text), shared by
//! the Markdown summaries and the HTML report: the horizon figures per strategy, yearly
//! spend, the prudent budget (P90), the chance of exceeding the budget line, caseload.

use super::data::{ReportData, Stat};
use super::lang::Lang;
use crate::metrics::{Horizon, Yearly};

/// A table of formatted cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Table {
    /// Heading above the table.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells, as wide as the header.
    pub rows: Vec<Vec<String>>,
    /// Leading columns that label a row (strategy, figure) rather than hold a figure; 0
    /// means 1.
    pub labels: usize,
    /// A note under the table: what its statistics are and what they rest on.
    pub note: Option<String>,
}

/// Years of a meerjarenraming: the budget year and the three after it.
pub(crate) const MEERJAREN: usize = 4;

/// The years shown in the yearly tables (indices): the four years of the meerjarenraming
/// (start year … start + 3), then every fifth year, and the last.
pub(crate) fn shown_years(d: &ReportData) -> Vec<usize> {
    shown_years_of(d.meta.horizon_years)
}

/// [`shown_years`] for a horizon of `n` years.
pub(crate) fn shown_years_of(n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n.min(MEERJAREN)).collect();
    v.extend((5..n).step_by(5));
    if n > 0 && v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// The sentence above the tables.
pub(crate) fn lead(d: &ReportData, lang: Lang) -> String {
    let how = mcse_basis(d, lang);
    let sketched = match (Percentiles::of(d), lang) {
        (Percentiles::Sketched, Lang::En) => {
            " Percentiles are approximated to within 0.1% (not every run fitted in the memory for exact percentiles)."
        }
        (Percentiles::Sketched, Lang::Nl) => {
            " Percentielen zijn benaderd tot op 0,1% (niet alle simulaties pasten in het geheugen voor exacte \
             percentielen)."
        }
        _ => "",
    };
    match lang {
        Lang::En => format!(
            "Baseline: {}. Figures are medians with the 90% band (5th to 95th percentile) unless said otherwise; ± is \
             the Monte Carlo standard error{how}.{sketched}",
            d.label(d.baseline(), lang)
        ),
        Lang::Nl => format!(
            "Basis: {}. Bedragen zijn medianen met de 90%-band (5e tot 95e percentiel), tenzij anders vermeld; ± is de \
             Monte-Carlo-standaardfout{how}.{sketched}",
            d.label(d.baseline(), lang)
        ),
    }
}

/// How a results folder's percentiles were computed (`meta.json`: `quantiles`,
/// `sketched_metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Percentiles {
    /// Every one exact.
    Exact,
    /// Exact but for the metrics of `sketched_metrics` in `yearly.csv`, which no report
    /// shows.
    Mixed,
    /// Every one from sketches (within 0.1%).
    Sketched,
}

impl Percentiles {
    pub(crate) fn of(d: &ReportData) -> Self {
        if d.meta.quantiles.starts_with("sketch") {
            Percentiles::Sketched
        } else if d.meta.sketched_metrics.is_empty() {
            Percentiles::Exact
        } else {
            Percentiles::Mixed
        }
    }

    /// A line for the workbook's `about` sheet.
    pub(crate) fn describe(d: &ReportData, lang: Lang) -> String {
        let list = d.meta.sketched_metrics.join(", ");
        match (Percentiles::of(d), lang) {
            (Percentiles::Exact, Lang::En) => "exact (every run kept)".into(),
            (Percentiles::Exact, Lang::Nl) => "exact (alle simulaties bewaard)".into(),
            (Percentiles::Mixed, Lang::En) => format!(
                "exact (every run kept), but in the sheet yearly for {list}: approximated to within 0.1% (not every \
                 run fitted in the memory for exact percentiles)"
            ),
            (Percentiles::Mixed, Lang::Nl) => format!(
                "exact (alle simulaties bewaard), behalve in het blad jaarcijfers voor {list}: benaderd tot op 0,1% \
                 (niet alle simulaties pasten in het geheugen voor exacte percentielen)"
            ),
            (Percentiles::Sketched, Lang::En) => "approximated to within 0.1% (not every run fitted in the memory for \
                                                  exact percentiles); exact for figures with at most 64 distinct values"
                .into(),
            (Percentiles::Sketched, Lang::Nl) => "benaderd tot op 0,1% (niet alle simulaties pasten in het geheugen \
                                                  voor exacte percentielen); exact voor cijfers met hooguit 64 \
                                                  verschillende waarden"
                .into(),
        }
    }
}

/// How the standard errors were measured, when the runs came in replicates (`run
/// --sampling lhs|sobol`): a clause that follows "the Monte Carlo standard error".
pub(crate) fn mcse_basis(d: &ReportData, lang: Lang) -> String {
    let s = &d.meta.sampling;
    let design = match (s.method.as_str(), lang) {
        ("lhs", Lang::En) => "Latin hypercube sampling",
        ("lhs", Lang::Nl) => "Latin-hypercube-steekproef",
        ("sobol", Lang::En) => "scrambled Sobol' points",
        ("sobol", Lang::Nl) => "gerandomiseerde Sobol'-punten",
        _ => return String::new(),
    };
    match lang {
        Lang::En => format!(
            ", measured from the spread of the means of {} independent replicates of {} runs ({design})",
            s.replicates, s.replicate_runs
        ),
        Lang::Nl => format!(
            ", bepaald uit de spreiding van de gemiddelden van {} onafhankelijke herhalingen van {} simulaties ({design})",
            s.replicates, s.replicate_runs
        ),
    }
}

/// The headline tables, in the order the reports show them.
pub(crate) fn headline_tables(d: &ReportData, lang: Lang) -> Vec<Table> {
    let mut out = vec![horizon_table(d, lang)];
    out.extend(super::worlds::table(d, lang));
    out.extend(meerjarenraming_tables(d, lang));
    out.extend([spend_table(d, lang), prudent_budget_table(d, lang)]);
    out.extend(budget_overrun_table(d, lang));
    out.push(caseload_table(d, lang));
    if super::headline::has_waiting(d) {
        out.push(waiting_table(d, lang));
        out.push(waiting_by_year_table(d, lang));
    }
    out.push(provider_table(d, lang));
    out.extend(investor_table(d, lang));
    out.extend(societal_table(d, lang));
    out.extend(reserve_tables(d, lang));
    out.extend(super::region::table(d, lang));
    out
}

/// The figures over the whole horizon per strategy: NPV of spend, the saving and how sure
/// it is, break-even and the cost per success.
fn horizon_table(d: &ReportData, lang: Lang) -> Table {
    let m = &d.meta;
    let last = m.end_year();
    let header: Vec<String> = match lang {
        Lang::En => vec![
            "strategy".into(),
            "NPV of spend".into(),
            "saving vs baseline (NPV, mean)".into(),
            "P(cheaper than baseline)".into(),
            "P(cheapest)".into(),
            "break-even year (median)".into(),
            format!("P(break even by {last})"),
            "cost per success (median, undiscounted)".into(),
            "extra cost per extra success vs baseline (discounted, ratio of means)".into(),
        ],
        Lang::Nl => vec![
            "strategie".into(),
            "contante waarde uitgaven".into(),
            "besparing t.o.v. basis (contant, gemiddeld)".into(),
            "P(goedkoper dan basis)".into(),
            "P(goedkoopste)".into(),
            "terugverdienjaar (mediaan)".into(),
            format!("P(terugverdiend t/m {last})"),
            "kosten per geslaagd traject (mediaan, niet contant)".into(),
            "meerkosten per extra geslaagd traject (contant)".into(),
        ],
    };
    Table {
        title: format!("{} {} {}", lang.t("Over", "Over"), m.horizon_years, lang.t("years", "jaar")),
        header,
        rows: (0..d.strategies()).map(|k| horizon_row(d, k, lang)).collect(),
        note: Some(incremental_note(d, lang)),
        ..Table::default()
    }
}

/// The extra cost per extra success of a strategy against the baseline, from the mean
/// extra NPV of spend `delta_cost` and the mean extra discounted successes `delta_successes`
/// with its Monte Carlo standard error (docs/model.md section 14).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Incremental {
    /// The baseline itself.
    Baseline,
    /// The extra successes are within 2 MCSE of zero, or fewer than 1: no ratio.
    Undetermined,
    /// Cheaper and more successes.
    Dominates,
    /// Dearer and fewer successes.
    Dominated,
    /// Dearer and more successes: euros per extra success.
    CostPerExtra(f64),
    /// Cheaper and fewer successes: euros saved per success fewer.
    SavingPerFewer(f64),
}

impl Incremental {
    /// Classifies `delta_cost / delta_successes`.
    pub(crate) fn of(delta_cost: f64, delta_successes: f64, mcse: f64) -> Self {
        if !delta_cost.is_finite() || !delta_successes.is_finite() {
            return Incremental::Undetermined;
        }
        if delta_successes.abs() < 1.0 || delta_successes.abs() <= 2.0 * mcse.max(0.0) {
            return Incremental::Undetermined;
        }
        match (delta_cost <= 0.0, delta_successes > 0.0) {
            (true, true) => Incremental::Dominates,
            (false, false) => Incremental::Dominated,
            (false, true) => Incremental::CostPerExtra(delta_cost / delta_successes),
            (true, false) => Incremental::SavingPerFewer(delta_cost / delta_successes),
        }
    }

    /// For strategy `k` of the results: the mean extra NPV of spend (minus the mean NPV
    /// saving) over the mean gain in discounted successes.
    pub(crate) fn of_strategy(d: &ReportData, k: usize) -> Self {
        if k == d.baseline() {
            return Incremental::Baseline;
        }
        let delta_cost = -d.horizon(k, Horizon::NpvSavingVsBaseline).mean;
        match d.successes.get(k) {
            Some((_, gain)) => Incremental::of(delta_cost, gain.mean, gain.mcse),
            None => Incremental::Undetermined,
        }
    }

    /// The table cell.
    pub(crate) fn text(self, lang: Lang) -> String {
        match self {
            Incremental::Baseline | Incremental::Undetermined => "–".into(),
            Incremental::Dominates => lang.t("dominates (cheaper and better)", "dominant (goedkoper en beter)").into(),
            Incremental::Dominated => {
                lang.t("dominated (dearer and worse)", "gedomineerd (duurder en slechter)").into()
            }
            Incremental::CostPerExtra(x) => lang.eur(x),
            Incremental::SavingPerFewer(x) => match lang {
                Lang::En => format!("{} saved per success fewer", lang.eur(x)),
                Lang::Nl => format!("{} bespaard per geslaagd traject minder", lang.eur(x)),
            },
        }
    }
}

/// The note under the horizon table: how the extra cost per extra success is computed.
fn incremental_note(d: &ReportData, lang: Lang) -> String {
    let rate = lang.num(d.meta.discount_rate * 100.0, 2);
    match lang {
        Lang::En => format!(
            "Extra cost per extra success: the mean extra present value of spend against the baseline divided by the \
             mean extra successes, discounted the same way ({rate}% a year, year 0 the start year); a ratio of means, \
             not a median. \"–\" where the extra successes are within 2 standard errors of zero or fewer than 1; \
             \"dominates\": cheaper with more successes on average; \"dominated\": dearer with fewer. Fewer \
             successes can mean fewer children needed care (prevention), not worse care."
        ),
        Lang::Nl => format!(
            "Meerkosten per extra geslaagd traject: de gemiddelde extra contante waarde van de uitgaven t.o.v. de \
             basis gedeeld door het gemiddelde aantal extra geslaagde trajecten, op dezelfde manier contant gemaakt \
             ({rate}% per jaar, jaar 0 is het startjaar); een verhouding van gemiddelden, geen mediaan. \"–\" waar de \
             extra geslaagde trajecten binnen 2 standaardfouten van nul liggen of minder dan 1 zijn; \"dominant\": \
             gemiddeld goedkoper met meer geslaagde trajecten; \"gedomineerd\": duurder met minder. Minder geslaagde \
             trajecten kan betekenen dat minder kinderen zorg nodig hadden (preventie), niet dat de zorg slechter was."
        ),
    }
}

/// The spend components a controller books as incidental (incidenteel): prevention
/// programmes (they run for their programme years), the transition payments and emergency
/// premiums of provider failures, corridor settlements and outcome advances. The other
/// components of spend (care and outcome payments, investor payments, administration) are
/// structural (docs/model.md section 14).
pub(crate) const INCIDENTAL: [Yearly; 5] = [
    Yearly::PreventionCost,
    Yearly::FailureCost,
    Yearly::EmergencyPremium,
    Yearly::RiskSharingTransfer,
    Yearly::OutcomeAdvance,
];

/// The mean incidental part of strategy `k`'s spend in year `t`: the sum of the means of
/// the [`INCIDENTAL`] components (means add up; medians would not).
pub(crate) fn incidental_mean(d: &ReportData, k: usize, t: usize) -> f64 {
    INCIDENTAL.iter().map(|&m| yearly_mean(d, k, m, t)).sum()
}

/// The structural components of spend: the other four of the nine.
pub(crate) const STRUCTURAL: [Yearly; 4] =
    [Yearly::CarePayments, Yearly::OutcomePayments, Yearly::InvestorPayments, Yearly::AdminCost];

/// The mean structural part of strategy `k`'s spend in year `t`: the sum of the means of
/// the [`STRUCTURAL`] components, so that with [`incidental_mean`] it adds up to mean spend
/// (the nine components add up to spend in every run).
pub(crate) fn structural_mean(d: &ReportData, k: usize, t: usize) -> f64 {
    STRUCTURAL.iter().map(|&m| yearly_mean(d, k, m, t)).sum()
}

/// A row of the meerjarenraming: what it shows and its figure in year `t` (nominal euros).
pub(crate) struct MeerjarenRow {
    /// Strategy index.
    pub strategy: usize,
    /// The figure's label.
    pub figure: String,
    /// Its value in year index `t`, nominal.
    pub value: Box<dyn Fn(usize) -> f64 + Send + Sync>,
}

/// The rows of the meerjarenraming, per strategy: P50, the behoedzame raming (P90), and
/// with a budget line the line and the structural gap (P50 − line), then the risk reserve
/// (P90 − P50) and the mean incidental and structural parts. The figures of `budget.csv`,
/// computed as it computes them.
pub(crate) fn meerjarenraming_rows(d: &ReportData, lang: Lang) -> Vec<MeerjarenRow> {
    let mut rows = Vec::new();
    let budget = d.has_budget();
    for k in 0..d.strategies() {
        let p50: Vec<f64> = d.spend_p50(k).to_vec();
        let p90: Vec<f64> = d.spend_p90(k).to_vec();
        let line: Vec<f64> = d.budget_line_of(k).to_vec();
        let at = |v: &[f64], t: usize| v.get(t).copied().unwrap_or(f64::NAN);
        let mut push = |figure: &str, f: Box<dyn Fn(usize) -> f64 + Send + Sync>| {
            rows.push(MeerjarenRow { strategy: k, figure: figure.to_string(), value: f });
        };
        let (a, b) = (p50.clone(), p90.clone());
        push(lang.t("P50 (median)", "P50 (mediaan)"), Box::new(move |t| at(&a, t)));
        push(lang.t("prudent estimate (P90)", "behoedzame raming (P90)"), Box::new(move |t| at(&b, t)));
        if budget {
            let l = line.clone();
            push(lang.t("budget line", "begroting"), Box::new(move |t| at(&l, t)));
            let (a, l) = (p50.clone(), line.clone());
            push(
                lang.t("structural gap (P50 − budget line)", "structureel tekort (P50 − begroting)"),
                Box::new(move |t| at(&a, t) - at(&l, t)),
            );
        }
        let (a, b) = (p50.clone(), p90.clone());
        push(lang.t("risk reserve (P90 − P50)", "risicoreserve (P90 − P50)"), Box::new(move |t| at(&b, t) - at(&a, t)));
        let inc: Vec<f64> = (0..d.meta.horizon_years).map(|t| incidental_mean(d, k, t)).collect();
        let str_: Vec<f64> = (0..d.meta.horizon_years).map(|t| structural_mean(d, k, t)).collect();
        push(
            lang.t("mean spend: incidental part", "gemiddelde uitgaven: incidenteel deel"),
            Box::new(move |t| at(&inc, t)),
        );
        push(
            lang.t("mean spend: structural part", "gemiddelde uitgaven: structureel deel"),
            Box::new(move |t| at(&str_, t)),
        );
    }
    rows
}

/// The meerjarenraming in nominal euros and in constant prices of the start year.
fn meerjarenraming_tables(d: &ReportData, lang: Lang) -> Vec<Table> {
    let shown = shown_years(d);
    let start = d.meta.start_year;
    let deflator = d.price_deflator();
    let rows = meerjarenraming_rows(d, lang);
    let mut header = vec![lang.t("strategy", "strategie").to_string(), lang.t("figure", "grootheid").to_string()];
    header.extend(shown.iter().map(|&t| (start + t as i32).to_string()));
    let table = |real: bool| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                let mut row = vec![d.label(r.strategy, lang).to_string(), r.figure.clone()];
                row.extend(shown.iter().map(|&t| {
                    let x = (r.value)(t) / if real { deflator[t] } else { 1.0 };
                    lang.num(x / 1e6, 1)
                }));
                row
            })
            .collect()
    };
    let rate = d.meta.inputs.iter().find(|i| i.path == "economy.cost_inflation").map_or(0.0, |i| i.mean);
    let common = match lang {
        Lang::En => {
            "P50 and P90 are percentiles of the year's spend over the simulated futures (P90: not exceeded in 9 \
                     of 10). Structural gap: P50 less the budget line (negative: room below the line), for the \
                     meerjarenraming; risk reserve: P90 less P50, for the risk paragraph. Incidental part: the mean \
                     (not the median) of prevention programme costs, transition payments and emergency premiums at \
                     provider failures, corridor settlements and outcome advances; structural part: the mean of care \
                     and outcome payments, investor payments and administration. The two add up to mean spend, not \
                     to P50."
        }
        Lang::Nl => {
            "P50 en P90 zijn percentielen van de uitgaven van het jaar over de gesimuleerde toekomsten (P90: in 9 \
                     van de 10 niet overschreden). Structureel tekort: P50 min de begroting (negatief: ruimte onder de \
                     begroting), voor de meerjarenraming; risicoreserve: P90 min P50, voor de risicoparagraaf. \
                     Incidenteel deel: het gemiddelde (niet de mediaan) van preventieprogramma's, transitiekosten en \
                     noodpremies bij uitval van aanbieders, verrekeningen van de risicocorridor en voorschotten op \
                     resultaatbetalingen; structureel deel: het gemiddelde van zorg- en resultaatbetalingen, \
                     betalingen aan investeerders en uitvoeringskosten. Samen zijn ze de gemiddelde uitgaven, niet de \
                     P50."
        }
    };
    let real_note = match lang {
        Lang::En => format!(
            "{common} Amounts in {start} prices: the nominal amount of year t divided by the expected cost index \
             (1 + {}%)^(t − {start}), the same in every future, so each percentile is the nominal percentile divided \
             by it.",
            lang.num(rate * 100.0, 2)
        ),
        Lang::Nl => format!(
            "{common} Bedragen in prijspeil {start}: het nominale bedrag van jaar t gedeeld door de verwachte \
             kostenindex (1 + {}%)^(t − {start}), in elke toekomst dezelfde, zodat elk percentiel het nominale \
             percentiel gedeeld door die index is.",
            lang.num(rate * 100.0, 2)
        ),
    };
    vec![
        Table {
            title: lang
                .t(
                    "Multi-year budget (meerjarenraming), nominal (EUR mln, prices of each year)",
                    "Meerjarenraming, nominaal (€ mln, prijspeil van elk jaar)",
                )
                .to_string(),
            header: header.clone(),
            rows: table(false),
            labels: 2,
            note: Some(common.to_string()),
        },
        Table {
            title: match lang {
                Lang::En => {
                    format!("Multi-year budget (meerjarenraming) in {start} prices (EUR mln, prijspeil {start})")
                }
                Lang::Nl => format!("Meerjarenraming in prijspeil {start} (€ mln)"),
            },
            header,
            rows: table(true),
            labels: 2,
            note: Some(real_note),
        },
    ]
}

/// A strategy's row of [`horizon_table`]; the comparisons with the baseline are dashes in
/// the baseline's own row.
fn horizon_row(d: &ReportData, k: usize, lang: Lang) -> Vec<String> {
    let npv = d.horizon(k, Horizon::NpvSpend);
    let saving = d.horizon(k, Horizon::NpvSavingVsBaseline);
    let (be, pbe, cheaper, saving_text) = if k == d.baseline() {
        (lang.t("(baseline)", "(basis)").to_string(), "–".to_string(), "–".to_string(), "–".to_string())
    } else {
        (
            lang.year(d.horizon(k, Horizon::BreakEvenYear).p50()),
            super::answer::share(d.horizon(k, Horizon::PBreakEven).mean, lang),
            super::answer::share(d.horizon(k, Horizon::PCheaperThanBaseline).mean, lang),
            super::answer::with_mcse(saving.mean, saving.mcse, lang),
        )
    };
    vec![
        d.label(k, lang).to_string(),
        format!("{} ({} – {})", lang.mln(npv.p50()), lang.mln(npv.p5()), lang.mln(npv.p95())),
        saving_text,
        cheaper,
        super::answer::share(d.horizon(k, Horizon::PCheapest).mean, lang),
        be,
        pbe,
        lang.eur(d.horizon(k, Horizon::CostPerSuccess).p50()),
        Incremental::of_strategy(d, k).text(lang),
    ]
}

/// A table of one cell per strategy and shown year ([`shown_years`]).
fn yearly_table(d: &ReportData, lang: Lang, title: String, cell: impl Fn(usize, usize) -> String) -> Table {
    let shown = shown_years(d);
    let mut header = vec![lang.t("strategy", "strategie").to_string()];
    header.extend(shown.iter().map(|&t| (d.meta.start_year + t as i32).to_string()));
    let rows = (0..d.strategies())
        .map(|k| {
            let mut row = vec![d.label(k, lang).to_string()];
            row.extend(shown.iter().map(|&t| cell(k, t)));
            row
        })
        .collect();
    Table { title, header, rows, ..Table::default() }
}

/// The mean of a yearly metric of strategy `k` in year `t` (NaN when it is missing).
fn yearly_mean(d: &ReportData, k: usize, metric: Yearly, t: usize) -> f64 {
    d.yearly_or_empty(k, metric).get(t).map_or(f64::NAN, |s| s.mean)
}

/// A median with its 90% band in millions: "12,3 mln (10,1 – 14,8)".
fn median_band(lang: Lang, st: &Stat) -> String {
    format!("{} ({} – {})", lang.mln(st.p50()), lang.num(st.p5() / 1e6, 1), lang.num(st.p95() / 1e6, 1))
}

/// Yearly municipal spend: median and 90% band.
fn spend_table(d: &ReportData, lang: Lang) -> Table {
    let title =
        lang.t("Yearly municipal spend (median, 90% band)", "Jaarlijkse uitgaven van de gemeente (mediaan, 90%-band)");
    yearly_table(d, lang, title.to_string(), |k, t| match d.yearly_or_empty(k, Yearly::Spend).get(t) {
        Some(v) => median_band(lang, v),
        None => "–".into(),
    })
}

/// The prudent budget: the P90 of yearly spend.
fn prudent_budget_table(d: &ReportData, lang: Lang) -> Table {
    let title = lang.t(
        "Prudent budget: spend that is not exceeded in 9 of 10 futures (P90)",
        "Voorzichtige begroting: uitgaven die in 9 van de 10 toekomsten niet worden overschreden (P90)",
    );
    yearly_table(d, lang, title.to_string(), |k, t| lang.mln(d.spend_p90(k).get(t).copied().unwrap_or(f64::NAN)))
}

/// The chance that spend exceeds the budget line, when the scenario has one.
fn budget_overrun_table(d: &ReportData, lang: Lang) -> Option<Table> {
    let (true, Some(budget)) = (d.has_budget(), d.meta.budget_eur) else {
        return None;
    };
    let title = format!(
        "{} {})",
        lang.t(
            "Probability that spend exceeds the budget line (first year",
            "Kans dat de uitgaven boven de begroting uitkomen (eerste jaar"
        ),
        lang.mln(budget)
    );
    Some(yearly_table(d, lang, title, |k, t| {
        lang.pct(d.yearly_named(k, crate::metrics::BUDGET_OVERRUN).unwrap_or(&[]).get(t).map_or(f64::NAN, |s| s.mean))
    }))
}

/// Caseload: median active clients at the end of each shown year.
fn caseload_table(d: &ReportData, lang: Lang) -> Table {
    let title =
        lang.t("Caseload (median active clients at year end)", "Cliënten in zorg (mediaan, einde van het jaar)");
    yearly_table(d, lang, title.to_string(), |k, t| {
        lang.num(d.yearly_or_empty(k, Yearly::Caseload).get(t).map_or(f64::NAN, |s| s.p50()), 0)
    })
}

/// The waiting list by year: children waiting and the wait of those admitted.
fn waiting_by_year_table(d: &ReportData, lang: Lang) -> Table {
    let title = lang.t(
        "Waiting list (mean children waiting over the year; mean wait of those admitted, weeks)",
        "Wachtlijst (gemiddeld aantal wachtende kinderen over het jaar; gemiddelde wachttijd van wie werd opgenomen, weken)",
    );
    yearly_table(d, lang, title.to_string(), |k, t| {
        let q = yearly_mean(d, k, Yearly::Waiting, t);
        let w = yearly_mean(d, k, Yearly::WaitingWeeksMean, t);
        format!("{} ({} {})", lang.num(q, 0), lang.num(w, 1), lang.t("wk", "wk"))
    })
}

/// Waiting lists next to spend (only when some strategy has one): the saving, the mean
/// waiting list over the horizon, the mean and the share over the norm of the waits of
/// the admitted, and the drop-outs and escalations caused by waiting.
fn waiting_table(d: &ReportData, lang: Lang) -> Table {
    let header = match lang {
        Lang::En => vec![
            "strategy",
            "saving vs baseline (NPV, mean)",
            "children waiting (mean over the horizon)",
            "wait of the admitted (weeks, mean)",
            "share of admissions over the waiting norm",
            "drop-outs from waiting (a year, mean)",
            "escalations from waiting (a year, mean)",
        ],
        Lang::Nl => vec![
            "strategie",
            "besparing t.o.v. basis (contant, gemiddeld)",
            "wachtende kinderen (gemiddeld over de periode)",
            "wachttijd van wie instroomde (weken, gemiddeld)",
            "deel van de instromers boven de wachttijdnorm",
            "uitvallers van de wachtlijst (per jaar, gemiddeld)",
            "escalaties door wachten (per jaar, gemiddeld)",
        ],
    };
    let base = d.baseline();
    let per_year = |k: usize, metric: Yearly| {
        let s = d.yearly_or_empty(k, metric);
        if s.is_empty() { f64::NAN } else { s.iter().map(|x| x.mean).sum::<f64>() / s.len() as f64 }
    };
    let rows = (0..d.strategies())
        .map(|k| {
            vec![
                d.label(k, lang).to_string(),
                if k == base { "–".into() } else { lang.mln(d.horizon(k, Horizon::NpvSavingVsBaseline).mean) },
                lang.num(d.horizon(k, Horizon::WaitingMean).mean, 0),
                lang.num(d.horizon(k, Horizon::WaitingWeeksMean).mean, 1),
                lang.pct(d.horizon(k, Horizon::ShareWaitedOverNorm).mean),
                lang.num(per_year(k, Yearly::DropoutsFromWaiting), 0),
                lang.num(per_year(k, Yearly::EscalationsFromWaiting), 0),
            ]
        })
        .collect();
    Table {
        title: lang.t("Waiting lists next to spend", "Wachtlijsten naast de uitgaven").to_string(),
        header: header.into_iter().map(String::from).collect(),
        rows,
        ..Table::default()
    }
}

/// Benefits outside the youth-care budget (`[[societal_benefit]]`), next to, never inside,
/// the municipal saving; only when the scenario has them.
fn societal_table(d: &ReportData, lang: Lang) -> Option<Table> {
    d.metric(crate::metrics::SOCIETAL_BENEFIT)?;
    let header = match lang {
        Lang::En => vec![
            "strategy",
            "municipal saving vs baseline (NPV, mean)",
            "societal benefit outside the youth-care budget (NPV, median, 90% band)",
            "combined societal view (NPV, median, 90% band)",
            "societal benefit (NPV, mean)",
        ],
        Lang::Nl => vec![
            "strategie",
            "besparing gemeente t.o.v. basis (contant, gemiddeld)",
            "maatschappelijke baten buiten de begroting jeugdhulp (contant, mediaan, 90%-band)",
            "maatschappelijk saldo (contant, mediaan, 90%-band)",
            "maatschappelijke baten (contant, gemiddeld)",
        ],
    };
    let base = d.baseline();
    let rows = (0..d.strategies())
        .filter(|&k| k != base)
        .map(|k| {
            vec![
                d.label(k, lang).to_string(),
                lang.mln(d.horizon(k, Horizon::NpvSavingVsBaseline).mean),
                median_band(lang, d.horizon(k, Horizon::NpvSocietalBenefit)),
                median_band(lang, d.horizon(k, Horizon::NpvSocietalNet)),
                lang.mln(d.horizon(k, Horizon::NpvSocietalBenefit).mean),
            ]
        })
        .collect();
    Some(Table {
        title: lang
            .t(
                "Societal view: benefits outside the youth-care budget, reported apart from municipal spend",
                "Maatschappelijk perspectief: baten buiten de begroting jeugdhulp, apart van de gemeentelijke uitgaven",
            )
            .to_string(),
        header: header.into_iter().map(str::to_string).collect(),
        rows,
        ..Table::default()
    })
}

/// Sum over the years of the yearly mean of a metric (its expected total).
fn total_mean(d: &ReportData, k: usize, metric: Yearly) -> f64 {
    d.yearly_or_empty(k, metric).iter().map(|s| s.mean).sum()
}

/// Risk to providers: failures, their cost, providers' results and corridor transfers.
fn provider_table(d: &ReportData, lang: Lang) -> Table {
    let last = d.meta.end_year();
    let header = match lang {
        Lang::En => vec![
            "strategy".to_string(),
            format!("P(a provider fails by {last})"),
            "failures (mean)".into(),
            "failure costs (mean, total)".into(),
            "providers' result per year (median)".into(),
            "corridor transfers to providers (mean, total)".into(),
        ],
        Lang::Nl => vec![
            "strategie".to_string(),
            format!("P(een aanbieder zonder reserves t/m {last})"),
            "aanbieders zonder reserves (aantal, gemiddeld)".into(),
            "kosten van uitval van aanbieders (gemiddeld, totaal)".into(),
            "resultaat aanbieders per jaar (mediaan)".into(),
            "verrekening risicocorridor naar aanbieders (gemiddeld, totaal)".into(),
        ],
    };
    let rows = (0..d.strategies())
        .map(|k| {
            let result = d.yearly_or_empty(k, Yearly::ProviderResult);
            let median = result.iter().map(|s| s.p50()).sum::<f64>() / result.len().max(1) as f64;
            vec![
                d.label(k, lang).to_string(),
                super::answer::share(d.horizon(k, Horizon::PProviderFailure).mean, lang),
                lang.num(total_mean(d, k, Yearly::ProviderFailures), 2),
                lang.mln(total_mean(d, k, Yearly::FailureCost)),
                lang.mln(median),
                lang.mln(total_mean(d, k, Yearly::RiskSharingTransfer)),
            ]
        })
        .collect();
    Table { title: lang.t("Risk to providers", "Risico voor aanbieders").to_string(), header, rows, ..Table::default() }
}

/// Investor-financed prevention, when a strategy has it.
fn investor_table(d: &ReportData, lang: Lang) -> Option<Table> {
    let ks: Vec<usize> =
        (0..d.strategies()).filter(|&k| d.horizon(k, Horizon::InvestorMultiple).mean.is_finite()).collect();
    if ks.is_empty() {
        return None;
    }
    let header = match lang {
        Lang::En => vec![
            "strategy",
            "investor return, MIRR (median)",
            "multiple (median)",
            "P(investor loses money)",
            "paid for starts that would not have happened anyway (share of payments)",
            "paid to the investor (mean, total)",
        ],
        Lang::Nl => vec![
            "strategie",
            "rendement investeerder, MIRR (mediaan)",
            "multiple (mediaan)",
            "P(investeerder verliest geld)",
            "betaald voor starts die ook zonder programma waren weggebleven (deel van de betalingen)",
            "betaald aan de investeerder (gemiddeld, totaal)",
        ],
    };
    let rows = ks
        .iter()
        .map(|&k| {
            vec![
                d.label(k, lang).to_string(),
                lang.pct(d.horizon(k, Horizon::InvestorMirr).p50()),
                lang.num(d.horizon(k, Horizon::InvestorMultiple).p50(), 2),
                lang.pct(d.horizon(k, Horizon::PInvestorLoss).mean),
                lang.pct(d.horizon(k, Horizon::PaidForLuckShare).mean),
                lang.mln(total_mean(d, k, Yearly::InvestorPayments)),
            ]
        })
        .collect();
    Some(Table {
        title: lang
            .t(
                "Investor-financed prevention: paid per start below a baseline fixed at signing",
                "Preventie gefinancierd door een investeerder: betaling per start onder een vooraf vastgelegde basislijn",
            )
            .to_string(),
        header: header.into_iter().map(str::to_string).collect(),
        rows,
        ..Table::default()
    })
}

/// The required risk reserve (benodigde weerstandscapaciteit) by certainty, its split into
/// the structural gap and the risk reserve with the ratios to the available reserve, and
/// the rolling budget periods, when the scenario has a budget line.
fn reserve_tables(d: &ReportData, lang: Lang) -> Vec<Table> {
    if d.reserve_by_certainty.is_empty() {
        return Vec::new();
    }
    let mut out = vec![reserve_by_certainty_table(d, lang)];
    out.extend(reserve_split_table(d, lang));
    out.extend(rolling_periods_table(d, lang));
    out
}

/// A period in a language: `2026–2029` / `2026 t/m 2029`.
fn period(lang: Lang, (first, last): (i32, i32)) -> String {
    match lang {
        Lang::En => format!("{first}–{last}"),
        Lang::Nl => format!("{first} t/m {last}"),
    }
}

/// A ratio to the available reserve: two decimals, `∞` when nothing is needed, `–` without
/// an available reserve.
fn ratio_text(lang: Lang, ratio: f64) -> String {
    match ratio {
        r if r.is_nan() => "–".into(),
        r if r.is_finite() => lang.num(r, 2),
        _ => "∞".into(),
    }
}

/// A class letter with its meaning, `–` when there is none.
fn class_text(lang: Lang, letter: &str, ratio: f64) -> String {
    if letter.is_empty() {
        return "–".into();
    }
    let class = crate::stats::reserve::RatioClass::of(ratio);
    let meaning = match lang {
        Lang::En => class.meaning(),
        Lang::Nl => class.betekenis(),
    };
    format!("{letter} ({meaning})")
}

/// The first budget period at the scenario's certainties: the required reserve on the
/// budget line as it is, its split into the structural gap (for the meerjarenraming) and
/// the risk reserve (for the weerstandscapaciteit), and the ratio of the available reserve
/// to each with its class (docs/model.md section 13, "What a controller puts where").
fn reserve_split_table(d: &ReportData, lang: Lang) -> Option<Table> {
    let start = d.meta.start_year;
    let first: Vec<&super::data::PeriodReserve> = d.periods.iter().filter(|r| r.years.0 == start).collect();
    let years = first.first()?.years;
    let header = match lang {
        Lang::En => vec![
            "strategy",
            "certainty",
            "required reserve (budget line as it is)",
            "structural gap, sum over the period (into the meerjarenraming)",
            "risk reserve (weerstandscapaciteit)",
            "available",
            "ratio on the required reserve",
            "class (A ≥ 2.0 … F < 0.6)",
            "ratio on the risk reserve",
            "class of the risk ratio",
        ],
        Lang::Nl => vec![
            "strategie",
            "zekerheid",
            "benodigd (begroting ongewijzigd)",
            "structureel tekort, som over de periode (naar de meerjarenraming)",
            "risicoreserve (benodigde weerstandscapaciteit)",
            "beschikbaar",
            "ratio op het benodigde",
            "klasse (A ≥ 2,0 … F < 0,6)",
            "ratio op de risicoreserve",
            "klasse van de risicoratio",
        ],
    };
    let rows = first
        .iter()
        .map(|r| {
            vec![
                d.label(r.strategy, lang).to_string(),
                format!("{}%", lang.num(r.certainty * 100.0, 0)),
                lang.mln(r.required),
                lang.mln(r.structural_gap),
                lang.mln(r.risk_reserve),
                lang.mln(r.available),
                ratio_text(lang, r.ratio),
                class_text(lang, &r.class, r.ratio),
                ratio_text(lang, r.risk_ratio),
                class_text(lang, &r.risk_class, r.risk_ratio),
            ]
        })
        .collect();
    let p = period(lang, years);
    Some(Table {
        title: match lang {
            Lang::En => format!(
                "Reserve split for {p}: the structural gap belongs in the meerjarenraming, the risk reserve in the risk \
                 paragraph (ratio weerstandsvermogen)"
            ),
            Lang::Nl => format!(
                "Splitsing van de benodigde weerstandscapaciteit {p}: het structurele tekort hoort in de \
                 meerjarenraming, de risicoreserve in de risicoparagraaf (ratio weerstandsvermogen)"
            ),
        },
        header: header.into_iter().map(str::to_string).collect(),
        rows,
        labels: 1,
        note: Some(match lang {
            Lang::En => {
                "Required reserve: the percentile at the certainty of the period's summed overrun of the budget \
                         line (each year's spend above the line; an underspend does not offset another year). \
                         Structural gap: the sum of the years' P50 of spend less the line. Risk reserve: the \
                         percentile at the certainty less the median (P50) of that summed overrun: what is still \
                         needed once the median overrun is budgeted."
                    .to_string()
            }
            Lang::Nl => {
                "Benodigd: het percentiel bij de zekerheid van de opgetelde overschrijding van de begroting over \
                         de periode (per jaar de uitgaven boven de begroting; een onderschrijding compenseert geen \
                         ander jaar). Structureel tekort: de som over de jaren van de P50 van de uitgaven min de \
                         begroting. Risicoreserve: het percentiel bij de zekerheid min de mediaan (P50) van die \
                         opgetelde overschrijding: wat nog nodig is als de mediane overschrijding is begroot."
                    .to_string()
            }
        }),
    })
}

/// The rolling budget periods (`reserve.csv`), per strategy at each of the scenario's
/// certainties: the first period's risk reserve, the period whose risk reserve is largest,
/// that risk reserve, the required reserve of that period and the ratio of the available
/// reserve to its risk reserve.
fn rolling_periods_table(d: &ReportData, lang: Lang) -> Option<Table> {
    let start = d.meta.start_year;
    let starts: Vec<i32> = {
        let mut v: Vec<i32> = d.periods.iter().map(|r| r.years.0).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if starts.len() < 2 {
        return None;
    }
    let mut certainties: Vec<f64> = d.periods.iter().map(|r| r.certainty).collect();
    certainties.sort_by(f64::total_cmp);
    certainties.dedup();
    let (first, last) = (starts[0], *starts.last().unwrap_or(&start));
    let header = match lang {
        Lang::En => vec![
            "strategy".to_string(),
            "certainty".into(),
            "risk reserve, first period".into(),
            "period with the largest risk reserve".into(),
            "its risk reserve".into(),
            "its required reserve (budget line as it is)".into(),
            "ratio on its risk reserve".into(),
        ],
        Lang::Nl => vec![
            "strategie".to_string(),
            "zekerheid".into(),
            "risicoreserve, eerste periode".into(),
            "periode met de grootste risicoreserve".into(),
            "die risicoreserve".into(),
            "benodigd in die periode (begroting ongewijzigd)".into(),
            "ratio op die risicoreserve".into(),
        ],
    };
    let mut rows = Vec::new();
    for k in 0..d.strategies() {
        for &c in &certainties {
            let mine: Vec<&super::data::PeriodReserve> =
                d.periods.iter().filter(|r| r.strategy == k && r.certainty == c).collect();
            let Some(first_row) = mine.iter().find(|r| r.years.0 == first) else { continue };
            // The first of equal maxima: the earliest period.
            let worst = mine.iter().fold(*first_row, |w, r| if r.risk_reserve > w.risk_reserve { r } else { w });
            rows.push(vec![
                d.label(k, lang).to_string(),
                format!("{}%", lang.num(c * 100.0, 0)),
                lang.mln(first_row.risk_reserve),
                period(lang, worst.years),
                lang.mln(worst.risk_reserve),
                lang.mln(worst.required),
                ratio_text(lang, worst.risk_ratio),
            ]);
        }
    }
    let len = period_years(d);
    Some(Table {
        title: match lang {
            Lang::En => format!(
                "Rolling budget periods of {len} years, first starting {first}, last starting {last}: the largest risk \
                 reserve"
            ),
            Lang::Nl => format!(
                "Voortschrijdende begrotingsperioden van {len} jaar, de eerste vanaf {first}, de laatste vanaf {last}: \
                 de grootste risicoreserve"
            ),
        },
        header,
        rows,
        labels: 1,
        note: Some(match lang {
            Lang::En => "Each period's risk reserve as in the reserve split above; every period is in `reserve.csv`. \
                         Later periods carry more uncertainty, so the largest risk reserve is usually the last \
                         period's."
                .to_string(),
            Lang::Nl => "De risicoreserve van elke periode zoals in de splitsing hierboven; alle perioden staan in \
                         `reserve.csv`. Latere perioden zijn onzekerder, dus de grootste risicoreserve is meestal die \
                         van de laatste periode."
                .to_string(),
        }),
    })
}

/// The length in years of the budget periods of `reserve.csv`.
fn period_years(d: &ReportData) -> i32 {
    d.periods.first().map_or(0, |r| r.years.1 - r.years.0 + 1)
}

/// The required reserve over the first budget period, one column per certainty.
fn reserve_by_certainty_table(d: &ReportData, lang: Lang) -> Table {
    let mut certainties: Vec<f64> = d.reserve_by_certainty.iter().map(|r| r.1).collect();
    certainties.sort_by(f64::total_cmp);
    certainties.dedup();
    let (first, last) = d.first_period_reserve.first().map_or((d.meta.start_year, d.meta.end_year()), |r| r.years);
    let mut header = vec![lang.t("strategy", "strategie").to_string()];
    header.extend(certainties.iter().map(|c| format!("{}%", lang.num(c * 100.0, 0))));
    let rows = (0..d.strategies())
        .map(|k| {
            let mut row = vec![d.label(k, lang).to_string()];
            row.extend(certainties.iter().map(|c| {
                let v = d.reserve_by_certainty.iter().find(|r| r.0 == k && r.1 == *c).map_or(f64::NAN, |r| r.2);
                lang.mln(v)
            }));
            row
        })
        .collect();
    Table {
        labels: 1,
        note: None,
        title: match lang {
            Lang::En => format!(
                "Required risk reserve for {first}–{last} (benodigde weerstandscapaciteit) by certainty: the cumulative \
                 overrun of the budget line that is not exceeded with that certainty"
            ),
            Lang::Nl => format!(
                "Benodigde weerstandscapaciteit {first}–{last} naar zekerheidspercentage: de cumulatieve overschrijding \
                 van de begroting die met die zekerheid niet wordt overschreden"
            ),
        },
        header,
        rows,
    }
}

/// The notes under the tables.
pub fn notes(d: &ReportData, lang: Lang) -> Vec<String> {
    let m = &d.meta;
    let runs = d.total_runs();
    let never: Vec<String> = (0..d.strategies())
        .filter(|&k| k != d.baseline())
        .map(|k| match lang {
            Lang::En => format!("{}: {} of {runs} runs never break even", d.label(k, lang), d.never_break_even(k)),
            Lang::Nl => {
                let (never, all) = (lang.num(d.never_break_even(k) as f64, 0), lang.num(runs as f64, 0));
                format!("{}: {never} van {all} simulaties nooit terugverdiend", d.label(k, lang))
            }
        })
        .collect();
    let basis = match lang {
        Lang::En => m.money_basis.clone(),
        Lang::Nl => format!(
            "Bedragen zijn nominaal (prijspeil van elk jaar). Contante waarden disconteren de nominale stromen van \
             jaar t met (1 + {})^-t, waarbij jaar 0 het startjaar is. De maatstaf spend_real geeft de jaarlijkse \
             uitgaven in prijspeil van het startjaar.",
            lang.num(m.discount_rate, 4)
        ),
    };
    vec![
        basis,
        format!(
            "{} {}.",
            lang.t(
                "Break-even year: the first year from which cumulative discounted spend stays below the baseline's.",
                "Terugverdienjaar: het eerste jaar vanaf wanneer de opgetelde, contant gemaakte uitgaven onder die van de \
                 basis blijven."
            ),
            never.join("; ")
        ),
        match lang {
            Lang::En => format!(
                "Full tables: `summary.csv`, `yearly.csv`, `budget.csv` and `results.xlsx`; per-run data: {}; \
                 provenance: `meta.json`.",
                runs_link(d, lang)
            ),
            Lang::Nl => format!(
                "Volledige tabellen: `summary.csv`, `yearly.csv`, `budget.csv` en `results.xlsx`; per simulatie: {}; \
                 herkomst: `meta.json`.",
                runs_link(d, lang)
            ),
        },
    ]
}

/// The per-run file the folder holds, as code (`runs.csv` or `runs.parquet`); when the
/// reports do not know which (a streamed run whose app layer did not say), no file name.
pub(crate) fn runs_link(d: &ReportData, lang: Lang) -> String {
    match d.runs_file {
        Some(f) => format!("`{f}`"),
        None => lang.t("the per-run file of this folder", "het simulatiebestand in deze map").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The years of the yearly tables: the meerjarenraming's four, every fifth, the last.
    #[test]
    fn shown_years_start_with_the_meerjarenraming() {
        assert_eq!(shown_years_of(20), vec![0, 1, 2, 3, 5, 10, 15, 19]);
        assert_eq!(shown_years_of(12), vec![0, 1, 2, 3, 5, 10, 11]);
        assert_eq!(shown_years_of(6), vec![0, 1, 2, 3, 5]);
        assert_eq!(shown_years_of(3), vec![0, 1, 2]);
        assert_eq!(shown_years_of(1), vec![0]);
        assert!(shown_years_of(0).is_empty());
    }

    /// The quadrants by hand: EUR 1,000 for 10 more successes is EUR 100 each; saving EUR
    /// 1,000 with 10 fewer is EUR 100 saved per success fewer; the signs that need no ratio;
    /// no ratio within 2 MCSE of zero or below one success.
    #[test]
    fn incremental_cost_per_success_by_hand() {
        assert_eq!(Incremental::of(1_000.0, 10.0, 1.0), Incremental::CostPerExtra(100.0));
        assert_eq!(Incremental::of(-1_000.0, -10.0, 1.0), Incremental::SavingPerFewer(100.0));
        assert_eq!(Incremental::of(-5.0, 10.0, 1.0), Incremental::Dominates);
        assert_eq!(Incremental::of(5.0, -10.0, 1.0), Incremental::Dominated);
        assert_eq!(Incremental::of(5.0, 10.0, 5.0), Incremental::Undetermined);
        assert_eq!(Incremental::of(5.0, 10.0, 4.9), Incremental::CostPerExtra(0.5));
        assert_eq!(Incremental::of(5.0, 0.9, 0.0), Incremental::Undetermined);
        assert_eq!(Incremental::of(f64::NAN, 10.0, 1.0), Incremental::Undetermined);
        assert_eq!(Incremental::CostPerExtra(1234.4).text(Lang::Nl), "€ 1.234");
        assert_eq!(Incremental::Dominates.text(Lang::En), "dominates (cheaper and better)");
        assert_eq!(Incremental::Undetermined.text(Lang::En), "–");
    }
}
