//! `[[municipality]]` and `[region]`: the municipalities of a region that buys youth care
//! together, and the rule by which the region splits its cost over them (VNG's three
//! variants of regional risk pooling: a fixed key, actual use, or a mix).

/// Most municipalities in a region (the Netherlands has 342): each has its own random
/// stream per path and year.
pub const MAX_MUNICIPALITIES: usize = 1000;

/// One municipality of the region.
#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// Identifier (letters, digits, `_` or `-`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its Dutch name, when the file gives one (municipalities' names are mostly the same).
    pub name_nl: Option<String>,
    /// Youths 0-17 at the start.
    pub youth: f64,
    /// How its incidence compares with the region's (1: the region's rate).
    pub incidence_multiplier: f64,
    /// Its share of the fixed key (solidarity): the file's `key_share`, or its share of
    /// the region's youths.
    pub key_share: f64,
}

impl Municipality {
    /// The name in English or (`dutch`) in Dutch, falling back to the name.
    pub fn name(&self, dutch: bool) -> &str {
        if dutch { self.name_nl.as_deref().unwrap_or(&self.name) } else { &self.name }
    }
}

/// How the region splits its spend: a weight on the fixed key and a weight on use, adding
/// up to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allocation {
    /// Weight of the fixed key (`solidarity`).
    pub solidarity: f64,
    /// Weight of actual use (`use`).
    pub by_use: f64,
}

impl Allocation {
    /// Every spend by the fixed key.
    pub const SOLIDARITY: Allocation = Allocation { solidarity: 1.0, by_use: 0.0 };
    /// Every spend by use.
    pub const USE: Allocation = Allocation { solidarity: 0.0, by_use: 1.0 };

    /// Its id in outputs: `solidarity`, `use`, or `mix` for weights of both.
    pub fn id(self) -> &'static str {
        if self.by_use == 0.0 {
            "solidarity"
        } else if self.solidarity == 0.0 {
            "use"
        } else {
            "mix"
        }
    }

    /// A municipality's spend under this rule, from its spend by the key and by use.
    pub fn spend(self, by_key: f64, by_use: f64) -> f64 {
        if self.by_use == 0.0 {
            by_key
        } else if self.solidarity == 0.0 {
            by_use
        } else {
            self.solidarity * by_key + self.by_use * by_use
        }
    }
}

/// The region: its municipalities and the rule it splits its cost by.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// In file order.
    pub municipalities: Vec<Municipality>,
    /// The region's rule (`[region] allocation`, by default `solidarity`).
    pub allocation: Allocation,
}

impl Region {
    /// Each municipality's expected share of the region's clients: its youths times its
    /// incidence multiplier, as a share of the sum. The region's own incidence holds for the
    /// region as a whole, so the multipliers say only how the region's clients are spread.
    pub fn use_shares(&self) -> Vec<f64> {
        let w: Vec<f64> = self.municipalities.iter().map(|m| m.youth * m.incidence_multiplier).collect();
        let total: f64 = w.iter().sum();
        w.iter().map(|x| x / total).collect()
    }

    /// The rules the reports compare: the fixed key, use, and the region's own when it
    /// is a mix.
    pub fn rules(&self) -> Vec<Allocation> {
        let mut rules = vec![Allocation::SOLIDARITY, Allocation::USE];
        if self.allocation.id() == "mix" {
            rules.push(self.allocation);
        }
        rules
    }

    /// Municipality `m`'s share of a budget line under `rule`: its key share for what is
    /// split by the key, its expected share of the clients for what is split by use.
    pub fn budget_share(&self, m: usize, rule: Allocation) -> f64 {
        let by_use = self.use_shares()[m];
        rule.spend(self.municipalities[m].key_share, by_use)
    }
}
