//! msgscreen screens marketplace buyer-seller messages before delivery.
//!
//! Every message gets a verdict — allow, redact (delivered with exact spans
//! replaced) or block — with its findings (category, rule, byte span) and
//! one outcome per policy section, under the policy contract of policy.md.
//!
//! The engine is a pipeline of synchronous stages, each in its own module,
//! data flowing one way:
//!
//! ```text
//! Message -normalize-> Views -detect-> [Finding] -policy-> Decision -redact-> Screening
//! ```
//!
//! A [`Ruleset`] (the compiled `wordlists/`) is built once and shared;
//! [`Screener`] runs the stages with one ruleset snapshot.
//!
//! ```
//! use std::sync::Arc;
//! use msgscreen::{Message, Ruleset, Screener, Sender, Verdict};
//!
//! let screener = Screener::new(Arc::new(Ruleset::embedded()?));
//! let screening = screener.screen(&Message::new("text me at 206-555-0142", Sender::Seller));
//! assert_eq!(screening.verdict, Verdict::Redact);
//! assert_eq!(screening.redacted_text.as_deref(), Some("text me at [phone removed]"));
//! # Ok::<(), msgscreen::ruleset::LoadRulesetError>(())
//! ```

/// A `[bool; 256]` built at compile time: `byte_table!(|b| predicate)` is
/// true at every byte `b` the predicate holds for. Byte scans that run over
/// every message look their classes up here instead of chaining ranges.
macro_rules! byte_table {
    (|$byte:ident| $predicate:expr) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $byte = i as u8;
            table[i] = $predicate;
            i += 1;
        }
        table
    }};
}

pub mod category;
pub mod config;
pub mod corpus;
pub mod detect;
pub mod message;
pub mod metrics;
pub mod normalize;
pub mod policy;
pub mod redact;
pub mod reload;
pub mod ruleset;
pub mod screen;
pub mod service;
pub mod shadow;
pub mod span;

pub use category::{Action, Category, Outcome, Section, Sender, Verdict};
pub use detect::Finding;
pub use message::{Language, Message};
pub use ruleset::Ruleset;
pub use screen::{Screener, Screening};
pub use span::Span;
