//! [`ReportData`]: everything the charts, summaries, HTML report and workbook show, built
//! either from the in-memory results of a run or by reading a results folder
//! (`yearly.csv`, `summary.csv`, `runs.csv`, `budget.csv`, `meta.json`). Both ways give
//! the same numbers bit for bit (CSV cells hold the shortest exact representation), so
//! `contractsim report DIR` redraws exactly what `run` drew.

use std::collections::HashMap;
use std::path::Path;

use super::{OutputError, Results};

use crate::export::meta::Meta;
use crate::metrics::{HORIZON, Horizon, Yearly};
use crate::results::{RunTable, finance};
use crate::stats::Summary;

/// Mean, Monte Carlo standard error and the percentiles 5, 25, 50, 75, 95 of a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Mean over runs.
    pub mean: f64,
    /// Monte Carlo standard error of the mean.
    pub mcse: f64,
    /// Percentiles 5, 25, 50, 75 and 95 (NaN where undefined).
    pub p: [f64; 5],
}

impl Stat {
    /// 5th percentile.
    pub fn p5(&self) -> f64 {
        self.p[0]
    }
    /// 25th percentile.
    pub fn p25(&self) -> f64 {
        self.p[1]
    }
    /// Median.
    pub fn p50(&self) -> f64 {
        self.p[2]
    }
    /// 75th percentile.
    pub fn p75(&self) -> f64 {
        self.p[3]
    }
    /// 95th percentile.
    pub fn p95(&self) -> f64 {
        self.p[4]
    }
}

impl From<&Summary> for Stat {
    fn from(s: &Summary) -> Self {
        Stat { mean: s.mean, mcse: s.mcse, p: s.p }
    }
}

/// What every report reads.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// What the what-if page needs of the scenario (its text, its levers), when the data
    /// come from a run (`None` when read from a folder, which does not hold the file).
    pub(crate) whatif: Option<super::whatif::Source>,
    /// Whether the folder has (or the run writes) the what-if page, to which the summaries
    /// point.
    pub(crate) whatif_page: bool,
    /// Whether the charts draw every strategy (the appendix charts) rather than the
    /// selection of `charts::focus`.
    pub(crate) every_strategy: bool,
    /// Provenance, names and inputs.
    pub meta: Meta,
    /// Names of the yearly metrics, in the order of `yearly.csv`.
    pub yearly_metrics: Vec<String>,
    /// Yearly figures, `[strategy][metric][year]`.
    yearly: Vec<Stat>,
    /// Horizon figures, `[strategy][HORIZON]`.
    horizon: Vec<Stat>,
    /// Per-run data of the first runs (at most [`crate::results::collect::SAMPLE_RUNS`]): the charts
    /// and the workbook draw from them; the tables are over all runs.
    pub runs: RunTable,
    /// P90 of yearly spend, `[strategy][year]` (`budget.csv`).
    spend_p90: Vec<f64>,
    /// P50 and P80 of yearly spend, `[strategy][year]` (`budget.csv`).
    spend_p50_p80: (Vec<f64>, Vec<f64>),
    /// The baseline's budget line per year (NaN without a budget).
    pub budget_line: Vec<f64>,
    /// Each strategy's budget line, `[strategy][year]`: a task contract's strategy is held
    /// against the sum it signed (docs/model.md), the others against the scenario's line.
    budget_lines: Vec<f64>,
    /// The required reserve over the first budget period by certainty
    /// (`reserve_by_certainty.csv`): (strategy, certainty, reserve), empty without a budget.
    pub reserve_by_certainty: Vec<(usize, f64, f64)>,
    /// The first budget period's reserve at the scenario's certainties with the available
    /// reserve and its ratio (`reserve.csv`): (strategy, certainty, required, available,
    /// ratio, class), empty without a budget.
    pub first_period_reserve: Vec<ReserveRow>,
    /// The sensitivity tables, when `contractsim sensitivity` wrote them.
    pub sensitivity: Option<super::sensitivity::SensitivityData>,
    /// `break_even_inputs.csv`: where each strategy's mean saving crosses zero.
    pub break_even: Vec<BreakEven>,
    /// Every budget period of `reserve.csv` (the first, then rolling) with the reserve split,
    /// in the file's order; empty without a budget.
    pub periods: Vec<PeriodReserve>,
    /// Per strategy, the discounted successes and their gain on the baseline's
    /// (`summary.csv`'s `npv_successes` and `npv_successes_gain_vs_baseline`; NaN in a
    /// folder written before they existed).
    pub successes: Vec<(Stat, Stat)>,
    /// The per-run file of the results folder (`runs.csv` or `runs.parquet`): the one the
    /// folder has when read from it (`None`: neither); from the in-memory results `runs.csv`
    /// unless the app layer names another ([`ReportData::with_runs_file`]).
    pub runs_file: Option<&'static str>,
    /// In the file's own world of a scenario with `[[variant]]`s: each variant's world and
    /// its results (`variants/<id>/`), in file order; empty otherwise.
    pub worlds: Vec<WorldData>,
    /// With `[[municipality]]`s: each municipality's spend over the first budget period
    /// under each rule (`municipal_risk.csv`), municipality-major, then strategy, then rule;
    /// empty otherwise.
    pub municipal_risk: Vec<MunicipalRiskRow>,
}

