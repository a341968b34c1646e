//! `[contract.risk_sharing]`: a contract's risk corridor, one band (`band`,
//! `municipality_share`) or several (`bands = [{ from, share }, ...]`) in increasing
//! order, with a cap and whether gains are shared too.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::keys::{Rule, describe};
use super::{Cx, Val, join};
use crate::scenario::{Band, RiskSharing};

impl Cx<'_> {
    /// The `risk_sharing` of a contract at `path`: `None` when it has none, or when the
    /// corridor has a problem (reported).
    pub(super) fn contract_risk_sharing(&mut self, t: &DeTable<'_>, path: &str) -> Option<RiskSharing> {
        let v = t.get("risk_sharing")?;
        match v.get_ref() {
            DeValue::Table(rs) => self.risk_sharing(rs, v.span(), &join(path, "risk_sharing")),
            other => {
                let key = join(path, "risk_sharing");
                self.problem(v.span(), &key, "a table `[contract.risk_sharing]`", describe(other), None);
                None
            }
        }
    }

    /// `[contract.risk_sharing]`: its bands, with `cap_share` and `symmetric`.
    fn risk_sharing(&mut self, t: &DeTable<'_>, sp: Range<usize>, path: &str) -> Option<RiskSharing> {
        self.known_keys(t, path, &["band", "municipality_share", "bands", "cap_share", "symmetric"]);
        let before = self.problems.len();
        let bands = self.corridor_bands(t, &sp, path);
        let cap_share = self.optional_number(t, path, "cap_share", Rule::NonNeg);
        let symmetric = self.boolean(t, path, "symmetric", false);
        (self.problems.len() == before).then_some(RiskSharing { bands, cap_share, symmetric })
    }

    /// The bands: `band` with `municipality_share`, or `bands`, never both nor neither.
    fn corridor_bands(&mut self, t: &DeTable<'_>, sp: &Range<usize>, path: &str) -> Vec<Band> {
        let one = t.contains_key("band") || t.contains_key("municipality_share");
        match (one, t.get("bands")) {
            (true, Some(v)) => {
                self.problem(
                    v.span(),
                    &join(path, "bands"),
                    "either `band` with `municipality_share`, or `bands`",
                    "both".into(),
                    None,
                );
                Vec::new()
            }
            (true, None) => {
                let from = self.number(t, path, "band", Rule::NonNeg, sp, None).unwrap_or(0.0);
                let share = self.number(t, path, "municipality_share", Rule::Share, sp, None).unwrap_or(0.0);
                vec![Band { from, share }]
            }
            (false, Some(v)) => self.band_list(v, path),
            (false, None) => {
                self.problem(
                    sp.clone(),
                    &join(path, "band"),
                    "`band` and `municipality_share`, or `bands`",
                    "nothing".into(),
                    None,
                );
                Vec::new()
            }
        }
    }

    /// `bands = [{ from, share }, ...]`: at least one band, each `from` above the one before.
    fn band_list(&mut self, v: &Val<'_>, path: &str) -> Vec<Band> {
        let DeValue::Array(items) = v.get_ref() else {
            self.problem(
                v.span(),
                &join(path, "bands"),
                "a list of bands `[{ from = 0.03, share = 0.5 }]`",
                describe(v.get_ref()),
                None,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{}[{}]", join(path, "bands"), i + 1);
            let DeValue::Table(b) = item.get_ref() else {
                self.problem(
                    item.span(),
                    &key,
                    "a band `{ from = 0.03, share = 0.5 }`",
                    describe(item.get_ref()),
                    None,
                );
                continue;
            };
            self.known_keys(b, &key, &["from", "share"]);
            let from = self.number(b, &key, "from", Rule::NonNeg, &item.span(), None).unwrap_or(0.0);
            let share = self.number(b, &key, "share", Rule::Share, &item.span(), None).unwrap_or(0.0);
            if let Some(prev) = out.last().map(|b: &Band| b.from)
                && from <= prev
            {
                let expected = format!("a `from` above the previous band's ({prev})");
                self.problem(item.span(), &key, &expected, format!("{from}"), None);
            }
            out.push(Band { from, share });
        }
        if out.is_empty() {
            self.problem(v.span(), &join(path, "bands"), "at least one band", "an empty list".into(), None);
        }
        out
    }
}
