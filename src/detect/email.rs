//! `contact.email`: email addresses, plain and obfuscated.
//!
//! Input: the text view (fullwidth `＠`/`．` folded, homoglyphs folded by
//! normalization) and the squashed view (`m i k e @ g m a i l . c o m`
//! closed up). Output: findings spanning the address in the original.
//!
//! - Plain addresses: `linkify`, run on the text view, so fullwidth forms
//!   and a following no-break space (whitespace collapsed) do not fool it.
//! - Obfuscated: the `@` written `at`, `(at)`, `[at]`, `{at}`, `-at-`,
//!   `arroba`, or spaced; the dots written `dot`, `(dot)`, `[.]`, `punto`.
//!   The domain must end in a top-level domain (the common ones when the
//!   dots are words), or be a mail provider named alone (`johnfix at
//!   gmail`); `provider: name` (`gmail: jtrinh.handyman`) is one too.

use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};
use regex::Regex;

use super::{
    Finding,
    lexicon::{Cues, WordSet, WordStarts, text_and_squashed},
};
use crate::{
    category::Category,
    normalize::{View, Views},
    ruleset::{Problem, Wordlists},
};

/// An `@` written as a word or in brackets, with spaces around it, or
/// plain (for a provider named without its TLD: `johnfix@gmail`).
const AT: &str = r"(?:\s*[\(\[\{<]\s*(?:at|@|arroba)\s*[\)\]\}>]\s*|\s+(?:at|arroba)\s+|\s*-at-\s*|_at_|\s+@\s*|\s*@\s+|@)";
/// A dot written as a word or in brackets, spaced (`gmail . com`), or plain.
const DOT: &str = r"(?:\s*[\(\[\{<]\s*(?:dot|\.|punto)\s*[\)\]\}>]\s*|\s+(?:dot|punto)\s+|\s*-dot-\s*|_dot_|\s+\.\s*|\.)";
/// One label of a local part or domain.
const LABEL: &str = r"[a-z0-9](?:[a-z0-9_+-]*[a-z0-9])?";

/// `local AT domain`, where both may use word dots.
static OBFUSCATED: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?-u:\b)(?P<local>{LABEL}(?:{DOT}{LABEL})*)(?P<at>{AT})(?P<domain>{LABEL}(?:{DOT}{LABEL})*)(?-u:\b)"
    );
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(&pattern).expect("valid obfuscated email pattern")
});

/// How far (view bytes) before `name at site dot com` an email cue
/// (`email me`, `correo`) makes it an address rather than a link.
const CUE_BEFORE: usize = 40;

/// The dot separators of a matched domain.
static DOT_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(DOT).expect("valid dot pattern")
});

/// Finds email addresses.
#[derive(Debug)]
pub struct EmailDetector {
    finder: LinkFinder,
    tlds: WordSet,
    common_tlds: WordSet,
    providers: WordSet,
    /// The providers, to tell cheaply whether a message names one.
    provider_starts: WordStarts,
    stopwords: WordSet,
    cues: Cues,
    provider_handle: Option<Regex>,
}

