//! `results.xlsx` (English) and `results_nl.xlsx` (Dutch): the workbook for a finance
//! department. Sheets: `budget` (the budget line and spend P50, P80, P90 "prudent budget"
//! and P95 per strategy, years across the columns), `multi-year budget` (the
//! meerjarenraming: P50, P90, the budget line, the structural gap, the risk reserve and the
//! mean incidental and structural parts, nominal and in start-year prices), `summary` (the answer and the horizon
//! figures per strategy), `reserve` (the required risk reserve by certainty and the ratio to
//! the available reserve, when the scenario has a budget line), `yearly` (every yearly
//! figure), `runs` (per-run data, as in the runs file), `inputs` (every input with its
//! distribution), `about` (provenance) and `sensitivity` when present; in Dutch `begroting`,
//! `meerjarenraming`, `samenvatting`, `weerstandscapaciteit`, `jaarcijfers`, `simulaties`, `invoer`, `herkomst`,
//! `gevoeligheid`.
//!
//! Every figure is stored as a number at full precision; the number format only rounds what
//! is shown: euros in thousands with separators (the header says `× EUR 1,000`), shares and
//! rates as percentages, counts as integers, multiples with two decimals. Format codes in a
//! workbook are locale-neutral, so Dutch Excel or LibreOffice shows `1.234` where English
//! shows `1,234`. Every sheet prints landscape on A4, fitted to the page width, with its
//! header rows repeated. The file's dates are fixed so that the same results give the same
//! bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Worksheet};

use super::data::ReportData;
use super::headline::Headline;
use super::lang::Lang;
use super::markdown::answer;
use super::{OutputError, Report};

use crate::metrics::{HORIZON, Horizon, Yearly};

/// `results.xlsx` and `results_nl.xlsx`.
pub(crate) struct Workbook;

/// Rows Excel allows in a sheet.
pub(crate) const MAX_ROWS: usize = 1_048_576;

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Euros, shown in thousands with separators.
    Keur,
    /// Whole euros with separators (amounts per client or per success).
    Eur,
    /// A probability or a share: a whole percentage.
    Share,
    /// A rate of return or of discount: a percentage with one decimal.
    Rate,
    /// A count: an integer with separators.
    Count,
    /// A small count or a ratio: two decimals.
    Decimal,
    /// Weeks: one decimal.
    Weeks,
    /// A calendar year.
    Year,
}

struct Formats {
    bold: Format,
    title: Format,
    header: Format,
    wrap: Format,
    keur: Format,
    eur: Format,
    share: Format,
    rate: Format,
    count: Format,
    decimal: Format,
    weeks: Format,
    year: Format,
    input: Format,
    input_left: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new().set_bold().set_background_color(0xE8EEF4).set_text_wrap().set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            keur: Format::new().set_num_format("#,##0,;-#,##0,;0"),
            eur: Format::new().set_num_format("#,##0;-#,##0;0"),
            share: Format::new().set_num_format("0%"),
            rate: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.00"),
            weeks: Format::new().set_num_format("#,##0.0"),
            year: Format::new().set_num_format("0"),
            input: Format::new().set_num_format("#,##0.####"),
            input_left: Format::new().set_num_format("#,##0.####").set_align(FormatAlign::Left),
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Keur => &self.keur,
            Kind::Eur => &self.eur,
            Kind::Share => &self.share,
            Kind::Rate => &self.rate,
            Kind::Count => &self.count,
            Kind::Decimal => &self.decimal,
            Kind::Weeks => &self.weeks,
            Kind::Year => &self.year,
        }
    }
}

/// The unit a header names for a kind of figure.
fn unit(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Keur => lang.t("× EUR 1,000", "x € 1.000"),
        Kind::Eur => lang.t("EUR", "€"),
        Kind::Share | Kind::Rate => "%",
        Kind::Count => lang.t("number", "aantal"),
        Kind::Decimal => lang.t("number", "aantal"),
        Kind::Weeks => lang.t("weeks", "weken"),
        Kind::Year => lang.t("year", "jaar"),
    }
}

/// What kind of figure a yearly metric of `yearly.csv` is.
fn yearly_kind(metric: &str) -> Kind {
    use Yearly as Y;
    if metric == crate::metrics::BUDGET_OVERRUN {
        return Kind::Share;
    }
    if metric == crate::metrics::SOCIETAL_BENEFIT {
        return Kind::Keur;
    }
    match Yearly::from_name(metric) {
        Some(
            Y::Spend
            | Y::CarePayments
            | Y::OutcomePayments
            | Y::PreventionCost
            | Y::AdminCost
            | Y::ProviderCost
            | Y::ProviderResult
            | Y::SpendReal
            | Y::CumulativeSaving
            | Y::ProviderReservesMin
            | Y::RiskSharingTransfer
            | Y::FailureCost
            | Y::EmergencyPremium
            | Y::InvestorPayments
            | Y::InvestorCost,
        ) => Kind::Keur,
        Some(Y::PCheapest | Y::ProviderFailedSoFar | Y::ShareWaitedOverNorm) => Kind::Share,
        Some(Y::WaitingWeeksMean | Y::WaitingWeeksP90) => Kind::Weeks,
        Some(Y::ProviderFailures | Y::ClientYears) => Kind::Decimal,
        // Clients, starts, referrals, ... and the per-segment `caseload.<id>`, `starts.<id>`.
        _ => Kind::Count,
    }
}

