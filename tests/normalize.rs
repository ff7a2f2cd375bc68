//! Normalization: the table of evasion cases in `tests/cases/normalize.tsv`
//! (issue 3) and the invariants of the views as proptest properties.
//!
//! Set `MSGSCREEN_CASE=<substring>` to run only the cases whose id contains it.

use std::{path::Path, sync::Arc};

use msgscreen::{
    Ruleset, Screener, Sender,
    message::Message,
    normalize::{self, ViewKind},
    redact::redact,
    span::Span,
};
use proptest::prelude::*;

/// One line of the case table.
struct Case {
    line: usize,
    id: String,
    view: ViewKind,
    input: String,
    expected: String,
    mark: String,
    original: String,
}

/// Decodes the `\u{XXXX}`, `\t`, `\n` and `\\` escapes of a table field.
fn unescape(field: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = rest
                    .strip_prefix('{')
                    .ok_or_else(|| format!("bad escape \\u{rest}"))?;
                let cp = u32::from_str_radix(hex, 16).map_err(|e| format!("{hex}: {e}"))?;
                out.push(char::from_u32(cp).ok_or_else(|| format!("{hex}: not a char"))?);
            }
            other => return Err(format!("unknown escape \\{other:?}")),
        }
    }
    Ok(out)
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            6,
            "normalize.tsv line {}: expected 6 tab-separated fields",
            n + 1
        );
        let field = |i: usize| {
            unescape(fields[i]).unwrap_or_else(|e| panic!("normalize.tsv line {}: {e}", n + 1))
        };
        cases.push(Case {
            line: n + 1,
            id: fields[0].to_string(),
            view: fields[1]
                .parse()
                .unwrap_or_else(|e| panic!("normalize.tsv line {}: {e}", n + 1)),
            input: field(2),
            expected: field(3),
            mark: field(4),
            original: field(5),
        });
    }
    cases
}

#[test]
fn normalize_cases() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/normalize.tsv");
    let cases = parse_cases(&std::fs::read_to_string(&path).unwrap());
    let filter = std::env::var("MSGSCREEN_CASE").unwrap_or_default();
    let mut ids = std::collections::HashSet::new();
    let (mut ran, mut failures) = (0, Vec::new());
    for case in &cases {
        assert!(ids.insert(&case.id), "duplicate case id {}", case.id);
        if !case.id.contains(&filter) {
            continue;
        }
        ran += 1;
        let views = normalize::normalize(&case.input);
        let view = views.get(case.view);
        if view.as_str() != case.expected {
            failures.push(format!(
                "{} (line {}): {} view of {:?}\n    expected {:?}\n    got      {:?}",
                case.id,
                case.line,
                case.view.as_str(),
                case.input,
                case.expected,
                view.as_str()
            ));
            continue;
        }
        if case.mark.is_empty() {
            continue;
        }
        let Some(at) = view.as_str().find(&case.mark) else {
            failures.push(format!("{}: mark {:?} not in the view", case.id, case.mark));
            continue;
        };
        let span = view.to_original(at..at + case.mark.len());
        let got = span.slice(&case.input);
        if got != Some(case.original.as_str()) {
            failures.push(format!(
                "{} (line {}): {:?} maps back to {:?}, expected {:?}",
                case.id, case.line, case.mark, got, case.original
            ));
        }
    }
    assert!(ran > 0 || !filter.is_empty(), "no normalize case found");
    assert!(
        failures.is_empty(),
        "{} of {ran} normalize cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn redaction_removes_the_whole_spaced_run() {
    let original = "mail j o h n @ g m a i l . c o m now";
    let views = normalize::normalize(original);
    let view = views.squashed();
    let at = view.as_str().find("john@gmail.com").unwrap();
    let span = view.to_original(at..at + "john@gmail.com".len());
    assert_eq!(redact(original, &[(span, "[email]")]), "mail [email] now");
}

#[test]
fn redaction_never_splits_a_keycap() {
    let original = "call 5\u{FE0F}\u{20E3}5\u{FE0F}\u{20E3} now";
    // A span that stops before the keycap's marks, as a raw-text detector might give.
    let start = original.find('5').unwrap();
    let out = redact(original, &[(Span::new(start, start + 1), "#")]);
    assert_eq!(out, "call #5\u{FE0F}\u{20E3} now");
}

