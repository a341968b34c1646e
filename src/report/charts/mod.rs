//! Charts for the council chamber: each chart is drawn with plotters, once as SVG and once
//! as a 1600×1000 PNG, in English (`spend_fan.svg`) and Dutch (`spend_fan_nl.svg`).
//!
//! Every chart module has two parts: a pure function from [`ReportData`] to the series it
//! shows (tested against the CSV files), and a drawing function generic over the plotters
//! backend. Text is set in DejaVu Sans, embedded in the binary and registered with
//! plotters' `ab_glyph` font loader, so no system font is needed; colours are the
//! Okabe-Ito palette, which colour-blind readers can tell apart.

pub mod analysis;
pub mod budget_overrun;
pub mod calibration_fit;
pub mod caseload;
pub mod convergence;
pub mod cumulative_saving;
pub(crate) mod layout;
pub mod municipal_risk;
pub mod npv_distribution;
pub mod p_cheapest;
pub mod p_provider_failure;
pub mod provider_reserves;
pub mod reserve_by_certainty;
pub mod societal;
pub mod spend_components;
pub mod spend_fan;
pub mod waiting;

use std::ops::Range;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::lang::Lang;
use super::{OutputError, Report, ReportData};
use crate::metrics::Yearly;

/// Width of every chart, pixels.
pub(crate) const WIDTH: u32 = 1600;
/// Height of every chart, pixels.
pub(crate) const HEIGHT: u32 = 1000;

/// The font family as written in the SVG files: DejaVu Sans where the viewer has it, else
/// a similar sans-serif. The PNG files always use the embedded DejaVu Sans.
pub(crate) const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded fonts with plotters (once per process).
fn register_fonts() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, REGULAR)
            .map_err(|_| "the embedded regular font cannot be read".to_string())?;
        plotters::style::register_font(FONT, FontStyle::Bold, BOLD)
            .map_err(|_| "the embedded bold font cannot be read".to_string())
    })
    .clone()
}

/// The Okabe-Ito palette without black and yellow (reserved: black for the baseline,
/// yellow is too light on white for lines), then Paul Tol's wine: the colours of the
/// analysis charts' series.
pub(crate) const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x88, 0x22, 0x55), // wine (Tol)
];

/// The colours of the alternatives, in the order of [`focus`]: the four Okabe-Ito colours
/// that stay furthest apart under deuteranopia, protanopia and tritanopia (blue, orange,
/// bluish green, reddish purple; vermillion is left out next to orange, sky blue next to
/// blue), then the other two. From the fifth alternative on the line is also dashed
/// ([`strategy_dash`]), so that no two series look alike even in grey print.
pub(crate) const STRATEGY_PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
];

/// Near-black for the baseline and for text.
pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Grey for secondary text and reference lines.
pub(crate) const GREY: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Light grey for grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);

/// Most strategies a chart shows, the baseline included.
pub(crate) const MAX_SHOWN: usize = 5;

/// The strategies the charts show: the baseline first, then the alternatives in file
/// order. Those `[scenario] focus` names when it does; otherwise, when the scenario has
/// more than [`MAX_SHOWN`] strategies, the `MAX_SHOWN - 1`
/// alternatives shown are those its `[[question]]`s ask about, question by question in the
/// file's order; where a question's strategies do not all fit in the places left, those with
/// the highest mean NPV saving versus the baseline (the statistic the summary ranks
/// strategies by; ties in file order). Places still free (or every place, without
/// questions) go by the same mean saving. The charts say how many they leave out
/// ([`focus_note`]), and the tables show all of them.
pub(crate) fn focus(d: &ReportData) -> Vec<usize> {
    let base = d.baseline();
    if d.every_strategy {
        return std::iter::once(base).chain(alternatives(d)).collect();
    }
    let named: Vec<usize> = d.meta.focus.iter().filter_map(|id| d.meta.strategy_index(id)).collect();
    if !named.is_empty() {
        let mut named: Vec<usize> = named.into_iter().filter(|&k| k != base).take(MAX_SHOWN - 1).collect();
        named.sort_unstable();
        return std::iter::once(base).chain(named).collect();
    }
    let alts = alternatives(d);
    if alts.len() < MAX_SHOWN {
        return std::iter::once(base).chain(alts).collect();
    }
    let mut chosen: Vec<usize> = Vec::new();
    let asked = d.meta.questions.iter().map(|q| {
        q.strategies.iter().filter_map(|id| d.meta.strategy_index(id)).filter(|&k| k != base).collect::<Vec<_>>()
    });
    for group in asked.chain(std::iter::once(alts)) {
        let left = MAX_SHOWN - 1 - chosen.len();
        let mut fresh: Vec<usize> = group.into_iter().filter(|k| !chosen.contains(k)).collect();
        fresh.dedup();
        chosen.extend(by_mean_saving(d, fresh, left));
        if chosen.len() == MAX_SHOWN - 1 {
            break;
        }
    }
    chosen.sort_unstable();
    std::iter::once(base).chain(chosen).collect()
}

/// At most `n` of `ks`: those with the highest mean saving (NaN last; ties in file order).
fn by_mean_saving(d: &ReportData, mut ks: Vec<usize>, n: usize) -> Vec<usize> {
    if ks.len() > n {
        let saving = |k: usize| d.horizon(k, crate::metrics::Horizon::NpvSavingVsBaseline).mean;
        ks.sort_by(|&a, &b| {
            let (sa, sb) = (saving(a), saving(b));
            sb.partial_cmp(&sa).unwrap_or_else(|| sa.is_nan().cmp(&sb.is_nan()))
        });
        ks.truncate(n);
    }
    ks
}