/// What kind of figure a horizon metric is, in the summary; in the `runs` sheet the
/// indicators (`p_*`) are 0 or 1 and shown as counts.
fn horizon_kind(m: Horizon) -> Kind {
    use Horizon as H;
    match m {
        H::NpvSpend
        | H::TotalSpend
        | H::NpvSavingVsBaseline
        | H::NpvSocietalBenefit
        | H::NpvSocietalNet
        | H::NpvSpendBehaviourNeutral
        | H::NpvSavingBehaviourNeutral => Kind::Keur,
        H::CostPerSuccess => Kind::Eur,
        H::PCheaperThanBaseline
        | H::PCheapest
        | H::PBreakEven
        | H::PProviderFailure
        | H::PInvestorLoss
        | H::PaidForLuckShare
        | H::ShareWaitedOverNorm
        | H::InvestorIrrNonePaymentsFirst
        | H::InvestorIrrNoneNoSignChange
        | H::InvestorIrrNoneSeveralSignChanges => Kind::Share,
        H::InvestorIrr | H::InvestorMirr => Kind::Rate,
        H::InvestorMultiple => Kind::Decimal,
        H::WaitingWeeksMean => Kind::Weeks,
        H::BreakEvenYear => Kind::Year,
        H::TotalSuccesses | H::TotalStarts | H::WaitingMean => Kind::Count,
    }
}

/// Writes a number, or leaves the cell empty when it is not finite.
fn number(ws: &mut Worksheet, row: u32, col: u16, x: f64, f: &Format) -> Result<(), OutputError> {
    if x.is_finite() {
        ws.write_number_with_format(row, col, x, f)?;
    }
    Ok(())
}

fn headers(ws: &mut Worksheet, row: u32, names: &[String], f: &Format) -> Result<(), OutputError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, n, f)?;
    }
    Ok(())
}

/// Page setup for printing: A4 landscape, fitted to one page wide, the rows
/// `first..=last` repeated on every page (when given), and a footer with the page number.
fn print_setup(ws: &mut Worksheet, repeat: Option<(u32, u32)>, lang: Lang) -> Result<(), OutputError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    if let Some((first, last)) = repeat {
        ws.set_repeat_rows(first, last)?;
    }
    ws.set_header("&L&A");
    ws.set_footer(lang.t("&Lcontractsim&RPage &P of &N", "&Lcontractsim&RPagina &P van &N"));
    Ok(())
}

impl Report for Workbook {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        Lang::ALL.iter().map(|&l| Ok((format!("results{}.xlsx", l.suffix()), workbook_in(d, l)?))).collect()
    }
}

/// The workbook's bytes in a language.
fn workbook_in(d: &ReportData, lang: Lang) -> Result<Vec<u8>, OutputError> {
    let f = Formats::new();
    let m = &d.meta;
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A fixed creation date: the file records its results, not when it was written.
    let date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("contractsim: {}", m.scenario_name))
            .set_author("contractsim")
            .set_creation_datetime(&date),
    );
    budget_sheet(wb.add_worksheet(), d, &f, lang)?;
    meerjarenraming_sheet(wb.add_worksheet(), d, &f, lang)?;
    summary_sheet(wb.add_worksheet(), d, &f, lang)?;
    if !d.reserve_by_certainty.is_empty() {
        reserve_sheet(wb.add_worksheet(), d, &f, lang)?;
    }
    if !d.municipal_risk.is_empty() {
        municipalities_sheet(wb.add_worksheet(), d, &f, lang)?;
    }
    yearly_sheet(wb.add_worksheet(), d, &f, lang)?;
    // Written row by row to a temporary file: the runs are most of the workbook's cells.
    runs_sheet(wb.add_worksheet_with_low_memory(), d, &f, lang)?;
    inputs_sheet(wb.add_worksheet(), d, &f, lang)?;
    about_sheet(wb.add_worksheet(), d, &f, lang)?;
    if let Some(sens) = &d.sensitivity {
        sensitivity_sheet(wb.add_worksheet(), sens, &f, lang)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// One row of the budget sheet: its label, its kind, and its figure for year index `t`.
struct BudgetRow<'a> {
    strategy: String,
    figure: String,
    kind: Kind,
    value: Box<dyn Fn(usize) -> f64 + 'a>,
}

/// The budget sheet's rows: the budget line, then per strategy spend P50, P80, P90 and P95 and,
/// with a budget line, the chance of exceeding it.
fn budget_rows<'a>(d: &'a ReportData, lang: Lang) -> Vec<BudgetRow<'a>> {
    let mut rows = Vec::new();
    if d.has_budget() {
        rows.push(BudgetRow {
            strategy: lang.t("budget line", "begroting").into(),
            figure: lang.t("budget", "begroot").into(),
            kind: Kind::Keur,
            value: Box::new(move |t| d.budget_line.get(t).copied().unwrap_or(f64::NAN)),
        });
    }
    for k in 0..d.strategies() {
        let spend = d.yearly_or_empty(k, Yearly::Spend);
        let at = move |t: usize, q: usize| spend.get(t).map_or(f64::NAN, |s| s.p[q]);
        let name = || d.label(k, lang).to_string();
        rows.push(BudgetRow {
            strategy: name(),
            figure: lang.t("P50 (median)", "P50 (mediaan)").into(),
            kind: Kind::Keur,
            value: Box::new(move |t| at(t, 2)),
        });
        rows.push(BudgetRow {
            strategy: name(),
            figure: "P80".into(),
            kind: Kind::Keur,
            value: Box::new(move |t| d.spend_p80(k).get(t).copied().unwrap_or(f64::NAN)),
        });
        rows.push(BudgetRow {
            strategy: name(),
            figure: lang.t("P90 (prudent budget)", "P90 (behoedzame raming)").into(),
            kind: Kind::Keur,
            value: Box::new(move |t| d.spend_p90(k).get(t).copied().unwrap_or(f64::NAN)),
        });
        rows.push(BudgetRow {
            strategy: name(),
            figure: "P95".into(),
            kind: Kind::Keur,
            value: Box::new(move |t| at(t, 4)),
        });
        if let (true, Some(over)) = (d.has_budget(), d.yearly_named(k, crate::metrics::BUDGET_OVERRUN)) {
            rows.push(BudgetRow {
                strategy: name(),
                figure: lang.t("P(spend > budget)", "P(uitgaven > begroting)").into(),
                kind: Kind::Share,
                value: Box::new(move |t| over.get(t).map_or(f64::NAN, |s| s.mean)),
            });
        }
    }
    rows
}

