//! `meta.json`: what made these results — tool and crate versions, the scenario file and
//! its SHA-256, seed, runs, steps and threads, the basis of the money figures — and what
//! the reports need to be redrawn from the folder alone: strategy and segment names, the
//! budget line, and every input of the scenario with its distribution.

use serde::{Deserialize, Serialize};

use super::{Export, OutputError, Results};
use crate::random::design::Sampling;
use crate::results::Columns;
use crate::scenario::Scenario;
use crate::scenario::variant::World;
use crate::stats::quantiles::QuantileMode;

/// `meta.json`.
pub(crate) struct MetaJson;

/// The contents of `meta.json`. Written by `run`, read back by `contractsim report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Always `contractsim`.
    pub tool: String,
    /// Version of the tool that wrote the folder.
    pub tool_version: String,
    /// Versions of the sampling crates.
    pub crate_versions: Versions,
    /// `[scenario] name`.
    pub scenario_name: String,
    /// `[scenario] description`.
    #[serde(default)]
    pub scenario_description: String,
    /// The scenario file, as given on the command line.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// Seed of the random streams.
    pub seed: u64,
    /// Monte Carlo runs.
    pub runs: usize,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// First simulated calendar year.
    pub start_year: i32,
    /// Years simulated.
    pub horizon_years: usize,
    /// Steps per year.
    pub steps_per_year: usize,
    /// Nominal discount rate of the net present values.
    pub discount_rate: f64,
    /// One sentence on how money is reported.
    pub money_basis: String,
    /// Strategy identifiers, in file order.
    pub strategies: Vec<String>,
    /// Identifier of the baseline strategy.
    pub baseline: String,
    /// Paths of the parameters drawn per run (the columns of `runs.csv` after the horizon
    /// metrics).
    pub uncertain_parameters: Vec<String>,
    /// Strategies with their readable names and what they consist of, in file order.
    #[serde(default)]
    pub strategy_details: Vec<StrategyMeta>,
    /// Segments of care, in file order.
    #[serde(default)]
    pub segments: Vec<SegmentMeta>,
    /// Municipal budget line in the first year, euros, if the scenario has one.
    #[serde(default)]
    pub budget_eur: Option<f64>,
    /// Yearly growth of the budget line.
    #[serde(default)]
    pub budget_growth: f64,
    /// Every numeric input of the scenario, fixed or uncertain, in file order.
    #[serde(default)]
    pub inputs: Vec<InputMeta>,
    /// How the percentiles were computed: exact, or from sketches with a stated error.
    #[serde(default)]
    pub quantiles: String,
    /// The yearly metrics whose percentiles in `yearly.csv` come from sketches (when
    /// `quantiles` says so; otherwise none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sketched_metrics: Vec<String>,
    /// How the uncertain parameters were drawn (`run --sampling`) and how the Monte Carlo
    /// standard errors were measured.
    #[serde(default)]
    pub sampling: SamplingMeta,
    /// `[scenario] name_nl` (the English name when the file has none).
    #[serde(default)]
    pub scenario_name_nl: String,
    /// `[scenario] description_nl` (the English description when the file has none).
    #[serde(default)]
    pub scenario_description_nl: String,
    /// `[[question]]`: what the scenario asks, in file order.
    #[serde(default)]
    pub questions: Vec<QuestionMeta>,
    /// `[scenario] focus`: ids of the alternatives the charts show; absent when the file
    /// names none (the charts then follow the questions and the mean savings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub focus: Vec<String>,
    /// The world these results are in, when the scenario has `[[variant]]`s (`base` for the
    /// file's own); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<World>,
    /// In the file's own world of a scenario with variants: the variants, whose results are
    /// in `variants/<id>/`; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<World>,
    /// `[[municipality]]`: the municipalities of the region, in file order; absent without.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipalities: Vec<MunicipalityMeta>,
    /// `[region] allocation`: the weights of the fixed key and of use (with municipalities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<AllocationMeta>,
}

/// A municipality of the region as the reports name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityMeta {
    /// Identifier.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its Dutch name (the name when the file has no `name_nl`).
    pub name_nl: String,
    /// Youths 0-17 at the start.
    pub youth: f64,
    /// Its share of the fixed key.
    pub key_share: f64,
    /// Its expected share of the region's clients (youths times incidence multiplier).
    pub use_share: f64,
}

/// How the region splits its spend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AllocationMeta {
    /// Weight of the fixed key.
    pub solidarity: f64,
    /// Weight of use.
    #[serde(rename = "use")]
    pub by_use: f64,
}