impl EmailDetector {
    /// Builds the detector from the `tlds`, `common_tlds`,
    /// `email_providers`, `email_cues` and `social_handle_stopwords` data
    /// lists.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> EmailDetector {
        let mut finder = LinkFinder::new();
        finder.kinds(&[LinkKind::Email]);
        let providers = WordSet::from_list(lists.data("email_providers"));
        let mut names: Vec<String> = providers.iter().map(regex::escape).collect();
        names.sort();
        let provider_handle = if names.is_empty() {
            None
        } else {
            let pattern = format!(
                r"(?-u:\b)(?:{})\s*(?::|\bis\b|\bes\b)\s*({LABEL}(?:\.{LABEL})*)(?-u:\b)",
                names.join("|")
            );
            match Regex::new(&pattern) {
                Ok(r) => Some(r),
                Err(e) => {
                    problems.push(Problem::file(
                        &lists.data("email_providers").file,
                        format!("provider pattern: {e}"),
                    ));
                    None
                }
            }
        };
        EmailDetector {
            provider_starts: WordStarts::new(providers.iter()),
            finder,
            tlds: WordSet::from_list(lists.data("tlds")),
            common_tlds: WordSet::from_list(lists.data("common_tlds")),
            providers,
            cues: Cues::compile(lists.data("email_cues"), problems),
            stopwords: WordSet::from_list(lists.data("social_handle_stopwords")),
            provider_handle,
        }
    }

    /// Appends a finding per email address.
    pub fn detect(&self, views: &Views, out: &mut Vec<Finding>) {
        let start = out.len();
        for view in text_and_squashed(views) {
            for link in self.finder.links(view.as_str()) {
                push(out, start, view, link.start()..link.end(), "email:plain");
            }
            self.obfuscated(view, out, start);
        }
        if let Some(re) = &self.provider_handle {
            let view = views.text();
            let s = view.as_str();
            // Most messages name no provider: no captures are made for them.
            for m in re.find_iter(s) {
                let Some(caps) = re.captures_at(s, m.start()) else {
                    continue;
                };
                let (Some(whole), Some(handle)) = (caps.get(0), caps.get(1)) else {
                    continue;
                };
                let name = handle.as_str();
                if name.len() >= 3 && !self.stopwords.contains(name) {
                    push(out, start, view, whole.range(), "email:provider");
                }
            }
        }
    }

    fn obfuscated(&self, view: &View, out: &mut Vec<Finding>, start: usize) {
        let s = view.as_str();
        // Every written `@` holds `@`, or `at` or `arroba` set apart from
        // the letters around it. Written as a word between spaces
        // (`meet at noon`, most messages that have one), it makes an
        // address only before a provider or a written dot (see `rule`).
        let (plain_at, other_at) = at_tokens(s);
        let may_match = s.contains('@')
            || other_at
            || plain_at && (self.provider_starts.any_in(s) || has_written_dot(s));
        if !may_match {
            return;
        }
        // The cue words matter only for `name at site dot com`: found on
        // first need.
        let mut cue_hits: Option<Vec<std::ops::Range<usize>>> = None;
        let mut cued = |at: usize| {
            cue_hits
                .get_or_insert_with(|| self.cues.find_all(s))
                .iter()
                .any(|c| c.end <= at && c.end + CUE_BEFORE >= at)
        };
        let start_of = |caps: &regex::Captures<'_>| caps.get(0).map_or(0, |m| m.start());
        let mut at = 0;
        while let Some(caps) = OBFUSCATED.captures_at(s, at) {
            let (Some(whole), Some(sep), Some(domain)) =
                (caps.get(0), caps.name("at"), caps.name("domain"))
            else {
                break;
            };
            let sep_text = sep.as_str().trim();
            let word_at = sep_text.chars().all(char::is_alphabetic);
            let spaced_at = sep_text == "@";
            let local = caps.name("local").map_or("", |m| m.as_str());
            let labels: Vec<&str> = DOT_SPLIT.split(domain.as_str()).collect();
            let word_dots = DOT_SPLIT
                .find_iter(domain.as_str())
                .any(|m| m.as_str() != ".");
            let provider = labels.first().is_some_and(|l| self.providers.contains(l));
            let tld = labels.last().filter(|_| labels.len() >= 2);
            let username = local.contains(|c: char| c.is_ascii_digit() || ".-_".contains(c));
            let rule =
                if local.len() < 2 || (word_at || spaced_at) && self.stopwords.contains(local) {
                    None
                } else if provider {
                    Some("email:obfuscated")
                } else if word_at && !(word_dots && (username || cued(start_of(&caps)))) {
                    // `verify at site.com`, `pics at site dot com`: a link in a
                    // sentence, which the url detector reports.
                    None
                } else if word_at || spaced_at || word_dots {
                    tld.filter(|t| self.common_tlds.contains(t))
                        .map(|_| "email:obfuscated")
                } else {
                    tld.filter(|t| self.tlds.contains(t))
                        .map(|_| "email:obfuscated")
                };
            match rule {
                Some(rule) => {
                    push(out, start, view, whole.range(), rule);
                    at = whole.end().max(at + 1);
                }
                None => {
                    at = next_char(s, whole.start());
                }
            }
        }
    }
}

/// Returns how `at` and `arroba` stand in `s` as tokens (no ASCII letter
/// or digit right before or after): `(plain, other)`, plain when set apart
/// by spaces alone (`name at site`), other when next to a bracket, `-` or
/// `_` (`name(at)site`, `name [ at ] site`, `name-at-site`).
fn at_tokens(s: &str) -> (bool, bool) {
    let bytes = s.as_bytes();
    // Spaces, and any non-ASCII byte (a Unicode space ends in one).
    let space = |b: &u8| b.is_ascii_whitespace() || *b == 0x0b || !b.is_ascii();
    let alnum = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    let (mut plain, mut other) = (false, false);
    // Only an `a` that starts a token is looked at closer.
    for (at, _) in bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'a' && !alnum(i.checked_sub(1)))
    {
        let token = [&b"at"[..], b"arroba"]
            .into_iter()
            .find(|t| bytes.get(at..at + t.len()) == Some(t) && !alnum(Some(at + t.len())));
        if let Some(token) = token {
            let end = at + token.len();
            let before = bytes.get(..at).unwrap_or_default();
            let after = bytes.get(end..).unwrap_or_default();
            let glued = [before.last(), after.first()]
                .iter()
                .any(|b| b.is_some_and(|b| matches!(b, b'-' | b'_')));
            let bracketed = before
                .iter()
                .rev()
                .find(|b| !space(b))
                .is_some_and(|b| b"([{<".contains(b))
                || after
                    .iter()
                    .find(|b| !space(b))
                    .is_some_and(|b| b")]}>".contains(b));
            if glued || bracketed {
                other = true;
            } else {
                plain = true;
            }
        }
    }
    (plain, other)
}

