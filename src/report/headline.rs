//! The facts of the plain-language summary, computed from the results and nothing else:
//! which alternative does best, how sure that is, what it saves, when it pays back, the
//! risks (budget line, providers' results) and which uncertain inputs drive the answer.
//! The summaries, the HTML report and the workbook print these numbers; tests compare
//! them with the CSV tables.

use super::data::{ReportData, Stat};
use crate::analysis::linalg::pearson;
use crate::metrics::{Horizon, Yearly};

/// The headline facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The baseline strategy.
    pub baseline: usize,
    /// The alternative with the highest expected (mean) NPV saving; `None` when the
    /// scenario has no alternative.
    pub best: Option<BestFacts>,
    /// The alternative with the lowest expected NPV saving, when there are two or more.
    pub worst: Option<(usize, Stat)>,
    /// The baseline's NPV of spend over the horizon.
    pub baseline_npv: Stat,
    /// Budget risk, when the scenario has a budget line.
    pub budget: Option<BudgetRisk>,
    /// Providers' results per strategy (baseline first, then the best alternative).
    pub providers: Vec<ProviderRisk>,
    /// The uncertain inputs most correlated with the best alternative's NPV saving.
    pub drivers: Vec<Driver>,
    /// Alternatives that are cheaper than the baseline (mean NPV saving above zero) but
    /// keep more children waiting for care (only when the results have waiting lists).
    pub cheaper_but_waiting: Vec<WaitingFacts>,
}

/// A cheaper alternative's waiting list next to its saving: "cheaper, but N children wait
/// on average W weeks longer".
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingFacts {
    /// Strategy index.
    pub strategy: usize,
    /// `npv_saving_vs_baseline` (mean).
    pub saving: f64,
    /// Children on its waiting lists, mean over the horizon (`waiting_mean`, mean).
    pub waiting: f64,
    /// Extra children waiting versus the baseline.
    pub extra_waiting: f64,
    /// How much longer an admitted child waits on average than under the baseline, weeks
    /// (`waiting_weeks_mean`, means).
    pub extra_weeks: f64,
    /// Share of its admissions that waited longer than the norm (`share_waited_over_norm`).
    pub over_norm: f64,
}

/// Whether the results show a waiting list under any strategy: only then do the reports
/// have waiting sections (a scenario without capacity or rationing never has one).
pub fn has_waiting(d: &ReportData) -> bool {
    (0..d.strategies()).any(|k| d.yearly_or_empty(k, Yearly::Waiting).iter().any(|s| s.mean > 0.0))
}

/// What the best alternative achieves.
#[derive(Debug, Clone, PartialEq)]
pub struct BestFacts {
    /// Strategy index.
    pub strategy: usize,
    /// `p_cheaper_than_baseline` (mean): share of futures in which it costs less over the
    /// horizon.
    pub p_cheaper: f64,
    /// `npv_saving_vs_baseline`.
    pub saving: Stat,
    /// `p_cheapest` over the horizon (mean).
    pub p_cheapest: f64,
    /// `break_even_year` median (NaN: more than half never break even).
    pub break_even_year: f64,
    /// `p_break_even` (mean).
    pub p_break_even: f64,
    /// A year about ten years in, and the yearly `p_cheapest` mean then.
    pub mid: (i32, f64),
}

impl BestFacts {
    /// Whether it is expected to save money (mean NPV saving above zero).
    pub fn saves(&self) -> bool {
        self.saving.mean > 0.0
    }
}

/// The chance that spend exceeds the budget line.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRisk {
    /// Budget line in the first year, euros.
    pub first_year_budget: f64,
    /// The baseline's probability of overrun in the first and the last year.
    pub baseline_first_last: (f64, f64),
    /// The best alternative's probability of overrun in the last year, if there is one.
    pub best_last: Option<f64>,
}

