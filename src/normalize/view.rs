//! A [`View`]: a normalized string with a map back to the original bytes.

use std::ops::Range;

use crate::span::Span;

/// A normalized string and, for each of its bytes, the original span that produced it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    text: String,
    /// `map[i]` is the original span behind byte `i` of `text`.
    map: Vec<Span>,
}

impl View {
    /// Returns the view's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns the view's length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Returns true when the view is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Maps a byte range of the view back to the original span that produced it.
    ///
    /// The range is clamped to the view; an empty range maps to an empty
    /// span at the original position of its start.
    pub fn to_original(&self, range: Range<usize>) -> Span {
        let end = range.end.min(self.map.len());
        let start = range.start.min(end);
        if start == end {
            let at = match self.map.get(start) {
                Some(span) => span.start(),
                None => self.map.last().map_or(0, Span::end),
            };
            return Span::new(at, at);
        }
        let first = self.map[start];
        let last = self.map[end - 1];
        first.cover(last)
    }

    /// Returns the original span behind one byte of the view, if in range.
    pub fn origin(&self, index: usize) -> Option<Span> {
        self.map.get(index).copied()
    }
}

/// Builds a [`View`] one character at a time.
#[derive(Debug, Default)]
pub struct ViewBuilder {
    view: View,
}

impl ViewBuilder {
    /// Starts an empty view with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> ViewBuilder {
        ViewBuilder {
            view: View {
                text: String::with_capacity(capacity),
                map: Vec::with_capacity(capacity),
            },
        }
    }

    /// Appends `ch`, produced by the original bytes `start..end`.
    pub fn push(&mut self, ch: char, start: usize, end: usize) {
        let span = Span::new(start, end);
        self.view.text.push(ch);
        for _ in 0..ch.len_utf8() {
            self.view.map.push(span);
        }
    }

    /// Appends `s`, produced by the original span `span`.
    pub fn push_str(&mut self, s: &str, span: Span) {
        self.view.text.push_str(s);
        self.view.map.extend(std::iter::repeat_n(span, s.len()));
    }

    /// Returns the last character pushed, if any.
    pub fn last_char(&self) -> Option<char> {
        self.view.text.chars().next_back()
    }

    /// Removes a trailing space, if any.
    pub fn trim_end_space(&mut self) {
        if self.view.text.ends_with(' ') {
            self.view.text.pop();
            self.view.map.pop();
        }
    }

    /// Returns the finished view.
    pub fn finish(self) -> View {
        self.view
    }
}
