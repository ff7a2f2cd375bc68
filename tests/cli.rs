//! The subcommands, driven through the real binary.

use std::{
    path::Path,
    process::{Command, Output},
};

use serde_json::Value;

use crate::util::dirs::{Scratch, append, copy_dir, project_wordlists};

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
        let dir = Scratch::new("broken-corpus");
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

/// The list file the tests add to a copy of the wordlists, so they depend
/// on no shipped list: `cli_test`, category payment.off_platform.
const TEST_LIST: &str = "en/cli_test.txt";

/// Writes a copy of the project's `wordlists/` into a scratch directory,
/// plus the list [`TEST_LIST`] holding `terms`.
fn wordlists_copy(name: &str, terms: &str) -> Scratch {
    let dir = Scratch::new(name);
    copy_dir(&project_wordlists(), &dir.path);
    append(
        &dir.join("policy.toml"),
        &format!(
            "\n[[lists]]\nname = \"cli_test\"\nfile = \"{TEST_LIST}\"\ncategory = \"payment.off_platform\"\n"
        ),
    );
    std::fs::write(
        dir.join(TEST_LIST),
        format!("# added by tests/cli.rs\n{terms}"),
    )
    .unwrap();
    dir
}

mod check {
    use super::*;

    #[test]
    fn shows_verdict_findings_checks_and_brackets_off_a_terminal() {
        let (code, stdout, stderr) = run(&["check", "text me at 206-555-0142 tonight"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("verdict   redact"), "{stdout}");
        assert!(
            stdout.contains("text      text me at [contact.phone:206-555-0142] tonight"),
            "{stdout}"
        );
        assert!(
            stdout.contains("redacted  text me at [phone removed] tonight"),
            "{stdout}"
        );
        assert!(stdout.contains("contact.phone"), "{stdout}");
        assert!(stdout.contains(" phone:"), "the rule id: {stdout}");
        assert!(
            stdout.contains("communication          violation  contact.phone"),
            "{stdout}"
        );
        assert!(
            !stdout.contains('\x1b'),
            "no colour off a terminal: {stdout}"
        );
    }

    #[test]
    fn colours_on_request() {
        let (code, stdout, _) = run(&["check", "--color", "always", "call 206-555-0142"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("\x1b[1;33m206-555-0142\x1b[0m"), "{stdout}");
    }

    #[test]
    fn json_is_the_screen_response_mapping() {
        let (code, stdout, stderr) = run(&[
            "check",
            "--json",
            "--sender",
            "buyer",
            "text me at 206-555-0142",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let response: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(response["verdict"], "VERDICT_REDACT");
        assert_eq!(response["redactedText"], "text me at [phone removed]");
        assert_eq!(response["findings"][0]["category"], "contact.phone");
        assert!(
            response["findings"][0]["ruleId"]
                .as_str()
                .unwrap()
                .starts_with("phone:")
        );
        assert_eq!(response["findings"][0]["action"], "ACTION_REDACT");
        assert_eq!(response["findings"][0]["start"], 11);
        assert_eq!(response["findings"][0]["end"], 23);
        assert_eq!(response["policyChecks"].as_array().unwrap().len(), 5);
        assert_eq!(response["policyChecks"][0]["section"], "communication");
        assert_eq!(response["policyChecks"][0]["outcome"], "OUTCOME_VIOLATION");
        assert_eq!(response["rulesetVersion"].as_str().unwrap().len(), 16);
        assert_eq!(response["notices"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn reads_stdin_and_honours_the_sender() {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_msgscreen"))
            .args(["check", "--json", "--sender", "buyer"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"can I pay with venmo?\n")
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        let response: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(response["verdict"], "VERDICT_BLOCK");
        assert_eq!(
            response["findings"][0]["end"], 20,
            "the final newline is not part of the text"
        );
    }

    #[test]
    fn uses_the_wordlists_given() {
        let dir = wordlists_copy("check-wordlists", "zorblat tokens\n");
        let (code, stdout, _) = run(&[
            "check",
            "--wordlists",
            dir.path.to_str().unwrap(),
            "please pay in zorblat tokens",
        ]);
        assert_eq!(code, 0);
        assert!(stdout.contains("cli_test:zorblat tokens"), "{stdout}");
        let (code, _, stderr) = run(&["check", "--sender", "robot", "hi"]);
        assert_eq!(code, 2);
        assert!(stderr.contains("unknown sender"), "{stderr}");
    }

    #[test]
    fn help_shows_an_example() {
        let (code, stdout, _) = run(&["check", "--help"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("msgscreen check '"), "{stdout}");
    }
}

mod lint {
    use super::*;

    #[test]
    fn the_shipped_wordlists_have_no_errors() {
        let dir = project_wordlists();
        let (code, stdout, stderr) = run(&["lint", dir.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains("lint: 0 errors"), "{stdout}");
    }

    #[test]
    fn reports_every_loading_problem_with_file_and_line() {
        let dir = wordlists_copy("lint-errors", "zorblat\nx\nZorblat\n");
        append(
            &dir.join("policy.toml"),
            "\n[[lists]]\nname = \"gone\"\nfile = \"en/gone.txt\"\ncategory = \"marketing\"\n",
        );
        let (code, stdout, _) = run(&[
            "lint",
            dir.path.to_str().unwrap(),
            "--dict",
            &case_file("words.txt"),
        ]);
        assert_eq!(code, 1, "{stdout}");
        let path = dir.join(TEST_LIST).display().to_string();
        assert!(
            stdout.contains(&format!("{path}:3: error: term \"x\" is 1 character long")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "{path}:4: error: duplicate term \"Zorblat\" (same as line 2)"
            )),
            "{stdout}"
        );
        assert!(
            stdout.contains("en/gone.txt: error: file named in the manifest is missing"),
            "{stdout}"
        );
        assert!(stdout.contains("lint: 3 errors"), "{stdout}");
    }

    #[test]
    fn warns_about_shadowed_terms_common_words_and_clean_firings() {
        let dir = wordlists_copy("lint-warnings", "zorblat\npay with zorblat\ntray\n");
        let (code, stdout, stderr) = run(&[
            "lint",
            dir.path.to_str().unwrap(),
            "--dict",
            &case_file("words.txt"),
            "--common-words",
            "2",
            "--corpus",
            &case_file("lint.jsonl"),
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(
            stdout.contains("warning: term \"pay with zorblat\" is redundant"),
            "{stdout}"
        );
        assert!(
            stdout.contains(
                "warning: term \"tray\" occurs inside 4 common words (ashtray, ashtrays, astray, betray)"
            ),
            "{stdout}"
        );
        assert!(
            stdout
                .contains("warning: rule cli_test:tray fires on 1 clean message of the corpus: l2"),
            "{stdout}"
        );
        let (code, _, _) = run(&[
            "lint",
            dir.path.to_str().unwrap(),
            "--dict",
            &case_file("words.txt"),
            "--deny-warnings",
        ]);
        assert_eq!(code, 1);
    }

    #[test]
    fn a_broken_manifest_is_reported_with_its_line() {
        let dir = wordlists_copy("lint-manifest", "zorblat\n");
        append(
            &dir.join("policy.toml"),
            "\n[[lists]]\nname = \"bad\"\nfile = \"en/cli_test.txt\"\ncategory = \"contact.fax\"\n",
        );
        let (code, stdout, _) = run(&["lint", dir.path.to_str().unwrap()]);
        assert_eq!(code, 1, "{stdout}");
        let manifest = dir.join("policy.toml").display().to_string();
        assert!(stdout.contains(&format!("{manifest}:")), "{stdout}");
        assert!(
            stdout.contains("error: list \"bad\": unknown category \"contact.fax\""),
            "{stdout}"
        );
        assert!(stdout.contains("the manifest must load first"), "{stdout}");
    }

    #[test]
    fn an_unreadable_directory_is_an_error() {
        let (code, stdout, stderr) = run(&["lint", "/nonexistent/wordlists"]);
        assert_eq!(code, 2);
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("/nonexistent/wordlists"), "{stderr}");
    }

    #[test]
    fn help_shows_an_example() {
        let (code, stdout, _) = run(&["lint", "--help"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("msgscreen lint ./wordlists"), "{stdout}");
    }
}

mod diff {
    use super::*;

    #[test]
    fn shows_each_changed_message_with_the_rules_behind_it() {
        let from = wordlists_copy("diff-from", "florblux\n");
        let to = wordlists_copy("diff-to", "zorblat tokens\n");
        let corpus = case_file("diff.jsonl");
        let args = [
            "diff",
            "--from",
            from.path.to_str().unwrap(),
            "--to",
            to.path.to_str().unwrap(),
            "--corpus",
            &corpus,
        ];
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("2 of 3 messages change (1 fixed, 1 broken)"),
            "{stdout}"
        );
        assert!(stdout.contains("fixed x1"), "{stdout}");
        assert!(stdout.contains("broken x2"), "{stdout}");
        assert!(stdout.contains("  + cli_test:zorblat tokens"), "{stdout}");
        assert!(!stdout.contains("x3"), "{stdout}");

        let mut json_args = args.to_vec();
        json_args.extend(["--json", "--fail-on-regression"]);
        let (code, stdout, stderr) = run(&json_args);
        assert_eq!(code, 1);
        assert!(stderr.contains("1 message(s) broken"), "{stderr}");
        let diff: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(diff["changes"][0]["id"], "x1");
        assert_eq!(diff["changes"][0]["from"]["verdict"], "allow");
        assert_eq!(diff["changes"][0]["to"]["verdict"], "block");
        assert_eq!(
            diff["changes"][0]["to"]["categories"][0],
            "payment.off_platform"
        );
        assert_eq!(
            diff["changes"][0]["rules_added"][0],
            "cli_test:zorblat tokens"
        );
        assert_eq!(diff["fixed"], 1);
        assert_eq!(diff["broken"], 1);
        assert_ne!(diff["from_version"], diff["to_version"]);
    }

    #[test]
    fn an_invalid_ruleset_names_the_side() {
        let to = wordlists_copy("diff-invalid", "zorblat\nZORBLAT\n");
        let (code, _, stderr) = run(&[
            "diff",
            "--to",
            to.path.to_str().unwrap(),
            "--corpus",
            &case_file("diff.jsonl"),
        ]);
        assert_eq!(code, 2);
        assert!(stderr.starts_with("msgscreen: error: --to: "), "{stderr}");
        assert!(stderr.contains("duplicate term"), "{stderr}");
    }

    #[test]
    fn help_shows_an_example() {
        let (code, stdout, _) = run(&["diff", "--help"]);
        assert_eq!(code, 0);
        assert!(stdout.contains("msgscreen diff --from"), "{stdout}");
    }
}

mod serve {
    use super::*;

    #[test]
    fn a_bad_shadow_share_is_a_one_line_error() {
        let (code, _, stderr) = run(&["serve", "--listen", "127.0.0.1:0", "--shadow-share", "1.5"]);
        assert_eq!(code, 2);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("shadow-share"), "{stderr}");
    }

    #[test]
    fn an_invalid_shadow_ruleset_stops_startup() {
        let dir = wordlists_copy("serve-shadow-invalid", "zorblat\nZorblat\n");
        let (code, _, stderr) = run(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--shadow-wordlists",
            dir.path.to_str().unwrap(),
        ]);
        assert_eq!(code, 2);
        assert!(stderr.contains("--shadow-wordlists"), "{stderr}");
        assert!(stderr.contains("duplicate term"), "{stderr}");
    }
}