/// The alternatives among [`focus`], in its order.
pub(crate) fn focus_alternatives(d: &ReportData) -> Vec<usize> {
    focus(d).into_iter().filter(|&k| k != d.baseline()).collect()
}

/// A sentence for a chart's note when [`focus`] leaves strategies out: how many, and by
/// what rule.
pub(crate) fn focus_note(d: &ReportData, lang: Lang) -> Option<String> {
    if d.every_strategy {
        return Some(
            lang.t("Appendix: every strategy of the scenario.", "Bijlage: alle strategieën van het scenario.").into(),
        );
    }
    let (shown, all) = (focus(d).len(), d.strategies());
    let asked = !d.meta.questions.is_empty();
    if !d.meta.focus.is_empty() {
        return (shown < all).then(|| match lang {
            Lang::En => format!(
                "Shown: {shown} of {all} strategies, the baseline and the {} the scenario names (focus); the tables \
                 show all.",
                shown - 1
            ),
            Lang::Nl => format!(
                "Getoond: {shown} van de {all} strategieën, de basis en de {} die het scenario noemt (focus); de \
                 tabellen tonen ze alle.",
                shown - 1
            ),
        });
    }
    (shown < all).then(|| match (lang, asked) {
        (Lang::En, false) => format!(
            "Shown: {shown} of {all} strategies, the baseline and the {} with the highest mean saving; the tables show all.",
            shown - 1
        ),
        (Lang::En, true) => format!(
            "Shown: {shown} of {all} strategies, the baseline and {} the questions ask about (question by question, \
             by highest mean saving where they do not all fit); the tables show all.",
            shown - 1
        ),
        (Lang::Nl, false) => format!(
            "Getoond: {shown} van de {all} strategieën, de basis en de {} met de hoogste gemiddelde besparing; de tabellen tonen ze alle.",
            shown - 1
        ),
        (Lang::Nl, true) => format!(
            "Getoond: {shown} van de {all} strategieën, de basis en {} waar de vragen over gaan (vraag voor vraag, \
             op hoogste gemiddelde besparing waar ze niet alle passen); de tabellen tonen ze alle.",
            shown - 1
        ),
    })
}

/// `note` followed by [`focus_note`] when there is one.
pub(crate) fn with_focus_note(d: &ReportData, lang: Lang, note: &str) -> String {
    match focus_note(d, lang) {
        Some(f) if note.is_empty() => f,
        Some(f) => format!("{note} {f}"),
        None => note.to_string(),
    }
}

/// The name of strategy `k` as the charts write it (today the scenario's name, in both
/// languages).
pub(crate) fn strategy_name(d: &ReportData, k: usize, lang: Lang) -> String {
    d.label(k, lang).to_string()
}

/// The colour of strategy `k`: near-black for the baseline, the palette in the order of
/// [`focus`] for the others (the same in every chart), grey for a strategy outside it.
pub(crate) fn strategy_colour(d: &ReportData, k: usize) -> RGBColor {
    if k == d.baseline() {
        return INK;
    }
    match focus_alternatives(d).iter().position(|&j| j == k) {
        Some(i) => STRATEGY_PALETTE[i % STRATEGY_PALETTE.len()],
        None => GREY,
    }
}

/// Whether strategy `k`'s line is dashed: the fifth and later alternatives of [`focus`]
/// (should the selection grow beyond the four most distinct colours).
pub(crate) fn strategy_dash(d: &ReportData, k: usize) -> bool {
    focus_alternatives(d).iter().position(|&j| j == k).is_some_and(|i| i >= 4)
}

/// A point marker: a second channel next to colour where lines have few points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A filled circle (the baseline).
    Circle,
    /// A filled triangle.
    Triangle,
    /// A filled square.
    Square,
    /// A filled diamond.
    Diamond,
    /// A cross.
    Cross,
}

/// The marker of strategy `k`: a circle for the baseline, then triangle, square, diamond
/// and cross in the order of [`focus`].
pub(crate) fn strategy_marker(d: &ReportData, k: usize) -> Marker {
    const AFTER: [Marker; 4] = [Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];
    if k == d.baseline() {
        return Marker::Circle;
    }
    let i = focus_alternatives(d).iter().position(|&j| j == k).unwrap_or(0);
    AFTER[i % AFTER.len()]
}

/// `c` mixed with white: `share` 0 gives `c`, 1 gives white (solid fills that look the
/// same in SVG and PNG).
pub(crate) fn tint(c: RGBColor, share: f64) -> RGBColor {
    let m = |x: u8| (x as f64 + (255.0 - x as f64) * share).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// The charts, in the order the reports show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Yearly spend per strategy: median, 50% and 90% bands.
    SpendFan,
    /// Cumulative discounted saving versus the baseline, with the break-even year.
    CumulativeSaving,
    /// Distribution of the NPV saving per strategy.
    NpvDistribution,
    /// Probability of being the cheapest by each year.
    PCheapest,
    /// Stacked median spend by component.
    SpendComponents,
    /// Caseload by segment over time.
    Caseload,
    /// Waiting lists and waits over time, mean and 90% band, per strategy with a waiting
    /// list (only with waiting lists).
    Waiting,
    /// Probability that spend exceeds the budget line.
    BudgetOverrun,
    /// Lowest provider reserves per strategy (fan).
    ProviderReserves,
    /// Probability that a provider has failed by each year.
    PProviderFailure,
    /// Required risk reserve against certainty.
    ReserveByCertainty,
    /// Running mean and 95% band of the NPV saving against the number of runs.
    Convergence,
    /// The societal view: municipal saving, benefit outside the budget and their sum (only
    /// where the scenario values benefits outside the budget).
    Societal,
    /// Per municipality of a region, its P90 above its median spend under each allocation
    /// rule (only with `[[municipality]]`s).
    MunicipalRisk,
}

