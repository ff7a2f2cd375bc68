//! Shadow screening: a candidate ruleset screens a share of live traffic
//! beside the active one, off the response path, and counts where the two
//! disagree — by verdict and by category — so a wordlist change can be
//! watched on real messages before it goes live.
//!
//! Input: each message the server screened and the active [`Screening`].
//! Output: a [`ShadowReport`]. The server calls [`Shadow::offer`] after it
//! has its answer; `offer` samples, copies the message into a bounded
//! queue and returns at once (a full queue drops the sample and counts
//! it). One worker thread screens the queue with the candidate. Nothing
//! here logs or keeps message text.

use std::{
    collections::{BTreeMap, BTreeSet},
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc::{self, SyncSender, TrySendError},
    },
};

use serde::Serialize;
use thiserror::Error;

use crate::{
    category::{Category, Sender, Verdict},
    message::{Language, Message},
    reload::RulesetCell,
    screen::{Screener, Screening},
};

/// How much traffic the shadow sees.
#[derive(Clone, Copy, Debug)]
pub struct ShadowOptions {
    /// The share of messages screened by the candidate, in `[0, 1]`.
    pub share: f64,
    /// Samples waiting for the worker at most; more are dropped.
    pub queue: usize,
}

impl Default for ShadowOptions {
    fn default() -> ShadowOptions {
        ShadowOptions {
            share: 0.1,
            queue: 1024,
        }
    }
}

/// Returned when the shadow cannot start.
#[derive(Debug, Error)]
pub enum StartShadowError {
    /// The share is not a number in `[0, 1]`.
    #[error("shadow share {0} is not between 0 and 1")]
    Share(f64),
    /// The worker thread could not be spawned.
    #[error("cannot start the shadow worker")]
    Spawn(#[source] std::io::Error),
}

/// Disagreements on one category, counted per message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CategoryDisagreement {
    /// Messages where the active ruleset found the category and the
    /// candidate did not.
    pub only_active: u64,
    /// Messages where the candidate found the category and the active
    /// ruleset did not.
    pub only_candidate: u64,
}

/// What the shadow has seen so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShadowReport {
    /// The candidate ruleset's version now.
    pub candidate_version: String,
    /// Messages screened by both rulesets.
    pub compared: u64,
    /// Of those, messages with the same verdict and categories.
    pub agreed: u64,
    /// Samples dropped because the worker was behind.
    pub dropped: u64,
    /// Samples the candidate failed to screen (an engine panic).
    pub failed: u64,
    /// Active verdict → candidate verdict → messages, disagreements only.
    pub verdicts: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per category (policy.md names), where the two disagree.
    pub categories: BTreeMap<String, CategoryDisagreement>,
}

/// A candidate ruleset screening a share of traffic beside the active one.
#[derive(Debug)]
pub struct Shadow {
    candidate: Arc<RulesetCell>,
    share: f64,
    offered: AtomicU64,
    queue: SyncSender<Sample>,
    report: Arc<Mutex<ShadowReport>>,
}

/// One sampled message, owned, with the active ruleset's answer.
struct Sample {
    text: String,
    sender: Sender,
    seller_id: String,
    language: Option<Language>,
    exempt: Option<bool>,
    verdict: Verdict,
    categories: BTreeSet<Category>,
}

impl Shadow {
    /// Starts the worker that screens samples with `candidate`; the
    /// worker ends when the `Shadow` is dropped.
    ///
    /// # Errors
    ///
    /// A share outside `[0, 1]`, or a thread that cannot be spawned.
    pub fn start(
        candidate: Arc<RulesetCell>,
        options: ShadowOptions,
    ) -> Result<Shadow, StartShadowError> {
        if !(0.0..=1.0).contains(&options.share) {
            return Err(StartShadowError::Share(options.share));
        }
        let (queue, samples) = mpsc::sync_channel::<Sample>(options.queue.max(1));
        let report = Arc::new(Mutex::new(ShadowReport::default()));
        let (worker_cell, worker_report) = (Arc::clone(&candidate), Arc::clone(&report));
        std::thread::Builder::new()
            .name("msgscreen-shadow".to_string())
            .spawn(move || {
                for sample in samples {
                    let screener = Screener::new(worker_cell.current());
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        let screening = screener.screen(&sample.message());
                        (screening.verdict, screening.categories())
                    }));
                    let mut report = lock(&worker_report);
                    match outcome {
                        Ok((verdict, categories)) => {
                            report.count(&sample, verdict, &categories.into_iter().collect());
                        }
                        Err(_) => report.failed += 1,
                    }
                }
            })
            .map_err(StartShadowError::Spawn)?;
        Ok(Shadow {
            candidate,
            share: options.share,
            offered: AtomicU64::new(0),
            queue,
            report,
        })
    }

    /// Returns the candidate's cell, for a watcher to reload it.
    pub fn candidate(&self) -> &Arc<RulesetCell> {
        &self.candidate
    }

    /// Offers a screened message; a share of them (evenly spread, not
    /// random) is queued for the candidate. Never blocks.
    pub fn offer(&self, message: &Message<'_>, active: &Screening) {
        let n = self.offered.fetch_add(1, Ordering::Relaxed);
        // Take message n when the running total of `share` crosses an
        // integer: exactly `share` of the traffic, evenly spread.
        let taken = |k: u64| (k as f64 * self.share).floor();
        if taken(n + 1) <= taken(n) {
            return;
        }
        let sample = Sample {
            text: message.text.to_string(),
            sender: message.sender,
            seller_id: message.seller_id.to_string(),
            language: message.language,
            exempt: message.exempt,
            verdict: active.verdict,
            categories: active.categories().into_iter().collect(),
        };
        match self.queue.try_send(sample) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                lock(&self.report).dropped += 1;
            }
        }
    }

    /// Returns the counts so far.
    pub fn report(&self) -> ShadowReport {
        let mut report = lock(&self.report).clone();
        report.candidate_version = self.candidate.current().version().to_string();
        report
    }
}

