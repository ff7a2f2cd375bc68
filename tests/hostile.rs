//! Hostile input in bounded time and memory (issue 8).
//!
//! Each case in `tests/cases/hostile/inputs.jsonl` builds a text by
//! repeating a unit up to a byte budget (64 KiB of one character, of
//! zero-width characters, 10,000 combining marks on one letter, chains of
//! `@` `.` and digits, every Unicode plane, text that normalizes to many
//! times its length, ...). Each is screened beside plain text of the same
//! length (or of its normalized length, when normalizing expands it) IN
//! THE SAME RUN, and must take at most [`MAX_RATIO`] times as
//! long: a relative bound, so a slow machine slows both sides and the test
//! is not flaky, while anything quadratic (a 64 KiB input is 65,536 times
//! its own length) fails by orders of magnitude. Memory is bounded through
//! what the screening returns: findings and the encoded response stay
//! proportional to the input.
//!
//! `MSGSCREEN_CASE=<substring>` narrows the run; `--nocapture` prints the
//! measured ratios.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use msgscreen::{Message, Ruleset, Screener, Sender, service::convert};
use prost::Message as _;
use serde::Deserialize;

/// How many times slower than plain text of the same length a hostile
/// input may screen. Generous: typical ratios are near or below 1.
const MAX_RATIO: f64 = 20.0;

/// Runs per text; the fastest counts, which filters scheduler noise.
const RUNS: usize = 2;

/// The most response bytes per input byte (findings carry a category, a
/// rule id and offsets; a redacted text is at most placeholders).
const MAX_RESPONSE_PER_BYTE: usize = 24;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostileCase {
    id: String,
    note: String,
    #[serde(default)]
    prefix: String,
    unit: String,
    bytes: usize,
}

impl HostileCase {
    /// The prefix, then the unit repeated while it fits in `bytes`.
    fn text(&self) -> String {
        let mut text = self.prefix.clone();
        while text.len() + self.unit.len() <= self.bytes {
            text.push_str(&self.unit);
        }
        text
    }
}

fn cases() -> Vec<HostileCase> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/hostile/inputs.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}")))
        .collect()
}

/// An ordinary message, repeated and cut to `bytes` (ASCII, so any cut is
/// a char boundary).
fn plain_text(bytes: usize) -> String {
    const SENTENCE: &str = "Hi! The technician will arrive at nine tomorrow to mount \
        the TV, check the wiring and fix the kitchen sink. ";
    SENTENCE.repeat(bytes / SENTENCE.len() + 1)[..bytes].to_string()
}

/// The fastest of [`RUNS`] screenings of `text`.
fn fastest(screener: &Screener, text: &str) -> Duration {
    (0..RUNS)
        .map(|_| {
            let message = Message::new(text, Sender::Seller);
            let started = Instant::now();
            let screening = screener.screen(&message);
            let elapsed = started.elapsed();
            std::hint::black_box(screening);
            elapsed
        })
        .min()
        .unwrap_or_default()
}

/// [`fastest`] on its own thread, given up on after `limit`: a runaway
/// (quadratic or worse) input fails the test instead of hanging it. The
/// abandoned thread ends with the test process.
fn fastest_within(screener: &Screener, text: &str, limit: Duration) -> Option<Duration> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (screener, text) = (screener.clone(), text.to_string());
    std::thread::spawn(move || {
        let _ = tx.send(fastest(&screener, &text));
    });
    rx.recv_timeout(limit).ok()
}

