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
            EXIT_ERROR
        }
    }
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