/// One row of `municipal_risk.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalRiskRow {
    /// Municipality index (in `meta.municipalities`).
    pub municipality: usize,
    /// Strategy index.
    pub strategy: usize,
    /// The rule: `solidarity`, `use` or `mix`.
    pub allocation: String,
    /// First and last year of the period.
    pub years: (i32, i32),
    /// P50 of the municipality's spend over the period.
    pub p50: f64,
    /// P90 of it.
    pub p90: f64,
}

impl MunicipalRiskRow {
    /// The relative risk P90 / P50 (NaN when the median is not positive).
    pub fn relative_risk(&self) -> f64 {
        crate::export::municipalities::relative_risk(self.p50, self.p90)
    }
}

/// The results of one variant's world.
#[derive(Debug, Clone)]
pub struct WorldData {
    /// The world.
    pub world: crate::scenario::variant::World,
    /// Its results.
    pub data: Box<ReportData>,
}

/// The folder of a variant's results inside the results folder of its scenario.
pub fn variant_folder(id: &str) -> String {
    format!("variants/{id}")
}

/// One row of `reserve.csv`: a budget period of a strategy at one certainty, with the
/// reserve split of docs/model.md section 13 and the exact period risk reserve of section 14.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodReserve {
    /// Strategy index.
    pub strategy: usize,
    /// First and last calendar year of the period.
    pub years: (i32, i32),
    /// Certainty.
    pub certainty: f64,
    /// Required reserve on the budget line as it is (`required_reserve`).
    pub required: f64,
    /// Available reserve (NaN when not given).
    pub available: f64,
    /// `available / required` (NaN without an available reserve).
    pub ratio: f64,
    /// Its class (empty without an available reserve).
    pub class: String,
    /// The sum of the period's yearly structural gaps (for the meerjarenraming).
    pub structural_gap: f64,
    /// The risk reserve (`Q_c − Q_50` of the summed overrun).
    pub risk_reserve: f64,
    /// `available / risk_reserve`.
    pub risk_ratio: f64,
    /// Its class.
    pub risk_class: String,
    /// `P_c − P50` of the period's summed spend (NaN in an older folder).
    pub risk_reserve_spend: f64,
}

/// One row of `break_even_inputs.csv`: the value of an input at which a strategy's mean
/// saving against the baseline crosses zero, on common random numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    /// Strategy index.
    pub strategy: usize,
    /// Dotted path of the input.
    pub input: String,
    /// Its mean as assumed.
    pub assumed: f64,
    /// Its mean at the crossing (NaN: no crossing in the range searched).
    pub break_even: f64,
    /// `break_even / assumed`.
    pub ratio: f64,
}

impl From<&crate::analysis::break_even::BreakEvenRow> for BreakEven {
    fn from(r: &crate::analysis::break_even::BreakEvenRow) -> Self {
        BreakEven {
            strategy: r.strategy,
            input: r.input.clone(),
            assumed: r.assumed,
            break_even: r.break_even,
            ratio: r.ratio,
        }
    }
}

/// Reads `break_even_inputs.csv` (absent: no rows).
fn parse_break_even(dir: &Path, meta: &Meta) -> Result<Vec<BreakEven>, OutputError> {
    let Ok(bytes) = std::fs::read(dir.join("break_even_inputs.csv")) else { return Ok(Vec::new()) };
    let bad = |reason: String| OutputError::Read { file: "break_even_inputs.csv", reason };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(format!("no column `{name}`")));
    let (cs, ci, ca, cb, cr) =
        (column("strategy")?, column("input")?, column("assumed")?, column("break_even")?, column("ratio")?);
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let field = |c: usize| rec.get(c).unwrap_or("");
        let num = |c: usize| if field(c).is_empty() { Ok(f64::NAN) } else { number("break_even_inputs.csv", field(c)) };
        out.push(BreakEven {
            strategy: strategy_index("break_even_inputs.csv", meta, field(cs))?,
            input: field(ci).to_string(),
            assumed: num(ca)?,
            break_even: num(cb)?,
            ratio: num(cr)?,
        });
    }
    Ok(out)
}

pub use crate::results::finance::ReserveRow;

