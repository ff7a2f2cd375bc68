//! A panic while screening one message (issue 8): caught at the request
//! boundary, answered fail-closed or INTERNAL as configured, counted, and
//! the server keeps serving every other request.
//!
//! The panicking engine is injected through `ServeOptions::engine`; no
//! input reaches a panic in the production engine.

use msgscreen::{
    Message, Screener, Screening,
    config::OnScreenFailure,
    service::{
        convert::{SCREEN_FAILED_CATEGORY, SCREEN_FAILED_RULE},
        pb::{self, Sender},
    },
};
use tonic::Code;

use crate::util::{TestServer, options, request};

/// The text that makes [`panicking_engine`] panic.
const TRIGGER: &str = "panic-please";

/// Screens like the real engine, but panics on [`TRIGGER`] the way an
/// engine bug would (a slice off a char boundary).
fn panicking_engine(screener: &Screener, message: &Message<'_>) -> Screening {
    if message.text.contains(TRIGGER) {
        let text = "é";
        let _ = &text[..std::hint::black_box(1)];
    }
    screener.screen(message)
}

async fn start(on_failure: OnScreenFailure) -> (TestServer, msgscreen::metrics::Metrics) {
    let mut options = options();
    options.engine = panicking_engine;
    options.on_screen_failure = on_failure;
    let metrics = options.metrics.clone();
    (TestServer::start_with(options).await, metrics)
}

#[tokio::test]
async fn a_panic_blocks_that_message_by_default_and_spares_the_rest() {
    assert_eq!(OnScreenFailure::default(), OnScreenFailure::Block);
    let (server, metrics) = start(OnScreenFailure::default()).await;
    let mut client = server.client().await;
    let failed = client
        .screen(request("bad-1", TRIGGER, Sender::Buyer))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(failed.message_id, "bad-1");
    assert_eq!(failed.verdict(), pb::Verdict::Block);
    assert_eq!(failed.findings.len(), 1);
    let finding = &failed.findings[0];
    assert_eq!(finding.rule_id, SCREEN_FAILED_RULE);
    assert_eq!(finding.category, SCREEN_FAILED_CATEGORY.as_str());
    assert_eq!(finding.action(), pb::Action::Block);
    assert_eq!((finding.start, finding.end), (0, 0));
    assert_eq!(failed.policy_checks.len(), 5);
    let violated: Vec<_> = failed
        .policy_checks
        .iter()
        .filter(|c| c.outcome() == pb::Outcome::Violation)
        .map(|c| c.section.as_str())
        .collect();
    assert_eq!(violated, ["zero_tolerance"]);
    assert!(failed.redacted_text.is_empty() && failed.notices.is_empty());
    assert_eq!(failed.ruleset_version, server.rulesets.current().version());

    // The same connection keeps working, by unary call and in a stream.
    let ok = client
        .screen(request("ok-1", "text me at 206-555-0142", Sender::Seller))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.verdict(), pb::Verdict::Redact);
    let mut stream = client
        .screen_stream(tokio_stream::iter([
            request("s-1", "see you at nine", Sender::Buyer),
            request("s-2", TRIGGER, Sender::Seller),
            request("s-3", "text me at 206-555-0142", Sender::Seller),
        ]))
        .await
        .unwrap()
        .into_inner();
    let mut verdicts = Vec::new();
    while let Some(response) = stream.message().await.unwrap() {
        verdicts.push((response.message_id.clone(), response.verdict()));
    }
    assert_eq!(
        verdicts,
        [
            ("s-1".to_string(), pb::Verdict::Allow),
            ("s-2".to_string(), pb::Verdict::Block),
            ("s-3".to_string(), pb::Verdict::Redact),
        ]
    );
    let text = metrics.encode().unwrap();
    assert!(
        text.contains(r#"msgscreen_screen_failures_total{rpc="screen",answer="block"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"msgscreen_screen_failures_total{rpc="screen_stream",answer="block"} 1"#),
        "{text}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_panic_can_answer_internal_instead() {
    let (server, metrics) = start(OnScreenFailure::Internal).await;
    let mut client = server.client().await;
    let status = client
        .screen(request("bad-2", TRIGGER, Sender::Seller))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert!(!status.message().contains(TRIGGER), "{}", status.message());
    let mut stream = client
        .screen_stream(tokio_stream::iter([
            request("s-1", TRIGGER, Sender::Buyer),
            request("s-2", "see you at nine", Sender::Buyer),
        ]))
        .await
        .unwrap()
        .into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert_eq!(first.error.unwrap().code, Code::Internal as i32);
    let second = stream.message().await.unwrap().unwrap();
    assert_eq!(second.verdict(), pb::Verdict::Allow);
    let text = metrics.encode().unwrap();
    assert!(
        text.contains(r#"msgscreen_screen_failures_total{rpc="screen",answer="internal"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"msgscreen_request_errors_total{rpc="screen",code="internal"} 1"#),
        "{text}"
    );
    server.stop().await.unwrap();
}
