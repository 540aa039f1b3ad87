//! The binary envelope's header: magic, format version, kind, payload length; and reading a
//! file's header without its payload.

use super::error::{io_error, ArtifactError};
use super::json::MAX_JSON_BYTES;
use super::kind::ArtifactKind;
use std::path::Path;

/// Magic bytes of a binary artifact.
pub const MAGIC: [u8; 8] = *b"\x89VSIES\r\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
/// Bytes of the header.
pub(crate) const HEADER_LEN: usize = 24;
/// Bytes of the trailing checksum.
pub(crate) const CHECKSUM_LEN: usize = 32;

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
    let read = read_header_bytes(&mut file, &mut header).map_err(io_error(path))?;
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
    // JSON artifacts are small (models, proofs): read and parse the envelope, no more than a
    // JSON artifact may hold, and only what can start a JSON object (`/dev/zero` and binary
    // files stop here).
    if header[..read].iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b != b'{') {
        return Err(ArtifactError::BadMagic { path: path.into() });
    }
    if found > MAX_JSON_BYTES {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: "not a binary artifact, and too large for a JSON one".into(),
        });
    }
    let mut bytes = header[..read].to_vec();
    file.take(MAX_JSON_BYTES + 1 - read as u64).read_to_end(&mut bytes).map_err(io_error(path))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: format!("not a binary artifact, and larger than the {} MiB of a JSON one", MAX_JSON_BYTES >> 20),
        });
    }
    let envelope: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| ArtifactError::BadMagic { path: path.into() })?;
    let name =
        envelope.get("vsies_artifact").and_then(|v| v.as_str()).ok_or(ArtifactError::BadMagic { path: path.into() })?;
    let kind = ArtifactKind::from_name(name)
        .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: name.chars().take(40).collect() })?;
    let version =
        envelope.get("format_version").and_then(|v| v.as_u64()).map_or(0, |v| u16::try_from(v).unwrap_or(u16::MAX));
    check_version(version, path)?;
    Ok(ArtifactHeader { kind, format_version: version, payload_len: bytes.len() as u64 })
}

/// Reads up to [`HEADER_LEN`] bytes into `header` (fewer only at the end of the input) and
/// returns how many: what readers look at before they decide how much more to read.
pub(crate) fn read_header_bytes(
    reader: &mut impl std::io::Read,
    header: &mut [u8; HEADER_LEN],
) -> std::io::Result<usize> {
    let mut read = 0;
    while read < HEADER_LEN {
        match reader.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(read)
}

/// The header of a binary artifact of `kind` with a payload of `payload_len` bytes.
pub(crate) fn encode_header(kind: ArtifactKind, payload_len: u64) -> [u8; HEADER_LEN] {
    let mut header = [0; HEADER_LEN];
    header[..8].copy_from_slice(&MAGIC);
    header[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    header[10..12].copy_from_slice(&kind.code().to_le_bytes());
    header[16..24].copy_from_slice(&payload_len.to_le_bytes());
    header
}

/// Checks a header (the first [`HEADER_LEN`] bytes, magic included) against the file's length
/// `found` and returns the payload length.
pub(crate) fn check_header(
    bytes: &[u8],
    found: u64,
    expected: ArtifactKind,
    path: &Path,
) -> Result<u64, ArtifactError> {
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

pub(crate) fn check_version(version: u16, path: &Path) -> Result<(), ArtifactError> {
    match version {
        0 => Err(ArtifactError::ZeroVersion { path: path.into() }),
        v if v > FORMAT_VERSION => {
            Err(ArtifactError::NewerVersion { path: path.into(), found: v, supported: FORMAT_VERSION })
        }
        _ => Ok(()),
    }
}
