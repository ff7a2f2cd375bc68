//! Phrase lists: every term of every `[[lists]]` entry of the manifest,
//! matched on word boundaries in the text view.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::Finding;
use crate::{
    category::Category,
    message::{Language, Message},
    normalize::{self, Views},
    ruleset::{Problem, Wordlists},
};

/// Finds wordlist terms.
#[derive(Debug)]
pub struct PhraseDetector {
    automaton: Option<AhoCorasick>,
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    category: Category,
    language: Option<Language>,
    rule_id: String,
}

impl PhraseDetector {
    /// Compiles every phrase list into one automaton over normalized terms.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> PhraseDetector {
        let mut patterns = Vec::new();
        let mut rules = Vec::new();
        for (spec, list) in &lists.lists {
            let Some(category) = spec.category() else {
                continue;
            };
            for term in &list.terms {
                let normalized = normalize::normalize(&term.text).text().as_str().to_string();
                if normalized.is_empty() {
                    problems.push(Problem::line(
                        &list.file,
                        term.line,
                        "term normalizes to nothing",
                    ));
                    continue;
                }
                patterns.push(normalized);
                rules.push(Rule {
                    category,
                    language: spec.language(),
                    rule_id: format!("{}:{}", spec.name, term.text),
                });
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            match AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
            {
                Ok(a) => Some(a),
                Err(e) => {
                    problems.push(Problem::file(
                        "policy.toml",
                        format!("phrase automaton: {e}"),
                    ));
                    None
                }
            }
        };
        PhraseDetector { automaton, rules }
    }

    /// Appends a finding per whole-word term match in the text view.
    pub fn detect(&self, views: &Views, message: &Message<'_>, out: &mut Vec<Finding>) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        let view = views.text();
        let bytes = view.as_str().as_bytes();
        for m in automaton.find_iter(view.as_str()) {
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
            let after = bytes.get(m.end());
            if before.is_some_and(|b| b.is_ascii_alphanumeric())
                || after.is_some_and(|b| b.is_ascii_alphanumeric())
            {
                continue;
            }
            let Some(rule) = self.rules.get(m.pattern().as_usize()) else {
                continue;
            };
            if let (Some(want), Some(lang)) = (message.language, rule.language)
                && want != lang
            {
                continue;
            }
            let span = view.to_original(m.range());
            out.push(Finding::new(rule.category, rule.rule_id.clone(), span));
        }
    }
}