#[test]
fn hostile_inputs_screen_in_time_proportional_to_plain_text() {
    let screener = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
    let filter = std::env::var("MSGSCREEN_CASE").unwrap_or_default();
    let mut baselines: HashMap<usize, Duration> = HashMap::new();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases().iter().filter(|c| c.id.contains(&filter)) {
        ran += 1;
        let text = case.text();
        assert!(text.len() <= case.bytes && text.len() + case.unit.len() > case.bytes);
        // Plain text as long as the input, or as its text view when
        // normalizing expands it (U+FDFA is 3 bytes and 33 once
        // normalized: screening it costs the view's length, not the
        // input's). Timed once per length.
        let bytes = case
            .bytes
            .max(msgscreen::normalize::normalize(&text).text().len());
        let plain = *baselines
            .entry(bytes)
            .or_insert_with(|| fastest(&screener, &plain_text(bytes)));
        // RUNS screenings at the allowed ratio, twice over, before giving up.
        let limit = plain.mul_f64(MAX_RATIO * RUNS as f64 * 2.0) + Duration::from_secs(1);
        let Some(mut hostile) = fastest_within(&screener, &text, limit) else {
            failures.push(format!(
                "{} ({}): still screening after {limit:?}; plain text takes {plain:?}",
                case.id, case.note
            ));
            continue;
        };
        let mut ratio = hostile.as_secs_f64() / plain.as_secs_f64().max(1e-9);
        if ratio > MAX_RATIO {
            // A busy moment slows one side only: time both again, side by
            // side, before calling it a failure.
            let plain = fastest(&screener, &plain_text(bytes));
            hostile = fastest(&screener, &text);
            ratio = hostile.as_secs_f64() / plain.as_secs_f64().max(1e-9);
        }

        let screening = screener.screen(&Message::new(&text, Sender::Seller));
        let findings = screening.findings.len();
        let response = convert::to_response(&case.id, screening).encoded_len();
        eprintln!(
            "{:<36} {:>6} B  hostile {:>9.3} ms  plain {:>9.3} ms  ratio {:>6.2}  findings {:>5}  response {:>7} B",
            case.id,
            text.len(),
            hostile.as_secs_f64() * 1e3,
            plain.as_secs_f64() * 1e3,
            ratio,
            findings,
            response
        );
        if ratio > MAX_RATIO {
            failures.push(format!(
                "{} ({}): {ratio:.1}x the time of plain text ({hostile:?} vs {plain:?})",
                case.id, case.note
            ));
        }
        if findings > text.chars().count() {
            failures.push(format!(
                "{}: {findings} findings for {} chars",
                case.id,
                text.chars().count()
            ));
        }
        if response > MAX_RESPONSE_PER_BYTE * text.len() + 4096 {
            failures.push(format!(
                "{}: a {response}-byte response for {} bytes",
                case.id,
                text.len()
            ));
        }
    }
    assert!(ran > 0, "MSGSCREEN_CASE={filter:?} matches no case");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs the binary with `args` and `stdin`; returns the exit code and stderr.
fn run_cli(args: &[&str], stdin: &[u8]) -> (i32, String) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_msgscreen"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn invalid_surrogates_in_the_cli_json_path_are_errors_not_crashes() {
    let dir = std::env::temp_dir().join(format!("msgscreen-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = |name: &str, text: &str| {
        let path = dir.join(name);
        let line = format!(
            r#"{{"id":"s-1","sender":"seller","text":"{text}","verdict":"allow","categories":[]}}"#
        );
        std::fs::write(&path, format!("{line}\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    for (name, text) in [
        ("lone-high.jsonl", r"hi \ud800 there"),
        ("lone-low.jsonl", r"hi \udc00 there"),
        ("reversed-pair.jsonl", r"\udc00\ud800"),
        ("high-then-letter.jsonl", r"\ud83dx"),
    ] {
        let path = corpus(name, text);
        let (code, stderr) = run_cli(&["eval", "--corpus", &path], b"");
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("line 1"), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    // A well-formed pair is a real character and screens normally.
    let path = corpus("pair.jsonl", r"see you soon \ud83d\ude00");
    let (code, stderr) = run_cli(&["eval", "--corpus", &path], b"");
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // A surrogate encoded straight into the bytes (CESU-8) is not UTF-8.
    let (code, stderr) = run_cli(&["check", "--json"], b"call me \xed\xa0\x80 now");
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
