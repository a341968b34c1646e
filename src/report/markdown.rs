//! `summary.md`: the headline tables in Markdown, for a finance officer.

use std::fmt::Write;

use super::meta::money_basis;
use super::{Export, ReportError, Results};
use crate::engine::metrics::{h, y};

/// `summary.md`.
pub struct SummaryMarkdown;

/// Euros as millions with one decimal: `EUR 12.3 mln`.
pub fn mln(x: f64) -> String {
    if x.is_nan() { "–".into() } else { format!("EUR {:.1} mln", x / 1e6) }
}

fn pct(x: f64) -> String {
    if x.is_nan() { "–".into() } else { format!("{:.0}%", x * 100.0) }
}

fn year(x: f64) -> String {
    if x.is_nan() { "never".into() } else { format!("{x:.0}") }
}

impl Export for SummaryMarkdown {
    fn file_name(&self) -> &'static str {
        "summary.md"
    }

    fn render(&self, r: &Results) -> Result<Vec<u8>, ReportError> {
        let s = &r.plan.scenario;
        let base = s.baseline();
        let runs = r.batch.runs.len();
        let mut md = String::new();
        let last = s.start_year + s.horizon_years as i32 - 1;
        let _ = writeln!(md, "# {}\n", s.name);
        if !s.description.is_empty() {
            let _ = writeln!(md, "{}\n", s.description.trim());
        }
        let _ = writeln!(
            md,
            "{runs} simulated futures, {} to {last}, seed {}. Baseline: **{}**. Figures are medians with the 90% band \
             (5th to 95th percentile) unless said otherwise; ± is the Monte Carlo standard error.\n",
            s.start_year, r.batch.seed, s.strategies[base].name
        );
        let _ = writeln!(md, "## Over {} years\n", s.horizon_years);
        let _ = writeln!(
            md,
            "| strategy | NPV of spend | saving vs baseline (NPV, mean) | P(cheaper than baseline) | P(cheapest) | break-even year (median) | P(break even by {last}) | cost per success |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (k, st) in s.strategies.iter().enumerate() {
            let npv = r.horizon_stat(k, h::NPV_SPEND);
            let saving = r.horizon_stat(k, h::NPV_SAVING);
            let cheaper = r.horizon_stat(k, h::CHEAPER);
            let cheapest = r.horizon_stat(k, h::CHEAPEST);
            let be = r.horizon_stat(k, h::BREAK_EVEN_YEAR);
            let pbe = r.horizon_stat(k, h::BREAKS_EVEN);
            let cps = r.horizon_stat(k, h::COST_PER_SUCCESS);
            let (be_text, pbe_text, cheaper_text, saving_text) = if k == base {
                ("(baseline)".to_string(), "–".to_string(), "–".to_string(), "–".to_string())
            } else {
                (
                    year(be.p[2]),
                    pct(pbe.mean),
                    pct(cheaper.mean),
                    format!("{} ± {:.1}", mln(saving.mean), saving.mcse / 1e6),
                )
            };
            let _ = writeln!(
                md,
                "| {} | {} ({} – {}) | {} | {} | {} | {} | {} | EUR {:.0} |",
                st.name,
                mln(npv.p[2]),
                mln(npv.p[0]),
                mln(npv.p[4]),
                saving_text,
                cheaper_text,
                pct(cheapest.mean),
                be_text,
                pbe_text,
                cps.p[2]
            );
        }
        let _ = writeln!(md, "\n## Yearly municipal spend (median, 90% band)\n");
        let shown: Vec<usize> = {
            let mut v: Vec<usize> = (0..s.horizon_years).step_by(5).collect();
            if v.last() != Some(&(s.horizon_years - 1)) {
                v.push(s.horizon_years - 1);
            }
            v
        };
        let _ = write!(md, "| strategy |");
        for &t in &shown {
            let _ = write!(md, " {} |", s.start_year + t as i32);
        }
        let _ = writeln!(md);
        let _ = writeln!(md, "| --- |{}", " --- |".repeat(shown.len()));
        for (k, st) in s.strategies.iter().enumerate() {
            let _ = write!(md, "| {} |", st.name);
            for &t in &shown {
                let v = r.yearly_stat(k, t, y::SPEND);
                let _ = write!(md, " {} ({:.1} – {:.1}) |", mln(v.p[2]), v.p[0] / 1e6, v.p[4] / 1e6);
            }
            let _ = writeln!(md);
        }
        if let (Some(m), Some(budget)) = (r.plan.layout.budget_overrun, s.budget) {
            let _ = writeln!(md, "\n## Probability that spend exceeds the budget line (first year {})\n", mln(budget));
            let _ = write!(md, "| strategy |");
            for &t in &shown {
                let _ = write!(md, " {} |", s.start_year + t as i32);
            }
            let _ = writeln!(md);
            let _ = writeln!(md, "| --- |{}", " --- |".repeat(shown.len()));
            for (k, st) in s.strategies.iter().enumerate() {
                let _ = write!(md, "| {} |", st.name);
                for &t in &shown {
                    let _ = write!(md, " {} |", pct(r.yearly_stat(k, t, m).mean));
                }
                let _ = writeln!(md);
            }
        }
        let _ = writeln!(md, "\n## Risk to providers\n");
        let _ = writeln!(
            md,
            "| strategy | P(at least one provider fails by {last}) | failures (mean) | failure costs (mean, total) | providers' result per year (median) | corridor transfers (mean, total) |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
        for (k, st) in s.strategies.iter().enumerate() {
            let sum_mean = |m: usize| (0..s.horizon_years).map(|t| r.yearly_stat(k, t, m).mean).sum::<f64>();
            let result: Vec<f64> = (0..s.horizon_years).map(|t| r.yearly_stat(k, t, y::PROVIDER_RESULT).p[2]).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {:.2} | {} | {} | {} |",
                st.name,
                pct(r.horizon_stat(k, h::PROVIDER_FAILURE).mean),
                sum_mean(y::FAILURES),
                mln(sum_mean(y::FAILURE_COST)),
                mln(result.iter().sum::<f64>() / result.len() as f64),
                mln(sum_mean(y::TRANSFER)),
            );
        }
        let investors: Vec<usize> =
            (0..s.strategies.len()).filter(|&k| r.horizon_stat(k, h::INVESTOR_MULTIPLE).n > 0).collect();
        if !investors.is_empty() {
            let _ = writeln!(md, "\n## Investor-financed prevention\n");
            let _ = writeln!(
                md,
                "The investor pays the programme and is paid per start below a baseline fixed at signing. \"Paid for luck\" is the share of those payments for starts that would not have happened anyway (known from the same simulated future without the programme). The return is the modified internal rate of return (MIRR) at the discount rate: payments during the programme make the plain IRR (`investor_irr` in summary.csv) ambiguous when money comes back before more is invested.\n"
            );
            let _ = writeln!(
                md,
                "| strategy | investor return, MIRR (median) | multiple (median) | P(investor loses money) | paid for luck (mean share) | paid to investor (mean, total) |"
            );
            let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
            for &k in &investors {
                let paid = (0..s.horizon_years).map(|t| r.yearly_stat(k, t, y::INVESTOR_PAYMENTS).mean).sum::<f64>();
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.2} | {} | {} | {} |",
                    s.strategies[k].name,
                    pct(r.horizon_stat(k, h::INVESTOR_MIRR).p[2]),
                    r.horizon_stat(k, h::INVESTOR_MULTIPLE).p[2],
                    pct(r.horizon_stat(k, h::INVESTOR_LOSS).mean),
                    pct(r.horizon_stat(k, h::PAID_FOR_LUCK).mean),
                    mln(paid),
                );
            }
        }
        md.push_str(&super::budget::markdown_section(r));
        let _ = writeln!(md, "\n## Caseload (median active clients at year end)\n");
        let _ = write!(md, "| strategy |");
        for &t in &shown {
            let _ = write!(md, " {} |", s.start_year + t as i32);
        }
        let _ = writeln!(md);
        let _ = writeln!(md, "| --- |{}", " --- |".repeat(shown.len()));
        for (k, st) in s.strategies.iter().enumerate() {
            let _ = write!(md, "| {} |", st.name);
            for &t in &shown {
                let _ = write!(md, " {:.0} |", r.yearly_stat(k, t, y::CASELOAD).p[2]);
            }
            let _ = writeln!(md);
        }
        let never: Vec<String> = s
            .strategies
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != base)
            .map(|(k, st)| {
                let n = r.horizon_stat(k, h::BREAK_EVEN_YEAR).n;
                format!("{}: {} of {runs} runs never break even", st.name, runs - n)
            })
            .collect();
        let _ = writeln!(md, "\n## Notes\n");
        let _ = writeln!(md, "- {}", money_basis(s.discount_rate));
        let _ = writeln!(
            md,
            "- Break-even year: the first year from which cumulative discounted spend stays below the baseline's. {}.",
            never.join("; ")
        );
        let _ = writeln!(
            md,
            "- Full tables: `summary.csv`, `yearly.csv`; per-run data: `runs.csv`; provenance: `meta.json`."
        );
        Ok(md.into_bytes())
    }
}
