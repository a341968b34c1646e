//! The finance officer's headline tables as data (title, header, rows of text), shared by
//! the Markdown summaries and the HTML report: the horizon figures per strategy, yearly
//! spend, the prudent budget (P90), the chance of exceeding the budget line, caseload.

use super::data::{ReportData, Stat};
use super::lang::Lang;
use crate::metrics::{Horizon, Yearly};

/// A table of formatted cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Heading above the table.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells, as wide as the header.
    pub rows: Vec<Vec<String>>,
}

/// The years shown in the yearly tables: every fifth and the last (indices).
pub(crate) fn shown_years(d: &ReportData) -> Vec<usize> {
    let n = d.meta.horizon_years;
    let mut v: Vec<usize> = (0..n).step_by(5).collect();
    if n > 0 && v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// The sentence above the tables.
pub(crate) fn lead(d: &ReportData, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Baseline: {}. Figures are medians with the 90% band (5th to 95th percentile) unless said otherwise; ± is \
             the Monte Carlo standard error.",
            d.label(d.baseline(), lang)
        ),
        Lang::Nl => format!(
            "Basis: {}. Bedragen zijn medianen met de 90%-band (5e tot 95e percentiel), tenzij anders vermeld; ± is de \
             Monte-Carlo-standaardfout.",
            d.label(d.baseline(), lang)
        ),
    }
}

/// The headline tables, in the order the reports show them.
pub(crate) fn headline_tables(d: &ReportData, lang: Lang) -> Vec<Table> {
    let mut out = vec![horizon_table(d, lang), spend_table(d, lang), prudent_budget_table(d, lang)];
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
        ],
    };
    Table {
        title: format!("{} {} {}", lang.t("Over", "Over"), m.horizon_years, lang.t("years", "jaar")),
        header,
        rows: (0..d.strategies()).map(|k| horizon_row(d, k, lang)).collect(),
    }
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
    Table { title, header, rows }
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
    }
}

/// Benefits outside the municipal budget (`[[societal_benefit]]`), next to, never inside,
/// the municipal saving; only when the scenario has them.
fn societal_table(d: &ReportData, lang: Lang) -> Option<Table> {
    d.metric(crate::metrics::SOCIETAL_BENEFIT)?;
    let header = match lang {
        Lang::En => vec![
            "strategy",
            "municipal saving vs baseline (NPV, mean)",
            "societal benefit outside the budget (NPV, median, 90% band)",
            "combined societal view (NPV, median, 90% band)",
            "societal benefit (NPV, mean)",
        ],
        Lang::Nl => vec![
            "strategie",
            "besparing gemeente t.o.v. basis (contant, gemiddeld)",
            "maatschappelijke baten buiten de begroting (contant, mediaan, 90%-band)",
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
                "Societal view: benefits outside the municipal budget, reported apart from municipal spend",
                "Maatschappelijk perspectief: baten buiten de gemeentebegroting, apart van de gemeentelijke uitgaven",
            )
            .to_string(),
        header: header.into_iter().map(str::to_string).collect(),
        rows,
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
    Table { title: lang.t("Risk to providers", "Risico voor aanbieders").to_string(), header, rows }
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
    })
}

/// The required risk reserve (benodigde weerstandscapaciteit) by certainty, and the ratio
/// to the available reserve, when the scenario has a budget line.
fn reserve_tables(d: &ReportData, lang: Lang) -> Vec<Table> {
    if d.reserve_by_certainty.is_empty() {
        return Vec::new();
    }
    let mut out = vec![reserve_by_certainty_table(d, lang)];
    out.extend(reserve_ratio_table(d, lang));
    out
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

/// The ratio of available to required reserve with its class, when the scenario states
/// the available reserve.
fn reserve_ratio_table(d: &ReportData, lang: Lang) -> Option<Table> {
    let with_available: Vec<&super::data::ReserveRow> =
        d.first_period_reserve.iter().filter(|r| r.available.is_finite()).collect();
    if with_available.is_empty() {
        return None;
    }
    let header = match lang {
        Lang::En => vec!["strategy", "certainty", "required", "available", "ratio", "class (A ≥ 2.0 … F < 0.6)"],
        Lang::Nl => vec!["strategie", "zekerheid", "benodigd", "beschikbaar", "ratio", "klasse (A ≥ 2,0 … F < 0,6)"],
    };
    let rows = with_available
        .iter()
        .map(|r| {
            let class = crate::stats::reserve::RatioClass::of(r.ratio);
            let meaning = match lang {
                Lang::En => class.meaning(),
                Lang::Nl => class.betekenis(),
            };
            vec![
                d.label(r.strategy, lang).to_string(),
                format!("{}%", lang.num(r.certainty * 100.0, 0)),
                lang.mln(r.required),
                lang.mln(r.available),
                if r.ratio.is_finite() { lang.num(r.ratio, 2) } else { "∞".into() },
                format!("{} ({meaning})", r.class),
            ]
        })
        .collect();
    Some(Table {
        title: lang
            .t(
                "Ratio of available to required reserve (ratio weerstandsvermogen)",
                "Ratio weerstandsvermogen: beschikbare gedeeld door benodigde weerstandscapaciteit",
            )
            .to_string(),
        header: header.into_iter().map(str::to_string).collect(),
        rows,
    })
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
                format!("{}: {} van {runs} simulaties nooit terugverdiend", d.label(k, lang), d.never_break_even(k))
            }
        })
        .collect();
    let basis = match lang {
        Lang::En => m.money_basis.clone(),
        Lang::Nl => format!(
            "Bedragen zijn nominaal (prijzen van elk jaar). Contante waarden disconteren de nominale stromen van jaar t \
             met (1 + {})^-t, waarbij jaar 0 het startjaar is. De maatstaf spend_real geeft de jaarlijkse uitgaven in \
             prijzen van het startjaar.",
            m.discount_rate
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
        lang.t(
            "Full tables: `summary.csv`, `yearly.csv`, `budget.csv` and `results.xlsx`; per-run data: `runs.csv`; \
             provenance: `meta.json`.",
            "Volledige tabellen: `summary.csv`, `yearly.csv`, `budget.csv` en `results.xlsx`; per simulatie: \
             `runs.csv`; herkomst: `meta.json`.",
        )
        .to_string(),
    ]
}