/// The budget sheet: a row per strategy and figure, a column per year.
fn budget_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("budget", "begroting"))?;
    ws.write_string_with_format(
        0,
        0,
        lang.t(
            "Prudent budget per strategy and year (nominal euros, × EUR 1,000)",
            "Behoedzame raming per strategie en jaar (nominaal, prijspeil van elk jaar; bedragen x € 1.000)",
        ),
        &f.title,
    )?;
    ws.write_string(
        1,
        0,
        lang.t(
            "P50: median of yearly municipal spend over the simulated futures. P80: not exceeded in 8 of 10 futures. \
             P90: the prudent budget, not exceeded in 9 of 10 futures. P95: not exceeded in 19 of 20.",
            "P50: mediaan van de jaarlijkse gemeentelijke uitgaven over de gesimuleerde toekomsten. P80: in 8 van de 10 \
             toekomsten niet overschreden. P90: de behoedzame raming, in 9 van de 10 toekomsten niet overschreden. P95: \
             in 19 van de 20 niet overschreden.",
        ),
    )?;
    let head = 3u32;
    let names = [lang.t("strategy", "strategie").to_string(), lang.t("figure", "grootheid").to_string()];
    headers(ws, head, &names, &f.header)?;
    // The years as numbers, so that a formula can refer to them.
    let year_header = f.header.clone().set_num_format("0");
    for (t, year) in d.years().into_iter().enumerate() {
        ws.write_number_with_format(head, 2 + t as u16, year, &year_header)?;
    }
    for (i, row) in budget_rows(d, lang).iter().enumerate() {
        let r = head + 1 + i as u32;
        ws.write_string(r, 0, &row.strategy)?;
        ws.write_string(r, 1, &row.figure)?;
        for t in 0..d.meta.horizon_years {
            number(ws, r, 2 + t as u16, (row.value)(t), f.of(row.kind))?;
        }
    }
    ws.set_column_width(0, 46)?;
    ws.set_column_width(1, 24)?;
    for t in 0..d.meta.horizon_years as u16 {
        ws.set_column_width(2 + t, 9)?;
    }
    ws.set_freeze_panes(head + 1, 2)?;
    print_setup(ws, Some((head, head)), lang)?;
    ws.set_repeat_columns(0, 1)?;
    Ok(())
}

/// The meerjarenraming: per strategy P50, the behoedzame raming (P90), the budget line, the
/// structural gap, the risk reserve and the mean incidental and structural parts, for the
/// years of the summary's tables (the four of the meerjarenraming, then every fifth and
/// the last) across the columns; first in nominal euros, then in constant prices of the
/// start year (the expected cost index as deflator, as the summary's table).
fn meerjarenraming_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("multi-year budget", "meerjarenraming"))?;
    let start = d.meta.start_year;
    ws.write_string_with_format(
        0,
        0,
        lang.t(
            "Multi-year budget (meerjarenraming) per strategy: nominal, then in start-year prices (× EUR 1,000)",
            "Meerjarenraming per strategie: nominaal, daarna in prijspeil van het startjaar (bedragen x € 1.000)",
        ),
        &f.title,
    )?;
    ws.write_string(
        1,
        0,
        lang.t(
            "P50, P90: percentiles of the year's spend over the simulated futures. Structural gap = P50 − budget line \
             (for the meerjarenraming); risk reserve = P90 − P50 (for the risk paragraph). Incidental part: the mean of \
             prevention programmes, failure transition payments and premiums, corridor settlements and outcome \
             advances; structural part: the mean of care and outcome payments, investor payments and administration \
             (they add up to mean spend, not to P50).",
            "P50, P90: percentielen van de uitgaven van het jaar over de gesimuleerde toekomsten. Structureel tekort = \
             P50 − begroting (voor de meerjarenraming); risicoreserve = P90 − P50 (voor de risicoparagraaf). \
             Incidenteel deel: het gemiddelde van preventieprogramma's, transitiekosten en noodpremies bij uitval, \
             verrekeningen van de risicocorridor en voorschotten op resultaatbetalingen; structureel deel: het \
             gemiddelde van zorg- en resultaatbetalingen, betalingen aan investeerders en uitvoeringskosten (samen de \
             gemiddelde uitgaven, niet de P50).",
        ),
    )?;
    let shown = super::tables::shown_years(d);
    let deflator = d.price_deflator();
    let rows = super::tables::meerjarenraming_rows(d, lang);
    let head = 3u32;
    let names = [
        lang.t("strategy", "strategie").to_string(),
        lang.t("figure", "grootheid").to_string(),
        lang.t("prices", "prijspeil").to_string(),
    ];
    headers(ws, head, &names, &f.header)?;
    let year_header = f.header.clone().set_num_format("0");
    for (c, &t) in shown.iter().enumerate() {
        ws.write_number_with_format(head, 3 + c as u16, f64::from(start + t as i32), &year_header)?;
    }
    let mut r = head + 1;
    for real in [false, true] {
        let prices = match (lang, real) {
            (Lang::En, false) => "nominal".to_string(),
            (Lang::Nl, false) => "nominaal".to_string(),
            (Lang::En, true) => format!("{start} prices"),
            (Lang::Nl, true) => format!("prijspeil {start}"),
        };
        for row in &rows {
            ws.write_string(r, 0, d.label(row.strategy, lang))?;
            ws.write_string(r, 1, &row.figure)?;
            ws.write_string(r, 2, &prices)?;
            for (c, &t) in shown.iter().enumerate() {
                let x = (row.value)(t) / if real { deflator[t] } else { 1.0 };
                number(ws, r, 3 + c as u16, x, &f.keur)?;
            }
            r += 1;
        }
    }
    let rate = d.meta.inputs.iter().find(|i| i.path == "economy.cost_inflation").map_or(0.0, |i| i.mean);
    let deflator_note = match lang {
        Lang::En => format!(
            "{start} prices: the nominal amount of year t divided by the expected cost index (1 + {}%)^(t − {start}), \
             the same in every future, so each percentile is the nominal one divided by it.",
            lang.num(rate * 100.0, 2)
        ),
        Lang::Nl => format!(
            "Prijspeil {start}: het nominale bedrag van jaar t gedeeld door de verwachte kostenindex (1 + {}%)^(t − \
             {start}), in elke toekomst dezelfde, zodat elk percentiel het nominale gedeeld door die index is.",
            lang.num(rate * 100.0, 2)
        ),
    };
    ws.write_string(r + 1, 0, &deflator_note)?;
    ws.set_column_width(0, 46)?;
    ws.set_column_width(1, 34)?;
    ws.set_column_width(2, 14)?;
    for c in 0..shown.len() as u16 {
        ws.set_column_width(3 + c, 10)?;
    }
    ws.set_freeze_panes(head + 1, 3)?;
    print_setup(ws, Some((head, head)), lang)?;
    ws.set_repeat_columns(0, 2)?;
    Ok(())
}