/// Providers' combined yearly result (revenue from the municipality minus their cost)
/// under a strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRisk {
    /// Strategy index.
    pub strategy: usize,
    /// Median result in the last year.
    pub median_last: f64,
    /// The lowest 5th percentile over the years, and its year.
    pub worst_p5: (f64, i32),
    /// Years in which the 5th percentile is a loss.
    pub loss_years: usize,
}

/// An uncertain input and how strongly it moves the best alternative's saving.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Dotted path in the scenario file.
    pub path: String,
    /// Its distribution, as written.
    pub distribution: String,
    /// Pearson correlation over runs between the drawn value and the NPV saving.
    pub correlation: f64,
}

/// How many drivers the summaries name.
pub(crate) const DRIVERS: usize = 3;

impl Headline {
    /// The facts of a set of results.
    pub fn of(d: &ReportData) -> Self {
        let base = d.baseline();
        let alts: Vec<usize> = (0..d.strategies()).filter(|&k| k != base).collect();
        let mean_saving = |k: usize| d.horizon(k, Horizon::NpvSavingVsBaseline).mean;
        let by_saving = |a: &usize, b: &usize| mean_saving(*a).total_cmp(&mean_saving(*b));
        // The strategy the risks and the drivers speak of: the first one the scenario asks
        // about, or without questions the one with the highest mean saving.
        let asked =
            d.meta.questions.first().and_then(|q| q.strategies.first()).and_then(|id| d.meta.strategy_index(id));
        let best_k = asked.filter(|&k| k != base).or_else(|| alts.iter().copied().max_by(by_saving));
        let years = d.years();
        let last_t = years.len().saturating_sub(1);
        let mid_t = 9.min(last_t);
        let best = best_k.map(|k| BestFacts {
            strategy: k,
            p_cheaper: d.horizon(k, Horizon::PCheaperThanBaseline).mean,
            saving: *d.horizon(k, Horizon::NpvSavingVsBaseline),
            p_cheapest: d.horizon(k, Horizon::PCheapest).mean,
            break_even_year: d.horizon(k, Horizon::BreakEvenYear).p50(),
            p_break_even: d.horizon(k, Horizon::PBreakEven).mean,
            mid: (
                years.get(mid_t).copied().unwrap_or(d.meta.start_year),
                d.yearly_or_empty(k, Yearly::PCheapest).get(mid_t).map_or(f64::NAN, |s| s.mean),
            ),
        });
        let worst = if alts.len() >= 2 {
            alts.iter().copied().min_by(by_saving).map(|k| (k, *d.horizon(k, Horizon::NpvSavingVsBaseline)))
        } else {
            None
        };
        let overrun = |k: usize, t: usize| {
            d.yearly_named(k, crate::metrics::BUDGET_OVERRUN).and_then(|s| s.get(t)).map(|s| s.mean)
        };
        let budget = match (d.has_budget(), d.meta.budget_eur) {
            (true, Some(b)) => Some(BudgetRisk {
                first_year_budget: b,
                baseline_first_last: (overrun(base, 0).unwrap_or(f64::NAN), overrun(base, last_t).unwrap_or(f64::NAN)),
                best_last: best_k.and_then(|k| overrun(k, last_t)),
            }),
            _ => None,
        };
        let providers = std::iter::once(base).chain(best_k).map(|k| provider_risk(d, k)).collect();
        let drivers = best_k.map(|k| drivers(d, k)).unwrap_or_default();
        let cheaper_but_waiting = if has_waiting(d) {
            let weeks = |k: usize| d.horizon(k, Horizon::WaitingWeeksMean).mean;
            let waiting = |k: usize| d.horizon(k, Horizon::WaitingMean).mean;
            alts.iter()
                .copied()
                .filter(|&k| mean_saving(k) > 0.0 && waiting(k) > waiting(base))
                .map(|k| WaitingFacts {
                    strategy: k,
                    saving: mean_saving(k),
                    waiting: waiting(k),
                    extra_waiting: waiting(k) - waiting(base),
                    extra_weeks: weeks(k) - weeks(base),
                    over_norm: d.horizon(k, Horizon::ShareWaitedOverNorm).mean,
                })
                .collect()
        } else {
            Vec::new()
        };
        Headline {
            baseline: base,
            best,
            worst,
            baseline_npv: *d.horizon(base, Horizon::NpvSpend),
            budget,
            providers,
            drivers,
            cheaper_but_waiting,
        }
    }
}

