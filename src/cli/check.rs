//! `msgscreen check`: screens one message and shows the verdict, the five
//! policy checks, each finding and the text with the findings highlighted,
//! or, with `--json`, the ScreenResponse in the proto3 JSON mapping.

use std::{
    io::{IsTerminal, Read},
    path::PathBuf,
};

use anyhow::Context;
use msgscreen::{
    Action, Message, Screener, Screening, Sender, Span, Verdict, message::Language, policy::Judged,
};
use serde_json::{Value, json};

use super::Status;

/// Arguments of `msgscreen check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  msgscreen check 'text me at 206-555-0142 tonight'
  msgscreen check --sender buyer --json 'can I pay you with venmo?'
  echo 'add me on whatsapp' | msgscreen check --wordlists ./wordlists")]
pub struct Args {
    /// The message; read from stdin when absent or `-`.
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
    /// Who wrote the message: seller or buyer.
    #[arg(long, default_value = "seller", value_name = "WHO")]
    pub sender: Sender,
    /// The message's locale, such as en-US or es-MX; empty means any.
    #[arg(long, default_value = "", value_name = "LOCALE")]
    pub locale: String,
    /// The seller account, looked up in the ruleset's exemption list.
    #[arg(long, default_value = "", value_name = "ID")]
    pub seller_id: String,
    /// Treat the seller as holding a communication exemption.
    #[arg(long)]
    pub exempt: bool,
    /// Load the ruleset from this directory instead of the embedded one.
    #[arg(long, value_name = "DIR")]
    pub wordlists: Option<PathBuf>,
    /// Print the ScreenResponse as JSON (the proto3 JSON mapping).
    #[arg(long)]
    pub json: bool,
    /// Colour the highlighted spans: auto (on a terminal), always, never.
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour; findings are shown in brackets.
    Never,
}

