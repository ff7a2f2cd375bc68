//! Throughput of the shape detectors (phone, email, url, social, payment
//! instrument) over the messages of the dev corpus, views built beforehand
//! so only detection is measured; and of the phone detector on its own,
//! over the dev corpus and over international numbers of many countries
//! (which defeated the `phonenumber` crate's regex cache, issue 7).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msgscreen::{Message, Ruleset, Sender, corpus, normalize};

/// International numbers as people write them, one country each, so that a
/// validator must keep many countries' patterns at hand.
const INTERNATIONAL: [&str; 24] = [
    "+44 20 7946 0958",
    "+52 1 33 1234 5678",
    "+34 612 34 56 78",
    "+49 30 123456",
    "+33 6 12 34 56 78",
    "+91 98765 43210",
    "+61 412 345 678",
    "+55 11 91234 5678",
    "+39 06 6982 1234",
    "+31 6 12345678",
    "+81 90 1234 5678",
    "+86 139 1234 5678",
    "+7 912 345 67 89",
    "+27 82 123 4567",
    "+353 85 123 4567",
    "+64 21 123 4567",
    "+48 512 345 678",
    "+90 532 123 45 67",
    "+971 50 123 4567",
    "+63 917 123 4567",
    "+234 803 123 4567",
    "+57 321 1234567",
    "+54 9 11 2345 6789",
    "+1 206 555 0142",
];

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
    group.bench_function("phone_dev_corpus", |b| {
        b.iter(|| {
            for (message, views) in &prepared {
                black_box(ruleset.detectors().detect_phones(views, message));
            }
        })
    });
    let texts: Vec<String> = INTERNATIONAL
        .iter()
        .map(|n| format!("my number is {n}, text me"))
        .collect();
    let international: Vec<_> = texts
        .iter()
        .map(|text| {
            let message = Message {
                id: "bench",
                text,
                sender: Sender::Seller,
                seller_id: "",
                language: None,
                exempt: None,
            };
            (message, normalize::normalize(text))
        })
        .collect();
    group.throughput(Throughput::Elements(international.len() as u64));
    group.bench_function("phone_international", |b| {
        b.iter(|| {
            for (message, views) in &international {
                black_box(ruleset.detectors().detect_phones(views, message));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, shape_detectors);
criterion_main!(benches);
