//! The text view: what a reader sees, in lowercase ASCII where possible.
//!
//! Per character of the original: compatibility decomposition (NFKD, so
//! `𝐯`, `ｗ`, `①`, `ﬁ` become `v`, `w`, `1`, `fi`), combining marks
//! dropped (accents, zalgo, the keycap mark of `5️⃣`), decimal digits of
//! any script to ASCII (`٥` to `5`), digit-like symbols with no
//! decomposition (`❺`, `⓿`) to ASCII, dash look-alikes to `-`, then the
//! UTS #39 confusable prototype if it is one ASCII letter, digit, `@` or
//! `.` (Cyrillic `р` to `p`), else the lowercase. Characters that render as
//! nothing (Default_Ignorable_Code_Point, format, control) are dropped, and
//! whitespace runs collapse to one space, trimmed at both ends. Hangul
//! syllables pass unchanged: NFKD would split them into jamo that nothing
//! composes again, since no mark survives to be composed, stripping marks
//! after NFKD gives the same letters as NFKC followed by stripping.
//!
//! A right-to-left override (U+202E) displays the characters up to the
//! next pop (U+202C) or line end in reverse; the view holds them in the
//! order a reader sees, and since that order runs against the original,
//! every byte of such a run maps to the whole run (spans stay monotone).
//!
//! Mapping: each output character maps to the original character that
//! produced it; a dropped character joins the span of the output before it
//! (or after it, at the start of the text), and a collapsed whitespace run
//! maps to one space covering the run.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::tables::{CONFUSABLES, DECIMAL_ZEROS, DIGIT_SYMBOLS, IGNORABLE};
use super::view::{View, ViewBuilder};

/// The right-to-left override control.
const RLO: char = '\u{202E}';
/// Pop directional formatting: ends an override.
const PDF: char = '\u{202C}';

/// Builds the text view of `original`.
pub(super) fn text_view(original: &str) -> View {
    if let Some(view) = original
        .is_ascii()
        .then(|| ascii_in_place(original))
        .flatten()
    {
        return view;
    }
    let mut sink = Sink::new(original.len());
    let mut iter = original.char_indices();
    while let Some((start, ch)) = iter.next() {
        let end = start + ch.len_utf8();
        if ch == RLO {
            let run_end = override_end(original, end);
            sink.reversed(&original[end..run_end], start, run_end);
            // Skip the run (and its closing PDF, when there is one).
            let resume = if original[run_end..].starts_with(PDF) {
                run_end + PDF.len_utf8()
            } else {
                run_end
            };
            while iter.offset() < resume {
                if iter.next().is_none() {
                    break;
                }
            }
            sink.removed(run_end, resume);
            continue;
        }
        sink.begin(start, end);
        fold_char(ch, &mut |out| sink.emit(out));
        sink.close();
    }
    sink.finish()
}

