//! The pattern syntax of wordlist terms, compiled to `regex` sources.
//!
//! A term is a *plain phrase* (matched literally by the Aho-Corasick
//! automaton) unless it uses one of these:
//!
//! | syntax | matches |
//! |---|---|
//! | `word` | the word, whole; `-` inside a word also matches a space or nothing (`5-star` = `5 star` = `5star`), `'` is optional and may be `’` |
//! | `word*` | a word starting with `word`: `cancel*` = cancel, cancels, cancelled, cancelling |
//! | `a b` | `a`, then `b` after spaces or punctuation other than `.` `!` `?` |
//! | `(a b\|c\|)` | one of the alternatives; an empty one makes the group optional |
//! | `...` or `…` | a gap of up to 6 words within the sentence; `...3` up to 3 words |
//! | `{name}` | any term of the list called `name` (usually a `kind = "class"` list) |
//! | `<money>` | an amount: `$2,400`, `2400 dollars`, `$2.4k`, `dos mil dólares` |
//! | `<cashtag>` | `$` then a letter and 1 to 19 letters, digits or `_` (`$MikeFixes`, never `$50`) |
//! | `<percent>` | a percentage: `20%`, `15 percent`, `10 por ciento` |
//! | `<n:A-B>` | a whole number from A to B |
//! | `<word>` | any one word |
//! | `<code>` | a word of letters then digits, like a promo code (`fall20`, `save15`) |
//! | `\c` | the character `c` literally (`\(`, `\{`, `\.`) |
//!
//! Items written with no space between them are glued: `{relations}('s|)`
//! matches `cousin's` and `cousin`, with no separator in between.
//!
//! Patterns compile to byte regexes over the lowercased text view with
//! ASCII word boundaries `(?-u:\b)` only (never Unicode `\b`, which would
//! keep the lazy DFA from running on non-ASCII text); the phrase detector
//! checks Unicode word boundaries at the ends of every match itself.

use crate::{detect::money, normalize};

/// Separator bytes between two words: spaces and punctuation that does not end a sentence.
///
/// ASCII only, so that every pattern stays a small automaton: the text
/// view folds typographic dashes and quotes to ASCII, and a stray
/// non-ASCII mark between two words makes it a word of its own.
const SEP: &str = r"(?-u:[\x00-\x20,;:()\[\]/\-~^|<>=+\\])+";

/// One word in a gap: anything up to a separator or the end of a sentence.
const WORD: &str = r"(?-u:[^\x00-\x20,;:()\[\]/\-~^|<>=+\\.!?])+";

/// How many words `...` may skip when no count is given.
const DEFAULT_GAP: usize = 6;

/// The largest `<n:A-B>` range.
const MAX_RANGE: u64 = 1000;

/// Returns true when `term` uses pattern syntax rather than being a plain phrase.
pub fn is_pattern(term: &str) -> bool {
    term.contains(['(', ')', '|', '{', '<', '\\', '…'])
        || term.contains("...")
        || term
            .split_whitespace()
            .any(|w| w.len() > 1 && w.ends_with('*'))
}

/// Resolves `{name}` to the regex source of the named list.
pub trait Classes {
    /// Returns the regex source matching any term of list `name`.
    ///
    /// # Errors
    ///
    /// The list is unknown, or compiling it failed (a reason, lowercase).
    fn class(&mut self, name: &str) -> Result<String, String>;
}

/// Compiles a term (plain or pattern) to a regex source.
///
/// # Errors
///
/// A reason, lowercase, when the syntax is wrong or a class is unknown.
pub fn compile(term: &str, classes: &mut dyn Classes) -> Result<String, String> {
    let tokens = lex(term)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        classes,
    };
    let seq = parser.sequence()?;
    if parser.pos < parser.tokens.len() {
        return Err("unbalanced ')'".to_string());
    }
    if seq.iter().all(|i| matches!(i, Item::Gap(_))) {
        return Err("pattern matches nothing".to_string());
    }
    Ok(emit(&seq))
}

