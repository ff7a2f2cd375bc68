//! Fuzzes ruleset loading (issue 8): one file of the embedded ruleset (the
//! manifest, a phrase list or a data file, picked by the first byte) is
//! replaced by the fuzzer's text, and the ruleset is built.
//!
//! Checks: building never panics, whatever the file holds; a ruleset that
//! builds screens a few ordinary messages without panicking.

#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use msgscreen::{Message, Ruleset, Screener, Sender, ruleset::RulesetFiles};

static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    RulesetFiles::embedded()
        .iter()
        .map(|(name, _)| name.to_string())
        .collect()
});

const MESSAGES: &[&str] = &[
    "text me at 206-555-0142 tonight",
    "pay me on venmo, it's cheaper",
    "see you at nine, thanks!",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let Ok(content) = std::str::from_utf8(content) else {
        return;
    };
    let name = &NAMES[usize::from(pick) % NAMES.len()];
    let files = RulesetFiles::embedded().with_file(name, content);
    if let Ok(ruleset) = Ruleset::build(&files) {
        let screener = Screener::new(Arc::new(ruleset));
        for text in MESSAGES {
            let _ = screener.screen(&Message::new(text, Sender::Seller));
        }
    }
});