/// Builds the view of pure-ASCII `original` without a map when every byte
/// stays in place: no control character, no leading or doubled whitespace.
fn ascii_in_place(original: &str) -> Option<View> {
    let trimmed = original.trim_end_matches(is_ascii_space).as_bytes();
    let mut prev_space = true;
    for &b in trimmed {
        // Only bytes up to the space need a look.
        if b <= b' ' || b == 0x7f {
            if !is_ascii_space_byte(b) || prev_space {
                return None;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
    }
    let mut out = trimmed.to_vec();
    for b in &mut out {
        if *b < b' ' {
            *b = b' ';
        }
    }
    out.make_ascii_lowercase();
    String::from_utf8(out)
        .ok()
        .map(|text| View::shifted(text, 0))
}

fn is_ascii_space(c: char) -> bool {
    c.is_ascii() && is_ascii_space_byte(c as u8)
}

fn is_ascii_space_byte(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Returns where the override that starts at `from` ends: the next PDF or
/// paragraph break, or the end of the text.
fn override_end(original: &str, from: usize) -> usize {
    original[from..]
        .char_indices()
        .find(|&(_, c)| c == PDF || is_paragraph_break(c))
        .map_or(original.len(), |(i, _)| from + i)
}

fn is_paragraph_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{1C}'..='\u{1E}' | '\u{85}' | '\u{2029}')
}

/// What one folded character becomes.
#[derive(Clone, Copy, Debug)]
enum Out<'a> {
    /// A character of the view.
    Char(char),
    /// An ASCII string of the view (a digit symbol such as `❿`).
    Str(&'a str),
    /// Whitespace: joins the surrounding run.
    Space,
}

/// Folds one original character, calling `emit` for each output; emits
/// nothing for a character that renders as nothing.
fn fold_char(ch: char, emit: &mut impl FnMut(Out<'static>)) {
    if ch.is_ascii() {
        if is_ascii_space(ch) {
            emit(Out::Space);
        } else if !ch.is_ascii_control() {
            emit(Out::Char(ch.to_ascii_lowercase()));
        }
        return;
    }
    if ch.is_whitespace() || is_extra_space(ch) {
        emit(Out::Space);
        return;
    }
    if is_ignorable(ch) || ch.is_control() {
        return;
    }
    if ('\u{AC00}'..='\u{D7A3}').contains(&ch) {
        emit(Out::Char(ch));
        return;
    }
    decompose_compatible(ch, |c| fold_decomposed(c, emit));
}

/// Folds one character of a compatibility decomposition.
fn fold_decomposed(c: char, emit: &mut impl FnMut(Out<'static>)) {
    if c.is_ascii() {
        if c == ' ' {
            emit(Out::Space);
        } else if !c.is_ascii_control() {
            emit(Out::Char(c.to_ascii_lowercase()));
        }
        return;
    }
    if is_combining_mark(c) || is_ignorable(c) {
        return;
    }
    if c.is_whitespace() {
        emit(Out::Space);
        return;
    }
    if let Some(d) = decimal_digit(c) {
        emit(Out::Char(d));
        return;
    }
    if let Some(s) = digit_symbol(c) {
        emit(Out::Str(s));
        return;
    }
    if is_dash(c) {
        emit(Out::Char('-'));
        return;
    }
    if let Some(t) = confusable(c) {
        emit(Out::Char(t));
        return;
    }
    if let Some(t) = enclosed_letter(c) {
        emit(Out::Char(t));
        return;
    }
    for l in c.to_lowercase() {
        if is_combining_mark(l) {
            continue;
        }
        emit(Out::Char(confusable(l).unwrap_or(l)));
    }
}

/// Returns true for characters that render as nothing.
pub(super) fn is_ignorable(c: char) -> bool {
    let i = IGNORABLE.partition_point(|&(lo, _)| lo <= c);
    i > 0 && IGNORABLE.get(i - 1).is_some_and(|&(_, hi)| c <= hi)
}

/// Returns true for characters that extend the grapheme before them and
/// render nothing on their own: combining marks and ignorables (the
/// variation selector and keycap mark of `5️⃣`, zero-width joiners).
pub fn extends_cluster(c: char) -> bool {
    !c.is_ascii() && (is_combining_mark(c) || is_ignorable(c))
}

/// Blank characters that are not Unicode White_Space but render as a gap.
fn is_extra_space(c: char) -> bool {
    matches!(c, '\u{2800}' | '\u{180E}')
}

/// Returns the ASCII digit of a decimal digit of any script.
fn decimal_digit(c: char) -> Option<char> {
    let cp = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    let value = cp - zero;
    (value < 10).then(|| char::from(b'0' + value as u8))
}

/// Returns the ASCII digits of a digit-like symbol with no decomposition.
fn digit_symbol(c: char) -> Option<&'static str> {
    DIGIT_SYMBOLS
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .and_then(|i| DIGIT_SYMBOLS.get(i))
        .map(|&(_, s)| s)
}

/// Returns the ASCII prototype of a confusable character.
fn confusable(c: char) -> Option<char> {
    CONFUSABLES
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .and_then(|i| CONFUSABLES.get(i))
        .map(|&(_, t)| char::from(t))
}

/// Returns the letter of negative circled and squared letters and regional
/// indicators (`🅥`, `🆅`, `🇻`), which have no decomposition.
fn enclosed_letter(c: char) -> Option<char> {
    let cp = c as u32;
    let base = match cp {
        0x1F150..=0x1F169 => 0x1F150,
        0x1F170..=0x1F189 => 0x1F170,
        0x1F1E6..=0x1F1FF => 0x1F1E6,
        _ => return None,
    };
    Some(char::from(b'a' + (cp - base) as u8))
}

/// Returns true for hyphen and dash look-alikes, folded to `-` so `555‑201‑4477`
/// reads as a phone number.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
    )
}

/// Collects the folded output of the original characters, with their spans.
struct Sink {
    out: ViewBuilder,
    /// Start of dropped characters seen before any output.
    lead: Option<usize>,
    /// The whitespace run waiting to become one space.
    space: Option<(usize, usize)>,
    /// The original character being folded.
    start: usize,
    end: usize,
    /// Where the output of the current character begins in the view.
    unit: usize,
    /// Whether the current character produced output.
    produced: bool,
    /// Whether the current character produced whitespace.
    spaced: bool,
    /// Where the output of the last character that produced any begins.
    last_unit: usize,
}

impl Sink {
    fn new(capacity: usize) -> Sink {
        Sink {
            out: ViewBuilder::with_capacity(capacity + capacity / 4),
            lead: None,
            space: None,
            start: 0,
            end: 0,
            unit: 0,
            produced: false,
            spaced: false,
            last_unit: 0,
        }
    }

    /// Starts the output of the original character at `start..end`.
    fn begin(&mut self, start: usize, end: usize) {
        self.start = start;
        self.end = end;
        self.produced = false;
        self.spaced = false;
    }

    fn emit(&mut self, out: Out<'_>) {
        match out {
            Out::Space => self.space(),
            Out::Char(c) => {
                self.before_output();
                let start = self.lead.unwrap_or(self.start);
                self.out.push(c, start, self.end);
            }
            Out::Str(s) => {
                self.before_output();
                let start = self.lead.unwrap_or(self.start);
                self.out
                    .push_str(s, crate::span::Span::new(start, self.end));
            }
        }
    }

    /// Flushes a pending space and marks the start of this character's output.
    fn before_output(&mut self) {
        if !self.produced {
            if let Some((s, e)) = self.space.take() {
                self.out.push(' ', s, e);
            }
            self.unit = self.out.len();
            self.produced = true;
        }
    }

    fn space(&mut self) {
        if self.produced {
            // Whitespace inside one character's output (NFKD of `⑴` has
            // none, but `¨` decomposes to a space and a mark): the current
            // output is done; later output of the same character follows
            // the space.
            self.close();
            self.produced = false;
        }
        self.spaced = true;
        if self.out.len() == 0 {
            // Leading whitespace is trimmed, with what it follows.
            self.lead = None;
            return;
        }
        self.space = Some(match self.space {
            Some((s, _)) => (s, self.end),
            None => (self.start, self.end),
        });
    }

    /// Ends the current character: one that produced nothing is dropped.
    fn close(&mut self) {
        if self.produced {
            self.lead = None;
            self.last_unit = self.unit;
        } else if !self.spaced {
            self.removed(self.start, self.end);
        }
    }

    /// Records original bytes `start..end` that produced nothing.
    fn removed(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        if let Some((s, _)) = self.space {
            self.space = Some((s, end));
        } else if self.out.len() > 0 {
            self.out.extend_tail(self.last_unit, end);
        } else if self.lead.is_none() {
            self.lead = Some(start);
        }
    }

    /// Appends the override run `run` (original bytes after the RLO at
    /// `start`, up to `end`), reversed, every byte mapped to `start..end`.
    fn reversed(&mut self, run: &str, start: usize, end: usize) {
        let mut folded = String::new();
        for ch in run.chars() {
            fold_char(ch, &mut |out| match out {
                Out::Char(c) => folded.push(c),
                Out::Str(s) => folded.push_str(s),
                Out::Space => {
                    if !folded.is_empty() && !folded.ends_with(' ') {
                        folded.push(' ');
                    }
                }
            });
        }
        let reversed: String = folded.trim_end().chars().rev().collect();
        self.begin(start, end);
        if !reversed.is_empty() {
            self.before_output();
            let from = self.lead.unwrap_or(start);
            self.out
                .push_str(&reversed, crate::span::Span::new(from, end));
        }
        self.close();
    }

    fn finish(mut self) -> View {
        self.space = None;
        self.out.trim_end_space();
        self.out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        text_view(s).as_str().to_string()
    }

    #[test]
    fn folds_evasions_to_ascii() {
        assert_eq!(text("𝐯𝐞𝐧𝐦𝐨"), "venmo");
        assert_eq!(text("ｗｈａｔｓａｐｐ"), "whatsapp");
        assert_eq!(text("рауpаl"), "paypal");
        assert_eq!(text("wh\u{200B}ats\u{200B}app"), "whatsapp");
        assert_eq!(text("kevin＠fastmail．com"), "kevin@fastmail.com");
        assert_eq!(text("٥٥٥ ⑤⑤⑤ ❺"), "555 555 5");
        assert_eq!(text("5\u{FE0F}\u{20E3}5\u{FE0F}\u{20E3}"), "55");
        assert_eq!(text("v̸̡e̷n̴m̵o̶"), "venmo");
        assert_eq!(text("  Héllo \t\n  WORLD  "), "hello world");
        assert_eq!(text("555\u{2011}201\u{2011}4477"), "555-201-4477");
        assert_eq!(text("ΙNSTAGRAM"), "instagram");
    }

    #[test]
    fn keycap_maps_to_whole_sequence() {
        let original = "a 5\u{FE0F}\u{20E3}6\u{FE0F}\u{20E3} b";
        let view = text_view(original);
        assert_eq!(view.as_str(), "a 56 b");
        let span = view.to_original(2..3);
        assert_eq!(&original[span.range()], "5\u{FE0F}\u{20E3}");
    }

    #[test]
    fn reverses_right_to_left_override() {
        let original = "mail \u{202E}moc.liamg@nhoj\u{202C} ok";
        let view = text_view(original);
        assert_eq!(view.as_str(), "mail john@gmail.com ok");
        let span = view.to_original(5..19);
        assert_eq!(&original[span.range()], "\u{202E}moc.liamg@nhoj\u{202C}");
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(CONFUSABLES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(DIGIT_SYMBOLS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(DECIMAL_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
        assert!(IGNORABLE.iter().all(|&(lo, hi)| lo <= hi));
        assert!(IGNORABLE.windows(2).all(|w| w[0].1 < w[1].0));
        // Folds go to one ASCII letter, digit, `@` or `.`, never from ASCII.
        assert!(CONFUSABLES.iter().all(|&(c, t)| !c.is_ascii()
            && (t.is_ascii_lowercase() || t.is_ascii_digit() || t == b'@' || t == b'.')));
    }

    #[test]
    fn ascii_in_place_has_identity_map() {
        let view = text_view("Call Me");
        assert_eq!(view.as_str(), "call me");
        assert_eq!(view.to_original(5..7).range(), 5..7);
    }
}