/// Compiles a plain phrase to a regex source (for use inside a class).
pub fn plain(term: &str) -> String {
    let words: Vec<String> = term.split_whitespace().map(word).collect();
    words.join(SEP)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String, bool),
    Gap(usize),
    Open,
    Close,
    Bar,
    Class(String),
    Builtin(String),
}

/// Splits a term into tokens, each marked glued when no space separates
/// it from the token before (`{relations}('s|)` needs no separator).
fn lex(term: &str) -> Result<Vec<(Token, bool)>, String> {
    let mut tokens: Vec<(Token, bool)> = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    let mut spaced = true;
    let mut word_spaced = true;
    let flush = |word: &mut String, tokens: &mut Vec<(Token, bool)>, spaced: bool| {
        if !word.is_empty() {
            let prefix = word.len() > 1 && word.ends_with('*');
            if prefix {
                word.pop();
            }
            tokens.push((Token::Word(std::mem::take(word), prefix), !spaced));
        }
    };
    while let Some(&c) = chars.get(i) {
        if word.is_empty() && !c.is_whitespace() && !matches!(c, '(' | ')' | '|' | '{' | '<' | '…')
        {
            word_spaced = spaced;
        }
        let before = spaced;
        spaced = c.is_whitespace() || matches!(c, '(' | '|');
        match c {
            '\\' => {
                let next = chars
                    .get(i + 1)
                    .ok_or_else(|| "'\\' at the end of the term".to_string())?;
                word.push(*next);
                i += 2;
                continue;
            }
            c if c.is_whitespace() => flush(&mut word, &mut tokens, word_spaced),
            '(' | ')' | '|' => {
                flush(&mut word, &mut tokens, word_spaced);
                let token = match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Bar,
                };
                tokens.push((token, !before));
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                flush(&mut word, &mut tokens, word_spaced);
                i += 3;
                let (n, used) = count(&chars[i..]);
                i += used;
                tokens.push((Token::Gap(n), false));
                spaced = true;
                continue;
            }
            '…' => {
                flush(&mut word, &mut tokens, word_spaced);
                i += 1;
                let (n, used) = count(&chars[i..]);
                i += used;
                tokens.push((Token::Gap(n), false));
                spaced = true;
                continue;
            }
            '{' | '<' => {
                flush(&mut word, &mut tokens, word_spaced);
                let close = if c == '{' { '}' } else { '>' };
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == close)
                    .ok_or_else(|| format!("'{c}' without '{close}'"))?;
                let name: String = chars[i + 1..i + 1 + end].iter().collect();
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err(format!("empty '{c}{close}'"));
                }
                let token = if c == '{' {
                    Token::Class(name)
                } else {
                    Token::Builtin(name)
                };
                tokens.push((token, !before));
                i += end + 2;
                continue;
            }
            _ => word.push(c),
        }
        i += 1;
    }
    flush(&mut word, &mut tokens, word_spaced);
    Ok(tokens)
}

/// Reads the optional word count after `...`.
fn count(chars: &[char]) -> (usize, usize) {
    let digits: String = chars.iter().take_while(|c| c.is_ascii_digit()).collect();
    match digits.parse::<usize>() {
        Ok(n) => (n.min(30), digits.len()),
        Err(_) => (DEFAULT_GAP, 0),
    }
}

#[derive(Debug)]
enum Item {
    /// A regex source; `optional` when it may match nothing, `glued` when
    /// no separator comes before it.
    Elem {
        re: String,
        optional: bool,
        glued: bool,
    },
    /// Up to this many words.
    Gap(usize),
}

struct Parser<'a> {
    tokens: Vec<(Token, bool)>,
    pos: usize,
    classes: &'a mut dyn Classes,
}

