//! Progress bars with an ETA on stderr for the engine's long phases (Groth16 setup and
//! proving): a bar per phase when stderr is a terminal; with `VSIES_PROGRESS=log`, one line per
//! finished phase with its duration (for logs and CI); otherwise nothing.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Every bar on stderr, so that a command's own bar (the rounds of `vsies round`) and the
/// engine's phase bars below it redraw together.
fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// The bar style: label, bar, percent, elapsed and ETA.
fn style() -> ProgressStyle {
    ProgressStyle::with_template("{msg:>26} [{bar:32}] {percent:>3}% {elapsed_precise} ETA {eta}")
        .expect("a valid template")
        .progress_chars("=> ")
}

/// How this process shows progress, from `VSIES_PROGRESS` and whether stderr is a terminal.
fn mode() -> Option<Mode> {
    if std::env::var("VSIES_PROGRESS").is_ok_and(|value| value == "log") {
        Some(Mode::Log)
    } else if std::io::stderr().is_terminal() {
        Some(Mode::Bars)
    } else {
        None
    }
}

/// How progress is shown.
enum Mode {
    Bars,
    Log,
}

/// The reporter `vsies` installs.
struct Reporter {
    mode: Mode,
    current: Mutex<Option<(&'static str, Instant, ProgressBar)>>,
}

impl vsies_zk::progress::Reporter for Reporter {
    fn begin(&self, phase: &'static str, total: u64) {
        let bar = match self.mode {
            Mode::Bars => {
                let bar = bars().add(ProgressBar::new(total));
                bar.set_style(style());
                bar.set_message(phase);
                bar
            }
            Mode::Log => ProgressBar::hidden(),
        };
        *self.current.lock().expect("not poisoned") = Some((phase, Instant::now(), bar));
    }

    fn update(&self, done: u64) {
        if let Some((_, _, bar)) = self.current.lock().expect("not poisoned").as_ref() {
            bar.set_position(done);
        }
    }

    fn end(&self) {
        if let Some((phase, start, bar)) = self.current.lock().expect("not poisoned").take() {
            bar.finish_and_clear();
            bars().remove(&bar);
            if let Mode::Log = self.mode {
                eprintln!("{phase}: {:.2} s", start.elapsed().as_secs_f64());
            }
        }
    }
}

/// Installs the reporter for this process.
pub fn install() {
    let Some(mode) = mode() else { return };
    vsies_zk::progress::install(Box::new(Reporter { mode, current: Mutex::new(None) }));
}

/// A command's own steps (the rounds of `vsies round`): a bar with an ETA above the engine's
/// phase bars, or one line per step with `VSIES_PROGRESS=log`.
pub struct Steps {
    bar: Option<ProgressBar>,
    log: bool,
    start: Instant,
}

impl Steps {
    /// Steps labelled `label`.
    pub fn new(label: &'static str) -> Self {
        let mode = mode();
        let bar = matches!(mode, Some(Mode::Bars)).then(|| {
            let bar = bars().add(ProgressBar::new(0));
            bar.set_style(style());
            bar.set_message(label);
            bar
        });
        Self { bar, log: matches!(mode, Some(Mode::Log)), start: Instant::now() }
    }
}

impl vsies_subnet::Progress for Steps {
    fn start(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    fn step(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        if self.log {
            eprintln!("{message}: {:.1} s", self.start.elapsed().as_secs_f64());
        }
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            bars().remove(&bar);
        }
    }
}
