//! The errors of secure aggregation; each names the file or the mismatch.

use std::path::{Path, PathBuf};
use vsies_core::fedavg::FedAvgError;
use vsies_core::{ArtifactError, ContentId};

#[derive(Debug, thiserror::Error)]
pub enum AggError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error("{path}: malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("invalid committee: {0}")]
    Committee(String),
    #[error("{path}: made for committee {found}, but the committee here is {expected} (another `agg keygen`)")]
    WrongCommittee { path: PathBuf, expected: ContentId, found: ContentId },
    #[error("{path}: encrypted for round {found}, the aggregate is round {expected}")]
    WrongRound { path: PathBuf, expected: u64, found: u64 },
    #[error("{path}: the update has another schema, training configuration or initial model than the aggregate")]
    WrongShape { path: PathBuf },
    #[error("{path}: contributes an update already in the aggregate (the same ciphertext twice)")]
    Duplicate { path: PathBuf },
    #[error(
        "{path}: the aggregate would hold {clients} clients, more than the {limit} this committee decrypts exactly"
    )]
    TooManyClients { path: PathBuf, clients: u64, limit: u64 },
    #[error("{path}: a decryption share of another aggregate (digest {found}, expected {expected})")]
    WrongAggregate { path: PathBuf, expected: String, found: String },
    #[error("{path}: member {member}'s decryption share is given twice")]
    DuplicateShare { path: PathBuf, member: usize },
    #[error("{found} distinct members' decryption shares given; this committee needs {threshold}")]
    TooFewShares { found: usize, threshold: usize },
    #[error("the updates carry schema {schema_id} by id only (too large to embed); pass the schema file")]
    SchemaNeeded { schema_id: ContentId },
    #[error("the schema given is {found}, the updates were trained under {expected}")]
    SchemaMismatch { expected: ContentId, found: ContentId },
    #[error("the model cannot be aggregated: {0}")]
    FedAvg(#[from] FedAvgError),
}

impl AggError {
    pub(crate) fn malformed(path: &Path, reason: impl Into<String>) -> Self {
        Self::Malformed { path: path.into(), reason: reason.into() }
    }
}