impl ChartKind {
    /// Every chart.
    pub const ALL: [ChartKind; 14] = [
        ChartKind::SpendFan,
        ChartKind::CumulativeSaving,
        ChartKind::NpvDistribution,
        ChartKind::PCheapest,
        ChartKind::SpendComponents,
        ChartKind::Caseload,
        ChartKind::Waiting,
        ChartKind::BudgetOverrun,
        ChartKind::ProviderReserves,
        ChartKind::PProviderFailure,
        ChartKind::ReserveByCertainty,
        ChartKind::Convergence,
        ChartKind::Societal,
        ChartKind::MunicipalRisk,
    ];

    /// The charts drawn again with every strategy, as an appendix, when [`focus`] leaves
    /// strategies out: the ones with a panel per strategy.
    pub const APPENDIX: [ChartKind; 5] = [
        ChartKind::SpendFan,
        ChartKind::CumulativeSaving,
        ChartKind::NpvDistribution,
        ChartKind::SpendComponents,
        ChartKind::ProviderReserves,
    ];

    /// The appendix chart's file in `lang`: `spend_fan_all_nl.png`.
    pub fn appendix_file(self, lang: Lang, ext: &str) -> String {
        format!("{}_all{}.{ext}", self.name(), lang.suffix())
    }

    /// The file stem: `spend_fan`.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::SpendFan => "spend_fan",
            ChartKind::CumulativeSaving => "cumulative_saving",
            ChartKind::NpvDistribution => "npv_distribution",
            ChartKind::PCheapest => "p_cheapest",
            ChartKind::SpendComponents => "spend_components",
            ChartKind::Caseload => "caseload",
            ChartKind::Waiting => "waiting",
            ChartKind::BudgetOverrun => "budget_overrun",
            ChartKind::ProviderReserves => "provider_reserves",
            ChartKind::PProviderFailure => "p_provider_failure",
            ChartKind::ReserveByCertainty => "reserve_by_certainty",
            ChartKind::Convergence => "convergence",
            ChartKind::Societal => "societal",
            ChartKind::MunicipalRisk => "municipal_risk",
        }
    }

    /// The chart's title.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            ChartKind::SpendFan => lang.t(
                "Yearly municipal spend on youth care, per strategy",
                "Jaarlijkse uitgaven van de gemeente aan jeugdhulp, per strategie",
            ),
            ChartKind::CumulativeSaving => lang.t(
                "Cumulative saving versus today's contracts (discounted)",
                "Opgetelde besparing ten opzichte van de huidige contracten (contante waarde)",
            ),
            ChartKind::NpvDistribution => lang.t(
                "Saving over the whole period in today's money: spread over futures",
                "Besparing over de hele periode, contante waarde: spreiding over de toekomsten",
            ),
            ChartKind::PCheapest => lang.t(
                "Chance that a strategy is the cheapest, counting spend up to each year",
                "Kans dat een strategie de goedkoopste is, uitgaven tot en met elk jaar",
            ),
            ChartKind::SpendComponents => lang.t(
                "What the municipality pays for (median per component)",
                "Waar de gemeente voor betaalt (mediaan per onderdeel)",
            ),
            ChartKind::Caseload => lang.t(
                "Clients in care by segment (median, at year end)",
                "Cliënten in zorg per segment (mediaan, einde van het jaar)",
            ),
            ChartKind::Waiting => lang.t(
                "Waiting lists next to spend: children waiting and how long (mean, 9 of 10 futures)",
                "Wachtlijsten naast de uitgaven: wachtende kinderen en hoe lang (gemiddelde, 9 van de 10 toekomsten)",
            ),
            ChartKind::BudgetOverrun => {
                lang.t("Chance that spend exceeds the budget line", "Kans dat de uitgaven boven de begroting uitkomen")
            }
            ChartKind::ProviderReserves => lang.t(
                "Providers' reserves: the lowest of any provider at year end",
                "Reserves van aanbieders: de laagste aan het einde van het jaar",
            ),
            ChartKind::PProviderFailure => lang.t(
                "Chance that at least one provider has run out of reserves, by year",
                "Kans op continuïteitsrisico: minstens één aanbieder zonder reserves, per jaar",
            ),
            ChartKind::ReserveByCertainty => {
                lang.t("Required risk reserve by certainty", "Benodigde weerstandscapaciteit naar zekerheidspercentage")
            }
            ChartKind::Convergence => lang.t(
                "Have enough futures been simulated? Running mean of the saving",
                "Zijn er genoeg toekomsten gesimuleerd? Lopend gemiddelde van de besparing",
            ),
            ChartKind::Societal => lang.t(
                "The societal view: saving for the municipality and benefits outside youth care",
                "Maatschappelijk perspectief: besparing voor de gemeente en baten buiten de jeugdhulp",
            ),
            ChartKind::MunicipalRisk => lang.t(
                "Who carries the risk: P90 above the median per municipality, by allocation rule",
                "Wie draagt het risico: P90 boven de mediaan per gemeente, naar verdeling",
            ),
        }
    }

    /// Whether the chart exists for these results (`budget_overrun` needs a budget).
    pub fn applies(self, d: &ReportData) -> bool {
        match self {
            ChartKind::BudgetOverrun => d.has_budget(),
            ChartKind::Waiting => super::headline::has_waiting(d),
            ChartKind::ReserveByCertainty => !d.reserve_by_certainty.is_empty(),
            ChartKind::Convergence => d.runs.len() >= 2 && d.strategies() >= 2,
            ChartKind::Societal => societal::applies(d),
            ChartKind::MunicipalRisk => !d.municipal_risk.is_empty(),
            _ => true,
        }
    }

    /// The file name of the chart in a format (`svg`, `png`) and language.
    pub fn file(self, lang: Lang, ext: &str) -> String {
        format!("{}{}.{ext}", self.name(), lang.suffix())
    }

    fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, d: &ReportData, lang: Lang) -> Result<(), String> {
        match self {
            ChartKind::SpendFan => spend_fan::draw(root, &spend_fan::data(d), d, lang),
            ChartKind::CumulativeSaving => cumulative_saving::draw(root, &cumulative_saving::data(d), d, lang),
            ChartKind::NpvDistribution => npv_distribution::draw(root, &npv_distribution::data(d), d, lang),
            ChartKind::PCheapest => p_cheapest::draw(root, &p_cheapest::data(d), d, lang),
            ChartKind::SpendComponents => spend_components::draw(root, &spend_components::data(d), d, lang),
            ChartKind::Caseload => caseload::draw(root, &caseload::data(d), d, lang),
            ChartKind::Waiting => waiting::draw(root, &waiting::data(d), d, lang),
            ChartKind::BudgetOverrun => budget_overrun::draw(root, &budget_overrun::data(d), d, lang),
            ChartKind::ProviderReserves => provider_reserves::draw(root, &provider_reserves::data(d), d, lang),
            ChartKind::PProviderFailure => p_provider_failure::draw(root, &p_provider_failure::data(d), d, lang),
            ChartKind::ReserveByCertainty => reserve_by_certainty::draw(root, &reserve_by_certainty::data(d), d, lang),
            ChartKind::Convergence => convergence::draw(root, &convergence::data(d), d, lang),
            ChartKind::Societal => societal::draw(root, &societal::data(d), d, lang),
            ChartKind::MunicipalRisk => municipal_risk::draw(root, &municipal_risk::data(d), d, lang),
        }
    }
}