impl Parser<'_> {
    fn sequence(&mut self) -> Result<Vec<Item>, String> {
        let mut items = Vec::new();
        while let Some((token, glued)) = self.tokens.get(self.pos).cloned() {
            match token {
                Token::Close | Token::Bar => break,
                Token::Open => {
                    self.pos += 1;
                    let mut alts = Vec::new();
                    let mut optional = false;
                    loop {
                        let seq = self.sequence()?;
                        if seq.iter().all(|i| matches!(i, Item::Gap(_))) {
                            optional = true;
                        } else {
                            alts.push(emit(&seq));
                        }
                        match self.tokens.get(self.pos).map(|t| &t.0) {
                            Some(Token::Bar) => self.pos += 1,
                            Some(Token::Close) => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err("'(' without ')'".to_string()),
                        }
                    }
                    if alts.is_empty() {
                        return Err("empty group".to_string());
                    }
                    items.push(Item::Elem {
                        re: format!("(?:{})", alts.join("|")),
                        optional,
                        glued,
                    });
                    continue;
                }
                Token::Word(w, prefix) => {
                    let mut re = word(&w);
                    if prefix {
                        re = re.trim_end_matches(r"(?-u:\b)").to_string();
                        re.push_str(r"(?-u:[a-z0-9\x80-\xff'])*");
                    }
                    items.push(Item::Elem {
                        re,
                        optional: false,
                        glued,
                    });
                }
                Token::Gap(n) => items.push(Item::Gap(n)),
                Token::Class(name) => {
                    let re = self.classes.class(&name)?;
                    items.push(Item::Elem {
                        re: format!("(?:{re})"),
                        optional: false,
                        glued,
                    });
                }
                Token::Builtin(name) => items.push(Item::Elem {
                    re: builtin(&name)?,
                    optional: false,
                    glued,
                }),
            }
            self.pos += 1;
        }
        Ok(items)
    }
}

/// Joins items with separators; gaps widen the separator, optional items carry theirs.
fn emit(items: &[Item]) -> String {
    let mut out = String::new();
    let mut required_before = false;
    let mut gap: Option<usize> = None;
    for item in items {
        match item {
            Item::Gap(n) => gap = Some(gap.map_or(*n, |g| g + n)),
            Item::Elem {
                re,
                optional,
                glued,
            } => {
                let join = match gap.take() {
                    Some(n) => format!("{SEP}(?:{WORD}{SEP}){{0,{n}}}"),
                    None if *glued => String::new(),
                    None => SEP.to_string(),
                };
                match (required_before, optional) {
                    (true, false) => out.push_str(&format!("{join}{re}")),
                    (true, true) => out.push_str(&format!("(?:{join}{re})?")),
                    (false, false) => {
                        out.push_str(re);
                        required_before = true;
                    }
                    (false, true) => out.push_str(&format!("(?:{re}{join})?")),
                }
            }
        }
    }
    out
}

