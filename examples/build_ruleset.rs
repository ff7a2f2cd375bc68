//! Builds a ruleset N times in one thread: a fixed workload for
//! instruction counts of ruleset build time (issue 7).
//!
//! ```text
//! cargo build --release --example build_ruleset
//! valgrind --tool=callgrind target/release/examples/build_ruleset 0
//! valgrind --tool=callgrind target/release/examples/build_ruleset 2
//! ```
//!
//! `build_ruleset BUILDS [DIR] [--warm]` builds the embedded ruleset, or the one in
//! `DIR`, once (paying the once-per-process costs, such as the phone
//! numbering metadata) and then BUILDS times more; the difference of two
//! totals over the difference of BUILDS is the instructions per build,
//! and the `0` run alone is a fresh process's start. Unlike
//! `screen_corpus 0`, nothing is screened, so lazily compiled parts of
//! the ruleset stay uncompiled; with `--warm` each build is also warmed
//! (`Ruleset::warm`) as a server does before it serves. It prints the
//! wall time of the first build and the mean of the others.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::{path::PathBuf, process::ExitCode, time::Instant};

use msgscreen::Ruleset;

/// The allocator the service runs with (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `--warm` also compiles what a server compiles before it serves.
    let all: Vec<String> = std::env::args().skip(1).collect();
    let warm = all.iter().any(|a| a == "--warm");
    let mut args = all.into_iter().filter(|a| a != "--warm");
    let builds: usize = match args.next().map(|a| a.parse()) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("build_ruleset: BUILDS must be a whole number: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = args.next().map(PathBuf::from);
    let build = || {
        let ruleset = match &dir {
            Some(dir) => Ruleset::from_dir(dir),
            None => Ruleset::embedded(),
        }?;
        if warm {
            ruleset.warm();
        }
        Ok::<_, msgscreen::ruleset::LoadRulesetError>(ruleset)
    };
    let started = Instant::now();
    if let Err(e) = build() {
        eprintln!("build_ruleset: {e}");
        return ExitCode::FAILURE;
    }
    let first = started.elapsed();
    let started = Instant::now();
    for _ in 0..builds {
        match build() {
            Ok(ruleset) => drop(std::hint::black_box(ruleset)),
            Err(e) => {
                eprintln!("build_ruleset: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let each = started.elapsed() / u32::try_from(builds.max(1)).unwrap_or(u32::MAX);
    println!(
        "first build {:.1} ms, then {builds} builds at {:.1} ms each",
        first.as_secs_f64() * 1e3,
        each.as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}
