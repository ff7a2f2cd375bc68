//! Labeled corpora (the JSON Lines format of policy.md) and their scoring,
//! shared by `msgscreen eval`, `msgscreen diff` and the test suite.
//!
//! Input: corpus text, and a [`Screener`]. Output: [`Case`]s, and a
//! [`Report`] with verdict accuracy, per-category message-level counts,
//! leaked `must_redact` strings and the clean-message checks.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Instant,
};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{
    category::{Category, Sender, Verdict},
    message::Message,
    screen::{Screener, Screening},
};

/// One labeled message.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique within the file.
    pub id: String,
    /// `seller` or `buyer`.
    pub sender: String,
    /// The message as sent.
    pub text: String,
    /// The expected verdict under the default policy.
    pub verdict: String,
    /// The categories that must be found.
    pub categories: Vec<String>,
    /// Substrings that must not survive redaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_redact: Vec<String>,
    /// The seller holds a written exemption.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exempt: bool,
    /// Why the label is what it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A case whose fields were checked against policy.md's names.
#[derive(Clone, Debug)]
pub struct LabeledCase {
    /// The case as written.
    pub case: Case,
    /// The sender.
    pub sender: Sender,
    /// The expected verdict.
    pub verdict: Verdict,
    /// The expected categories.
    pub categories: BTreeSet<Category>,
}

/// Returned when a corpus line breaks the format.
#[derive(Debug, Error)]
#[error("line {line}: {reason}")]
pub struct ParseCorpusError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Parses a corpus: one JSON object per non-blank line.
///
/// # Errors
///
/// The first line that is not valid JSON, lacks a field, repeats an id, or
/// names an unknown sender, verdict or category.
pub fn parse(text: &str) -> Result<Vec<LabeledCase>, ParseCorpusError> {
    let mut ids = BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |reason: String| ParseCorpusError {
            line: line_no,
            reason,
        };
        let case: Case = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
        if !ids.insert(case.id.clone()) {
            return Err(err(format!("duplicate id {:?}", case.id)));
        }
        let sender = case.sender.parse().map_err(|e| err(format!("{e}")))?;
        let verdict = case.verdict.parse().map_err(|e| err(format!("{e}")))?;
        let categories = case
            .categories
            .iter()
            .map(|c| c.parse::<Category>())
            .collect::<Result<_, _>>()
            .map_err(|e| err(format!("{e}")))?;
        for s in &case.must_redact {
            if !case.text.contains(s.as_str()) {
                return Err(err(format!("must_redact {s:?} is not in the text")));
            }
        }
        out.push(LabeledCase {
            case,
            sender,
            verdict,
            categories,
        });
    }
    Ok(out)
}

impl LabeledCase {
    /// Returns the message to screen for this case.
    pub fn message(&self) -> Message<'_> {
        Message {
            id: &self.case.id,
            text: &self.case.text,
            sender: self.sender,
            seller_id: "",
            language: None,
            exempt: Some(self.case.exempt),
        }
    }
}

/// What screening one case gave, next to what was expected.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The case id.
    pub id: String,
    /// The expected verdict.
    pub expected_verdict: Verdict,
    /// The verdict the screen gave.
    pub got_verdict: Verdict,
    /// The expected categories.
    pub expected: BTreeSet<Category>,
    /// The categories the screen found.
    pub got: BTreeSet<Category>,
    /// `must_redact` strings that survived.
    pub leaked: Vec<String>,
    /// The rule ids that fired.
    pub rules: Vec<String>,
}

impl Outcome {
    /// Returns true when verdict, categories and redaction all match.
    pub fn passed(&self) -> bool {
        self.expected_verdict == self.got_verdict
            && self.expected == self.got
            && self.leaked.is_empty()
    }
}

/// Screens one case.
pub fn screen_case(screener: &Screener, case: &LabeledCase) -> (Outcome, Screening) {
    let screening = screener.screen(&case.message());
    let got: BTreeSet<Category> = screening.categories().into_iter().collect();
    let delivered = match screening.verdict {
        Verdict::Block => None,
        Verdict::Redact => screening.redacted_text.as_deref(),
        Verdict::Allow => Some(case.case.text.as_str()),
    };
    let leaked = match delivered {
        Some(text) => case
            .case
            .must_redact
            .iter()
            .filter(|s| text.contains(s.as_str()))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let outcome = Outcome {
        id: case.case.id.clone(),
        expected_verdict: case.verdict,
        got_verdict: screening.verdict,
        expected: case.categories.clone(),
        got,
        leaked,
        rules: screening
            .findings
            .iter()
            .map(|j| j.finding.rule_id.clone())
            .collect(),
    };
    (outcome, screening)
}

/// Message-level counts for one category.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct CategoryScore {
    /// Messages labeled with the category and found with it.
    pub tp: usize,
    /// Messages found with the category but not labeled with it.
    pub fp: usize,
    /// Messages labeled with the category but not found with it.
    pub r#fn: usize,
    /// tp / (tp + fp), 1 when nothing was found.
    pub precision: f64,
    /// tp / (tp + fn), 1 when nothing was labeled.
    pub recall: f64,
}

