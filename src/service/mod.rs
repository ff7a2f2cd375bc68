//! The gRPC front end, kept thin: handlers validate and convert a request,
//! call [`Screener`] with one ruleset snapshot, and convert back.
//!
//! `convert` maps between wire and engine types and errors to statuses,
//! `server` composes the tonic server (health, reflection, limits,
//! graceful shutdown, TLS). Metrics are a handle passed in through
//! [`ServiceOptions`]; a panic while screening is answered as configured
//! ([`OnScreenFailure`]).

pub mod convert;
pub mod pb;
pub mod server;

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::Arc,
    time::Instant,
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_stream::{Stream, StreamExt};
use tonic::{Code, Request, Response, Status, Streaming};

use self::convert::Limits;
use crate::{
    category::Verdict,
    config::OnScreenFailure,
    message::Message,
    metrics::{FailureAnswer, Metrics, Rpc},
    reload::RulesetCell,
    screen::{Screener, Screening},
    shadow::Shadow,
};

/// The function that screens one message: [`Screener::screen`] in
/// production. A seam for tests that need the engine to fail (a panicking
/// engine is never reachable from input in a real server).
pub type ScreenFn = fn(&Screener, &Message<'_>) -> Screening;

/// How the service behaves, besides its ruleset.
#[derive(Clone, Debug)]
pub struct ServiceOptions {
    /// Request field limits.
    pub limits: Limits,
    /// Requests and streams screened at once.
    pub max_concurrency: usize,
    /// What a request gets when screening it panics.
    pub on_screen_failure: OnScreenFailure,
    /// Where requests, verdicts, findings and latency are recorded.
    pub metrics: Metrics,
    /// The screening function.
    pub engine: ScreenFn,
    /// A candidate ruleset screening a share of traffic after each answer.
    pub shadow: Option<Arc<Shadow>>,
}

/// The `msgscreen.v1.Screening` service.
#[derive(Clone, Debug)]
pub struct ScreeningService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    rulesets: Arc<RulesetCell>,
    options: ServiceOptions,
    permits: Arc<Semaphore>,
}

impl ScreeningService {
    /// Builds the service over the live ruleset.
    pub fn new(rulesets: Arc<RulesetCell>, options: ServiceOptions) -> ScreeningService {
        ScreeningService {
            inner: Arc::new(Inner {
                rulesets,
                permits: Arc::new(Semaphore::new(options.max_concurrency)),
                options,
            }),
        }
    }
}

impl Inner {
    /// Takes a concurrency permit, or refuses with RESOURCE_EXHAUSTED.
    fn admit(&self, rpc: Rpc) -> Result<OwnedSemaphorePermit, Status> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            self.options.metrics.record_shed(rpc);
            convert::overloaded(self.options.max_concurrency)
        })
    }

    /// Screens one request with the current ruleset snapshot. Every line
    /// it logs carries the request's [`request_span`].
    fn screen(&self, rpc: Rpc, request: &pb::ScreenRequest) -> Result<pb::ScreenResponse, Status> {
        let started = Instant::now();
        let metrics = &self.options.metrics;
        let message = convert::to_message(request, self.options.limits).map_err(|invalid| {
            metrics.record_error(rpc, Code::InvalidArgument);
            if tracing::enabled!(tracing::Level::DEBUG) {
                request_span(rpc, &request.message_id)
                    .in_scope(|| tracing::debug!(reason = %invalid.0, "invalid request"));
            }
            Status::from(invalid)
        })?;
        let screener = Screener::new(self.rulesets.current());
        // A panic is a bug in the engine; it must cost this request only.
        let engine = self.options.engine;
        let screening = match catch_unwind(AssertUnwindSafe(|| engine(&screener, &message))) {
            Ok(screening) => screening,
            Err(_) => return self.fail(rpc, request, &message, &screener, started),
        };
        metrics.record_screening(rpc, message.sender, &screening, started);
        log_screening(rpc, &message, &screening, started);
        if let Some(shadow) = &self.options.shadow {
            // Samples and queues without waiting: the candidate screens on
            // its own thread, off this response's path.
            shadow.offer(&message, &screening);
        }
        Ok(convert::to_response(&request.message_id, screening))
    }

    /// Answers a request whose screening panicked, as configured.
    fn fail(
        &self,
        rpc: Rpc,
        request: &pb::ScreenRequest,
        message: &Message<'_>,
        screener: &Screener,
        started: Instant,
    ) -> Result<pb::ScreenResponse, Status> {
        let answer = match self.options.on_screen_failure {
            OnScreenFailure::Block => FailureAnswer::Block,
            OnScreenFailure::Internal => FailureAnswer::Internal,
        };
        self.options
            .metrics
            .record_screen_failure(rpc, message.sender, answer, started);
        request_span(rpc, message.id).in_scope(|| {
            tracing::error!(
                sender = message.sender.as_str(),
                text_bytes = message.text.len(),
                ruleset_version = screener.ruleset().version(),
                answer = answer.as_str(),
                "screening panicked"
            );
        });
        match answer {
            FailureAnswer::Block => Ok(convert::to_failed_response(
                &request.message_id,
                screener.ruleset().version(),
            )),
            FailureAnswer::Internal => {
                self.options.metrics.record_error(rpc, Code::Internal);
                Err(convert::internal())
            }
        }
    }
}