impl ReportData {
    /// Builds the data from the results of a run.
    pub fn from_results(r: &Results) -> Self {
        let meta = Meta::of(r);
        let lay = &r.plan.layout;
        let n = r.plan.strategies();
        let nm = lay.yearly.len();
        let mut yearly = Vec::with_capacity(n * nm * lay.years);
        for k in 0..n {
            for m in 0..nm {
                for t in 0..lay.years {
                    yearly.push(Stat::from(r.yearly_stat(k, t, m)));
                }
            }
        }
        let horizon = r.horizon.iter().map(|hs| Stat::from(&hs.summary)).collect();
        let runs = r.collected.sample.clone();
        let budget = finance::budget_rows(r);
        let mut spend_p90 = vec![f64::NAN; n * lay.years];
        let mut budget_line = vec![f64::NAN; lay.years];
        let mut budget_lines = vec![f64::NAN; n * lay.years];
        let base = r.plan.scenario.baseline();
        for row in &budget {
            spend_p90[row.strategy * lay.years + row.year] = row.spend_p90();
            budget_lines[row.strategy * lay.years + row.year] = row.budget;
            if row.strategy == base {
                budget_line[row.year] = row.budget;
            }
        }
        let reserve_by_certainty =
            finance::reserve_by_certainty(r).into_iter().map(|(k, _, c, need)| (k, c, need)).collect();
        let reserve = finance::reserve_rows(r);
        let periods = reserve
            .iter()
            .zip(crate::analysis::reserve_split::periods(r))
            .zip(finance::period_spend_risk(r))
            .map(|((row, split), exact)| PeriodReserve {
                strategy: row.strategy,
                years: row.years,
                certainty: row.certainty,
                required: row.required,
                available: row.available,
                ratio: row.ratio,
                class: row.class.clone(),
                structural_gap: split.structural_gap,
                risk_reserve: split.risk_reserve,
                risk_ratio: if row.available.is_nan() { f64::NAN } else { split.risk_ratio },
                risk_class: split.risk_class,
                risk_reserve_spend: exact,
            })
            .collect();
        let first_period_reserve =
            reserve.into_iter().filter(|row| row.years.0 == r.plan.scenario.start_year).collect();
        let mut spend_p50_p80 = (vec![f64::NAN; n * lay.years], vec![f64::NAN; n * lay.years]);
        for row in &budget {
            spend_p50_p80.0[row.strategy * lay.years + row.year] = row.spend[0];
            spend_p50_p80.1[row.strategy * lay.years + row.year] = row.spend[1];
        }
        let successes = r.successes.iter().map(|x| (Stat::from(&x.npv_successes), Stat::from(&x.gain))).collect();
        let period_years = r.collected.columns.municipal.as_ref().map_or(1, |c| c.period_years) as i32;
        let start = r.plan.scenario.start_year;
        let municipal_risk = crate::export::municipalities::municipal_risks(r)
            .into_iter()
            .map(|x| MunicipalRiskRow {
                municipality: x.municipality,
                strategy: x.strategy,
                allocation: x.allocation.to_string(),
                years: (start, start + period_years - 1),
                p50: x.p50,
                p90: x.p90,
            })
            .collect();
        ReportData {
            // A variant's world has no text of its own to read again (it is the file's text
            // with the variant's values): its folder has no what-if page; the file's has.
            whatif: (!r.plan.scenario.text.is_empty()).then(|| super::whatif::Source::of(&r.plan.scenario, r.info)),
            whatif_page: !r.plan.scenario.text.is_empty(),
            municipal_risk,
            meta,
            yearly_metrics: lay.yearly.clone(),
            yearly,
            horizon,
            runs,
            spend_p90,
            spend_p50_p80,
            budget_line,
            budget_lines,
            every_strategy: false,
            reserve_by_certainty,
            first_period_reserve,
            sensitivity: None,
            break_even: Vec::new(),
            periods,
            successes,
            // `runs.csv`: rendered from the batch when it is in memory (sensitivity, tests), and
            // the default of a streamed run; a run with `--runs-format parquet` names its file
            // through [`ReportData::with_runs_file`].
            runs_file: Some(crate::export::runs_file::RUNS_CSV),
            worlds: Vec::new(),
        }
    }

    /// Adds the results of the variants' worlds (of a scenario with `[[variant]]`s).
    pub fn with_worlds(mut self, worlds: Vec<WorldData>) -> Self {
        self.worlds = worlds;
        self
    }

    /// The results of world `id`: this one's when `id` is `None` or names no variant.
    pub(crate) fn in_world(&self, id: Option<&str>) -> &ReportData {
        id.and_then(|id| self.worlds.iter().find(|w| w.world.id == id)).map_or(self, |w| &w.data)
    }

    /// Names the per-run file the results folder holds (`runs.csv` or `runs.parquet`), for
    /// the reports that link to it.
    pub fn with_runs_file(mut self, file: &'static str) -> Self {
        self.runs_file = Some(file);
        self
    }