/// `must_redact` strings: how many, and how many survived.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct RedactScore {
    /// Strings that had to be redacted.
    pub total: usize,
    /// Strings that survived in the delivered text.
    pub leaked: usize,
}

/// Clean messages (no category): how many got findings, how many blocked.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct CleanScore {
    /// Clean messages.
    pub total: usize,
    /// Clean messages with at least one finding.
    pub with_findings: usize,
    /// Clean messages blocked.
    pub blocked: usize,
}

/// One case that did not pass.
#[derive(Clone, Debug, Serialize)]
pub struct Miss {
    /// The case id.
    pub id: String,
    /// Expected verdict and categories, as `verdict [cat, …]`.
    pub expected: String,
    /// What the screen gave, same form, plus leaked strings.
    pub got: String,
    /// The rule ids that fired.
    pub rules: Vec<String>,
}

/// The scores of a whole corpus.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Cases screened.
    pub cases: usize,
    /// Share of cases with the expected verdict.
    pub verdict_accuracy: f64,
    /// Expected verdict → got verdict → count.
    pub verdicts: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per category, message-level.
    pub categories: BTreeMap<String, CategoryScore>,
    /// Leaked `must_redact` strings.
    pub must_redact: RedactScore,
    /// Clean messages.
    pub clean: CleanScore,
    /// The ruleset that screened the corpus.
    pub ruleset_version: String,
    /// Screening throughput over the corpus, single-threaded.
    pub messages_per_second: f64,
    /// Every case that did not pass.
    pub misses: Vec<Miss>,
}

/// Screens every case and scores the corpus.
pub fn evaluate(screener: &Screener, cases: &[LabeledCase]) -> Report {
    let started = Instant::now();
    let outcomes: Vec<Outcome> = cases.iter().map(|c| screen_case(screener, c).0).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let mut verdicts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut categories: BTreeMap<Category, CategoryScore> = Category::ALL
        .iter()
        .map(|c| (*c, CategoryScore::default()))
        .collect();
    let mut must_redact = RedactScore::default();
    let mut clean = CleanScore::default();
    let mut correct = 0;
    let mut misses = Vec::new();
    for (case, outcome) in cases.iter().zip(&outcomes) {
        *verdicts
            .entry(outcome.expected_verdict.to_string())
            .or_default()
            .entry(outcome.got_verdict.to_string())
            .or_default() += 1;
        if outcome.expected_verdict == outcome.got_verdict {
            correct += 1;
        }
        for (category, score) in categories.iter_mut() {
            match (
                outcome.expected.contains(category),
                outcome.got.contains(category),
            ) {
                (true, true) => score.tp += 1,
                (false, true) => score.fp += 1,
                (true, false) => score.r#fn += 1,
                (false, false) => {}
            }
        }
        must_redact.total += case.case.must_redact.len();
        must_redact.leaked += outcome.leaked.len();
        if case.categories.is_empty() {
            clean.total += 1;
            clean.with_findings += usize::from(!outcome.got.is_empty());
            clean.blocked += usize::from(outcome.got_verdict == Verdict::Block);
        }
        if !outcome.passed() {
            misses.push(Miss {
                id: outcome.id.clone(),
                expected: describe(outcome.expected_verdict, &outcome.expected, &[]),
                got: describe(outcome.got_verdict, &outcome.got, &outcome.leaked),
                rules: outcome.rules.clone(),
            });
        }
    }
    for score in categories.values_mut() {
        score.precision = ratio(score.tp, score.tp + score.fp);
        score.recall = ratio(score.tp, score.tp + score.r#fn);
    }
    Report {
        cases: cases.len(),
        verdict_accuracy: ratio(correct, cases.len()),
        verdicts,
        categories: categories
            .into_iter()
            .map(|(c, s)| (c.to_string(), s))
            .collect(),
        must_redact,
        clean,
        ruleset_version: screener.ruleset().version().to_string(),
        messages_per_second: if elapsed > 0.0 {
            cases.len() as f64 / elapsed
        } else {
            0.0
        },
        misses,
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn describe(verdict: Verdict, categories: &BTreeSet<Category>, leaked: &[String]) -> String {
    let cats: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    let mut out = format!("{verdict} [{}]", cats.join(", "));
    if !leaked.is_empty() {
        out.push_str(&format!(" leaked {leaked:?}"));
    }
    out
}

/// Returns, per rule id, the ids of the clean cases (no expected category)
/// it fired on: the false positives a wordlist review wants to see.
pub fn clean_firings(screener: &Screener, cases: &[LabeledCase]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.categories.is_empty()) {
        let screening = screener.screen(&case.message());
        let rules: BTreeSet<&str> = screening
            .findings
            .iter()
            .map(|j| j.finding.rule_id.as_str())
            .collect();
        for rule in rules {
            out.entry(rule.to_string())
                .or_default()
                .push(case.case.id.clone());
        }
    }
    out
}