/// Returns true when `s` may hold a dot written other than plainly: every
/// [`DOT`] but `\.` holds `dot`, `punto`, or a `.` right after a space or
/// an opening bracket (a Unicode space ends in a byte over 0x7f).
fn has_written_dot(s: &str) -> bool {
    let bytes = s.as_bytes();
    s.contains("dot")
        || s.contains("punto")
        || bytes.windows(2).any(|w| {
            w.get(1) == Some(&b'.')
                && w.first().is_some_and(|&p| {
                    p.is_ascii_whitespace() || p == 0x0b || !p.is_ascii() || b"([{<".contains(&p)
                })
        })
}

/// Returns the byte index of the char after the one at `i`.
fn next_char(s: &str, i: usize) -> usize {
    s.get(i..)
        .and_then(|r| r.chars().next())
        .map_or(s.len(), |c| i + c.len_utf8())
}

/// Pushes a finding unless one of this detector's findings covers it.
fn push(
    out: &mut Vec<Finding>,
    start: usize,
    view: &View,
    range: std::ops::Range<usize>,
    rule: &str,
) {
    let span = view.to_original(range);
    if span.is_empty() {
        return;
    }
    let mine = out.get(start..).unwrap_or(&[]);
    if mine.iter().any(|f| f.span.contains(span)) {
        return;
    }
    out.retain(|f| !(f.category == Category::ContactEmail && span.contains(f.span)));
    out.push(Finding::new(Category::ContactEmail, rule, span));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::render;

    #[test]
    fn compiles_static_patterns() {
        LazyLock::force(&OBFUSCATED);
        LazyLock::force(&DOT_SPLIT);
    }

    #[test]
    fn tells_how_at_stands() {
        assert_eq!(at_tokens("meet at noon"), (true, false));
        assert_eq!(at_tokens("that cat"), (false, false));
        for s in [
            "a(at)b",
            "a [ at ] b",
            "a-at-b",
            "a_at_b",
            "a <arroba> b",
            "a at) b",
        ] {
            assert!(at_tokens(s).1, "{s}");
        }
        assert!(has_written_dot("a dot com"));
        assert!(has_written_dot("a (.) com"));
        assert!(has_written_dot("a .com"));
        assert!(has_written_dot("a punto com"));
        assert!(!has_written_dot("a.com. ok"));
    }

    #[test]
    fn finds_plain_and_obfuscated_addresses() {
        for (input, want) in [
            (
                "mail jane.doe@example.org please",
                "mail [contact.email:jane.doe@example.org] please",
            ),
            (
                "kevin＠fastmail．com ok",
                "[contact.email:kevin＠fastmail．com] ok",
            ),
            (
                "email me at mike at gmail dot com, thanks",
                "email me at [contact.email:mike at gmail dot com], thanks",
            ),
            (
                "john(at)gmail(dot)com",
                "[contact.email:john(at)gmail(dot)com]",
            ),
            (
                "john [at] gmail [.] com",
                "[contact.email:john [at] gmail [.] com]",
            ),
            ("john{at}gmail", "[contact.email:john{at}gmail]"),
            ("johnfix at gmail", "[contact.email:johnfix at gmail]"),
            (
                "tom-dot-hale-at-gmail-dot-com",
                "[contact.email:tom-dot-hale-at-gmail-dot-com]",
            ),
            (
                "jose.hdz arroba gmail punto com",
                "[contact.email:jose.hdz arroba gmail punto com]",
            ),
            (
                "gmail: jtrinh.handyman — ok",
                "[contact.email:gmail: jtrinh.handyman] — ok",
            ),
            ("anna.w\n@icloud.com", "[contact.email:anna.w\n@icloud.com]"),
            (
                "mail johnfix@gmail now",
                "mail [contact.email:johnfix@gmail] now",
            ),
            (
                "john . doe @ yahoo . com",
                "[contact.email:john . doe @ yahoo . com]",
            ),
            (
                "email dan at dansdecks dot com",
                "email [contact.email:dan at dansdecks dot com]",
            ),
        ] {
            assert_eq!(render(input, Category::ContactEmail), want, "{input}");
        }
    }

    #[test]
    fn leaves_prose_alone() {
        for input in [
            "I'll be there @ 3pm",
            "see you at home, dot the i's",
            "looked at it.it was fine",
            "my gmail is down today",
            "arrive at noon.",
            "pics at handyhal dot net",
        ] {
            assert_eq!(render(input, Category::ContactEmail), input, "{input}");
        }
    }
}
