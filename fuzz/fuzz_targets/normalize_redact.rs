//! Fuzzes the normalizer and redaction (issue 3): any UTF-8 input, every
//! view, spans picked from the views by the fuzzer's own bytes.
//!
//! Checks: no panic; every view byte maps to a non-empty, char-aligned,
//! in-bounds, monotone original span; redacting mapped spans leaves no
//! byte of them in the output.

#![no_main]

use libfuzzer_sys::fuzz_target;
use msgscreen::{
    normalize::{self, ViewKind},
    redact::redact,
    span::Span,
};

fuzz_target!(|data: &[u8]| {
    // The last 8 bytes steer which view ranges get redacted.
    let (text, steer) = data.split_at(data.len().saturating_sub(8));
    let Ok(original) = std::str::from_utf8(text) else {
        return;
    };
    let views = normalize::normalize(original);
    let mut spans = Vec::new();
    for (n, kind) in ViewKind::ALL.into_iter().enumerate() {
        let view = views.get(kind);
        let mut prev = Span::new(0, 0);
        for i in 0..view.len() {
            let span = view.origin(i).expect("in range");
            assert!(span.on_char_boundaries(original), "{kind:?} {i} {span:?}");
            assert!(!span.is_empty());
            assert!(span.start() >= prev.start() && span.end() >= prev.end());
            prev = span;
        }
        if let (Some(&a), Some(&b)) = (steer.get(2 * n), steer.get(2 * n + 1)) {
            let len = view.len().max(1);
            let (a, b) = (usize::from(a) % len, usize::from(b) % len);
            let span = view.to_original(a.min(b)..a.max(b) + 1);
            assert!(span.on_char_boundaries(original));
            spans.push(span);
        }
    }
    let pairs: Vec<(Span, &str)> = spans.iter().map(|&s| (s, "")).collect();
    let out = redact(original, &pairs);
    let mut kept = Vec::with_capacity(original.len());
    for (i, b) in original.bytes().enumerate() {
        if !spans.iter().any(|s| s.start() <= i && i < s.end()) {
            kept.push(b);
        }
    }
    let mut it = kept.iter();
    for b in out.bytes() {
        assert!(it.any(|k| *k == b), "a redacted byte survived");
    }
});
