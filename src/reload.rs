//! The live ruleset: one [`RulesetCell`] holds the ruleset that screens
//! requests, and reload swaps a new one in atomically.
//!
//! A request takes one snapshot ([`RulesetCell::current`]) and keeps it to
//! the end, so in-flight requests finish on the ruleset they started with.
//!
//! [`watch`] reloads a ruleset directory when a file in it changes and on
//! SIGHUP. It builds the new ruleset on the blocking pool, off the request
//! path, and swaps it in only if it is valid; an invalid change keeps the
//! old ruleset serving and records why in [`RulesetCell::last_error`]. It
//! watches the directory itself, recursively, not the files: a Kubernetes
//! ConfigMap mount updates by creating a new `..<timestamp>` directory and
//! atomically renaming a `..data_tmp` symlink over `..data`, which plain
//! per-file watches never see, while the files (symlinks into `..data`)
//! read the new content through their unchanged paths.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use arc_swap::ArcSwap;
use notify::{
    EventKind, RecursiveMode, Watcher as _,
    event::{AccessKind, AccessMode},
};
use thiserror::Error;
use tokio::{
    signal::unix::{SignalKind, signal},
    sync::mpsc,
    task::JoinHandle,
};

use crate::ruleset::Ruleset;

/// The active ruleset and the last reload failure, shared by the server.
#[derive(Debug)]
pub struct RulesetCell {
    current: ArcSwap<Ruleset>,
    last_error: Mutex<Option<String>>,
    reloads: AtomicU64,
    reload_failures: AtomicU64,
}

impl RulesetCell {
    /// Starts serving `ruleset`.
    pub fn new(ruleset: Arc<Ruleset>) -> RulesetCell {
        RulesetCell {
            current: ArcSwap::new(ruleset),
            last_error: Mutex::new(None),
            reloads: AtomicU64::new(0),
            reload_failures: AtomicU64::new(0),
        }
    }

    /// Returns a snapshot of the active ruleset.
    pub fn current(&self) -> Arc<Ruleset> {
        self.current.load_full()
    }

    /// Swaps in a new ruleset, clears the last reload error and counts a
    /// reload.
    pub fn replace(&self, ruleset: Arc<Ruleset>) {
        // Drop the old ruleset only after the error is cleared: dropping a
        // large one takes a while, and a reader must not see the new
        // version next to the old error.
        let old = self.current.swap(ruleset);
        self.set_last_error(None);
        self.reloads.fetch_add(1, Ordering::Relaxed);
        drop(old);
    }

