//! Progress bars with an ETA on stderr for the engine's long phases (Groth16 setup and
//! proving): a bar per phase when stderr is a terminal; with `VSIES_PROGRESS=log`, one line per
//! finished phase with its duration (for logs and CI); otherwise nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

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
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                let style =
                    ProgressStyle::with_template("{msg:>26} [{bar:32}] {percent:>3}% {elapsed_precise} ETA {eta}")
                        .expect("a valid template")
                        .progress_chars("=> ");
                bar.set_style(style);
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
            if let Mode::Log = self.mode {
                eprintln!("{phase}: {:.2} s", start.elapsed().as_secs_f64());
            }
        }
    }
}

/// Installs the reporter for this process.
pub fn install() {
    let mode = if std::env::var("VSIES_PROGRESS").is_ok_and(|value| value == "log") {
        Mode::Log
    } else if std::io::stderr().is_terminal() {
        Mode::Bars
    } else {
        return;
    };
    vsies_zk::progress::install(Box::new(Reporter { mode, current: Mutex::new(None) }));
}
