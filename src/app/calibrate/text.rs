//! The text of a calibrated scenario: the blank template of `contractsim new` with the
//! data's segments, their demand fitted and every fitted number commented with its counts.

use super::Fitted;

/// What the scenario's header and `[calibration]` table say about the fit.
pub(crate) struct Context<'a> {
    /// The scenario's name.
    pub(crate) name: &'a str,
    /// The scenario file, as named to `--out`.
    pub(crate) file: &'a str,
    /// The command that made the file.
    pub(crate) command: &'a str,
    /// The data file, as named on the command line.
    pub(crate) source: &'a str,
    /// SHA-256 of the data file.
    pub(crate) sha256: &'a str,
    /// Today, `YYYY-MM-DD`.
    pub(crate) date: &'a str,
    /// The periods fitted, e.g. `2021-01-01 to 2024-12-31, 8 half-years`.
    pub(crate) periods: &'a str,
    /// The first simulated year: the year of the day after the data end.
    pub(crate) start_year: i64,
    /// The data's last day, `YYYY-MM-DD`.
    pub(crate) last_day: &'a str,
    /// Youths 0-17 at the start.
    pub(crate) youth: f64,
    /// Where that number came from.
    pub(crate) youth_note: &'a str,
    /// The budget line derived from the caseloads and the template's costs.
    pub(crate) budget: f64,
    /// The expected yearly cost of the initial caseloads that `budget` is derived from.
    pub(crate) caseload_cost: f64,
}

/// Builds the scenario: `template` is the blank template with its placeholders filled in.
pub(crate) fn scenario_text(template: &str, cx: &Context<'_>, fitted: &[Fitted]) -> String {
    let ids: Vec<&str> = fitted.iter().map(|f| f.id.as_str()).collect();
    let list = format!("[{}]", ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", "));
    let mut out = header(cx, &ids);
    let paragraphs: Vec<&str> = template.split("\n\n").collect();
    let first_header = |p: &str| p.lines().find(|l| l.trim_start().starts_with('[')).map(|l| l.trim().to_string());
    let last_strategy =
        paragraphs.iter().rposition(|p| first_header(p).as_deref() == Some("[[strategy]]")).unwrap_or(0);
    // Prevention programmes that keep a target, and what goes with them.
    let mut prevention_kept = true;
    let mut seen_scenario = false;
    for (i, p) in paragraphs.iter().enumerate() {
        let Some(head) = first_header(p) else {
            // Comments: the template's opening notes are replaced by the header above, its
            // closing examples (variants, regions) left out, the rest kept.
            if !seen_scenario || i > last_strategy {
                continue;
            }
            if p.trim_start().starts_with("# Segments:") {
                out.push_str(&comment(
                    "Segments: the segments of the data, their incidence, duration and initial caseload fitted to it \
                     ([derived]/[source], with the counts); their costs, success, re-entry and escalation are the \
                     template's national averages ([assumption]), to replace with your own.",
                ));
                out.push('\n');
                continue;
            }
            push_paragraph(&mut out, p);
            continue;
        };
        match head.as_str() {
            "[scenario]" => {
                seen_scenario = true;
                push_paragraph(&mut out, &scenario_table(p, cx));
            }
            "[population]" => push_paragraph(&mut out, &population_table(p, cx)),
            "[economy]" => push_paragraph(&mut out, &economy_table(p, cx)),
            "[[segment]]" => {
                if let Some(f) = fitted.iter().find(|f| p.contains(&format!("id = \"{}\"", f.id))) {
                    push_paragraph(&mut out, &segment(p, f, cx, &ids));
                }
            }
            "[[contract]]" => push_paragraph(&mut out, &replace_line(p, "segments = ", &format!("segments = {list}"))),
            "[[prevention]]" => {
                let targets = p.lines().find(|l| l.starts_with("targets = ")).unwrap_or("");
                let kept: Vec<&str> = ids.iter().copied().filter(|i| targets.contains(&format!("\"{i}\""))).collect();
                if kept.is_empty() {
                    prevention_kept = false;
                } else {
                    let line = format!(
                        "targets = [{}]",
                        kept.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
                    );
                    push_paragraph(&mut out, &replace_line(p, "targets = ", &line));
                }
            }
            "[[societal_benefit]]" if !prevention_kept => {}
            "[[strategy]]" if !prevention_kept && p.lines().any(|l| l.starts_with("prevention = ")) => {}
            _ => push_paragraph(&mut out, p),
        }
    }
    out.push_str(&calibration_table(cx, &ids));
    out
}

