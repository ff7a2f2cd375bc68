//! The leet view: the text view with leetspeak folded inside words.
//!
//! A word (a run of letters, digits and the symbols `@ $ ! | \ / ( ) <`) is
//! folded only when it has at least two ASCII letters and something to
//! fold, so numbers, prices (`$60`), times (`3pm`), sizes (`10am`, `4k`)
//! and codes ending in a number (`winter25`) stay as they are. Inside such
//! a word: `0→o 1→i/l 3→e 4→a 5→s 6→g 7→t 8→b 9→g @→a $→s !→i |→l`,
//! `|\/|` and `/\/\` → `m`, `|\|` → `n`, `\/\/` → `w`, `\/` → `v`,
//! `|<` → `k`, `()` → `o`. `1` reads as `l` when doubled (`ce11`) or last
//! after a letter (`paypa1`), else as `i` (`1nstagram`, `gma1l`). `@` is
//! folded only between two word characters and not in an email address
//! (`john@gmail.com` keeps its `@`), `!` only before a letter (`quickly!!`
//! stays), `$` never first (`$mikefixes` is a cashtag). A word with a `2`
//! or two different digits in a row is a code (`wm3400cw`) and stays.
//!
//! For word matching only: the digit and email detectors read the digit
//! and text views. Each folded character maps to the text-view bytes it
//! came from, and through them to the original.

use super::view::{View, ViewBuilder};

/// Multi-character leet sequences, longest first.
const SEQUENCES: &[(&[u8], char)] = &[
    (b"|\\/|", 'm'),
    (b"/\\/\\", 'm'),
    (b"\\/\\/", 'w'),
    (b"|\\|", 'n'),
    (b"\\/", 'v'),
    (b"|<", 'k'),
    (b"()", 'o'),
];

/// Builds the leet view of `text`, or `None` when it would equal `text`.
pub(super) fn leet_view(text: &View) -> Option<View> {
    let bytes = text.as_str().as_bytes();
    if !bytes.iter().any(|&b| is_leet_byte(b)) {
        return None;
    }
    let mut out: Option<ViewBuilder> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        if !qualifies(bytes, start, i) || !changes(bytes, start, i) {
            continue;
        }
        let b = out.get_or_insert_with(|| ViewBuilder::with_capacity(bytes.len()));
        b.copy_from(text, copied..start);
        fold_word(text, start, i, b);
        copied = i;
    }
    let mut b = out?;
    b.copy_from(text, copied..bytes.len());
    Some(b.finish())
}

/// Returns true for bytes that make up a word here (non-ASCII bytes too).
fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[usize::from(b)]
}

/// Returns true for bytes that leet folds (alone or in a sequence).
fn is_leet_byte(b: u8) -> bool {
    LEET_BYTES[usize::from(b)]
}

/// [`is_word_byte`] per byte: the leet scan looks at every byte of every
/// message with a digit or a symbol.
static WORD_BYTES: [bool; 256] = byte_table!(|b| b.is_ascii_alphanumeric()
    || b >= 0x80
    || matches!(
        b,
        b'@' | b'$' | b'!' | b'|' | b'\\' | b'/' | b'(' | b')' | b'<'
    ));

/// [`is_leet_byte`] per byte.
static LEET_BYTES: [bool; 256] = byte_table!(|b| matches!(
    b,
    b'0' | b'1' | b'3'..=b'9' | b'@' | b'$' | b'!' | b'|' | b'\\' | b'/' | b'('
));

/// Returns true when the word `bytes[start..end]` is worth folding.
fn qualifies(bytes: &[u8], start: usize, end: usize) -> bool {
    let word = &bytes[start..end];
    let leet = word.iter().filter(|&&b| is_leet_byte(b)).count();
    if leet == 0 {
        return false;
    }
    let letters = word.iter().filter(|b| b.is_ascii_lowercase()).count();
    if letters < 2 {
        return false;
    }
    // A digit that is no leet letter (`2`), or two different digits in a
    // row (`wm3400cw`, `oled65c3`), mark a model number or a code.
    if word.contains(&b'2')
        || word
            .windows(2)
            .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[0] != w[1])
    {
        return false;
    }
    let lead_digits = word.iter().take_while(|b| b.is_ascii_digit()).count();
    let trail_digits = word.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let digits = word.iter().filter(|b| b.is_ascii_digit()).count();
    // A number with a unit or ordinal (`3pm`, `10am`, `4th`, `100lbs`), a
    // word ending in a number (`room101`).
    if digits == leet
        && ((lead_digits == digits && (lead_digits >= 2 || word.len() - lead_digits <= 2))
            || (trail_digits == digits && trail_digits >= 3))
    {
        return false;
    }
    true
}

