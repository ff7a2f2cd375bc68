//! Building views (issue 3, "Speed"): every message of the dev corpus, a
//! plain-ASCII message and an evasive one; text view only and all four
//! views. For scale, the same groups time a plain lowercase copy (the
//! floor) and the whole screening of each message with the embedded
//! ruleset (the budget: views must cost under a quarter of it).
//!
//! Run with `cargo bench --bench normalize`; criterion prints messages/s
//! (the `*_msgs` groups) and bytes/s (the `*_bytes` groups).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msgscreen::{
    Message, Ruleset, Screener, Sender, corpus,
    normalize::{self, ViewKind},
};
use std::{hint::black_box, sync::Arc};

/// A typical plain message: ASCII, single spaces, no number words.
const ASCII: &str = "Hi, thanks for confirming the time. The dishwasher is in the garage \
    still in the box and the water shutoff is under the sink on the left. Please text me \
    here when you're done and I'll check it after work.";

/// A message that takes every slow path.
const EVASIVE: &str = "Ｐａｙ me on 𝐯𝐞𝐧𝐦𝐨 or p.a.y.p.a.l, V3nm0 wh\u{200B}ats\u{200B}app, call \
    five five five 8 6 7 5 3 0 9 or 5\u{FE0F}\u{20E3}5\u{FE0F}\u{20E3}5\u{FE0F}\u{20E3} ٥٥٥ \
    рауpаl m i k e @ g m a i l . c o m";

fn all_views(text: &str) -> usize {
    let views = normalize::normalize(text);
    ViewKind::ALL.iter().map(|&k| views.get(k).len()).sum()
}

fn text_view(text: &str) -> usize {
    normalize::normalize(text).text().len()
}

fn bench(c: &mut Criterion) {
    let screener = Screener::new(Arc::new(Ruleset::embedded().expect("embedded ruleset")));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/dev.jsonl");
    let corpus = std::fs::read_to_string(path).expect("dev corpus");
    let texts: Vec<String> = corpus::parse(&corpus)
        .expect("dev corpus parses")
        .into_iter()
        .map(|c| c.case.text)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let inputs: [(&str, Vec<&str>, usize); 3] = [
        ("dev", texts.iter().map(String::as_str).collect(), bytes),
        ("ascii", vec![ASCII], ASCII.len()),
        ("evasive", vec![EVASIVE], EVASIVE.len()),
    ];
    for (name, msgs, size) in &inputs {
        for (unit, throughput) in [
            ("msgs", Throughput::Elements(msgs.len() as u64)),
            ("bytes", Throughput::Bytes(*size as u64)),
        ] {
            let mut group = c.benchmark_group(format!("normalize_{name}_{unit}"));
            group.throughput(throughput);
            group.bench_function("all_views", |b| {
                b.iter(|| msgs.iter().map(|m| all_views(black_box(m))).sum::<usize>())
            });
            group.bench_function("text_view", |b| {
                b.iter(|| msgs.iter().map(|m| text_view(black_box(m))).sum::<usize>())
            });
            group.bench_function("lowercase_copy", |b| {
                b.iter(|| {
                    msgs.iter()
                        .map(|m| black_box(m).to_lowercase().len())
                        .sum::<usize>()
                })
            });
            group.bench_function("screen", |b| {
                b.iter(|| {
                    msgs.iter()
                        .map(|m| {
                            let message = Message::new(black_box(m), Sender::Buyer);
                            screener.screen(&message).findings.len()
                        })
                        .sum::<usize>()
                })
            });
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
