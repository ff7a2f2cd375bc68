//! The gRPC front end, kept thin: handlers validate and convert a request,
//! call [`Screener`] with one ruleset snapshot, and convert back.
//!
//! `convert` maps between wire and engine types and errors to statuses,
//! `server` composes the tonic server (health, reflection, limits,
//! graceful shutdown).

pub mod convert;
pub mod pb;
pub mod server;

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::Arc,
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

use self::convert::Limits;
use crate::{reload::RulesetCell, screen::Screener, shadow::Shadow};

/// The `msgscreen.v1.Screening` service.
#[derive(Clone, Debug)]
pub struct ScreeningService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    rulesets: Arc<RulesetCell>,
    limits: Limits,
    permits: Arc<Semaphore>,
    max_concurrency: usize,
    shadow: Option<Arc<Shadow>>,
}

impl ScreeningService {
    /// Builds the service over the live ruleset.
    pub fn new(
        rulesets: Arc<RulesetCell>,
        limits: Limits,
        max_concurrency: usize,
    ) -> ScreeningService {
        ScreeningService::with_shadow(rulesets, limits, max_concurrency, None)
    }

    /// Builds the service with, optionally, a shadow ruleset that screens
    /// a share of traffic after each answer.
    pub fn with_shadow(
        rulesets: Arc<RulesetCell>,
        limits: Limits,
        max_concurrency: usize,
        shadow: Option<Arc<Shadow>>,
    ) -> ScreeningService {
        ScreeningService {
            inner: Arc::new(Inner {
                rulesets,
                limits,
                permits: Arc::new(Semaphore::new(max_concurrency)),
                max_concurrency,
                shadow,
            }),
        }
    }
}

impl Inner {
    /// Takes a concurrency permit, or refuses with RESOURCE_EXHAUSTED.
    fn admit(&self) -> Result<OwnedSemaphorePermit, Status> {
        self.permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| convert::overloaded(self.max_concurrency))
    }

    /// Screens one request with the current ruleset snapshot.
    fn screen(&self, request: &pb::ScreenRequest) -> Result<pb::ScreenResponse, Status> {
        let message = convert::to_message(request, self.limits)?;
        let screener = Screener::new(self.rulesets.current());
        // A panic is a bug in the engine; it must cost this request only.
        let screening =
            catch_unwind(AssertUnwindSafe(|| screener.screen(&message))).map_err(|_| {
                tracing::error!(message_id = %request.message_id, "screening panicked");
                convert::internal()
            })?;
        tracing::debug!(
            message_id = %request.message_id,
            verdict = %screening.verdict,
            categories = ?screening.categories(),
            "screened"
        );
        if let Some(shadow) = &self.shadow {
            // Samples and queues without waiting: the candidate screens on
            // its own thread, off this response's path.
            shadow.offer(&message, &screening);
        }
        Ok(convert::to_response(&request.message_id, screening))
    }
}

type ResponseStream = Pin<Box<dyn Stream<Item = Result<pb::ScreenResponse, Status>> + Send>>;

#[tonic::async_trait]
impl pb::screening_server::Screening for ScreeningService {
    async fn screen(
        &self,
        request: Request<pb::ScreenRequest>,
    ) -> Result<Response<pb::ScreenResponse>, Status> {
        let _permit = self.inner.admit()?;
        let request = request.into_inner();
        self.inner.screen(&request).map(Response::new)
    }

    type ScreenStreamStream = ResponseStream;

    async fn screen_stream(
        &self,
        request: Request<Streaming<pb::ScreenRequest>>,
    ) -> Result<Response<ResponseStream>, Status> {
        // One permit per open stream: a stream screens one message at a time.
        let permit = self.inner.admit()?;
        let inner = Arc::clone(&self.inner);
        let responses = request.into_inner().map(move |item| {
            let _held = &permit;
            let request = item?;
            Ok(inner
                .screen(&request)
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
