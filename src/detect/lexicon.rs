//! Shared helpers of the shape detectors: word sets and cue-word searches
//! built from the manifest's `[data]` lists, and the map from an original
//! span to a view range.
//!
//! Input: data lists and view strings. Output: sets, cue positions and
//! ranges. Every term is normalized with the text view's rules when the
//! ruleset is compiled, so a term matches the view it is searched in.

use std::{collections::HashSet, ops::Range};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::{
    normalize::{self, View, Views},
    ruleset::{Problem, Wordlist},
    span::Span,
};

/// Normalizes a data-list term the way the text view reads it.
pub(crate) fn normalize_term(term: &str) -> String {
    normalize::normalize(term).text().as_str().to_string()
}

/// A set of normalized terms, for exact lookups (TLDs, stop words).
#[derive(Debug, Default)]
pub(crate) struct WordSet {
    words: HashSet<String>,
}

impl WordSet {
    /// Builds the set from a data list.
    pub(crate) fn from_list(list: &Wordlist) -> WordSet {
        WordSet {
            words: list.texts().map(normalize_term).collect(),
        }
    }

    /// Returns true when `word` is in the set.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// Returns the terms, for building patterns.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(String::as_str)
    }
}

/// Cue words found on word boundaries of a view string.
#[derive(Debug, Default)]
pub(crate) struct Cues {
    automaton: Option<AhoCorasick>,
}

impl Cues {
    /// Compiles the terms of a data list into one automaton.
    pub(crate) fn compile(list: &Wordlist, problems: &mut Vec<Problem>) -> Cues {
        let terms: Vec<String> = list
            .texts()
            .map(normalize_term)
            .filter(|t| !t.is_empty())
            .collect();
        if terms.is_empty() {
            return Cues::default();
        }
        match AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&terms)
        {
            Ok(automaton) => Cues {
                automaton: Some(automaton),
            },
            Err(e) => {
                problems.push(Problem::file(&list.file, format!("cue automaton: {e}")));
                Cues::default()
            }
        }
    }

    /// Returns the byte ranges of every whole-word cue in `hay`.
    pub(crate) fn find_all(&self, hay: &str) -> Vec<Range<usize>> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        automaton
            .find_iter(hay)
            .filter(|m| is_whole_word(hay, m.range()))
            .map(|m| m.range())
            .collect()
    }
}

/// Returns true when `range` of `hay` does not cut a word: an alphanumeric
/// edge of the match has no alphanumeric neighbour.
pub(crate) fn is_whole_word(hay: &str, range: Range<usize>) -> bool {
    let inner = hay.get(range.clone()).unwrap_or("");
    let first_alnum = inner.chars().next().is_some_and(char::is_alphanumeric);
    let last_alnum = inner.chars().next_back().is_some_and(char::is_alphanumeric);
    let before = hay.get(..range.start).and_then(|s| s.chars().next_back());
    let after = hay.get(range.end..).and_then(|s| s.chars().next());
    !(first_alnum && before.is_some_and(char::is_alphanumeric)
        || last_alnum && after.is_some_and(char::is_alphanumeric))
}

/// Returns the text view, and the squashed view when it is stored apart:
/// when nothing was squashed its getter hands back the text view, whose
/// second search could only find what the first one did.
pub(crate) fn text_and_squashed(views: &Views) -> impl Iterator<Item = &View> {
    let text = views.text();
    let squashed = views.squashed();
    std::iter::once(text).chain((!std::ptr::eq(text, squashed)).then_some(squashed))
}

/// Returns true when `s` holds an ASCII digit.
pub(crate) fn has_ascii_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// Returns true when `s` holds one of `words` with no ASCII letter or
/// digit right before or after it: a cheap test that a pattern needing the
/// word as a separate token (`\s+at\s+`, `(at)`, `-at-`) could match.
pub(crate) fn has_token(s: &str, words: &[&str]) -> bool {
    s.as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .any(|token| words.iter().any(|w| token == w.as_bytes()))
}

/// Returns the range of `view` whose bytes come from `span` of the original.
///
/// Views map forward monotonically, so two binary searches find the first
/// view byte ending after `span.start` and the first starting at or after
/// `span.end`.
pub(crate) fn view_range(view: &View, span: Span) -> Range<usize> {
    let len = view.len();
    let start = partition(len, |i| {
        view.origin(i).is_some_and(|o| o.end() <= span.start())
    });
    let end = partition(len, |i| {
        view.origin(i).is_some_and(|o| o.start() < span.end())
    });
    start..end.max(start)
}

/// Returns the first index in `0..len` where `pred` turns false.
fn partition(len: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Returns true when some cue range lies within `window` of the view.
pub(crate) fn any_within(cues: &[Range<usize>], window: Range<usize>) -> bool {
    cues.iter()
        .any(|c| c.start >= window.start && c.end <= window.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_original_spans_to_view_ranges_and_finds_whole_words() {
        let original = "Call  ME at 5";
        let views = normalize::normalize(original);
        let view = views.text();
        assert_eq!(view.as_str(), "call me at 5");
        assert_eq!(view_range(view, Span::new(6, 8)), 5..7);
        let list = Wordlist::parse("x.txt", "call\nme\nat\n");
        let cues = Cues::compile(&list, &mut Vec::new());
        assert_eq!(cues.find_all("recall me at"), vec![7..9, 10..12]);
        assert!(is_whole_word("#1", 0..1));
    }

    #[test]
    fn finds_tokens_apart_from_letters() {
        let at = ["at", "arroba"];
        assert!(has_token("mike at gmail", &at));
        assert!(has_token("mike(at)gmail", &at));
        assert!(has_token("at", &at));
        assert!(has_token("tom-at-gmail", &at));
        assert!(has_token("jose arroba gmail", &at));
        assert!(!has_token("that cat ate", &at));
        assert!(!has_token("", &at));
        assert!(has_ascii_digit("call 5"));
        assert!(!has_ascii_digit("call five"));
    }
}