impl Sample {
    fn message(&self) -> Message<'_> {
        Message {
            id: "",
            text: &self.text,
            sender: self.sender,
            seller_id: &self.seller_id,
            language: self.language,
            exempt: self.exempt,
        }
    }
}

impl ShadowReport {
    fn count(&mut self, active: &Sample, verdict: Verdict, categories: &BTreeSet<Category>) {
        self.compared += 1;
        if active.verdict == verdict && &active.categories == categories {
            self.agreed += 1;
            return;
        }
        if active.verdict != verdict {
            *self
                .verdicts
                .entry(active.verdict.to_string())
                .or_default()
                .entry(verdict.to_string())
                .or_default() += 1;
        }
        for category in active.categories.difference(categories) {
            self.categories
                .entry(category.to_string())
                .or_default()
                .only_active += 1;
        }
        for category in categories.difference(&active.categories) {
            self.categories
                .entry(category.to_string())
                .or_default()
                .only_candidate += 1;
        }
    }
}

fn lock(report: &Mutex<ShadowReport>) -> std::sync::MutexGuard<'_, ShadowReport> {
    match report.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::ruleset::{Ruleset, RulesetFiles};

    /// The embedded ruleset with one more payment term.
    fn candidate() -> Arc<RulesetCell> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "msgscreen-shadow-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, content) in RulesetFiles::embedded().iter() {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let manifest = dir.join("policy.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str("\n[[lists]]\nname = \"shadow_test\"\nfile = \"en/shadow_test.txt\"\ncategory = \"payment.off_platform\"\n");
        std::fs::write(manifest, text).unwrap();
        std::fs::write(dir.join("en/shadow_test.txt"), "zorblat\n").unwrap();
        let ruleset = Ruleset::from_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        Arc::new(RulesetCell::new(Arc::new(ruleset)))
    }

    fn wait_for(shadow: &Shadow, compared: u64) -> ShadowReport {
        let started = Instant::now();
        loop {
            let report = shadow.report();
            if report.compared + report.dropped >= compared {
                return report;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{report:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn counts_disagreements_by_verdict_and_category() {
        let active = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
        let shadow = Shadow::start(
            candidate(),
            ShadowOptions {
                share: 1.0,
                queue: 64,
            },
        )
        .unwrap();
        for text in [
            "send it with zorblat please",
            "see you at 10",
            "call me, I also take zorblat",
        ] {
            let message = Message::new(text, Sender::Buyer);
            shadow.offer(&message, &active.screen(&message));
        }
        let report = wait_for(&shadow, 3);
        assert_eq!(report.compared, 3);
        assert_eq!(report.agreed, 1);
        assert_eq!(report.verdicts["allow"]["block"], 2);
        assert_eq!(
            report.categories["payment.off_platform"],
            CategoryDisagreement {
                only_active: 0,
                only_candidate: 2
            }
        );
        assert_ne!(report.candidate_version, active.ruleset().version());
    }

    #[test]
    fn samples_the_configured_share() {
        let active = Screener::new(Arc::new(Ruleset::embedded().unwrap()));
        let shadow = Shadow::start(
            candidate(),
            ShadowOptions {
                share: 0.25,
                queue: 1024,
            },
        )
        .unwrap();
        let message = Message::new("see you at 10", Sender::Seller);
        let screening = active.screen(&message);
        for _ in 0..100 {
            shadow.offer(&message, &screening);
        }
        let report = wait_for(&shadow, 25);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(shadow.report().compared, 25);
        assert_eq!(report.agreed, report.compared);
        assert!(
            Shadow::start(
                candidate(),
                ShadowOptions {
                    share: 1.5,
                    queue: 1
                }
            )
            .is_err()
        );
    }
}
