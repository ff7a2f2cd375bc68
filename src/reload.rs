//! The live ruleset: one [`RulesetCell`] holds the ruleset that screens
//! requests, and reload swaps a new one in atomically.
//!
//! A request takes one snapshot ([`RulesetCell::current`]) and keeps it to
//! the end, so in-flight requests finish on the ruleset they started with.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::ruleset::Ruleset;

/// The active ruleset and the last reload failure, shared by the server.
#[derive(Debug)]
pub struct RulesetCell {
    current: ArcSwap<Ruleset>,
    last_error: Mutex<Option<String>>,
}

impl RulesetCell {
    /// Starts serving `ruleset`.
    pub fn new(ruleset: Arc<Ruleset>) -> RulesetCell {
        RulesetCell {
            current: ArcSwap::new(ruleset),
            last_error: Mutex::new(None),
        }
    }

    /// Returns a snapshot of the active ruleset.
    pub fn current(&self) -> Arc<Ruleset> {
        self.current.load_full()
    }

    /// Swaps in a new ruleset and clears the last reload error.
    pub fn replace(&self, ruleset: Arc<Ruleset>) {
        self.current.store(ruleset);
        self.set_last_error(None);
    }

    /// Records why the last reload failed (or clears it with `None`).
    pub fn set_last_error(&self, error: Option<String>) {
        match self.last_error.lock() {
            Ok(mut guard) => *guard = error,
            Err(poisoned) => *poisoned.into_inner() = error,
        }
    }

    /// Returns why the last reload since the active ruleset went live failed.
    pub fn last_error(&self) -> Option<String> {
        match self.last_error.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}