fn chart_error(kind: ChartKind) -> impl Fn(String) -> OutputError {
    move |reason| OutputError::Chart { chart: kind.name(), reason }
}

/// The chart as an SVG document.
pub fn svg(kind: ChartKind, d: &ReportData, lang: Lang) -> Result<String, OutputError> {
    register_fonts().map_err(chart_error(kind))?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        kind.draw(&root, d, lang).map_err(chart_error(kind))?;
        root.present().map_err(|e| chart_error(kind)(e.to_string()))?;
    }
    Ok(out)
}

/// The chart as a PNG image of [`WIDTH`] × [`HEIGHT`] pixels.
pub fn png(kind: ChartKind, d: &ReportData, lang: Lang) -> Result<Vec<u8>, OutputError> {
    register_fonts().map_err(chart_error(kind))?;
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        kind.draw(&root, d, lang).map_err(chart_error(kind))?;
        root.present().map_err(|e| chart_error(kind)(e.to_string()))?;
    }
    encode_png(&pixels).map_err(|e| chart_error(kind)(e.to_string()))
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(rgb)?;
        w.finish()?;
    }
    Ok(out)
}

/// Named files, as reports return them.
type Files = Vec<(String, Vec<u8>)>;

/// The data for the appendix charts, when [`focus`] leaves strategies out.
pub(crate) fn every_strategy(d: &ReportData) -> Option<ReportData> {
    (focus(d).len() < d.strategies()).then(|| {
        let mut all = d.clone();
        all.every_strategy = true;
        all
    })
}

/// The appendix charts that apply (see [`ChartKind::APPENDIX`]); empty when [`focus`]
/// shows every strategy.
pub(crate) fn appendix(d: &ReportData) -> Vec<ChartKind> {
    if focus(d).len() < d.strategies() {
        ChartKind::APPENDIX.into_iter().filter(|k| k.applies(d)).collect()
    } else {
        Vec::new()
    }
}

/// The charts as a report: SVG and PNG, English and Dutch.
pub struct Charts;

impl Report for Charts {
    fn render(&self, d: &ReportData) -> Result<Vec<(String, Vec<u8>)>, OutputError> {
        use rayon::prelude::*;
        let jobs: Vec<(ChartKind, Lang)> =
            ChartKind::ALL.into_iter().filter(|k| k.applies(d)).flat_map(|k| Lang::ALL.map(|l| (k, l))).collect();
        let files: Result<Vec<Files>, OutputError> = jobs
            .par_iter()
            .map(|&(k, l)| Ok(vec![(k.file(l, "svg"), svg(k, d, l)?.into_bytes()), (k.file(l, "png"), png(k, d, l)?)]))
            .collect();
        let mut files: Files = files?.into_iter().flatten().collect();
        if let Some(all) = every_strategy(d) {
            let jobs: Vec<(ChartKind, Lang)> =
                appendix(d).into_iter().flat_map(|k| Lang::ALL.map(|l| (k, l))).collect();
            let more: Result<Vec<Files>, OutputError> = jobs
                .par_iter()
                .map(|&(k, l)| {
                    let svg = svg(k, &all, l)?.into_bytes();
                    Ok(vec![(k.appendix_file(l, "svg"), svg), (k.appendix_file(l, "png"), png(k, &all, l)?)])
                })
                .collect();
            files.extend(more?.into_iter().flatten());
        }
        if let Some(sens) = &d.sensitivity {
            files.extend(analysis::sensitivity_files(sens, |lang| subtitle(d, lang))?);
        }
        Ok(files)
    }
}

// ----- shared drawing -------------------------------------------------------------------

/// What a chart of one probability per strategy by year shows: the shape of `p_cheapest`
/// and `p_provider_failure`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityByYear {
    /// Calendar years.
    pub years: Vec<f64>,
    /// Strategy index and its probability per year, in percent.
    pub lines: Vec<(usize, Vec<f64>)>,
}

