//! Conversions between the wire types and the engine's, and the one place
//! where errors become gRPC statuses.
//!
//! The caller's mistakes get INVALID_ARGUMENT naming the field and the
//! limit; overload gets RESOURCE_EXHAUSTED; our own faults get INTERNAL with
//! a generic message (the detail goes to one log line, never the text).

use std::time::{SystemTime, UNIX_EPOCH};

use tonic::{Code, Status};

use super::pb;
use crate::{
    category::{Action, Category, Outcome, Section, Sender, Verdict},
    message::{Language, Message},
    ruleset::Ruleset,
    screen::Screening,
};

/// Limits on request fields, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest `text` accepted, in bytes.
    pub max_text_bytes: usize,
}

/// The largest `message_id` or `seller_id` accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// The largest `locale` accepted, in bytes.
pub const MAX_LOCALE_BYTES: usize = 35;

/// Why a request cannot be screened: the caller's mistake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRequest(pub String);

impl From<InvalidRequest> for Status {
    fn from(e: InvalidRequest) -> Status {
        Status::invalid_argument(e.0)
    }
}

/// Checks a request and borrows it as an engine [`Message`].
///
/// # Errors
///
/// An unspecified or unknown `sender`, or a field over its limit.
pub fn to_message(
    request: &pb::ScreenRequest,
    limits: Limits,
) -> Result<Message<'_>, InvalidRequest> {
    let sender = match pb::Sender::try_from(request.sender) {
        Ok(pb::Sender::Seller) => Sender::Seller,
        Ok(pb::Sender::Buyer) => Sender::Buyer,
        Ok(pb::Sender::Unspecified) => {
            return Err(InvalidRequest(
                "sender: required; set SENDER_SELLER or SENDER_BUYER".to_string(),
            ));
        }
        Err(_) => {
            return Err(InvalidRequest(format!(
                "sender: unknown value {}; set SENDER_SELLER (1) or SENDER_BUYER (2)",
                request.sender
            )));
        }
    };
    if request.text.len() > limits.max_text_bytes {
        return Err(InvalidRequest(format!(
            "text: {} bytes is over the limit of {} bytes",
            request.text.len(),
            limits.max_text_bytes
        )));
    }
    for (field, value, limit) in [
        ("message_id", &request.message_id, MAX_ID_BYTES),
        ("seller_id", &request.seller_id, MAX_ID_BYTES),
        ("locale", &request.locale, MAX_LOCALE_BYTES),
    ] {
        if value.len() > limit {
            return Err(InvalidRequest(format!(
                "{field}: {} bytes is over the limit of {limit} bytes",
                value.len()
            )));
        }
    }
    Ok(Message {
        id: &request.message_id,
        text: &request.text,
        sender,
        seller_id: &request.seller_id,
        language: Language::from_locale(&request.locale),
        exempt: None,
    })
}

/// Converts a screening into the response for `message_id`.
pub fn to_response(message_id: &str, screening: Screening) -> pb::ScreenResponse {
    pb::ScreenResponse {
        message_id: message_id.to_string(),
        verdict: verdict(screening.verdict) as i32,
        redacted_text: screening.redacted_text.unwrap_or_default(),
        findings: screening
            .findings
            .into_iter()
            .map(|j| pb::Finding {
                category: j.finding.category.as_str().to_string(),
                rule_id: j.finding.rule_id,
                action: action(j.action) as i32,
                start: offset(j.finding.span.start()),
                end: offset(j.finding.span.end()),
                detail: j.finding.detail.unwrap_or_default(),
            })
            .collect(),
        policy_checks: screening
            .checks
            .into_iter()
            .map(|c| pb::PolicyCheck {
                section: c.section.as_str().to_string(),
                outcome: outcome(c.outcome) as i32,
                categories: c
                    .categories
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
            })
            .collect(),
        ruleset_version: screening.ruleset_version,
        notices: screening.notices,
        error: None,
    }
}

/// Builds the in-stream response that stands in for a request that failed.
pub fn to_error_response(message_id: &str, status: &Status) -> pb::ScreenResponse {
    pb::ScreenResponse {
        message_id: message_id.to_string(),
        error: Some(pb::ScreenError {
            code: status.code() as i32,
            message: status.message().to_string(),
        }),
        ..Default::default()
    }
}