/// A strategy's figure in a column of the summary sheet.
type Figure = Box<dyn Fn(&ReportData, usize) -> f64>;

/// A column of the summary sheet: its header, its kind, its figure for strategy `k`, and
/// whether the baseline's cell stays empty (a comparison with itself).
struct Column {
    header: String,
    kind: Kind,
    value: Figure,
    not_for_baseline: bool,
}

fn column(
    header: String,
    kind: Kind,
    not_for_baseline: bool,
    value: impl Fn(&ReportData, usize) -> f64 + 'static,
) -> Column {
    Column { header, kind, value: Box::new(value), not_for_baseline }
}

/// The summary's columns after strategy and identifier: the horizon table's figures, then
/// [`optional_columns`].
fn summary_columns(d: &ReportData, lang: Lang) -> Vec<Column> {
    use Horizon as H;
    let stat = |m: H, q: usize| move |d: &ReportData, k: usize| d.horizon(k, m).p[q];
    let mean = |m: H| move |d: &ReportData, k: usize| d.horizon(k, m).mean;
    let h = |en: &str, nl: &str, kind: Kind| format!("{} ({})", lang.t(en, nl), unit(kind, lang));
    let last = d.meta.end_year();
    let mut cols = vec![
        column(
            h("NPV of spend, P50", "contante waarde uitgaven, P50", Kind::Keur),
            Kind::Keur,
            false,
            stat(H::NpvSpend, 2),
        ),
        column(
            h("NPV of spend, P5", "contante waarde uitgaven, P5", Kind::Keur),
            Kind::Keur,
            false,
            stat(H::NpvSpend, 0),
        ),
        column(
            h("NPV of spend, P95", "contante waarde uitgaven, P95", Kind::Keur),
            Kind::Keur,
            false,
            stat(H::NpvSpend, 4),
        ),
        column(
            h("saving vs baseline (NPV), mean", "besparing t.o.v. basis (contant), gemiddeld", Kind::Keur),
            Kind::Keur,
            true,
            mean(H::NpvSavingVsBaseline),
        ),
        column(
            h("saving, Monte Carlo standard error", "besparing, Monte-Carlo-standaardfout", Kind::Keur),
            Kind::Keur,
            true,
            |d, k| d.horizon(k, H::NpvSavingVsBaseline).mcse,
        ),
        column(h("saving, P5", "besparing, P5", Kind::Keur), Kind::Keur, true, stat(H::NpvSavingVsBaseline, 0)),
        column(h("saving, P50", "besparing, P50", Kind::Keur), Kind::Keur, true, stat(H::NpvSavingVsBaseline, 2)),
        column(h("saving, P95", "besparing, P95", Kind::Keur), Kind::Keur, true, stat(H::NpvSavingVsBaseline, 4)),
        column(
            lang.t("P(cheaper than baseline)", "P(goedkoper dan basis)").into(),
            Kind::Share,
            true,
            mean(H::PCheaperThanBaseline),
        ),
        column(lang.t("P(cheapest)", "P(goedkoopste)").into(), Kind::Share, false, mean(H::PCheapest)),
        column(
            lang.t("break-even year (median)", "terugverdienjaar (mediaan)").into(),
            Kind::Year,
            true,
            stat(H::BreakEvenYear, 2),
        ),
        column(
            match lang {
                Lang::En => format!("P(break even by {last})"),
                Lang::Nl => format!("P(terugverdiend t/m {last})"),
            },
            Kind::Share,
            true,
            mean(H::PBreakEven),
        ),
        column(
            h("cost per success, P50", "kosten per geslaagd traject, P50", Kind::Eur),
            Kind::Eur,
            false,
            stat(H::CostPerSuccess, 2),
        ),
        column(
            h("total spend (nominal), P50", "totale uitgaven (nominaal), P50", Kind::Keur),
            Kind::Keur,
            false,
            stat(H::TotalSpend, 2),
        ),
        column(
            match lang {
                Lang::En => format!("P(a provider fails by {last})"),
                Lang::Nl => format!("P(continuïteitsrisico aanbieder t/m {last})"),
            },
            Kind::Share,
            false,
            mean(H::PProviderFailure),
        ),
    ];
    cols.extend(optional_columns(d, lang));
    cols
}

