//! Screens every message of a labeled corpus N times in one thread and
//! prints the number of findings and the rate: a fixed workload for
//! instruction counts, which stay steady on a shared machine where wall
//! time does not (issue 7).
//!
//! ```text
//! cargo build --release --example screen_corpus
//! valgrind --tool=callgrind target/release/examples/screen_corpus 10
//! valgrind --tool=callgrind target/release/examples/screen_corpus 0   # build only
//! ```
//!
//! The difference of the two totals over 10 × 570 messages is the
//! instructions per message. `screen_corpus PASSES [CORPUS]`; the corpus
//! defaults to `tests/cases/dev.jsonl`. One unmeasured warm-up pass runs
//! first in both, so the difference is the steady state of a long-running
//! server, without the lazy DFA states the first messages build; its
//! findings are not counted.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::{process::ExitCode, sync::Arc, time::Instant};

use msgscreen::{Ruleset, Screener, corpus};

/// The allocator the service runs with (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let passes: usize = match args.next().map(|a| a.parse()) {
        None => 10,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("screen_corpus: PASSES must be a whole number: {e}");
            return ExitCode::from(2);
        }
    };
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/dev.jsonl").to_string()
    });
    let cases = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| corpus::parse(&text).map_err(|e| e.to_string()))
    {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("screen_corpus: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ruleset = match Ruleset::embedded() {
        Ok(ruleset) => ruleset,
        Err(e) => {
            eprintln!("screen_corpus: embedded ruleset: {e}");
            return ExitCode::FAILURE;
        }
    };
    let screener = Screener::new(Arc::new(ruleset));
    let messages: Vec<_> = cases.iter().map(|c| c.message()).collect();
    for message in &messages {
        std::hint::black_box(screener.screen(message));
    }
    let started = Instant::now();
    let mut findings = 0;
    for _ in 0..passes {
        for message in &messages {
            findings += screener.screen(message).findings.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let screened = passes * messages.len();
    println!(
        "{screened} messages screened, {findings} findings, {:.0} messages/s",
        screened as f64 / seconds.max(f64::MIN_POSITIVE)
    );
    ExitCode::SUCCESS
}