fn provider_risk(d: &ReportData, k: usize) -> ProviderRisk {
    let series = d.yearly_or_empty(k, Yearly::ProviderResult);
    let years = d.years();
    let mut worst = (f64::INFINITY, d.meta.start_year);
    for (s, &y) in series.iter().zip(&years) {
        if s.p5() < worst.0 {
            worst = (s.p5(), y);
        }
    }
    if !worst.0.is_finite() {
        worst.0 = f64::NAN;
    }
    ProviderRisk {
        strategy: k,
        median_last: series.last().map_or(f64::NAN, |s| s.p50()),
        worst_p5: worst,
        loss_years: series.iter().filter(|s| s.p5() < 0.0).count(),
    }
}

/// Pearson correlation of two series over the pairs where both are finite: a run with a
/// missing figure is left out rather than turning the whole correlation into NaN. The
/// correlation itself is the analyses' [`pearson`], so the summary and the sensitivity
/// tables compute it the same way.
pub(crate) fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(&a, &b)| (a, b)).unzip();
    pearson(&xs, &ys)
}

fn drivers(d: &ReportData, k: usize) -> Vec<Driver> {
    let saving = d.runs.column(k, Horizon::NpvSavingVsBaseline);
    let mut all: Vec<Driver> = d
        .meta
        .uncertain_parameters
        .iter()
        .enumerate()
        .map(|(p, path)| Driver {
            path: path.clone(),
            distribution: d
                .meta
                .inputs
                .iter()
                .find(|i| i.path == *path)
                .map_or_else(String::new, |i| i.distribution.clone()),
            correlation: correlation(&d.runs.param_column(p), &saving),
        })
        .filter(|dr| dr.correlation.is_finite())
        .collect();
    all.sort_by(|a, b| b.correlation.abs().total_cmp(&a.correlation.abs()).then_with(|| a.path.cmp(&b.path)));
    all.truncate(DRIVERS);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_by_hand() {
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert!((correlation(&[1.0, 2.0, 3.0, f64::NAN], &[3.0, 2.0, 1.0, 5.0]) + 1.0).abs() < 1e-12);
        assert!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
    }

    /// The correlation the summaries printed before they used `linalg::pearson`, kept
    /// here to hold that the switch changed no bit of any summary.
    fn former_correlation(x: &[f64], y: &[f64]) -> f64 {
        let pairs: Vec<(f64, f64)> =
            x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(&a, &b)| (a, b)).collect();
        let n = pairs.len() as f64;
        if pairs.len() < 3 {
            return f64::NAN;
        }
        let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in pairs {
            sxy += (a - mx) * (b - my);
            sxx += (a - mx) * (a - mx);
            syy += (b - my) * (b - my);
        }
        if sxx <= 0.0 || syy <= 0.0 { f64::NAN } else { sxy / (sxx * syy).sqrt() }
    }

    #[test]
    fn correlation_is_the_former_one_bit_for_bit() {
        // A deterministic scramble with a gap here and there, as a parameter and a saving.
        let x: Vec<f64> = (0..500u64).map(|i| ((i * 7919) % 1009) as f64 * 0.37 + 1e6).collect();
        let y: Vec<f64> = (0..500u64)
            .map(|i| if i % 97 == 5 { f64::NAN } else { x[i as usize] * -2.3e5 + ((i * 104_729) % 613) as f64 * 1e7 })
            .collect();
        for n in [0, 2, 3, 10, 499, 500] {
            assert_eq!(correlation(&x[..n], &y[..n]).to_bits(), former_correlation(&x[..n], &y[..n]).to_bits());
        }
    }
}