    /// Reads a results folder written by `contractsim run`.
    pub(crate) fn from_folder(dir: &Path) -> Result<Self, OutputError> {
        let meta = parse_meta(&read(dir, "meta.json")?)?;
        let break_even = parse_break_even(dir, &meta)?;
        let (yearly_metrics, yearly) = parse_yearly(&read(dir, "yearly.csv")?, &meta)?;
        let summary_bytes = read(dir, "summary.csv")?;
        let horizon = parse_summary(&summary_bytes, &meta)?;
        let successes = parse_successes(&summary_bytes, &meta)?;
        let runs = read_sample(dir, &meta, meta.strategies.len())?;
        let (spend_p90, budget_line, budget_lines, spend_p50_p80) = parse_budget(&read(dir, "budget.csv")?, &meta)?;
        // The reserve tables exist only for scenarios with a budget line.
        let reserve_by_certainty = match std::fs::read(dir.join("reserve_by_certainty.csv")) {
            Ok(bytes) => parse_reserve_by_certainty(&bytes, &meta)?,
            Err(_) => Vec::new(),
        };
        let (first_period_reserve, periods) = match std::fs::read(dir.join("reserve.csv")) {
            Ok(bytes) => (parse_reserve(&bytes, &meta)?, parse_periods(&bytes, &meta)?),
            Err(_) => (Vec::new(), Vec::new()),
        };
        let runs_file = [crate::export::runs_file::RUNS_CSV, crate::export::runs_file::RUNS_PARQUET]
            .into_iter()
            .find(|f| dir.join(f).exists());
        let municipal_risk = if meta.municipalities.is_empty() {
            Vec::new()
        } else {
            parse_municipal_risk(&read(dir, "municipal_risk.csv")?, &meta)?
        };
        let worlds = meta
            .variants
            .iter()
            .map(|w| {
                let data = ReportData::from_folder(&dir.join(variant_folder(&w.id)))?;
                Ok(WorldData { world: w.clone(), data: Box::new(data) })
            })
            .collect::<Result<Vec<_>, OutputError>>()?;
        Ok(ReportData {
            municipal_risk,
            meta,
            yearly_metrics,
            yearly,
            horizon,
            runs,
            spend_p90,
            spend_p50_p80,
            budget_line,
            budget_lines,
            every_strategy: false,
            whatif: None,
            whatif_page: dir.join("whatif.html").is_file(),
            reserve_by_certainty,
            first_period_reserve,
            sensitivity: super::sensitivity::SensitivityData::from_folder(dir)?,
            break_even,
            periods,
            successes,
            runs_file,
            worlds,
        })
    }

    /// Number of strategies.
    pub fn strategies(&self) -> usize {
        self.meta.strategies.len()
    }

    /// Index of the baseline strategy.
    pub fn baseline(&self) -> usize {
        self.meta.baseline_index()
    }

    /// Readable name of strategy `k`.
    pub fn name(&self, k: usize) -> &str {
        self.meta.strategy_name(k)
    }

    /// Strategy `k`'s budget line per year (NaN without a budget).
    pub fn budget_line_of(&self, k: usize) -> &[f64] {
        let years = self.meta.horizon_years;
        self.budget_lines.get(k * years..(k + 1) * years).unwrap_or(&[])
    }

    /// Readable name of strategy `k` in a language (Dutch falls back to English).
    pub fn label(&self, k: usize, lang: super::lang::Lang) -> &str {
        match lang {
            super::lang::Lang::En => self.meta.strategy_name(k),
            super::lang::Lang::Nl => self.meta.strategy_name_nl(k),
        }
    }

    /// The scenario's name in a language.
    pub fn scenario_name(&self, lang: super::lang::Lang) -> &str {
        match lang {
            super::lang::Lang::Nl if !self.meta.scenario_name_nl.is_empty() => &self.meta.scenario_name_nl,
            _ => &self.meta.scenario_name,
        }
    }

    /// The mean NPV saving against the baseline of strategy `k`'s behaviour-neutral twin
    /// (its contracts' behaviour factors at 1, on the same futures), when the run made one.
    pub(crate) fn behaviour_neutral_saving(&self, k: usize) -> Option<f64> {
        Some(self.horizon(k, Horizon::NpvSavingBehaviourNeutral).mean).filter(|x| x.is_finite())
    }

    /// Calendar years of the horizon.
    pub fn years(&self) -> Vec<i32> {
        (0..self.meta.horizon_years).map(|t| self.meta.start_year + t as i32).collect()
    }

