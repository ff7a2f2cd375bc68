//! Lint: what a reviewer wants to know about a ruleset beyond whether it
//! loads — terms that can never fire or add nothing, and terms that sit
//! inside many common English words.
//!
//! Input: the parsed [`Wordlists`] and, optionally, a [`Dictionary`].
//! Output: [`Warning`]s with file, line and reason. Loading problems are
//! the loader's (`Ruleset::build`); terms that fire on clean messages of a
//! corpus need the screen, so `msgscreen lint` finds those with `corpus`.

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::AhoCorasick;

use super::{Problem, Wordlists};
use crate::{category::Category, message::Language};

/// One warning: a problem that does not stop the ruleset from loading.
pub type Warning = Problem;

/// The default dictionary of Debian's `wamerican` package and its kin.
pub const SYSTEM_DICTIONARY: &str = "/usr/share/dict/words";

/// A list of common words, lowercase, letters only.
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    words: Vec<String>,
}

impl Dictionary {
    /// Builds a dictionary from a word list, one word a line; keeps the
    /// lowercase, all-letter words (no possessives, no proper nouns twice).
    pub fn parse(text: &str) -> Dictionary {
        let words: BTreeSet<String> = text
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
            .map(str::to_lowercase)
            .collect();
        Dictionary {
            words: words.into_iter().collect(),
        }
    }

    /// Returns the number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Returns true when the dictionary holds no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Returns, for each term, the words that contain it but are not the
    /// term itself or the term plus a common ending (`-s`, `-ed`, `-ing`,
    /// …), in dictionary order. One pass over the dictionary for all terms.
    pub fn words_containing<'d>(&'d self, terms: &[&str]) -> Vec<Vec<&'d str>> {
        const ENDINGS: &[&str] = &["s", "es", "ed", "d", "ing", "er", "ers"];
        let mut out: Vec<Vec<&str>> = vec![Vec::new(); terms.len()];
        // Overlapping search finds every term inside a word, not only the
        // leftmost; standard semantics cannot fail to build for this use.
        let Ok(automaton) = AhoCorasick::new(terms) else {
            return out;
        };
        let mut hits = BTreeSet::new();
        for word in &self.words {
            hits.clear();
            hits.extend(
                automaton
                    .find_overlapping_iter(word.as_str())
                    .map(|m| m.pattern().as_usize()),
            );
            for &i in &hits {
                let (Some(term), Some(words)) = (terms.get(i), out.get_mut(i)) else {
                    continue;
                };
                let inflected = word
                    .strip_prefix(term)
                    .is_some_and(|rest| rest.is_empty() || ENDINGS.contains(&rest));
                if !inflected {
                    words.push(word);
                }
            }
        }
        out
    }
}

/// What to lint for.
#[derive(Clone, Copy, Debug)]
pub struct LintOptions<'a> {
    /// Common words to check single-word terms against; `None` skips it.
    pub dictionary: Option<&'a Dictionary>,
    /// Warn when a term sits inside at least this many dictionary words.
    pub common_words: usize,
}

/// Where a phrase term is and what it reports.
#[derive(Clone, Debug)]
struct Located<'a> {
    file: &'a str,
    line: usize,
    list: &'a str,
    category: Category,
    language: Option<Language>,
    text: &'a str,
    /// The term as written, case-folded ([`super::Term::key`]).
    key: String,
}

