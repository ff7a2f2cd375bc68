//! The acceptance gate of the shape detectors (issue 4) on the labeled dev
//! corpus: for each of `contact.phone`, `contact.email`, `contact.url`,
//! `contact.social` and `payment.instrument`, message-level recall ≥ 0.97
//! and precision ≥ 0.98, at most 1% of the `must_redact` strings of their
//! messages survive redaction, and no clean message gets one of them.

use std::{collections::BTreeSet, path::Path, sync::Arc};

use msgscreen::{Category, Ruleset, Screener, corpus};

const SHAPES: [Category; 5] = [
    Category::ContactPhone,
    Category::ContactEmail,
    Category::ContactUrl,
    Category::ContactSocial,
    Category::PaymentInstrument,
];

#[test]
fn shape_detectors_meet_the_dev_corpus_gate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/dev.jsonl");
    let cases = corpus::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let screener = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
    let shapes: BTreeSet<Category> = SHAPES.into_iter().collect();
    let mut failures = Vec::new();
    let (mut tp, mut fp, mut fn_) = ([0usize; 5], [0usize; 5], [0usize; 5]);
    let (mut strings, mut leaked, mut clean_hits) = (0, 0, 0);
    for case in &cases {
        let (outcome, _) = corpus::screen_case(&screener, case);
        for (i, category) in SHAPES.iter().enumerate() {
            match (
                outcome.expected.contains(category),
                outcome.got.contains(category),
            ) {
                (true, true) => tp[i] += 1,
                (false, true) => fp[i] += 1,
                (true, false) => fn_[i] += 1,
                (false, false) => continue,
            }
            if outcome.expected.contains(category) != outcome.got.contains(category) {
                failures.push(format!(
                    "{} {category}: expected {} rules {:?}",
                    outcome.id,
                    outcome.expected.contains(category),
                    outcome.rules
                ));
            }
        }
        if case.categories.iter().any(|c| shapes.contains(c)) {
            strings += case.case.must_redact.len();
            leaked += outcome.leaked.len();
            if !outcome.leaked.is_empty() {
                failures.push(format!("{} leaked {:?}", outcome.id, outcome.leaked));
            }
        }
        if case.categories.is_empty() && outcome.got.iter().any(|c| shapes.contains(c)) {
            clean_hits += 1;
        }
    }
    let mut gate_ok = clean_hits == 0 && leaked * 100 <= strings;
    for (i, category) in SHAPES.iter().enumerate() {
        let precision = ratio(tp[i], tp[i] + fp[i]);
        let recall = ratio(tp[i], tp[i] + fn_[i]);
        eprintln!(
            "{category}: tp {} fp {} fn {} precision {precision:.3} recall {recall:.3}",
            tp[i], fp[i], fn_[i]
        );
        gate_ok &= precision >= 0.98 && recall >= 0.97;
    }
    eprintln!(
        "must_redact leaked {leaked} of {strings}; clean messages with a shape finding {clean_hits}"
    );
    assert!(
        gate_ok,
        "shape detector gate failed:\n{}",
        failures.join("\n")
    );
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}
