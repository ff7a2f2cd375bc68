//! Redaction: the original text with spans replaced by placeholders.
//!
//! Input: the original text and (span, placeholder) pairs in original
//! bytes. Output: the redacted text. Overlapping and touching spans merge
//! into one replacement (the first placeholder wins), so no byte of any
//! span survives and no placeholder is cut in half. Spans are widened to
//! whole characters and whole clusters (a keycap `5️⃣` with its variation
//! selector and keycap mark, a letter with its combining marks), so a
//! redaction never leaves half of what the reader saw as one symbol.

use crate::{normalize::extends_cluster, span::Span};

/// Replaces every span of `original` with its placeholder.
///
/// Spans that do not fit `original`, do not lie on char boundaries or cut
/// a cluster (a base character and the marks and invisibles after it) are
/// widened to the enclosing clusters (and clamped), so the result is
/// always valid UTF-8 and still covers every byte asked for.
pub fn redact(original: &str, spans: &[(Span, &str)]) -> String {
    let mut spans: Vec<(Span, &str)> = spans
        .iter()
        .filter(|(s, _)| !s.is_empty())
        .map(|&(s, p)| (widen(original, s), p))
        .collect();
    spans.sort_by_key(|(s, _)| (s.start(), std::cmp::Reverse(s.end())));
    let mut out = String::with_capacity(original.len());
    let mut at = 0;
    let mut iter = spans.into_iter().peekable();
    while let Some((span, placeholder)) = iter.next() {
        let mut end = span.end();
        while let Some((next, _)) = iter.peek() {
            if next.start() > end {
                break;
            }
            end = end.max(next.end());
            iter.next();
        }
        let start = span.start().max(at);
        out.push_str(&original[at..start]);
        if end > start || span.start() >= at {
            out.push_str(placeholder);
        }
        at = end.max(at);
    }
    out.push_str(&original[at..]);
    out
}

/// Widens `span` outwards to cluster boundaries of `text`, clamped to its length.
fn widen(text: &str, span: Span) -> Span {
    let mut start = span.start().min(text.len());
    let mut end = span.end().min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    // Back over marks to the character they belong to.
    while let Some(c) = text[start..].chars().next() {
        if start == 0 || !extends_cluster(c) {
            break;
        }
        start -= text[..start].chars().next_back().map_or(0, char::len_utf8);
    }
    // On over the marks that belong to the last character.
    while let Some(c) = text[end..].chars().next() {
        if !extends_cluster(c) {
            break;
        }
        end += c.len_utf8();
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_spans_and_merges_overlaps() {
        let text = "call 555 867 5309 or mail a@b.co";
        let out = redact(
            text,
            &[
                (Span::new(5, 17), "[phone]"),
                (Span::new(26, 32), "[email]"),
                (Span::new(9, 12), "[phone]"),
            ],
        );
        assert_eq!(out, "call [phone] or mail [email]");
    }

    #[test]
    fn widens_to_char_boundaries() {
        assert_eq!(redact("aéb", &[(Span::new(1, 2), "*")]), "a*b");
        assert_eq!(redact("ab", &[(Span::new(1, 99), "*")]), "a*");
    }

    #[test]
    fn widens_to_clusters() {
        let keycap = "a 5\u{FE0F}\u{20E3}6\u{FE0F}\u{20E3} b";
        assert_eq!(
            redact(keycap, &[(Span::new(2, 3), "#")]),
            "a #6\u{FE0F}\u{20E3} b"
        );
        assert_eq!(
            redact(keycap, &[(Span::new(4, 6), "#")]),
            "a #6\u{FE0F}\u{20E3} b"
        );
        assert_eq!(redact("xe\u{301}y", &[(Span::new(1, 2), "#")]), "x#y");
    }
}
