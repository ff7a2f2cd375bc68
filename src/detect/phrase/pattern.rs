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
//! Patterns compile straight to `regex-syntax` HIR (no regex source text
//! to parse, which used to be most of a ruleset's build time; a `{class}`
//! is built once and shared by every pattern using it), matched as bytes
//! over the lowercased text view with ASCII word boundaries only (never
//! Unicode `\b`, which would keep the lazy DFA from running on non-ASCII
//! text); the phrase detector checks Unicode word boundaries at the ends
//! of every match itself.

use std::sync::LazyLock;

use regex_syntax::{
    ParserBuilder,
    hir::{Class, ClassBytes, ClassBytesRange, Hir, Look, Repetition},
};

use crate::{detect::money, normalize};

/// Separator bytes between two words: spaces and punctuation that does
/// not end a sentence.
///
/// ASCII only, so that every pattern stays a small automaton: the text
/// view folds typographic dashes and quotes to ASCII, and a stray
/// non-ASCII mark between two words makes it a word of its own.
const SEP_BYTES: &[u8] = b",;:()[]/-~^|<>=+\\";

/// Bytes that end a sentence: a gap never crosses them.
const SENTENCE_END: &[u8] = b".!?";

/// One separator byte: a space or control byte, or one of [`SEP_BYTES`].
fn sep_class() -> ClassBytes {
    let mut class = ClassBytes::new([ClassBytesRange::new(0x00, 0x20)]);
    class.union(&ClassBytes::new(
        SEP_BYTES.iter().map(|&b| ClassBytesRange::new(b, b)),
    ));
    class
}

/// One or more separator bytes between two words.
fn sep() -> Hir {
    static SEP: LazyLock<Hir> =
        LazyLock::new(|| repeat(Hir::class(Class::Bytes(sep_class())), 1, None));
    SEP.clone()
}

/// One word in a gap: anything up to a separator or the end of a sentence.
fn gap_word() -> Hir {
    static GAP_WORD: LazyLock<Hir> = LazyLock::new(|| {
        let mut class = sep_class();
        class.union(&ClassBytes::new(
            SENTENCE_END.iter().map(|&b| ClassBytesRange::new(b, b)),
        ));
        class.negate();
        repeat(Hir::class(Class::Bytes(class)), 1, None)
    });
    GAP_WORD.clone()
}

/// `sub` repeated `min` to `max` times (unbounded without a `max`), greedy.
fn repeat(sub: Hir, min: u32, max: Option<u32>) -> Hir {
    Hir::repetition(Repetition {
        min,
        max,
        greedy: true,
        sub: Box::new(sub),
    })
}

/// `sub` or nothing.
fn optional(sub: Hir) -> Hir {
    repeat(sub, 0, Some(1))
}

/// An ASCII word boundary, `(?-u:\b)`.
fn boundary() -> Hir {
    Hir::look(Look::WordAscii)
}

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
    /// Returns the expression matching any term of list `name`.
    ///
    /// # Errors
    ///
    /// The list is unknown, or compiling it failed (a reason, lowercase).
    fn class(&mut self, name: &str) -> Result<Hir, String>;

    /// Returns the expression of one word (see [`word`]); a ruleset's
    /// resolver keeps them, as the same words recur in hundreds of terms.
    fn word(&mut self, w: &str, prefix: bool) -> Hir {
        word(w, prefix)
    }
}

/// Compiles a term (plain or pattern) to a regex expression.
///
/// # Errors
///
/// A reason, lowercase, when the syntax is wrong or a class is unknown.
pub fn compile(term: &str, classes: &mut dyn Classes) -> Result<Hir, String> {
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
    Ok(emit(seq))
}

/// Compiles a plain phrase to a regex expression (for use inside a class),
/// its words from `classes`.
pub fn plain(term: &str, classes: &mut dyn Classes) -> Hir {
    let mut parts = Vec::new();
    for (i, w) in term.split_whitespace().enumerate() {
        if i > 0 {
            parts.push(sep());
        }
        parts.push(classes.word(w, false));
    }
    Hir::concat(parts)
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
    /// An expression; `optional` when it may match nothing, `glued` when
    /// no separator comes before it.
    Elem {
        re: Hir,
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
                            alts.push(emit(seq));
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
                        re: Hir::alternation(alts),
                        optional,
                        glued,
                    });
                    continue;
                }
                Token::Word(w, prefix) => items.push(Item::Elem {
                    re: self.classes.word(&w, prefix),
                    optional: false,
                    glued,
                }),
                Token::Gap(n) => items.push(Item::Gap(n)),
                Token::Class(name) => items.push(Item::Elem {
                    re: self.classes.class(&name)?,
                    optional: false,
                    glued,
                }),
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
fn emit(items: Vec<Item>) -> Hir {
    let mut out = Vec::new();
    let mut required_before = false;
    let mut gap: Option<usize> = None;
    for item in items {
        match item {
            Item::Gap(n) => gap = Some(gap.map_or(n, |g| g + n)),
            Item::Elem {
                re,
                optional: is_optional,
                glued,
            } => {
                let join = match gap.take() {
                    Some(n) => {
                        let words = u32::try_from(n).unwrap_or(u32::MAX);
                        Hir::concat(vec![
                            sep(),
                            repeat(Hir::concat(vec![gap_word(), sep()]), 0, Some(words)),
                        ])
                    }
                    None if glued => Hir::empty(),
                    None => sep(),
                };
                match (required_before, is_optional) {
                    (true, false) => out.extend([join, re]),
                    (true, true) => out.push(optional(Hir::concat(vec![join, re]))),
                    (false, false) => {
                        out.push(re);
                        required_before = true;
                    }
                    (false, true) => out.push(optional(Hir::concat(vec![re, join]))),
                }
            }
        }
    }
    Hir::concat(out)
}

