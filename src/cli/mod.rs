//! The subcommands of the binary, one module each. They call `Screener`,
//! `Ruleset` and `corpus`, never an inner pipeline stage, and return a
//! [`Status`] or an `anyhow` error that `main` prints on one line.

pub mod check;
pub mod diff;
pub mod eval;
pub mod lint;
pub mod serve;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Arc,
};

use anyhow::Context;
use msgscreen::{Ruleset, corpus};

/// How a subcommand ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Everything passed: exit 0.
    Ok,
    /// A gate the user asked for failed: exit 1.
    GateFailed,
}

impl Status {
    /// Returns the process exit code of the status.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Status::Ok => ExitCode::SUCCESS,
            Status::GateFailed => ExitCode::from(1),
        }
    }
}

/// Writes a command's output to stdout; a reader that went away (`| head`)
/// is not an error.
pub fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

/// Loads the ruleset in `dir`, or the embedded one when `dir` is `None`.
pub fn load_ruleset(dir: Option<&Path>) -> anyhow::Result<Arc<Ruleset>> {
    let ruleset = match dir {
        Some(dir) => Ruleset::from_dir(dir)
            .with_context(|| format!("cannot load the wordlists in {}", dir.display()))?,
        None => Ruleset::embedded().context("cannot load the embedded wordlists")?,
    };
    Ok(Arc::new(ruleset))
}

/// Reads and parses a labeled corpus; errors name the file and the line.
pub fn read_corpus(path: &PathBuf) -> anyhow::Result<Vec<corpus::LabeledCase>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the corpus {}", path.display()))?;
    corpus::parse(&text).with_context(|| format!("invalid corpus {}", path.display()))
}
