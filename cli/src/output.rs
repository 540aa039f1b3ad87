//! Where the CLI's messages go: stdout, unless stdout is itself an output file.
//!
//! `vsies train … -o /dev/stdout | gzip` must deliver the artifact intact, so when any
//! argument names the file or pipe stdout is, every message the command prints (summaries,
//! reports, "wrote …") goes to stderr instead. Commands print through [`say!`] and
//! [`say_text!`] rather than `println!`/`print!` for this reason.

use std::ffi::OsString;
use std::fmt::Arguments;
use std::sync::atomic::{AtomicBool, Ordering};

static MESSAGES_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends messages to stderr when one of `args` (or the value of an `--flag=value` argument)
/// names what stdout is: the same file or pipe, by device and inode.
pub fn route_messages(args: impl IntoIterator<Item = OsString>) {
    if args.into_iter().any(|arg| names_stdout(&arg)) {
        MESSAGES_TO_STDERR.store(true, Ordering::Relaxed);
    }
}

#[cfg(unix)]
fn names_stdout(arg: &std::ffi::OsStr) -> bool {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        // Messages on a terminal cannot corrupt a file.
        return false;
    }
    let Some(own) = stdout.as_fd().try_clone_to_owned().ok().and_then(|fd| std::fs::File::from(fd).metadata().ok())
    else {
        return false;
    };
    let bytes = arg.as_bytes();
    let value = match bytes.iter().position(|&b| b == b'=') {
        Some(at) if bytes.starts_with(b"--") => &bytes[at + 1..],
        _ => bytes,
    };
    std::fs::metadata(std::ffi::OsStr::from_bytes(value))
        .is_ok_and(|meta| meta.dev() == own.dev() && meta.ino() == own.ino())
}

#[cfg(not(unix))]
fn names_stdout(_arg: &std::ffi::OsStr) -> bool {
    false
}

/// Prints one line of a command's messages (see the module docs).
pub fn say_line(args: Arguments<'_>) {
    if MESSAGES_TO_STDERR.load(Ordering::Relaxed) {
        eprintln!("{args}");
    } else {
        println!("{args}");
    }
}

/// Prints a command's text without adding a newline (see the module docs).
pub fn say_raw(args: Arguments<'_>) {
    if MESSAGES_TO_STDERR.load(Ordering::Relaxed) {
        eprint!("{args}");
    } else {
        print!("{args}");
    }
}

/// `println!` for a command's messages: to stderr when stdout is an output file.
macro_rules! say {
    () => {
        $crate::output::say_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::say_line(format_args!($($arg)*))
    };
}

/// `print!` for a command's text: to stderr when stdout is an output file.
macro_rules! say_text {
    ($($arg:tt)*) => {
        $crate::output::say_raw(format_args!($($arg)*))
    };
}
