//! The key holder's record of the secret-key-layout datasets it encrypted itself.
//!
//! Why: public-key rows carry proofs that they are honest encryptions, but rows in the
//! secret-key layout cannot (only the key holder can encrypt them, and it needs no proof for
//! itself). Their masks are regenerated from seeds stored in the file, so anyone can write a
//! file in that layout with chosen seeds and bodies and the owner's key id: scores recomputed
//! from such rows and decrypted would be linear equations in the secret key. The key holder
//! therefore decrypts scores of secret-key rows only when the file is one it wrote: the
//! encryption appends the file's checksum to a record beside `secret.key`
//! (`secret.key.datasets`, one lowercase hex checksum per line, owner-only), and
//! [`OwnedDatasets::check`] looks it up. Public-key datasets are checked by their proofs
//! instead and pass here.

use crate::dataset::EncryptedDataset;
use crate::error::FheError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use vsies_core::codec;

/// The record's file name beside `secret.key`.
pub const RECORD_FILE: &str = "secret.key.datasets";

/// Largest record read (one 65-byte line per dataset encrypted).
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// The checksums of the secret-key-layout datasets this key holder encrypted.
#[derive(Debug)]
pub struct OwnedDatasets {
    path: PathBuf,
    checksums: HashSet<[u8; 32]>,
}

impl OwnedDatasets {
    /// The record beside the secret key at `secret_key`: `secret.key.datasets`.
    pub fn path_for(secret_key: &Path) -> PathBuf {
        let mut name = secret_key.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".datasets");
        secret_key.with_file_name(name)
    }

    /// Reads the record beside the secret key at `secret_key` ([`Self::path_for`]).
    pub fn open_beside(secret_key: &Path) -> Result<Self, FheError> {
        Self::open(&Self::path_for(secret_key))
    }

    /// Reads the record at `path` (none yet: an empty record).
    pub fn open(path: &Path) -> Result<Self, FheError> {
        let bytes = match vsies_core::artifact::read_capped(path, MAX_RECORD_BYTES) {
            Ok(bytes) => bytes,
            Err(vsies_core::ArtifactError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Vec::new()
            }
            Err(err) => return Err(err.into()),
        };
        let malformed = |reason: String| FheError::Malformed { path: path.into(), reason };
        let text = String::from_utf8(bytes).map_err(|_| malformed("not text".into()))?;
        let checksums = text
            .lines()
            .enumerate()
            .map(|(index, line)| {
                codec::unhex_array::<32>(line)
                    .ok_or_else(|| malformed(format!("line {}: not a 64-digit lowercase hex checksum", index + 1)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { path: path.into(), checksums })
    }

    /// Records `dataset` (just encrypted with the secret key) as this key holder's.
    pub fn record(&mut self, dataset: &EncryptedDataset) -> Result<(), FheError> {
        use std::io::Write;
        let checksum = dataset.file_checksum();
        if !self.checksums.insert(checksum) {
            return Ok(());
        }
        let io = |source| FheError::Io { path: self.path.clone(), source };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(io)?;
        writeln!(file, "{}", codec::hex(&checksum)).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Refuses a secret-key-layout `dataset` this key holder did not encrypt; public-key
    /// datasets pass (their proofs are what justify them).
    pub fn check(&self, dataset: &EncryptedDataset) -> Result<(), FheError> {
        if dataset.is_public_key_encrypted() || self.checksums.contains(&dataset.file_checksum()) {
            return Ok(());
        }
        Err(FheError::UnjustifiedScores {
            reason: format!(
                "the encrypted dataset is in the secret-key layout, which carries no proof, and {} does not \
                 record it as encrypted by this key holder",
                self.path.display()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_record_is_refused_and_a_missing_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key.datasets");
        assert!(OwnedDatasets::open(&path).unwrap().checksums.is_empty());
        std::fs::write(&path, format!("{}\nnot hex\n", "ab".repeat(32))).unwrap();
        let err = OwnedDatasets::open(&path).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(OwnedDatasets::path_for(&dir.path().join("secret.key")), path);
    }
}