/// The span of one request: its rpc and message id, never the text.
///
/// Made only when a line is about to be logged: recording its fields costs
/// about a tenth of a screening, and most requests (allowed messages at
/// the default level) log nothing.
fn request_span(rpc: Rpc, message_id: &str) -> tracing::Span {
    tracing::info_span!("screen", rpc = rpc.as_str(), message_id)
}

/// Logs one screening in its [`request_span`]: verdict, categories, rule
/// ids and timing, never text. Redact and block are logged at info (trust
/// and safety read them); allow, the common case, at debug.
fn log_screening(rpc: Rpc, message: &Message<'_>, screening: &Screening, started: Instant) {
    macro_rules! screened {
        ($level:expr) => {{
            let categories: Vec<&str> = screening
                .categories()
                .into_iter()
                .map(|c| c.as_str())
                .collect();
            let rules: Vec<&str> = screening
                .findings
                .iter()
                .map(|j| j.finding.rule_id.as_str())
                .collect();
            let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            request_span(rpc, message.id).in_scope(|| {
                tracing::event!(
                    $level,
                    sender = message.sender.as_str(),
                    verdict = screening.verdict.as_str(),
                    categories = ?categories,
                    rules = ?rules,
                    findings = screening.findings.len(),
                    ruleset_version = %screening.ruleset_version,
                    elapsed_us,
                    "screened"
                )
            });
        }};
    }
    if screening.verdict == Verdict::Allow {
        if tracing::enabled!(tracing::Level::DEBUG) {
            screened!(tracing::Level::DEBUG);
        }
    } else if tracing::enabled!(tracing::Level::INFO) {
        screened!(tracing::Level::INFO);
    }
}

type ResponseStream = Pin<Box<dyn Stream<Item = Result<pb::ScreenResponse, Status>> + Send>>;

#[tonic::async_trait]
impl pb::screening_server::Screening for ScreeningService {
    async fn screen(
        &self,
        request: Request<pb::ScreenRequest>,
    ) -> Result<Response<pb::ScreenResponse>, Status> {
        let _in_flight = self.inner.options.metrics.in_flight(Rpc::Screen);
        let _permit = self.inner.admit(Rpc::Screen)?;
        let request = request.into_inner();
        self.inner.screen(Rpc::Screen, &request).map(Response::new)
    }

    type ScreenStreamStream = ResponseStream;

    async fn screen_stream(
        &self,
        request: Request<Streaming<pb::ScreenRequest>>,
    ) -> Result<Response<ResponseStream>, Status> {
        let in_flight = self.inner.options.metrics.in_flight(Rpc::ScreenStream);
        // One permit per open stream: a stream screens one message at a time.
        let permit = self.inner.admit(Rpc::ScreenStream)?;
        let inner = Arc::clone(&self.inner);
        let responses = request.into_inner().map(move |item| {
            let _held = (&permit, &in_flight);
            let request = item?;
            Ok(inner
                .screen(Rpc::ScreenStream, &request)
                .unwrap_or_else(|status| convert::to_error_response(&request.message_id, &status)))
        });
        Ok(Response::new(Box::pin(responses)))
    }

    async fn get_ruleset(
        &self,
        _request: Request<pb::GetRulesetRequest>,
    ) -> Result<Response<pb::Ruleset>, Status> {
        let ruleset = self.inner.rulesets.current();
        let last_error = self.inner.rulesets.last_error();
        Ok(Response::new(convert::to_ruleset(&ruleset, last_error)))
    }
}
