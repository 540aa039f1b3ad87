//! Atomic writes: a reader sees the old file or the whole new one, never half of either.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A set of paths being written (temporary files, staging directories) that an interrupted
/// run must remove. The process keeps one ([`track_in_flight`], [`remove_in_flight`]);
/// a value of its own lets a caller (or a test) clean up without touching other writers'.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<Vec<PathBuf>>);

impl InFlight {
    /// An empty set.
    pub const fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    fn paths(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `path` as being written.
    pub fn track(&self, path: &Path) {
        self.paths().push(path.to_path_buf());
    }

    /// `path` was renamed into place or removed: no longer this set's to clean up.
    pub fn untrack(&self, path: &Path) {
        self.paths().retain(|p| p != path);
    }

    /// Removes every file and directory in the set, and empties it.
    pub fn remove_all(&self) {
        let paths = std::mem::take(&mut *self.paths());
        for path in paths {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// What this process is writing: removed by the CLI's SIGINT/SIGTERM handler.
static IN_FLIGHT: InFlight = InFlight::new();

/// Records `path` as being written by this process (a temporary file or staging directory).
pub fn track_in_flight(path: &Path) {
    IN_FLIGHT.track(path);
}

/// `path` was renamed into place or removed: no longer this process's to clean up.
pub fn untrack_in_flight(path: &Path) {
    IN_FLIGHT.untrack(path);
}

/// Removes every temporary file and staging directory this process is writing: for a signal
/// handler, before the process exits, so an interrupted command leaves nothing behind.
pub fn remove_in_flight() {
    IN_FLIGHT.remove_all();
}

/// Whether a process with this id runs (where the system can say; elsewhere assumed so).
pub fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the entries of `directory` named `{prefix}{pid}` or `{prefix}{pid}-…` (files or
/// directories) whose process `pid` is not this one and no longer runs: what runs killed
/// outright (where no handler could clean up) left behind.
pub fn sweep_dead_runs(directory: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let pid = file_name.to_str().and_then(|n| n.strip_prefix(prefix)).and_then(|rest| {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            let tail = &rest[digits..];
            (tail.is_empty() || tail.starts_with('-')).then(|| rest[..digits].parse::<u32>().ok()).flatten()
        });
        if let Some(pid) = pid {
            if pid != std::process::id() && !process_alive(pid) {
                let path = entry.path();
                let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            }
        }
    }
}

/// Writes `bytes` to `path` so that a reader sees either the old file or the whole new one:
/// write a temporary file in the same directory, flush it to disk, rename it over `path`,
/// then flush the directory entry. On error the temporary file is removed and `path` is
/// untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes), None)
}

/// [`write_atomic`] with owner-only permissions (0600 on Unix), for secret keys.
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes), Some(0o600))
}

/// Atomic write with the content produced by `fill`, and an optional Unix mode set before
/// any content is written.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    mode: Option<u32>,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Follow a symlink to the file it names, so the link survives and its target is replaced.
    let resolved = std::fs::canonicalize(path).ok();
    let path = resolved.as_deref().unwrap_or(path);
    // A device or FIFO (`-o /dev/stdout`, `/dev/null`) cannot be replaced by renaming, and
    // must not be: write into it directly.
    if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        return fill(&mut file);
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "output path has no file name"))?;
    sweep_dead_runs(&directory, &format!(".{}.tmp-", name.to_string_lossy()));
    let temporary = directory.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    track_in_flight(&temporary);
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&temporary)?;
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        // Persist the rename itself; not every platform can open a directory, so best effort.
        if let Ok(dir) = std::fs::File::open(&directory) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    untrack_in_flight(&temporary);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn temporary_files_of_dead_runs_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 0 never names a running process in /proc; ours does.
        let dead = dir.path().join(".out.bin.tmp-0-3");
        let live = dir.path().join(format!(".out.bin.tmp-{}-999", std::process::id()));
        std::fs::write(&dead, b"x").unwrap();
        std::fs::write(&live, b"x").unwrap();
        write_atomic(&dir.path().join("out.bin"), b"new").unwrap();
        assert!(!dead.exists() && live.exists());
        assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), b"new");
    }

    #[test]
    fn in_flight_files_are_removed_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".partial");
        let staging = dir.path().join(".staging");
        std::fs::write(&file, b"x").unwrap();
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("secret.key"), b"x").unwrap();
        // A set of the test's own: the process-wide one holds the temporary files of tests
        // writing concurrently, which removing them all would break.
        let in_flight = InFlight::new();
        in_flight.track(&file);
        in_flight.track(&staging);
        in_flight.remove_all();
        assert!(!file.exists() && !staging.exists());
    }

    #[test]
    fn atomic_write_replaces_whole_files_and_a_failed_write_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let failed = write_atomic_with(
            &path,
            |file| {
                file.write_all(b"half of a new fi")?;
                Err(std::io::Error::other("disk full"))
            },
            None,
        );
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, [std::ffi::OsString::from("model.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_into_a_fifo_writes_in_place_and_keeps_the_fifo() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = Vec::new();
                std::fs::File::open(&fifo).unwrap().read_to_end(&mut text).unwrap();
                text
            })
        };
        write_atomic(&fifo, b"streamed").unwrap();
        assert_eq!(reader.join().unwrap(), b"streamed");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_through_a_symlink_replaces_the_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, b"old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn private_writes_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        write_atomic_private(&path, b"k").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
