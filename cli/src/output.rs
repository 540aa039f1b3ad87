//! Where the CLI's messages go: stdout, unless stdout is itself an output file.
//!
//! `vsies train … -o /dev/stdout | gzip` must deliver the artifact intact, so when any
//! argument names the file or pipe stdout is, every message the command prints (summaries,
//! reports, "wrote …") goes to stderr instead. Commands print messages through [`say!`]
//! rather than `println!`, and their primary output (a CSV printed when no `-o` is given)
//! through [`say_text!`].

use std::ffi::OsString;
use std::fmt::Arguments;
use std::sync::atomic::{AtomicBool, Ordering};

static MESSAGES_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends messages to stderr when one of `args` (or the value of an `--flag=value`, `-o=value`
/// or `-ovalue` argument) names what stdout is, the same file or pipe by device and inode,
/// unless it is also what stdin is (an input, as with a socket on both).
pub fn route_messages(args: impl IntoIterator<Item = OsString>) {
    if any_names_stdout(args) {
        MESSAGES_TO_STDERR.store(true, Ordering::Relaxed);
    }
}

#[cfg(unix)]
fn any_names_stdout(args: impl IntoIterator<Item = OsString>) -> bool {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        // Messages on a terminal cannot corrupt a file.
        return false;
    }
    let identity = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned().ok().and_then(|fd| std::fs::File::from(fd).metadata().ok()).map(|m| (m.dev(), m.ino()))
    };
    let Some(own) = identity(stdout.as_fd()) else {
        return false;
    };
    let stdin = identity(std::io::stdin().as_fd());
    args.into_iter().any(|arg| {
        let bytes = arg.as_bytes();
        let mut candidates = vec![bytes];
        if let Some(at) = bytes.iter().position(|&b| b == b'=').filter(|_| bytes.starts_with(b"--")) {
            candidates.push(&bytes[at + 1..]);
        } else if bytes.len() > 2 && bytes[0] == b'-' && bytes[1] != b'-' {
            // A short flag with its value attached: `-o/dev/stdout`, `-o=/dev/stdout`.
            candidates.push(bytes[2..].strip_prefix(b"=").unwrap_or(&bytes[2..]));
        }
        candidates.into_iter().any(|path| {
            let found = std::fs::metadata(std::ffi::OsStr::from_bytes(path)).ok().map(|m| (m.dev(), m.ino()));
            found == Some(own) && found != stdin
        })
    })
}

#[cfg(not(unix))]
fn any_names_stdout(_args: impl IntoIterator<Item = OsString>) -> bool {
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

/// Prints a command's primary output (a CSV, a schema when no `-o` is given) without adding
/// a newline: always to stdout, where it is asked for.
pub fn say_raw(args: Arguments<'_>) {
    print!("{args}");
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

/// `print!` for a command's primary output: always stdout.
macro_rules! say_text {
    ($($arg:tt)*) => {
        $crate::output::say_raw(format_args!($($arg)*))
    };
}
