//! Normalization: one message becomes a few [`Views`], each a string plus a
//! map from every byte of the view back to the original bytes that made it.
//!
//! Detectors search the views and map what they find back with
//! [`View::to_original`], so findings and redactions always name the exact
//! characters the sender wrote (issue 3: "see through evasion and map back
//! to the exact original characters").
//!
//! Input: the original `&str`. Output: [`Views`]. Invariants: every span a
//! view maps to lies on char boundaries of the original, the spans of
//! consecutive view bytes never go backwards, and a grapheme the normalizer
//! folds as one unit (a keycap `5️⃣`, a letter with its zalgo marks, a
//! word with the zero-width spaces inside it) is never split. What to look
//! for in the views, and what a finding means, is left to `detect`.
//!
//! The four views ([`ViewKind`]):
//!
//! - **text** (`fold.rs`): NFKD per character, combining marks dropped,
//!   decimal digits of every script and digit symbols (`⑤`, `❺`, `٥`) to
//!   ASCII, confusables folded, lowercase, invisibles dropped, whitespace
//!   collapsed, right-to-left overrides read in display order.
//! - **leet** (`leet.rs`): the text view with leetspeak folded inside words
//!   (`v3nm0` → `venmo`, `p@ypal` → `paypal`), for word matching only:
//!   numbers, prices and email addresses are left alone.
//! - **squashed** (`squash.rs`): the text view with the separators between
//!   runs of at least three single characters removed (`v e n m o`,
//!   `p.a.y.p.a.l`, `j o h n @ g m a i l . c o m`).
//! - **digit** (`digits.rs`): the text view with number words (English and
//!   Spanish, `double five`) as digits and spaced-out digit runs glued
//!   (`five five five 8 6 7` → `555867`); other words stay for context.
//!
//! Confusable data: the UTS #39 `confusables.txt` table, as shipped in JSON
//! by the PyPI package `confusable_homoglyphs` 3.3.1 (MIT; the data is under
//! the Unicode License v3), filtered by `gen_tables.py` into `tables.rs`:
//! only non-ASCII sources, only to one ASCII letter, digit, `@` or `.`, no
//! letter folded to a digit. Not `unicode-security`'s skeleton, which folds
//! ASCII into ASCII (`m` → `rn`) and keeps no offsets, nor `decancer`,
//! whose ranges point into the cured string and which cures `＠` into `a`.
//!
//! Cost: plain ASCII with single spaces takes a fast path (one lowercase
//! copy, no map: [`View`] stores an offset instead); the leet, squashed and
//! digit views are built on first use, and when one would equal the text
//! view it is not stored at all.

mod digits;
mod fold;
mod leet;
mod squash;
mod tables;
mod view;

use std::sync::OnceLock;

pub use fold::extends_cluster;
pub use view::{View, ViewBuilder};

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

impl ViewKind {
    /// Every view kind, in a fixed order.
    pub const ALL: [ViewKind; 4] = [
        ViewKind::Text,
        ViewKind::Leet,
        ViewKind::Squashed,
        ViewKind::Digit,
    ];

    /// Returns the kind's name as written in test case files (`text`, `leet`, `squashed`, `digit`).
    pub fn as_str(self) -> &'static str {
        match self {
            ViewKind::Text => "text",
            ViewKind::Leet => "leet",
            ViewKind::Squashed => "squashed",
            ViewKind::Digit => "digit",
        }
    }
}

impl std::str::FromStr for ViewKind {
    type Err = String;

    fn from_str(s: &str) -> Result<ViewKind, String> {
        ViewKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown view kind {s:?}"))
    }
}

/// The views of one message.
///
/// The text view is built by [`normalize`]; the others on first use. A
/// derived view that would equal the text view is not stored: its getter
/// returns the text view.
#[derive(Clone, Debug)]
pub struct Views {
    text: View,
    leet: OnceLock<Option<View>>,
    squashed: OnceLock<Option<View>>,
    digit: OnceLock<Option<View>>,
}

impl Views {
    /// Returns the view of the given kind.
    pub fn get(&self, kind: ViewKind) -> &View {
        match kind {
            ViewKind::Text => &self.text,
            ViewKind::Leet => self.leet(),
            ViewKind::Squashed => self.squashed(),
            ViewKind::Digit => self.digit(),
        }
    }

    /// Returns the text view.
    pub fn text(&self) -> &View {
        &self.text
    }

    /// Returns the leet view.
    pub fn leet(&self) -> &View {
        self.leet
            .get_or_init(|| leet::leet_view(&self.text))
            .as_ref()
            .unwrap_or(&self.text)
    }

    /// Returns the squashed view.
    pub fn squashed(&self) -> &View {
        self.squashed
            .get_or_init(|| squash::squashed_view(&self.text))
            .as_ref()
            .unwrap_or(&self.text)
    }

    /// Returns the digit view.
    pub fn digit(&self) -> &View {
        self.digit
            .get_or_init(|| digits::digit_view(&self.text))
            .as_ref()
            .unwrap_or(&self.text)
    }
}

/// The longest text the normalizer reads: view maps store `u32` offsets.
/// Far above any message the service accepts; longer input is normalized
/// up to the last char boundary before it.
const MAX_LEN: usize = u32::MAX as usize - 1;

/// Builds the views of `original` (the text view now, the others on first use).
pub fn normalize(original: &str) -> Views {
    let original = if original.len() > MAX_LEN {
        let mut end = MAX_LEN;
        while !original.is_char_boundary(end) {
            end -= 1;
        }
        &original[..end]
    } else {
        original
    };
    Views {
        text: fold::text_view(original),
        leet: OnceLock::new(),
        squashed: OnceLock::new(),
        digit: OnceLock::new(),
    }
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

    #[test]
    fn view_kinds_round_trip() {
        for kind in ViewKind::ALL {
            assert_eq!(kind.as_str().parse::<ViewKind>(), Ok(kind));
        }
    }
}
