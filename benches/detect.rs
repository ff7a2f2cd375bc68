//! Throughput of the shape detectors (phone, email, url, social, payment
//! instrument) over the messages of the dev corpus, views built beforehand
//! so only detection is measured.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msgscreen::{Ruleset, corpus, normalize};

fn shape_detectors(c: &mut Criterion) {
    let text = include_str!("../tests/cases/dev.jsonl");
    let cases = corpus::parse(text).expect("dev corpus parses");
    let ruleset = Ruleset::embedded().expect("embedded ruleset builds");
    let prepared: Vec<_> = cases
        .iter()
        .map(|case| (case.message(), normalize::normalize(&case.case.text)))
        .collect();
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Elements(prepared.len() as u64));
    group.bench_function("shapes_dev_corpus", |b| {
        b.iter(|| {
            for (message, views) in &prepared {
                black_box(ruleset.detectors().detect_shapes(views, message));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, shape_detectors);
criterion_main!(benches);
