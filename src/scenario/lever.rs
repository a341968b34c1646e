//! `[[lever]]`: the inputs the what-if page (`whatif.html`) lets a council move, each a
//! number of the file with a label in both languages, a range and a step.

/// One lever of the what-if page.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// `id`.
    pub id: String,
    /// `key`: the dotted key of the number it sets, as `sweep --set` names it
    /// (`prevention.front.annual_cost`, `contract.output_corridor.risk_sharing.band`).
    pub key: String,
    /// `label`.
    pub label: String,
    /// `label_nl` (the English label when the file gives none).
    pub label_nl: Option<String>,
    /// `min`: the lowest value.
    pub min: f64,
    /// `max`: the highest value.
    pub max: f64,
    /// `step`: the slider's step.
    pub step: f64,
    /// The file's value of the key: the number, or the mean of its distribution.
    pub value: f64,
    /// The line of the `[[lever]]` table in the file (from 1), for messages.
    pub line: usize,
}

/// Most levers a file may give: the page stays a page of a few levers.
pub const MAX_LEVERS: usize = 12;
