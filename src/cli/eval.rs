//! `msgscreen eval`: scores a ruleset against a labeled corpus, prints a
//! table or one JSON object, and optionally acts as a gate (exit 1).

use std::{fmt, path::PathBuf, str::FromStr};

use anyhow::Context;
use msgscreen::{Category, Screener, Verdict, corpus};

use super::Status;

/// Arguments of `msgscreen eval`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  msgscreen eval --corpus tests/cases/dev.jsonl
  msgscreen eval --corpus dev.jsonl --wordlists ./wordlists --json > report.json
  msgscreen eval --corpus dev.jsonl --min-verdict-accuracy 0.9 \\
      --min-recall 0.8 --min-recall contact.phone=0.95 --max-clean-blocked 0

Gates: each --min-*/--max-* option that fails prints one line on stderr and
the exit code is 1. A bare --min-recall/--min-precision X applies to every
category with at least --min-support labeled messages; CATEGORY=X applies to
that category whatever its support.")]
pub struct Args {
    /// The labeled corpus (JSON Lines, the format of policy.md).
    #[arg(long, value_name = "FILE")]
    pub corpus: PathBuf,
    /// Load the ruleset from this directory instead of the embedded one.
    #[arg(long, value_name = "DIR")]
    pub wordlists: Option<PathBuf>,
    /// Print exactly one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How many misses the table lists (all of them with --json).
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub show_misses: usize,
    /// Gate: the share of cases with the expected verdict must be at least X.
    #[arg(long, value_name = "X", value_parser = parse_ratio)]
    pub min_verdict_accuracy: Option<f64>,
    /// Gate: message-level recall of each category, `X` or `CATEGORY=X`.
    #[arg(long, value_name = "[CATEGORY=]X")]
    pub min_recall: Vec<CategoryGate>,
    /// Gate: message-level precision of each category, `X` or `CATEGORY=X`.
    #[arg(long, value_name = "[CATEGORY=]X")]
    pub min_precision: Vec<CategoryGate>,
    /// Labeled messages a category needs before a bare X gate applies to it.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_support: usize,
    /// Gate: the share of must_redact strings that survive must be at most X.
    #[arg(long, value_name = "X", value_parser = parse_ratio)]
    pub max_leaked_ratio: Option<f64>,
    /// Gate: at most N clean messages may be blocked.
    #[arg(long, value_name = "N")]
    pub max_clean_blocked: Option<usize>,
    /// Gate: at most N clean messages may get any finding.
    #[arg(long, value_name = "N")]
    pub max_clean_with_findings: Option<usize>,
}

/// A recall or precision threshold, for one category or all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryGate {
    /// The category, or `None` for every category with enough support.
    pub category: Option<Category>,
    /// The minimum, in `[0, 1]`.
    pub min: f64,
}

impl FromStr for CategoryGate {
    type Err = String;

    fn from_str(s: &str) -> Result<CategoryGate, String> {
        match s.split_once('=') {
            Some((category, min)) => Ok(CategoryGate {
                category: Some(category.trim().parse().map_err(|e| format!("{e}"))?),
                min: parse_ratio(min)?,
            }),
            None => Ok(CategoryGate {
                category: None,
                min: parse_ratio(s)?,
            }),
        }
    }
}