    /// Index of a yearly metric by name.
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.yearly_metrics.iter().position(|m| m == name)
    }

    /// The yearly figures of metric `name` for strategy `k`, one per year; `None` when the
    /// folder has no such metric (e.g. `budget_overrun` without a budget).
    pub fn yearly(&self, k: usize, metric: Yearly) -> Option<&[Stat]> {
        self.yearly_named(k, metric.name())
    }

    /// Like [`ReportData::yearly`], for a metric of the scenario's layout named `name`
    /// (`budget_overrun`, `caseload.<segment>`, ...).
    pub(crate) fn yearly_named(&self, k: usize, name: &str) -> Option<&[Stat]> {
        let m = self.metric(name)?;
        let years = self.meta.horizon_years;
        let start = (k * self.yearly_metrics.len() + m) * years;
        self.yearly.get(start..start + years)
    }

    /// Like [`ReportData::yearly`], with an empty series when the metric is missing.
    pub(crate) fn yearly_or_empty(&self, k: usize, metric: Yearly) -> &[Stat] {
        self.yearly(k, metric).unwrap_or(&[])
    }

    /// Horizon figure `m` of strategy `k`.
    pub fn horizon(&self, k: usize, m: Horizon) -> &Stat {
        &self.horizon[k * HORIZON.len() + m.index()]
    }

    /// P90 of yearly spend of strategy `k` (the prudent budget), one per year.
    pub fn spend_p90(&self, k: usize) -> &[f64] {
        let years = self.meta.horizon_years;
        self.spend_p90.get(k * years..(k + 1) * years).unwrap_or(&[])
    }

    /// P50 of yearly spend of strategy `k`, one per year (`budget.csv`'s `spend_p50`).
    pub fn spend_p50(&self, k: usize) -> &[f64] {
        let years = self.meta.horizon_years;
        self.spend_p50_p80.0.get(k * years..(k + 1) * years).unwrap_or(&[])
    }

    /// P80 of yearly spend of strategy `k`, one per year (`budget.csv`'s `spend_p80`).
    pub fn spend_p80(&self, k: usize) -> &[f64] {
        let years = self.meta.horizon_years;
        self.spend_p50_p80.1.get(k * years..(k + 1) * years).unwrap_or(&[])
    }

    /// The deflator to constant prices of the start year (prijspeil), one per year:
    /// `(1 + ī)^t` with `ī` the expected cost inflation (`economy.cost_inflation`'s mean in
    /// `meta.json`; 0 without one), the index of docs/model.md section 2 at its mean. The
    /// same for every run, so a percentile in constant prices is the nominal percentile
    /// divided by it (docs/model.md section 14).
    pub fn price_deflator(&self) -> Vec<f64> {
        let rate = self.meta.inputs.iter().find(|i| i.path == "economy.cost_inflation").map_or(0.0, |i| i.mean);
        let rate = if rate.is_finite() { rate } else { 0.0 };
        (0..self.meta.horizon_years).map(|t| crate::model::time::index(rate, t)).collect()
    }

    /// Runs in the results (all of them; [`ReportData::runs`] holds the first ones only).
    pub(crate) fn total_runs(&self) -> usize {
        self.meta.runs
    }

    /// Runs in which strategy `k` never breaks even (its `break_even_year` is empty), from
    /// the share that does (`p_break_even`) over all runs.
    pub(crate) fn never_break_even(&self, k: usize) -> usize {
        let share = self.horizon(k, Horizon::PBreakEven).mean;
        if share.is_nan() { self.total_runs() } else { (self.total_runs() as f64 * (1.0 - share)).round() as usize }
    }

    /// Whether the scenario has a budget line.
    pub fn has_budget(&self) -> bool {
        self.meta.budget_eur.is_some() && self.metric(crate::metrics::BUDGET_OVERRUN).is_some()
    }
}

/// A file of the results folder.
fn read(dir: &Path, file: &'static str) -> Result<Vec<u8>, OutputError> {
    std::fs::read(dir.join(file)).map_err(|e| OutputError::Read { file, reason: e.to_string() })
}

/// `meta.json`, checked to name strategies, inputs and years (older versions of
/// contractsim wrote no names or inputs, which every report needs).
fn parse_meta(bytes: &[u8]) -> Result<Meta, OutputError> {
    let file = "meta.json";
    let meta: Meta = serde_json::from_slice(bytes).map_err(|e| OutputError::Read { file, reason: e.to_string() })?;
    if meta.strategy_details.is_empty() || meta.inputs.is_empty() {
        return Err(OutputError::Read {
            file,
            reason: "no strategy names or inputs: the folder was written by an older contractsim; run the scenario \
                     again"
                .into(),
        });
    }
    if meta.strategies.is_empty() || meta.horizon_years == 0 {
        return Err(OutputError::Read { file, reason: "no strategies or no years".into() });
    }
    Ok(meta)
}

/// The index of the strategy with identifier `id` in `meta.json`.
fn strategy_index(file: &'static str, meta: &Meta, id: &str) -> Result<usize, OutputError> {
    meta.strategies
        .iter()
        .position(|s| s == id)
        .ok_or_else(|| OutputError::Read { file, reason: format!("unknown strategy `{id}`") })
}

