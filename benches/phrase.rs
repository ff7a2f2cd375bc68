//! Throughput of the phrase detector (every wordlist term and pattern)
//! over the messages of the dev corpus, views built beforehand so only
//! phrase matching is measured: once with the shipped wordlists, once with
//! 50,000 extra synthetic terms, to show that matching cost does not grow
//! with the number of terms beyond the automaton build (issue 5).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::{hint::black_box, path::PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msgscreen::{Ruleset, corpus, normalize, ruleset::RulesetFiles};

/// How many synthetic terms the second ruleset adds.
const EXTRA_TERMS: usize = 50_000;

/// Writes the embedded ruleset plus one list of synthetic terms to a
/// temporary directory and returns it.
fn ruleset_with_extra_terms() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msgscreen-bench-phrase-{}", std::process::id()));
    let files = RulesetFiles::embedded();
    for (name, content) in files.iter() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let content = if name == "policy.toml" {
            format!(
                "{content}\n[[lists]]\nname = \"synthetic\"\nfile = \"bench/synthetic.txt\"\ncategory = \"marketing\"\n"
            )
        } else {
            content.to_string()
        };
        std::fs::write(&path, content).unwrap();
    }
    // Pronounceable, distinct, and absent from real messages: one or two
    // words of consonant-vowel syllables drawn from a counter.
    let syllables = [
        "ka", "zo", "qui", "vex", "lu", "tor", "mib", "sa", "dre", "fo",
    ];
    let word = |mut n: usize| {
        let mut w = String::from("x");
        for _ in 0..5 {
            w.push_str(syllables[n % syllables.len()]);
            n /= syllables.len();
        }
        w
    };
    let mut terms = String::new();
    for i in 0..EXTRA_TERMS {
        if i % 3 == 0 {
            terms.push_str(&format!("{} {}\n", word(i), word(i * 7 + 1)));
        } else {
            terms.push_str(&word(i));
            terms.push('\n');
        }
    }
    std::fs::create_dir_all(dir.join("bench")).unwrap();
    std::fs::write(dir.join("bench/synthetic.txt"), terms).unwrap();
    dir
}

fn phrase_matching(c: &mut Criterion) {
    let text = include_str!("../tests/cases/dev.jsonl");
    let cases = corpus::parse(text).expect("dev corpus parses");
    let prepared: Vec<_> = cases
        .iter()
        .map(|case| (case.message(), normalize::normalize(&case.case.text)))
        .collect();
    let shipped = Ruleset::embedded().expect("embedded ruleset builds");
    let dir = ruleset_with_extra_terms();
    let extra = Ruleset::from_dir(&dir).expect("ruleset with synthetic terms builds");
    std::fs::remove_dir_all(&dir).ok();

    let mut group = c.benchmark_group("phrase");
    group.throughput(Throughput::Elements(prepared.len() as u64));
    for (name, ruleset) in [("shipped_lists", &shipped), ("plus_50k_terms", &extra)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for (message, views) in &prepared {
                    black_box(ruleset.detectors().detect_phrases(views, message));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, phrase_matching);
criterion_main!(benches);
