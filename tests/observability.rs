//! Metrics and logs (issue 8): the families a scrape shows, and a real
//! server's JSON logs and metrics never carrying message text.

use std::{
    io::{BufRead as _, BufReader},
    net::SocketAddr,
    process::{Command, Stdio},
    sync::{Arc, mpsc},
    time::Duration,
};

use msgscreen::{
    Message, Screener,
    metrics::{self, Metrics},
    reload::RulesetCell,
    ruleset::Ruleset,
    service::pb::{self, Sender},
    shadow::{Shadow, ShadowOptions},
};
use tokio::net::TcpListener;
use tonic::Code;

use crate::util::{TestServer, http_get, options, request, serve_command};

/// Serves `metrics` on an ephemeral port for the rest of the test.
async fn metrics_endpoint(metrics: Metrics) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(metrics::serve(listener, metrics, std::future::pending()));
    addr
}

/// Returns the value of the sample line that starts with `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_verdicts_findings_rules_latency_and_version() {
    let options = options();
    let metrics = options.metrics.clone();
    let server = TestServer::start_with(options).await;
    let addr = metrics_endpoint(metrics).await;
    let mut client = server.client().await;
    for (id, text, sender) in [
        ("m-1", "text me at 206-555-0142 tonight", Sender::Seller),
        ("m-2", "thanks, see you at nine", Sender::Buyer),
        ("m-3", "call 206-555-0142 or 425-555-0199", Sender::Buyer),
    ] {
        client.screen(request(id, text, sender)).await.unwrap();
    }
    let bad = client
        .screen(request("m-4", "hi", Sender::Unspecified))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);

    let (status, text) = http_get(addr, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    let count =
        |series: &str| sample(&text, series).unwrap_or_else(|| panic!("{series} in\n{text}"));
    assert_eq!(
        count(r#"msgscreen_requests_total{rpc="screen",sender="seller",verdict="redact"}"#),
        1.0
    );
    assert_eq!(
        count(r#"msgscreen_requests_total{rpc="screen",sender="buyer",verdict="allow"}"#),
        1.0
    );
    assert_eq!(
        count(r#"msgscreen_findings_total{category="contact.phone",action="redact"}"#),
        3.0
    );
    assert!(
        text.lines()
            .any(|l| l
                .starts_with(r#"msgscreen_rule_hits_total{category="contact.phone",rule_id=""#)),
        "{text}"
    );
    assert_eq!(
        count(r#"msgscreen_request_duration_seconds_count{rpc="screen"}"#),
        3.0
    );
    assert_eq!(
        count(r#"msgscreen_request_errors_total{rpc="screen",code="invalid_argument"}"#),
        1.0
    );
    assert_eq!(count(r#"msgscreen_in_flight_requests{rpc="screen"}"#), 0.0);
    let version = server.rulesets.current().version().to_string();
    assert_eq!(
        count(&format!(
            r#"msgscreen_ruleset_info{{version="{version}",source="embedded"}}"#
        )),
        1.0
    );
    assert_eq!(count("msgscreen_ruleset_reload_failing"), 0.0);
    let (status, _) = http_get(addr, "/anything-else").await;
    assert!(status.contains("404"), "{status}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shed_calls_are_counted() {
    let mut options = options();
    options.max_concurrency = 1;
    let metrics = options.metrics.clone();
    let server = TestServer::start_with(options).await;
    let mut client = server.client().await;
    // An open stream holds the only permit.
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScreenRequest>(1);
    let mut stream = client
        .screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(request("s-1", "hello", Sender::Buyer))
        .await
        .unwrap();
    stream.message().await.unwrap().unwrap();
    let shed = client
        .screen(request("u-1", "hello", Sender::Buyer))
        .await
        .unwrap_err();
    assert_eq!(shed.code(), Code::ResourceExhausted);
    let text = metrics.encode().unwrap();
    assert_eq!(
        sample(&text, r#"msgscreen_shed_requests_total{rpc="screen"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"msgscreen_in_flight_requests{rpc="screen_stream"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"msgscreen_requests_total{rpc="screen_stream",sender="buyer",verdict="allow"}"#
        ),
        Some(1.0)
    );
    drop(tx);
    assert!(stream.message().await.unwrap().is_none());
    server.stop().await.unwrap();
}

#[test]
fn reloads_and_shadow_disagreements_are_exported() {
    let metrics = Metrics::new();
    let ruleset = Arc::new(Ruleset::embedded().unwrap());
    let cell = Arc::new(RulesetCell::new(Arc::clone(&ruleset)));
    metrics.track_ruleset(&cell);
    cell.replace(Arc::clone(&ruleset));
    cell.record_failure("policy.toml: line 3: bad".to_string());
    cell.record_failure("policy.toml: line 4: bad".to_string());

    // A shadow of the same ruleset disagrees only with a doctored answer.
    let candidate = Arc::new(RulesetCell::new(Arc::clone(&ruleset)));
    let options = ShadowOptions {
        share: 1.0,
        ..ShadowOptions::default()
    };
    let shadow = Arc::new(Shadow::start(candidate, options).unwrap());
    metrics.track_shadow(&shadow);
    let message = Message::new("text me at 206-555-0142", msgscreen::Sender::Seller);
    let mut active = Screener::new(ruleset).screen(&message);
    active.verdict = msgscreen::Verdict::Block;
    shadow.offer(&message, &active);
    let started = std::time::Instant::now();
    while shadow.report().compared < 1 {
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(5));
    }

    let text = metrics.encode().unwrap();
    assert_eq!(
        sample(&text, r#"msgscreen_reloads_total{result="failure"}"#),
        Some(2.0)
    );
    assert_eq!(
        sample(&text, r#"msgscreen_reloads_total{result="success"}"#),
        Some(1.0)
    );
    assert_eq!(sample(&text, "msgscreen_ruleset_reload_failing"), Some(1.0));
    assert!(
        !text.contains("line 4"),
        "reload errors stay out of metrics"
    );
    assert_eq!(sample(&text, "msgscreen_shadow_compared_total"), Some(1.0));
    assert_eq!(
        sample(
            &text,
            r#"msgscreen_shadow_disagreements_total{live_verdict="block",shadow_verdict="redact"}"#
        ),
        Some(1.0)
    );
    assert!(!text.contains("206-555"), "{text}");
}

/// Words that appear only in the messages the log test sends.
const SECRETS: &[&str] = &[
    "Quokkaville",
    "206-555-0187",
    "marmoset.wrangler",
    "zanzibarfixers",
    "Xylophonic",
    "4111 1111 1111 1111",
];

/// The messages: contact details, payment talk and plain text, each with a
/// distinctive word that must never reach a log line or a metric.
fn secret_messages() -> Vec<pb::ScreenRequest> {
    [
        (
            "log-1",
            "Quokkaville crew here, call 206-555-0187 tonight",
            Sender::Seller,
        ),
        (
            "log-2",
            "write to marmoset.wrangler@example.org instead",
            Sender::Seller,
        ),
        (
            "log-3",
            "see zanzibarfixers.com for the Xylophonic deal",
            Sender::Seller,
        ),
        (
            "log-4",
            "my card is 4111 1111 1111 1111, Quokkaville",
            Sender::Buyer,
        ),
        ("log-5", "Xylophonic thanks, all good", Sender::Buyer),
    ]
    .into_iter()
    .map(|(id, text, sender)| request(id, text, sender))
    .collect()
}

/// The real binary serving with JSON logs at a level, its stderr read
/// line by line on a thread.
struct LoggingServer {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    /// Lines read so far.
    log: Vec<String>,
    grpc: SocketAddr,
    metrics: SocketAddr,
}

impl LoggingServer {
    /// Starts the binary with `RUST_LOG=level` and `--log-format format`
    /// (`json` or `plain`) and waits for its addresses.
    fn start(level: &str, format: &str) -> LoggingServer {
        let mut child = serve_command()
            .args(["--log-format", format])
            .env("RUST_LOG", level)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (lines_tx, lines) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut log = Vec::new();
        let (mut grpc, mut metrics) = (None, None);
        while grpc.is_none() || metrics.is_none() {
            let line = lines
                .recv_timeout(Duration::from_secs(30))
                .expect("the server logs its addresses");
            if let Some(listen) = logged_field(&line, "listen") {
                grpc = Some(listen.parse::<SocketAddr>().unwrap());
            }
            if let Some(listen) = logged_field(&line, "metrics_listen") {
                metrics = Some(listen.parse::<SocketAddr>().unwrap());
            }
            log.push(line);
        }
        LoggingServer {
            child,
            lines,
            reader,
            log,
            grpc: grpc.unwrap(),
            metrics: metrics.unwrap(),
        }
    }

    /// A client connected to the server.
    async fn client(&self) -> pb::screening_client::ScreeningClient<tonic::transport::Channel> {
        pb::screening_client::ScreeningClient::connect(format!("http://{}", self.grpc))
            .await
            .unwrap()
    }

    /// Stops the server with SIGTERM and returns every line it logged.
    fn stop(mut self) -> Vec<String> {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
        self.reader.join().unwrap();
        self.log.extend(self.lines.try_iter());
        self.log
    }
}

/// The value of field `name` in a JSON or plain log line.
fn logged_field(line: &str, name: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(json) => json["fields"][name].as_str().map(str::to_string),
        Err(_) => line
            .split(' ')
            .find_map(|token| token.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string),
    }
}

/// Runs the real binary with JSON logs, screens the secret messages by
/// unary and stream calls and as invalid requests, scrapes `/metrics`, and
/// checks that no log line and no metric quotes any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_never_logs_or_exports_message_text() {
    let server = LoggingServer::start("info", "json");
    let metrics_addr = server.metrics;
    let mut client = server.client().await;
    let mut verdicts = Vec::new();
    for message in secret_messages() {
        let response = client.screen(message.clone()).await.unwrap().into_inner();
        verdicts.push(response.verdict());
        let mut invalid = message.clone();
        invalid.sender = 7;
        client.screen(invalid).await.unwrap_err();
    }
    assert!(verdicts.contains(&pb::Verdict::Redact), "{verdicts:?}");
    let mut stream = client
        .screen_stream(tokio_stream::iter(secret_messages()))
        .await
        .unwrap()
        .into_inner();
    let mut streamed = 0;
    while let Some(response) = stream.message().await.unwrap() {
        assert!(response.error.is_none(), "{response:?}");
        streamed += 1;
    }
    assert_eq!(streamed, secret_messages().len());
    let (_, scraped) = http_get(metrics_addr, "/metrics").await;
    assert!(scraped.contains("msgscreen_requests_total"), "{scraped}");

    drop((stream, client));
    let log = server.stop();

    let screened: Vec<&String> = log.iter().filter(|l| l.contains("\"screened\"")).collect();
    assert!(
        screened.len() >= 3,
        "expected per-request lines for redacted and blocked messages:\n{}",
        log.join("\n")
    );
    for line in &screened {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(json["span"]["message_id"].as_str().is_some(), "{line}");
        assert!(json["fields"]["verdict"].as_str().is_some(), "{line}");
        assert!(json["fields"]["elapsed_us"].as_u64().is_some(), "{line}");
    }
    for secret in SECRETS {
        for line in &log {
            assert!(!line.contains(secret), "log line quotes {secret:?}: {line}");
        }
        assert!(!scraped.contains(secret), "metrics quote {secret:?}");
    }
}

/// At debug level every line about a request, an allowed message's and an
/// invalid request's too, carries the request's span with its rpc and
/// message id: the span is made only when a line is logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_line_carries_its_span() {
    let server = LoggingServer::start("msgscreen=debug", "json");
    let mut client = server.client().await;
    let allowed = request("span-allow", "see you at 5pm", Sender::Buyer);
    let response = client.screen(allowed).await.unwrap().into_inner();
    assert_eq!(response.verdict(), pb::Verdict::Allow);
    let mut invalid = request("span-invalid", "see you at 5pm", Sender::Buyer);
    invalid.sender = 7;
    client.screen(invalid).await.unwrap_err();
    drop(client);
    let log = server.stop();

    let line_of = |message: &str, id: &str| {
        log.iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|json| json["fields"]["message"] == message && json["span"]["message_id"] == id)
            .unwrap_or_else(|| panic!("no {message:?} line for {id}:\n{}", log.join("\n")))
    };
    let screened = line_of("screened", "span-allow");
    assert_eq!(screened["level"], "DEBUG");
    assert_eq!(screened["span"]["rpc"], "screen");
    assert_eq!(screened["fields"]["verdict"], "allow");
    let invalid = line_of("invalid request", "span-invalid");
    assert_eq!(invalid["span"]["name"], "screen");
}

/// A message id is the caller's string: in the plain format it is quoted
/// and escaped like every other value, so one holding a line break cannot
/// forge a log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_id_cannot_forge_a_plain_log_line() {
    let server = LoggingServer::start("info", "plain");
    let mut client = server.client().await;
    let forged = "id-1\n2026-01-01T00:00:00.000000Z  INFO msgscreen: forged line";
    let flagged = request(forged, "call me at 206-555-0187", Sender::Seller);
    let response = client.screen(flagged).await.unwrap().into_inner();
    assert_eq!(response.verdict(), pb::Verdict::Redact);
    drop(client);
    let log = server.stop();

    let screened: Vec<&String> = log.iter().filter(|l| l.contains(" screened ")).collect();
    assert_eq!(screened.len(), 1, "{}", log.join("\n"));
    assert!(
        screened[0].contains(r#"message_id="id-1\n2026-01-01"#),
        "{}",
        screened[0]
    );
    assert!(
        !log.iter().any(|l| l.starts_with("2026-01-01")),
        "{}",
        log.join("\n")
    );
}
