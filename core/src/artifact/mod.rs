//! The artifact format: every file vsies writes and reads back (schemas and CSV exports
//! aside) carries a magic tag, a format version, its kind and a checksum, and is written
//! atomically.
//!
//! **Binary artifacts** (datasets, later ciphertexts and keys):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `89 56 53 49 45 53 0D 0A` (`\x89VSIES\r\n`: a high byte and CR LF catch text-mode mangling, as in PNG) |
//! | 8 | 2 | format version, u16 LE (currently 1) |
//! | 10 | 2 | kind code, u16 LE (see [`ArtifactKind`]) |
//! | 12 | 4 | reserved, zero |
//! | 16 | 8 | payload length, u64 LE |
//! | 24 | n | payload |
//! | 24 + n | 32 | SHA-256 of bytes `0 .. 24 + n` |
//!
//! **JSON artifacts** (models, proofs: files people read):
//! `{"vsies_artifact": "<kind>", "format_version": 1, "checksum": "sha256:<hex>", "body": {…}}`
//! where the checksum is over the canonical JSON of `body` (keys sorted, no white space), so
//! re-indenting a file keeps it valid but changing any value does not.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

mod stream;
pub use stream::{write_binary_streamed, BinaryReader};

/// Magic bytes of a binary artifact.
pub const MAGIC: [u8; 8] = *b"\x89VSIES\r\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: usize = 24;
const CHECKSUM_LEN: usize = 32;

/// What an artifact holds. Codes are stable: a kind keeps its code forever.
///
/// Each kind is defined (encoded, decoded, documented) by one crate, its owner; this enum only
/// names them so that every reader refuses a file of the wrong kind by name and `vsies inspect`
/// recognizes every file. New kinds are added here with their owner.
///
/// | kind | owner | type |
/// |---|---|---|
/// | `quantized-dataset` | `vsies-core` | `QuantizedDataset` |
/// | `model` | `vsies-core` | `Model` |
/// | `fhe-secret-key`, `fhe-public-key`, `fhe-evaluation-key` | `vsies-fhe` | `SecretKey`, `PublicKey`, `EvaluationKey` |
/// | `encrypted-dataset`, `encrypted-scores` | `vsies-fhe` | `EncryptedDataset`, `EncryptedScores` |
/// | `committee-public-key`, `committee-key-share` | `vsies-secure-agg` | `PublicKey`, `KeyShare` |
/// | `encrypted-update`, `decryption-share` | `vsies-secure-agg` | `EncryptedUpdate`, `DecryptionShare` |
/// | `zk-proving-key`, `zk-verifying-key` | `vsies-zk` | the Groth16 engine's key files, for any relation |
/// | `data-proof` | `vsies-zk` | `DataProof` (data-validation relation) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArtifactKind {
    /// A [`crate::QuantizedDataset`] in its canonical encoding.
    QuantizedDataset,
    /// A [`crate::Model`].
    Model,
    /// An FHE secret key (owner only).
    FheSecretKey,
    /// An FHE compact public key.
    FhePublicKey,
    /// An FHE evaluation key (parameters and key id).
    FheEvaluationKey,
    /// An encrypted quantized dataset.
    EncryptedDataset,
    /// Encrypted scores from encrypted inference.
    EncryptedScores,
    /// A secure-aggregation committee's public encryption key.
    CommitteePublicKey,
    /// One committee member's secret key share (that member only).
    CommitteeKeyShare,
    /// An encrypted weighted model update, or the sum of several.
    EncryptedUpdate,
    /// One member's partial decryption of an aggregate.
    DecryptionShare,
    /// A Groth16 proving key with the description of its relation.
    ZkProvingKey,
    /// A Groth16 verifying key with the description of its relation.
    ZkVerifyingKey,
    /// A Groth16 proof that a committed dataset passes its schema (JSON).
    DataProof,
}

impl ArtifactKind {
    /// Every kind this build knows.
    pub const ALL: [Self; 14] = [
        Self::QuantizedDataset,
        Self::Model,
        Self::FheSecretKey,
        Self::FhePublicKey,
        Self::FheEvaluationKey,
        Self::EncryptedDataset,
        Self::EncryptedScores,
        Self::CommitteePublicKey,
        Self::CommitteeKeyShare,
        Self::EncryptedUpdate,
        Self::DecryptionShare,
        Self::ZkProvingKey,
        Self::ZkVerifyingKey,
        Self::DataProof,
    ];

