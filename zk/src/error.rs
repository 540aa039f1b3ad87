//! Errors of the zk crate. Each names the file, row, column or field at fault.

use std::path::PathBuf;
use vsies_core::artifact::ArtifactError;
use vsies_core::ContentId;

#[derive(Debug, thiserror::Error)]
pub enum ZkError {
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error("relation: {0}")]
    Relation(String),
    #[error("the dataset was quantized under schema {found}, the keys are for schema {expected}")]
    SchemaMismatch { expected: ContentId, found: ContentId },
    #[error("the dataset has no labels; a validation proof covers the label column")]
    MissingLabels,
    #[error("the dataset has {rows} rows; these keys prove at most {max_rows} (run setup with a larger --rows)")]
    TooManyRows { rows: usize, max_rows: usize },
    #[error("row {row}, column `{column}`: quantized value {value} is outside the schema's range [{min}, {max}]")]
    OutOfRange { row: usize, column: String, value: i64, min: i64, max: i64 },
    #[error("{path}: malformed {what}: {reason}")]
    Malformed { path: PathBuf, what: &'static str, reason: String },
    #[error("{path}: the proof does not match these keys: {reason}")]
    WrongKeys { path: PathBuf, reason: String },
    #[error("{path}: invalid proof: {reason}")]
    InvalidProof { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the witness does not satisfy the circuit (constraint {constraint} fails); no proof was made")]
    Unsatisfied { constraint: usize },
    #[error("Groth16: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
}

impl ZkError {
    pub(crate) fn malformed(path: impl Into<PathBuf>, what: &'static str, reason: impl ToString) -> Self {
        Self::Malformed { path: path.into(), what, reason: reason.to_string() }
    }

    /// Whether the error says a proof is invalid or not for these keys (exit code 1), rather
    /// than that an input could not be read (exit code 2).
    pub fn is_invalid_proof(&self) -> bool {
        matches!(self, Self::InvalidProof { .. } | Self::WrongKeys { .. })
    }
}
