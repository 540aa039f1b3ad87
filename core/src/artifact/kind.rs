//! The kinds of artifact and their stable codes and names.

use std::fmt;

/// What an artifact holds. Codes are stable: a kind keeps its code forever.
///
/// Each kind is defined (encoded, decoded, documented) by one crate, its owner; this enum only
/// names them so that every reader refuses a file of the wrong kind by name and `vsies inspect`
/// recognizes every file. New kinds are added here with their owner.
///
/// | kind | owner | type |
/// |---|---|---|
/// | `quantized-dataset` | `vsies-core` | `QuantizedDataset` |
/// | `model` | `vsies-core` | `Model` |
/// | `fhe-secret-key`, `fhe-public-key`, `fhe-evaluation-key` | `vsies-fhe` | `SecretKey`, `PublicKey`, `EvaluationKey` |
/// | `encrypted-dataset`, `encrypted-scores`, `fhe-encryption-crs` | `vsies-fhe` | `EncryptedDataset`, `EncryptedScores`, `EncryptionCrs` |
/// | `committee-public-key`, `committee-key-share` | `vsies-secure-agg` | `PublicKey`, `KeyShare` |
/// | `encrypted-update`, `decryption-share` | `vsies-secure-agg` | `EncryptedUpdate`, `DecryptionShare` |
/// | `client-signing-key`, `client-registry` | `vsies-secure-agg` | `ClientKey`, `ClientRegistry` |
/// | `zk-proving-key`, `zk-verifying-key` | `vsies-zk` | the Groth16 engine's key files, for any relation |
/// | `data-proof` | `vsies-zk` | `DataProof` (data-validation relation) |
/// | `training-proof`, `model-opening` | `vsies-zk` | `TrainingProof`, `ModelOpening` (training relation) |
/// | `encrypted-training-data`, `encrypted-model` | `vsies-fhe` | `EncryptedTrainingData`, `EncryptedModel` (training under TFHE) |
/// | `attestation` | `vsies-secure-agg` | `Attestation` (a validator's signed re-execution result) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArtifactKind {
    /// A [`crate::QuantizedDataset`] in its canonical encoding.
    QuantizedDataset,
    /// A [`crate::Model`].
    Model,
    /// An FHE secret key (owner only).
    FheSecretKey,
    /// An FHE compact public key.
    FhePublicKey,
    /// An FHE evaluation key (parameters and key id).
    FheEvaluationKey,
    /// An encrypted quantized dataset.
    EncryptedDataset,
    /// Encrypted scores from encrypted inference.
    EncryptedScores,
    /// A secure-aggregation committee's public encryption key.
    CommitteePublicKey,
    /// One committee member's secret key share (that member only).
    CommitteeKeyShare,
    /// An encrypted weighted model update, or the sum of several.
    EncryptedUpdate,
    /// One member's partial decryption of an aggregate.
    DecryptionShare,
    /// A Groth16 proving key with the description of its relation.
    ZkProvingKey,
    /// A Groth16 verifying key with the description of its relation.
    ZkVerifyingKey,
    /// A Groth16 proof that a committed dataset passes its schema (JSON).
    DataProof,
    /// A Groth16 proof of training on a committed dataset (JSON).
    TrainingProof,
    /// The opening of a hiding model commitment (JSON; the trainer's secret until it reveals it).
    ModelOpening,
    /// A federated client's secp256k1 signing key (JSON; that client only).
    ClientSigningKey,
    /// The clients registered with a committee: their addresses (JSON).
    ClientRegistry,
    /// The common reference string of proofs of well-formed public-key encryption.
    FheEncryptionCrs,
    /// Phase 1 of a Groth16 setup ceremony: powers of tau.
    CeremonyPowers,
    /// A setup ceremony's transcript of contributions (JSON).
    CeremonyTranscript,
    /// A committee key generation's session: shape, member addresses, nonce (JSON).
    DkgSession,
    /// A committee key generation's signed message (commitment, contribution, piece).
    DkgMessage,
    /// A key-generation dealer's secret seed between commit and reveal (that dealer only).
    DkgDealerSeed,
    /// Contributors' rows encrypted bit by bit for training under TFHE.
    EncryptedTrainingData,
    /// A model's weights encrypted bit by bit: the output (or a checkpoint) of training under TFHE.
    EncryptedModel,
    /// A validator's signature on the content id it got by re-executing a task (JSON).
    Attestation,
}