/// Compiles one literal word, normalized like the text view; a `prefix`
/// word also matches longer words starting with it (`cancel*`).
pub fn word(w: &str, prefix: bool) -> Hir {
    let normalized = normalize::normalize(w).text().as_str().to_string();
    let text = if normalized.is_empty() {
        w.to_lowercase()
    } else {
        normalized
    };
    let mut parts = Vec::with_capacity(3);
    if text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        parts.push(boundary());
    }
    // One literal per run of plain characters, not one per character:
    // fewer expressions to allocate and join.
    let mut run: Vec<u8> = Vec::with_capacity(text.len());
    let flush = |run: &mut Vec<u8>, parts: &mut Vec<Hir>| {
        if !run.is_empty() {
            parts.push(Hir::literal(std::mem::take(run)));
        }
    };
    for c in text.chars() {
        match c {
            '\'' | '’' => {
                flush(&mut run, &mut parts);
                parts.push(optional(Hir::alternation(vec![
                    Hir::literal("'".as_bytes()),
                    Hir::literal("’".as_bytes()),
                ])));
            }
            '-' => {
                flush(&mut run, &mut parts);
                parts.push(optional(sep()));
            }
            c => run.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    flush(&mut run, &mut parts);
    if prefix {
        let rest = ClassBytes::new([
            ClassBytesRange::new(b'a', b'z'),
            ClassBytesRange::new(b'0', b'9'),
            ClassBytesRange::new(0x80, 0xff),
            ClassBytesRange::new(b'\'', b'\''),
        ]);
        parts.push(repeat(Hir::class(Class::Bytes(rest)), 0, None));
    } else if text
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        parts.push(boundary());
    }
    Hir::concat(parts)
}

/// Parses the source of a built-in token once.
fn parsed(source: &str) -> Result<Hir, String> {
    ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(source)
        .map_err(|e| format!("built-in pattern: {e}"))
}

/// The built-in tokens written as regex source, each parsed once per
/// process.
static MONEY: LazyLock<Result<Hir, String>> = LazyLock::new(|| parsed(&money::PATTERN));
static PERCENT: LazyLock<Result<Hir, String>> = LazyLock::new(|| {
    parsed(
        r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]+)? ?(?:%|percent(?-u:\b)|per cent(?-u:\b)|por ciento(?-u:\b))",
    )
});
static CASHTAG: LazyLock<Result<Hir, String>> =
    LazyLock::new(|| parsed(r"\$[a-z][a-z0-9_]{1,19}(?-u:\b)"));
static CODE: LazyLock<Result<Hir, String>> =
    LazyLock::new(|| parsed(r"(?-u:\b)[a-z]*[a-z][0-9]+[a-z0-9]*(?-u:\b)"));

fn builtin(name: &str) -> Result<Hir, String> {
    match name {
        "money" => MONEY.clone(),
        "percent" => PERCENT.clone(),
        "cashtag" => CASHTAG.clone(),
        "word" => Ok(gap_word()),
        "code" => CODE.clone(),
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
            let alts = (a..=b)
                .rev()
                .map(|n| Hir::literal(n.to_string().into_bytes()))
                .collect();
            Ok(Hir::concat(vec![
                boundary(),
                Hir::alternation(alts),
                boundary(),
            ]))
        }
    }
}

#[cfg(test)]
mod tests {
    use regex_automata::meta::Regex;

    use super::*;

    struct NoClasses;
    impl Classes for NoClasses {
        fn class(&mut self, name: &str) -> Result<Hir, String> {
            match name {
                "apps" => Ok(Hir::alternation(vec![
                    plain("cash app", self),
                    plain("venmo", self),
                ])),
                _ => Err(format!("unknown list {name:?}")),
            }
        }
    }

    fn matches(term: &str, text: &str) -> Option<String> {
        let hir = compile(term, &mut NoClasses).unwrap();
        let re = Regex::builder().build_from_hir(&hir).unwrap();
        re.find(text.as_bytes())
            .map(|m| String::from_utf8_lossy(&text.as_bytes()[m.range()]).into_owned())
    }

    /// The expressions built here match what their regex source spelled
    /// out would: the separator, gap word and word boundaries.
    #[test]
    fn builds_the_documented_separators() {
        assert_eq!(
            matches("cash app", "pay by cash-app, ok"),
            Some("cash-app".into())
        );
        assert_eq!(matches("cash app", "pay by cashapp"), None);
        assert_eq!(
            matches("(cash) app", "cash - app"),
            Some("cash - app".into())
        );
        assert_eq!(matches("(cash) app", "cash. app"), None);
        assert_eq!(
            matches("pay ...2 me", "pay it to me"),
            Some("pay it to me".into())
        );
        assert_eq!(matches("pay ...1 me", "pay it to me"), None);
        assert_eq!(matches("pay ... me", "pay it! me"), None);
        assert_eq!(matches("(sue) you", "sueyou"), None);
        assert_eq!(
            matches("cancel* it", "cancelled it"),
            Some("cancelled it".into())
        );
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
