//! Why an artifact cannot be read or written.

use super::kind::ArtifactKind;
use std::path::{Path, PathBuf};

/// Why an artifact cannot be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a vsies artifact.
    #[error("{path}: not a vsies artifact (bad magic bytes)")]
    BadMagic {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer vsies.
    #[error("{path}: artifact format version {found} is newer than this vsies reads ({supported}); upgrade vsies")]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// The file's version.
        found: u16,
        /// The newest this build reads.
        supported: u16,
    },
    /// Version 0 was never written.
    #[error("{path}: artifact format version 0 is invalid")]
    ZeroVersion {
        /// The file.
        path: PathBuf,
    },
    /// A kind this build does not know.
    #[error("{path}: unknown artifact kind {found} (written by a newer vsies?)")]
    UnknownKind {
        /// The file.
        path: PathBuf,
        /// The kind's code or name.
        found: String,
    },
    /// Another kind than expected.
    #[error("{path}: wrong artifact kind: expected {expected}, found {found}")]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What the reader wanted.
        expected: ArtifactKind,
        /// What the file is.
        found: ArtifactKind,
    },
    /// Shorter than its header says.
    #[error("{path}: truncated: {found} bytes, the header promises {expected}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header promises.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Content changed after it was written.
    #[error("{path}: checksum mismatch: the file is corrupted")]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
    },
    /// The envelope is inconsistent.
    #[error("{path}: malformed artifact: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// An I/O error on `path`.
pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArtifactError + '_ {
    move |source| ArtifactError::Io { path: path.into(), source }
}