/// `yearly.csv` (strategy,year,metric,mean,mcse,p5,p25,p50,p75,p95): the metric names in
/// the order they first appear, and the figures `[strategy][metric][year]`, every one
/// present.
fn parse_yearly(bytes: &[u8], meta: &Meta) -> Result<(Vec<String>, Vec<Stat>), OutputError> {
    let file = "yearly.csv";
    let mut metrics: Vec<String> = Vec::new();
    let mut metric_index: HashMap<String, usize> = HashMap::new();
    let mut cells: Vec<(usize, usize, usize, Stat)> = Vec::new();
    for row in csv_rows(file, bytes, 10)? {
        let k = strategy_index(file, meta, &row[0])?;
        let t = year_index(file, &row[1], meta)?;
        let m = match metric_index.get(&row[2]) {
            Some(&m) => m,
            None => {
                metrics.push(row[2].clone());
                metric_index.insert(row[2].clone(), metrics.len() - 1);
                metrics.len() - 1
            }
        };
        cells.push((k, m, t, stat(file, &row[3..10])?));
    }
    let (nm, years) = (metrics.len(), meta.horizon_years);
    let mut yearly = vec![None; meta.strategies.len() * nm * years];
    for (k, m, t, s) in cells {
        yearly[(k * nm + m) * years + t] = Some(s);
    }
    Ok((metrics, complete(file, yearly)?))
}

/// `summary.csv` (strategy,metric,mean,mcse,p5,p25,p50,p75,p95): the horizon figures
/// `[strategy][HORIZON]`, every one present; metrics outside [`HORIZON`] are skipped.
fn parse_summary(bytes: &[u8], meta: &Meta) -> Result<Vec<Stat>, OutputError> {
    let file = "summary.csv";
    let mut horizon = vec![None; meta.strategies.len() * HORIZON.len()];
    for row in csv_rows(file, bytes, 9)? {
        let k = strategy_index(file, meta, &row[0])?;
        if let Some(m) = HORIZON.iter().position(|x| *x == row[1]) {
            horizon[k * HORIZON.len() + m] = Some(stat(file, &row[2..9])?);
        }
    }
    complete(file, horizon)
}

/// The first [`crate::results::collect::SAMPLE_RUNS`] runs of `runs.csv` (run,strategy,<HORIZON>,
/// <uncertain parameters>), read as a stream so that a large file is not held in memory.
fn read_sample(dir: &Path, meta: &Meta, n: usize) -> Result<RunTable, OutputError> {
    let parquet = dir.join(crate::export::runs_file::RUNS_PARQUET);
    if !dir.join(crate::export::runs_file::RUNS_CSV).exists() && parquet.exists() {
        return read_sample_parquet(&parquet, meta, n);
    }
    let file = "runs.csv";
    let nh = HORIZON.len();
    let n_params = meta.uncertain_parameters.len();
    let width = 2 + nh + n_params;
    let f = std::fs::File::open(dir.join(file)).map_err(|e| OutputError::Read { file, reason: e.to_string() })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(f));
    let mut runs = RunTable::empty(n, n_params);
    let mut horizon = Vec::with_capacity(n * nh);
    let mut params = Vec::with_capacity(n_params);
    let mut run_id = 0;
    for (i, rec) in reader.records().enumerate() {
        if runs.len() >= crate::results::collect::SAMPLE_RUNS {
            break;
        }
        let row = rec.map_err(|e| OutputError::Read { file, reason: e.to_string() })?;
        if row.len() != width {
            return Err(OutputError::Read {
                file,
                reason: format!("row {}: expected {width} columns, found {}", i + 2, row.len()),
            });
        }
        let k = strategy_index(file, meta, &row[1])?;
        if k != i % n {
            return Err(OutputError::Read { file, reason: format!("row {}: strategies out of order", i + 2) });
        }
        if k == 0 {
            run_id =
                row[0].parse().map_err(|_| OutputError::Read { file, reason: format!("bad run `{}`", &row[0]) })?;
            horizon.clear();
            params.clear();
            for c in row.iter().skip(2 + nh) {
                params.push(number(file, c)?);
            }
        }
        for c in row.iter().skip(2).take(nh) {
            horizon.push(number(file, c)?);
        }
        if k == n - 1 {
            runs.push(run_id, &horizon, &params);
        }
    }
    if horizon.len() != n * nh && !(horizon.is_empty() && runs.is_empty()) {
        return Err(OutputError::Read { file, reason: "not one row per run and strategy".into() });
    }
    Ok(runs)
}

