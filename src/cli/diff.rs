//! `msgscreen diff`: screens a labeled corpus with two rulesets and shows
//! every message whose verdict or categories change, with the rule ids
//! behind the change — the review a wordlist change gets before it merges.

use std::{collections::BTreeSet, path::PathBuf};

use anyhow::Context;
use msgscreen::{Screener, corpus};
use serde::Serialize;

use super::Status;

/// Arguments of `msgscreen diff`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  # what a branch's wordlist change does to the dev corpus
  git worktree add /tmp/base main
  msgscreen diff --from /tmp/base/wordlists --to ./wordlists --corpus tests/cases/dev.jsonl

  msgscreen diff --to ./wordlists --corpus dev.jsonl --json --fail-on-regression

Each change is marked `fixed` (now as labeled), `broken` (was as labeled, no
longer) or `changed` (wrong before and after). --fail-on-regression exits 1
when any message is broken.")]
pub struct Args {
    /// The ruleset before the change; the embedded one when absent.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// The ruleset after the change; the embedded one when absent.
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// The labeled corpus (JSON Lines, the format of policy.md).
    #[arg(long, value_name = "FILE")]
    pub corpus: PathBuf,
    /// Print one JSON object instead of the review.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when a message that was screened as labeled no longer is.
    #[arg(long)]
    pub fail_on_regression: bool,
}

/// What one ruleset made of a message.
#[derive(Debug, Serialize)]
pub struct Side {
    /// The verdict.
    pub verdict: String,
    /// The categories found, sorted.
    pub categories: Vec<String>,
    /// The rule ids that fired, sorted, unique.
    pub rules: Vec<String>,
}

/// One message whose outcome changed.
#[derive(Debug, Serialize)]
pub struct Change {
    /// The case id.
    pub id: String,
    /// `fixed`, `broken` or `changed`.
    pub status: &'static str,
    /// The label, as `verdict [categories]`.
    pub expected: String,
    /// Under `--from`.
    pub from: Side,
    /// Under `--to`.
    pub to: Side,
    /// Rules that fire only under `--to`.
    pub rules_added: Vec<String>,
    /// Rules that fire only under `--from`.
    pub rules_removed: Vec<String>,
    /// The message.
    pub text: String,
}

/// The whole comparison.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// The version of `--from`.
    pub from_version: String,
    /// The version of `--to`.
    pub to_version: String,
    /// Cases screened.
    pub cases: usize,
    /// Verdict accuracy under `--from`.
    pub from_verdict_accuracy: f64,
    /// Verdict accuracy under `--to`.
    pub to_verdict_accuracy: f64,
    /// Changes that now match the label.
    pub fixed: usize,
    /// Changes that no longer match the label.
    pub broken: usize,
    /// Every message whose verdict or categories changed.
    pub changes: Vec<Change>,
}

/// Runs `msgscreen diff`.
pub fn run(args: Args) -> anyhow::Result<Status> {
    let from = super::load_ruleset(args.from.as_deref()).context("--from")?;
    let to = super::load_ruleset(args.to.as_deref()).context("--to")?;
    let cases = super::read_corpus(&args.corpus)?;
    let diff = compare(&Screener::new(from), &Screener::new(to), &cases);
    if args.json {
        let json = serde_json::to_string_pretty(&diff).context("cannot encode the diff")?;
        super::out(&(json + "\n"))?;
    } else {
        super::out(&review(&diff))?;
    }
    Ok(if args.fail_on_regression && diff.broken > 0 {
        eprintln!(
            "gate failed: {} message(s) broken by the change",
            diff.broken
        );
        Status::GateFailed
    } else {
        Status::Ok
    })
}

/// Screens every case with both screeners and collects the changes.
pub fn compare(from: &Screener, to: &Screener, cases: &[corpus::LabeledCase]) -> Diff {
    let mut changes = Vec::new();
    let (mut from_correct, mut to_correct) = (0, 0);
    for case in cases {
        let (a, sa) = corpus::screen_case(from, case);
        let (b, sb) = corpus::screen_case(to, case);
        from_correct += usize::from(a.expected_verdict == a.got_verdict);
        to_correct += usize::from(b.expected_verdict == b.got_verdict);
        if a.got_verdict == b.got_verdict && a.got == b.got {
            continue;
        }
        let side = |o: &corpus::Outcome, s: &msgscreen::Screening| Side {
            verdict: o.got_verdict.to_string(),
            categories: o.got.iter().map(ToString::to_string).collect(),
            rules: s
                .findings
                .iter()
                .map(|j| j.finding.rule_id.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        let (from_side, to_side) = (side(&a, &sa), side(&b, &sb));
        let before: BTreeSet<&String> = from_side.rules.iter().collect();
        let after: BTreeSet<&String> = to_side.rules.iter().collect();
        let matches =
            |o: &corpus::Outcome| o.expected_verdict == o.got_verdict && o.expected == o.got;
        let status = match (matches(&a), matches(&b)) {
            (false, true) => "fixed",
            (true, false) => "broken",
            _ => "changed",
        };
        let expected: Vec<&str> = case.categories.iter().map(|c| c.as_str()).collect();
        changes.push(Change {
            id: case.case.id.clone(),
            status,
            expected: format!("{} [{}]", case.verdict, expected.join(", ")),
            rules_added: after.difference(&before).map(|s| s.to_string()).collect(),
            rules_removed: before.difference(&after).map(|s| s.to_string()).collect(),
            from: from_side,
            to: to_side,
            text: case.case.text.clone(),
        });
    }
    let ratio = |n: usize| {
        if cases.is_empty() {
            1.0
        } else {
            n as f64 / cases.len() as f64
        }
    };
    Diff {
        from_version: from.ruleset().version().to_string(),
        to_version: to.ruleset().version().to_string(),
        cases: cases.len(),
        from_verdict_accuracy: ratio(from_correct),
        to_verdict_accuracy: ratio(to_correct),
        fixed: changes.iter().filter(|c| c.status == "fixed").count(),
        broken: changes.iter().filter(|c| c.status == "broken").count(),
        changes,
    }
}

fn review(diff: &Diff) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "ruleset {} -> {}: {} of {} messages change ({} fixed, {} broken); verdict accuracy {:.3} -> {:.3}\n",
        diff.from_version,
        diff.to_version,
        diff.changes.len(),
        diff.cases,
        diff.fixed,
        diff.broken,
        diff.from_verdict_accuracy,
        diff.to_verdict_accuracy
    );
    for c in &diff.changes {
        let _ = write!(
            out,
            "\n{} {}  expected {}\n  from {} [{}]\n  to   {} [{}]\n",
            c.status,
            c.id,
            c.expected,
            c.from.verdict,
            c.from.categories.join(", "),
            c.to.verdict,
            c.to.categories.join(", "),
        );
        for rule in &c.rules_added {
            let _ = writeln!(out, "  + {rule}");
        }
        for rule in &c.rules_removed {
            let _ = writeln!(out, "  - {rule}");
        }
        let _ = writeln!(out, "  text {:?}", c.text);
    }
    out
}
