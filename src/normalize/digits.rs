//! The digit view: the text view with every way of writing a digit as an
//! ASCII digit, so phone and card detectors see one digit string.
//!
//! The text view already turned digits of any script, circled, keycap,
//! fullwidth and superscript digits into ASCII. This view adds words:
//!
//! - Number words, English and Spanish: `zero`…`nine`, `cero`…`nueve`,
//!   alone or run together (`fivefive`), or mixed with digits (`5five5`,
//!   `86seven`). A word is one token of ASCII letters and digits: `one` in
//!   `someone` is never a digit, and neither are `for`, `to` or `won`.
//! - Ambiguous words count only next to another digit or number word:
//!   `o` and `oh` (zero), `uno` and `una` (one), and the letters `o`, `l`,
//!   `i` inside a token with one digit (`8oo`). `53o9` has enough digits
//!   to stand alone.
//! - `double`/`doble` and `triple` repeat the digit that follows.
//!
//! Separators (up to three of space, `-`, `.`, `,`, `_`, `*`, `~`) between
//! digit tokens are removed when a number word is on either side
//! (`two-oh-six` → `206`), or when a chain of at least three digit tokens
//! has a lone digit on either side (`5 5 5 8 6 7 5 3 0 9`); groups such as
//! `555 867 5309` and `1.5` keep theirs. Everything else, letters included,
//! stays so detectors can read context words.
//!
//! Each digit maps to the word (or digit) that produced it; `double` maps
//! its copy to the word `double`.

use super::view::{View, ViewBuilder};

/// Most separator bytes removed between two digit tokens.
const MAX_SEPARATOR: usize = 3;

/// What a token is, for the digit view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Not a number.
    Other,
    /// ASCII digits only, this many.
    Plain(usize),
    /// Number words and digits that stand alone (`fivefive`, `5five5`), this many digits.
    Strong(usize),
    /// One number word (`five`): a digit when next to another number-like token.
    Word,
    /// A number only next to another number, this many digits.
    Weak(usize),
    /// `double` (2) or `triple` (3).
    Repeat(usize),
    /// `hundred` (2 zeros) or `thousand` (3) after a digit: `eight hundred`.
    Zeros(usize),
}

/// One token of the text view.
#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    end: usize,
    class: Class,
    /// Accepted as a number.
    numeric: bool,
    /// The separator after this token is removed.
    glue: bool,
}

/// Builds the digit view of `text`, or `None` when it would equal `text`.
pub(super) fn digit_view(text: &View) -> Option<View> {
    let bytes = text.as_str().as_bytes();
    if !worth_building(bytes) {
        return None;
    }
    let mut tokens: Vec<Token> = tokens(bytes)
        .map(|(start, end)| Token {
            start,
            end,
            class: classify(&bytes[start..end]),
            numeric: false,
            glue: false,
        })
        .collect();
    resolve(bytes, &mut tokens);
    let changed = tokens
        .iter()
        .any(|t| t.glue || (t.numeric && !matches!(t.class, Class::Plain(_))));
    if !changed {
        return None;
    }
    let mut out = ViewBuilder::with_capacity(bytes.len());
    let mut copied = 0;
    for (n, t) in tokens.iter().enumerate() {
        if !t.numeric {
            continue;
        }
        out.copy_from(text, copied..t.start);
        match t.class {
            Class::Plain(_) => out.copy_from(text, t.start..t.end),
            Class::Repeat(times) => {
                let digit = tokens
                    .get(n + 1)
                    .and_then(|next| first_digit(&bytes[next.start..next.end]));
                if let Some(d) = digit {
                    for _ in 1..times {
                        out.push_from(digit_str(d), text, t.start..t.end);
                    }
                }
            }
            Class::Zeros(n) => {
                for _ in 0..n {
                    out.push_from("0", text, t.start..t.end);
                }
            }
            Class::Strong(_) | Class::Weak(_) | Class::Word => {
                segment(&bytes[t.start..t.end], true, &mut |range, d, _| {
                    out.push_from(
                        digit_str(d),
                        text,
                        t.start + range.start..t.start + range.end,
                    );
                });
            }
            Class::Other => {}
        }
        copied = if t.glue {
            tokens.get(n + 1).map_or(t.end, |next| next.start)
        } else {
            t.end
        };
    }
    out.copy_from(text, copied..bytes.len());
    Some(out.finish())
}

/// Returns true when the text has a number word or two digit groups that
/// could be glued: the check that keeps plain messages on the fast path.
fn worth_building(bytes: &[u8]) -> bool {
    let mut prev: Option<(usize, usize, Class)> = None;
    for (start, end) in tokens(bytes) {
        let class = classify(&bytes[start..end]);
        match class {
            Class::Strong(_)
            | Class::Weak(_)
            | Class::Word
            | Class::Repeat(_)
            | Class::Zeros(_) => {
                return true;
            }
            Class::Plain(n) => {
                if let Some((ps, pe, Class::Plain(m))) = prev {
                    let _ = ps;
                    if (n == 1 || m == 1) && is_glue(&bytes[pe..start]) {
                        return true;
                    }
                }
            }
            Class::Other => {}
        }
        prev = Some((start, end, class));
    }
    false
}

