//! The tonic server: the screening service beside standard health checking
//! and server reflection, with limits and graceful shutdown.
//!
//! Shutdown: when the shutdown future completes, health turns NOT_SERVING
//! for `""` and `msgscreen.v1.Screening`; after `shutdown_delay` the
//! listener closes and in-flight calls finish; after `drain_timeout` the
//! server stops waiting for them.

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use thiserror::Error;
use tokio::{net::TcpListener, sync::oneshot};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig, server::TcpIncoming};
use tonic_health::ServingStatus;

use super::{
    ScreenFn, ScreeningService, ServiceOptions,
    convert::Limits,
    pb::{self, screening_server::ScreeningServer},
};
use crate::{
    config::{OnScreenFailure, TlsFiles},
    metrics::Metrics,
    reload::RulesetCell,
    shadow::Shadow,
};

/// What the server needs besides its listener and ruleset.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Request field limits.
    pub limits: Limits,
    /// Requests and streams screened at once.
    pub max_concurrency: usize,
    /// Longest a unary call may take.
    pub request_timeout: Duration,
    /// How long NOT_SERVING is reported before the listener closes.
    pub shutdown_delay: Duration,
    /// How long in-flight calls may take to finish after that.
    pub drain_timeout: Duration,
    /// A candidate ruleset screening a share of traffic, if any.
    pub shadow: Option<Arc<Shadow>>,
    /// What a request gets when screening it panics.
    pub on_screen_failure: OnScreenFailure,
    /// Where the service records; serve `/metrics` from the same handle.
    pub metrics: Metrics,
    /// TLS (and mutual TLS) settings; `None` serves plaintext.
    pub tls: Option<ServerTlsConfig>,
    /// The screening function, [`Screener::screen`](crate::Screener::screen)
    /// unless a test injects a failing one.
    pub engine: ScreenFn,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions::from(&crate::config::Config::default())
    }
}

/// Builds the options from a configuration, with a fresh metrics handle and
/// no TLS; the caller sets `tls` from [`tls_config`] (the step that reads
/// files) and shares `metrics` with the metrics endpoint.
impl From<&crate::config::Config> for ServeOptions {
    fn from(config: &crate::config::Config) -> ServeOptions {
        ServeOptions {
            limits: Limits {
                max_text_bytes: config.max_text_bytes,
            },
            max_concurrency: config.max_concurrency,
            request_timeout: config.request_timeout,
            shutdown_delay: config.shutdown_delay,
            drain_timeout: config.drain_timeout,
            // Built by the caller: it loads and watches a directory.
            shadow: None,
            on_screen_failure: config.on_screen_failure,
            metrics: Metrics::new(),
            tls: None,
            engine: crate::screen::Screener::screen,
        }
    }
}

/// Returned when the TLS files cannot be read.
#[derive(Debug, Error)]
#[error("cannot read {setting} {}", path.display())]
pub struct LoadTlsError {
    /// The flag naming the file.
    pub setting: &'static str,
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Reads the TLS files into a server TLS configuration: the certificate
/// chain and key, and for mutual TLS the CA that client certificates must
/// chain to (a client without one is refused in the handshake).
///
/// Whether the PEM is valid is checked when the server starts (rustls
/// parses it there), and reported as a transport error.
///
/// # Errors
///
/// A file cannot be read.
pub fn tls_config(files: &TlsFiles) -> Result<ServerTlsConfig, LoadTlsError> {
    let read = |setting: &'static str, path: &std::path::Path| {
        std::fs::read(path).map_err(|source| LoadTlsError {
            setting,
            path: path.to_path_buf(),
            source,
        })
    };
    let identity = Identity::from_pem(
        read("--tls-cert", &files.cert)?,
        read("--tls-key", &files.key)?,
    );
    let mut tls = ServerTlsConfig::new().identity(identity);
    if let Some(ca) = &files.client_ca {
        tls = tls
            .client_ca_root(Certificate::from_pem(read("--tls-client-ca", ca)?))
            .client_auth_optional(false);
    }
    Ok(tls)
}

