//! The errors of secure aggregation; each names the file or the mismatch.

use std::path::{Path, PathBuf};
use vsies_core::fedavg::FedAvgError;
use vsies_core::{ArtifactError, ContentId};

/// Why a secure-aggregation step or file is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AggError {
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
    /// The committee's shape or the call is impossible.
    #[error("invalid committee: {0}")]
    Committee(String),
    /// Material of another committee.
    #[error("{path}: made for committee {found}, but the committee here is {expected} (another `agg keygen`)")]
    WrongCommittee {
        /// The file.
        path: PathBuf,
        /// The committee here.
        expected: ContentId,
        /// The committee of the file.
        found: ContentId,
    },
    /// An update of another round.
    #[error("{path}: encrypted for round {found}, the aggregate is round {expected}")]
    WrongRound {
        /// The file.
        path: PathBuf,
        /// The aggregate's round.
        expected: u64,
        /// The update's round.
        found: u64,
    },
    /// An update of another model shape.
    #[error("{path}: the update has another schema, training configuration or initial model than the aggregate")]
    WrongShape {
        /// The file.
        path: PathBuf,
    },
    /// A ciphertext counted twice.
    #[error("{path}: contributes an update already in the aggregate (the same ciphertext twice)")]
    Duplicate {
        /// The file.
        path: PathBuf,
    },
    /// More clients than decrypt exactly.
    #[error(
        "{path}: the aggregate would hold {clients} clients, more than the {limit} this committee decrypts exactly"
    )]
    TooManyClients {
        /// The file.
        path: PathBuf,
        /// Client updates the aggregate would hold.
        clients: u64,
        /// Clients the committee decrypts exactly.
        limit: u64,
    },
    /// A share of another aggregate.
    #[error("{path}: a decryption share of another aggregate (digest {found}, expected {expected})")]
    WrongAggregate {
        /// The file.
        path: PathBuf,
        /// Digest of the aggregate given (hex).
        expected: String,
        /// Digest the share names (hex).
        found: String,
    },
    /// One member's share given twice.
    #[error("{path}: member {member}'s decryption share is given twice")]
    DuplicateShare {
        /// The file.
        path: PathBuf,
        /// The member (1-based).
        member: usize,
    },
    /// Fewer than T members' shares.
    #[error("{found} distinct members' decryption shares given; this committee needs {threshold}")]
    TooFewShares {
        /// Distinct members given.
        found: usize,
        /// Members needed.
        threshold: usize,
    },
    /// The updates do not embed their schema.
    #[error("the updates carry schema {schema_id} by id only (too large to embed); pass the schema file")]
    SchemaNeeded {
        /// The schema's content id.
        schema_id: ContentId,
    },
    /// The schema given is not the updates'.
    #[error("the schema given is {found}, the updates were trained under {expected}")]
    SchemaMismatch {
        /// The updates' schema.
        expected: ContentId,
        /// The schema given.
        found: ContentId,
    },
    /// The decrypted sum cannot be averaged.
    #[error("the model cannot be aggregated: {0}")]
    FedAvg(#[from] FedAvgError),
    /// A piece only one present member holds, under [`crate::ShareCheck::CrossChecked`].
    #[error("piece {piece:#x} is held by member {member} alone among the shares given: cross-checking every piece needs T + 1 members' shares (or accept unchecked shares)")]
    UncheckedPiece {
        /// The piece set.
        piece: u64,
        /// Its only present holder.
        member: usize,
    },
    /// Two holders of a piece disagree beyond their flooding: one of the two shares is faulty.
    #[error("members {} ({}) and {} ({}) disagree on piece {piece:#x} beyond their flooding: one of the two shares is faulty; add a third holder's share to name it", first.0, first.1.display(), second.0, second.1.display())]
    InconsistentShares {
        /// The piece set.
        piece: u64,
        /// One holder and its file.
        first: (usize, PathBuf),
        /// The other holder and its file.
        second: (usize, PathBuf),
    },
    /// A share disagrees with every other holder of a piece.
    #[error("{path}: member {member}'s decryption share is faulty: its partial of piece {piece:#x} disagrees with every other holder's")]
    FaultyShare {
        /// The share's file.
        path: PathBuf,
        /// Its member.
        member: usize,
        /// The piece set.
        piece: u64,
    },
    /// The combination is not within the noise of a message: some share is faulty.
    #[error("the shares do not decrypt to a message: value {value} is 2^{distance_log2:.1} from the nearest one, beyond what honest shares give; some share is faulty (combine with T + 1 members' shares to name it)")]
    FaultyShares {
        /// The first value out of bounds.
        value: usize,
        /// log2 of its distance to the nearest message.
        distance_log2: f64,
    },
    /// The member's key has published as many flooded values as its lifetime allows.
    #[error("refusing to decrypt: {record} records {spent} published partial values and this share would add {asked}, past the lifetime budget of {budget} (statistical distance 2^-20); replace the committee")]
    FloodBudgetSpent {
        /// The member's decryption record.
        record: PathBuf,
        /// Values published so far.
        spent: u64,
        /// Values this share would publish.
        asked: u64,
        /// The budget.
        budget: u64,
    },
    /// A client update without a signature, where registered clients are required.
    #[error("{path}: the update is not signed; clients sign with their registered key (`agg encrypt --sign`)")]
    UnsignedUpdate {
        /// The update file.
        path: PathBuf,
    },
    /// A signature that is not its address's over the update's committee, round and ciphertext.
    #[error("{path}: the signature is not {address}'s over this update's committee, round and ciphertext")]
    BadSignature {
        /// The update file.
        path: PathBuf,
        /// The address it claims.
        address: String,
    },
    /// A signer the committee has not registered.
    #[error("{path}: signed by {address}, which is not registered with this committee")]
    UnregisteredClient {
        /// The update file.
        path: PathBuf,
        /// The signer.
        address: String,
    },
    /// A second update by one client in one aggregate.
    #[error("{path}: a second update signed by {address} in this aggregate")]
    ClientTwice {
        /// The update file.
        path: PathBuf,
        /// The signer.
        address: String,
    },
    /// A client update without a valid proof of honest encryption.
    #[error("{path}: refusing the update: {reason}; without a valid update proof its ciphertext could be a chosen mask that reveals the members' key pieces")]
    UnprovedUpdate {
        /// The update file.
        path: PathBuf,
        /// Why its proof does not hold.
        reason: String,
    },
    /// The aggregate given is not the sum of the updates given.
    #[error("refusing to decrypt: the aggregate is not the sum of the {updates} update file(s) given")]
    NotTheSum {
        /// Update files given.
        updates: usize,
    },
    /// Too few distinct clients to decrypt without revealing one.
    #[error("refusing to decrypt: the aggregate sums {found} distinct client(s); at least {min} are needed so that no one client's update is revealed")]
    TooFewClients {
        /// Distinct clients summed.
        found: usize,
        /// The minimum.
        min: usize,
    },
    /// This member already decrypted an aggregate of this committee and round.
    #[error("refusing to decrypt: {record} records a decryption of round {round} of this committee already (aggregate {digest}); a second aggregate of one round reveals clients by difference")]
    AlreadyDecrypted {
        /// The member's decryption record.
        record: PathBuf,
        /// The round.
        round: u64,
        /// The aggregate decrypted then.
        digest: String,
    },
}

impl AggError {
    /// Whether the input was read and checked and refused (exit 1), rather than unreadable
    /// (exit 2).
    pub fn is_checked_invalid(&self) -> bool {
        !matches!(self, Self::Io { .. } | Self::Artifact(_) | Self::Malformed { .. } | Self::Committee(_))
    }

    pub(crate) fn malformed(path: &Path, reason: impl Into<String>) -> Self {
        Self::Malformed { path: path.into(), reason: reason.into() }
    }
}