impl ProbabilityByYear {
    /// Every strategy's yearly mean of `metric`, a share of runs, in percent.
    pub fn of(d: &ReportData, metric: Yearly) -> Self {
        let lines = (0..d.strategies())
            .map(|k| (k, d.yearly_or_empty(k, metric).iter().map(|s| s.mean * 100.0).collect()))
            .collect();
        ProbabilityByYear { years: xs(d), lines }
    }
}

/// The words of a [`ProbabilityByYear`] chart: which chart it is (its title and error
/// name), the note under it and the title of the vertical axis.
pub(crate) struct ProbabilityLabels<'a> {
    /// The chart.
    pub kind: ChartKind,
    /// The note at the bottom: what the probability is a share of.
    pub note: &'a str,
    /// The vertical axis title.
    pub y_desc: &'a str,
}

/// Draws a [`ProbabilityByYear`] chart (in percent, 0–100), one line per strategy.
pub(crate) fn probability_by_year<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &ProbabilityByYear,
    labels: &ProbabilityLabels<'_>,
    d: &ReportData,
    lang: Lang,
) -> Result<(), String> {
    let ks = focus(d);
    let note = with_focus_note(d, lang, labels.note);
    let body = frame(root, labels.kind.title(lang), &subtitle(d, lang), &strategy_legend(d, &ks, lang), &note)?;
    let area = body.margin(10, 10, 20, 30);
    let mut chart = panel(&area, &Axes::percent_by_year(d, lang, labels.y_desc), lang)?;
    probability_lines(&mut chart, &s.years, &s.lines, d)
}

/// One line per strategy of [`focus`] in its colour and style, the baseline last (on top).
pub(crate) fn probability_lines<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    years: &[f64],
    lines: &[(usize, Vec<f64>)],
    d: &ReportData,
) -> Result<(), String> {
    let ks = focus(d);
    baseline_on_top(chart, years, lines, d, |k| ks.contains(&k))
}

/// A regular font of `size` pixels.
pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
}

/// A bold font of `size` pixels.
pub(crate) fn bold(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Bold)
}

/// Turns any displayable error into the message the chart error carries.
pub(crate) trait Msg<T> {
    fn msg(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Msg<T> for Result<T, E> {
    fn msg(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// The subtitle: the scenario (its Dutch name in Dutch, where the file gives one), the
/// number of runs and the seed ("startgetal" in Dutch, see docs/glossary.md). The seed is
/// an identifier, written without thousands separators.
pub fn subtitle(d: &ReportData, lang: Lang) -> String {
    let m = &d.meta;
    format!(
        "{} · {} {} · {} {} · {}–{}",
        d.scenario_name(lang),
        lang.num(m.runs as f64, 0),
        lang.t("simulated futures", "gesimuleerde toekomsten"),
        lang.t("seed", "startgetal"),
        m.seed,
        m.start_year,
        m.end_year()
    )
}

/// Something in a legend.
pub(crate) enum Mark {
    /// A line of a colour and width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor),
    /// A dotted line.
    Dotted(RGBColor),
    /// A filled box.
    Box(RGBColor),
    /// A line with a marker on it.
    Point(RGBColor, Marker),
}

/// Draws the white background, the title and subtitle at the top, the legend and a note
/// at the bottom, and returns the area in between for the plot. Every text is measured:
/// the title and subtitle shrink to fit one line, legend entries flow into rows (and are
/// shortened if one alone is wider than the chart), the note wraps into at most three
/// lines.
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    legend: &[(Mark, String)],
    note: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).msg()?;
    let max_px = WIDTH as f64 - 80.0;
    let (title_size, title_lines) = layout::fit(title, 46.0, 24.0, true, max_px, 1);
    let (subtitle_size, subtitle_lines) = layout::fit(subtitle, 26.0, 18.0, false, max_px, 1);
    let top = Pos::new(HPos::Left, VPos::Top);
    layout::draw_lines(root, &title_lines, (40, 22), &bold(title_size).color(&INK).pos(top), title_size)?;
    layout::draw_lines(root, &subtitle_lines, (40, 82), &font(subtitle_size).color(&GREY).pos(top), subtitle_size)?;
    // Lay the legend out in rows that fit the width.
    const ROW: i32 = 38;
    const LEGEND: f64 = 26.0;
    let mut placed = Vec::with_capacity(legend.len());
    let (mut x, mut row) = (40, 0);
    for (mark, text) in legend {
        let text = layout::shorten(text, LEGEND, false, max_px - 56.0);
        let width = 56 + layout::width(&text, LEGEND, false).ceil() as i32;
        if x > 40 && x + width > WIDTH as i32 - 40 {
            x = 40;
            row += 1;
        }
        placed.push((mark, text, x, row));
        x += width + 36;
    }
    let rows = if legend.is_empty() { 0 } else { row + 1 };
    const NOTE: f64 = 21.0;
    let (note_size, note_lines) =
        if note.is_empty() { (NOTE, Vec::new()) } else { layout::fit(note, NOTE, 17.0, false, max_px, 3) };
    let footer =
        rows * ROW + 10 + if note_lines.is_empty() { 0 } else { layout::lines_height(note_lines.len(), note_size) };
    let (_, rest) = root.split_vertically(125);
    let (body, foot) = rest.split_vertically(HEIGHT as i32 - 125 - footer);
    for (mark, text, x, row) in placed {
        let y = 18 + row * ROW;
        match mark {
            Mark::Line(c, w) => {
                foot.draw(&PathElement::new(vec![(x, y), (x + 44, y)], c.stroke_width(*w))).msg()?;
            }
            Mark::Dashed(c) => {
                for i in 0..3 {
                    let x0 = x + i * 16;
                    foot.draw(&PathElement::new(vec![(x0, y), (x0 + 10, y)], c.stroke_width(4))).msg()?;
                }
            }
            Mark::Dotted(c) => {
                for i in 0..5 {
                    let x0 = x + i * 10;
                    foot.draw(&PathElement::new(vec![(x0, y), (x0 + 4, y)], c.stroke_width(4))).msg()?;
                }
            }
            Mark::Box(c) => {
                foot.draw(&Rectangle::new([(x, y - 12), (x + 44, y + 12)], c.filled())).msg()?;
            }
            Mark::Point(c, m) => {
                foot.draw(&PathElement::new(vec![(x, y), (x + 44, y)], c.stroke_width(3))).msg()?;
                draw_marker(&foot, (x + 22, y), *m, *c)?;
            }
        }
        let style = font(LEGEND).color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
        foot.draw(&Text::new(text, (x + 56, y), style)).msg()?;
    }
    let note_style = font(note_size).color(&GREY).pos(top);
    layout::draw_lines(&foot, &note_lines, (40, rows * ROW + 6), &note_style, note_size)?;
    Ok(body)
}

/// Draws marker `m` of colour `c` centred at pixel `at` of `area`: hollow shapes, so that
/// markers on top of each other stay visible.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    m: Marker,
    c: RGBColor,
) -> Result<(), String> {
    const R: i32 = 9;
    let style = c.stroke_width(3);
    match m {
        Marker::Circle => area.draw(&Circle::new((x, y), R, style)).msg(),
        Marker::Triangle => area
            .draw(&PathElement::new(
                vec![(x, y - R - 1), (x + R + 1, y + R), (x - R - 1, y + R), (x, y - R - 1)],
                style,
            ))
            .msg(),
        Marker::Square => area.draw(&Rectangle::new([(x - R + 1, y - R + 1), (x + R - 1, y + R - 1)], style)).msg(),
        Marker::Diamond => area
            .draw(&PathElement::new(
                vec![(x, y - R - 2), (x + R + 2, y), (x, y + R + 2), (x - R - 2, y), (x, y - R - 2)],
                style,
            ))
            .msg(),
        Marker::Cross => {
            area.draw(&PathElement::new(vec![(x - R, y - R), (x + R, y + R)], style)).msg()?;
            area.draw(&PathElement::new(vec![(x - R, y + R), (x + R, y - R)], style)).msg()
        }
    }
}

/// Rows and columns for `n` small multiples.
pub(crate) fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 => (1, 3),
        4 => (2, 2),
        5 | 6 => (2, 3),
        7..=9 => (3, 3),
        _ => (n.div_ceil(4), 4),
    }
}