/// Returns the fold at byte `i` of the word `bytes[start..end]`: the
/// letter and how many bytes it replaces, or `None` to keep the byte.
fn fold_at(bytes: &[u8], start: usize, end: usize, i: usize) -> Option<(char, usize)> {
    if let Some(&(seq, c)) = SEQUENCES
        .iter()
        .find(|(seq, _)| bytes[i..end].starts_with(seq))
    {
        return Some((c, seq.len()));
    }
    let prev = (i > start).then(|| bytes[i - 1]);
    let next = (i + 1 < end).then(|| bytes[i + 1]);
    let folded = match bytes[i] {
        b'0' => 'o',
        b'1' => {
            if next == Some(b'1')
                || matches!(prev, Some(b'1' | b'l'))
                || (next.is_none() && prev.is_some_and(|p| p.is_ascii_lowercase()))
            {
                'l'
            } else {
                'i'
            }
        }
        b'3' => 'e',
        b'4' => 'a',
        b'5' => 's',
        b'6' | b'9' => 'g',
        b'7' => 't',
        b'8' => 'b',
        b'@' if prev.is_some() && next.is_some() && !email_like(bytes, end) => 'a',
        // Not first: `$mikefixes` is a cashtag.
        b'$' if prev.is_some() => 's',
        b'!' if prev.is_some() && next.is_some_and(|n| n.is_ascii_lowercase()) => 'i',
        b'|' => 'l',
        _ => return None,
    };
    Some((folded, 1))
}

/// Returns true when the word ending at `end` is followed by a domain
/// (`john@gmail` + `.com`): its `@` is an email's.
fn email_like(bytes: &[u8], end: usize) -> bool {
    bytes.get(end) == Some(&b'.')
        && bytes
            .get(end + 1)
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Returns true when folding the word `bytes[start..end]` changes it.
fn changes(bytes: &[u8], start: usize, end: usize) -> bool {
    (start..end).any(|i| is_leet_byte(bytes[i]) && fold_at(bytes, start, end, i).is_some())
}

/// Appends the folded word `text[start..end]` to `out`.
fn fold_word(text: &View, start: usize, end: usize, out: &mut ViewBuilder) {
    let bytes = text.as_str().as_bytes();
    let mut i = start;
    while i < end {
        if let Some((c, len)) = fold_at(bytes, start, end, i) {
            push(out, c, text, i, i + len);
            i += len;
        } else {
            // Copy the whole character (it may be multi-byte).
            let stop = (i + utf8_len(bytes[i])).min(end);
            out.copy_from(text, i..stop);
            i = stop;
        }
    }
}

fn push(out: &mut ViewBuilder, c: char, text: &View, start: usize, end: usize) {
    let mut buf = [0u8; 4];
    out.push_from(c.encode_utf8(&mut buf), text, start..end);
}

/// Returns the length of the UTF-8 sequence that starts with `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize;

    fn leet(s: &str) -> String {
        normalize(s).leet().as_str().to_string()
    }

    #[test]
    fn folds_leet_words() {
        assert_eq!(leet("V3nm0 me"), "venmo me");
        assert_eq!(leet("p@yp@l"), "paypal");
        assert_eq!(leet("c4$h 4pp"), "cash 4pp");
        assert_eq!(leet("|\\/|oney"), "money");
        assert_eq!(leet("paypa1 ce11 1nstagram"), "paypal cell instagram");
    }

    #[test]
    fn leaves_numbers_prices_and_emails() {
        for s in [
            "call 555 867 5309",
            "$60 at 3pm",
            "john@gmail.com",
            "code winter25",
            "at 10am",
            "hi!",
            "quickly!! ok",
            "$mikefixes is my cashtag",
            "model wm3400cw and oled65c3pua",
        ] {
            assert_eq!(leet(s), normalize(s).text().as_str(), "{s}");
        }
    }

    #[test]
    fn maps_folded_letters_back() {
        let original = "use V3nm0";
        let views = normalize(original);
        let span = views.leet().to_original(4..9);
        assert_eq!(&original[span.range()], "V3nm0");
    }
}
