//! Binary artifacts too large to hold in memory (Groth16 proving keys reach tens of
//! gigabytes): the same envelope as [`super::encode_binary`], written and read in pieces.
//!
//! A streamed read only knows the checksum is right at the end, so a reader must treat what it
//! read as provisional until [`BinaryReader::finish`] succeeds.

use super::atomic::write_atomic_with;
use super::error::{io_error, ArtifactError};
use super::header::{check_header, encode_header, CHECKSUM_LEN, HEADER_LEN, MAGIC};
use super::kind::ArtifactKind;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const BUFFER: usize = 8 << 20;

/// A writer that hashes what passes through it and counts it.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a binary artifact whose payload `fill` produces in pieces; it must write exactly
/// `payload_len` bytes. Atomic like [`super::write_binary`]: on any error the old file, if
/// any, is untouched. Returns the file's checksum (what [`BinaryReader::finish`] returns).
pub fn write_binary_streamed(
    path: &Path,
    kind: ArtifactKind,
    payload_len: u64,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<[u8; 32], ArtifactError> {
    let mut written = [0u8; 32];
    write_atomic_with(
        path,
        |file| {
            let mut writer =
                HashingWriter { inner: BufWriter::with_capacity(BUFFER, file), hasher: Sha256::new(), written: 0 };
            writer.write_all(&encode_header(kind, payload_len))?;
            fill(&mut writer)?;
            let expected = HEADER_LEN as u64 + payload_len;
            if writer.written != expected {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("wrote a {}-byte payload, declared {payload_len}", writer.written - HEADER_LEN as u64),
                ));
            }
            let checksum = writer.hasher.finalize();
            writer.inner.write_all(&checksum)?;
            written = checksum.into();
            writer.inner.flush()
        },
        None,
    )
    .map_err(io_error(path))?;
    Ok(written)
}

/// The checksum [`write_binary_streamed`] would write for the payload `fill` produces, without
/// writing it anywhere (to check a file against a recomputation of it).
pub fn streamed_checksum(
    kind: ArtifactKind,
    payload_len: u64,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<[u8; 32]> {
    let mut writer = HashingWriter { inner: std::io::sink(), hasher: Sha256::new(), written: 0 };
    writer.write_all(&encode_header(kind, payload_len))?;
    fill(&mut writer)?;
    if writer.written != HEADER_LEN as u64 + payload_len {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the payload is not its declared length"));
    }
    Ok(writer.hasher.finalize().into())
}

/// Reads a binary artifact's payload in pieces, hashing as it goes.
pub struct BinaryReader {
    inner: BufReader<File>,
    hasher: Sha256,
    remaining: u64,
    path: PathBuf,
}

impl BinaryReader {
    /// Opens `path` and checks its header and length (not yet its checksum).
    pub fn open(path: &Path, expected: ArtifactKind) -> Result<Self, ArtifactError> {
        let file = File::open(path).map_err(io_error(path))?;
        let found = file.metadata().map_err(io_error(path))?.len();
        let mut inner = BufReader::with_capacity(BUFFER, file);
        let mut header = [0u8; HEADER_LEN];
        if let Err(err) = inner.read_exact(&mut header) {
            if err.kind() != std::io::ErrorKind::UnexpectedEof {
                return Err(io_error(path)(err));
            }
            let magic_len = (found as usize).min(MAGIC.len());
            return Err(if header[..magic_len] != MAGIC[..magic_len] || found < MAGIC.len() as u64 {
                ArtifactError::BadMagic { path: path.into() }
            } else {
                ArtifactError::Truncated { path: path.into(), expected: HEADER_LEN as u64, found }
            });
        }
        let remaining = check_header(&header, found, expected, path)?;
        let mut hasher = Sha256::new();
        hasher.update(header);
        Ok(Self { inner, hasher, remaining, path: path.into() })
    }

    /// Payload bytes not read yet.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks that the whole payload was read and that the checksum matches; returns it.
    pub fn finish(mut self) -> Result<[u8; 32], ArtifactError> {
        if self.remaining != 0 {
            return Err(ArtifactError::Malformed {
                path: self.path,
                reason: format!("{} payload bytes were not read", self.remaining),
            });
        }
        let mut checksum = [0u8; CHECKSUM_LEN];
        self.inner.read_exact(&mut checksum).map_err(io_error(&self.path))?;
        if self.hasher.finalize().as_slice() != checksum {
            return Err(ArtifactError::ChecksumMismatch { path: self.path });
        }
        Ok(checksum)
    }
}

impl Read for BinaryReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let limit = buffer.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buffer[..limit])?;
        if n == 0 && limit > 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ended early"));
        }
        self.hasher.update(&buffer[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::binary::{encode_binary, read_binary};

    fn write_streamed(path: &Path, payload: &[u8]) -> Result<(), ArtifactError> {
        write_binary_streamed(path, ArtifactKind::QuantizedDataset, payload.len() as u64, |writer| {
            payload.chunks(3).try_for_each(|chunk| writer.write_all(chunk))
        })
        .map(|_| ())
    }

    #[test]
    fn streamed_writes_equal_in_memory_encodings_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        let payload: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        write_streamed(&path, &payload).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), encode_binary(ArtifactKind::QuantizedDataset, &payload));
        assert_eq!(read_binary(&path, ArtifactKind::QuantizedDataset).unwrap(), payload);

        let mut reader = BinaryReader::open(&path, ArtifactKind::QuantizedDataset).unwrap();
        let mut read = Vec::new();
        reader.read_to_end(&mut read).unwrap();
        assert_eq!(read, payload);
        let checksum = reader.finish().unwrap();
        assert_eq!(checksum.as_slice(), &std::fs::read(&path).unwrap()[HEADER_LEN + payload.len()..]);
    }

    #[test]
    fn a_wrong_length_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        std::fs::write(&path, b"old").unwrap();
        let err = write_binary_streamed(&path, ArtifactKind::QuantizedDataset, 10, |writer| writer.write_all(b"short"))
            .unwrap_err();
        assert!(err.to_string().contains("declared 10"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn damage_is_reported_at_open_or_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        let payload = vec![5u8; 100];
        write_streamed(&path, &payload).unwrap();
        let good = std::fs::read(&path).unwrap();

        let mut flipped = good.clone();
        flipped[HEADER_LEN + 50] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        let mut reader = BinaryReader::open(&path, ArtifactKind::QuantizedDataset).unwrap();
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert!(matches!(reader.finish(), Err(ArtifactError::ChecksumMismatch { .. })));

        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(matches!(
            BinaryReader::open(&path, ArtifactKind::QuantizedDataset),
            Err(ArtifactError::Truncated { .. })
        ));
        std::fs::write(&path, &good[..10]).unwrap();
        assert!(matches!(
            BinaryReader::open(&path, ArtifactKind::QuantizedDataset),
            Err(ArtifactError::Truncated { .. })
        ));
        std::fs::write(&path, b"nope").unwrap();
        assert!(matches!(
            BinaryReader::open(&path, ArtifactKind::QuantizedDataset),
            Err(ArtifactError::BadMagic { .. })
        ));
        std::fs::write(&path, &good).unwrap();
        assert!(matches!(BinaryReader::open(&path, ArtifactKind::ZkProvingKey), Err(ArtifactError::WrongKind { .. })));
        let mut reader = BinaryReader::open(&path, ArtifactKind::QuantizedDataset).unwrap();
        reader.read_exact(&mut [0u8; 10]).unwrap();
        assert!(matches!(reader.finish(), Err(ArtifactError::Malformed { .. })));
    }
}