/// The axes of one panel.
pub(crate) struct Axes {
    /// Horizontal range (calendar years or money).
    pub x: Range<f64>,
    /// Vertical range.
    pub y: Range<f64>,
    /// Horizontal axis title, if shown on this panel (single-panel charts; small
    /// multiples have one for the whole chart, see [`layout::small_multiples`]).
    pub x_desc: Option<String>,
    /// Vertical axis title, if shown on this panel (as `x_desc`).
    pub y_desc: Option<String>,
    /// Whether horizontal labels are years (no thousands separator).
    pub x_is_year: bool,
    /// Whether vertical labels are percentages.
    pub y_is_pct: bool,
    /// Whether the vertical axis counts (children, clients): whole-number ticks only.
    pub y_integer: bool,
    /// Tick label size.
    pub label_size: f64,
}

impl Axes {
    /// Axes over the horizon's years with the amounts or counts `y`: tick labels of 22
    /// pixels, and no titles; the small multiples add their titles with struct update
    /// syntax.
    pub(crate) fn over_years(d: &ReportData, y: Range<f64>) -> Axes {
        Axes {
            x: year_range(&d.years()),
            y,
            x_desc: None,
            y_desc: None,
            x_is_year: true,
            y_is_pct: false,
            y_integer: false,
            label_size: 22.0,
        }
    }

    /// Axes of a chance in percent by year, with both axis titles.
    pub(crate) fn percent_by_year(d: &ReportData, lang: Lang, y_desc: &str) -> Axes {
        Axes {
            x: year_range(&d.years()),
            // A little room below 0% and above 100% so that lines there stay visible.
            y: -1.5..101.5,
            x_desc: Some(lang.t("year", "jaar").to_string()),
            y_desc: Some(y_desc.to_string()),
            x_is_year: true,
            y_is_pct: true,
            y_integer: false,
            label_size: 24.0,
        }
    }
}

/// A plot panel with axes, grid and tick labels in the language's number format.
pub(crate) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The tick positions plotters draws for `r` with at most `n` labels.
pub(crate) fn ticks(r: &Range<f64>, n: usize) -> Vec<f64> {
    use plotters::coord::ranged1d::Ranged;
    RangedCoordf64::from(r.clone()).key_points(n)
}

/// The fewest decimals (at most 3) that write every tick exactly: `190`, not `190,0`.
pub(crate) fn decimals_of(ticks: &[f64]) -> usize {
    (0..=3)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            ticks.iter().all(|t| ((t * f).round() - t * f).abs() < 1e-6)
        })
        .unwrap_or(3)
}

/// Size of axis titles.
pub(crate) const AXIS_TITLE: f64 = 24.0;

