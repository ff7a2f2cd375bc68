//! Policy: findings become actions, a verdict and the five policy checks.
//!
//! Input: the detectors' [`Finding`]s, the [`Message`] and the ruleset's
//! [`Policy`] table. Output: a [`Decision`]. The rules are those of
//! policy.md: the verdict is the worst action (flags never change it), each
//! section passes, flags or is violated, and an exempt seller's `contact.*`
//! findings are allowed. This stage knows findings, not who made them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::{
    category::{Action, Category, Outcome, Section, Sender, Verdict},
    detect::Finding,
    message::{Language, Message},
    ruleset::Wordlists,
};

/// The policy table of a ruleset: actions, placeholders, notices, exemptions.
#[derive(Clone, Debug)]
pub struct Policy {
    entries: BTreeMap<Category, Entry>,
    exempt_sellers: HashSet<String>,
}

#[derive(Clone, Debug)]
struct Entry {
    seller: Action,
    buyer: Action,
    placeholder: String,
    notice: BTreeMap<Language, String>,
}

impl Policy {
    /// Builds the policy table from a parsed ruleset.
    pub fn from_wordlists(lists: &Wordlists) -> Policy {
        let entries = lists
            .manifest
            .categories
            .iter()
            .map(|(category, p)| {
                let entry = Entry {
                    seller: p.seller,
                    buyer: p.buyer,
                    placeholder: p.placeholder.clone(),
                    notice: p.notice.clone(),
                };
                (*category, entry)
            })
            .collect();
        let exempt_sellers = lists.exempt_sellers.texts().map(str::to_string).collect();
        Policy {
            entries,
            exempt_sellers,
        }
    }

    /// Returns the default action of `category` for `sender`.
    pub fn action(&self, category: Category, sender: Sender) -> Action {
        // Every category has an entry: the manifest parser rejects a missing one.
        self.entries
            .get(&category)
            .map_or(Action::Flag, |e| match sender {
                Sender::Seller => e.seller,
                Sender::Buyer => e.buyer,
            })
    }

    /// Returns the text that replaces a redacted span of `category`.
    pub fn placeholder(&self, category: Category) -> &str {
        self.entries
            .get(&category)
            .map_or("[removed]", |e| e.placeholder.as_str())
    }

    /// Returns the sender notice for `category`, in `language` if there is one.
    pub fn notice(&self, category: Category, language: Option<Language>) -> Option<&str> {
        let notice = &self.entries.get(&category)?.notice;
        language
            .and_then(|l| notice.get(&l))
            .or_else(|| notice.get(&Language::En))
            .or_else(|| notice.values().next())
            .map(String::as_str)
    }

    /// Returns true when the seller holds a written communication exemption.
    pub fn is_exempt(&self, seller_id: &str) -> bool {
        !seller_id.is_empty() && self.exempt_sellers.contains(seller_id)
    }

    /// Returns the number of exempt sellers.
    pub fn exempt_seller_count(&self) -> usize {
        self.exempt_sellers.len()
    }

    /// Returns the action of one finding for this message, exemption applied.
    pub fn action_for(&self, category: Category, message: &Message<'_>) -> Action {
        let exempt = || {
            message
                .exempt
                .unwrap_or_else(|| self.is_exempt(message.seller_id))
        };
        if message.sender == Sender::Seller && category.is_contact() && exempt() {
            return Action::Allow;
        }
        self.action(category, message.sender)
    }
}

/// A finding with the action the policy gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// What was found.
    pub finding: Finding,
    /// What it does to this message.
    pub action: Action,
}

/// The outcome of one policy section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyCheck {
    /// The section.
    pub section: Section,
    /// Pass, flag or violation.
    pub outcome: Outcome,
    /// The categories of the findings behind the outcome, sorted.
    pub categories: Vec<Category>,
}

/// What the policy makes of a message's findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The worst action among the findings, as a verdict.
    pub verdict: Verdict,
    /// Every finding with its action, ordered by span.
    pub findings: Vec<Judged>,
    /// Exactly five checks, one per section, in the order of policy.md.
    pub checks: Vec<PolicyCheck>,
}