    /// The stable code in a binary artifact's header.
    pub fn code(self) -> u16 {
        match self {
            Self::QuantizedDataset => 1,
            Self::Model => 2,
            Self::FheSecretKey => 3,
            Self::FhePublicKey => 4,
            Self::FheEvaluationKey => 5,
            Self::EncryptedDataset => 6,
            Self::EncryptedScores => 7,
            Self::CommitteePublicKey => 8,
            Self::CommitteeKeyShare => 9,
            Self::EncryptedUpdate => 10,
            Self::DecryptionShare => 11,
            Self::ZkProvingKey => 12,
            Self::ZkVerifyingKey => 13,
            Self::DataProof => 14,
        }
    }

    /// The stable name in a JSON artifact's envelope and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::QuantizedDataset => "quantized-dataset",
            Self::Model => "model",
            Self::FheSecretKey => "fhe-secret-key",
            Self::FhePublicKey => "fhe-public-key",
            Self::FheEvaluationKey => "fhe-evaluation-key",
            Self::EncryptedDataset => "encrypted-dataset",
            Self::EncryptedScores => "encrypted-scores",
            Self::CommitteePublicKey => "committee-public-key",
            Self::CommitteeKeyShare => "committee-key-share",
            Self::EncryptedUpdate => "encrypted-update",
            Self::DecryptionShare => "decryption-share",
            Self::ZkProvingKey => "zk-proving-key",
            Self::ZkVerifyingKey => "zk-verifying-key",
            Self::DataProof => "data-proof",
        }
    }

    /// The crate that defines the kind's content.
    pub fn owner(self) -> &'static str {
        match self {
            Self::QuantizedDataset | Self::Model => "vsies-core",
            Self::FheSecretKey
            | Self::FhePublicKey
            | Self::FheEvaluationKey
            | Self::EncryptedDataset
            | Self::EncryptedScores => "vsies-fhe",
            Self::CommitteePublicKey | Self::CommitteeKeyShare | Self::EncryptedUpdate | Self::DecryptionShare => {
                "vsies-secure-agg"
            }
            Self::ZkProvingKey | Self::ZkVerifyingKey | Self::DataProof => "vsies-zk",
        }
    }

    /// Whether the kind is a JSON artifact (the others are binary).
    pub fn is_json(self) -> bool {
        matches!(self, Self::Model | Self::DataProof)
    }

    /// The kind with header code `code`.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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

/// What a file's header says about it, before its payload is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactHeader {
    /// The kind.
    pub kind: ArtifactKind,
    /// The format version the file was written with.
    pub format_version: u16,
    /// Payload bytes (binary artifacts); the file's length for JSON artifacts.
    pub payload_len: u64,
}

/// Reads the header of the artifact at `path` without reading its payload (proving keys reach
/// tens of gigabytes): a binary artifact's first 24 bytes, or a JSON artifact's envelope
/// fields. The checksum is not checked here; readers of the payload check it.
pub fn read_header(path: &Path) -> Result<ArtifactHeader, ArtifactError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(io_error(path))?;
    let found = file.metadata().map_err(io_error(path))?.len();
    let mut header = [0u8; HEADER_LEN];
    let mut read = 0;
    while read < HEADER_LEN {
        match file.read(&mut header[read..]).map_err(io_error(path))? {
            0 => break,
            n => read += n,
        }
    }
    if header.starts_with(&MAGIC) {
        if read < HEADER_LEN {
            return Err(ArtifactError::Truncated { path: path.into(), expected: HEADER_LEN as u64, found });
        }
        let version = u16::from_le_bytes([header[8], header[9]]);
        check_version(version, path)?;
        let code = u16::from_le_bytes([header[10], header[11]]);
        let kind = ArtifactKind::from_code(code)
            .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: code.to_string() })?;
        let payload_len = check_header(&header, found, kind, path)?;
        return Ok(ArtifactHeader { kind, format_version: version, payload_len });
    }
    // JSON artifacts are small (models, proofs): read and parse the envelope.
    const JSON_LIMIT: u64 = 256 << 20;
    if found > JSON_LIMIT {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: "not a binary artifact, and too large for a JSON one".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    let envelope: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| ArtifactError::BadMagic { path: path.into() })?;
    let name =
        envelope.get("vsies_artifact").and_then(|v| v.as_str()).ok_or(ArtifactError::BadMagic { path: path.into() })?;
    let kind = ArtifactKind::from_name(name)
        .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: name.chars().take(40).collect() })?;
    let version =
        envelope.get("format_version").and_then(|v| v.as_u64()).map_or(0, |v| u16::try_from(v).unwrap_or(u16::MAX));
    check_version(version, path)?;
    Ok(ArtifactHeader { kind, format_version: version, payload_len: found })
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArtifactError + '_ {
    move |source| ArtifactError::Io { path: path.into(), source }
}

