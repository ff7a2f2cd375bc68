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

/// Words looked for at the start of the words of a view (where
/// `(?-u:\b)` holds), to tell cheaply whether a pattern that starts with
/// one of them could match: most messages name no network or provider.
#[derive(Debug, Default)]
pub(crate) struct WordStarts {
    /// One bit per first two bytes of a word that starts with two word
    /// bytes, so most words of a message are passed over after one lookup.
    pairs: Vec<u64>,
    /// Those words by their first byte.
    by_first: Vec<Vec<Prefix>>,
    /// Words whose first two bytes are not both word bytes: looked for
    /// the slow way.
    other: Vec<String>,
}

impl WordStarts {
    /// Collects the words.
    pub(crate) fn new<'a>(words: impl Iterator<Item = &'a str>) -> WordStarts {
        let mut starts = WordStarts {
            pairs: vec![0; 1 << 10],
            by_first: vec![Vec::new(); 256],
            other: Vec::new(),
        };
        for word in words {
            match *word.as_bytes() {
                [] => {}
                [b0, b1, ..] if is_word_byte(b0) && is_word_byte(b1) => {
                    let pair = pair(b0, b1);
                    if let Some(bits) = starts.pairs.get_mut(pair / 64) {
                        *bits |= 1 << (pair % 64);
                    }
                    if let Some(words) = starts.by_first.get_mut(usize::from(b0)) {
                        words.push(Prefix::new(word.as_bytes()));
                    }
                }
                _ => starts.other.push(word.to_string()),
            }
        }
        starts
    }

    /// Returns true when a word of `s` starts with one of the words.
    pub(crate) fn any_in(&self, s: &str) -> bool {
        let bytes = s.as_bytes();
        let mut prev_is_word = false;
        // A plain index loop: iterator adapters here cost several times
        // more per byte, and this runs over every message.
        for i in 0..bytes.len().saturating_sub(1) {
            let (Some(&b0), Some(&b1)) = (bytes.get(i), bytes.get(i + 1)) else {
                break;
            };
            let is_word = is_word_byte(b0);
            if is_word && !prev_is_word {
                let p = pair(b0, b1);
                let hit = self
                    .pairs
                    .get(p / 64)
                    .is_some_and(|bits| bits & (1 << (p % 64)) != 0);
                if hit && self.starts_with_one(bytes.get(i..).unwrap_or_default()) {
                    return true;
                }
            }
            prev_is_word = is_word;
        }
        !self.other.is_empty() && self.other.iter().any(|w| has_word_start(s, w))
    }

    /// Returns true when `rest` starts with one of the words.
    fn starts_with_one(&self, rest: &[u8]) -> bool {
        let words = rest
            .first()
            .and_then(|&b| self.by_first.get(usize::from(b)));
        let head = Prefix::head(rest);
        words.is_some_and(|ws| ws.iter().any(|w| w.starts(rest, head)))
    }
}

/// A word, with its first eight bytes as a number: comparing those takes
/// one instruction instead of a call to `memcmp`.
#[derive(Clone, Debug)]
struct Prefix {
    head: u64,
    mask: u64,
    word: Box<[u8]>,
}

impl Prefix {
    /// Prepares `word`.
    fn new(word: &[u8]) -> Prefix {
        let len = word.len().min(8);
        Prefix {
            head: Prefix::head(word),
            mask: u64::MAX >> (8 * (8 - len)),
            word: word.into(),
        }
    }

    /// Returns the first eight bytes of `s` as a number, zeros past its end.
    fn head(s: &[u8]) -> u64 {
        if let Some(&first) = s.first_chunk::<8>() {
            return u64::from_le_bytes(first);
        }
        let mut head = [0u8; 8];
        let len = s.len().min(8);
        if let (Some(to), Some(from)) = (head.get_mut(..len), s.get(..len)) {
            to.copy_from_slice(from);
        }
        u64::from_le_bytes(head)
    }

    /// Returns true when `rest`, whose [`Prefix::head`] is `head`, starts
    /// with the word.
    fn starts(&self, rest: &[u8], head: u64) -> bool {
        head & self.mask == self.head && (self.word.len() <= 8 || rest.starts_with(&self.word))
    }
}

/// Returns the index of the first two bytes of a word in the bit table.
fn pair(b0: u8, b1: u8) -> usize {
    usize::from(b0) << 8 | usize::from(b1)
}

/// Returns true when `word` occurs in `s` where `(?-u:\b)` could hold
/// before it (any occurrence, for a word not starting with a word byte).
fn has_word_start(s: &str, word: &str) -> bool {
    let first_is_word = word.bytes().next().is_some_and(is_word_byte);
    s.match_indices(word).any(|(i, _)| {
        !first_is_word
            || !i
                .checked_sub(1)
                .and_then(|j| s.as_bytes().get(j))
                .is_some_and(|&b| is_word_byte(b))
    })
}

/// Returns true for a byte `(?-u:\b)` counts as a word character.
fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[usize::from(b)]
}

/// The bytes `(?-u:\b)` counts as word characters: ASCII letters, digits
/// and `_`.
static WORD_BYTES: [bool; 256] = byte_table!(|b| b.is_ascii_alphanumeric() || b == b'_');

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
    fn finds_ascii_digits() {
        assert!(has_ascii_digit("call 5"));
        assert!(!has_ascii_digit("call five"));
    }

    #[test]
    fn finds_words_at_word_starts() {
        let starts = WordStarts::new(["ig", "whats", "snap", "x", "#tag", "t.me"].into_iter());
        for s in [
            "ig: x",
            "my ig",
            "whatsapp me",
            "(snapchat",
            "x\u{a0}ig",
            "a x",
            "a#tag",
            "t.me/a",
        ] {
            assert!(starts.any_in(s), "{s}");
        }
        let starts = WordStarts::new(["ig", "whats", "snap"].into_iter());
        for s in ["right", "big", "_ig", "snip", "what", "i", ""] {
            assert!(!starts.any_in(s), "{s}");
        }
    }
}
