//! Prometheus metrics: every family is registered once in [`Metrics::new`],
//! and the handle is passed to whoever records (the gRPC service, reload,
//! the shadow ruleset).
//!
//! Input: events (a screening, a shed request, a screen failure) and, read
//! at scrape time, the live ruleset cell and the shadow. Output: the
//! OpenMetrics text served on `/metrics` by [`serve`], on its own port
//! (`--metrics-listen`) so scrapes never queue behind screening.
//!
//! Every label comes from a closed set: the RPC, sender, verdict, action,
//! category and status code are enums; rule ids are the ruleset's own
//! (a closed set per ruleset, never text from a message); the ruleset
//! version is one hash at a time. No metric carries message content or ids.

use std::{
    fmt,
    future::Future,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use arc_swap::ArcSwapOption;
use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric as _},
    metrics::MetricType,
    metrics::{
        counter::{ConstCounter, Counter},
        family::Family,
        gauge::{ConstGauge, Gauge},
        histogram::{Histogram, exponential_buckets},
    },
    registry::{Registry, Unit},
};
use tokio::net::TcpListener;

use crate::{
    category::{Action, Category, Sender, Verdict},
    reload::RulesetCell,
    screen::Screening,
    shadow::{Shadow, ShadowReport},
};

/// The gRPC method a measurement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rpc {
    /// `Screen`, one message per call.
    Screen,
    /// `ScreenStream`; latency and verdicts are per message in the stream.
    ScreenStream,
}

impl Rpc {
    /// Every RPC.
    pub const ALL: &'static [Rpc] = &[Rpc::Screen, Rpc::ScreenStream];

    /// Returns the label value, `screen` or `screen_stream`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rpc::Screen => "screen",
            Rpc::ScreenStream => "screen_stream",
        }
    }
}

/// What the server answered when screening a message panicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureAnswer {
    /// A fail-closed BLOCK verdict with the `screen:failed` finding.
    Block,
    /// The `INTERNAL` status.
    Internal,
}

