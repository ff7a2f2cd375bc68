//! The policy vocabulary of `policy.md`: categories, sections, actions,
//! senders, outcomes and verdicts.
//!
//! The strings of policy.md are the names: `contact.phone` and
//! `zero_tolerance` appear verbatim in wordlists, the proto, metric labels
//! and CLI output. Each enum has one `as_str`/`FromStr` pair.

use std::{fmt, str::FromStr};

use thiserror::Error;

/// Returned when a string names no known category, section, action or sender.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} {value:?} (expected one of: {expected})")]
pub struct ParseNameError {
    kind: &'static str,
    value: String,
    expected: String,
}

impl ParseNameError {
    /// Builds the error for a `kind` of name, the bad `value` and the valid names.
    pub fn new(kind: &'static str, value: &str, expected: &str) -> ParseNameError {
        ParseNameError {
            kind,
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order of policy.md.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Returns the name used in policy.md, wordlists, the proto and metrics.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseNameError;

            fn from_str(s: &str) -> Result<$name, ParseNameError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseNameError {
                        kind: $kind,
                        value: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
    };
}

named_enum! {
    /// One of the five policy sections a finding belongs to.
    Section, "section" {
        /// Buyer-Seller Communication.
        Communication => "communication",
        /// Payment Acceptance.
        PaymentAcceptance => "payment_acceptance",
        /// Cancellation.
        Cancellation => "cancellation",
        /// Unaccompanied Minors.
        UnaccompaniedMinors => "unaccompanied_minors",
        /// Zero Tolerance.
        ZeroTolerance => "zero_tolerance",
    }
}

named_enum! {
    /// What a finding is about; exactly one per finding.
    Category, "category" {
        /// A phone number in any notation.
        ContactPhone => "contact.phone",
        /// An email address, also obfuscated.
        ContactEmail => "contact.email",
        /// A link or bare domain that is not Amazon's own.
        ContactUrl => "contact.url",
        /// A handle or profile on a social or messaging network.
        ContactSocial => "contact.social",
        /// An invitation to move the conversation to another channel.
        ContactInvite => "contact.invite",
        /// Promotion or content unrelated to fulfilling the order.
        Marketing => "marketing",
        /// Asking, offering or instructing to pay outside Amazon.
        PaymentOffPlatform => "payment.off_platform",
        /// A payment credential: card, bank account, IBAN, wallet.
        PaymentInstrument => "payment.instrument",
        /// A provider asking payment beyond the booked scope of work.
        PaymentOutOfScope => "payment.out_of_scope",
        /// A provider asking the customer to cancel, or cancelling.
        OrderCancellation => "order.cancellation",
        /// A visit with only a minor at home.
        SafetyMinor => "safety.minor",
        /// Insults, slurs, threats, harassment, sexual remarks.
        ConductOffensive => "conduct.offensive",
        /// Phishing, credential requests, payment schemes, impersonation.
        ConductFraud => "conduct.fraud",
        /// An unchecked, unlicensed or substitute technician.
        ConductUnlicensed => "conduct.unlicensed",
        /// A technician under the influence, or offering drugs or alcohol.
        ConductSubstance => "conduct.substance",
        /// Illegal activity in the course of the service.
        ConductIllegal => "conduct.illegal",
        /// Damage to the customer's property reported or admitted.
        IncidentPropertyDamage => "incident.property_damage",
    }
}

impl Category {
    /// Returns the policy section this category belongs to.
    pub const fn section(self) -> Section {
        use Category::*;
        match self {
            ContactPhone | ContactEmail | ContactUrl | ContactSocial | ContactInvite
            | Marketing => Section::Communication,
            PaymentOffPlatform | PaymentInstrument | PaymentOutOfScope => {
                Section::PaymentAcceptance
            }
            OrderCancellation => Section::Cancellation,
            SafetyMinor => Section::UnaccompaniedMinors,
            ConductOffensive
            | ConductFraud
            | ConductUnlicensed
            | ConductSubstance
            | ConductIllegal
            | IncidentPropertyDamage => Section::ZeroTolerance,
        }
    }

    /// Returns true for the `contact.*` categories, which a communication
    /// exemption turns into allow.
    pub const fn is_contact(self) -> bool {
        matches!(self.section(), Section::Communication) && !matches!(self, Category::Marketing)
    }
}

named_enum! {
    /// What a finding does to the message, weakest first; `max` is the worst.
    Action, "action" {
        /// Recorded, no effect.
        Allow => "allow",
        /// Delivered, reported for review.
        Flag => "flag",
        /// Delivered with the span replaced.
        Redact => "redact",
        /// Not delivered.
        Block => "block",
    }
}

named_enum! {
    /// Who wrote the message.
    Sender, "sender" {
        /// The Service Provider or its technician.
        Seller => "seller",
        /// The customer.
        Buyer => "buyer",
    }
}

named_enum! {
    /// The outcome of one policy section, weakest first.
    Outcome, "outcome" {
        /// No finding.
        Pass => "pass",
        /// Only flag (or allow) findings.
        Flag => "flag",
        /// At least one redact or block finding.
        Violation => "violation",
    }
}

named_enum! {
    /// What happens to the whole message, weakest first.
    Verdict, "verdict" {
        /// Delivered as written.
        Allow => "allow",
        /// Delivered with spans replaced.
        Redact => "redact",
        /// Not delivered.
        Block => "block",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The category table of policy.md: name, section, seller and buyer defaults.
    const POLICY_MD: &[(&str, &str)] = &[
        ("contact.phone", "communication"),
        ("contact.email", "communication"),
        ("contact.url", "communication"),
        ("contact.social", "communication"),
        ("contact.invite", "communication"),
        ("marketing", "communication"),
        ("payment.off_platform", "payment_acceptance"),
        ("payment.instrument", "payment_acceptance"),
        ("payment.out_of_scope", "payment_acceptance"),
        ("order.cancellation", "cancellation"),
        ("safety.minor", "unaccompanied_minors"),
        ("conduct.offensive", "zero_tolerance"),
        ("conduct.fraud", "zero_tolerance"),
        ("conduct.unlicensed", "zero_tolerance"),
        ("conduct.substance", "zero_tolerance"),
        ("conduct.illegal", "zero_tolerance"),
        ("incident.property_damage", "zero_tolerance"),
    ];

    #[test]
    fn round_trips_every_category_of_policy_md() {
        assert_eq!(Category::ALL.len(), POLICY_MD.len());
        for (name, section) in POLICY_MD {
            let category: Category = name.parse().unwrap();
            assert_eq!(category.as_str(), *name);
            assert_eq!(category.section().as_str(), *section);
        }
        assert!("contact.fax".parse::<Category>().is_err());
    }

    #[test]
    fn orders_actions_weakest_first() {
        assert!(Action::Allow < Action::Flag && Action::Flag < Action::Redact);
        assert_eq!(
            [Action::Flag, Action::Block, Action::Redact]
                .into_iter()
                .max(),
            Some(Action::Block)
        );
        assert!(Category::ContactInvite.is_contact() && !Category::Marketing.is_contact());
    }

    #[test]
    fn names_the_expected_values_on_error() {
        let err = "sellr".parse::<Sender>().unwrap_err().to_string();
        assert!(err.contains("seller, buyer"), "{err}");
    }
}
