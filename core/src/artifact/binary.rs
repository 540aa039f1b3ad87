//! Binary artifacts in memory: `header ‖ payload ‖ SHA-256(header ‖ payload)`.

use super::atomic::write_atomic;
use super::error::{io_error, ArtifactError};
use super::header::{check_header, encode_header, read_header_bytes, CHECKSUM_LEN, HEADER_LEN, MAGIC};
use super::kind::ArtifactKind;
use sha2::{Digest, Sha256};
use std::path::Path;

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
    let mut bytes = read_bounded(path, expected)?;
    let payload_len = decode_binary(&bytes, expected, path)?.len();
    let checksum: [u8; 32] = bytes[bytes.len() - CHECKSUM_LEN..].try_into().expect("32 bytes");
    // Reuse the buffer: drop the checksum, then the header.
    bytes.truncate(HEADER_LEN + payload_len);
    bytes.drain(..HEADER_LEN);
    Ok((bytes, checksum))
}

/// Most bytes of an artifact read whole (larger ones, proving keys, are streamed by
/// [`super::BinaryReader`]): a file, or a pipe or device whose length is not known before
/// reading and is taken from its header, over this is refused before its payload is read. It
/// also bounds a sparse file's apparent size.
pub const MAX_UNSIZED_BYTES: u64 = 4 << 30;

/// Reads a whole binary artifact without trusting it for memory: the header first (so
/// `/dev/zero` or a text file is refused after 24 bytes), then no more than the file's size,
/// or, for a pipe or device, its header's declared length, either at most
/// [`MAX_UNSIZED_BYTES`], plus one byte to tell trailing data. The buffer is allocated once,
/// at that size, so a secret key read here leaves no copies in memory freed by growing it.
/// [`decode_binary`] then checks what was read.
fn read_bounded(path: &Path, expected: ArtifactKind) -> Result<Vec<u8>, ArtifactError> {
    use std::io::Read;
    let mut reader = std::fs::File::open(path).map_err(io_error(path))?;
    let metadata = reader.metadata().map_err(io_error(path))?;
    let mut header = [0u8; HEADER_LEN];
    let read = read_header_bytes(&mut reader, &mut header).map_err(io_error(path))?;
    if read < HEADER_LEN || header[..MAGIC.len()] != MAGIC {
        return Ok(header[..read].to_vec());
    }
    let declared = u64::from_le_bytes(header[16..24].try_into().expect("8 bytes"));
    let whole =
        if metadata.is_file() { metadata.len() } else { declared.saturating_add((HEADER_LEN + CHECKSUM_LEN) as u64) };
    if whole > MAX_UNSIZED_BYTES {
        return Err(ArtifactError::Malformed {
            path: path.into(),
            reason: format!("{whole} bytes, more than the {} GiB of an artifact read whole", MAX_UNSIZED_BYTES >> 30),
        });
    }
    // Kind, version and length are refused before the payload is read.
    check_header(&header, whole, expected, path)?;
    let mut bytes = Vec::with_capacity(whole as usize + 1);
    bytes.extend_from_slice(&header);
    reader.take(whole + 1 - HEADER_LEN as u64).read_to_end(&mut bytes).map_err(io_error(path))?;
    Ok(bytes)
}

/// The checksum [`encode_binary`] appends: the content id of an artifact's encoding.
pub fn binary_checksum(encoded: &[u8]) -> [u8; 32] {
    encoded[encoded.len() - CHECKSUM_LEN..].try_into().expect("an encoded artifact ends with its checksum")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::header::FORMAT_VERSION;

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

    /// A FIFO at a fresh path with `bytes` written into it by a thread (which then closes it).
    #[cfg(unix)]
    fn fifo_with(bytes: Vec<u8>) -> (tempfile::TempDir, std::path::PathBuf, std::thread::JoinHandle<()>) {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("in.fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let writer = {
            let fifo = fifo.clone();
            // The reader may stop early: a broken pipe is the writer's expected end.
            std::thread::spawn(move || {
                drop(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap().write_all(&bytes))
            })
        };
        (dir, fifo, writer)
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused_after_its_header_bytes() {
        let err = read_binary(Path::new("/dev/zero"), ArtifactKind::QuantizedDataset).unwrap_err();
        assert!(matches!(err, ArtifactError::BadMagic { .. }), "{err}");
        let err = crate::artifact::read_header(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(err, ArtifactError::BadMagic { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_read_up_to_its_declared_length_and_no_further() {
        // An honest artifact through a pipe reads back.
        let honest = encode_binary(ArtifactKind::QuantizedDataset, b"payload");
        let (_dir, fifo, writer) = fifo_with(honest);
        assert_eq!(read_binary(&fifo, ArtifactKind::QuantizedDataset).unwrap(), b"payload");
        writer.join().unwrap();
        // A header promising a terabyte is refused before any payload is read.
        let mut huge = encode_header(ArtifactKind::QuantizedDataset, 1 << 40).to_vec();
        huge.extend(vec![0u8; 1 << 16]);
        let (_dir, fifo, writer) = fifo_with(huge);
        let err = read_binary(&fifo, ArtifactKind::QuantizedDataset).unwrap_err();
        assert!(err.to_string().contains("more than the 4 GiB of an artifact read whole"), "{err}");
        writer.join().unwrap();
        // Bytes beyond the declared length are not read on, and are refused.
        let mut longer = encode_binary(ArtifactKind::QuantizedDataset, b"payload");
        longer.extend(vec![7u8; 1 << 16]);
        let (_dir, fifo, writer) = fifo_with(longer);
        let err = read_binary(&fifo, ArtifactKind::QuantizedDataset).unwrap_err();
        assert!(err.to_string().contains("bytes after the checksum"), "{err}");
        writer.join().unwrap();
    }
}
