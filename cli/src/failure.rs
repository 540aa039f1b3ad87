//! How a command's failure becomes a message and an exit code.

use vsies_core::validate::CheckReport;

/// Exit code: the input was checked and is invalid.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: usage or I/O error.
pub const EXIT_ERROR: i32 = 2;

/// An input that was checked and found invalid: printed as its report, exit 1.
#[derive(Debug)]
pub struct Invalid(pub CheckReport);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Invalid {}

/// A file that was read and refused for what it holds (not a CSV, so no row report): its path
/// and why, exit 1.
#[derive(Debug)]
pub struct InvalidFile {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong, naming the field.
    pub reason: String,
}

impl std::fmt::Display for InvalidFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for InvalidFile {}

/// Prints a failure on stderr and returns the process exit code.
pub fn report(result: anyhow::Result<i32>) -> i32 {
    match result {
        Ok(code) => code,
        Err(error) => {
            if let Some(Invalid(report)) = error.downcast_ref::<Invalid>() {
                eprintln!("error: {report}");
                return EXIT_INVALID;
            }
            eprintln!("error: {}", describe(&error));
            if checked_invalid(&error) {
                EXIT_INVALID
            } else {
                EXIT_ERROR
            }
        }
    }
}

/// Whether a library error in the chain says the input was read, checked and refused.
fn checked_invalid(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<InvalidFile>()
            || cause.downcast_ref::<vsies_fhe::FheError>().is_some_and(|e| e.is_checked_invalid())
            || cause.downcast_ref::<vsies_core::InferError>().is_some_and(|e| e.is_checked_invalid())
            || cause.downcast_ref::<vsies_core::split::SplitError>().is_some_and(|e| e.is_checked_invalid())
            || cause.downcast_ref::<vsies_core::SchemaError>().is_some_and(|e| e.is_checked_invalid())
            || cause.downcast_ref::<vsies_secure_agg::AggError>().is_some_and(|e| e.is_checked_invalid())
            || cause.downcast_ref::<vsies_zk::ZkError>().is_some_and(|e| e.is_invalid_ceremony())
    })
}

/// The error and its causes, skipping a cause whose text the message already quotes (library
/// errors embed their I/O cause so they read well on their own).
fn describe(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

/// Makes a failure to write to stdout (a closed pipe: `vsies inspect big | head`; a full disk)
/// an error on stderr with exit 2 rather than a panic's backtrace.
///
/// Why a panic hook: Rust ignores `SIGPIPE`, so the write fails with `EPIPE`, and `println!`
/// turns that failure into a panic with a fixed message. The hook recognises that message and
/// exits with the usage/I/O code; every other panic keeps the default report.
pub fn exit_cleanly_on_stdout_errors() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied());
        if let Some(cause) = message.and_then(|m| m.strip_prefix("failed printing to stdout: ")) {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "error: stdout: {cause}");
            std::process::exit(EXIT_ERROR);
        }
        default(info);
    }));
}

/// Flushes stdout before exiting: a failure to write its last bytes is exit 2, not silence.
pub fn flush_stdout(code: i32) -> i32 {
    use std::io::Write;
    match std::io::stdout().flush() {
        Ok(()) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: stdout: {err}");
            EXIT_ERROR
        }
    }
}

/// Exit code of a run interrupted by a signal (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// On SIGINT, SIGTERM or SIGHUP: removes the temporary files and staging directories being
/// written (the outputs themselves are renamed into place only when complete, so none is
/// half-written), says so, and exits 130.
pub fn clean_up_on_signals() {
    use std::io::Write;
    let installed = ctrlc::set_handler(|| {
        vsies_core::artifact::remove_in_flight();
        let _ = writeln!(std::io::stderr(), "interrupted: temporary files removed, nothing half-written");
        std::process::exit(EXIT_INTERRUPTED);
    });
    if let Err(err) = installed {
        let _ = writeln!(
            std::io::stderr(),
            "warning: no signal handler ({err}); an interrupted run may leave temporary files"
        );
    }
}
