//! The one entry point of the engine: [`Screener`] runs normalize, detect,
//! policy and redact in order over one message.

use std::sync::Arc;

use crate::{
    category::{Action, Category, Verdict},
    detect::Finding,
    message::Message,
    normalize,
    policy::{self, Judged, PolicyCheck},
    redact,
    ruleset::Ruleset,
};

/// The result of screening one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screening {
    /// Allow, redact or block.
    pub verdict: Verdict,
    /// Every finding with its action, ordered by span.
    pub findings: Vec<Judged>,
    /// Exactly five checks, one per policy section.
    pub checks: Vec<PolicyCheck>,
    /// The text with redact-action spans replaced; set when the verdict is redact.
    pub redacted_text: Option<String>,
    /// Sender notices, one per category that redacted or blocked the message.
    pub notices: Vec<String>,
    /// The version of the ruleset that screened the message.
    pub ruleset_version: String,
}

impl Screening {
    /// Returns the distinct categories found, sorted.
    pub fn categories(&self) -> Vec<Category> {
        let mut categories: Vec<Category> =
            self.findings.iter().map(|j| j.finding.category).collect();
        categories.sort();
        categories.dedup();
        categories
    }
}

/// Screens messages with one ruleset snapshot.
#[derive(Clone, Debug)]
pub struct Screener {
    ruleset: Arc<Ruleset>,
}

impl Screener {
    /// Builds a screener over a ruleset.
    pub fn new(ruleset: Arc<Ruleset>) -> Screener {
        Screener { ruleset }
    }

    /// Returns the ruleset in use.
    pub fn ruleset(&self) -> &Arc<Ruleset> {
        &self.ruleset
    }

    /// Returns the findings for `message`, before the policy judges them.
    pub fn detect(&self, message: &Message<'_>) -> Vec<Finding> {
        let views = normalize::normalize(message.text);
        self.ruleset.detectors().detect(&views, message)
    }

    /// Screens one message: findings, verdict, checks, redacted text, notices.
    pub fn screen(&self, message: &Message<'_>) -> Screening {
        let findings = self.detect(message);
        let policy = self.ruleset.policy();
        let decision = policy::decide(findings, message, policy);
        let redacted_text = (decision.verdict == Verdict::Redact).then(|| {
            let spans: Vec<_> = decision
                .findings
                .iter()
                .filter(|j| j.action == Action::Redact)
                .map(|j| (j.finding.span, policy.placeholder(j.finding.category)))
                .collect();
            redact::redact(message.text, &spans)
        });
        let mut notice_categories: Vec<Category> = decision
            .findings
            .iter()
            .filter(|j| j.action >= Action::Redact)
            .map(|j| j.finding.category)
            .collect();
        notice_categories.sort();
        notice_categories.dedup();
        let notices = notice_categories
            .into_iter()
            .filter_map(|c| policy.notice(c, message.language).map(str::to_string))
            .collect();
        Screening {
            verdict: decision.verdict,
            findings: decision.findings,
            checks: decision.checks,
            redacted_text,
            notices,
            ruleset_version: self.ruleset.version().to_string(),
        }
    }
}