impl ArtifactKind {
    /// Every kind this build knows.
    pub const ALL: [Self; 27] = [
        Self::QuantizedDataset,
        Self::Model,
        Self::FheSecretKey,
        Self::FhePublicKey,
        Self::FheEvaluationKey,
        Self::EncryptedDataset,
        Self::EncryptedScores,
        Self::CommitteePublicKey,
        Self::CommitteeKeyShare,
        Self::EncryptedUpdate,
        Self::DecryptionShare,
        Self::ZkProvingKey,
        Self::ZkVerifyingKey,
        Self::DataProof,
        Self::TrainingProof,
        Self::ModelOpening,
        Self::ClientSigningKey,
        Self::ClientRegistry,
        Self::FheEncryptionCrs,
        Self::CeremonyPowers,
        Self::CeremonyTranscript,
        Self::DkgSession,
        Self::DkgMessage,
        Self::DkgDealerSeed,
        Self::EncryptedTrainingData,
        Self::EncryptedModel,
        Self::Attestation,
    ];

    /// The stable code in a binary artifact's header.
    pub fn code(self) -> u16 {
        match self {
            Self::QuantizedDataset => 1,
            Self::Model => 2,
            Self::FheSecretKey => 3,
            Self::FhePublicKey => 4,
            Self::FheEvaluationKey => 5,
            Self::EncryptedDataset => 6,
            Self::EncryptedScores => 7,
            Self::CommitteePublicKey => 8,
            Self::CommitteeKeyShare => 9,
            Self::EncryptedUpdate => 10,
            Self::DecryptionShare => 11,
            Self::ZkProvingKey => 12,
            Self::ZkVerifyingKey => 13,
            Self::DataProof => 14,
            Self::TrainingProof => 15,
            Self::ModelOpening => 16,
            Self::ClientSigningKey => 17,
            Self::ClientRegistry => 18,
            Self::FheEncryptionCrs => 19,
            Self::CeremonyPowers => 20,
            Self::CeremonyTranscript => 21,
            Self::DkgSession => 22,
            Self::DkgMessage => 23,
            Self::DkgDealerSeed => 24,
            Self::EncryptedTrainingData => 25,
            Self::EncryptedModel => 26,
            Self::Attestation => 27,
        }
    }

    /// The stable name in a JSON artifact's envelope and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::QuantizedDataset => "quantized-dataset",
            Self::Model => "model",
            Self::FheSecretKey => "fhe-secret-key",
            Self::FhePublicKey => "fhe-public-key",
            Self::FheEvaluationKey => "fhe-evaluation-key",
            Self::EncryptedDataset => "encrypted-dataset",
            Self::EncryptedScores => "encrypted-scores",
            Self::CommitteePublicKey => "committee-public-key",
            Self::CommitteeKeyShare => "committee-key-share",
            Self::EncryptedUpdate => "encrypted-update",
            Self::DecryptionShare => "decryption-share",
            Self::ZkProvingKey => "zk-proving-key",
            Self::ZkVerifyingKey => "zk-verifying-key",
            Self::DataProof => "data-proof",
            Self::TrainingProof => "training-proof",
            Self::ModelOpening => "model-opening",
            Self::ClientSigningKey => "client-signing-key",
            Self::ClientRegistry => "client-registry",
            Self::FheEncryptionCrs => "fhe-encryption-crs",
            Self::CeremonyPowers => "ceremony-powers",
            Self::CeremonyTranscript => "ceremony-transcript",
            Self::DkgSession => "dkg-session",
            Self::DkgMessage => "dkg-message",
            Self::DkgDealerSeed => "dkg-dealer-seed",
            Self::EncryptedTrainingData => "encrypted-training-data",
            Self::EncryptedModel => "encrypted-model",
            Self::Attestation => "attestation",
        }
    }

    /// The crate that defines the kind's content.
    pub fn owner(self) -> &'static str {
        match self {
            Self::QuantizedDataset | Self::Model => "vsies-core",
            Self::FheSecretKey
            | Self::FhePublicKey
            | Self::FheEvaluationKey
            | Self::EncryptedDataset
            | Self::EncryptedScores
            | Self::FheEncryptionCrs
            | Self::EncryptedTrainingData
            | Self::EncryptedModel => "vsies-fhe",
            Self::CommitteePublicKey
            | Self::CommitteeKeyShare
            | Self::EncryptedUpdate
            | Self::DecryptionShare
            | Self::ClientSigningKey
            | Self::ClientRegistry
            | Self::DkgSession
            | Self::DkgMessage
            | Self::DkgDealerSeed
            | Self::Attestation => "vsies-secure-agg",
            Self::ZkProvingKey
            | Self::ZkVerifyingKey
            | Self::DataProof
            | Self::TrainingProof
            | Self::ModelOpening
            | Self::CeremonyPowers
            | Self::CeremonyTranscript => "vsies-zk",
        }
    }

    /// Whether the kind is a JSON artifact (the others are binary).
    pub fn is_json(self) -> bool {
        matches!(
            self,
            Self::Model
                | Self::DataProof
                | Self::TrainingProof
                | Self::ModelOpening
                | Self::CeremonyTranscript
                | Self::Attestation
        )
    }

    /// The kind with header code `code`.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
