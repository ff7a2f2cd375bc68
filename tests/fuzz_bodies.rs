//! The bodies of the fuzz targets in `fuzz/` (issue 8), driven by proptest
//! so every `cargo test` runs them on stable Rust: the whole `screen` call
//! on arbitrary text, and ruleset loading with one file replaced by
//! arbitrary text. `PROPTEST_CASES=N` runs more cases.

use std::sync::{Arc, LazyLock};

use msgscreen::{Message, Ruleset, Screener, Sender, ruleset::RulesetFiles};
use proptest::prelude::*;

#[path = "../fuzz/fuzz_targets/screen_body.rs"]
mod screen_body;

static SCREENER: LazyLock<Screener> =
    LazyLock::new(|| Screener::new(Arc::new(Ruleset::embedded().unwrap())));

static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    RulesetFiles::embedded()
        .iter()
        .map(|(name, _)| name.to_string())
        .collect()
});

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Text that reaches the detectors: digits, separators, `@`, dots, words
/// they look for, marks, zero-width and wide characters, and any char.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("5".to_string()),
        Just("-".to_string()),
        Just(" ".to_string()),
        Just("@".to_string()),
        Just(".".to_string()),
        Just("+1".to_string()),
        Just(" at ".to_string()),
        Just(" dot ".to_string()),
        Just("venmo".to_string()),
        Just("com".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{0301}".to_string()),
        Just("\u{fdfa}".to_string()),
        Just("\u{ff15}".to_string()),
        Just("four".to_string()),
        any::<char>().prop_map(String::from),
        "[a-z]{1,8}",
    ];
    prop::collection::vec(piece, 0..64).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn screen_never_panics_and_keeps_its_invariants(steer: u8, text in text()) {
        screen_body::check(&SCREENER, steer, &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    #[test]
    fn any_wordlist_file_loads_or_is_rejected_without_panic(
        pick: u8,
        content in prop_oneof![
            any::<String>(),
            prop::collection::vec(text(), 0..8).prop_map(|lines| lines.join("\n")),
            "(\\[\\[lists\\]\\]\nname = \"[a-z]{1,5}\"\nfile = \"[a-z/.]{1,12}\"\ncategory = \"[a-z.]{1,20}\"\n){0,3}",
        ],
    ) {
        let name = &NAMES[usize::from(pick) % NAMES.len()];
        let files = RulesetFiles::embedded().with_file(name, &content);
        if let Ok(ruleset) = Ruleset::build(&files) {
            let screener = Screener::new(Arc::new(ruleset));
            for text in ["text me at 206-555-0142", "pay me on venmo", "see you at nine"] {
                let _ = screener.screen(&Message::new(text, Sender::Seller));
            }
        }
    }
}
