//! A gRPC load generator for msgscreen, for machines without ghz (issue 7).
//!
//! It speaks real gRPC with the generated client, plays a labeled corpus
//! (policy.md's JSON Lines) round-robin, and holds either a fixed
//! concurrency or a fixed total rate for a duration. It then prints a
//! ghz-style summary — count, requests/s, latency min/p50/p90/p99/max and
//! the count per gRPC status code — or the same as JSON with `--json`.
//!
//! Every response is checked: a call counts as `OK` only if the status is
//! OK and the response is a real answer (a screening with a verdict and a
//! ruleset version, a health check that says SERVING). So a wrong method
//! path (UNIMPLEMENTED) or a server that is not serving cannot pass as
//! success, and the exit code is 1 when any call failed.
//!
//! ```text
//! cargo run --release --example loadgen -- --call screen --concurrency 32 --duration 10s
//! cargo run --release --example loadgen -- --call stream --concurrency 32 --duration 10s
//! cargo run --release --example loadgen -- --call health --concurrency 32 --duration 10s
//! cargo run --release --example loadgen -- --call screen --rate 5000 --duration 10s --json
//! ```

#![allow(clippy::print_stdout, missing_docs)]

use std::{
    collections::{BTreeMap, VecDeque},
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use msgscreen::service::pb::{self, screening_client::ScreeningClient};
use tokio::{
    sync::{Semaphore, mpsc},
    time::Instant,
};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// Which RPC to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Call {
    /// `msgscreen.v1.Screening/Screen`, one unary call per message.
    Screen,
    /// `msgscreen.v1.Screening/ScreenStream`, one open stream per worker.
    Stream,
    /// `grpc.health.v1.Health/Check`: a call that does no work, the baseline.
    Health,
}

impl Call {
    fn method(self) -> &'static str {
        match self {
            Call::Screen => "msgscreen.v1.Screening/Screen",
            Call::Stream => "msgscreen.v1.Screening/ScreenStream",
            Call::Health => "grpc.health.v1.Health/Check",
        }
    }
}

/// Load-test a msgscreen server with real gRPC calls.
#[derive(Debug, Parser)]
#[command(name = "loadgen")]
struct Args {
    /// Server address.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// The RPC to call.
    #[arg(long, value_enum, default_value_t = Call::Screen)]
    call: Call,
    /// Workers, each with one call (or one stream message) in flight.
    #[arg(long, short = 'c', default_value_t = 32)]
    concurrency: usize,
    /// Total calls per second across all workers; unset means as fast as
    /// the workers go. Latency then counts from each call's scheduled time.
    #[arg(long, short = 'r')]
    rate: Option<f64>,
    /// How long to measure, after the warm-up (`10s`, `500ms`, `1m`).
    #[arg(long, short = 'z', default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// How long to run before measuring.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    warmup: Duration,
    /// HTTP/2 connections; workers share them round-robin.
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// The corpus to play round-robin (policy.md's JSON Lines).
    #[arg(long, default_value = "tests/cases/dev.jsonl")]
    data: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| s.split_at(i));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("bad duration {s:?}: expected a number and ms, s or m"))?;
    let secs = match unit {
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("bad duration unit in {s:?}: use ms, s or m")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Reads the corpus into requests; `sender` and `text` are all it needs.
fn load_requests(path: &PathBuf) -> anyhow::Result<Vec<pb::ScreenRequest>> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        sender: String,
        text: String,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}", path.display(), i + 1))?;
        let sender = match line.sender.as_str() {
            "seller" => pb::Sender::Seller,
            "buyer" => pb::Sender::Buyer,
            other => bail!(
                "{}: line {}: unknown sender {other:?}",
                path.display(),
                i + 1
            ),
        };
        out.push(pb::ScreenRequest {
            message_id: line.id,
            text: line.text,
            sender: sender as i32,
            seller_id: String::new(),
            locale: String::new(),
        });
    }
    if out.is_empty() {
        bail!("{}: no messages", path.display());
    }
    Ok(out)
}

/// What one worker saw while measuring.
#[derive(Default)]
struct Tally {
    /// Latency of each successful call, in nanoseconds.
    latencies: Vec<u64>,
    /// Calls per status name (`OK`, a gRPC code, or a failed check).
    statuses: BTreeMap<String, u64>,
}

impl Tally {
    fn record(&mut self, status: &str, latency: Duration, measuring: bool) {
        if !measuring {
            return;
        }
        if status == "OK" {
            self.latencies.push(latency.as_nanos() as u64);
        }
        *self.statuses.entry(status.to_string()).or_default() += 1;
    }
}

fn code_name(code: Code) -> String {
    format!("{code:?}")
}

/// Checks a screening: a verdict and a ruleset version, or its error code.
fn check_screening(response: &pb::ScreenResponse) -> String {
    if let Some(error) = &response.error {
        return format!("{:?}", Code::from_i32(error.code));
    }
    if response.verdict == pb::Verdict::Unspecified as i32 || response.ruleset_version.is_empty() {
        return "BadResponse".to_string();
    }
    "OK".to_string()
}

