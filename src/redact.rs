//! Redaction: the original text with spans replaced by placeholders.
//!
//! Input: the original text and (span, placeholder) pairs in original
//! bytes. Output: the redacted text. Overlapping and touching spans merge
//! into one replacement (the first placeholder wins), so no byte of any
//! span survives and no placeholder is cut in half.

use crate::span::Span;

/// Replaces every span of `original` with its placeholder.
///
/// Spans that do not fit `original` or do not lie on char boundaries are
/// widened to the enclosing characters (and clamped), so the result is
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

/// Widens `span` outwards to char boundaries of `text`, clamped to its length.
fn widen(text: &str, span: Span) -> Span {
    let mut start = span.start().min(text.len());
    let mut end = span.end().min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
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
}
