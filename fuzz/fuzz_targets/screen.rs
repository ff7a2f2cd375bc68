//! Fuzzes the whole `screen` call (issue 8): any UTF-8 text, either sender,
//! any locale and exemption, with the embedded ruleset. The checks are in
//! `screen_body.rs`, shared with the test suite.

#![no_main]

mod screen_body;

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use msgscreen::{Ruleset, Screener};

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
    screen_body::check(&SCREENER, steer, text);
});