/// Shared by the workers: the schedule, the corpus cursor and the clock.
struct Plan {
    requests: Vec<pb::ScreenRequest>,
    cursor: AtomicU64,
    slots: AtomicU64,
    rate: Option<f64>,
    /// With a rate: one permit per slot whose time has come, added by
    /// [`pace`]; closed when the run is over.
    due: Arc<Semaphore>,
    start: Instant,
    measure_from: Instant,
    end: Instant,
}

/// The shortest sleep of [`pace`]: slots are released at most this late.
const PACER_TICK: Duration = Duration::from_micros(200);

/// Releases the slots of a fixed-rate run on time, from a thread of its
/// own: tokio's timer fires up to a millisecond late, and latency counts
/// from each slot's scheduled time, so sleeping in the workers added up
/// to a millisecond of the load generator's own to every call (measured:
/// a health check at 10% of its saturation rate read p50 1.3 ms).
/// `std::thread::sleep` wakes within tens of microseconds.
fn pace(due: &Semaphore, rate: f64, start: std::time::Instant, end: std::time::Instant) {
    let mut released: u64 = 0;
    loop {
        let now = std::time::Instant::now();
        if now >= end {
            break;
        }
        // Every slot due by now, at once (at high rates, several per wake).
        let due_now = (now.duration_since(start).as_secs_f64() * rate).floor() as u64 + 1;
        if due_now > released {
            due.add_permits((due_now - released) as usize);
            released = due_now;
        }
        // Wake for the next slot, but not more often than every
        // PACER_TICK: at high rates the wake-ups would cost the load
        // generator's own core more than the lateness they save.
        let next = start + Duration::from_secs_f64(released as f64 / rate);
        let wait = next.saturating_duration_since(std::time::Instant::now());
        std::thread::sleep(wait.max(PACER_TICK));
    }
    due.close();
}

impl Plan {
    fn next_request(&self) -> pb::ScreenRequest {
        let i = self.cursor.fetch_add(1, Ordering::Relaxed) as usize % self.requests.len();
        self.requests[i].clone()
    }

    /// Waits for this worker's next slot; returns its scheduled time, or
    /// `None` once the run is over.
    async fn next_slot(&self) -> Option<Instant> {
        let at = match self.rate {
            None => Instant::now(),
            Some(rate) => {
                // The k-th permit comes once slot k is due.
                self.due.acquire().await.ok()?.forget();
                let k = self.slots.fetch_add(1, Ordering::Relaxed);
                self.start + Duration::from_secs_f64(k as f64 / rate)
            }
        };
        (at < self.end).then_some(at)
    }
}

async fn unary_worker(call: Call, channel: Channel, plan: Arc<Plan>) -> Tally {
    let mut tally = Tally::default();
    let mut screening = ScreeningClient::new(channel.clone());
    let mut health = HealthClient::new(channel);
    while let Some(at) = plan.next_slot().await {
        let status = match call {
            Call::Screen => match screening.screen(plan.next_request()).await {
                Ok(response) => check_screening(response.get_ref()),
                Err(status) => code_name(status.code()),
            },
            Call::Health => {
                let request = HealthCheckRequest {
                    service: "msgscreen.v1.Screening".to_string(),
                };
                match health.check(request).await {
                    Ok(response) if response.get_ref().status == ServingStatus::Serving as i32 => {
                        "OK".to_string()
                    }
                    Ok(_) => "NotServing".to_string(),
                    Err(status) => code_name(status.code()),
                }
            }
            Call::Stream => unreachable!("streams run in stream_worker"),
        };
        tally.record(&status, at.elapsed(), at >= plan.measure_from);
    }
    tally
}

/// One open ScreenStream, one message in flight at a time.
async fn stream_worker(channel: Channel, plan: Arc<Plan>) -> Tally {
    let mut tally = Tally::default();
    let mut client = ScreeningClient::new(channel);
    let (tx, rx) = mpsc::channel::<pb::ScreenRequest>(1);
    let mut pending: VecDeque<Instant> = VecDeque::new();
    let Some(first) = plan.next_slot().await else {
        return tally;
    };
    if tx.send(plan.next_request()).await.is_err() {
        return tally;
    }
    pending.push_back(first);
    let mut responses = match client.screen_stream(ReceiverStream::new(rx)).await {
        Ok(response) => response.into_inner(),
        Err(status) => {
            tally.record(&code_name(status.code()), Duration::ZERO, true);
            return tally;
        }
    };
    while let Some(at) = pending.pop_front() {
        let status = match responses.message().await {
            Ok(Some(response)) => check_screening(&response),
            Ok(None) => "StreamEnded".to_string(),
            Err(status) => code_name(status.code()),
        };
        tally.record(&status, at.elapsed(), at >= plan.measure_from);
        if status != "OK" && status != "InvalidArgument" {
            break;
        }
        if let Some(next) = plan.next_slot().await {
            if tx.send(plan.next_request()).await.is_err() {
                break;
            }
            pending.push_back(next);
        }
    }
    drop(tx);
    tally
}

