//! Errors of the zk crate. Each names the file, row, column or field at fault.

use crate::circuit::ConstraintFailure;
use std::path::PathBuf;
use vsies_core::artifact::ArtifactError;
use vsies_core::ContentId;

/// Why a relation, key, witness or proof is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZkError {
    /// The artifact envelope is unreadable or damaged.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The relation's parameters are impossible, or an internal invariant failed.
    #[error("relation: {0}")]
    Relation(String),
    /// The dataset belongs to another schema than the keys.
    #[error("the dataset was quantized under schema {found}, the keys are for schema {expected}")]
    SchemaMismatch {
        /// The keys' schema.
        expected: ContentId,
        /// The dataset's schema.
        found: ContentId,
    },
    /// The dataset has no label column.
    #[error("the dataset has no labels; a validation proof covers the label column")]
    MissingLabels,
    /// More rows than the keys prove.
    #[error("the dataset has {rows} rows; these keys prove at most {max_rows} (run setup with a larger --rows)")]
    TooManyRows {
        /// Rows of the dataset.
        rows: usize,
        /// Rows the keys prove at most.
        max_rows: usize,
    },
    /// A value outside its column's range.
    #[error("row {row}, column `{column}`: quantized value {value} is outside the schema's range [{min}, {max}]")]
    OutOfRange {
        /// 0-based data row.
        row: usize,
        /// The column.
        column: String,
        /// The quantized value.
        value: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A file's content is inconsistent.
    #[error("{path}: malformed {what}: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What was being read.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A key file of another relation.
    #[error("{path}: a key for relation `{found}`, not `{expected}`")]
    WrongRelation {
        /// The file.
        path: PathBuf,
        /// The relation asked for.
        expected: &'static str,
        /// The relation the file names.
        found: String,
    },
    /// The proof is for other keys.
    #[error("{path}: the proof does not match these keys: {reason}")]
    WrongKeys {
        /// The proof file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The proof does not verify.
    #[error("{path}: invalid proof: {reason}")]
    InvalidProof {
        /// The proof file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A ceremony contribution does not follow the protocol.
    #[error("{path}: contribution {position} (`{name}`) is invalid: {reason}")]
    InvalidContribution {
        /// The transcript or state file.
        path: PathBuf,
        /// 1-based position in its phase.
        position: usize,
        /// The contributor's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A ceremony's state is invalid before any contribution.
    #[error("{path}: invalid ceremony: {reason}")]
    InvalidCeremony {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The witness breaks a constraint: no proof was made. The message locates the constraint
    /// and never shows the (secret) witness values.
    #[error("the witness does not satisfy the circuit: {0}; no proof was made")]
    Unsatisfied(Box<ConstraintFailure>),
    /// The circuit built is not the size the relation's layout promised (a relation bug).
    #[error(
        "internal: the circuit has {} constraints and {} instance variables, its layout says {} and {}",
        built.0, built.1, layout.0, layout.1
    )]
    ShapeMismatch {
        /// `(constraints, instance variables)` built.
        built: (usize, usize),
        /// `(constraints, instance variables)` promised.
        layout: (usize, usize),
    },
    /// arkworks refused the circuit.
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

    /// Whether the error says a ceremony transcript or state fails its checks (exit code 1).
    pub fn is_invalid_ceremony(&self) -> bool {
        matches!(self, Self::InvalidContribution { .. } | Self::InvalidCeremony { .. })
    }

    /// The located constraint failure, when the error is an unsatisfied witness.
    pub fn constraint_failure(&self) -> Option<&ConstraintFailure> {
        match self {
            Self::Unsatisfied(failure) => Some(failure),
            _ => None,
        }
    }
}
