//! Problems found in a scenario file, each naming file, line, column, key, what was
//! expected and what was found.

use std::fmt;
use std::path::PathBuf;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line and column, when the problem sits at a place in the file.
    pub position: Option<(usize, usize)>,
    /// Dotted path of the key, e.g. `segment.residential.mean_duration_years`.
    pub key: String,
    /// What the format expects there.
    pub expected: String,
    /// What the file has there.
    pub found: String,
    /// A hint such as "did you mean `incidence_per_1000`?".
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if self.key.is_empty() {
            write!(f, ": expected {}, found {}", self.expected, self.found)?;
        } else {
            write!(f, ": key `{}`: expected {}, found {}", self.key, self.expected, self.found)?;
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

/// All problems found in one scenario file; the run does not start when there is any.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