    /// Records why a reload failed and counts the failure.
    pub fn record_failure(&self, error: String) {
        self.set_last_error(Some(error));
        self.reload_failures.fetch_add(1, Ordering::Relaxed);
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

    /// Returns how many rulesets were swapped in since the cell was built.
    pub fn reloads_total(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Returns how many reloads failed since the cell was built.
    pub fn reload_failures_total(&self) -> u64 {
        self.reload_failures.load(Ordering::Relaxed)
    }
}

/// What one reload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reloaded {
    /// A new version went live.
    Swapped {
        /// The version that was serving.
        from: String,
        /// The version now serving.
        to: String,
    },
    /// The files hold the version already serving; nothing was swapped.
    Unchanged,
    /// The files do not make a valid ruleset; the old one keeps serving.
    Failed(String),
}

/// Builds the ruleset in `dir` and swaps it into `cell` if it is valid and
/// new; blocking (it reads and compiles), so async callers run it on the
/// blocking pool.
pub fn reload(dir: &Path, cell: &RulesetCell) -> Reloaded {
    match Ruleset::from_dir(dir) {
        Ok(ruleset) => {
            let from = cell.current().version().to_string();
            if ruleset.version() == from {
                // Back to the files that are serving: an earlier failure
                // no longer describes them.
                cell.set_last_error(None);
                return Reloaded::Unchanged;
            }
            let to = ruleset.version().to_string();
            // The old ruleset serves while the new one compiles the rest.
            ruleset.warm();
            cell.replace(Arc::new(ruleset));
            Reloaded::Swapped { from, to }
        }
        Err(e) => {
            let error = e.to_string();
            cell.record_failure(error.clone());
            Reloaded::Failed(error)
        }
    }
}

/// How [`watch`] behaves.
#[derive(Clone, Copy, Debug)]
pub struct WatchOptions {
    /// Quiet time after a file event before reloading, so an editor's or a
    /// ConfigMap update's burst of events causes one reload.
    pub debounce: Duration,
    /// How often to hash the files anyway and reload if they changed: a
    /// safety net for what file events miss (a directory deleted and made
    /// anew, file systems without events). `None` turns it off.
    pub poll: Option<Duration>,
}

impl Default for WatchOptions {
    fn default() -> WatchOptions {
        WatchOptions {
            debounce: Duration::from_millis(200),
            poll: Some(Duration::from_secs(30)),
        }
    }
}

/// Returned when the watcher cannot start.
#[derive(Debug, Error)]
pub enum WatchError {
    /// The directory cannot be watched.
    #[error("cannot watch {path}")]
    Notify {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: notify::Error,
    },
    /// The SIGHUP handler cannot be installed.
    #[error("cannot listen for SIGHUP")]
    Signal(#[source] std::io::Error),
}

/// A running watcher; dropping it stops watching.
#[derive(Debug)]
pub struct Watcher {
    task: JoinHandle<()>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a reload started, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    Change,
    Signal,
    Poll,
}

/// Watches `dir` and reloads it into `cell` on change and on SIGHUP, until
/// the returned [`Watcher`] is dropped. Must be called inside a tokio
/// runtime.
///
/// # Errors
///
/// The directory cannot be watched, or SIGHUP cannot be handled.
pub fn watch(
    dir: PathBuf,
    cell: Arc<RulesetCell>,
    options: WatchOptions,
) -> Result<Watcher, WatchError> {
    let (tx, mut changes) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            Ok(event) => changes_content(&event.kind),
            // An overflowed queue may have lost a change: reload to be sure.
            Err(_) => true,
        };
        if relevant {
            let _ = tx.send(());
        }
    })
    .map_err(|source| WatchError::Notify {
        path: dir.clone(),
        source,
    })?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(|source| WatchError::Notify {
            path: dir.clone(),
            source,
        })?;
    let mut hangups = signal(SignalKind::hangup()).map_err(WatchError::Signal)?;
    let task = tokio::spawn(async move {
        // Owned by the task: dropping the Watcher aborts the task, which
        // drops the notify watcher and its OS watches.
        let mut watcher = watcher;
        // Without polling the interval only exists to keep select! simple;
        // its branch is disabled.
        let mut poll = tokio::time::interval(options.poll.unwrap_or(Duration::from_secs(3600)));
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await;
        // The version of the files the last reload attempt read, so a poll
        // retries nothing it has already tried.
        let mut last_attempt: Option<String> = Some(cell.current().version().to_string());
        loop {
            let trigger = tokio::select! {
                Some(()) = changes.recv() => Trigger::Change,
                Some(()) = hangups.recv() => Trigger::Signal,
                _ = poll.tick(), if options.poll.is_some() => Trigger::Poll,
                else => break,
            };
            if trigger == Trigger::Change {
                settle(&mut changes, options.debounce).await;
            }
            let (dir2, cell2) = (dir.clone(), Arc::clone(&cell));
            let seen = last_attempt.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                let version = files_version(&dir2);
                if trigger == Trigger::Poll && version.is_some() && version == seen {
                    return (version, None);
                }
                (version, Some(reload(&dir2, &cell2)))
            })
            .await;
            let outcome = match outcome {
                Ok((version, outcome)) => {
                    last_attempt = version;
                    match outcome {
                        Some(outcome) => Ok(outcome),
                        None => continue,
                    }
                }
                Err(e) => Err(e),
            };
            if trigger == Trigger::Poll {
                // The watch may have been lost with a deleted directory.
                let _ = watcher.unwatch(&dir);
                if let Err(error) = watcher.watch(&dir, RecursiveMode::Recursive) {
                    tracing::warn!(%error, "cannot watch the ruleset directory; polling only");
                }
            }
            match outcome {
                Ok(Reloaded::Swapped { from, to }) => {
                    tracing::info!(?trigger, from, to, "ruleset reloaded");
                }
                Ok(Reloaded::Unchanged) => {
                    tracing::debug!(?trigger, "ruleset unchanged");
                }
                Ok(Reloaded::Failed(error)) => {
                    tracing::warn!(?trigger, %error, "ruleset reload failed; the old ruleset keeps serving");
                }
                Err(e) => {
                    tracing::error!(?trigger, error = %e, "ruleset reload task failed");
                }
            }
        }
    });
    Ok(Watcher { task })
}

/// Returns the version of the files in `dir` without building them, or
/// `None` when they cannot be read.
fn files_version(dir: &Path) -> Option<String> {
    crate::ruleset::RulesetFiles::read_dir(dir)
        .ok()
        .map(|files| files.version())
}

/// Returns true for events that may change what the files hold; our own
/// reads (open, close without writing) are not.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Waits until no change has arrived for `quiet`, at most 20 × `quiet`
/// in all, so a steady trickle of writes cannot postpone a reload forever.
async fn settle(changes: &mut mpsc::UnboundedReceiver<()>, quiet: Duration) {
    let deadline = tokio::time::Instant::now() + quiet * 20;
    loop {
        let wait = quiet.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        if wait.is_zero() {
            return;
        }
        match tokio::time::timeout(wait, changes.recv()).await {
            Ok(Some(())) => continue,
            Ok(None) | Err(_) => return,
        }
    }
}