/// Decides which tokens are numbers and which separators go.
fn resolve(bytes: &[u8], tokens: &mut [Token]) {
    let glued = |tokens: &[Token], i: usize| -> bool {
        match (tokens.get(i), tokens.get(i + 1)) {
            (Some(a), Some(b)) => is_glue(&bytes[a.end..b.start]),
            _ => false,
        }
    };
    let len = tokens.len();
    for t in tokens.iter_mut() {
        t.numeric = matches!(t.class, Class::Plain(_) | Class::Strong(_));
    }
    // A lone number word counts next to anything number-like: `five five`,
    // `five 5`, `double five`, but not `one of them`.
    for i in 0..len {
        if tokens[i].class == Class::Word {
            let before = i > 0 && glued(tokens, i - 1) && tokens[i - 1].class != Class::Other;
            let after =
                glued(tokens, i) && tokens.get(i + 1).is_some_and(|t| t.class != Class::Other);
            tokens[i].numeric = before || after;
        }
    }
    // Ambiguous words next to numbers (or after `double`), both directions.
    for i in 1..len {
        if matches!(tokens[i].class, Class::Weak(_))
            && glued(tokens, i - 1)
            && (tokens[i - 1].numeric || matches!(tokens[i - 1].class, Class::Repeat(_)))
        {
            tokens[i].numeric = true;
        }
    }
    for i in (0..len.saturating_sub(1)).rev() {
        if matches!(tokens[i].class, Class::Weak(_)) && glued(tokens, i) && tokens[i + 1].numeric {
            tokens[i].numeric = true;
        }
    }
    // `double five`: the next token is one digit.
    for i in 0..len {
        if let Class::Repeat(_) = tokens[i].class {
            let next_single = tokens
                .get(i + 1)
                .is_some_and(|n| n.numeric && is_single(n.class));
            if next_single && glued(tokens, i) {
                tokens[i].numeric = true;
                tokens[i].glue = true;
            }
        }
    }
    // `eight hundred`: the token before is one digit.
    for i in 1..len {
        if let Class::Zeros(_) = tokens[i].class {
            let prev = tokens[i - 1];
            if prev.numeric && is_single(prev.class) && glued(tokens, i - 1) {
                tokens[i].numeric = true;
            }
        }
    }
    // Chains of numbers joined by separators: a number word joins its
    // neighbours; lone digits join when the chain has at least three
    // (`5 5 5 8 6 7`, not `+52 1 33` or `1.5`).
    let mut i = 0;
    while i < len {
        if !tokens[i].numeric {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < len && tokens[j + 1].numeric && glued(tokens, j) {
            j += 1;
        }
        let lone = tokens[i..=j].iter().filter(|t| is_single(t.class)).count();
        for k in i..j {
            let words = !matches!(tokens[k].class, Class::Plain(_))
                || !matches!(tokens[k + 1].class, Class::Plain(_));
            if words || lone >= 3 {
                tokens[k].glue = true;
            }
        }
        i = j + 1;
    }
}

/// Returns true for a token that stands for one digit.
fn is_single(class: Class) -> bool {
    matches!(class, Class::Plain(1) | Class::Word | Class::Weak(1))
}

/// Returns true when `sep` is a short run of separators.
fn is_glue(sep: &[u8]) -> bool {
    !sep.is_empty()
        && sep.len() <= MAX_SEPARATOR
        && sep
            .iter()
            .all(|b| matches!(b, b' ' | b'-' | b'.' | b',' | b'_' | b'*' | b'~'))
}

/// Returns the byte ranges of the ASCII alphanumeric runs of `bytes`.
fn tokens(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        Some((start, i))
    })
}

/// Classifies one token.
fn classify(word: &[u8]) -> Class {
    if word.iter().all(u8::is_ascii_digit) {
        return Class::Plain(word.len());
    }
    match word {
        b"double" | b"doble" => return Class::Repeat(2),
        b"triple" => return Class::Repeat(3),
        b"hundred" => return Class::Zeros(2),
        b"thousand" => return Class::Zeros(3),
        _ => {}
    }
    // Cheap rejection: a number word or digit must start the token.
    let first = word.first().copied().unwrap_or(b' ');
    if !first.is_ascii_digit()
        && !matches!(
            first,
            b'z' | b'o' | b't' | b'f' | b's' | b'e' | b'n' | b'c' | b'd' | b'u' | b'i' | b'l'
        )
    {
        return Class::Other;
    }
    let has_digit = word.iter().any(u8::is_ascii_digit);
    let (mut strong, mut weak) = (0, 0);
    if !segment(word, has_digit, &mut |_, _, is_weak| {
        if is_weak {
            weak += 1;
        } else {
            strong += 1;
        }
    }) {
        return Class::Other;
    }
    match (strong, weak) {
        (0, 1) => Class::Weak(1),
        (0, _) => Class::Other,
        (1, 0) if !has_digit => Class::Word,
        (s, w) if s >= 2 => Class::Strong(s + w),
        (s, w) => Class::Weak(s + w),
    }
}

