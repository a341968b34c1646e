//! `contractsim check`: validate scenario files and show their calibration.

use super::{AppError, CheckRequest};
use crate::model::calibration::steady_states;
use crate::scenario;

/// Largest relative difference between the implied steady state and the initial caseload
/// that still counts as calibrated.
pub(crate) const CALIBRATION_TOLERANCE: f64 = 0.10;

/// Validates each file and prints, per segment, the implied steady-state caseload next to
/// `initial_caseload`, warning where they differ by more than 10%.
pub fn check(args: CheckRequest) -> Result<(), AppError> {
    match report(args) {
        // A closed pipe (`contractsim check f.toml | head`) ends the listing quietly.
        Err(CheckFailure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(CheckFailure::Io(e)) => Err(AppError::Other(anyhow::Error::new(e).context("writing to standard output"))),
        Err(CheckFailure::Cli(e)) => Err(e),
        Ok(()) => Ok(()),
    }
}

enum CheckFailure {
    Io(std::io::Error),
    Cli(AppError),
}

impl From<std::io::Error> for CheckFailure {
    fn from(e: std::io::Error) -> Self {
        CheckFailure::Io(e)
    }
}

fn report(args: CheckRequest) -> Result<(), CheckFailure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let mut bad = Vec::new();
    for file in &args.files {
        match scenario::load(file) {
            Err(e) => bad.push(e.to_string()),
            Ok(s) if !crate::analysis::whatif::check_levers(&s).is_empty() => {
                bad.extend(crate::analysis::whatif::check_levers(&s));
            }
            Ok(s) => {
                writeln!(
                    out,
                    "{}: valid scenario \"{}\" ({} segments, {} contracts, {} strategies, {} uncertain values)",
                    file.display(),
                    s.name,
                    s.segments.len(),
                    s.contracts.len(),
                    s.strategies.len(),
                    s.uncertain_params().count()
                )?;
                for w in &s.warnings {
                    writeln!(out, "  warning: {w}")?;
                }
                let levers = crate::analysis::whatif::levers(&s);
                let ids: Vec<&str> = levers.iter().map(|l| l.lever.id.as_str()).collect();
                let whose = if s.levers.is_empty() { "the page's own" } else { "[[lever]]" };
                writeln!(out, "  what-if page: {} levers ({whose}): {}", levers.len(), ids.join(", "))?;
                for v in &s.variants {
                    let changed: Vec<&str> = v
                        .scenario
                        .params
                        .iter()
                        .zip(&s.params)
                        .filter(|(a, b)| a.path != b.path || a.dist.describe() != b.dist.describe())
                        .map(|(a, _)| a.path.as_str())
                        .collect();
                    writeln!(
                        out,
                        "  variant \"{}\" ({}): {}; priced on {}",
                        v.world.id,
                        v.world.name,
                        if changed.is_empty() {
                            "changes no value".to_string()
                        } else {
                            format!("changes {}", changed.join(", "))
                        },
                        if v.world.known_at_signing {
                            "its own expectations (known at signing)"
                        } else {
                            "the file's expectations (a surprise)"
                        }
                    )?;
                }
                if let Some(region) = &s.region {
                    let rule = region.allocation;
                    writeln!(
                        out,
                        "  region of {} municipalities ({}), its spend split {}",
                        region.municipalities.len(),
                        region
                            .municipalities
                            .iter()
                            .map(|m| format!("{} {:.1}%", m.id, 100.0 * m.key_share))
                            .collect::<Vec<_>>()
                            .join(", "),
                        match rule.id() {
                            "solidarity" => "by the fixed key (solidarity) shown".to_string(),
                            "use" => "by each municipality's own clients (use)".to_string(),
                            _ => format!(
                                "{:.0}% by the fixed key shown and {:.0}% by use",
                                100.0 * rule.solidarity,
                                100.0 * rule.by_use
                            ),
                        }
                    )?;
                }
                if !s.untranslated.is_empty() {
                    writeln!(
                        out,
                        "  warning: no Dutch text for {}; the Dutch reports use the English text there",
                        s.untranslated.join(", ")
                    )?;
                }
                writeln!(
                    out,
                    "  {:<24} {:>12} {:>14} {:>14} {:>8}",
                    "segment", "initial", "referrals x d", "steady state", "diff"
                )?;
                let mut off = 0;
                for st in steady_states(&s) {
                    let dev = st.deviation();
                    let flag = if dev.abs() > CALIBRATION_TOLERANCE {
                        off += 1;
                        "  <- more than 10% off"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "  {:<24} {:>12.0} {:>14.0} {:>14.0} {:>+7.1}%{flag}",
                        st.segment,
                        st.initial_caseload,
                        st.from_referrals,
                        st.with_reentry_and_escalation,
                        dev * 100.0
                    )?;
                }
                writeln!(
                    out,
                    "  (steady state = starts x mean duration, starts including re-entries and escalations; expected values at the start year)"
                )?;
                if let Some(c) = &s.calibration {
                    let ids: Vec<&str> = c.segments.iter().map(|&g| s.segments[g].id.as_str()).collect();
                    writeln!(
                        out,
                        "  calibrated from data: {} fitted to {} (SHA-256 {}{}) on {}",
                        ids.join(", "),
                        c.source,
                        c.sha256,
                        if c.periods.is_empty() { String::new() } else { format!(", {}", c.periods) },
                        c.date
                    )?;
                    if let Some(note) = source_note(file, c) {
                        writeln!(out, "  {note}")?;
                    }
                }
                if off == 0 {
                    writeln!(out, "  calibrated: every initial caseload is within 10% of its implied steady state")?;
                } else {
                    writeln!(
                        out,
                        "  warning: {off} segment(s) start more than 10% away from their steady state; the first years then show a drift that no strategy causes"
                    )?;
                }
            }
        }
    }
    if bad.is_empty() { Ok(()) } else { Err(CheckFailure::Cli(AppError::BadInput(bad.join("\n")))) }
}

/// Whether the data file of a calibration is still the one fitted: looked for as named and
/// next to the scenario file; `None` when it is in neither place.
fn source_note(file: &std::path::Path, c: &crate::scenario::Calibration) -> Option<String> {
    use sha2::{Digest, Sha256};
    let named = std::path::PathBuf::from(&c.source);
    let beside = file.parent().map(|d| d.join(&c.source));
    let found = std::iter::once(named).chain(beside).find(|p| p.is_file())?;
    let bytes = std::fs::read(&found).ok()?;
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    Some(if digest == c.sha256 {
        format!("{}: unchanged since the fit", found.display())
    } else {
        format!(
            "warning: {} has changed since the fit (SHA-256 now {digest}); calibrate again to use the new data",
            found.display()
        )
    })
}