/// A question of the scenario, as the answer in the reports takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionMeta {
    /// Identifier.
    pub id: String,
    /// The question in English.
    pub text: String,
    /// The question in Dutch.
    pub text_nl: String,
    /// Identifiers of the strategies it compares, in the file's order.
    pub strategies: Vec<String>,
    /// Identifier of the strategy they are compared with.
    pub compared_with: String,
    /// The input it is about (a dotted path), if any.
    #[serde(default)]
    pub about: Option<String>,
    /// `municipal` or `societal`.
    pub view: String,
    /// The variant in whose world it is answered (absent: the file's own world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// The sampling design of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingMeta {
    /// `mc`, `lhs` or `sobol`.
    pub method: String,
    /// Runs per independent replicate (1 under `mc`: every run is one).
    pub replicate_runs: u64,
    /// Independent replicates in the batch.
    pub replicates: u64,
    /// How the MCSE columns were measured, in one sentence.
    pub mcse: String,
    /// Version of the random streams ([`crate::random::rng::STREAMS_VERSION`]): the same
    /// seed gives the same runs under the same version.
    pub random_streams: u32,
}

impl Default for SamplingMeta {
    /// What a folder written before `--sampling` existed holds.
    fn default() -> Self {
        SamplingMeta::of(Sampling::Mc, 0)
    }
}

impl SamplingMeta {
    /// The design `sampling` over `runs` runs.
    pub fn of(sampling: Sampling, runs: u64) -> Self {
        let replicate_runs = sampling.replicate_runs();
        let replicates = runs / replicate_runs;
        let mcse = match sampling {
            Sampling::Mc => "the sample standard deviation of the runs over the square root of the runs".into(),
            _ => format!(
                "the standard deviation of the means of the {replicates} independent replicates of \
                 {replicate_runs} runs over the square root of {replicates} (the runs within a replicate are \
                 not independent)"
            ),
        };
        SamplingMeta {
            method: sampling.name().into(),
            replicate_runs,
            replicates,
            mcse,
            random_streams: crate::random::rng::STREAMS_VERSION,
        }
    }
}

/// Versions of the crates whose algorithms determine the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    /// `rand`.
    pub rand: String,
    /// `statrs`.
    pub statrs: String,
}

/// A strategy as the reports name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyMeta {
    /// Identifier (the `strategy` column of the CSV files).
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Readable name in Dutch (the English one when the file has no `name_nl`).
    #[serde(default)]
    pub name_nl: String,
    /// Whether it is the baseline.
    pub baseline: bool,
    /// Its contracts, as `id (form)`.
    pub contracts: Vec<String>,
    /// Names of its prevention programmes.
    pub prevention: Vec<String>,
}

/// A segment of care as the reports name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMeta {
    /// Identifier (the suffix of `caseload.<segment>`).
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Readable name in Dutch (the English one when the file has no `name_nl`).
    #[serde(default)]
    pub name_nl: String,
}

/// One numeric input of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputMeta {
    /// Dotted path in the scenario file, e.g. `prevention.front.effect`.
    pub path: String,
    /// The distribution as written, e.g. `beta(mean 0.1, sd 0.04)`, or the fixed value.
    pub distribution: String,
    /// Expected value (of the truncated distribution where truncated).
    pub mean: f64,
    /// Whether it is drawn per run.
    pub uncertain: bool,
}

impl Meta {
    /// The metadata of a batch.
    pub fn of(r: &Results) -> Self {
        let s = &r.plan.scenario;
        Meta {
            tool: "contractsim".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            crate_versions: Versions {
                rand: env!("CONTRACTSIM_VERSION_RAND").into(),
                statrs: env!("CONTRACTSIM_VERSION_STATRS").into(),
            },
            scenario_name: in_world(s, &s.name, false),
            scenario_description: s.description.trim().to_string(),
            scenario_file: s.file.display().to_string(),
            scenario_sha256: s.sha256.clone(),
            seed: r.info.seed,
            runs: r.info.runs,
            threads: r.info.threads,
            start_year: s.start_year,
            horizon_years: s.horizon_years,
            steps_per_year: s.steps_per_year,
            discount_rate: s.discount_rate,
            money_basis: money_basis(s.discount_rate),
            strategies: s.strategies.iter().map(|x| x.id.clone()).collect(),
            baseline: s.strategies[s.baseline()].id.clone(),
            uncertain_parameters: r.plan.uncertain_params().map(str::to_string).collect(),
            strategy_details: strategy_details(s),
            segments: s
                .segments
                .iter()
                .enumerate()
                .map(|(i, g)| SegmentMeta {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    name_nl: s.segment_name(i, true).to_string(),
                })
                .collect(),
            budget_eur: s.budget,
            budget_growth: s.budget_growth,
            quantiles: r.quantile_mode().describe(),
            sketched_metrics: match r.quantile_mode() {
                QuantileMode::Mixed => Columns::sketched_metrics(r.plan),
                _ => Vec::new(),
            },
            sampling: SamplingMeta::of(r.plan.sampling(), r.info.runs as u64),
            inputs: s
                .params
                .iter()
                .map(|p| InputMeta {
                    path: p.path.clone(),
                    distribution: p.dist.describe(),
                    mean: p.dist.mean(),
                    uncertain: !p.dist.is_fixed(),
                })
                .collect(),
            scenario_name_nl: in_world(s, s.name_nl(), true),
            scenario_description_nl: s.description_nl().trim().to_string(),
            questions: questions(s),
            focus: s.focus.iter().map(|&k| s.strategies[k].id.clone()).collect(),
            world: s.world.clone(),
            variants: s.variants.iter().map(|v| v.world.clone()).collect(),
            municipalities: s.region.as_ref().map_or_else(Vec::new, |region| {
                region
                    .municipalities
                    .iter()
                    .zip(region.use_shares())
                    .map(|(m, use_share)| MunicipalityMeta {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        name_nl: m.name(true).to_string(),
                        youth: m.youth,
                        key_share: m.key_share,
                        use_share,
                    })
                    .collect()
            }),
            allocation: s
                .region
                .as_ref()
                .map(|r| AllocationMeta { solidarity: r.allocation.solidarity, by_use: r.allocation.by_use }),
        }
    }

