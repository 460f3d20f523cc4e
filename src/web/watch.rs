//! Following the served folder: a generation number that goes up each time a file
//! below it changes, and the paths that changed. A page asks for the changes after the
//! generation it shows and waits until there are some (long polling), so a save in any
//! editor reaches every open page without a reload by hand. The watcher is the
//! operating system's (inotify, FSEvents, …), or polling where that is unavailable, as
//! mdBook's `serve` does; bursts of events from one save are gathered into one change.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use notify::{EventKind, RecursiveMode, Watcher};

use super::guard::relative_name;

/// How long the folder must be quiet before a burst of events (an editor writing a
/// backup, the file, then renaming) counts as one change.
const QUIET: Duration = Duration::from_millis(25);
/// The longest a burst is held back, however long it goes on.
const AT_MOST: Duration = Duration::from_millis(150);
/// How often the polling watcher looks, where the system's cannot be used.
const POLL_EVERY: Duration = Duration::from_millis(300);
/// How many changed paths a generation remembers; pages refetch on any change.
const REMEMBERED: usize = 64;

/// How many requests may wait for changes at once; each holds a thread.
const MOST_WAITING: usize = 64;

/// The changes seen so far.
#[derive(Default)]
pub struct Changes {
    state: Mutex<State>,
    changed: Condvar,
    waiting: AtomicUsize,
}

#[derive(Default)]
struct State {
    generation: u64,
    paths: Vec<String>,
}

/// What changed since a page's generation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Since {
    pub generation: u64,
    /// The paths, relative to the served folder, changed in the latest generation.
    pub paths: Vec<String>,
}

impl Changes {
    /// A new generation in which `paths` changed.
    pub fn record(&self, paths: Vec<String>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.paths = paths;
        state.paths.truncate(REMEMBERED);
        self.changed.notify_all();
    }

    /// `after`, with a place among the waiting requests; `None` when there are already
    /// as many as may wait.
    pub fn wait(&self, after: u64, timeout: Duration) -> Option<Since> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        let since = (waiting < MOST_WAITING).then(|| self.after(after, timeout));
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        since
    }

    /// The generation now: at once when it is not `after` (a change came since, or the
    /// server restarted and counts anew), else after waiting for the next one at most
    /// `timeout`.
    pub fn after(&self, after: u64, timeout: Duration) -> Since {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |state| state.generation == after)
            .unwrap_or_else(PoisonError::into_inner);
        Since {
            generation: state.generation,
            paths: state.paths.clone(),
        }
    }
}

/// Watches `root` and records each change in `changes`; the returned watcher must be
/// kept alive. Says on standard error when it falls back to polling.
pub fn follow(root: &Path, changes: Arc<Changes>) -> notify::Result<Box<dyn Watcher + Send>> {
    let (sender, events) = crossbeam_channel::unbounded();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if !matches!(event.kind, EventKind::Access(_)) {
                let _ = sender.send(event.paths);
            }
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = match notify::recommended_watcher(handler.clone()) {
        Ok(watcher) => Box::new(watcher),
        Err(error) => {
            eprintln!("bud serve: {error}; watching by polling every {POLL_EVERY:?} instead");
            let config = notify::Config::default().with_poll_interval(POLL_EVERY);
            Box::new(notify::PollWatcher::new(handler, config)?)
        }
    };
    watcher.watch(root, RecursiveMode::Recursive)?;
    let root = root.to_path_buf();
    std::thread::spawn(move || gather(&events, &root, &changes));
    Ok(watcher)
}

/// Turns bursts of events into changes, until the watcher is dropped.
fn gather(events: &Receiver<Vec<PathBuf>>, root: &Path, changes: &Changes) {
    while let Ok(first) = events.recv() {
        let mut paths = first;
        let started = Instant::now();
        loop {
            let left = AT_MOST.saturating_sub(started.elapsed()).min(QUIET);
            match events.recv_timeout(left) {
                Ok(more) => paths.extend(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if started.elapsed() >= AT_MOST {
                break;
            }
        }
        changes.record(relative(&paths, root));
    }
}

/// The paths below `root`, relative to it, each once, in `/` form; hidden files (an
/// editor's swap and backup files) left out.
fn relative(paths: &[PathBuf], root: &Path) -> Vec<String> {
    let mut relative: Vec<String> = paths
        .iter()
        .filter_map(|path| path.strip_prefix(root).ok())
        .filter(|path| {
            !path
                .components()
                .any(|part| part.as_os_str().to_string_lossy().starts_with('.'))
        })
        .map(|path| relative_name(Path::new(""), path))
        .collect();
    relative.sort();
    relative.dedup();
    relative
}