fn encode_header(kind: ArtifactKind, payload_len: u64) -> [u8; HEADER_LEN] {
    let mut header = [0; HEADER_LEN];
    header[..8].copy_from_slice(&MAGIC);
    header[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[10..12].copy_from_slice(&kind.code().to_le_bytes());
    header[16..24].copy_from_slice(&payload_len.to_le_bytes());
    header
}

/// Encodes a binary artifact in memory.
pub fn encode_binary(kind: ArtifactKind, payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len() + CHECKSUM_LEN);
    bytes.extend_from_slice(&encode_header(kind, payload.len() as u64));
    bytes.extend_from_slice(payload);
    let checksum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&checksum);
    bytes
}

/// Checks a binary artifact's envelope and returns its payload. `path` only names the source
/// in errors.
pub fn decode_binary<'a>(bytes: &'a [u8], expected: ArtifactKind, path: &Path) -> Result<&'a [u8], ArtifactError> {
    let found = bytes.len() as u64;
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(ArtifactError::BadMagic { path: path.into() });
    }
    if bytes.len() < HEADER_LEN {
        return Err(ArtifactError::Truncated { path: path.into(), expected: HEADER_LEN as u64, found });
    }
    check_header(&bytes[..HEADER_LEN], found, expected, path)?;
    let body_end = bytes.len() - CHECKSUM_LEN;
    if Sha256::digest(&bytes[..body_end]).as_slice() != &bytes[body_end..] {
        return Err(ArtifactError::ChecksumMismatch { path: path.into() });
    }
    Ok(&bytes[HEADER_LEN..body_end])
}

/// Checks a header (the first [`HEADER_LEN`] bytes, magic included) against the file's length
/// `found` and returns the payload length.
fn check_header(bytes: &[u8], found: u64, expected: ArtifactKind, path: &Path) -> Result<u64, ArtifactError> {
    if bytes[..MAGIC.len()] != MAGIC {
        return Err(ArtifactError::BadMagic { path: path.into() });
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    check_version(version, path)?;
    let code = u16::from_le_bytes([bytes[10], bytes[11]]);
    let kind = ArtifactKind::from_code(code)
        .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: code.to_string() })?;
    if kind != expected {
        return Err(ArtifactError::WrongKind { path: path.into(), expected, found: kind });
    }
    if bytes[12..16] != [0; 4] {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: "reserved header bytes are not zero".into(),
        });
    }
    let payload_len = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    let expected_len = payload_len.saturating_add((HEADER_LEN + CHECKSUM_LEN) as u64);
    if found < expected_len {
        return Err(ArtifactError::Truncated { path: path.into(), expected: expected_len, found });
    }
    if found > expected_len {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: format!("{} bytes after the checksum", found - expected_len),
        });
    }
    Ok(payload_len)
}

fn check_version(version: u16, path: &Path) -> Result<(), ArtifactError> {
    match version {
        0 => Err(ArtifactError::ZeroVersion { path: path.into() }),
        v if v > FORMAT_VERSION => {
            Err(ArtifactError::NewerVersion { path: path.into(), found: v, supported: FORMAT_VERSION })
        }
        _ => Ok(()),
    }
}

/// Writes a binary artifact atomically.
pub fn write_binary(path: &Path, kind: ArtifactKind, payload: &[u8]) -> Result<(), ArtifactError> {
    write_atomic(path, &encode_binary(kind, payload)).map_err(io_error(path))
}

/// Reads a binary artifact and returns its verified payload.
pub fn read_binary(path: &Path, expected: ArtifactKind) -> Result<Vec<u8>, ArtifactError> {
    read_binary_with_checksum(path, expected).map(|(payload, _)| payload)
}

/// Reads a binary artifact and returns its verified payload and its checksum (the SHA-256 of
/// the whole file but the checksum itself), which identifies the file's content.
pub fn read_binary_with_checksum(path: &Path, expected: ArtifactKind) -> Result<(Vec<u8>, [u8; 32]), ArtifactError> {
    let mut bytes = std::fs::read(path).map_err(io_error(path))?;
    let payload_len = decode_binary(&bytes, expected, path)?.len();
    let checksum: [u8; 32] = bytes[bytes.len() - CHECKSUM_LEN..].try_into().expect("32 bytes");
    // Reuse the buffer: drop the checksum, then the header.
    bytes.truncate(HEADER_LEN + payload_len);
    bytes.drain(..HEADER_LEN);
    Ok((bytes, checksum))
}

