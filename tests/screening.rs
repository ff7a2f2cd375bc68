//! Data-driven screening cases: every `tests/cases/screen/*.jsonl` file, in
//! the labeled-corpus format of policy.md, screened with the embedded
//! ruleset. Each case must get its verdict, exactly its categories, and
//! leave none of its `must_redact` strings. Set `MSGSCREEN_CASE=<substring>`
//! to run only the cases whose id or file contains it.

use std::{path::Path, sync::Arc};

use msgscreen::{Ruleset, Screener, corpus};

#[test]
fn screening_cases() {
    let screener = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
    let filter = std::env::var("MSGSCREEN_CASE").unwrap_or_default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/screen");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let (mut ran, mut failures) = (0, Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let cases = corpus::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for case in cases {
            if !filter.is_empty() && !case.case.id.contains(&filter) && !name.contains(&filter) {
                continue;
            }
            ran += 1;
            let (outcome, screening) = corpus::screen_case(&screener, &case);
            if !outcome.passed() {
                failures.push(format!(
                    "{name} {}: expected {} {:?}, got {} {:?} leaked {:?} rules {:?}\n    text: {}\n    redacted: {:?}",
                    outcome.id,
                    outcome.expected_verdict,
                    outcome.expected,
                    outcome.got_verdict,
                    outcome.got,
                    outcome.leaked,
                    outcome.rules,
                    case.case.text,
                    screening.redacted_text,
                ));
            }
        }
    }
    assert!(
        ran > 0 || !filter.is_empty(),
        "no screening case found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} screening cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