/// Appends a paragraph and the blank line after it.
fn push_paragraph(out: &mut String, p: &str) {
    out.push_str(p.trim_end_matches('\n'));
    out.push_str("\n\n");
}

/// The file's opening comment.
fn header(cx: &Context<'_>, ids: &[&str]) -> String {
    let mut s = format!("# {}: calibrated with `{}` on {}.\n#\n", cx.name, cx.command, cx.date);
    s.push_str(&comment(&format!(
        "The demand of {} (incidence_per_1000, mean_duration_years, initial_caseload, and reentry_rate where \
         the data count re-entries) is fitted to {} ({}); each fitted value says which counts it comes from, and \
         its distribution is the uncertainty of the fit (docs/calibration.md). {}-fit.csv, next to this file, \
         sets every period's counts beside the fitted ones.",
        ids.join(", "),
        cx.source,
        cx.periods,
        cx.name
    )));
    s.push_str("#\n");
    s.push_str(&comment(
        "Everything else is the blank template of `contractsim new`: national averages (CBS Jeugdmonitor 2024; \
         see scenarios/friesland.toml for the sources), each marked [assumption], to replace with your own \
         figures. Marks: [source] a figure from the data or a public source; [derived] computed from other \
         numbers, with the arithmetic; [assumption] a modelling choice or estimate. Amounts are euros in \
         start-year prices; shares are fractions (0.25 = 25%).",
    ));
    s.push_str("#\n");
    s.push_str(&comment(&format!(
        "Check the file after every change: `contractsim check {0}` validates it, says that it is calibrated \
         and from which data, and shows whether each segment's initial caseload fits its flows. Then run it: \
         `contractsim run {0}`. docs/scenario-format.md lists every key.",
        cx.file
    )));
    s.push('\n');
    s
}