/// Returned when the server cannot start or fails while serving.
#[derive(Debug, Error)]
pub enum ServeError {
    /// Reflection could not be set up from the descriptor sets.
    #[error("cannot build server reflection")]
    Reflection(#[source] tonic_reflection::server::Error),
    /// The TLS certificate, key or client CA was rejected.
    #[error("cannot set up TLS")]
    Tls(#[source] tonic::transport::Error),
    /// The transport failed.
    #[error("gRPC transport failed")]
    Transport(#[source] tonic::transport::Error),
}

/// The service name health checks report, `msgscreen.v1.Screening`.
pub const SERVICE_NAME: &str = "msgscreen.v1.Screening";

/// Serves gRPC on `listener` until `shutdown` completes and calls drain.
///
/// # Errors
///
/// Reflection cannot be built, or the transport fails.
pub async fn serve(
    listener: TcpListener,
    rulesets: Arc<RulesetCell>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status(SERVICE_NAME, ServingStatus::Serving)
        .await;
    let reflection_v1 = reflection().build_v1().map_err(ServeError::Reflection)?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(ServeError::Reflection)?;
    options.metrics.track_ruleset(&rulesets);
    if let Some(shadow) = &options.shadow {
        options.metrics.track_shadow(shadow);
    }
    let screening = ScreeningService::new(
        rulesets,
        ServiceOptions {
            limits: options.limits,
            max_concurrency: options.max_concurrency,
            on_screen_failure: options.on_screen_failure,
            metrics: options.metrics.clone(),
            engine: options.engine,
            shadow: options.shadow.clone(),
        },
    );
    // Leave room above the text limit so an oversize text gets our
    // INVALID_ARGUMENT naming the field, not a decoder error.
    let max_decoding = (options.limits.max_text_bytes.saturating_mul(2)).max(4 * 1024 * 1024);

    let (drain_started, drain_started_rx) = oneshot::channel::<()>();
    let delay = options.shutdown_delay;
    let signal = async move {
        shutdown.await;
        for service in ["", SERVICE_NAME] {
            health
                .set_service_status(service, ServingStatus::NotServing)
                .await;
        }
        tracing::info!(
            delay_ms = delay.as_millis() as u64,
            "shutdown started: health is NOT_SERVING"
        );
        tokio::time::sleep(delay).await;
        tracing::info!("listener closed; draining in-flight calls");
        let _ = drain_started.send(());
    };

    let mut builder = Server::builder();
    if let Some(tls) = options.tls.clone() {
        // TLS terminates here, before any service sees a byte; under mutual
        // TLS a client without a certificate from the CA never gets a call in.
        builder = builder.tls_config(tls).map_err(ServeError::Tls)?;
    }
    let server = builder
        // Bounds a unary call; a caller's shorter grpc-timeout wins.
        .timeout(options.request_timeout)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(ScreeningServer::new(screening).max_decoding_message_size(max_decoding))
        // Builder::tcp_nodelay covers only listeners tonic binds itself; on
        // our own listener Nagle stayed on and held back the last frames of
        // a unary response until the client's delayed ACK, ~40 ms per call
        // (issue 7; measured with loadtest/run.sh, see README Performance).
        .serve_with_incoming_shutdown(TcpIncoming::from(listener).with_nodelay(Some(true)), signal);

    let drain_timeout = options.drain_timeout;
    let deadline = async move {
        if drain_started_rx.await.is_ok() {
            tokio::time::sleep(drain_timeout).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result.map_err(ServeError::Transport),
        () = deadline => {
            tracing::warn!(timeout_ms = drain_timeout.as_millis() as u64, "drain timeout passed; closing remaining calls");
            Ok(())
        }
    }
}

fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}