/// The first runs of `runs.parquet`, checked against `meta.json`.
fn read_sample_parquet(path: &Path, meta: &Meta, n: usize) -> Result<RunTable, OutputError> {
    let file = "runs.parquet";
    let bad = |reason: String| OutputError::Read { file, reason };
    let d = crate::export::parquet::read_runs_parquet(path, Some(crate::results::collect::SAMPLE_RUNS))
        .map_err(|e| bad(e.to_string()))?;
    if d.strategies != meta.strategies {
        return Err(bad(format!("expected the strategies of meta.json, found {:?}", d.strategies)));
    }
    if d.param_names != meta.uncertain_parameters {
        return Err(bad("expected the uncertain parameters of meta.json".into()));
    }
    let columns: Vec<usize> = HORIZON
        .iter()
        .map(|m| d.metrics.iter().position(|x| x == m).ok_or_else(|| bad(format!("no column `{m}`"))))
        .collect::<Result<_, _>>()?;
    let (nm, np) = (d.metrics.len(), d.param_names.len());
    let mut runs = RunTable::empty(n, np);
    let mut horizon = Vec::with_capacity(n * HORIZON.len());
    for (i, &id) in d.run_ids.iter().enumerate() {
        horizon.clear();
        for k in 0..n {
            horizon.extend(columns.iter().map(|&c| d.horizon[(i * n + k) * nm + c]));
        }
        runs.push(id, &horizon, &d.params[i * np..(i + 1) * np]);
    }
    Ok(runs)
}

fn csv_rows(file: &'static str, bytes: &[u8], width: usize) -> Result<Vec<Vec<String>>, OutputError> {
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| OutputError::Read { file, reason: e.to_string() })?;
        if rec.len() < width {
            return Err(OutputError::Read {
                file,
                reason: format!("row {}: expected {width} columns, found {}", i + 2, rec.len()),
            });
        }
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn number(file: &'static str, cell: &str) -> Result<f64, OutputError> {
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    cell.parse().map_err(|_| OutputError::Read { file, reason: format!("expected a number, found `{cell}`") })
}

fn stat(file: &'static str, c: &[String]) -> Result<Stat, OutputError> {
    Ok(Stat {
        mean: number(file, &c[0])?,
        mcse: number(file, &c[1])?,
        p: [
            number(file, &c[2])?,
            number(file, &c[3])?,
            number(file, &c[4])?,
            number(file, &c[5])?,
            number(file, &c[6])?,
        ],
    })
}

fn year_index(file: &'static str, cell: &str, meta: &Meta) -> Result<usize, OutputError> {
    let year: i32 = cell.parse().map_err(|_| OutputError::Read { file, reason: format!("bad year `{cell}`") })?;
    let t = year - meta.start_year;
    if t < 0 || t as usize >= meta.horizon_years {
        return Err(OutputError::Read { file, reason: format!("year {year} outside the horizon") });
    }
    Ok(t as usize)
}

fn complete<T>(file: &'static str, cells: Vec<Option<T>>) -> Result<Vec<T>, OutputError> {
    let total = cells.len();
    let out: Vec<T> = cells.into_iter().flatten().collect();
    if out.len() != total {
        return Err(OutputError::Read { file, reason: format!("{} figures missing", total - out.len()) });
    }
    Ok(out)
}

type BudgetColumns = (Vec<f64>, Vec<f64>, Vec<f64>, (Vec<f64>, Vec<f64>));

/// `summary.csv`'s rows of the discounted successes per strategy (NaN where absent).
fn parse_successes(bytes: &[u8], meta: &Meta) -> Result<Vec<(Stat, Stat)>, OutputError> {
    let file = "summary.csv";
    let none = Stat { mean: f64::NAN, mcse: f64::NAN, p: [f64::NAN; 5] };
    let mut out = vec![(none, none); meta.strategies.len()];
    for row in csv_rows(file, bytes, 9)? {
        let k = strategy_index(file, meta, &row[0])?;
        if row[1] == crate::results::NPV_SUCCESSES {
            out[k].0 = stat(file, &row[2..9])?;
        } else if row[1] == crate::results::NPV_SUCCESSES_GAIN {
            out[k].1 = stat(file, &row[2..9])?;
        }
    }
    Ok(out)
}

/// Every row of `reserve.csv` with its split (`risk_reserve_spend` NaN in an older folder).
fn parse_periods(bytes: &[u8], meta: &Meta) -> Result<Vec<PeriodReserve>, OutputError> {
    let file = "reserve.csv";
    let bad = |reason: String| OutputError::Read { file, reason };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let need = |name: &str| column(name).ok_or_else(|| bad(format!("no column `{name}`")));
    let cols = [
        need("strategy")?,
        need("first_year")?,
        need("last_year")?,
        need("certainty")?,
        need("required_reserve")?,
        need("available_reserve")?,
        need("ratio")?,
        need("class")?,
        need("structural_gap")?,
        need("risk_reserve")?,
        need("risk_ratio")?,
        need("risk_class")?,
    ];
    let exact = column("risk_reserve_spend");
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let field = |c: usize| rec.get(c).unwrap_or("");
        let num = |c: usize| match field(c) {
            "inf" => Ok(f64::INFINITY),
            x => number(file, x),
        };
        let year = |c: usize| field(c).parse::<i32>().map_err(|_| bad(format!("bad year `{}`", field(c))));
        out.push(PeriodReserve {
            strategy: strategy_index(file, meta, field(cols[0]))?,
            years: (year(cols[1])?, year(cols[2])?),
            certainty: num(cols[3])?,
            required: num(cols[4])?,
            available: num(cols[5])?,
            ratio: num(cols[6])?,
            class: field(cols[7]).to_string(),
            structural_gap: num(cols[8])?,
            risk_reserve: num(cols[9])?,
            risk_ratio: num(cols[10])?,
            risk_class: field(cols[11]).to_string(),
            risk_reserve_spend: match exact {
                Some(c) => num(c)?,
                None => f64::NAN,
            },
        });
    }
    Ok(out)
}

