//! The errors of the FHE crate; each names the file or the mismatch.

use crate::params::ParameterError;
use std::path::{Path, PathBuf};
use vsies_core::{ArtifactError, ContentId, ModelMismatch};

/// Why an FHE operation or file is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FheError {
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The artifact envelope is unreadable or damaged.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The payload is inconsistent.
    #[error("{path}: malformed: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Material of another key set.
    #[error("{what} was made under key set {found}, but the keys given are key set {expected} (another keygen)")]
    WrongKeys {
        /// What was refused.
        what: String,
        /// The key set given.
        expected: ContentId,
        /// The key set the material belongs to.
        found: ContentId,
    },
    /// The model does not fit the dataset.
    #[error("the model does not fit the encrypted dataset: {0}")]
    ModelMismatch(#[from] ModelMismatch),
    /// The model breaks the parameters' bounds.
    #[error("the model cannot be evaluated under the FHE parameters: {0}")]
    Parameters(#[from] ParameterError),
    /// Scores of another model.
    #[error("the scores were computed with model {found}, not the model given ({expected})")]
    WrongModel {
        /// The model given.
        expected: ContentId,
        /// The model the scores were computed with.
        found: ContentId,
    },
    /// More features than one LWE mask holds.
    #[error("the dataset has {found} feature columns; one LWE mask holds at most {limit}")]
    TooManyFeatures {
        /// Feature columns.
        found: usize,
        /// The LWE dimension.
        limit: usize,
    },
    /// A proof of encryption could not be made (parameters the proof system refuses).
    #[error("encryption proofs: {0}")]
    Proving(String),
    /// Public-key-encrypted rows without valid proofs of well-formed encryption.
    #[error("refusing the encrypted dataset: {reason}; without a valid proof a list could be a crafted ciphertext whose decrypted scores reveal the secret key")]
    UnprovedEncryption {
        /// Why.
        reason: String,
    },
    /// Ciphertexts, keys or lookup tables that do not fit each other (dimensions, moduli, or
    /// values not reduced modulo the ciphertext modulus): refused before any bootstrap or key
    /// switch runs.
    #[error("evaluation refused: {0}")]
    Evaluation(String),
    /// Scores that are not the model's on the encrypted dataset given: not decrypted.
    #[error("refusing to decrypt: the scores are not what `vsies infer` computes from the encrypted dataset and the model given: {reason}")]
    UnjustifiedScores {
        /// What differs.
        reason: String,
    },
}

impl FheError {
    /// Whether the input was read and checked and found invalid (exit 1), rather than
    /// unreadable (exit 2).
    pub fn is_checked_invalid(&self) -> bool {
        matches!(
            self,
            Self::WrongKeys { .. }
                | Self::ModelMismatch(_)
                | Self::Parameters(_)
                | Self::WrongModel { .. }
                | Self::TooManyFeatures { .. }
                | Self::UnjustifiedScores { .. }
                | Self::UnprovedEncryption { .. }
                | Self::Evaluation(_)
        )
    }

    pub(crate) fn malformed(path: &Path, reason: &str) -> Self {
        Self::Malformed { path: path.into(), reason: reason.into() }
    }
}
