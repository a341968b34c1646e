//! `meta.json`: what made these results — tool and crate versions, the scenario file and
//! its SHA-256, seed, runs, steps and threads, and the basis of the money figures.

use serde::Serialize;

use super::{Export, ReportError, Results};

/// `meta.json`.
pub struct MetaJson;

#[derive(Serialize)]
struct Meta<'a> {
    tool: &'static str,
    tool_version: &'static str,
    crate_versions: Versions,
    scenario_name: &'a str,
    scenario_file: String,
    scenario_sha256: &'a str,
    seed: u64,
    runs: usize,
    threads: usize,
    start_year: i32,
    horizon_years: usize,
    steps_per_year: usize,
    discount_rate: f64,
    money_basis: String,
    strategies: Vec<&'a str>,
    baseline: &'a str,
    uncertain_parameters: Vec<&'a str>,
}

#[derive(Serialize)]
struct Versions {
    rand: &'static str,
    rand_distr: &'static str,
    statrs: &'static str,
}

impl Export for MetaJson {
    fn file_name(&self) -> &'static str {
        "meta.json"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, ReportError> {
        let s = &r.plan.scenario;
        let meta = Meta {
            tool: "contractsim",
            tool_version: env!("CARGO_PKG_VERSION"),
            crate_versions: Versions {
                rand: env!("CONTRACTSIM_VERSION_RAND"),
                rand_distr: env!("CONTRACTSIM_VERSION_RAND_DISTR"),
                statrs: env!("CONTRACTSIM_VERSION_STATRS"),
            },
            scenario_name: &s.name,
            scenario_file: s.file.display().to_string(),
            scenario_sha256: &s.sha256,
            seed: r.batch.seed,
            runs: r.batch.runs.len(),
            threads: r.batch.threads,
            start_year: s.start_year,
            horizon_years: s.horizon_years,
            steps_per_year: s.steps_per_year,
            discount_rate: s.discount_rate,
            money_basis: money_basis(s.discount_rate),
            strategies: s.strategies.iter().map(|x| x.id.as_str()).collect(),
            baseline: &s.strategies[s.baseline()].id,
            uncertain_parameters: r.plan.uncertain_params().collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&meta)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// One sentence on how money is reported.
pub fn money_basis(discount_rate: f64) -> String {
    format!(
        "Euro amounts are nominal (prices of each year). Net present values discount the nominal \
         flows of year t by (1 + {discount_rate})^-t, year 0 being the start year. The metric \
         spend_real gives yearly spend in start-year prices (deflated by cost inflation)."
    )
}
