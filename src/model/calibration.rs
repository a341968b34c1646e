//! Calibration (docs/model.md §3): the steady state implied by a scenario's expected
//! values, to compare with its `initial_caseload`.
//!
//! With referrals `r` a year, success rate `σ`, re-entry rate `ρ` and escalations `x` a
//! year arriving from other segments, starts `λ` satisfy `λ = r + x + λ (1 - σ) ρ`, so
//! `λ = (r + x) / (1 - (1 - σ) ρ)`; a segment sends `λ (1 - σ)(1 - ρ) ε` a year to the
//! segment it escalates to. By Little's law the steady-state caseload is `λ d`. Referrals
//! alone give the simpler `incidence × duration × population`.

use crate::scenario::Scenario;

/// The implied steady state of one segment at the start year.
#[derive(Debug, Clone, PartialEq)]
pub struct SteadyState {
    /// Segment id.
    pub segment: String,
    /// `initial_caseload` from the file.
    pub initial_caseload: f64,
    /// Referrals × duration (incidence × duration × population).
    pub from_referrals: f64,
    /// Starts (with re-entries and escalations) × duration.
    pub with_reentry_and_escalation: f64,
}

impl SteadyState {
    /// Relative difference of the full steady state from the initial caseload.
    pub fn deviation(&self) -> f64 {
        if self.initial_caseload > 0.0 {
            self.with_reentry_and_escalation / self.initial_caseload - 1.0
        } else if self.with_reentry_and_escalation > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }
}

/// The implied steady state of every segment, from expected values and no behaviour factors.
pub fn steady_states(s: &Scenario) -> Vec<SteadyState> {
    let n = s.segments.len();
    let referrals: Vec<f64> = s.segments.iter().map(|g| s.mean(g.incidence_per_1000) / 1000.0 * s.youth).collect();
    let mut starts = vec![0.0; n];
    // Escalation has no cycles (validated), so n passes settle every chain.
    for _ in 0..=n {
        let mut inflow = vec![0.0; n];
        for (g, seg) in s.segments.iter().enumerate() {
            if let Some(to) = seg.escalates_to {
                let fail = 1.0 - s.mean(seg.success_rate);
                inflow[to] += starts[g] * fail * (1.0 - s.mean(seg.reentry_rate)) * s.mean(seg.escalation_rate);
            }
        }
        for (g, seg) in s.segments.iter().enumerate() {
            let loop_back = (1.0 - s.mean(seg.success_rate)) * s.mean(seg.reentry_rate);
            starts[g] = (referrals[g] + inflow[g]) / (1.0 - loop_back).max(1e-12);
        }
    }
    s.segments
        .iter()
        .enumerate()
        .map(|(g, seg)| {
            let d = s.mean(seg.mean_duration_years);
            SteadyState {
                segment: seg.id.clone(),
                initial_caseload: seg.initial_caseload,
                from_referrals: referrals[g] * d,
                with_reentry_and_escalation: starts[g] * d,
            }
        })
        .collect()
}