/// The result of a run, as printed.
#[derive(serde::Serialize)]
struct Summary {
    call: &'static str,
    concurrency: usize,
    connections: usize,
    rate: Option<f64>,
    duration_s: f64,
    count: u64,
    ok: u64,
    rps: f64,
    latency_ms: Latency,
    status: BTreeMap<String, u64>,
}

#[derive(serde::Serialize)]
struct Latency {
    min: f64,
    mean: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn summarize(args: &Args, tallies: Vec<Tally>) -> Summary {
    let mut latencies = Vec::new();
    let mut status = BTreeMap::new();
    for tally in tallies {
        latencies.extend(tally.latencies);
        for (name, n) in tally.statuses {
            *status.entry(name).or_default() += n;
        }
    }
    latencies.sort_unstable();
    let ms = |ns: u64| ns as f64 / 1e6;
    let pick = |q: f64| {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
        ms(latencies[i])
    };
    let count: u64 = status.values().sum();
    let ok = status.get("OK").copied().unwrap_or(0);
    let secs = args.duration.as_secs_f64();
    Summary {
        call: args.call.method(),
        concurrency: args.concurrency,
        connections: args.connections,
        rate: args.rate,
        duration_s: secs,
        count,
        ok,
        rps: count as f64 / secs,
        latency_ms: Latency {
            min: latencies.first().map_or(0.0, |&l| ms(l)),
            mean: if latencies.is_empty() {
                0.0
            } else {
                ms(latencies.iter().sum::<u64>() / latencies.len() as u64)
            },
            p50: pick(0.50),
            p90: pick(0.90),
            p99: pick(0.99),
            max: latencies.last().map_or(0.0, |&l| ms(l)),
        },
        status,
    }
}

fn print_summary(s: &Summary) {
    println!("Summary:");
    println!("  Call:         {}", s.call);
    match s.rate {
        Some(rate) => println!(
            "  Load:         {rate:.0} calls/s, {} workers, {} connection(s)",
            s.concurrency, s.connections
        ),
        None => println!(
            "  Load:         {} workers, {} connection(s)",
            s.concurrency, s.connections
        ),
    }
    println!("  Count:        {}", s.count);
    println!("  Total:        {:.2} s", s.duration_s);
    println!("  Slowest:      {:.3} ms", s.latency_ms.max);
    println!("  Fastest:      {:.3} ms", s.latency_ms.min);
    println!("  Average:      {:.3} ms", s.latency_ms.mean);
    println!("  Requests/sec: {:.1}", s.rps);
    println!();
    println!("Latency distribution:");
    println!("  50 % in {:.3} ms", s.latency_ms.p50);
    println!("  90 % in {:.3} ms", s.latency_ms.p90);
    println!("  99 % in {:.3} ms", s.latency_ms.p99);
    println!();
    println!("Status code distribution:");
    for (name, n) in &s.status {
        println!("  [{name}]   {n} responses");
    }
}

async fn run(args: &Args) -> anyhow::Result<Summary> {
    if let Some(rate) = args.rate {
        anyhow::ensure!(
            rate.is_finite() && rate > 0.0,
            "--rate must be a positive number of calls per second, not {rate}"
        );
    }
    let requests = load_requests(&args.data)?;
    let mut channels = Vec::new();
    for _ in 0..args.connections.max(1) {
        let channel = Channel::from_shared(args.addr.clone())
            .with_context(|| format!("bad --addr {}", args.addr))?
            .tcp_nodelay(true)
            .connect()
            .await
            .with_context(|| format!("cannot connect to {}", args.addr))?;
        channels.push(channel);
    }
    let start = Instant::now();
    let measure_from = start + args.warmup;
    let plan = Arc::new(Plan {
        requests,
        cursor: AtomicU64::new(0),
        slots: AtomicU64::new(0),
        rate: args.rate,
        due: Arc::new(Semaphore::new(0)),
        start,
        measure_from,
        end: measure_from + args.duration,
    });
    if let Some(rate) = args.rate {
        let (due, start, end) = (
            Arc::clone(&plan.due),
            plan.start.into_std(),
            plan.end.into_std(),
        );
        std::thread::spawn(move || pace(&due, rate, start, end));
    }
    let mut workers = Vec::new();
    for i in 0..args.concurrency.max(1) {
        let channel = channels[i % channels.len()].clone();
        let plan = Arc::clone(&plan);
        let call = args.call;
        workers.push(tokio::spawn(async move {
            match call {
                Call::Stream => stream_worker(channel, plan).await,
                _ => unary_worker(call, channel, plan).await,
            }
        }));
    }
    let mut tallies = Vec::new();
    for worker in workers {
        tallies.push(worker.await.context("worker panicked")?);
    }
    Ok(summarize(args, tallies))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let summary = runtime.block_on(run(&args))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    if summary.ok == 0 || summary.ok != summary.count {
        std::process::exit(1);
    }
    Ok(())
}
