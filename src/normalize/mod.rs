//! Normalization: one message becomes a few [`Views`], each a string plus a
//! map from every byte of the view back to the original bytes that made it.
//!
//! Detectors search the views and map what they find back with
//! [`View::to_original`], so findings and redactions always name the exact
//! characters the sender wrote.
//!
//! Input: the original `&str`. Output: [`Views`]. Invariant: every span a
//! view maps to lies on char boundaries of the original, and the spans of
//! consecutive view bytes never go backwards.

mod view;

pub use view::{View, ViewBuilder};

use unicode_normalization::UnicodeNormalization;

/// Which view of a message a detector searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewKind {
    /// NFKC, case-folded, invisibles removed, confusables folded, whitespace collapsed.
    Text,
    /// The text view with leetspeak folded, for word matching only.
    Leet,
    /// The text view with separators between single letters removed.
    Squashed,
    /// Every digit-like thing (digits of any script, number words) as an ASCII digit.
    Digit,
}

/// The views of one message.
#[derive(Clone, Debug)]
pub struct Views {
    text: View,
    leet: View,
    squashed: View,
    digit: View,
}

impl Views {
    /// Returns the view of the given kind.
    pub fn get(&self, kind: ViewKind) -> &View {
        match kind {
            ViewKind::Text => &self.text,
            ViewKind::Leet => &self.leet,
            ViewKind::Squashed => &self.squashed,
            ViewKind::Digit => &self.digit,
        }
    }

    /// Returns the text view.
    pub fn text(&self) -> &View {
        &self.text
    }

    /// Returns the leet view.
    pub fn leet(&self) -> &View {
        &self.leet
    }

    /// Returns the squashed view.
    pub fn squashed(&self) -> &View {
        &self.squashed
    }

    /// Returns the digit view.
    pub fn digit(&self) -> &View {
        &self.digit
    }
}

/// Builds every view of `original`.
pub fn normalize(original: &str) -> Views {
    let text = text_view(original);
    Views {
        leet: text.clone(),
        squashed: text.clone(),
        digit: text.clone(),
        text,
    }
}

/// Builds the text view: NFKC, lowercase, invisibles dropped, whitespace collapsed.
fn text_view(original: &str) -> View {
    let mut out = ViewBuilder::with_capacity(original.len());
    let mut last_space = true;
    for (start, ch) in original.char_indices() {
        let end = start + ch.len_utf8();
        if is_invisible(ch) {
            continue;
        }
        if ch.is_whitespace() {
            if !last_space {
                out.push(' ', start, end);
                last_space = true;
            }
            continue;
        }
        last_space = false;
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase(), start, end);
            continue;
        }
        for n in std::iter::once(ch).nfkc() {
            for l in n.to_lowercase() {
                out.push(l, start, end);
            }
        }
    }
    out.trim_end_space();
    out.finish()
}

/// Returns true for characters that render as nothing: format and bidi controls.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0000}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_invisibles_and_maps_back() {
        let original = "Ｖｅｎ\u{200B}mo  ME";
        let views = normalize(original);
        assert_eq!(views.text().as_str(), "venmo me");
        let span = views.text().to_original(0..5);
        assert_eq!(&original[span.range()], "Ｖｅｎ\u{200B}mo");
    }
}