/// Judges every finding and derives the verdict and the five checks.
pub fn decide(findings: Vec<Finding>, message: &Message<'_>, policy: &Policy) -> Decision {
    let mut judged: Vec<Judged> = findings
        .into_iter()
        .map(|finding| Judged {
            action: policy.action_for(finding.category, message),
            finding,
        })
        .collect();
    judged.sort_by(|a, b| {
        (a.finding.span, a.finding.category).cmp(&(b.finding.span, b.finding.category))
    });
    let verdict = match judged.iter().map(|j| j.action).max() {
        Some(Action::Block) => Verdict::Block,
        Some(Action::Redact) => Verdict::Redact,
        _ => Verdict::Allow,
    };
    let checks = Section::ALL
        .iter()
        .map(|&section| {
            let in_section = judged
                .iter()
                .filter(|j| j.finding.category.section() == section);
            let categories: BTreeSet<Category> =
                in_section.clone().map(|j| j.finding.category).collect();
            let outcome = match in_section.map(|j| j.action).max() {
                None => Outcome::Pass,
                Some(Action::Allow | Action::Flag) => Outcome::Flag,
                Some(Action::Redact | Action::Block) => Outcome::Violation,
            };
            PolicyCheck {
                section,
                outcome,
                categories: categories.into_iter().collect(),
            }
        })
        .collect();
    Decision {
        verdict,
        findings: judged,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ruleset::Ruleset, span::Span};

    fn finding(category: Category) -> Finding {
        Finding::new(category, "test:rule", Span::new(0, 1))
    }

    #[test]
    fn encodes_the_default_table_of_policy_md() {
        let ruleset = Ruleset::embedded().unwrap();
        let policy = ruleset.policy();
        use Action::*;
        let table = [
            ("contact.phone", Redact, Redact),
            ("contact.email", Redact, Redact),
            ("contact.url", Redact, Redact),
            ("contact.social", Redact, Redact),
            ("contact.invite", Block, Flag),
            ("marketing", Block, Allow),
            ("payment.off_platform", Block, Block),
            ("payment.instrument", Redact, Redact),
            ("payment.out_of_scope", Block, Allow),
            ("order.cancellation", Flag, Allow),
            ("safety.minor", Flag, Flag),
            ("conduct.offensive", Block, Flag),
            ("conduct.fraud", Block, Block),
            ("conduct.unlicensed", Flag, Flag),
            ("conduct.substance", Flag, Flag),
            ("conduct.illegal", Flag, Flag),
            ("incident.property_damage", Flag, Flag),
        ];
        for (name, seller, buyer) in table {
            let category: Category = name.parse().unwrap();
            assert_eq!(
                policy.action(category, Sender::Seller),
                seller,
                "{name} seller"
            );
            assert_eq!(
                policy.action(category, Sender::Buyer),
                buyer,
                "{name} buyer"
            );
            assert!(!policy.placeholder(category).is_empty());
            assert!(policy.notice(category, Some(Language::Es)).is_some());
        }
    }

    #[test]
    fn flags_never_change_the_verdict_but_show_in_checks() {
        let ruleset = Ruleset::embedded().unwrap();
        let message = Message::new("x", Sender::Seller);
        let decision = decide(
            vec![
                finding(Category::SafetyMinor),
                finding(Category::ContactPhone),
            ],
            &message,
            ruleset.policy(),
        );
        assert_eq!(decision.verdict, Verdict::Redact);
        let outcomes: Vec<_> = decision
            .checks
            .iter()
            .map(|c| (c.section, c.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                (Section::Communication, Outcome::Violation),
                (Section::PaymentAcceptance, Outcome::Pass),
                (Section::Cancellation, Outcome::Pass),
                (Section::UnaccompaniedMinors, Outcome::Flag),
                (Section::ZeroTolerance, Outcome::Pass),
            ]
        );
    }
}