/// The summary's columns of the waiting, investor and societal tables, where the scenario
/// has them.
fn optional_columns(d: &ReportData, lang: Lang) -> Vec<Column> {
    use Horizon as H;
    let stat = |m: H, q: usize| move |d: &ReportData, k: usize| d.horizon(k, m).p[q];
    let mean = |m: H| move |d: &ReportData, k: usize| d.horizon(k, m).mean;
    let h = |en: &str, nl: &str, kind: Kind| format!("{} ({})", lang.t(en, nl), unit(kind, lang));
    let mut cols = Vec::new();
    let any = |m: H| (0..d.strategies()).any(|k| d.horizon(k, m).mean.is_finite() && d.horizon(k, m).mean != 0.0);
    if super::headline::has_waiting(d) {
        cols.push(column(
            h("children waiting, mean over the horizon", "wachtende kinderen, gemiddeld over de periode", Kind::Count),
            Kind::Count,
            false,
            mean(H::WaitingMean),
        ));
        cols.push(column(
            h("wait of the admitted, mean", "wachttijd van wie werd opgenomen, gemiddeld", Kind::Weeks),
            Kind::Weeks,
            false,
            mean(H::WaitingWeeksMean),
        ));
        cols.push(column(
            lang.t("share of admissions over the waiting norm", "deel van de opnames boven de wachttijdnorm").into(),
            Kind::Share,
            false,
            mean(H::ShareWaitedOverNorm),
        ));
    }
    if any(H::InvestorMultiple) {
        cols.push(column(
            lang.t("investor return, MIRR (median)", "rendement investeerder, MIRR (mediaan)").into(),
            Kind::Rate,
            false,
            stat(H::InvestorMirr, 2),
        ));
        cols.push(column(
            lang.t("investor multiple (median)", "multiple investeerder (mediaan)").into(),
            Kind::Decimal,
            false,
            stat(H::InvestorMultiple, 2),
        ));
        cols.push(column(
            lang.t("P(investor loses money)", "P(investeerder verliest geld)").into(),
            Kind::Share,
            false,
            mean(H::PInvestorLoss),
        ));
        cols.push(column(
            lang.t("paid for luck (share of payments)", "betaald zonder eigen effect (deel van de betalingen)").into(),
            Kind::Share,
            false,
            mean(H::PaidForLuckShare),
        ));
    }
    if d.metric(crate::metrics::SOCIETAL_BENEFIT).is_some() {
        cols.push(column(
            h(
                "societal benefit outside the youth-care budget (NPV), P50",
                "maatschappelijke baten buiten de begroting jeugdhulp (contant), P50",
                Kind::Keur,
            ),
            Kind::Keur,
            true,
            stat(H::NpvSocietalBenefit, 2),
        ));
        cols.push(column(
            h("combined societal view (NPV), P50", "maatschappelijk saldo (contant), P50", Kind::Keur),
            Kind::Keur,
            true,
            stat(H::NpvSocietalNet, 2),
        ));
    }
    cols
}

fn summary_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("summary", "samenvatting"))?;
    let m = &d.meta;
    ws.write_string_with_format(0, 0, &m.scenario_name, &f.title)?;
    let hl = Headline::of(d);
    let mut row = 1;
    for s in answer(d, &hl, lang) {
        ws.write_string(row, 0, &s)?;
        row += 1;
    }
    row += 1;
    let cols = summary_columns(d, lang);
    let mut names = vec![lang.t("strategy", "strategie").to_string(), lang.t("id", "code").to_string()];
    names.extend(cols.iter().map(|c| c.header.clone()));
    headers(ws, row, &names, &f.header)?;
    ws.set_row_height(row, 62)?;
    for k in 0..d.strategies() {
        let r = row + 1 + k as u32;
        ws.write_string(r, 0, d.label(k, lang))?;
        ws.write_string(r, 1, &m.strategies[k])?;
        for (c, col) in cols.iter().enumerate() {
            if col.not_for_baseline && k == d.baseline() {
                continue;
            }
            let x = (col.value)(d, k);
            if col.kind == Kind::Year && !x.is_finite() {
                ws.write_string(r, 2 + c as u16, lang.t("never", "nooit"))?;
            } else {
                number(ws, r, 2 + c as u16, x, f.of(col.kind))?;
            }
        }
    }
    ws.set_column_width(0, 46)?;
    ws.set_column_width(1, 14)?;
    for c in 2..names.len() as u16 {
        ws.set_column_width(c, 12)?;
    }
    ws.set_freeze_panes(row + 1, 1)?;
    print_setup(ws, Some((row, row)), lang)?;
    Ok(())
}

