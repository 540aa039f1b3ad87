//! The errors of the FHE crate; each names the file or the mismatch.

use crate::params::ParameterError;
use std::path::{Path, PathBuf};
use vsies_core::{ArtifactError, ContentId, ModelMismatch};

#[derive(Debug, thiserror::Error)]
pub enum FheError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error("{path}: malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("{what} was made under key set {found}, but the keys given are key set {expected} (another keygen)")]
    WrongKeys { what: String, expected: ContentId, found: ContentId },
    #[error("the model does not fit the encrypted dataset: {0}")]
    ModelMismatch(#[from] ModelMismatch),
    #[error("the model cannot be evaluated under the FHE parameters: {0}")]
    Parameters(#[from] ParameterError),
    #[error("the scores were computed with model {found}, not the model given ({expected})")]
    WrongModel { expected: ContentId, found: ContentId },
}

impl FheError {
    pub(crate) fn malformed(path: &Path, reason: &str) -> Self {
        Self::Malformed { path: path.into(), reason: reason.into() }
    }
}
