//! Progress of long work (key generation and proving), reported to a reporter the application
//! installs once (`vsies` draws progress bars with an ETA on stderr); without one, nothing is
//! reported. The engine opens a [`Phase`] per step with its total (constraints to synthesize,
//! bytes of proving key to write or read) and moves it forward as the step advances.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

/// Receives progress: one phase at a time.
pub trait Reporter: Send + Sync {
    /// A phase starts, with `total` units of work.
    fn begin(&self, phase: &'static str, total: u64);
    /// `done` of the phase's units are done.
    fn update(&self, done: u64);
    /// The phase ended.
    fn end(&self);
}

static REPORTER: OnceLock<Box<dyn Reporter>> = OnceLock::new();
static ACTIVE: AtomicBool = AtomicBool::new(false);
static DONE: AtomicU64 = AtomicU64::new(0);

/// Installs the process's reporter; false if one was installed already.
pub fn install(reporter: Box<dyn Reporter>) -> bool {
    REPORTER.set(reporter).is_ok()
}

/// A phase of work, ended when dropped.
#[must_use = "a phase ends when it is dropped"]
pub struct Phase {
    reporting: bool,
}

/// Begins `phase` with `total` units (ending any phase still open).
pub fn phase(name: &'static str, total: u64) -> Phase {
    let Some(reporter) = REPORTER.get() else { return Phase { reporting: false } };
    if ACTIVE.swap(true, Ordering::SeqCst) {
        reporter.end();
    }
    DONE.store(0, Ordering::Relaxed);
    reporter.begin(name, total);
    Phase { reporting: true }
}

impl Phase {
    /// Adds `units` done.
    pub fn advance(&self, units: u64) {
        if self.reporting {
            let done = DONE.fetch_add(units, Ordering::Relaxed) + units;
            if let Some(reporter) = REPORTER.get() {
                reporter.update(done);
            }
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if self.reporting && ACTIVE.swap(false, Ordering::SeqCst) {
            if let Some(reporter) = REPORTER.get() {
                reporter.end();
            }
        }
    }
}

/// Sets the open phase's position to `done` units (for the circuit builder, which counts its
/// constraints); nothing when no phase is open.
pub fn set(done: u64) {
    if ACTIVE.load(Ordering::Relaxed) {
        DONE.store(done, Ordering::Relaxed);
        if let Some(reporter) = REPORTER.get() {
            reporter.update(done);
        }
    }
}
