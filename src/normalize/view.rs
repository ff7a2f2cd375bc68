//! A [`View`]: a normalized string with a map back to the original bytes.
//!
//! The map has one entry per byte of the view, the half-open original span
//! that produced it, stored as two `u32`s (8 bytes a byte; the normalizer
//! never sees more than `u32::MAX` bytes, see [`super::normalize`]). A view
//! of plain ASCII that kept every byte where it was stores no map at all,
//! only the offset of its first byte: the fast path of the issue costs one
//! copy of the text.
//!
//! Invariants, for views built by the normalizer: every entry lies on char
//! boundaries of the original, entries never go backwards (starts and ends
//! are both non-decreasing), and a character the normalizer dropped as
//! invisible (a zero-width space, the variation selector and keycap mark of
//! `5️⃣`, a combining accent) belongs to the span of its neighbour, so a
//! mapped-back span never splits such a cluster.

use std::ops::Range;

use crate::span::Span;

/// A normalized string and, for each of its bytes, the original span that produced it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    text: String,
    map: Map,
}

/// The map from view bytes to original spans.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Map {
    /// View byte `i` is original byte `offset + i` (ASCII text kept in place).
    Shifted(usize),
    /// `spans[i]` is `[start, end)` of the original behind view byte `i`.
    Spans(Vec<[u32; 2]>),
}

impl Default for Map {
    fn default() -> Map {
        Map::Shifted(0)
    }
}

impl View {
    /// Builds a view of ASCII `text` whose byte `i` came from original byte `offset + i`.
    pub(super) fn shifted(text: String, offset: usize) -> View {
        debug_assert!(text.is_ascii());
        View {
            text,
            map: Map::Shifted(offset),
        }
    }

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
    /// The result covers every original character behind any byte of the
    /// range, and whatever lies between them (the separators of a squashed
    /// `v e n m o`, the spaces of `five five five`). The range is clamped to
    /// the view; an empty range maps to an empty span at the original
    /// position of its start.
    pub fn to_original(&self, range: Range<usize>) -> Span {
        let end = range.end.min(self.text.len());
        let start = range.start.min(end);
        if start == end {
            let at = match self.origin(start) {
                Some(span) => span.start(),
                None => self
                    .text
                    .len()
                    .checked_sub(1)
                    .and_then(|i| self.origin(i))
                    .map_or(
                        match self.map {
                            Map::Shifted(offset) => offset,
                            Map::Spans(_) => 0,
                        },
                        |s| s.end(),
                    ),
            };
            return Span::new(at, at);
        }
        match (self.origin(start), self.origin(end - 1)) {
            (Some(first), Some(last)) => first.cover(last),
            _ => Span::new(0, 0),
        }
    }

    /// Returns the original span behind one byte of the view, if in range.
    pub fn origin(&self, index: usize) -> Option<Span> {
        match &self.map {
            Map::Shifted(offset) => {
                (index < self.text.len()).then(|| Span::new(offset + index, offset + index + 1))
            }
            Map::Spans(spans) => spans
                .get(index)
                .map(|&[s, e]| Span::new(s as usize, e as usize)),
        }
    }

    /// Returns the raw `[start, end)` entry of view byte `index` (which must be in range).
    fn raw(&self, index: usize) -> [u32; 2] {
        match &self.map {
            Map::Shifted(offset) => {
                let at = (offset + index) as u32;
                [at, at + 1]
            }
            Map::Spans(spans) => spans.get(index).copied().unwrap_or_default(),
        }
    }
}

/// Builds a [`View`] one character at a time.
///
/// Pushed spans must be monotone (each starts no earlier and ends no
/// earlier than the one before); the normalizer's builders guarantee it.
#[derive(Debug, Default)]
pub struct ViewBuilder {
    text: String,
    map: Vec<[u32; 2]>,
}

impl ViewBuilder {
    /// Starts an empty view with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> ViewBuilder {
        ViewBuilder {
            text: String::with_capacity(capacity),
            map: Vec::with_capacity(capacity),
        }
    }

    /// Appends `ch`, produced by the original bytes `start..end`.
    pub fn push(&mut self, ch: char, start: usize, end: usize) {
        self.text.push(ch);
        let entry = [start as u32, end as u32];
        for _ in 0..ch.len_utf8() {
            self.map.push(entry);
        }
    }

    /// Appends `s`, produced by the original span `span`.
    pub fn push_str(&mut self, s: &str, span: Span) {
        self.text.push_str(s);
        let entry = [span.start() as u32, span.end() as u32];
        self.map.extend(std::iter::repeat_n(entry, s.len()));
    }

    /// Appends `s`, produced by bytes `range` of the view `base`: the pushed
    /// bytes map to the original span behind that range.
    pub(super) fn push_from(&mut self, s: &str, base: &View, range: Range<usize>) {
        let span = base.to_original(range);
        self.push_str(s, span);
    }

    /// Appends bytes `range` of `base` unchanged, with their map entries.
    pub(super) fn copy_from(&mut self, base: &View, range: Range<usize>) {
        let Some(s) = base.text.get(range.clone()) else {
            return;
        };
        self.text.push_str(s);
        match &base.map {
            Map::Spans(spans) => {
                if let Some(entries) = spans.get(range) {
                    self.map.extend_from_slice(entries);
                }
            }
            Map::Shifted(_) => self.map.extend(range.map(|i| base.raw(i))),
        }
    }

    /// Returns the number of bytes pushed so far.
    pub(super) fn len(&self) -> usize {
        self.text.len()
    }

    /// Extends the span of every byte from `from` on to end at `end`, so a
    /// dropped character joins the output it follows.
    pub(super) fn extend_tail(&mut self, from: usize, end: usize) {
        if let Some(tail) = self.map.get_mut(from..) {
            for entry in tail {
                entry[1] = entry[1].max(end as u32);
            }
        }
    }

    /// Returns the last character pushed, if any.
    pub fn last_char(&self) -> Option<char> {
        self.text.chars().next_back()
    }

    /// Removes a trailing space, if any.
    pub fn trim_end_space(&mut self) {
        if self.text.ends_with(' ') {
            self.text.pop();
            self.map.pop();
        }
    }

    /// Returns the finished view.
    pub fn finish(self) -> View {
        View {
            text: self.text,
            map: Map::Spans(self.map),
        }
    }
}
