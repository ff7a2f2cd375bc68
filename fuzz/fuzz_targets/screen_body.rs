//! The body of the `screen` fuzz target, shared with the test suite
//! (`tests/fuzz_bodies.rs` runs it under proptest on stable Rust), so both
//! check the same invariants.

use msgscreen::{Language, Message, Screener, Sender, Verdict};

/// Screens `text` with the sender, seller id, locale and exemption picked
/// by the bits of `steer`, and checks: no panic; exactly five checks;
/// every finding's span lies in the text on char boundaries; the verdict
/// is redact exactly when there is a redacted text.
pub fn check(screener: &Screener, steer: u8, text: &str) {
    let message = Message {
        id: "fuzz",
        text,
        sender: if steer & 1 == 0 {
            Sender::Seller
        } else {
            Sender::Buyer
        },
        seller_id: if steer & 2 == 0 { "" } else { "A1FUZZ" },
        language: match steer >> 2 & 3 {
            0 => None,
            1 => Language::from_locale("en-US"),
            _ => Language::from_locale("es-US"),
        },
        exempt: (steer & 16 != 0).then_some(true),
    };
    let screening = screener.screen(&message);
    assert_eq!(screening.checks.len(), 5);
    for judged in &screening.findings {
        let span = judged.finding.span;
        assert!(span.on_char_boundaries(text), "{span:?}");
        assert!(span.end() <= text.len());
    }
    assert_eq!(
        screening.verdict == Verdict::Redact,
        screening.redacted_text.is_some()
    );
}
