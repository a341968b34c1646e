//! A region's municipalities (docs/model.md section 16): `municipalities.csv`, each
//! municipality's yearly spend under the region's rule against its own budget line, and
//! `municipal_risk.csv`, the relative risk (P90/P50) of its spend over the first budget
//! period under each rule.

use super::csv_files::{STAT_COLUMNS, VARIANT_COLUMN, finish, stat_cells, writer};
use super::{Export, OutputError, Results, cell};
use crate::scenario::region::Region;

/// `municipalities.csv`: `municipality,strategy,year,metric,mean,mcse,p5,p25,p50,p75,p95`
/// (and [`VARIANT_COLUMN`] with variants). Metrics: `spend` (its statistics over runs);
/// with a budget line, `budget` (the municipality's share of the strategy's line),
/// `structural_gap` (P50 of spend less the budget) and `risk_reserve` (P90 less P50 of
/// spend), each derived figure in `mean` with the other cells empty.
pub struct MunicipalitiesCsv;

/// `municipal_risk.csv`: `municipality,strategy,allocation,first_year,last_year,p50,p90,
/// relative_risk` (and [`VARIANT_COLUMN`] with variants): the municipality's spend summed
/// over the first budget period, its P50 and P90 over runs and their ratio, under each rule
/// of [`Region::rules`].
pub struct MunicipalRiskCsv;

/// The region of the results, when the scenario has one.
fn region<'a>(r: &'a Results) -> Option<&'a Region> {
    r.plan.scenario.region.as_ref()
}

impl Export for MunicipalitiesCsv {
    fn file_name(&self) -> &'static str {
        "municipalities.csv"
    }

    fn applies(&self, r: &Results) -> bool {
        region(r).is_some()
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        const FILE: &str = "municipalities.csv";
        let err = |source| OutputError::Csv { file: FILE, source };
        let (Some(region), Some(cols)) = (region(r), r.collected.columns.municipal.as_ref()) else {
            return finish(FILE, writer());
        };
        let s = &r.plan.scenario;
        let mut w = writer();
        let mut header = vec!["municipality", "strategy", "year", "metric"];
        header.extend(STAT_COLUMNS);
        let world = s.world.as_ref().map(|w| w.id.clone());
        if world.is_some() {
            header.push(VARIANT_COLUMN);
        }
        w.write_record(&header).map_err(err)?;
        let years = s.horizon_years;
        let empty = || vec![String::new(); STAT_COLUMNS.len() - 1];
        for (m, muni) in region.municipalities.iter().enumerate() {
            let share = region.budget_share(m, region.allocation);
            for (k, st) in s.strategies.iter().enumerate() {
                let line = r.plan.budget_line(k);
                for t in 0..years {
                    let col = r.collected.columns.municipal_spend(k, m, t).expect("a region has its columns");
                    let summary = &r.municipal[(k * cols.count + m) * years + t];
                    let lead = |metric: &str| {
                        vec![muni.id.clone(), st.id.clone(), (s.start_year + t as i32).to_string(), metric.to_string()]
                    };
                    let mut row = lead("spend");
                    row.extend(stat_cells(summary));
                    row.extend(world.clone());
                    w.write_record(&row).map_err(err)?;
                    let Some(line) = line else { continue };
                    let budget = line[t] * share;
                    let p50 = summary.p[2];
                    let p90 = r.quantile(col, 0.9);
                    for (metric, value) in
                        [("budget", budget), ("structural_gap", p50 - budget), ("risk_reserve", p90 - p50)]
                    {
                        let mut row = lead(metric);
                        row.push(cell(value));
                        row.extend(empty());
                        row.extend(world.clone());
                        w.write_record(&row).map_err(err)?;
                    }
                }
            }
        }
        finish(FILE, w)
    }
}

/// One row of `municipal_risk.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalRisk {
    /// Municipality index.
    pub municipality: usize,
    /// Strategy index.
    pub strategy: usize,
    /// The rule's id (`solidarity`, `use` or `mix`).
    pub allocation: &'static str,
    /// P50 of the spend over the first budget period.
    pub p50: f64,
    /// P90 of it.
    pub p90: f64,
}

impl MunicipalRisk {
    /// P90 / P50 (NaN when the median is not positive).
    pub fn relative_risk(&self) -> f64 {
        relative_risk(self.p50, self.p90)
    }
}

/// The relative risk `p90 / p50` (NaN when the median is not positive).
pub fn relative_risk(p50: f64, p90: f64) -> f64 {
    if p50 > 0.0 { p90 / p50 } else { f64::NAN }
}

/// Every municipality's relative risk under every rule, municipality-major, then
/// strategy, then rule.
pub fn municipal_risks(r: &Results) -> Vec<MunicipalRisk> {
    let Some(cols) = r.collected.columns.municipal.as_ref() else { return Vec::new() };
    let mut out = Vec::new();
    for m in 0..cols.count {
        for k in 0..r.plan.strategies() {
            for (i, rule) in cols.rules.iter().enumerate() {
                let col = r.collected.columns.municipal_period(k, m, i).expect("a region has its columns");
                out.push(MunicipalRisk {
                    municipality: m,
                    strategy: k,
                    allocation: rule.id(),
                    p50: r.quantile(col, 0.5),
                    p90: r.quantile(col, 0.9),
                });
            }
        }
    }
    out
}

impl Export for MunicipalRiskCsv {
    fn file_name(&self) -> &'static str {
        "municipal_risk.csv"
    }

    fn applies(&self, r: &Results) -> bool {
        region(r).is_some()
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, OutputError> {
        const FILE: &str = "municipal_risk.csv";
        let err = |source| OutputError::Csv { file: FILE, source };
        let (Some(region), Some(cols)) = (region(r), r.collected.columns.municipal.as_ref()) else {
            return finish(FILE, writer());
        };
        let s = &r.plan.scenario;
        let mut w = writer();
        let mut header =
            vec!["municipality", "strategy", "allocation", "first_year", "last_year", "p50", "p90", "relative_risk"];
        let world = s.world.as_ref().map(|w| w.id.clone());
        if world.is_some() {
            header.push(VARIANT_COLUMN);
        }
        w.write_record(&header).map_err(err)?;
        let (first, last) = (s.start_year, s.start_year + cols.period_years as i32 - 1);
        for x in municipal_risks(r) {
            let mut row = vec![
                region.municipalities[x.municipality].id.clone(),
                s.strategies[x.strategy].id.clone(),
                x.allocation.to_string(),
                first.to_string(),
                last.to_string(),
                cell(x.p50),
                cell(x.p90),
                cell(x.relative_risk()),
            ];
            row.extend(world.clone());
            w.write_record(&row).map_err(err)?;
        }
        finish(FILE, w)
    }
}