impl FailureAnswer {
    /// Returns the label value, `block` or `internal`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureAnswer::Block => "block",
            FailureAnswer::Internal => "internal",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RpcLabels {
    rpc: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    rpc: &'static str,
    sender: &'static str,
    verdict: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CategoryLabels {
    category: &'static str,
    action: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RuleLabels {
    category: &'static str,
    rule_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ErrorLabels {
    rpc: &'static str,
    code: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct FailureLabels {
    rpc: &'static str,
    answer: &'static str,
}

type LatencyFamily = Family<RpcLabels, Histogram, fn() -> Histogram>;

/// The metrics handle: cheap to clone, every clone records into the same
/// families.
#[derive(Clone)]
pub struct Metrics {
    shared: Arc<Shared>,
}

struct Shared {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    findings: Family<CategoryLabels, Counter>,
    rule_hits: Family<RuleLabels, Counter>,
    latency: LatencyFamily,
    in_flight: Family<RpcLabels, Gauge>,
    shed: Family<RpcLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    screen_failures: Family<FailureLabels, Counter>,
    rulesets: Arc<ActiveRuleset>,
    /// `requests` by rpc, sender and verdict (see [`request_slot`]).
    resolved_requests: Resolved<Counter>,
    /// `findings` by category and action (see [`finding_slot`]).
    resolved_findings: Resolved<Counter>,
    /// `latency` by rpc.
    resolved_latency: Resolved<Histogram>,
}

/// The metrics of one family with a small closed label space, each looked
/// up in the family once, on first use, then kept by slot. A family lookup
/// hashes the labels and takes the family's lock: on every screening that
/// was about 1,300 instructions, a tenth of the handler around the engine.
/// A kept metric shares its value with the family's, so a scrape shows
/// exactly what it did before, and a label set never used never appears.
struct Resolved<M> {
    slots: Box<[OnceLock<M>]>,
}

impl<M> Resolved<M> {
    /// Room for `len` label sets.
    fn new(len: usize) -> Resolved<M> {
        Resolved {
            slots: (0..len).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Runs `record` on the metric of `slot`, resolving it with `lookup`
    /// the first time (and every time, should `slot` be out of range).
    fn with(&self, slot: usize, lookup: impl FnOnce() -> M, record: impl FnOnce(&M)) {
        match self.slots.get(slot) {
            Some(cell) => record(cell.get_or_init(lookup)),
            None => record(&lookup()),
        }
    }
}

/// The slot of a `requests` label set in [`Shared::resolved_requests`].
fn request_slot(rpc: Rpc, sender: Sender, verdict: Verdict) -> usize {
    ((rpc as usize) * Sender::ALL.len() + sender as usize) * Verdict::ALL.len() + verdict as usize
}

/// The slot of a `findings` label set in [`Shared::resolved_findings`].
fn finding_slot(category: Category, action: Action) -> usize {
    (category as usize) * Action::ALL.len() + action as usize
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

/// Latency buckets: 50 µs doubling to about 1.6 s, around the screen's
/// sub-millisecond typical time and the 5 s default request timeout.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    /// Registers every family in a new registry.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("msgscreen");
        let requests = Family::default();
        registry.register(
            "requests",
            "Messages screened, by RPC, sender and verdict",
            requests.clone(),
        );
        let findings = Family::default();
        registry.register(
            "findings",
            "Findings in screened messages, by category and the action taken",
            findings.clone(),
        );
        let rule_hits = Family::default();
        registry.register(
            "rule_hits",
            "Findings by the ruleset rule that fired (the counts tuners read)",
            rule_hits.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "request_duration",
            "Time to screen one message, from request to response, by RPC",
            Unit::Seconds,
            latency.clone(),
        );
        let in_flight = Family::default();
        registry.register(
            "in_flight_requests",
            "Unary calls and open streams being served, by RPC",
            in_flight.clone(),
        );
        let shed = Family::default();
        registry.register(
            "shed_requests",
            "Calls refused with RESOURCE_EXHAUSTED at the concurrency limit, by RPC",
            shed.clone(),
        );
        let errors = Family::default();
        registry.register(
            "request_errors",
            "Messages answered with an error status, by RPC and gRPC code",
            errors.clone(),
        );
        let screen_failures = Family::default();
        registry.register(
            "screen_failures",
            "Screenings that panicked, by RPC and the answer given (block or internal)",
            screen_failures.clone(),
        );
        let rulesets = Arc::new(ActiveRuleset::default());
        registry.register_collector(Box::new(Arc::clone(&rulesets)));
        Metrics {
            shared: Arc::new(Shared {
                registry,
                requests,
                findings,
                rule_hits,
                latency,
                in_flight,
                shed,
                errors,
                screen_failures,
                rulesets,
                resolved_requests: Resolved::new(
                    Rpc::ALL.len() * Sender::ALL.len() * Verdict::ALL.len(),
                ),
                resolved_findings: Resolved::new(Category::ALL.len() * Action::ALL.len()),
                resolved_latency: Resolved::new(Rpc::ALL.len()),
            }),
        }
    }

    /// Reports, at each scrape, the version of whatever ruleset `rulesets`
    /// holds (`msgscreen_ruleset_info{version, source} 1`), whether the last
    /// reload failed, and the reloads it counted by result, so reload needs
    /// no metrics handle of its own.
    pub fn track_ruleset(&self, rulesets: &Arc<RulesetCell>) {
        self.shared.rulesets.cell.store(Some(Arc::clone(rulesets)));
    }

    /// Counts a call in flight until the returned guard drops.
    pub fn in_flight(&self, rpc: Rpc) -> InFlight {
        let gauge = self
            .shared
            .in_flight
            .get_or_create_owned(&RpcLabels { rpc: rpc.as_str() });
        gauge.inc();
        InFlight { gauge }
    }

    /// Records one screened message: its verdict, findings, rule hits and
    /// the time since `started`.
    pub fn record_screening(
        &self,
        rpc: Rpc,
        sender: Sender,
        screening: &Screening,
        started: Instant,
    ) {
        let s = &self.shared;
        let verdict = screening.verdict;
        s.resolved_requests.with(
            request_slot(rpc, sender, verdict),
            || {
                s.requests.get_or_create_owned(&RequestLabels {
                    rpc: rpc.as_str(),
                    sender: sender.as_str(),
                    verdict: verdict.as_str(),
                })
            },
            |counter| {
                counter.inc();
            },
        );
        for judged in &screening.findings {
            let category = judged.finding.category;
            s.resolved_findings.with(
                finding_slot(category, judged.action),
                || {
                    s.findings.get_or_create_owned(&CategoryLabels {
                        category: category.as_str(),
                        action: judged.action.as_str(),
                    })
                },
                |counter| {
                    counter.inc();
                },
            );
            s.rule_hits
                .get_or_create(&RuleLabels {
                    category: category.as_str(),
                    rule_id: judged.finding.rule_id.clone(),
                })
                .inc();
        }
        self.observe_latency(rpc, started.elapsed());
    }

    /// Records a message that panicked in the screen and the answer given.
    pub fn record_screen_failure(
        &self,
        rpc: Rpc,
        sender: Sender,
        answer: FailureAnswer,
        started: Instant,
    ) {
        let s = &self.shared;
        s.screen_failures
            .get_or_create(&FailureLabels {
                rpc: rpc.as_str(),
                answer: answer.as_str(),
            })
            .inc();
        if answer == FailureAnswer::Block {
            s.requests
                .get_or_create(&RequestLabels {
                    rpc: rpc.as_str(),
                    sender: sender.as_str(),
                    verdict: Verdict::Block.as_str(),
                })
                .inc();
        }
        self.observe_latency(rpc, started.elapsed());
    }

    /// Records a message answered with an error status.
    pub fn record_error(&self, rpc: Rpc, code: tonic::Code) {
        self.shared
            .errors
            .get_or_create(&ErrorLabels {
                rpc: rpc.as_str(),
                code: code_name(code),
            })
            .inc();
    }

    /// Records a call refused at the concurrency limit.
    pub fn record_shed(&self, rpc: Rpc) {
        self.shared
            .shed
            .get_or_create(&RpcLabels { rpc: rpc.as_str() })
            .inc();
        self.record_error(rpc, tonic::Code::ResourceExhausted);
    }

    /// Reports, at each scrape, what the shadow ruleset has compared:
    /// messages compared and dropped, and disagreements by verdict pair and
    /// by category.
    pub fn track_shadow(&self, shadow: &Arc<Shadow>) {
        self.shared.rulesets.shadow.store(Some(Arc::clone(shadow)));
    }

    /// Encodes every family as OpenMetrics text.
    ///
    /// # Errors
    ///
    /// Only if formatting fails, which writing to a `String` does not.
    pub fn encode(&self) -> Result<String, fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.shared.registry)?;
        Ok(out)
    }

    fn observe_latency(&self, rpc: Rpc, elapsed: Duration) {
        let s = &self.shared;
        s.resolved_latency.with(
            rpc as usize,
            || {
                s.latency
                    .get_or_create_owned(&RpcLabels { rpc: rpc.as_str() })
            },
            |histogram| histogram.observe(elapsed.as_secs_f64()),
        );
    }
}

/// Keeps a call counted in `msgscreen_in_flight_requests` while alive.
#[derive(Debug)]
pub struct InFlight {
    gauge: Gauge,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// Reads the live ruleset and the shadow at scrape time, so the version is
/// right after every reload and the shadow's counts are its own, without
/// the reloader or the shadow holding a metrics handle.
#[derive(Debug, Default)]
struct ActiveRuleset {
    cell: ArcSwapOption<RulesetCell>,
    shadow: ArcSwapOption<Shadow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RulesetLabels {
    version: String,
    source: String,
}

impl Collector for ActiveRuleset {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let Some(cell) = self.cell.load_full() else {
            return Ok(());
        };
        let ruleset = cell.current();
        let info = ConstGauge::new(1_i64);
        let mut metric = encoder.encode_descriptor(
            "ruleset_info",
            "The ruleset screening messages (value 1), by content hash and source",
            None,
            info.metric_type(),
        )?;
        let labels = RulesetLabels {
            version: ruleset.version().to_string(),
            source: ruleset.source().to_string(),
        };
        info.encode(metric.encode_family(&labels)?)?;
        let failed = ConstGauge::new(i64::from(cell.last_error().is_some()));
        let metric = encoder.encode_descriptor(
            "ruleset_reload_failing",
            "1 while the last reload since the live ruleset went live failed, else 0",
            None,
            failed.metric_type(),
        )?;
        failed.encode(metric)?;
        let mut metric = encoder.encode_descriptor(
            "reloads",
            "Ruleset reloads by result: success swapped a new version in, failure kept the old",
            None,
            MetricType::Counter,
        )?;
        for (result, count) in [
            ("success", cell.reloads_total()),
            ("failure", cell.reload_failures_total()),
        ] {
            ConstCounter::new(count).encode(metric.encode_family(&[("result", result)])?)?;
        }
        if let Some(shadow) = self.shadow.load_full() {
            encode_shadow(&shadow.report(), &mut encoder)?;
        }
        Ok(())
    }
}

/// Encodes the shadow's counts. Labels are verdict and category names.
fn encode_shadow(report: &ShadowReport, encoder: &mut DescriptorEncoder) -> Result<(), fmt::Error> {
    for (name, help, value) in [
        (
            "shadow_compared",
            "Messages screened by both the live and the shadow ruleset",
            report.compared,
        ),
        (
            "shadow_agreed",
            "Of those, messages with the same verdict and categories",
            report.agreed,
        ),
        (
            "shadow_dropped",
            "Shadow samples dropped because its worker was behind",
            report.dropped,
        ),
        (
            "shadow_failed",
            "Shadow samples the candidate failed to screen",
            report.failed,
        ),
    ] {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        ConstCounter::new(value).encode(metric)?;
    }
    let mut metric = encoder.encode_descriptor(
        "shadow_disagreements",
        "Messages whose shadow verdict differed from the live one, by verdict pair",
        None,
        MetricType::Counter,
    )?;
    for (live, shadows) in &report.verdicts {
        for (shadow, count) in shadows {
            let labels = [
                ("live_verdict", live.as_str()),
                ("shadow_verdict", shadow.as_str()),
            ];
            ConstCounter::new(*count).encode(metric.encode_family(&labels)?)?;
        }
    }
    let mut metric = encoder.encode_descriptor(
        "shadow_category_disagreements",
        "Messages where only one ruleset found a category, by category and which one",
        None,
        MetricType::Counter,
    )?;
    for (category, counts) in &report.categories {
        for (found_by, count) in [
            ("live", counts.only_active),
            ("shadow", counts.only_candidate),
        ] {
            let labels = [("category", category.as_str()), ("found_by", found_by)];
            ConstCounter::new(count).encode(metric.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

/// Returns the snake_case name of a gRPC code, a closed set of label values.
fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "ok",
        Code::Cancelled => "cancelled",
        Code::Unknown => "unknown",
        Code::InvalidArgument => "invalid_argument",
        Code::DeadlineExceeded => "deadline_exceeded",
        Code::NotFound => "not_found",
        Code::AlreadyExists => "already_exists",
        Code::PermissionDenied => "permission_denied",
        Code::ResourceExhausted => "resource_exhausted",
        Code::FailedPrecondition => "failed_precondition",
        Code::Aborted => "aborted",
        Code::OutOfRange => "out_of_range",
        Code::Unimplemented => "unimplemented",
        Code::Internal => "internal",
        Code::Unavailable => "unavailable",
        Code::DataLoss => "data_loss",
        Code::Unauthenticated => "unauthenticated",
    }
}

/// The content type of OpenMetrics text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `GET /metrics` on `listener` until `shutdown` completes; every
/// other path is 404. Nothing here changes state.
///
/// # Errors
///
/// The listener fails.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::{http::header, response::IntoResponse, routing::get};

    let handler = move || {
        let metrics = metrics.clone();
        async move {
            match metrics.encode() {
                Ok(body) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response(),
                Err(_) => {
                    tracing::error!("cannot encode metrics");
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
    };
    let app = axum::Router::new().route("/metrics", get(handler));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, sync::Arc};

    use super::*;
    use crate::{message::Message, ruleset::Ruleset, screen::Screener};

    /// Every label set of the kept families has its own slot, in range.
    #[test]
    fn resolved_slots_are_distinct_and_in_range() {
        let mut requests = HashSet::new();
        for &rpc in Rpc::ALL {
            for &sender in Sender::ALL {
                for &verdict in Verdict::ALL {
                    let slot = request_slot(rpc, sender, verdict);
                    assert!(slot < Rpc::ALL.len() * Sender::ALL.len() * Verdict::ALL.len());
                    assert!(requests.insert(slot), "{rpc:?} {sender:?} {verdict:?}");
                }
            }
        }
        let mut findings = HashSet::new();
        for &category in Category::ALL {
            for &action in Action::ALL {
                let slot = finding_slot(category, action);
                assert!(slot < Category::ALL.len() * Action::ALL.len());
                assert!(findings.insert(slot), "{category:?} {action:?}");
            }
        }
        for (i, &rpc) in Rpc::ALL.iter().enumerate() {
            assert_eq!(rpc as usize, i);
        }
    }

    /// Counts recorded through the kept metrics land in the series of
    /// their own labels, and a label set never used is never shown.
    #[test]
    fn each_screening_counts_in_its_own_series() {
        let screener = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
        let message = |text, sender| Message {
            id: "m",
            text,
            sender,
            seller_id: "",
            language: None,
            exempt: None,
        };
        let flagged = screener.screen(&message("call me at 206-555-0187", Sender::Seller));
        let allowed = screener.screen(&message("see you at 5pm", Sender::Buyer));
        assert_eq!(flagged.verdict, Verdict::Redact);
        assert_eq!(allowed.verdict, Verdict::Allow);

        let metrics = Metrics::new();
        let started = Instant::now();
        for _ in 0..3 {
            metrics.record_screening(Rpc::Screen, Sender::Seller, &flagged, started);
        }
        metrics.record_screening(Rpc::ScreenStream, Sender::Buyer, &allowed, started);
        let text = metrics.encode().unwrap();
        let count = |series: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(series)?.trim().parse::<u64>().ok())
        };
        assert_eq!(
            count(r#"msgscreen_requests_total{rpc="screen",sender="seller",verdict="redact"}"#),
            Some(3),
            "{text}"
        );
        assert_eq!(
            count(
                r#"msgscreen_requests_total{rpc="screen_stream",sender="buyer",verdict="allow"}"#
            ),
            Some(1),
            "{text}"
        );
        assert_eq!(
            count(r#"msgscreen_findings_total{category="contact.phone",action="redact"}"#),
            Some(3),
            "{text}"
        );
        assert_eq!(
            count(r#"msgscreen_request_duration_seconds_count{rpc="screen"}"#),
            Some(3),
            "{text}"
        );
        assert_eq!(
            count(r#"msgscreen_request_duration_seconds_count{rpc="screen_stream"}"#),
            Some(1),
            "{text}"
        );
        assert!(!text.contains(r#"verdict="block""#), "{text}");
    }
}
