//! The subcommands, driven through the real binary.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;

/// Runs the binary with `args` and returns exit code, stdout and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_msgscreen"))
        .args(args)
        .output()
        .expect("run msgscreen");
    (
        output.status.code().expect("exit code"),
        String::from_utf8(output.stdout).expect("utf-8 stdout"),
        String::from_utf8(output.stderr).expect("utf-8 stderr"),
    )
}

fn case_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/cli")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msgscreen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod eval {
    use super::*;

    #[test]
    fn json_has_every_key_and_counts_the_corpus() {
        let corpus = case_file("eval.jsonl");
        let (code, stdout, stderr) = run(&["eval", "--corpus", &corpus, "--json"]);
        assert_eq!(code, 0, "{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("one JSON object");
        for key in [
            "cases",
            "verdict_accuracy",
            "verdicts",
            "categories",
            "must_redact",
            "clean",
            "ruleset_version",
            "messages_per_second",
            "misses",
        ] {
            assert!(report.get(key).is_some(), "missing key {key}");
        }
        assert_eq!(report["cases"], 4);
        assert_eq!(report["verdict_accuracy"], 0.75);
        assert_eq!(report["verdicts"]["block"]["allow"], 1);
        assert_eq!(report["verdicts"]["allow"]["allow"], 2);
        let phone = &report["categories"]["contact.phone"];
        assert_eq!(
            (phone["tp"].clone(), phone["fn"].clone()),
            (1.into(), 0.into())
        );
        assert_eq!(phone["recall"], 1.0);
        assert_eq!(report["categories"]["marketing"]["fn"], 1);
        assert_eq!(report["must_redact"]["total"], 1);
        assert_eq!(report["must_redact"]["leaked"], 0);
        assert_eq!(report["clean"]["total"], 2);
        assert_eq!(report["clean"]["blocked"], 0);
        assert_eq!(report["misses"][0]["id"], "c4");
        assert_eq!(report["misses"][0]["expected"], "block [marketing]");
        assert_eq!(report["misses"][0]["got"], "allow []");
        assert_eq!(report["misses"].as_array().unwrap().len(), 1);
        assert_eq!(report["ruleset_version"].as_str().unwrap().len(), 16);
    }

    #[test]
    fn table_lists_accuracy_categories_and_misses() {
        let corpus = case_file("eval.jsonl");
        let (code, stdout, _) = run(&["eval", "--corpus", &corpus]);
        assert_eq!(code, 0);
        assert!(stdout.contains("verdict accuracy 0.750 (3/4)"), "{stdout}");
        assert!(stdout.contains("contact.phone"), "{stdout}");
        assert!(stdout.contains("misses (1)"), "{stdout}");
        assert!(stdout.contains("c4"), "{stdout}");
    }

    #[test]
    fn gates_exit_1_and_name_what_failed() {
        let corpus = case_file("eval.jsonl");
        let (code, _, stderr) = run(&[
            "eval",
            "--corpus",
            &corpus,
            "--min-verdict-accuracy",
            "0.9",
            "--min-recall",
            "marketing=0.5",
        ]);
        assert_eq!(code, 1);
        assert!(stderr.contains("verdict accuracy 0.750 < 0.9"), "{stderr}");
        assert!(stderr.contains("marketing recall 0.000 < 0.5"), "{stderr}");

        // A bare threshold skips categories with fewer labeled messages than --min-support.
        let (code, _, stderr) = run(&[
            "eval",
            "--corpus",
            &corpus,
            "--min-verdict-accuracy",
            "0.75",
            "--min-recall",
            "0.9",
            "--min-precision",
            "0.9",
            "--min-support",
            "2",
            "--max-leaked-ratio",
            "0",
            "--max-clean-blocked",
            "0",
            "--max-clean-with-findings",
            "0",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let (code, _, stderr) = run(&[
            "eval",
            "--corpus",
            &corpus,
            "--min-recall",
            "0.9",
            "--min-support",
            "1",
        ]);
        assert_eq!(code, 1);
        assert!(stderr.contains("marketing recall"), "{stderr}");
        assert!(!stderr.contains("contact.phone"), "{stderr}");
    }

    #[test]
    fn a_broken_corpus_line_is_an_error_naming_the_line() {
        let dir = scratch("broken-corpus");
        let corpus = dir.join("broken.jsonl");
        std::fs::write(
            &corpus,
            "{\"id\": \"a\", \"sender\": \"seller\", \"text\": \"hi\", \"verdict\": \"allow\", \"categories\": []}\n\n{\"id\": \"b\", \"sender\": \"seller\", \"text\": \"hi\", \"verdict\": \"maybe\", \"categories\": []}\n",
        )
        .unwrap();
        let (code, stdout, stderr) = run(&["eval", "--corpus", corpus.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("line 3"), "{stderr}");
        assert!(stderr.contains("maybe"), "{stderr}");
    }

    #[test]
    fn bad_options_and_missing_files_exit_2() {
        let (code, _, stderr) = run(&["eval", "--corpus", "/nonexistent/corpus.jsonl"]);
        assert_eq!(code, 2);
        assert!(stderr.contains("/nonexistent/corpus.jsonl"), "{stderr}");
        let corpus = case_file("eval.jsonl");
        let (code, _, stderr) = run(&["eval", "--corpus", &corpus, "--min-recall", "nope=0.5"]);
        assert_eq!(code, 2);
        assert!(stderr.contains("unknown category"), "{stderr}");
        let (code, _, _) = run(&["eval", "--corpus", &corpus, "--min-verdict-accuracy", "1.5"]);
        assert_eq!(code, 2);
    }

    #[test]
    fn help_shows_an_example() {
        let (code, stdout, _) = run(&["eval", "--help"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("msgscreen eval --corpus"), "{stdout}");
    }
}
