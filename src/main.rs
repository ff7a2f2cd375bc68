//! The msgscreen binary: parses the command line, sets up tracing and runs
//! one subcommand. `serve` is the default when none is given.
//!
//! Exit codes: 0 ok, 1 a gate failed (`eval`, `lint`), 2 an error.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: allocation-heavy work (ruleset builds, h2 and tonic per call)
/// spent a sixth to a third of its instructions in glibc malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Screens marketplace buyer-seller messages against the platform's policy.
#[derive(Debug, Parser)]
#[command(name = "msgscreen", version, about)]
struct Cli {
    /// What to do; `serve` when absent.
    #[command(subcommand)]
    command: Option<Command>,
    /// Settings for `serve`, the default subcommand.
    #[command(flatten)]
    serve: msgscreen::config::ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the gRPC screening service (the default).
    ///
    /// Example: msgscreen serve --listen 0.0.0.0:50051 --wordlists ./wordlists
    Serve(msgscreen::config::ServeArgs),
    /// Screens one message and shows the verdict, checks and findings.
    Check(cli::check::Args),
    /// Scores a ruleset against a labeled corpus; optionally a gate.
    Eval(cli::eval::Args),
    /// Shows every corpus message whose outcome changes between two rulesets.
    Diff(cli::diff::Args),
    /// Validates a ruleset and warns about risky terms.
    Lint(cli::lint::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve(args)) => cli::serve::run(&args),
        None => cli::serve::run(&cli.serve),
        Some(Command::Eval(args)) => cli::eval::run(args),
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Diff(args)) => cli::diff::run(args),
        Some(Command::Lint(args)) => cli::lint::run(args),
    };
    match result {
        Ok(status) => status.exit_code(),
        Err(error) => {
            eprintln!("msgscreen: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