/// The municipalities sheet (a region with `[[municipality]]`s): per municipality and
/// strategy, its spend over the first budget period at P50 and P90 and their ratio under
/// each allocation rule (`municipal_risk.csv`, docs/model.md section 16).
fn municipalities_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("municipalities", "gemeenten"))?;
    let (first, last) = d.municipal_risk.first().map_or((d.meta.start_year, d.meta.start_year), |x| x.years);
    let title = match lang {
        Lang::En => format!("Spend per municipality over {first}–{last}, by allocation rule (× EUR 1,000)"),
        Lang::Nl => format!("Uitgaven per gemeente {first} t/m {last}, naar verdeling (bedragen x € 1.000)"),
    };
    ws.write_string_with_format(0, 0, &title, &f.title)?;
    ws.write_string(
        1,
        0,
        lang.t(
            "P50: the median over the simulated futures; P90: not exceeded in 9 of 10. Rules: solidarity (the fixed key), use (each municipality's own clients), mix (the region's weights).",
            "P50: de mediaan over de gesimuleerde toekomsten; P90: in 9 van de 10 niet overschreden. Verdeling: solidarity (vaste verdeelsleutel), use (eigen cliënten), mix (de weging van de regio).",
        ),
    )?;
    let names: Vec<String> = match lang {
        Lang::En => {
            ["municipality", "youths 0-17", "share of the fixed key", "strategy", "rule", "P50", "P90", "P90/P50"]
        }
        Lang::Nl => {
            ["gemeente", "jeugdigen 0-17", "aandeel vaste sleutel", "strategie", "verdeling", "P50", "P90", "P90/P50"]
        }
    }
    .map(String::from)
    .to_vec();
    headers(ws, 3, &names, &f.header)?;
    for (i, x) in d.municipal_risk.iter().enumerate() {
        let r = 4 + i as u32;
        let m = &d.meta.municipalities[x.municipality];
        ws.write_string(r, 0, if lang == Lang::Nl { &m.name_nl } else { &m.name })?;
        number(ws, r, 1, m.youth, &f.count)?;
        number(ws, r, 2, m.key_share, &f.rate)?;
        ws.write_string(r, 3, d.label(x.strategy, lang))?;
        ws.write_string(r, 4, &x.allocation)?;
        number(ws, r, 5, x.p50, &f.keur)?;
        number(ws, r, 6, x.p90, &f.keur)?;
        number(ws, r, 7, x.relative_risk(), &f.decimal)?;
    }
    ws.set_column_width(0, 22)?;
    ws.set_column_width(3, 34)?;
    ws.set_freeze_panes(4, 1)?;
    print_setup(ws, Some((3, 3)), lang)?;
    Ok(())
}

/// The reserve sheet: the required reserve over the first budget period by certainty, then
/// the ratio of available to required reserve with its class, when the scenario gives the
/// available reserve.
fn reserve_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("reserve", "weerstandscapaciteit"))?;
    let (first, last) = d.first_period_reserve.first().map_or((d.meta.start_year, d.meta.end_year()), |r| r.years);
    let title = match lang {
        Lang::En => format!("Required risk reserve for {first}–{last} by certainty (× EUR 1,000)"),
        Lang::Nl => {
            format!("Benodigde weerstandscapaciteit {first} t/m {last} naar zekerheidspercentage (bedragen x € 1.000)")
        }
    };
    ws.write_string_with_format(0, 0, &title, &f.title)?;
    ws.write_string(
        1,
        0,
        lang.t(
            "The cumulative overrun of the budget line that is not exceeded with that certainty.",
            "De cumulatieve overschrijding van de begroting die met die zekerheid niet wordt overschreden.",
        ),
    )?;
    let mut certainties: Vec<f64> = d.reserve_by_certainty.iter().map(|r| r.1).collect();
    certainties.sort_by(f64::total_cmp);
    certainties.dedup();
    let head = 3u32;
    ws.write_string_with_format(head, 0, lang.t("strategy", "strategie"), &f.header)?;
    let pct_header = f.header.clone().set_num_format("0%");
    for (c, &cert) in certainties.iter().enumerate() {
        ws.write_number_with_format(head, 1 + c as u16, cert, &pct_header)?;
    }
    for k in 0..d.strategies() {
        let r = head + 1 + k as u32;
        ws.write_string(r, 0, d.label(k, lang))?;
        for (c, &cert) in certainties.iter().enumerate() {
            let v = d.reserve_by_certainty.iter().find(|x| x.0 == k && x.1 == cert).map_or(f64::NAN, |x| x.2);
            number(ws, r, 1 + c as u16, v, &f.keur)?;
        }
    }
    let with_available: Vec<_> = d.first_period_reserve.iter().filter(|r| r.available.is_finite()).collect();
    if !with_available.is_empty() {
        let top = head + d.strategies() as u32 + 2;
        ws.write_string_with_format(
            top,
            0,
            lang.t(
                "Ratio of available to required reserve (ratio weerstandsvermogen)",
                "Ratio weerstandsvermogen: beschikbare gedeeld door benodigde weerstandscapaciteit",
            ),
            &f.bold,
        )?;
        let names: Vec<String> = match lang {
            Lang::En => [
                "strategy",
                "certainty",
                "required (× EUR 1,000)",
                "available (× EUR 1,000)",
                "ratio",
                "class",
                "meaning",
            ],
            Lang::Nl => [
                "strategie",
                "zekerheid",
                "benodigd (x € 1.000)",
                "beschikbaar (x € 1.000)",
                "ratio",
                "klasse",
                "betekenis",
            ],
        }
        .map(String::from)
        .to_vec();
        headers(ws, top + 1, &names, &f.header)?;
        ws.set_row_height(top + 1, 32)?;
        for (i, row) in with_available.iter().enumerate() {
            let r = top + 2 + i as u32;
            let class = crate::stats::reserve::RatioClass::of(row.ratio);
            ws.write_string(r, 0, d.label(row.strategy, lang))?;
            number(ws, r, 1, row.certainty, &f.share)?;
            number(ws, r, 2, row.required, &f.keur)?;
            number(ws, r, 3, row.available, &f.keur)?;
            if row.ratio.is_finite() {
                ws.write_number_with_format(r, 4, row.ratio, &f.decimal)?;
            } else {
                ws.write_string(r, 4, "∞")?;
            }
            ws.write_string(r, 5, &row.class)?;
            ws.write_string(r, 6, lang.t(class.meaning(), class.betekenis()))?;
        }
    }
    ws.set_column_width(0, 46)?;
    for c in 1..8u16 {
        ws.set_column_width(c, 14)?;
    }
    print_setup(ws, Some((head, head)), lang)?;
    Ok(())
}

