//! `[[variant]]`: a named state of the world, which the municipality does not choose (demand
//! 10% higher, costs rising faster). A variant overrides inputs of the file with the same
//! keys as the rest of the file; every strategy is simulated in every variant on the same
//! seed (common random numbers), and every comparison is made within one world.

use super::Scenario;

/// The id of the file's own world in outputs (`variant` column of `summary.csv`).
pub const BASE_WORLD: &str = "base";

/// A state of the world: the file's own, or one of its variants.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct World {
    /// Its id: [`BASE_WORLD`] for the file's own, otherwise the variant's (letters,
    /// digits, `_` or `-`).
    pub id: String,
    /// Its name in English.
    pub name: String,
    /// Its name in Dutch, when there is one.
    #[serde(default)]
    pub name_nl: Option<String>,
    /// What it assumes, in English.
    #[serde(default)]
    pub description: String,
    /// What it assumes, in Dutch, when there is one.
    #[serde(default)]
    pub description_nl: Option<String>,
    /// Whether the municipality and the providers knew this world when they signed: then
    /// first prices, lump sums, task budget lines and investor baselines are set from its
    /// expectations; otherwise (the default) from the file's own, and the world comes as a
    /// surprise.
    #[serde(default)]
    pub known_at_signing: bool,
}

impl World {
    /// The file's own world, as the reports name it.
    pub fn base() -> Self {
        World {
            id: BASE_WORLD.into(),
            name: "As the file assumes".into(),
            name_nl: Some("Zoals het bestand aanneemt".into()),
            description: String::new(),
            description_nl: None,
            known_at_signing: true,
        }
    }

    /// The name in English or (`dutch`) in Dutch, falling back to English.
    pub fn name(&self, dutch: bool) -> &str {
        if dutch { self.name_nl.as_deref().unwrap_or(&self.name) } else { &self.name }
    }

    /// The description in English or in Dutch, falling back to English.
    pub fn description(&self, dutch: bool) -> &str {
        if dutch { self.description_nl.as_deref().unwrap_or(&self.description) } else { &self.description }
    }
}

/// One state of the world besides the file's own, with the scenario in it.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The world.
    pub world: World,
    /// The scenario in this world: the file with the variant's values (its
    /// [`Scenario::world`] is [`Variant::world`]).
    pub scenario: Box<Scenario>,
}