/// The checksum [`encode_binary`] appends: the content id of an artifact's encoding.
pub fn binary_checksum(encoded: &[u8]) -> [u8; 32] {
    encoded[encoded.len() - CHECKSUM_LEN..].try_into().expect("an encoded artifact ends with its checksum")
}

/// SHA-256 of the canonical JSON of `body`, as `sha256:<hex>`.
fn json_checksum(body: &serde_json::Value) -> String {
    let canonical = serde_json::to_vec(body).expect("JSON values serialize");
    let digest = Sha256::digest(canonical);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Encodes a JSON artifact (pretty-printed, trailing newline).
pub fn encode_json<T: Serialize>(kind: ArtifactKind, body: &T) -> Vec<u8> {
    // `serde_json::Value` keeps object keys sorted (BTreeMap), which makes the rendering,
    // and so the checksum input, canonical.
    let body = serde_json::to_value(body).expect("artifact bodies serialize to JSON");
    let envelope = serde_json::json!({
        "vsies_artifact": kind.name(),
        "format_version": FORMAT_VERSION,
        "checksum": json_checksum(&body),
        "body": body,
    });
    let mut bytes = serde_json::to_vec_pretty(&envelope).expect("JSON values serialize");
    bytes.push(b'\n');
    bytes
}

/// Checks a JSON artifact's envelope and deserializes its body.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8], expected: ArtifactKind, path: &Path) -> Result<T, ArtifactError> {
    let malformed = |reason: String| ArtifactError::Malformed { path: path.into(), reason };
    if bytes.starts_with(&MAGIC) {
        // A binary artifact where a JSON one was expected: say which kind it is.
        let code = bytes.get(10..12).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
        return Err(match ArtifactKind::from_code(code) {
            Some(found) => ArtifactError::WrongKind { path: path.into(), expected, found },
            None => ArtifactError::UnknownKind { path: path.into(), found: code.to_string() },
        });
    }
    let envelope: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        if err.is_eof() {
            ArtifactError::Truncated { path: path.into(), expected: bytes.len() as u64 + 1, found: bytes.len() as u64 }
        } else {
            malformed(format!("not JSON: {err}"))
        }
    })?;
    let field = |name: &str| envelope.get(name);
    let Some(kind_name) = field("vsies_artifact").and_then(|v| v.as_str()) else {
        return Err(ArtifactError::BadMagic { path: path.into() });
    };
    let version = field("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| malformed("missing or non-integer `format_version`".into()))?;
    check_version(u16::try_from(version).unwrap_or(u16::MAX), path)?;
    let kind = ArtifactKind::from_name(kind_name)
        .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: kind_name.to_string() })?;
    if kind != expected {
        return Err(ArtifactError::WrongKind { path: path.into(), expected, found: kind });
    }
    let checksum = field("checksum").and_then(|v| v.as_str()).ok_or_else(|| malformed("missing `checksum`".into()))?;
    let body = field("body").ok_or_else(|| malformed("missing `body`".into()))?;
    if json_checksum(body) != checksum {
        return Err(ArtifactError::ChecksumMismatch { path: path.into() });
    }
    serde_json::from_value(body.clone()).map_err(|err| malformed(format!("body: {err}")))
}

/// Writes a JSON artifact atomically.
pub fn write_json<T: Serialize>(path: &Path, kind: ArtifactKind, body: &T) -> Result<(), ArtifactError> {
    write_atomic(path, &encode_json(kind, body)).map_err(io_error(path))
}