fn yearly_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("yearly", "jaarcijfers"))?;
    let names: Vec<String> = [
        lang.t("strategy", "strategie"),
        lang.t("year", "jaar"),
        lang.t("metric", "grootheid"),
        lang.t("unit", "eenheid"),
        lang.t("mean", "gemiddelde"),
        lang.t("mcse", "standaardfout"),
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
    ]
    .map(String::from)
    .to_vec();
    headers(ws, 0, &names, &f.header)?;
    let mut row = 1u32;
    let years = d.years();
    for k in 0..d.strategies() {
        for (t, &year) in years.iter().enumerate() {
            for metric in &d.yearly_metrics {
                let Some(s) = d.yearly_named(k, metric).and_then(|s| s.get(t)) else { continue };
                let kind = yearly_kind(metric);
                let fmt = f.of(kind);
                ws.write_string(row, 0, &d.meta.strategies[k])?;
                ws.write_number_with_format(row, 1, year, &f.year)?;
                ws.write_string(row, 2, metric)?;
                ws.write_string(row, 3, unit(kind, lang))?;
                number(ws, row, 4, s.mean, fmt)?;
                // The standard error of a share is finer than a whole percent.
                number(ws, row, 5, s.mcse, if kind == Kind::Share { &f.rate } else { fmt })?;
                for (i, p) in s.p.iter().enumerate() {
                    number(ws, row, 6 + i as u16, *p, fmt)?;
                }
                row += 1;
            }
        }
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(2, 30)?;
    ws.set_column_width(3, 12)?;
    for c in 4..names.len() as u16 {
        ws.set_column_width(c, 12)?;
    }
    ws.set_freeze_panes(1, 3)?;
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), (names.len() - 1) as u16)?;
    print_setup(ws, Some((0, 0)), lang)?;
    Ok(())
}

/// Runs shown in the `runs` sheet: a workbook is for reading and filtering, not for a
/// million rows (Excel's limit is 1,048,576); the runs file always holds every run.
pub(crate) const XLSX_RUNS: usize = 5_000;

/// The per-run sheet; its header is the runs file's (column names are identifiers, the same
/// in both languages).
fn runs_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("runs", "simulaties"))?;
    let mut names = vec!["run".to_string(), "strategy".to_string()];
    names.extend(HORIZON.iter().map(|s| s.to_string()));
    names.extend(d.meta.uncertain_parameters.iter().cloned());
    // Set before the rows: a low-memory sheet keeps only the row being written.
    ws.set_freeze_panes(1, 2)?;
    for c in 2..names.len() as u16 {
        ws.set_column_width(c, 14)?;
    }
    headers(ws, 0, &names, &f.header)?;
    let n = d.strategies();
    // Per run the `p_*` figures are indicators, 0 or 1.
    let fmt = |m: Horizon| match horizon_kind(m) {
        Kind::Share if m != Horizon::PaidForLuckShare && m != Horizon::ShareWaitedOverNorm => &f.count,
        kind => f.of(kind),
    };
    let mut row = 1u32;
    for i in 0..d.runs.len().min(XLSX_RUNS) {
        for k in 0..n {
            if row as usize >= MAX_ROWS {
                break;
            }
            ws.write_number_with_format(row, 0, d.runs.run_ids[i] as f64, &f.year)?;
            ws.write_string(row, 1, &d.meta.strategies[k])?;
            for m in Horizon::ALL {
                number(ws, row, 2 + m.index() as u16, d.runs.horizon(i, k, m), fmt(m))?;
            }
            for p in 0..d.meta.uncertain_parameters.len() {
                number(ws, row, (2 + HORIZON.len() + p) as u16, d.runs.param(i, p), &f.input)?;
            }
            row += 1;
        }
    }
    print_setup(ws, Some((0, 0)), lang)?;
    Ok(())
}

fn inputs_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("inputs", "invoer"))?;
    let names: Vec<String> = [
        lang.t("input", "invoer"),
        lang.t("distribution", "verdeling"),
        lang.t("mean", "gemiddelde"),
        lang.t("uncertain", "onzeker"),
    ]
    .map(String::from)
    .to_vec();
    headers(ws, 0, &names, &f.header)?;
    for (i, input) in d.meta.inputs.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &input.path)?;
        // A fixed input's "distribution" is its value: a number like every other.
        match input.distribution.parse::<f64>() {
            Ok(x) if x.is_finite() => ws.write_number_with_format(r, 1, x, &f.input_left)?,
            _ => ws.write_string(r, 1, &input.distribution)?,
        };
        number(ws, r, 2, input.mean, &f.input)?;
        let yes_no = if input.uncertain { lang.t("yes", "ja") } else { lang.t("no", "nee") };
        ws.write_string(r, 3, yes_no)?;
    }
    ws.set_column_width(0, 48)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 14)?;
    ws.set_freeze_panes(1, 1)?;
    let last = d.meta.inputs.len().max(1) as u32;
    ws.autofilter(0, 0, last, 3)?;
    print_setup(ws, Some((0, 0)), lang)?;
    Ok(())
}

/// A value of the about sheet: text, or a number with its format.
enum About<'a> {
    Text(String),
    Number(f64, &'a Format),
}

