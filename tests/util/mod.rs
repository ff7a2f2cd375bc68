//! Test helpers: a real server on an ephemeral port, and clients for it.

pub mod dirs;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use msgscreen::{
    reload::RulesetCell,
    ruleset::Ruleset,
    service::{
        convert::Limits,
        pb::{self, screening_client::ScreeningClient},
        server::{self, ServeError, ServeOptions},
    },
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::transport::Channel;

/// Options a test server starts with unless told otherwise.
pub fn options() -> ServeOptions {
    ServeOptions {
        limits: Limits {
            max_text_bytes: 64 * 1024,
        },
        max_concurrency: 64,
        request_timeout: Duration::from_secs(5),
        shutdown_delay: Duration::ZERO,
        drain_timeout: Duration::from_secs(10),
        shadow: None,
        ..ServeOptions::default()
    }
}

/// A server running in this process on `127.0.0.1:<ephemeral>`.
pub struct TestServer {
    pub addr: SocketAddr,
    pub rulesets: Arc<RulesetCell>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServeError>>,
}

impl TestServer {
    /// Starts a server with the embedded ruleset and default test options.
    pub async fn start() -> TestServer {
        TestServer::start_with(options()).await
    }

    /// Starts a server with the embedded ruleset and the given options.
    pub async fn start_with(options: ServeOptions) -> TestServer {
        let ruleset = Arc::new(Ruleset::embedded().unwrap());
        TestServer::start_with_rulesets(options, Arc::new(RulesetCell::new(ruleset))).await
    }

    /// Starts a server over a given live ruleset.
    pub async fn start_with_rulesets(
        options: ServeOptions,
        rulesets: Arc<RulesetCell>,
    ) -> TestServer {
        // Bound before the server task starts, so clients never race it.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(
            listener,
            Arc::clone(&rulesets),
            options,
            async {
                let _ = rx.await;
            },
        ));
        TestServer {
            addr,
            rulesets,
            shutdown: Some(tx),
            task,
        }
    }

    /// Returns a connected channel.
    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    /// Returns a connected screening client.
    pub async fn client(&self) -> ScreeningClient<Channel> {
        ScreeningClient::new(self.channel().await)
    }

    /// Starts graceful shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and waits for the server to finish.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        self.begin_shutdown();
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("server did not stop within 20s")
            .unwrap()
    }
}

/// The real binary's `serve` on ephemeral gRPC and metrics ports, for the
/// tests that run the process; they add flags and stdio before spawning.
pub fn serve_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_msgscreen"));
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    command
}

/// Builds a request.
pub fn request(id: &str, text: &str, sender: pb::Sender) -> pb::ScreenRequest {
    pb::ScreenRequest {
        message_id: id.to_string(),
        text: text.to_string(),
        sender: sender as i32,
        ..Default::default()
    }
}

/// Sends `GET path` over HTTP/1.1 and returns the status line and body.
pub async fn http_get(addr: SocketAddr, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}