/// Compiles one literal word: normalized like the text view, escaped.
fn word(w: &str) -> String {
    let normalized = normalize::normalize(w).text().as_str().to_string();
    let text = if normalized.is_empty() {
        w.to_lowercase()
    } else {
        normalized
    };
    let mut out = String::new();
    let first_ascii = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let last_ascii = text
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if first_ascii {
        out.push_str(r"(?-u:\b)");
    }
    for c in text.chars() {
        match c {
            '\'' | '’' => out.push_str("(?:'|’)?"),
            '-' => out.push_str(&format!("(?:{SEP})?")),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    if last_ascii {
        out.push_str(r"(?-u:\b)");
    }
    out
}

fn builtin(name: &str) -> Result<String, String> {
    match name {
        "money" => Ok(format!("(?:{})", money::PATTERN.as_str())),
        "percent" => Ok(
            r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]+)? ?(?:%|percent(?-u:\b)|per cent(?-u:\b)|por ciento(?-u:\b))"
                .to_string(),
        ),
        "cashtag" => Ok(r"\$[a-z][a-z0-9_]{1,19}(?-u:\b)".to_string()),
        "word" => Ok(WORD.to_string()),
        "code" => Ok(r"(?-u:\b)[a-z]*[a-z][0-9]+[a-z0-9]*(?-u:\b)".to_string()),
        _ => {
            let range = name
                .strip_prefix("n:")
                .ok_or_else(|| format!("unknown token <{name}>"))?;
            let (a, b) = range
                .split_once('-')
                .ok_or_else(|| format!("<{name}>: expected <n:A-B>"))?;
            let parse = |s: &str| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("<{name}>: {s:?} is not a whole number"))
            };
            let (a, b) = (parse(a)?, parse(b)?);
            if a > b || b - a > MAX_RANGE {
                return Err(format!(
                    "<{name}>: range must be ascending and at most {MAX_RANGE} wide"
                ));
            }
            let alts: Vec<String> = (a..=b).rev().map(|n| n.to_string()).collect();
            Ok(format!(r"(?-u:\b)(?:{})(?-u:\b)", alts.join("|")))
        }
    }
}

#[cfg(test)]
mod tests {
    use regex::bytes::Regex;

    use super::*;

    struct NoClasses;
    impl Classes for NoClasses {
        fn class(&mut self, name: &str) -> Result<String, String> {
            match name {
                "apps" => Ok([plain("venmo"), plain("cash app")].join("|")),
                _ => Err(format!("unknown list {name:?}")),
            }
        }
    }

    fn matches(term: &str, text: &str) -> Option<String> {
        let re = Regex::new(&compile(term, &mut NoClasses).unwrap()).unwrap();
        re.find(text.as_bytes())
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    }

    #[test]
    fn tells_patterns_from_plain_phrases() {
        assert!(!is_pattern("cash app"));
        assert!(!is_pattern("f*ck"));
        assert!(is_pattern("cancel* on your end"));
        assert!(is_pattern("pay ... directly"));
        assert!(is_pattern("{apps} me"));
    }

    #[test]
    fn matches_gaps_groups_classes_and_builtins() {
        assert_eq!(
            matches("pay ... directly", "just pay me the rest directly ok"),
            Some("pay me the rest directly".into())
        );
        assert_eq!(
            matches("pay ...1 directly", "pay me the rest directly"),
            None
        );
        assert_eq!(matches("pay ... directly", "pay me. then directly"), None);
        assert_eq!(
            matches("cancel* (it|) on your (end|side)", "cancelling on your end"),
            Some("cancelling on your end".into())
        );
        assert_eq!(
            matches("(just|) {apps} me", "cash app me"),
            Some("cash app me".into())
        );
        assert_eq!(
            matches("(another|extra) <money>", "that's another $25."),
            Some("another $25".into())
        );
        assert_eq!(matches("<cashtag>", "pay $50"), None);
        assert_eq!(
            matches("<cashtag>", "to $mikefixes"),
            Some("$mikefixes".into())
        );
        assert_eq!(
            matches("my <n:5-17> year old", "my 13 year old"),
            Some("my 13 year old".into())
        );
        assert_eq!(matches("my <n:5-17> year old", "my 19 year old"), None);
        assert_eq!(
            matches("5-star review", "a 5 star review"),
            Some("5 star review".into())
        );
        assert_eq!(matches("let's text", "lets text"), Some("lets text".into()));
        assert_eq!(
            matches("my (son|cousin)('s|) coming", "my cousin's coming"),
            Some("my cousin's coming".into())
        );
        assert_eq!(
            matches("<percent> off", "take 20% off"),
            Some("20% off".into())
        );
    }

    #[test]
    fn reports_bad_syntax() {
        for bad in ["(a|b", "a)", "{nope}", "<n:9-1>", "<what>", "...", "a \\"] {
            assert!(compile(bad, &mut NoClasses).is_err(), "{bad}");
        }
    }
}