/// Parses a number in `[0, 1]`.
pub fn parse_ratio(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

/// Runs `msgscreen eval`.
pub fn run(args: Args) -> anyhow::Result<Status> {
    let ruleset = super::load_ruleset(args.wordlists.as_deref())?;
    let cases = super::read_corpus(&args.corpus)?;
    let report = corpus::evaluate(&Screener::new(ruleset.clone()), &cases);
    if args.json {
        let json = serde_json::to_string_pretty(&report).context("cannot encode the report")?;
        super::out(&(json + "\n"))?;
    } else {
        super::out(
            &Table {
                report: &report,
                corpus: &args.corpus,
                source: &ruleset.source().to_string(),
                show_misses: args.show_misses,
            }
            .to_string(),
        )?;
    }
    let failures = gate(&args, &report);
    for failure in &failures {
        eprintln!("gate failed: {failure}");
    }
    Ok(if failures.is_empty() {
        Status::Ok
    } else {
        Status::GateFailed
    })
}

/// Returns one line per gate the report fails.
pub fn gate(args: &Args, report: &corpus::Report) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(min) = args.min_verdict_accuracy
        && report.verdict_accuracy < min
    {
        failures.push(format!(
            "verdict accuracy {:.3} < {min}",
            report.verdict_accuracy
        ));
    }
    let mut category_gate =
        |gates: &[CategoryGate], what: &str, get: fn(&corpus::CategoryScore) -> f64| {
            for (name, score) in &report.categories {
                let labeled = score.tp + score.r#fn;
                // A CATEGORY=X gate wins over a bare X gate for its category.
                let specific = gates
                    .iter()
                    .rfind(|g| g.category.is_some_and(|c| c.as_str() == name));
                let min = match specific {
                    Some(g) => g.min,
                    None => match gates.iter().rfind(|g| g.category.is_none()) {
                        Some(g) if labeled >= args.min_support => g.min,
                        _ => continue,
                    },
                };
                let value = get(score);
                if value < min {
                    failures.push(format!(
                        "{name} {what} {value:.3} < {min} ({} labeled, tp {} fp {} fn {})",
                        labeled, score.tp, score.fp, score.r#fn
                    ));
                }
            }
        };
    category_gate(&args.min_recall, "recall", |s| s.recall);
    category_gate(&args.min_precision, "precision", |s| s.precision);
    if let Some(max) = args.max_leaked_ratio {
        let ratio = if report.must_redact.total == 0 {
            0.0
        } else {
            report.must_redact.leaked as f64 / report.must_redact.total as f64
        };
        if ratio > max {
            failures.push(format!(
                "leaked must_redact ratio {ratio:.3} > {max} ({} of {})",
                report.must_redact.leaked, report.must_redact.total
            ));
        }
    }
    if let Some(max) = args.max_clean_blocked
        && report.clean.blocked > max
    {
        failures.push(format!(
            "clean messages blocked {} > {max}",
            report.clean.blocked
        ));
    }
    if let Some(max) = args.max_clean_with_findings
        && report.clean.with_findings > max
    {
        failures.push(format!(
            "clean messages with findings {} > {max}",
            report.clean.with_findings
        ));
    }
    failures
}

/// The readable report.
struct Table<'a> {
    report: &'a corpus::Report,
    corpus: &'a PathBuf,
    source: &'a str,
    show_misses: usize,
}

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.report;
        let correct: usize = r
            .verdicts
            .iter()
            .filter_map(|(expected, row)| row.get(expected))
            .sum();
        writeln!(
            f,
            "corpus   {} ({} cases)\nruleset  {} ({})",
            self.corpus.display(),
            r.cases,
            r.ruleset_version,
            self.source
        )?;
        writeln!(
            f,
            "verdict accuracy {:.3} ({correct}/{})   {:.0} messages/s\n",
            r.verdict_accuracy, r.cases, r.messages_per_second
        )?;
        let verdicts = [Verdict::Allow, Verdict::Redact, Verdict::Block];
        write!(f, "{:<18}", "expected \\ got")?;
        for v in verdicts {
            write!(f, "{:>8}", v.as_str())?;
        }
        writeln!(f)?;
        for expected in verdicts {
            write!(f, "{:<18}", expected.as_str())?;
            for got in verdicts {
                let n = r
                    .verdicts
                    .get(expected.as_str())
                    .and_then(|row| row.get(got.as_str()))
                    .copied()
                    .unwrap_or(0);
                write!(f, "{n:>8}")?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "\n{:<26}{:>8}{:>6}{:>6}{:>6}{:>11}{:>8}",
            "category", "labeled", "tp", "fp", "fn", "precision", "recall"
        )?;
        for (name, s) in &r.categories {
            writeln!(
                f,
                "{name:<26}{:>8}{:>6}{:>6}{:>6}{:>11.3}{:>8.3}",
                s.tp + s.r#fn,
                s.tp,
                s.fp,
                s.r#fn,
                s.precision,
                s.recall
            )?;
        }
        writeln!(
            f,
            "\nmust_redact  {} strings, {} leaked",
            r.must_redact.total, r.must_redact.leaked
        )?;
        writeln!(
            f,
            "clean        {} messages, {} with findings, {} blocked",
            r.clean.total, r.clean.with_findings, r.clean.blocked
        )?;
        writeln!(f, "\nmisses ({})", r.misses.len())?;
        for miss in r.misses.iter().take(self.show_misses) {
            writeln!(
                f,
                "  {:<8} expected {:<40} got {}{}",
                miss.id,
                miss.expected,
                miss.got,
                if miss.rules.is_empty() {
                    String::new()
                } else {
                    format!("  rules: {}", miss.rules.join(", "))
                }
            )?;
        }
        if r.misses.len() > self.show_misses {
            writeln!(
                f,
                "  … {} more (--show-misses N, or --json for all)",
                r.misses.len() - self.show_misses
            )?;
        }
        Ok(())
    }
}