/// Runs `msgscreen check`.
pub fn run(args: Args) -> anyhow::Result<Status> {
    let text = match args.text.as_deref() {
        Some(text) if text != "-" => text.to_string(),
        _ => {
            if std::io::stdin().is_terminal() {
                anyhow::bail!("give the message as an argument, or pipe it on stdin");
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the message from stdin")?;
            // A shell pipe adds a final newline the sender never wrote.
            text.truncate(text.trim_end_matches(['\n', '\r']).len());
            text
        }
    };
    let ruleset = super::load_ruleset(args.wordlists.as_deref())?;
    let message = Message {
        id: "",
        text: &text,
        sender: args.sender,
        seller_id: &args.seller_id,
        language: Language::from_locale(&args.locale),
        exempt: args.exempt.then_some(true),
    };
    let screening = Screener::new(ruleset.clone()).screen(&message);
    if args.json {
        let json = serde_json::to_string_pretty(&response_json(&screening))
            .context("cannot encode the response")?;
        super::out(&(json + "\n"))?;
    } else {
        let color = match args.color {
            ColorChoice::Auto => std::io::stdout().is_terminal(),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        };
        super::out(&render(&text, &screening, color))?;
    }
    Ok(Status::Ok)
}

/// Returns the ScreenResponse of a screening in the proto3 JSON mapping:
/// lowerCamelCase names, enums by name, every field but the unset `error`.
pub fn response_json(screening: &Screening) -> Value {
    let findings: Vec<Value> = screening
        .findings
        .iter()
        .map(|j| {
            json!({
                "category": j.finding.category.as_str(),
                "ruleId": j.finding.rule_id,
                "action": format!("ACTION_{}", j.action.as_str().to_ascii_uppercase()),
                "start": j.finding.span.start(),
                "end": j.finding.span.end(),
                "detail": j.finding.detail.as_deref().unwrap_or(""),
            })
        })
        .collect();
    let checks: Vec<Value> = screening
        .checks
        .iter()
        .map(|c| {
            json!({
                "section": c.section.as_str(),
                "outcome": format!("OUTCOME_{}", c.outcome.as_str().to_ascii_uppercase()),
                "categories": c.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "messageId": "",
        "verdict": format!("VERDICT_{}", screening.verdict.as_str().to_ascii_uppercase()),
        "redactedText": screening.redacted_text.as_deref().unwrap_or(""),
        "findings": findings,
        "policyChecks": checks,
        "rulesetVersion": screening.ruleset_version,
        "notices": screening.notices,
    })
}

/// Renders the readable report: verdict, highlighted text, findings,
/// checks, redacted text and notices.
pub fn render(text: &str, screening: &Screening, color: bool) -> String {
    let mut out = String::new();
    let verdict = screening.verdict.as_str();
    let verdict = if color {
        paint(verdict, verdict_color(screening.verdict))
    } else {
        verdict.to_string()
    };
    out.push_str(&format!("verdict   {verdict}\n"));
    out.push_str(&format!(
        "text      {}\n",
        highlight(text, &screening.findings, color)
    ));
    if let Some(redacted) = &screening.redacted_text {
        out.push_str(&format!("redacted  {redacted}\n"));
    }
    out.push_str(&format!("findings  {}\n", screening.findings.len()));
    for j in &screening.findings {
        let span = j.finding.span;
        out.push_str(&format!(
            "  {:>4}..{:<4} {:<24} {:<6} {:<28} {:?}{}\n",
            span.start(),
            span.end(),
            j.finding.category.as_str(),
            j.action.as_str(),
            j.finding.rule_id,
            span.slice(text).unwrap_or(""),
            j.finding
                .detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ));
    }
    out.push_str("checks\n");
    for check in &screening.checks {
        let categories: Vec<&str> = check.categories.iter().map(|c| c.as_str()).collect();
        let line = format!(
            "  {:<22} {:<10} {}",
            check.section.as_str(),
            check.outcome.as_str(),
            categories.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for notice in &screening.notices {
        out.push_str(&format!("notice    {notice}\n"));
    }
    out.push_str(&format!("ruleset   {}\n", screening.ruleset_version));
    out
}

/// Returns the text with each finding (overlapping ones merged) shown as
/// `[category:excerpt]`, or coloured by its worst action with the category
/// after it.
pub fn highlight(text: &str, findings: &[Judged], color: bool) -> String {
    // Merge overlapping findings so every byte is shown once.
    let mut groups: Vec<(Span, Vec<&str>, Action)> = Vec::new();
    let mut sorted: Vec<&Judged> = findings
        .iter()
        .filter(|j| j.finding.span.on_char_boundaries(text))
        .collect();
    sorted.sort_by_key(|j| {
        (
            j.finding.span.start(),
            std::cmp::Reverse(j.finding.span.end()),
        )
    });
    for j in sorted {
        let category = j.finding.category.as_str();
        match groups.last_mut() {
            Some((span, categories, action)) if span.overlaps(j.finding.span) => {
                *span = span.cover(j.finding.span);
                if !categories.contains(&category) {
                    categories.push(category);
                }
                *action = (*action).max(j.action);
            }
            _ => groups.push((j.finding.span, vec![category], j.action)),
        }
    }
    let mut out = String::with_capacity(text.len() + 32 * groups.len());
    let mut at = 0;
    for (span, categories, action) in groups {
        out.push_str(text.get(at..span.start()).unwrap_or(""));
        let excerpt = span.slice(text).unwrap_or("");
        let label = categories.join(",");
        if color {
            out.push_str(&paint(excerpt, action_color(action)));
            out.push_str(&format!("\x1b[2m⟨{label}⟩\x1b[0m"));
        } else {
            out.push_str(&format!("[{label}:{excerpt}]"));
        }
        at = span.end();
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

fn action_color(action: Action) -> &'static str {
    match action {
        Action::Block => "1;31",
        Action::Redact => "1;33",
        Action::Flag => "1;36",
        Action::Allow => "2",
    }
}

fn paint(text: &str, code: &str) -> String {
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn verdict_color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allow => "1;32",
        Verdict::Redact => action_color(Action::Redact),
        Verdict::Block => action_color(Action::Block),
    }
}