/// `[scenario]` with the fitted start year.
fn scenario_table(p: &str, cx: &Context<'_>) -> String {
    let mut out = String::new();
    for line in p.lines() {
        if line.starts_with("# [assumption] The first simulated year") {
            out.push_str(&comment(&format!(
                "[derived] The first simulated year is the year after the data's last day ({}). \
                 [assumption] The horizon and monthly steps.",
                cx.last_day
            )));
        } else if line.starts_with("start_year = ") {
            out.push_str(&format!("start_year = {}\n", cx.start_year));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `[population]` with the data's youths.
fn population_table(p: &str, cx: &Context<'_>) -> String {
    let mut out = String::new();
    for line in p.lines() {
        if line.starts_with("# [assumption] Youths 0-17") {
            out.push_str(&comment(&format!("[source] Youths 0-17 at the start: {}.", cx.youth_note)));
        } else if line.starts_with("youth = ") {
            out.push_str(&format!("youth = {}\n", grouped(cx.youth)));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `[economy]` with a budget line and reserve in proportion to the fitted caseloads.
fn economy_table(p: &str, cx: &Context<'_>) -> String {
    let mut out = String::new();
    for line in p.lines() {
        if line.starts_with("budget = ") {
            out.push_str(&comment(&format!(
                "[derived] The initial caseloads at the template's costs per client-year cost EUR {} a year; \
                 plus the contracts' 3% margin, rounded: {}.",
                words(cx.caseload_cost.round()),
                words(cx.budget)
            )));
            out.push_str(&format!("budget = {}\n", grouped(cx.budget)));
        } else if line.starts_with("# [assumption] The reserve held") {
            continue;
        } else if line.starts_with("available_reserve = ") {
            out.push_str(&comment(
                "[assumption] The reserve held against youth-care risks (from your risk paragraph): a tenth \
                 of the budget line, as in the template.",
            ));
            out.push_str(&format!("available_reserve = {}\n", grouped((cx.budget / 100_000.0).round() * 10_000.0)));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A `[[segment]]` of the template with its demand fitted: the id and name kept, the
/// template's demand comment and values replaced, the rest kept but for an escalation to a
/// segment the data does not have and, when the data count re-entries, `reentry_rate`.
fn segment(p: &str, f: &Fitted, cx: &Context<'_>, ids: &[&str]) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = p.lines().collect();
    let drop_escalation = lines
        .iter()
        .find(|l| l.starts_with("escalates_to = "))
        .is_some_and(|l| !ids.iter().any(|i| l.contains(&format!("\"{i}\""))));
    let mut demand_written = false;
    for line in lines {
        // `duration_shape` too: the template's is replaced by the fitted one, or kept when
        // the data have no bands (written after the demand lines, where the template has it).
        let demand = ["incidence_per_1000 = ", "initial_caseload = ", "mean_duration_years = "];
        if line.starts_with("duration_shape = ") && f.shape.is_some() {
            continue;
        }
        if line.starts_with('#') && !demand_written {
            // The template's comment on the demand figures, replaced below.
            continue;
        }
        if demand.iter().any(|d| line.starts_with(d)) {
            if !demand_written {
                out.push_str(&demand_lines(f, cx));
                demand_written = true;
            }
            continue;
        }
        if drop_escalation && (line.starts_with("escalates_to = ") || line.starts_with("escalation_rate = ")) {
            continue;
        }
        if line.starts_with("reentry_rate = ")
            && let Some(r) = &f.reentry
        {
            out.push_str(&comment(&format!(
                "[derived] {} of the {} starts re-entered (column reentered): a share of {} (sd {}, the \
                 Jeffreys beta posterior); with the success rate's mean {}, the share of failures that \
                 re-enter is {} / (1 - {}) = {}.",
                words(r.reentered),
                words(f.fit.started),
                num(r.share.mean),
                num(r.share.sd),
                num(r.success_mean),
                num(r.share.mean),
                num(r.success_mean),
                num(r.rate.mean)
            )));
            out.push_str(&format!(
                "reentry_rate = {{ dist = \"beta\", mean = {}, sd = {} }}\n",
                num(r.rate.mean),
                num(r.rate.sd)
            ));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if drop_escalation {
        out.push_str(&comment(
            "The template's escalation from here goes to a segment the data do not have, so it is left out.",
        ));
    }
    out
}

/// The fitted `incidence_per_1000`, `initial_caseload` and `mean_duration_years`, each
/// with its counts.
fn demand_lines(f: &Fitted, cx: &Context<'_>) -> String {
    let fit = &f.fit;
    let mut s = String::new();
    let loops = match &f.reentry {
        Some(r) => format!("a share of {} re-enter (the data's re-entry share)", num(r.share.mean)),
        None => format!(
            "a share of {} re-enter (the template's: (1 - success_rate) x reentry_rate)",
            num(1.0 - f.loop_factor)
        ),
    };
    let escalations = if f.escalations_in > 0.0 {
        format!(" and {} per 1000 arrive by escalation from {}", num(f.escalations_in), f.escalates_from.join(", "))
    } else {
        String::new()
    };
    s.push_str(&comment(&format!(
        "[derived] Fitted to {} ({} periods to {}): {} starts over {} thousand youth-years = {} starts per 1000 \
         youths a year (sd {}: Poisson likelihood, gamma posterior). Of the starts, {}{}; the rest are \
         referrals: {} x {} - {} = {} per 1000 (sd {}).",
        cx.source,
        f.periods,
        cx.last_day,
        words(fit.started),
        num(fit.thousand_youth_years),
        num(f.starts.mean),
        num(f.starts.sd),
        loops,
        escalations,
        num(f.starts.mean),
        num(f.loop_factor),
        num(f.escalations_in),
        num(f.incidence.mean),
        num(f.incidence.sd)
    )));
    s.push_str(&format!(
        "incidence_per_1000 = {{ dist = \"gamma\", mean = {}, sd = {} }}\n",
        num(f.incidence.mean),
        num(f.incidence.sd)
    ));
    s.push_str(&comment(&format!(
        "[source] Running on {} (active_at_end, {} line {}).",
        cx.last_day, cx.source, f.last_line
    )));
    s.push_str(&format!("initial_caseload = {}\n", f.initial_caseload));
    s.push_str(&comment(&format!(
        "[derived] {} ended over {} client-years in care (the trapezoid of the active counts): exponential stays \
         of {} / {} = {} years (maximum likelihood). The posterior of the mean (inverse gamma: mean {} / ({} - 1)), \
         its sd widened for the trapezoid's error (docs/calibration.md), written as a lognormal of that mean and sd.",
        words(fit.ended),
        num(fit.client_years),
        num(fit.client_years),
        words(fit.ended),
        num(fit.duration_mle_years),
        num(fit.client_years),
        words(fit.ended)
    )));
    if let Some((observed, t)) = &f.bands {
        s.push_str(&comment(&format!(
            "[derived] Ended by duration band (the data's columns ended_...): {} observed against {} for \
             exponential stays of that mean; chi-square {} on {} degrees of freedom, p = {}.{}",
            observed.iter().map(|o| words(*o)).collect::<Vec<_>>().join(", "),
            t.expected.iter().map(|e| num((e * 10.0).round() / 10.0)).collect::<Vec<_>>().join(", "),
            num(t.chi_square),
            t.df,
            num(t.p_value),
            if t.p_value < 0.01 { " The stays are not exponential: see duration_shape below." } else { "" }
        )));
    }
    s.push_str(&format!(
        "mean_duration_years = {{ dist = \"lognormal\", mean = {}, sd = {} }}\n",
        num(fit.mean_duration_years.mean),
        num(fit.mean_duration_years.sd)
    ));
    if let Some(k) = &f.shape {
        s.push_str(&comment(&format!(
            "[derived] Duration shape from the same bands: durations in k phases of d/k years each (Erlang, sd \
             d/sqrt(k); k = 1 is exponential), k by maximum likelihood over 1 to {} with the mean at {} years: k = {}, \
             expecting {} in the bands. Uncertainty: the shapes within the likelihood-ratio limit (chi-square 3.84, \
             about 95%) are {} to {}; in {} of {} bootstrap datasets drawn from the fitted law the fit gives {} \
             again.",
            crate::model::phases::MAX_SHAPE,
            num(fit.duration_mle_years),
            k.shape,
            k.expected.iter().map(|e| num((e * 10.0).round() / 10.0)).collect::<Vec<_>>().join(", "),
            k.interval.0,
            k.interval.1,
            (k.recovered * crate::model::fit::SHAPE_BOOTSTRAP as f64).round(),
            crate::model::fit::SHAPE_BOOTSTRAP,
            k.shape
        )));
        s.push_str(&format!("duration_shape = {}\n", k.shape));
    }
    s
}

/// The `[calibration]` table.
fn calibration_table(cx: &Context<'_>, ids: &[&str]) -> String {
    format!(
        "# Where the fitted numbers came from (docs/scenario-format.md, `[calibration]`); `contractsim check`\n\
         # reports it and whether the data file has changed since.\n\
         [calibration]\nsource = {}\nsha256 = \"{}\"\ndate = \"{}\"\nperiods = {}\nsegments = [{}]\n",
        toml_string(cx.source),
        cx.sha256,
        cx.date,
        toml_string(cx.periods),
        ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Replaces the line that starts with `prefix` by `line`.
fn replace_line(p: &str, prefix: &str, line: &str) -> String {
    p.lines().map(|l| if l.starts_with(prefix) { line } else { l }).collect::<Vec<_>>().join("\n")
}

/// `text` as comment lines of at most 92 characters.
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 92 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > 1 {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A number with six significant digits, without an exponent and trailing zeros.
pub(crate) fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let digits = (5 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A whole number with `,` digit groups, as prose writes it.
fn words(x: f64) -> String {
    grouped(x).replace('_', ",")
}

/// A whole number with `_` digit groups, as TOML and the template write amounts.
fn grouped(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(num(60.15234), "60.1523");
        assert_eq!(num(0.0123456789), "0.0123457");
        assert_eq!(num(123456.7), "123457");
        assert_eq!(num(2.0), "2");
        assert_eq!(grouped(13_090_000.0), "13_090_000");
        assert_eq!(grouped(330.0), "330");
        assert_eq!(grouped(1000.0), "1_000");
    }

    #[test]
    fn comments_wrap() {
        let c = comment(&"word ".repeat(40));
        assert!(c.lines().all(|l| l.len() <= 92 && l.starts_with("# ")), "{c}");
        assert_eq!(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