impl Located<'_> {
    fn at(&self) -> String {
        format!("{}:{} ({})", self.file, self.line, self.list)
    }

    /// Returns true when both terms can fire on the same message: their
    /// lists do not name two different languages.
    fn overlaps(&self, other: &Located<'_>) -> bool {
        match (self.language, other.language) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// Returns every warning about the phrase lists, ordered by file and line:
/// a term listed twice (in the same category: one is enough; in two
/// categories: the same words report both), a term made redundant by a
/// shorter term of the same category inside it on word boundaries, and a
/// single-word term inside many common words.
pub fn lint(lists: &Wordlists, options: LintOptions<'_>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    // Normalized text -> every term with it, in manifest order.
    let mut by_text: BTreeMap<String, Vec<Located<'_>>> = BTreeMap::new();
    let mut terms: Vec<(String, Located<'_>)> = Vec::new();
    for (spec, list) in &lists.lists {
        // Only lists that report a category; others feed the detectors.
        let Some(category) = spec.category() else {
            continue;
        };
        for term in &list.terms {
            let key = term.normalized();
            if key.is_empty() {
                continue;
            }
            let here = Located {
                file: &list.file,
                line: term.line,
                list: &spec.name,
                category,
                language: spec.language(),
                text: &term.text,
                key: term.key(),
            };
            let same = by_text.entry(key.clone()).or_default();
            // A line written twice in one list is the loader's error.
            let earlier = same.iter().find(|e| {
                e.overlaps(&here)
                    && !(e.file == here.file && e.list == here.list && e.key == here.key)
            });
            if let Some(earlier) = earlier {
                let reason = if earlier.file == here.file && earlier.list == here.list {
                    format!(
                        "term {:?} matches exactly what {:?} (line {}) matches once normalized: one of them is enough",
                        here.text, earlier.text, earlier.line
                    )
                } else if earlier.category == category {
                    format!(
                        "term {:?} duplicates {:?} at {}, also {category}: one of them is enough",
                        here.text,
                        earlier.text,
                        earlier.at()
                    )
                } else {
                    format!(
                        "term {:?} is also {:?} at {} in {}: the same words report both {category} and {}",
                        here.text,
                        earlier.text,
                        earlier.at(),
                        earlier.category,
                        earlier.category
                    )
                };
                warnings.push(Problem::line(here.file, here.line, reason));
            }
            same.push(here.clone());
            terms.push((key, here));
        }
    }
    // Redundancy is decided on plain phrases only: what a pattern matches
    // is the phrase detector's to say.
    for (key, here) in terms.iter().filter(|(_, t)| is_plain(t.text)) {
        if let Some((inner, by)) = contained_term(key, &by_text, here) {
            warnings.push(Problem::line(
                here.file,
                here.line,
                format!(
                    "term {:?} is redundant: {:?} at {} already finds {} in every message it matches (contains {inner:?})",
                    here.text,
                    by.text,
                    by.at(),
                    here.category
                ),
            ));
        }
    }
    if let Some(dictionary) = options.dictionary {
        let single: Vec<&(String, Located<'_>)> = terms
            .iter()
            .filter(|(key, _)| key.chars().all(char::is_alphabetic))
            .collect();
        let keys: Vec<&str> = single.iter().map(|(key, _)| key.as_str()).collect();
        for ((_, here), words) in single.iter().zip(dictionary.words_containing(&keys)) {
            if words.len() >= options.common_words.max(1) {
                let examples: Vec<&str> = words.iter().take(5).copied().collect();
                warnings.push(Problem::line(
                    here.file,
                    here.line,
                    format!(
                        "term {:?} occurs inside {} common words ({}{}): safe as a whole word, risky wherever words run together",
                        here.text,
                        words.len(),
                        examples.join(", "),
                        if words.len() > examples.len() { ", …" } else { "" }
                    ),
                ));
            }
        }
    }
    warnings.sort_by(|a, b| (&a.file, a.line, &a.reason).cmp(&(&b.file, b.line, &b.reason)));
    warnings.dedup();
    warnings
}

/// Returns true for a term that is a plain phrase: no characters the
/// phrase detector's pattern syntax gives a meaning (groups, alternatives,
/// classes, gaps, wildcards, escapes).
fn is_plain(term: &str) -> bool {
    !term.contains(['(', ')', '|', '{', '}', '<', '>', '\\', '…', '*', '!'])
        && !term.contains("...")
}

/// Returns a shorter term of the same category, able to fire on the same
/// messages, that `key` contains on word boundaries (the way the phrase
/// detector matches), if any.
fn contained_term<'m, 'a>(
    key: &str,
    terms: &'m BTreeMap<String, Vec<Located<'a>>>,
    here: &Located<'_>,
) -> Option<(&'m str, &'m Located<'a>)> {
    let bytes = key.as_bytes();
    let is_word = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    // A match can only start and end where the detector sees a word
    // boundary: not between two word characters.
    let boundary = |i: usize| key.is_char_boundary(i) && !(i > 0 && is_word(i - 1) && is_word(i));
    let starts: Vec<usize> = (0..bytes.len()).filter(|&i| boundary(i)).collect();
    let ends: Vec<usize> = (1..=bytes.len()).filter(|&i| boundary(i)).collect();
    for &start in &starts {
        for &end in ends.iter().filter(|&&e| e > start) {
            if start == 0 && end == bytes.len() {
                continue;
            }
            let Some(inner) = key.get(start..end) else {
                continue;
            };
            if let Some((k, found)) = terms.get_key_value(inner)
                && let Some(by) = found.iter().find(|by| {
                    by.category == here.category && by.overlaps(here) && is_plain(by.text)
                })
            {
                return Some((k.as_str(), by));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::{ListSpec, RulesetFiles, Wordlist};

    fn lists(entries: &[(&str, &str, &str)]) -> Wordlists {
        let (mut wordlists, _) = Wordlists::read(&RulesetFiles::embedded()).unwrap();
        wordlists.lists = entries
            .iter()
            .map(|(name, category, content)| {
                (
                    ListSpec {
                        name: name.to_string(),
                        file: format!("en/{name}.txt"),
                        category: category.to_string(),
                        language: None,
                        ..ListSpec::default()
                    },
                    Wordlist::parse(&format!("en/{name}.txt"), content),
                )
            })
            .collect();
        wordlists
    }

    fn reasons(warnings: &[Warning]) -> Vec<String> {
        warnings.iter().map(Problem::to_string).collect()
    }

    #[test]
    fn finds_shadowed_and_redundant_terms() {
        let lists = lists(&[
            (
                "apps",
                "payment.off_platform",
                "venmo\npay me on venmo\ncash app\n",
            ),
            ("promo", "marketing", "Venmo\npromo code\n"),
            ("invite", "contact.invite", "add me on whatsapp\n"),
            ("social", "contact.social", "whatsapp\n"),
        ]);
        let options = LintOptions {
            dictionary: None,
            common_words: 5,
        };
        assert_eq!(
            reasons(&lint(&lists, options)),
            [
                "en/apps.txt:2: term \"pay me on venmo\" is redundant: \"venmo\" at en/apps.txt:1 (apps) already finds payment.off_platform in every message it matches (contains \"venmo\")",
                "en/promo.txt:1: term \"Venmo\" is also \"venmo\" at en/apps.txt:1 (apps) in payment.off_platform: the same words report both marketing and payment.off_platform",
            ]
        );
    }

    #[test]
    fn a_term_in_two_lists_of_one_language_is_listed_twice() {
        let mut lists = lists(&[
            ("apps", "payment.off_platform", "venmo\nzelle\n"),
            ("more_apps", "payment.off_platform", "Zelle\n"),
            ("apps_es", "payment.off_platform", "venmo\n"),
        ]);
        lists.lists[0].0.language = Some("en".to_string());
        lists.lists[2].0.language = Some("es".to_string());
        let options = LintOptions {
            dictionary: None,
            common_words: 5,
        };
        assert_eq!(
            reasons(&lint(&lists, options)),
            [
                "en/more_apps.txt:1: term \"Zelle\" duplicates \"zelle\" at en/apps.txt:2 (apps), also payment.off_platform: one of them is enough"
            ]
        );
    }

    #[test]
    fn spellings_and_patterns() {
        let lists = lists(&[(
            "insults",
            "conduct.offensive",
            "estúpido\nestupido\nidiota\n(eres|es) (un|una) idiota\nson of an idiota\n",
        )]);
        let options = LintOptions {
            dictionary: None,
            common_words: 5,
        };
        assert_eq!(
            reasons(&lint(&lists, options)),
            [
                "en/insults.txt:2: term \"estupido\" matches exactly what \"estúpido\" (line 1) matches once normalized: one of them is enough",
                "en/insults.txt:5: term \"son of an idiota\" is redundant: \"idiota\" at en/insults.txt:3 (insults) already finds conduct.offensive in every message it matches (contains \"idiota\")",
            ]
        );
    }

    #[test]
    fn redundancy_respects_word_boundaries() {
        let lists = lists(&[(
            "apps",
            "payment.off_platform",
            "cash\ncashapp\ne-transfer\ntransfer\n",
        )]);
        let options = LintOptions {
            dictionary: None,
            common_words: 5,
        };
        assert_eq!(
            reasons(&lint(&lists, options)),
            [
                "en/apps.txt:3: term \"e-transfer\" is redundant: \"transfer\" at en/apps.txt:4 (apps) already finds payment.off_platform in every message it matches (contains \"transfer\")"
            ]
        );
    }

    #[test]
    fn finds_terms_inside_common_words() {
        let lists = lists(&[("apps", "payment.off_platform", "zelle\ncash\nvenmo\n")]);
        let dictionary = Dictionary::parse(
            "gazelle\ngazelles\ncash\ncashes\ncashier\ncashew\ncashmere\nJohn's\n",
        );
        let options = LintOptions {
            dictionary: Some(&dictionary),
            common_words: 2,
        };
        assert_eq!(dictionary.len(), 7);
        assert_eq!(
            reasons(&lint(&lists, options)),
            [
                "en/apps.txt:1: term \"zelle\" occurs inside 2 common words (gazelle, gazelles): safe as a whole word, risky wherever words run together",
                "en/apps.txt:2: term \"cash\" occurs inside 3 common words (cashew, cashier, cashmere): safe as a whole word, risky wherever words run together",
            ]
        );
    }
}