/// Describes a ruleset for GetRuleset.
pub fn to_ruleset(ruleset: &Ruleset, last_reload_error: Option<String>) -> pb::Ruleset {
    pb::Ruleset {
        version: ruleset.version().to_string(),
        source: ruleset.source().to_string(),
        loaded_at: rfc3339(ruleset.loaded_at()),
        wordlists: ruleset
            .wordlists()
            .iter()
            .map(|w| pb::WordlistInfo {
                name: w.name.clone(),
                category: w
                    .category
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                language: w
                    .language
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default(),
                terms: u32::try_from(w.terms).unwrap_or(u32::MAX),
            })
            .collect(),
        last_reload_error: last_reload_error.unwrap_or_default(),
    }
}

/// The rule id of the finding a fail-closed answer carries.
pub const SCREEN_FAILED_RULE: &str = "screen:failed";

/// The category of that finding: `conduct.fraud`, the one category whose
/// default action is block for both senders, in the zero-tolerance section
/// that trust and safety review by hand. A message that crashes the screen
/// is more often crafted evasion than chance; the rule id tells the two
/// apart in findings and metrics.
pub const SCREEN_FAILED_CATEGORY: Category = Category::ConductFraud;

/// Builds the fail-closed answer for a message whose screening panicked:
/// BLOCK, one `screen:failed` finding with an empty span at 0, the five
/// checks with that finding's section violated, and no notice (the sender
/// is not told why).
pub fn to_failed_response(message_id: &str, ruleset_version: &str) -> pb::ScreenResponse {
    let section = SCREEN_FAILED_CATEGORY.section();
    pb::ScreenResponse {
        message_id: message_id.to_string(),
        verdict: pb::Verdict::Block as i32,
        redacted_text: String::new(),
        findings: vec![pb::Finding {
            category: SCREEN_FAILED_CATEGORY.as_str().to_string(),
            rule_id: SCREEN_FAILED_RULE.to_string(),
            action: pb::Action::Block as i32,
            start: 0,
            end: 0,
            detail: "screening failed; blocked fail-closed for review".to_string(),
        }],
        policy_checks: Section::ALL
            .iter()
            .map(|&s| {
                let violated = s == section;
                pb::PolicyCheck {
                    section: s.as_str().to_string(),
                    outcome: if violated {
                        pb::Outcome::Violation
                    } else {
                        pb::Outcome::Pass
                    } as i32,
                    categories: if violated {
                        vec![SCREEN_FAILED_CATEGORY.as_str().to_string()]
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect(),
        ruleset_version: ruleset_version.to_string(),
        notices: Vec::new(),
        error: None,
    }
}

/// Returns the status for a request that panicked inside the engine.
pub fn internal() -> Status {
    Status::new(
        Code::Internal,
        "screening failed inside the server; the failure was logged",
    )
}

/// Returns the status for a request refused because the server is full.
pub fn overloaded(limit: usize) -> Status {
    Status::resource_exhausted(format!(
        "server is at its limit of {limit} concurrent requests; retry with backoff"
    ))
}

fn offset(n: usize) -> u32 {
    // Text is at most the size limit (64 KiB by default), far below u32::MAX.
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn verdict(v: Verdict) -> pb::Verdict {
    match v {
        Verdict::Allow => pb::Verdict::Allow,
        Verdict::Redact => pb::Verdict::Redact,
        Verdict::Block => pb::Verdict::Block,
    }
}

fn action(a: Action) -> pb::Action {
    match a {
        Action::Allow => pb::Action::Allow,
        Action::Flag => pb::Action::Flag,
        Action::Redact => pb::Action::Redact,
        Action::Block => pb::Action::Block,
    }
}

fn outcome(o: Outcome) -> pb::Outcome {
    match o {
        Outcome::Pass => pb::Outcome::Pass,
        Outcome::Flag => pb::Outcome::Flag,
        Outcome::Violation => pb::Outcome::Violation,
    }
}

/// Formats a time as RFC 3339 UTC with seconds, e.g. `2026-11-27T22:00:39Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn formats_rfc3339() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_816_839);
        assert_eq!(rfc3339(t), "2026-11-27T22:00:39Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn names_the_field_and_the_limit() {
        let limits = Limits { max_text_bytes: 4 };
        let mut request = pb::ScreenRequest {
            text: "hello".into(),
            sender: pb::Sender::Buyer as i32,
            ..Default::default()
        };
        let err = to_message(&request, limits).unwrap_err().0;
        assert_eq!(err, "text: 5 bytes is over the limit of 4 bytes");
        request.text.clear();
        request.sender = 9;
        assert!(
            to_message(&request, limits)
                .unwrap_err()
                .0
                .contains("unknown value 9")
        );
        request.sender = 0;
        assert!(
            to_message(&request, limits)
                .unwrap_err()
                .0
                .starts_with("sender: required")
        );
    }
}