/// Splits `word` greedily into digits, number words and (when `letters`,
/// i.e. the token has a digit) the letters `o`, `l`, `i` as digits; calls
/// `piece` for each with its range, digit and ambiguity. Returns false,
/// having called `piece` for a prefix only, when the word does not split.
fn segment(
    word: &[u8],
    letters: bool,
    piece: &mut impl FnMut(std::ops::Range<usize>, u8, bool),
) -> bool {
    let mut i = 0;
    while i < word.len() {
        let b = word[i];
        if b.is_ascii_digit() {
            piece(i..i + 1, b, false);
            i += 1;
            continue;
        }
        if let Some((w, d, weak)) = number_word(&word[i..]) {
            // An `o` inside letters is a letter, not a zero; `o` alone may be.
            if w.len() == 1 && !letters && word.len() > 1 {
                return false;
            }
            piece(i..i + w.len(), d, weak);
            i += w.len();
            continue;
        }
        if letters && matches!(b, b'l' | b'i') {
            piece(i..i + 1, b'1', true);
            i += 1;
            continue;
        }
        return false;
    }
    true
}

/// A number word: its text, its digit, and whether it is ambiguous
/// (counts only next to other digits).
type NumberWord = (&'static [u8], u8, bool);

/// Returns the longest number word (English or Spanish) that starts `rest`.
fn number_word(rest: &[u8]) -> Option<NumberWord> {
    // Dispatch on the first letter: most words start with none of these.
    // Longest first within a letter, for greedy matching.
    let words: &[NumberWord] = match rest.first()? {
        b'c' => &[
            (b"cuatro", b'4', false),
            (b"cinco", b'5', false),
            (b"cero", b'0', false),
        ],
        b't' => &[
            (b"three", b'3', false),
            (b"tres", b'3', false),
            (b"two", b'2', false),
        ],
        b's' => &[
            (b"seven", b'7', false),
            (b"siete", b'7', false),
            (b"seis", b'6', false),
            (b"six", b'6', false),
        ],
        b'e' => &[(b"eight", b'8', false)],
        b'n' => &[(b"nueve", b'9', false), (b"nine", b'9', false)],
        b'z' => &[(b"zero", b'0', false)],
        b'f' => &[(b"four", b'4', false), (b"five", b'5', false)],
        b'o' => &[
            (b"ocho", b'8', false),
            (b"one", b'1', false),
            (b"oh", b'0', true),
            (b"o", b'0', true),
        ],
        b'd' => &[(b"dos", b'2', false)],
        b'u' => &[(b"uno", b'1', true), (b"una", b'1', true)],
        _ => return None,
    };
    words.iter().find(|(w, _, _)| rest.starts_with(w)).copied()
}

/// Returns the first digit `word` stands for.
fn first_digit(word: &[u8]) -> Option<u8> {
    let mut first = None;
    segment(word, true, &mut |_, d, _| {
        first.get_or_insert(d);
    });
    first
}

fn digit_str(d: u8) -> &'static str {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    DIGITS
        .get(usize::from(d.wrapping_sub(b'0')))
        .copied()
        .unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::super::normalize;

    fn digit(s: &str) -> String {
        normalize(s).digit().as_str().to_string()
    }

    #[test]
    fn reads_number_words_and_spaced_digits() {
        assert_eq!(digit("five five five 8 6 7 5 3 0 9"), "5558675309");
        assert_eq!(
            digit("two-oh-six five-five-five oh-one-four-seven, call"),
            "2065550147, call"
        );
        assert_eq!(digit("text 5five5-86seven-53o9 now"), "text 5558675309 now");
        assert_eq!(digit("6one7 five5five 0one9two"), "6175550192");
        assert_eq!(digit("double five"), "55");
        assert_eq!(digit("cinco cinco cinco uno dos"), "55512");
        assert_eq!(digit("1-8oo-555-1234"), "1800555-1234");
        assert_eq!(
            digit("call eight hundred five five five 0 1 9 8"),
            "call 8005550198"
        );
        assert_eq!(digit("2 0 6 - 5 5 5 - 0 1 9 3"), "2065550193");
        assert_eq!(digit("5 o 5 5"), "5055");
    }

    #[test]
    fn leaves_ordinary_words_and_groups() {
        for s in [
            "someone is here",
            "call 555 867 5309",
            "it is 1.5 inches",
            "for you to see",
            "double check it",
            "oh no",
            "zoo and tool",
            "one of them, the two of us",
            "cell is +52 1 33 1234 5678",
        ] {
            assert_eq!(digit(s), normalize(s).text().as_str(), "{s}");
        }
    }

    #[test]
    fn maps_digits_back_to_words() {
        let original = "call two-oh-six now";
        let views = normalize(original);
        let view = views.digit();
        assert_eq!(view.as_str(), "call 206 now");
        let span = view.to_original(5..8);
        assert_eq!(&original[span.range()], "two-oh-six");
        let span = view.to_original(6..7);
        assert_eq!(&original[span.range()], "oh");
    }
}