/// Strings rich in what the normalizer treats specially.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Z0-9 .@$|!/\\\\_*-]{1,6}",
        Just("five".to_string()),
        Just("oh".to_string()),
        Just("double".to_string()),
        Just("o".to_string()),
        Just("\u{FE0F}\u{20E3}".to_string()),
        Just("\u{202E}".to_string()),
        Just("\u{202C}".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{0301}".to_string()),
        Just("ⓔ⑤٥５＠．".to_string()),
        Just("ﬁ¨ǅİ".to_string()),
        Just("\n".to_string()),
        "\\PC{1,3}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

/// Checks that every byte of every view maps to a char-aligned, in-bounds,
/// monotone original span.
fn check_maps(original: &str) -> Result<(), TestCaseError> {
    let views = normalize::normalize(original);
    for kind in ViewKind::ALL {
        let view = views.get(kind);
        let mut prev = Span::new(0, 0);
        for i in 0..view.len() {
            let span = view.origin(i).unwrap();
            prop_assert!(
                span.on_char_boundaries(original),
                "{kind:?} byte {i}: {span:?} not on char boundaries of {original:?}"
            );
            prop_assert!(!span.is_empty(), "{kind:?} byte {i}: empty span");
            prop_assert!(
                span.start() >= prev.start() && span.end() >= prev.end(),
                "{kind:?} byte {i}: {span:?} goes back from {prev:?} in {original:?}"
            );
            prev = span;
        }
        prop_assert!(view.origin(view.len()).is_none());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn maps_are_aligned_in_bounds_and_monotone(original in hostile()) {
        check_maps(&original)?;
    }

    #[test]
    fn maps_hold_for_arbitrary_unicode(original in "\\PC{0,40}|.{0,40}") {
        check_maps(&original)?;
    }

    #[test]
    fn to_original_is_aligned_for_any_range(original in hostile(), a in 0usize..200, b in 0usize..200) {
        let views = normalize::normalize(&original);
        for kind in ViewKind::ALL {
            let span = views.get(kind).to_original(a.min(b)..a.max(b));
            prop_assert!(span.on_char_boundaries(&original), "{kind:?} {span:?} {original:?}");
        }
    }

    #[test]
    fn plain_lowercase_maps_to_itself(original in "[a-z]{0,40}") {
        let views = normalize::normalize(&original);
        for kind in [ViewKind::Text, ViewKind::Leet, ViewKind::Squashed] {
            let view = views.get(kind);
            prop_assert_eq!(view.as_str(), original.as_str());
            for i in 0..view.len() {
                prop_assert_eq!(view.origin(i), Some(Span::new(i, i + 1)));
            }
        }
    }

    #[test]
    fn redaction_leaves_no_byte_of_a_span(original in hostile(), ranges in prop::collection::vec((0usize..120, 0usize..12, 0usize..4), 0..6)) {
        let views = normalize::normalize(&original);
        let spans: Vec<Span> = ranges
            .iter()
            .map(|&(at, len, kind)| views.get(ViewKind::ALL[kind]).to_original(at..at + len))
            .filter(|s| !s.is_empty())
            .collect();
        check_redaction(&original, &spans)?;
    }

    #[test]
    fn redaction_of_findings_leaves_no_byte(original in hostile()) {
        let screener = screener();
        let findings = screener.detect(&Message::new(&original, Sender::Buyer));
        let spans: Vec<Span> = findings.iter().map(|f| f.span).collect();
        check_redaction(&original, &spans)?;
    }
}

fn screener() -> Screener {
    static SCREENER: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
    SCREENER
        .get_or_init(|| Screener::new(Arc::new(Ruleset::embedded().unwrap())))
        .clone()
}

/// Redacts `spans` with an empty placeholder and checks the output is
/// exactly the original with every byte of every span removed.
fn check_redaction(original: &str, spans: &[Span]) -> Result<(), TestCaseError> {
    let pairs: Vec<(Span, &str)> = spans.iter().map(|&s| (s, "")).collect();
    let out = redact(original, &pairs);
    let mut covered = vec![false; original.len()];
    for s in spans {
        let end = s.end().min(original.len());
        for c in &mut covered[s.start().min(end)..end] {
            *c = true;
        }
    }
    // Every covered byte is gone: the output is a subsequence of the
    // uncovered bytes, in order.
    let kept: Vec<u8> = original
        .bytes()
        .zip(&covered)
        .filter(|(_, c)| !**c)
        .map(|(b, _)| b)
        .collect();
    let mut it = kept.iter();
    for b in out.bytes() {
        prop_assert!(
            it.any(|k| *k == b),
            "output {out:?} keeps a redacted byte of {original:?} ({spans:?})"
        );
    }
    prop_assert!(out.len() <= kept.len());
    Ok(())
}
