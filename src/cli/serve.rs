//! `msgscreen serve`: resolve the configuration, set up logging, load the
//! ruleset and serve gRPC (and `/metrics` on its own port) until SIGTERM or
//! Ctrl-C.

mod clock;

use std::{io::IsTerminal as _, path::Path, sync::Arc};

use anyhow::Context as _;
use msgscreen::{
    config::{Config, LogFormat, ServeArgs},
    metrics::{self, Metrics},
    reload::{self, RulesetCell, WatchOptions},
    ruleset::Ruleset,
    service::server::{self, ServeOptions},
    shadow::{Shadow, ShadowOptions},
};
use tracing_subscriber::{
    EnvFilter,
    field::MakeExt as _,
    fmt::{FormatFields, format},
};

/// Runs the server; returns once it has shut down.
pub fn run(args: &ServeArgs) -> anyhow::Result<super::Status> {
    let config = Config::resolve(args, &|name| std::env::var(name).ok())?;
    init_tracing(config.log_format);
    install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(serve(config))?;
    Ok(super::Status::Ok)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let ruleset = match &config.wordlists {
        Some(dir) => Ruleset::from_dir(dir)
            .with_context(|| format!("cannot load --wordlists {}", dir.display()))?,
        None => Ruleset::embedded().context("cannot load the embedded ruleset")?,
    };
    ruleset.warm();
    tracing::info!(
        version = ruleset.version(),
        source = %ruleset.source(),
        "ruleset loaded"
    );
    let rulesets = Arc::new(RulesetCell::new(Arc::new(ruleset)));
    // Kept alive while serving; dropping it stops watching.
    let _watcher = match &config.wordlists {
        Some(dir) => Some(
            reload::watch(dir.clone(), Arc::clone(&rulesets), WatchOptions::default())
                .with_context(|| format!("cannot watch --wordlists {}", dir.display()))?,
        ),
        None => {
            ignore_hangups();
            None
        }
    };
    let (shadow, _shadow_watcher) = match &config.shadow_wordlists {
        Some(dir) => {
            let (shadow, watcher) = start_shadow(dir, config.shadow_share)?;
            (Some(shadow), Some(watcher))
        }
        None => (None, None),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let mut options = ServeOptions {
        shadow,
        ..ServeOptions::from(&config)
    };
    if let Some(files) = &config.tls {
        options.tls = Some(server::tls_config(files)?);
    }
    let metrics = Metrics::new();
    options.metrics = metrics.clone();
    let metrics_listener = tokio::net::TcpListener::bind(config.metrics_listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on --metrics-listen {}",
                config.metrics_listen
            )
        })?;
    let metrics_local = metrics_listener
        .local_addr()
        .context("cannot read the bound metrics address")?;
    // The metrics endpoint outlives the gRPC drain: it stops with the process.
    tokio::spawn(async move {
        if let Err(error) = metrics::serve(metrics_listener, metrics, std::future::pending()).await
        {
            tracing::error!(%error, "metrics endpoint failed");
        }
    });
    // Before the lines that say we serve: from then on, SIGTERM drains.
    let shutdown = shutdown_signal();
    tracing::info!(
        listen = %local,
        tls = config.tls.is_some(),
        mutual_tls = config.tls.as_ref().is_some_and(|t| t.client_ca.is_some()),
        "serving msgscreen.v1.Screening"
    );
    tracing::info!(metrics_listen = %metrics_local, "serving /metrics");
    server::serve(listener, rulesets, options, shutdown)
        .await
        .context("server failed")?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Loads the candidate ruleset, starts its shadow and its watcher, and
/// logs the disagreement counts every minute while they change.
fn start_shadow(dir: &Path, share: f64) -> anyhow::Result<(Arc<Shadow>, reload::Watcher)> {
    let candidate = Ruleset::from_dir(dir)
        .with_context(|| format!("cannot load --shadow-wordlists {}", dir.display()))?;
    candidate.warm();
    tracing::info!(
        version = candidate.version(),
        source = %candidate.source(),
        share,
        "shadow ruleset loaded"
    );
    let cell = Arc::new(RulesetCell::new(Arc::new(candidate)));
    let shadow = Arc::new(
        Shadow::start(
            Arc::clone(&cell),
            ShadowOptions {
                share,
                ..ShadowOptions::default()
            },
        )
        .context("cannot start the shadow ruleset")?,
    );
    let watcher = reload::watch(dir.to_path_buf(), cell, WatchOptions::default())
        .with_context(|| format!("cannot watch --shadow-wordlists {}", dir.display()))?;
    let reported = Arc::clone(&shadow);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut last = 0;
        loop {
            every.tick().await;
            let report = reported.report();
            if report.compared + report.dropped == last {
                continue;
            }
            last = report.compared + report.dropped;
            tracing::info!(
                candidate_version = report.candidate_version,
                compared = report.compared,
                agreed = report.agreed,
                dropped = report.dropped,
                failed = report.failed,
                verdicts = ?report.verdicts,
                categories = ?report.categories,
                "shadow ruleset disagreements so far"
            );
        }
    });
    Ok((shadow, watcher))
}

/// Logs SIGHUP instead of dying of it when there is no directory to reload.
fn ignore_hangups() {
    #[cfg(unix)]
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(mut hangups) => {
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    tracing::info!("SIGHUP: the embedded ruleset has nothing to reload");
                }
            });
        }
        Err(error) => tracing::warn!(%error, "cannot listen for SIGHUP"),
    }
}

/// Returns a future that completes on SIGTERM or Ctrl-C (SIGINT).
///
/// On Unix the handlers are installed here, before the server logs that it
/// is serving, not when the future is first polled: tonic polls it only once
/// its accept loop runs, and until then a SIGTERM (a test, or an orchestrator
/// stopping a pod that just started) killed the process instead of draining.
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |installed: std::io::Result<tokio::signal::unix::Signal>,
                        name: &'static str| async move {
                match installed {
                    Ok(mut signal) => {
                        signal.recv().await;
                    }
                    Err(error) => {
                        tracing::error!(%error, signal = name, "cannot listen for the signal");
                        std::future::pending::<()>().await;
                    }
                }
            };
            tokio::select! {
                () = wait(interrupt, "SIGINT") => tracing::info!(signal = "SIGINT", "signal received"),
                () = wait(terminate, "SIGTERM") => tracing::info!(signal = "SIGTERM", "signal received"),
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
            tracing::info!(signal = "SIGINT", "signal received");
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_timer(clock::LogClock)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Plain => builder.fmt_fields(plain_fields()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Formats fields as the default plain format does with colours off:
/// `name=value` separated by spaces, the message bare. The default field
/// formatter wraps every name and `=` in colour styles even when colours
/// are off, which was about 40% of the cost of each `screened` line.
fn plain_fields() -> impl for<'writer> FormatFields<'writer> + 'static {
    format::debug_fn(|writer, field, value| {
        if field.name() == "message" {
            write!(writer, "{value:?}")
        } else {
            write!(writer, "{field}={value:?}")
        }
    })
    .delimited(" ")
}

/// Replaces the default panic hook, whose message can quote the text being
/// screened (a slicing panic prints the string), with one log line naming
/// only where it happened. The request boundary catches the panic itself.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic; payload withheld from the log");
    }));
}
