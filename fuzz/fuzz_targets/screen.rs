//! Fuzzes the whole `screen` call (issue 8): any UTF-8 text, either sender,
//! any locale and exemption, with the embedded ruleset.
//!
//! Checks: no panic; exactly five checks; every finding's span lies on char
//! boundaries of the text; the verdict is redact exactly when there is a
//! redacted text, which is valid UTF-8 by construction.

#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use msgscreen::{Language, Message, Ruleset, Screener, Sender, Verdict};

static SCREENER: LazyLock<Screener> =
    LazyLock::new(|| Screener::new(Arc::new(Ruleset::embedded().expect("embedded ruleset"))));

fuzz_target!(|data: &[u8]| {
    // The first byte steers sender, locale and exemption.
    let Some((&steer, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let message = Message {
        id: "fuzz",
        text,
        sender: if steer & 1 == 0 { Sender::Seller } else { Sender::Buyer },
        seller_id: if steer & 2 == 0 { "" } else { "A1FUZZ" },
        language: match steer >> 2 & 3 {
            0 => None,
            1 => Language::from_locale("en-US"),
            _ => Language::from_locale("es-US"),
        },
        exempt: (steer & 16 != 0).then_some(true),
    };
    let screening = SCREENER.screen(&message);
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
});
