//! Wordlist files: one term per line, `#` comments, blank lines ignored.
//!
//! Parsing never fails; the checks ([`Wordlist::check_terms`],
//! [`Wordlist::check_duplicates`]) report problems with file and line. What a
//! term's syntax means is the phrase detector's business: it reports bad
//! pattern syntax when it compiles.

use std::{borrow::Cow, collections::HashMap};

use super::error::Problem;
use crate::normalize;

/// One term of a wordlist, with the line it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The term as written, trimmed.
    pub text: String,
    /// Its 1-based line in the file.
    pub line: usize,
}

/// A parsed wordlist file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wordlist {
    /// The file, relative to the ruleset root.
    pub file: String,
    /// Its terms in file order.
    pub terms: Vec<Term>,
}

impl Wordlist {
    /// Parses a wordlist: a `#` starts a comment (to the end of the line)
    /// unless escaped as `\#`; blank lines are ignored.
    pub fn parse(file: &str, content: &str) -> Wordlist {
        let terms = content
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let text = strip_comment(line);
                let text = text.trim();
                (!text.is_empty()).then(|| Term {
                    text: text.to_string(),
                    line: i + 1,
                })
            })
            .collect();
        Wordlist {
            file: file.to_string(),
            terms,
        }
    }

    /// Returns the terms' texts.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|t| t.text.as_str())
    }

    /// Returns the number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Returns true when the list has no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Checks the terms of a phrase list: a term that normalizes to
    /// nothing, one shorter than `min_len` characters once normalized, and
    /// a term written as an earlier one (ignoring case and spacing).
    ///
    /// Terms that differ as written but normalize alike (`estúpido`,
    /// `estupido`) are harmless spellings, left to the lint's warnings.
    pub fn check_terms(&self, min_len: usize, problems: &mut Vec<Problem>) {
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(self.terms.len());
        for term in &self.terms {
            let normalized = term.normalized();
            if normalized.is_empty() {
                problems.push(Problem::line(
                    &self.file,
                    term.line,
                    "term normalizes to nothing",
                ));
                continue;
            }
            let len = normalized.chars().count();
            if len < min_len {
                problems.push(Problem::line(
                    &self.file,
                    term.line,
                    format!(
                        "term {:?} is {len} character{} long, shorter than min_term_length {min_len}",
                        term.text,
                        if len == 1 { "" } else { "s" }
                    ),
                ));
            }
            let key = term.key();
            if let Some(first) = seen.get(&key) {
                problems.push(Problem::line(
                    &self.file,
                    term.line,
                    format!("duplicate term {:?} (same as line {first})", term.text),
                ));
            } else {
                seen.insert(key, term.line);
            }
        }
    }

    /// Checks a data list (domains, numbers, seller ids): an entry repeated
    /// ignoring case.
    pub fn check_duplicates(&self, problems: &mut Vec<Problem>) {
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(self.terms.len());
        for term in &self.terms {
            let key = term.text.to_lowercase();
            if let Some(first) = seen.get(&key) {
                problems.push(Problem::line(
                    &self.file,
                    term.line,
                    format!("duplicate entry {:?} (same as line {first})", term.text),
                ));
            } else {
                seen.insert(key, term.line);
            }
        }
    }
}

impl Term {
    /// Returns the term as written, case-folded, with runs of whitespace
    /// as one space: two terms with one key are the same line twice.
    pub fn key(&self) -> String {
        // Most terms are written as their key already: lowercase ASCII
        // words with one space between them.
        let text = self.text.as_bytes();
        let plain = text.iter().enumerate().all(|(i, &b)| match b {
            b' ' => i > 0 && i + 1 < text.len() && text.get(i + 1) != Some(&b' '),
            _ => b.is_ascii() && !b.is_ascii_uppercase() && !b.is_ascii_whitespace(),
        });
        if plain {
            return self.text.clone();
        }
        self.text
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Returns the term's text as the matcher sees it: the text view of
    /// normalization (case-folded, NFKC, whitespace collapsed).
    pub fn normalized(&self) -> String {
        normalize::normalize(&self.text).text().as_str().to_string()
    }
}

/// Returns `line` up to its first unescaped `#`, with `\#` unescaped
/// (borrowed when the line has no `#` at all, as nearly all do).
fn strip_comment(line: &str) -> Cow<'_, str> {
    if !line.contains('#') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('#');
                chars.next();
            }
            '#' => break,
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blank_lines_and_keeps_line_numbers() {
        let list = Wordlist::parse("x.txt", "# header\n\nvenmo  # app\n  zelle\nc\\#sharp\n");
        let got: Vec<_> = list
            .terms
            .iter()
            .map(|t| (t.text.as_str(), t.line))
            .collect();
        assert_eq!(got, [("venmo", 3), ("zelle", 4), ("c#sharp", 5)]);
    }

    fn reasons(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(Problem::to_string).collect()
    }

    #[test]
    fn check_terms_reports_duplicates_empty_and_short_terms() {
        let list = Wordlist::parse(
            "en/apps.txt",
            "venmo\nzelle\n  VENMO \n\u{200B}\nx\ncash  app\ncash app\n",
        );
        let mut problems = Vec::new();
        list.check_terms(2, &mut problems);
        assert_eq!(
            reasons(&problems),
            [
                "en/apps.txt:3: duplicate term \"VENMO\" (same as line 1)",
                "en/apps.txt:4: term normalizes to nothing",
                "en/apps.txt:5: term \"x\" is 1 character long, shorter than min_term_length 2",
                "en/apps.txt:7: duplicate term \"cash app\" (same as line 6)",
            ]
        );
    }

    #[test]
    fn spellings_that_normalize_alike_are_not_duplicates() {
        let list = Wordlist::parse("es/insultos.txt", "estúpido\nestupido\n");
        let mut problems = Vec::new();
        list.check_terms(2, &mut problems);
        assert_eq!(reasons(&problems), Vec::<String>::new());
    }

    #[test]
    fn keys_fold_case_and_spacing() {
        let key = |text: &str| {
            Term {
                text: text.to_string(),
                line: 1,
            }
            .key()
        };
        for (text, expected) in [
            ("cash app", "cash app"),
            ("Cash App", "cash app"),
            ("cash  app", "cash app"),
            ("cash\tapp", "cash app"),
            (" cash app ", "cash app"),
            ("ÉXITO total", "éxito total"),
            ("a", "a"),
        ] {
            assert_eq!(key(text), expected, "{text:?}");
        }
    }

    #[test]
    fn check_duplicates_ignores_case() {
        let list = Wordlist::parse("allow/domains.txt", "a.co\nAmazon.com\namazon.com\n");
        let mut problems = Vec::new();
        list.check_duplicates(&mut problems);
        assert_eq!(
            reasons(&problems),
            ["allow/domains.txt:3: duplicate entry \"amazon.com\" (same as line 2)"]
        );
    }
}
