//! The gRPC server end to end: a real server on a real socket, called with
//! the generated tonic client.

use std::time::Duration;

use msgscreen::service::pb::{self, Sender};
use tokio_stream::StreamExt;
use tonic::Code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::util::{TestServer, options, request, serve_command};

#[tokio::test]
async fn screen_returns_verdict_findings_checks_and_version() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let text = "text me at 206-555-0142 tonight";
    let response = client
        .screen(request("m-1", text, Sender::Seller))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.message_id, "m-1");
    assert_eq!(response.verdict(), pb::Verdict::Redact);
    assert_eq!(response.redacted_text, "text me at [phone removed] tonight");
    let phone = response
        .findings
        .iter()
        .find(|f| f.category == "contact.phone")
        .unwrap();
    assert_eq!(
        &text[phone.start as usize..phone.end as usize],
        "206-555-0142"
    );
    assert_eq!(phone.action(), pb::Action::Redact);
    let sections: Vec<_> = response
        .policy_checks
        .iter()
        .map(|c| c.section.as_str())
        .collect();
    assert_eq!(
        sections,
        [
            "communication",
            "payment_acceptance",
            "cancellation",
            "unaccompanied_minors",
            "zero_tolerance"
        ]
    );
    assert_eq!(response.policy_checks[0].outcome(), pb::Outcome::Violation);
    assert_eq!(response.policy_checks[0].categories, ["contact.phone"]);
    assert_eq!(response.policy_checks[1].outcome(), pb::Outcome::Pass);
    assert_eq!(
        response.ruleset_version,
        server.rulesets.current().version()
    );
    assert_eq!(response.notices.len(), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn empty_text_is_allowed() {
    let server = TestServer::start().await;
    let response = server
        .client()
        .await
        .screen(request("empty", "", Sender::Buyer))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.verdict(), pb::Verdict::Allow);
    assert!(response.findings.is_empty());
    assert_eq!(response.policy_checks.len(), 5);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_requests_get_invalid_argument_naming_the_field() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let long_id = "x".repeat(300);
    let cases = [
        (request("a", "hi", Sender::Unspecified), "sender: required"),
        (
            pb::ScreenRequest {
                sender: 42,
                ..request("b", "hi", Sender::Seller)
            },
            "sender: unknown value 42",
        ),
        (
            request("c", &"a".repeat(64 * 1024 + 1), Sender::Buyer),
            "text: 65537 bytes is over the limit of 65536 bytes",
        ),
        (
            request(&long_id, "hi", Sender::Buyer),
            "message_id: 300 bytes is over the limit of 256 bytes",
        ),
    ];
    for (req, want) in cases {
        let status = client.screen(req).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{want}");
        assert!(
            status.message().starts_with(want),
            "{:?} vs {want}",
            status.message()
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn stream_answers_in_order_and_replaces_a_bad_request_with_an_error() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let requests = vec![
        request("s-1", "venmo me the rest", Sender::Seller),
        request("s-2", "see you at 3pm", Sender::Buyer),
        request("s-3", "bad one", Sender::Unspecified),
        request("s-4", "call 206-555-0142", Sender::Buyer),
    ];
    let mut responses = client
        .screen_stream(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    let mut got = Vec::new();
    while let Some(response) = responses.next().await {
        got.push(response.unwrap());
    }
    let ids: Vec<_> = got.iter().map(|r| r.message_id.as_str()).collect();
    assert_eq!(ids, ["s-1", "s-2", "s-3", "s-4"]);
    assert_eq!(got[0].verdict(), pb::Verdict::Block);
    assert_eq!(got[1].verdict(), pb::Verdict::Allow);
    let error = got[2].error.as_ref().unwrap();
    assert_eq!(error.code, Code::InvalidArgument as i32);
    assert!(error.message.starts_with("sender: required"));
    assert_eq!(got[2].verdict(), pb::Verdict::Unspecified);
    assert_eq!(got[3].verdict(), pb::Verdict::Redact);
    assert!(got[3].error.is_none());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn get_ruleset_describes_the_active_ruleset() {
    let server = TestServer::start().await;
    let ruleset = server
        .client()
        .await
        .get_ruleset(pb::GetRulesetRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ruleset.version, server.rulesets.current().version());
    assert_eq!(ruleset.version.len(), 16);
    assert_eq!(ruleset.source, "embedded");
    assert!(
        ruleset.loaded_at.ends_with('Z') && ruleset.loaded_at.len() == 20,
        "{}",
        ruleset.loaded_at
    );
    assert!(!ruleset.wordlists.is_empty());
    assert!(
        ruleset.wordlists.iter().all(|w| w.terms > 0),
        "{:?}",
        ruleset.wordlists
    );
    assert!(ruleset.last_reload_error.is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn health_is_serving_for_the_server_and_the_service() {
    let server = TestServer::start().await;
    let mut health = HealthClient::new(server.channel().await);
    for service in ["", "msgscreen.v1.Screening"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.to_string(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status.status(), ServingStatus::Serving, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "nope.v1.Nope".to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn reflection_lists_the_service_in_v1_and_v1alpha() {
    use tonic_reflection::pb::{v1, v1alpha};
    let server = TestServer::start().await;
    let channel = server.channel().await;

    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let req = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    let response = stream.next().await.unwrap().unwrap();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("unexpected reflection response");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"msgscreen.v1.Screening"), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health"), "{names:?}");

    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let req = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "msgscreen.v1.Screening".to_string(),
            ),
        ),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    let response = stream.next().await.unwrap().unwrap();
    assert!(matches!(
        response.message_response,
        Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(ref f)) if !f.file_descriptor_proto.is_empty()
    ));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn over_the_concurrency_limit_gets_resource_exhausted() {
    let server = TestServer::start_with(msgscreen::service::server::ServeOptions {
        max_concurrency: 1,
        ..options()
    })
    .await;
    let mut client = server.client().await;
    // An open stream holds the only permit.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut open = client
        .screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(request("held", "hello", Sender::Buyer))
        .await
        .unwrap();
    assert_eq!(open.next().await.unwrap().unwrap().message_id, "held");

    let status = client
        .screen(request("x", "hi", Sender::Buyer))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(
        status.message().contains("limit of 1 concurrent"),
        "{}",
        status.message()
    );

    drop(tx);
    assert!(open.next().await.is_none());
    // The permit is back once the stream ends.
    let mut ok = None;
    for _ in 0..50 {
        match client.screen(request("y", "hi", Sender::Buyer)).await {
            Ok(r) => {
                ok = Some(r.into_inner());
                break;
            }
            Err(s) if s.code() == Code::ResourceExhausted => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(s) => panic!("{s}"),
        }
    }
    assert_eq!(ok.unwrap().verdict(), pb::Verdict::Allow);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_turns_health_not_serving_and_finishes_calls_in_flight() {
    let mut server = TestServer::start().await;
    let channel = server.channel().await;
    let mut health = HealthClient::new(channel.clone());
    let mut watch = health
        .watch(HealthCheckRequest {
            service: "msgscreen.v1.Screening".to_string(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        watch.next().await.unwrap().unwrap().status(),
        ServingStatus::Serving
    );

    let mut client = pb::screening_client::ScreeningClient::new(channel);
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut in_flight = client
        .screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(request("before", "hello", Sender::Buyer))
        .await
        .unwrap();
    assert_eq!(
        in_flight.next().await.unwrap().unwrap().message_id,
        "before"
    );

    server.begin_shutdown();
    assert_eq!(
        watch.next().await.unwrap().unwrap().status(),
        ServingStatus::NotServing
    );

    // The stream accepted before the signal is still answered.
    tx.send(request("during", "venmo me", Sender::Seller))
        .await
        .unwrap();
    let during = in_flight.next().await.unwrap().unwrap();
    assert_eq!(during.message_id, "during");
    assert_eq!(during.verdict(), pb::Verdict::Block);
    drop(tx);
    assert!(in_flight.next().await.is_none());
    drop(watch);
    server.stop().await.unwrap();
}

/// The real binary with JSON logs, its stderr read line by line.
struct Binary {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
}

impl Binary {
    /// Starts the binary and returns it with its gRPC address, once it
    /// has logged that it serves.
    fn start() -> (Binary, String) {
        use std::io::BufRead as _;
        // Metrics off the default 9464, which another server may hold.
        let mut child = serve_command()
            .args(["--log-format", "json"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("server exited before serving").unwrap();
            let event: serde_json::Value = serde_json::from_str(&line).unwrap();
            if let Some(listen) = event["fields"]["listen"].as_str() {
                break listen.to_string();
            }
        };
        (Binary { child, lines }, addr)
    }

    /// Sends SIGTERM and checks that the server drained and exited 0.
    fn terminate(mut self) {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        let rest: Vec<String> = self.lines.map_while(Result::ok).collect();
        assert_eq!(status.code(), Some(0), "{status}: {rest:?}");
        assert!(
            rest.iter().any(|l| l.contains("shut down cleanly")),
            "{rest:?}"
        );
    }
}

#[tokio::test]
async fn the_binary_serves_the_embedded_ruleset_and_exits_zero_on_sigterm() {
    let (binary, addr) = Binary::start();
    let mut client = pb::screening_client::ScreeningClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let response = client
        .screen(request("bin-1", "venmo me", Sender::Seller))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.verdict(), pb::Verdict::Block);
    tokio::task::spawn_blocking(move || binary.terminate())
        .await
        .unwrap();
}

/// A SIGTERM right after the server says it is serving (an orchestrator
/// stopping a pod that just started) drains and exits 0: the handler is
/// installed before that line, not when the server first polls it.
#[test]
fn a_sigterm_right_after_startup_shuts_down_cleanly() {
    for _ in 0..5 {
        let (binary, _) = Binary::start();
        binary.terminate();
    }
}