/// `reserve_by_certainty.csv`: strategy,first_year,last_year,certainty,required_reserve.
fn parse_reserve_by_certainty(bytes: &[u8], meta: &Meta) -> Result<Vec<(usize, f64, f64)>, OutputError> {
    let file = "reserve_by_certainty.csv";
    csv_rows(file, bytes, 5)?
        .iter()
        .map(|row| {
            let k = strategy_index(file, meta, &row[0])?;
            Ok((k, number(file, &row[3])?, number(file, &row[4])?))
        })
        .collect()
}

/// The rows of `municipal_risk.csv`.
fn parse_municipal_risk(bytes: &[u8], meta: &Meta) -> Result<Vec<MunicipalRiskRow>, OutputError> {
    let file = "municipal_risk.csv";
    let bad = |reason: String| OutputError::Read { file, reason };
    csv_rows(file, bytes, 8)?
        .iter()
        .map(|row| {
            let municipality = meta
                .municipalities
                .iter()
                .position(|m| m.id == row[0])
                .ok_or_else(|| bad(format!("unknown municipality `{}`", row[0])))?;
            if !["solidarity", "use", "mix"].contains(&row[2].as_str()) {
                return Err(bad(format!("unknown allocation `{}`", row[2])));
            }
            let year = |c: &str| c.parse::<i32>().map_err(|_| bad(format!("bad year `{c}`")));
            Ok(MunicipalRiskRow {
                municipality,
                strategy: strategy_index(file, meta, &row[1])?,
                allocation: row[2].clone(),
                years: (year(&row[3])?, year(&row[4])?),
                p50: number(file, &row[5])?,
                p90: number(file, &row[6])?,
            })
        })
        .collect()
}

/// The first period's rows of `reserve.csv`.
fn parse_reserve(bytes: &[u8], meta: &Meta) -> Result<Vec<ReserveRow>, OutputError> {
    let file = "reserve.csv";
    let mut out = Vec::new();
    for row in csv_rows(file, bytes, 8)? {
        if row[1] != meta.start_year.to_string() {
            continue;
        }
        let k = strategy_index(file, meta, &row[0])?;
        let year =
            |c: &str| c.parse::<i32>().map_err(|_| OutputError::Read { file, reason: format!("bad year `{c}`") });
        let ratio = if row[6] == "inf" { f64::INFINITY } else { number(file, &row[6])? };
        out.push(ReserveRow {
            strategy: k,
            years: (year(&row[1])?, year(&row[2])?),
            certainty: number(file, &row[3])?,
            required: number(file, &row[4])?,
            available: number(file, &row[5])?,
            ratio,
            class: row[7].clone(),
        });
    }
    Ok(out)
}

fn parse_budget(bytes: &[u8], meta: &Meta) -> Result<BudgetColumns, OutputError> {
    let bad = |reason: String| OutputError::Read { file: "budget.csv", reason };
    let n = meta.strategies.len();
    let years = meta.horizon_years;
    let mut p90 = vec![f64::NAN; n * years];
    let (mut p50, mut p80) = (vec![f64::NAN; n * years], vec![f64::NAN; n * years]);
    let mut line = vec![f64::NAN; years];
    let mut lines = vec![f64::NAN; n * years];
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(format!("no column `{name}`")));
    let (c_strategy, c_year, c_budget, c_p90) =
        (column("strategy")?, column("year")?, column("budget")?, column("spend_p90")?);
    let (c_p50, c_p80) = (column("spend_p50")?, column("spend_p80")?);
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let field = |c: usize| rec.get(c).unwrap_or("");
        let k = strategy_index("budget.csv", meta, field(c_strategy))?;
        let t = year_index("budget.csv", field(c_year), meta)?;
        p90[k * years + t] = number("budget.csv", field(c_p90))?;
        p50[k * years + t] = number("budget.csv", field(c_p50))?;
        p80[k * years + t] = number("budget.csv", field(c_p80))?;
        lines[k * years + t] = number("budget.csv", field(c_budget))?;
        if k == meta.baseline_index() {
            line[t] = lines[k * years + t];
        }
    }
    Ok((p90, line, lines, (p50, p80)))
}