/// Builds a panel on `area` and draws its mesh. The label areas are measured: the
/// vertical one as wide as the widest tick label (plus the axis title, if any), the
/// number of horizontal labels as many as fit; count axes get whole-number ticks.
pub(crate) fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    a: &Axes,
    lang: Lang,
) -> Result<Plot<'a, DB>, String> {
    let (w, h) = area.dim_in_pixel();
    let ls = a.label_size;
    let ny = if a.y_integer { ((a.y.end - a.y.start).floor().max(0.0) as usize + 1).clamp(2, 6) } else { 6 };
    let label_h = layout::lines_height(1, ls);
    let desc_h = layout::lines_height(1, AXIS_TITLE);
    let x_area = label_h + 12 + if a.x_desc.is_some() { desc_h + 4 } else { 0 };
    // As many value labels as fit in a short panel (a grid of three rows) with a gap of
    // most of a label between them.
    let fit = ((h as i32 - x_area - 20).max(50) as f64 / (f64::from(label_h) * 1.9)).floor() as usize;
    let ny = ny.min(fit.max(2));
    let y_ticks = ticks(&a.y, ny);
    let y_dec = if a.y_integer { 0 } else { decimals_of(&y_ticks) };
    let yf = |y: &f64| if a.y_is_pct { format!("{}%", lang.num(*y, y_dec)) } else { lang.num(*y, y_dec) };
    let y_label_w = y_ticks.iter().map(|t| layout::width(&yf(t), ls, false)).fold(0.0, f64::max);
    let y_area = y_label_w.ceil() as i32 + 14 + if a.y_desc.is_some() { desc_h + 6 } else { 0 };
    // As many year or amount labels as fit with a gap of half a label between them.
    let x_fmt = |x: &f64, dec: usize| if a.x_is_year { format!("{x:.0}") } else { lang.num(*x, dec) };
    let widest_x =
        |ts: &[f64], dec: usize| ts.iter().map(|t| layout::width(&x_fmt(t, dec), ls, false)).fold(0.0, f64::max);
    let plot_w = (w as i32 - y_area - 40).max(50) as f64;
    let mut nx = 6;
    let (x_ticks, x_dec) = loop {
        let ts = ticks(&a.x, nx);
        let dec = if a.x_is_year { 0 } else { decimals_of(&ts) };
        let fits = ts.len() <= 1 || widest_x(&ts, dec) * 1.5 * ts.len() as f64 <= plot_w;
        if fits || nx <= 2 {
            break (ts, dec);
        }
        nx -= 1;
    };
    let right = (widest_x(&x_ticks, x_dec) / 2.0).ceil() as i32 + 6;
    let mut b = ChartBuilder::on(area);
    b.margin_top((ls * 0.7).ceil() as i32 + 4)
        .margin_bottom(6)
        .margin_left(10)
        .margin_right(right.max(24))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    let mut chart = b.build_cartesian_2d(a.x.clone(), a.y.clone()).msg()?;
    let xf = |x: &f64| x_fmt(x, x_dec);
    let plot_h = (h as i32 - x_area - 20).max(50) as f64;
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(ls).color(&INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1))
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf);
    let mut desc_size = AXIS_TITLE;
    if let Some(x) = &a.x_desc {
        let (s, lines) = layout::fit(x, AXIS_TITLE, 16.0, false, plot_w, 1);
        desc_size = desc_size.min(s);
        mesh.x_desc(lines.concat());
    }
    if let Some(y) = &a.y_desc {
        let (s, lines) = layout::fit(y, AXIS_TITLE, 16.0, false, plot_h, 1);
        desc_size = desc_size.min(s);
        mesh.y_desc(lines.concat());
    }
    mesh.axis_desc_style(font(desc_size).color(&INK));
    mesh.draw().msg()?;
    Ok(chart)
}

/// Decimals for tick labels over a range of width `span`.
pub(crate) fn decimals_for(span: f64) -> usize {
    if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    }
}

/// The range of `values` (finite only), widened by `pad` of its width on both sides;
/// `0..1` when there is nothing finite.
pub(crate) fn range_of(values: impl IntoIterator<Item = f64>, pad: f64) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if hi - lo < 1e-9 {
        return (lo - 1.0)..(hi + 1.0);
    }
    let w = hi - lo;
    (lo - pad * w)..(hi + pad * w)
}

/// The years as the horizontal range, with a little room at both ends.
pub(crate) fn year_range(years: &[i32]) -> Range<f64> {
    let first = years.first().copied().unwrap_or(0) as f64;
    let last = years.last().copied().unwrap_or(0) as f64;
    (first - 0.5)..(last + 0.5)
}

/// A band between `lo` and `hi` over `xs`: one filled polygon, upper edge forward and
/// lower edge back. Points where either edge is not finite are left out.
pub(crate) fn band<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    lo: &[f64],
    hi: &[f64],
    colour: RGBColor,
) -> Result<(), String> {
    let pts: Vec<(f64, f64, f64)> = xs
        .iter()
        .zip(lo.iter().zip(hi))
        .filter(|(_, (l, h))| l.is_finite() && h.is_finite())
        .map(|(&x, (&l, &h))| (x, l, h))
        .collect();
    if pts.len() < 2 {
        return Ok(());
    }
    let mut poly: Vec<(f64, f64)> = pts.iter().map(|&(x, _, h)| (x, h)).collect();
    poly.extend(pts.iter().rev().map(|&(x, l, _)| (x, l)));
    chart.plotting_area().draw(&Polygon::new(poly, colour.filled())).msg()
}

/// A line through the finite points of `ys` over `xs`.
pub(crate) fn line<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    ys: &[f64],
    style: ShapeStyle,
) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = xs.iter().zip(ys).filter(|(_, y)| y.is_finite()).map(|(&x, &y)| (x, y)).collect();
    chart.draw_series(LineSeries::new(pts, style)).msg().map(|_| ())
}