fn about_sheet(ws: &mut Worksheet, d: &ReportData, f: &Formats, lang: Lang) -> Result<(), OutputError> {
    ws.set_name(lang.t("about", "herkomst"))?;
    let m = &d.meta;
    let text = |s: &str| About::Text(s.to_string());
    let runs_sheet = match lang {
        _ if m.runs <= XLSX_RUNS => lang.t("every run", "alle simulaties").to_string(),
        Lang::En => format!("the first {XLSX_RUNS} of {} runs; the runs file holds them all", m.runs),
        Lang::Nl => format!("de eerste {XLSX_RUNS} van {} simulaties; het simulatiebestand bevat ze alle", m.runs),
    };
    // A seed above 2^53 does not fit a spreadsheet number exactly: then it is text.
    let seed =
        if m.seed < (1u64 << 53) { About::Number(m.seed as f64, &f.year) } else { About::Text(m.seed.to_string()) };
    let money = match lang {
        Lang::En => m.money_basis.clone(),
        Lang::Nl => "Bedragen zijn nominaal (prijspeil van elk jaar); contante waarden disconteren naar het startjaar."
            .to_string(),
    };
    let mut rows: Vec<(&str, About)> = vec![
        (lang.t("scenario", "scenario"), text(&m.scenario_name)),
        (lang.t("description", "omschrijving"), text(&m.scenario_description)),
        (lang.t("scenario file", "scenariobestand"), text(&m.scenario_file)),
        ("SHA-256", text(&m.scenario_sha256)),
        (lang.t("tool", "programma"), About::Text(format!("{} {}", m.tool, m.tool_version))),
        (lang.t("runs", "simulaties"), About::Number(m.runs as f64, &f.count)),
        (lang.t("runs sheet", "blad simulaties"), About::Text(runs_sheet)),
        ("seed", seed),
        (lang.t("first year", "eerste jaar"), About::Number(f64::from(m.start_year), &f.year)),
        (lang.t("last year", "laatste jaar"), About::Number(f64::from(m.end_year()), &f.year)),
        (lang.t("steps per year", "stappen per jaar"), About::Number(m.steps_per_year as f64, &f.count)),
        (lang.t("discount rate", "disconteringsvoet"), About::Number(m.discount_rate, &f.rate)),
        (lang.t("money", "bedragen"), About::Text(money)),
        (lang.t("baseline", "basis"), text(d.label(d.baseline(), lang))),
        (lang.t("percentiles", "percentielen"), About::Text(super::tables::Percentiles::describe(d, lang))),
    ];
    if let Some(budget) = m.budget_eur {
        rows.push((
            lang.t("budget line, first year (× EUR 1,000)", "begroting, eerste jaar (x € 1.000)"),
            About::Number(budget, &f.keur),
        ));
        rows.push((
            lang.t("budget growth a year", "groei begroting per jaar"),
            About::Number(m.budget_growth, &f.rate),
        ));
    }
    for (i, (k, v)) in rows.iter().enumerate() {
        let r = i as u32;
        ws.write_string_with_format(r, 0, *k, &f.bold)?;
        match v {
            About::Text(s) => ws.write_string_with_format(r, 1, s, &f.wrap)?,
            About::Number(x, fmt) => {
                ws.write_number_with_format(r, 1, *x, &(*fmt).clone().set_align(FormatAlign::Left))?
            }
        };
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 100)?;
    print_setup(ws, None, lang)?;
    Ok(())
}

/// The sensitivity tables, when present: value of information, then the tornado.
fn sensitivity_sheet(
    ws: &mut Worksheet,
    s: &super::sensitivity::SensitivityData,
    f: &Formats,
    lang: Lang,
) -> Result<(), OutputError> {
    ws.set_name(lang.t("sensitivity", "gevoeligheid"))?;
    let voi_names = [
        lang.t("perspective", "perspectief"),
        lang.t("input", "invoer"),
        lang.t("value (× EUR 1,000)", "waarde (x € 1.000)"),
    ];
    headers(ws, 0, &voi_names.map(String::from), &f.header)?;
    for (i, v) in s.voi.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &v.perspective)?;
        ws.write_string(r, 1, &v.input)?;
        number(ws, r, 2, v.value, &f.keur)?;
    }
    let top = s.voi.len() as u32 + 2;
    let names = match lang {
        Lang::En => [
            "strategy",
            "input",
            "low value",
            "high value",
            "metric at low (× EUR 1,000)",
            "metric at high (× EUR 1,000)",
            "metric at medians (× EUR 1,000)",
            "swing (× EUR 1,000)",
        ],
        Lang::Nl => [
            "strategie",
            "invoer",
            "lage waarde",
            "hoge waarde",
            "uitkomst bij laag (x € 1.000)",
            "uitkomst bij hoog (x € 1.000)",
            "uitkomst bij medianen (x € 1.000)",
            "uitslag (x € 1.000)",
        ],
    };
    headers(ws, top, &names.map(String::from), &f.header)?;
    for (i, t) in s.tornado.iter().enumerate() {
        let r = top + 1 + i as u32;
        ws.write_string(r, 0, &t.strategy)?;
        ws.write_string(r, 1, &t.input)?;
        number(ws, r, 2, t.low_value, &f.input)?;
        number(ws, r, 3, t.high_value, &f.input)?;
        for (c, x) in [t.metric_low, t.metric_high, t.metric_base, t.swing()].into_iter().enumerate() {
            number(ws, r, 4 + c as u16, x, &f.keur)?;
        }
    }
    ws.set_column_width(1, 48)?;
    for c in 2..8u16 {
        ws.set_column_width(c, 14)?;
    }
    print_setup(ws, Some((0, 0)), lang)?;
    Ok(())
}
