//! Byte spans into the original message text.
//!
//! Every finding, whatever view of the message it was found in, is reported
//! as a [`Span`] of the original UTF-8 text, so that redaction replaces
//! exactly the characters the sender wrote.

use std::ops::Range;

/// A half-open byte range `start..end` of the original message text.
///
/// Invariant: `start <= end`. Spans produced by the engine also lie on char
/// boundaries of the text they were made for; [`Span::on_char_boundaries`]
/// checks that for a given text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Builds a span; the ends are swapped if given in the wrong order.
    pub fn new(start: usize, end: usize) -> Span {
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: end,
                end: start,
            }
        }
    }

    /// Returns the first byte of the span.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Returns the byte after the last one of the span.
    pub fn end(&self) -> usize {
        self.end
    }

    /// Returns the span's length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Returns true when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Returns the span as a `Range`, for slicing.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Returns true when the two spans share at least one byte.
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Returns true when `other` lies entirely within this span.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Returns the smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Returns true when both ends are within `text` and on char boundaries.
    pub fn on_char_boundaries(&self, text: &str) -> bool {
        self.end <= text.len()
            && text.is_char_boundary(self.start)
            && text.is_char_boundary(self.end)
    }

    /// Returns the spanned text, or `None` when the span does not fit `text`.
    pub fn slice<'a>(&self, text: &'a str) -> Option<&'a str> {
        text.get(self.range())
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Span {
        Span::new(range.start, range.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_ends_and_relates_spans() {
        let a = Span::new(5, 2);
        assert_eq!((a.start(), a.end(), a.len()), (2, 5, 3));
        assert!(a.overlaps(Span::new(4, 9)));
        assert!(!a.overlaps(Span::new(5, 9)));
        assert!(Span::new(0, 9).contains(a));
        assert_eq!(a.cover(Span::new(7, 8)), Span::new(2, 8));
        assert!(!Span::new(0, 1).on_char_boundaries("é"));
        assert!(Span::new(0, 2).on_char_boundaries("éa"));
    }
}