/// Reads and verifies a JSON artifact.
pub fn read_json<T: DeserializeOwned>(path: &Path, expected: ArtifactKind) -> Result<T, ArtifactError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    decode_json(&bytes, expected, path)
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
    let temporary = directory.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
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
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> &'static Path {
        Path::new("test.vsies")
    }

    #[test]
    fn binary_round_trip() {
        let bytes = encode_binary(ArtifactKind::QuantizedDataset, b"payload");
        assert_eq!(decode_binary(&bytes, ArtifactKind::QuantizedDataset, name()).unwrap(), b"payload");
    }

    #[test]
    fn binary_refuses_wrong_kind() {
        let bytes = encode_binary(ArtifactKind::Model, b"payload");
        let err = decode_binary(&bytes, ArtifactKind::QuantizedDataset, name()).unwrap_err();
        assert!(matches!(
            err,
            ArtifactError::WrongKind { expected: ArtifactKind::QuantizedDataset, found: ArtifactKind::Model, .. }
        ));
        assert!(err.to_string().contains("wrong artifact kind: expected quantized-dataset, found model"));
    }

    #[test]
    fn binary_refuses_every_truncation() {
        let bytes = encode_binary(ArtifactKind::QuantizedDataset, b"payload");
        for cut in 0..bytes.len() {
            let err = decode_binary(&bytes[..cut], ArtifactKind::QuantizedDataset, name()).unwrap_err();
            assert!(
                matches!(err, ArtifactError::Truncated { .. } | ArtifactError::BadMagic { .. }),
                "cut {cut}: {err}"
            );
        }
    }

    #[test]
    fn binary_refuses_every_single_bit_flip() {
        let bytes = encode_binary(ArtifactKind::QuantizedDataset, b"payload");
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[index] ^= 1 << bit;
                assert!(
                    decode_binary(&flipped, ArtifactKind::QuantizedDataset, name()).is_err(),
                    "byte {index} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn binary_refuses_a_newer_version() {
        let mut bytes = encode_binary(ArtifactKind::QuantizedDataset, b"p");
        bytes[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let err = decode_binary(&bytes, ArtifactKind::QuantizedDataset, name()).unwrap_err();
        assert!(matches!(err, ArtifactError::NewerVersion { found, .. } if found == FORMAT_VERSION + 1));
    }

    #[test]
    fn binary_refuses_trailing_bytes_and_non_artifacts() {
        let mut bytes = encode_binary(ArtifactKind::QuantizedDataset, b"p");
        bytes.push(0);
        assert!(matches!(
            decode_binary(&bytes, ArtifactKind::QuantizedDataset, name()),
            Err(ArtifactError::Malformed { .. })
        ));
        assert!(matches!(
            decode_binary(b"a,b\n1,2\n", ArtifactKind::QuantizedDataset, name()),
            Err(ArtifactError::BadMagic { .. })
        ));
    }

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Body {
        weights: Vec<i64>,
        name: String,
    }

    fn body() -> Body {
        Body { weights: vec![1, -2, 3], name: "m".into() }
    }

    #[test]
    fn json_round_trip_and_reformatting_keeps_the_checksum() {
        let bytes = encode_json(ArtifactKind::Model, &body());
        assert_eq!(decode_json::<Body>(&bytes, ArtifactKind::Model, name()).unwrap(), body());
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let compact = serde_json::to_vec(&value).unwrap();
        assert_eq!(decode_json::<Body>(&compact, ArtifactKind::Model, name()).unwrap(), body());
    }

    #[test]
    fn json_refuses_tampering_wrong_kind_newer_version_and_truncation() {
        let text = String::from_utf8(encode_json(ArtifactKind::Model, &body())).unwrap();
        let tampered = text.replace("-2", "-3");
        assert!(matches!(
            decode_json::<Body>(tampered.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::ChecksumMismatch { .. })
        ));
        assert!(matches!(
            decode_json::<Body>(text.as_bytes(), ArtifactKind::QuantizedDataset, name()),
            Err(ArtifactError::WrongKind { .. })
        ));
        let newer = text.replace("\"format_version\": 1", "\"format_version\": 2");
        assert!(matches!(
            decode_json::<Body>(newer.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::NewerVersion { found: 2, .. })
        ));
        for cut in [1, text.len() / 2, text.len() - 3] {
            let err = decode_json::<Body>(&text.as_bytes()[..cut], ArtifactKind::Model, name()).unwrap_err();
            assert!(matches!(err, ArtifactError::Truncated { .. }), "cut {cut}: {err}");
        }
        assert!(matches!(
            decode_json::<Body>(b"{\"a\": 1}", ArtifactKind::Model, name()),
            Err(ArtifactError::BadMagic { .. })
        ));
        let binary = encode_binary(ArtifactKind::QuantizedDataset, b"p");
        assert!(matches!(
            decode_json::<Body>(&binary, ArtifactKind::Model, name()),
            Err(ArtifactError::WrongKind { found: ArtifactKind::QuantizedDataset, .. })
        ));
        let unknown = text.replace("\"vsies_artifact\": \"model\"", "\"vsies_artifact\": \"hologram\"");
        assert!(matches!(
            decode_json::<Body>(unknown.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::UnknownKind { .. })
        ));
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
