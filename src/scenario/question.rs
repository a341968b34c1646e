//! `[[question]]`: what a scenario asks, as comparisons. Each question names the strategies
//! it compares with a reference strategy (the baseline unless it names another), and
//! optionally the input it is about. The plain-language answer answers the questions in the
//! order of the file.

/// One question of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Its id.
    pub id: String,
    /// The question as the council would ask it, in English.
    pub text: String,
    /// The strategies it compares with `reference`, in the order of the file.
    pub strategies: Vec<usize>,
    /// The strategy they are compared with (`compared_with`; the baseline by default).
    pub reference: usize,
    /// The index of the input (a [`super::Param`]) the question is about (`about`), if any.
    pub about: Option<usize>,
    /// Whether the question is about the society as a whole (`view = "societal"`) rather
    /// than the municipality's budget (`view = "municipal"`, the default).
    pub societal: bool,
    /// The `[[variant]]` (its index in [`super::Scenario::variants`]) in whose world the
    /// question is answered (`variant`); the file's own world when `None`.
    pub variant: Option<usize>,
}
