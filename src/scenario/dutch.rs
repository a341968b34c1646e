//! The Dutch texts of a scenario: `name_nl` and `description_nl` beside the English `name`
//! and `description`, of the scenario itself and of each strategy, segment, prevention
//! programme, societal benefit and question. A missing Dutch text falls back to the English
//! one, and `contractsim check` warns about it.

use std::collections::BTreeMap;

/// Which kind of entry a Dutch text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `[scenario]` (index 0).
    Scenario,
    /// `[[segment]]`.
    Segment,
    /// `[[prevention]]`.
    Programme,
    /// `[[societal_benefit]]`.
    SocietalBenefit,
    /// `[[strategy]]`.
    Strategy,
    /// `[[question]]`.
    Question,
}

impl Kind {
    /// The section as the file writes it, e.g. `segment`.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Scenario => "scenario",
            Kind::Segment => "segment",
            Kind::Programme => "prevention",
            Kind::SocietalBenefit => "societal_benefit",
            Kind::Strategy => "strategy",
            Kind::Question => "question",
        }
    }

    /// The kind of the entries of an array of tables, by its section name.
    pub(crate) fn of_section(section: &str) -> Option<Kind> {
        [Kind::Segment, Kind::Programme, Kind::SocietalBenefit, Kind::Strategy, Kind::Question]
            .into_iter()
            .find(|k| k.section() == section)
    }
}

/// The Dutch texts read from a file, by kind and index of the entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dutch {
    /// `name_nl` per entry.
    names: BTreeMap<(Kind, usize), String>,
    /// `description_nl` per entry.
    descriptions: BTreeMap<(Kind, usize), String>,
}

impl Dutch {
    /// Records the `name_nl` of an entry.
    pub(crate) fn set_name(&mut self, kind: Kind, index: usize, text: String) {
        self.names.insert((kind, index), text);
    }

    /// Records the `description_nl` of an entry.
    pub(crate) fn set_description(&mut self, kind: Kind, index: usize, text: String) {
        self.descriptions.insert((kind, index), text);
    }

    /// The Dutch name of an entry, if the file gives one.
    pub fn name(&self, kind: Kind, index: usize) -> Option<&str> {
        self.names.get(&(kind, index)).map(String::as_str)
    }

    /// The Dutch description of an entry, if the file gives one.
    pub fn description(&self, kind: Kind, index: usize) -> Option<&str> {
        self.descriptions.get(&(kind, index)).map(String::as_str)
    }
}