/// A dashed line through the finite points of `ys` over `xs`.
pub(crate) fn dashed<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    ys: &[f64],
    style: ShapeStyle,
) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = xs.iter().zip(ys).filter(|(_, y)| y.is_finite()).map(|(&x, &y)| (x, y)).collect();
    chart.draw_series(DashedLineSeries::new(pts, 12, 8, style)).msg().map(|_| ())
}

/// A dotted line through the finite points of `ys` over `xs`.
pub(crate) fn dotted<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    ys: &[f64],
    style: ShapeStyle,
) -> Result<(), String> {
    let pts: Vec<(f64, f64)> = xs.iter().zip(ys).filter(|(_, y)| y.is_finite()).map(|(&x, &y)| (x, y)).collect();
    chart.draw_series(DashedLineSeries::new(pts, 4, 7, style)).msg().map(|_| ())
}

/// The years as numbers for the horizontal axis.
pub(crate) fn xs(d: &ReportData) -> Vec<f64> {
    d.years().into_iter().map(f64::from).collect()
}

/// The non-baseline strategies, in file order.
pub(crate) fn alternatives(d: &ReportData) -> Vec<usize> {
    (0..d.strategies()).filter(|&k| k != d.baseline()).collect()
}

/// Legend entries for strategies `ks`, each in its colour and line style.
pub(crate) fn strategy_legend(d: &ReportData, ks: &[usize], lang: Lang) -> Vec<(Mark, String)> {
    ks.iter()
        .map(|&k| {
            let c = strategy_colour(d, k);
            let mark = if strategy_dash(d, k) {
                Mark::Dashed(c)
            } else {
                Mark::Line(c, if k == d.baseline() { 5 } else { 4 })
            };
            (mark, strategy_name(d, k, lang))
        })
        .collect()
}

/// Strategy `k`'s line through `ys` over `xs` in its colour and line style, the baseline
/// a little wider (as in its legend).
pub(crate) fn strategy_line<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    ys: &[f64],
    d: &ReportData,
    k: usize,
) -> Result<(), String> {
    let style = strategy_colour(d, k).stroke_width(if k == d.baseline() { 5 } else { 4 });
    if strategy_dash(d, k) { dashed(chart, xs, ys, style) } else { line(chart, xs, ys, style) }
}

/// The legend of a fan: the median line and the two bands, in grey (each panel has the
/// strategy's colour).
pub(crate) fn fan_legend(lang: Lang) -> Vec<(Mark, String)> {
    vec![
        (Mark::Line(INK, 4), lang.t("median", "mediaan").to_string()),
        (Mark::Box(tint(GREY, 0.45)), lang.t("half of futures", "helft van de toekomsten").to_string()),
        (Mark::Box(tint(GREY, 0.8)), lang.t("9 of 10 futures", "9 van de 10 toekomsten").to_string()),
    ]
}

/// The bands of a fan in shades of `colour`: widest band first, lightest fill, then the
/// narrower band, so that the narrower one stays visible on top.
pub(crate) fn fan_bands<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    fan: &Fan,
    colour: RGBColor,
) -> Result<(), String> {
    band(chart, xs, &fan.p5, &fan.p95, tint(colour, 0.8))?;
    band(chart, xs, &fan.p25, &fan.p75, tint(colour, 0.55))
}

/// One line per strategy among `lines` that `shown` keeps, alternatives first and the
/// baseline (always shown) on top and wider, so that it is never hidden.
pub(crate) fn baseline_on_top<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    xs: &[f64],
    lines: &[(usize, Vec<f64>)],
    d: &ReportData,
    shown: impl Fn(usize) -> bool,
) -> Result<(), String> {
    for (k, ys) in lines.iter().filter(|(k, _)| *k != d.baseline() && shown(*k)) {
        strategy_line(chart, xs, ys, d, *k)?;
    }
    for (k, ys) in lines.iter().filter(|(k, _)| *k == d.baseline()) {
        strategy_line(chart, xs, ys, d, *k)?;
    }
    Ok(())
}

/// One series per year of the percentiles of a figure: the data of a fan.
#[derive(Debug, Clone, PartialEq)]
pub struct Fan {
    /// 5th percentile per year.
    pub p5: Vec<f64>,
    /// 25th percentile per year.
    pub p25: Vec<f64>,
    /// Median per year.
    pub p50: Vec<f64>,
    /// 75th percentile per year.
    pub p75: Vec<f64>,
    /// 95th percentile per year.
    pub p95: Vec<f64>,
}

impl Fan {
    /// The fan of a yearly series, scaled by `scale` (e.g. 1e-6 for millions).
    pub fn of(stats: &[super::data::Stat], scale: f64) -> Self {
        let col = |i: usize| stats.iter().map(|s| s.p[i] * scale).collect();
        Fan { p5: col(0), p25: col(1), p50: col(2), p75: col(3), p95: col(4) }
    }

    /// Every value in the fan.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.p5.iter().chain(&self.p25).chain(&self.p50).chain(&self.p75).chain(&self.p95).copied()
    }
}

/// A text in the top-left corner of the plot, inside it: shortened to the plot's width, so
/// that it neither leaves the plot nor reaches a neighbour's labels.
pub(crate) fn corner_label<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    text: &str,
    style: TextStyle<'static>,
) -> Result<(), String> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, _) = area.dim_in_pixel();
    let size = style.font.get_size();
    let strong = matches!(style.font.get_style(), FontStyle::Bold);
    let text = layout::shorten(text, size, strong, w as f64 - 16.0);
    let at = (8, 6 + (size * 0.15).ceil() as i32);
    area.draw(&Text::new(text, at, style.pos(Pos::new(HPos::Left, VPos::Top)))).msg()
}
