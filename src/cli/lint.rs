//! `msgscreen lint`: the loader's validation (errors) plus what a reviewer
//! wants to know (warnings): shadowed and redundant terms, terms inside
//! many common English words, and rules that fire on a corpus's clean
//! messages.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::Context;
use msgscreen::{
    Screener, corpus,
    ruleset::{
        LoadRulesetError, Problem, Ruleset, RulesetFiles, Wordlists,
        lint::{self, Dictionary, LintOptions},
    },
};

use super::Status;

/// Arguments of `msgscreen lint`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  msgscreen lint ./wordlists
  msgscreen lint ./wordlists --corpus tests/cases/dev.jsonl --deny-warnings

Exit code: 1 when the ruleset would not load (or, with --deny-warnings, when
there is any warning), 2 when the files cannot be read, else 0. The common
words come from /usr/share/dict/words (Debian: apt-get install wamerican)
unless --dict names another list; without one that check is skipped.")]
pub struct Args {
    /// The ruleset directory; the embedded ruleset when absent.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Also report rules that fire on this corpus's clean messages.
    #[arg(long, value_name = "FILE")]
    pub corpus: Option<PathBuf>,
    /// The list of common words, one a line.
    #[arg(long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// Warn when a term occurs inside at least N common words.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub common_words: usize,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Runs `msgscreen lint`.
pub fn run(args: Args) -> anyhow::Result<Status> {
    let files = match &args.dir {
        Some(dir) => RulesetFiles::read_dir(dir),
        None => Ok(RulesetFiles::embedded()),
    };
    let shown = |file: &str| match &args.dir {
        Some(dir) => dir.join(file).display().to_string(),
        None => format!("<embedded>/{file}"),
    };
    let files = match files {
        Ok(files) => files,
        Err(LoadRulesetError::Invalid(problems)) => {
            // The manifest itself is broken: nothing else can be checked.
            let mut report = render_all("error", &problems, &shown);
            report.push_str(&format!(
                "lint: {} error{}; the manifest must load first\n",
                problems.len(),
                plural(problems.len())
            ));
            super::out(&report)?;
            return Ok(Status::GateFailed);
        }
        Err(e) => {
            return Err(e).with_context(|| {
                format!(
                    "cannot read the wordlists in {}",
                    args.dir
                        .as_deref()
                        .unwrap_or(Path::new("<embedded>"))
                        .display()
                )
            });
        }
    };
    let (errors, ruleset) = match Ruleset::build(&files) {
        Ok(ruleset) => (Vec::new(), Some(Arc::new(ruleset))),
        Err(e) => (e.problems().to_vec(), None),
    };
    let (lists, _) = Wordlists::read(&files)
        .map_err(|problems| anyhow::anyhow!("{}", LoadRulesetError::Invalid(problems)))?;

    let dictionary = load_dictionary(args.dict.as_deref())?;
    let mut warnings = lint::lint(
        &lists,
        LintOptions {
            dictionary: dictionary.as_ref(),
            common_words: args.common_words,
        },
    );
    if let Some(path) = &args.corpus {
        let cases = super::read_corpus(path)?;
        match &ruleset {
            Some(ruleset) => {
                let screener = Screener::new(ruleset.clone());
                warnings.extend(clean_warnings(
                    &lists,
                    &corpus::clean_firings(&screener, &cases),
                ));
            }
            None => eprintln!("lint: skipped --corpus: the ruleset does not load"),
        }
    }

    warnings.sort_by(|a, b| (&a.file, a.line, &a.reason).cmp(&(&b.file, b.line, &b.reason)));
    let mut report = render_all("error", &errors, &shown);
    report.push_str(&render_all("warning", &warnings, &shown));
    report.push_str(&format!(
        "lint: {} error{}, {} warning{} (ruleset {}, {})\n",
        errors.len(),
        plural(errors.len()),
        warnings.len(),
        plural(warnings.len()),
        files.version(),
        files.source()
    ));
    super::out(&report)?;
    Ok(
        if !errors.is_empty() || (args.deny_warnings && !warnings.is_empty()) {
            Status::GateFailed
        } else {
            Status::Ok
        },
    )
}

/// Loads `--dict`, else the system word list when there is one.
fn load_dictionary(path: Option<&Path>) -> anyhow::Result<Option<Dictionary>> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --dict {}", path.display()))?;
            Ok(Some(Dictionary::parse(&text)))
        }
        None => match std::fs::read_to_string(lint::SYSTEM_DICTIONARY) {
            Ok(text) => Ok(Some(Dictionary::parse(&text))),
            Err(_) => {
                eprintln!(
                    "lint: no word list at {} (apt-get install wamerican, or --dict FILE); skipped the common-words check",
                    lint::SYSTEM_DICTIONARY
                );
                Ok(None)
            }
        },
    }
}

/// One warning per rule that fired on clean messages, on the term's line
/// when the rule is a wordlist term.
fn clean_warnings(
    lists: &Wordlists,
    firings: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<Problem> {
    firings
        .iter()
        .map(|(rule, ids)| {
            let shown: Vec<&str> = ids.iter().take(8).map(String::as_str).collect();
            let reason = format!(
                "rule {rule} fires on {} clean message{} of the corpus: {}{}",
                ids.len(),
                plural(ids.len()),
                shown.join(", "),
                if ids.len() > shown.len() { ", …" } else { "" }
            );
            let term = lists.lists.iter().find_map(|(spec, list)| {
                let text = rule.strip_prefix(spec.name.as_str())?.strip_prefix(':')?;
                list.terms
                    .iter()
                    .find(|t| t.text == text)
                    .map(|t| (list, t))
            });
            match term {
                Some((list, t)) => Problem::line(&list.file, t.line, reason),
                // A shape detector's rule: no file to point at.
                None => Problem::file("", reason),
            }
        })
        .collect()
}

fn render_all(severity: &str, problems: &[Problem], shown: &dyn Fn(&str) -> String) -> String {
    problems
        .iter()
        .map(|p| match (p.file.is_empty(), p.line) {
            (true, _) => format!("{severity}: {}\n", p.reason),
            (false, Some(line)) => format!("{}:{line}: {severity}: {}\n", shown(&p.file), p.reason),
            (false, None) => format!("{}: {severity}: {}\n", shown(&p.file), p.reason),
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