    /// Index of the baseline strategy.
    pub(crate) fn baseline_index(&self) -> usize {
        self.strategies.iter().position(|s| *s == self.baseline).unwrap_or(0)
    }

    /// Readable name of strategy `k` (its identifier when the folder has no names).
    pub(crate) fn strategy_name(&self, k: usize) -> &str {
        match self.strategy_details.get(k) {
            Some(d) => &d.name,
            None => self.strategies.get(k).map_or("?", String::as_str),
        }
    }

    /// Readable Dutch name of strategy `k` (the English name when the folder has none).
    pub(crate) fn strategy_name_nl(&self, k: usize) -> &str {
        match self.strategy_details.get(k) {
            Some(d) if !d.name_nl.is_empty() => &d.name_nl,
            _ => self.strategy_name(k),
        }
    }

    /// The index of a strategy by its identifier.
    pub(crate) fn strategy_index(&self, id: &str) -> Option<usize> {
        self.strategies.iter().position(|s| s == id)
    }

    /// Last simulated calendar year.
    pub(crate) fn end_year(&self) -> i32 {
        self.start_year + self.horizon_years as i32 - 1
    }
}

fn strategy_details(s: &Scenario) -> Vec<StrategyMeta> {
    s.strategies
        .iter()
        .enumerate()
        .map(|(k, st)| StrategyMeta {
            id: st.id.clone(),
            name: st.name.clone(),
            name_nl: s.strategy_name(k, true).to_string(),
            baseline: st.baseline,
            contracts: st
                .contracts
                .iter()
                .map(|&c| format!("{} ({})", s.contracts[c].id, s.contracts[c].form.key()))
                .collect(),
            prevention: st.programmes.iter().map(|&p| s.programmes[p].name.clone()).collect(),
        })
        .collect()
}

/// The scenario's name as the results of a variant's world carry it: with the world's name
/// after a dash, so that every report and chart of `variants/<id>/` says which world it shows.
fn in_world(s: &Scenario, name: &str, dutch: bool) -> String {
    match &s.world {
        Some(w) if w.id != crate::scenario::variant::BASE_WORLD => format!("{name} — {}", w.name(dutch)),
        _ => name.to_string(),
    }
}

fn questions(s: &Scenario) -> Vec<QuestionMeta> {
    s.questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuestionMeta {
            id: q.id.clone(),
            text: q.text.clone(),
            text_nl: s.question_text(i, true).to_string(),
            strategies: q.strategies.iter().map(|&k| s.strategies[k].id.clone()).collect(),
            compared_with: s.strategies[q.reference].id.clone(),
            about: q.about.map(|p| s.params[p].path.clone()),
            view: if q.societal { "societal" } else { "municipal" }.into(),
            variant: q.variant.and_then(|v| s.variants.get(v)).map(|v| v.world.id.clone()),
        })
        .collect()
}

impl Export for MetaJson {
    fn file_name(&self) -> &'static str {
        "meta.json"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        let mut bytes = serde_json::to_vec_pretty(&Meta::of(r))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// One sentence on how money is reported.
pub(crate) fn money_basis(discount_rate: f64) -> String {
    format!(
        "Euro amounts are nominal (prices of each year). Net present values discount the nominal \
         flows of year t by (1 + {discount_rate})^-t, year 0 being the start year. The metric \
         spend_real gives yearly spend in start-year prices (deflated by cost inflation)."
    )
}
