//! Why a simulated round could not run.

/// A subnet simulation's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubnetError {
    /// The configuration does not fit together (exit 2 in the CLI).
    #[error("{0}")]
    Usage(String),
    /// The data is invalid under the schema (exit 1).
    #[error(transparent)]
    Validate(#[from] vsies_core::ValidateError),
    /// The rows do not quantize under the schema.
    #[error(transparent)]
    Dataset(#[from] vsies_core::DatasetError),
    /// The split is impossible.
    #[error(transparent)]
    Split(#[from] vsies_core::split::SplitError),
    /// Local training failed.
    #[error(transparent)]
    Train(#[from] vsies_core::TrainError),
    /// A model does not fit its schema.
    #[error(transparent)]
    Model(#[from] vsies_core::ModelError),
    /// A model does not fit the rows it scores.
    #[error(transparent)]
    Mismatch(#[from] vsies_core::ModelMismatch),
    /// Plaintext FedAvg of the accepted models failed.
    #[error(transparent)]
    FedAvg(#[from] vsies_core::fedavg::FedAvgError),
    /// Proving or verifying failed.
    #[error(transparent)]
    Zk(#[from] vsies_zk::ZkError),
    /// Secure aggregation failed.
    #[error(transparent)]
    Aggregation(#[from] vsies_secure_agg::AggError),
    /// The chain refused a transaction the protocol expects to pass.
    #[error("on chain: {0}")]
    Chain(#[from] vsies_chain::ChainError),
    /// The vault's twin refused something.
    #[error("the vault: {0}")]
    Vault(#[from] vsies_verifier_contract::VaultError),
    /// Writing the store, the report or keys failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An invariant of the round failed (the aggregate is not plaintext FedAvg, an honest
    /// node was refused, …): a bug, reported rather than hidden.
    #[error("invariant violated: {0}")]
    Invariant(String),
}

impl SubnetError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }
}
