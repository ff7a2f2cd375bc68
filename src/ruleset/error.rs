//! Errors of ruleset loading: every problem, with file, line and reason.

use std::{fmt, path::PathBuf};

use thiserror::Error;

/// One problem found while loading a ruleset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the ruleset root.
    pub file: String,
    /// The 1-based line, when the problem sits on one.
    pub line: Option<usize>,
    /// What is wrong, lowercase, no final period.
    pub reason: String,
}

impl Problem {
    /// Builds a problem on a whole file.
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            line: None,
            reason: reason.into(),
        }
    }

    /// Builds a problem on one line of a file.
    pub fn line(file: impl Into<String>, line: usize, reason: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            line: Some(line),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// Returned when a ruleset cannot be loaded; lists every problem found.
#[derive(Debug, Error)]
pub enum LoadRulesetError {
    /// The ruleset directory or one of its files could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The path that failed.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The files were read but are not a valid ruleset.
    #[error("invalid ruleset ({} problem{}): {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, join(.0))]
    Invalid(Vec<Problem>),
}

impl LoadRulesetError {
    /// Returns the problems behind an invalid ruleset (none for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadRulesetError::Invalid(problems) => problems,
            LoadRulesetError::Read { .. } => &[],
        }
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
