//! The vault's configuration, errors, events and the names it keys verifiers by.

/// A node's address (20 bytes, as on the EVM).
pub type Address = [u8; 20];

/// Basis points in a whole.
pub const BPS: u128 = 10_000;

/// The vault's configuration, fixed at deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The pool of round 0, in wei.
    pub round_reward: u128,
    /// The pool halves every this many rounds (0: never).
    pub halving_rounds: u64,
    /// Share of a round's pool paid by proven compute, in basis points (7,000: the 7:3 split).
    pub compute_bps: u16,
    /// Share of stake slashed for a submission whose proof fails verification, or that claims
    /// data its sender did not register.
    pub invalid_slash_bps: u16,
    /// Share of stake slashed for missing `max_missed_rounds` consecutive rounds.
    pub inactivity_slash_bps: u16,
    /// Consecutive missed rounds that trigger the inactivity slash (K).
    pub max_missed_rounds: u64,
    /// Least stake to join.
    pub min_stake: u128,
}

impl Params {
    /// The pool of `round`: `round_reward >> (round / halving_rounds)`.
    pub fn pool(&self, round: u64) -> u128 {
        let halvings = round.checked_div(self.halving_rounds).unwrap_or(0);
        if halvings >= 128 {
            0
        } else {
            self.round_reward >> halvings
        }
    }
}

/// The relations the vault takes proofs of; the contract's `uint8` ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RelationId {
    /// `vsies/data-validation/v2`: a committed dataset passes its schema (registration).
    DataValidation = 0,
    /// `vsies/training/v1`: a model update is the specified training on registered data.
    Training = 1,
}

/// Why the vault refuses a call (the contract reverts with the same reason).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The stake is below the minimum.
    #[error("the stake is below the minimum")]
    StakeTooLow,
    /// The node has joined already.
    #[error("the node has joined already")]
    AlreadyJoined,
    /// The caller never joined.
    #[error("the caller is not a node of the vault")]
    NotANode,
    /// The caller is not the vault's owner.
    #[error("only the vault's owner may do this")]
    NotOwner,
    /// A submission for another round than the open one.
    #[error("round {found} is not the open round {expected}")]
    WrongRound {
        /// The open round.
        expected: u64,
        /// The round submitted for.
        found: u64,
    },
    /// A round of 2^32 or more.
    #[error("the round is too large")]
    WorkTooLarge,
    /// A statement word (commitment, parameters id, count, histogram word) not below the
    /// scalar field's modulus.
    #[error("a statement word is not a field element")]
    NotInField,
    /// No verifier is registered for the relation and parameters.
    #[error("no verifier is registered for these parameters")]
    UnknownVerifier,
    /// The dataset commitment is registered already.
    #[error("the dataset is registered already")]
    AlreadyRegistered,
    /// The node submitted this round already.
    #[error("the node submitted in this round already")]
    AlreadySubmitted,
    /// A claim for a round still open.
    #[error("the round is still open")]
    RoundNotClosed,
    /// The node claimed this round already.
    #[error("the node claimed this round already")]
    AlreadyClaimed,
    /// The node has no reward in this round.
    #[error("the node has no reward in this round")]
    NothingToClaim,
}

/// Why stake was slashed (the contract's `uint8` reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlashReason {
    /// A submitted proof failed verification (0).
    InvalidProof = 0,
    /// The node missed `max_missed_rounds` consecutive rounds (1).
    Inactivity = 1,
    /// A training submission for a dataset its sender did not register (2).
    UnregisteredData = 2,
}

/// Every state change, as the contract's events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A node joined.
    Joined {
        /// The node.
        node: Address,
        /// Its stake, in wei.
        stake: u128,
    },
    /// The owner set the verifier of a relation and parameters.
    VerifierSet {
        /// The relation.
        relation: RelationId,
        /// The keys' parameters id.
        params_id: [u8; 32],
    },
    /// A node registered a dataset with a valid validation proof.
    DataRegistered {
        /// The node.
        node: Address,
        /// The dataset commitment `D`.
        commitment: [u8; 32],
        /// Rows.
        rows: u64,
    },
    /// Proven work was recorded.
    Submitted {
        /// The node.
        node: Address,
        /// The round.
        round: u64,
        /// The trained model's commitment.
        trained: [u8; 32],
        /// Compute units (rows × epochs, from the proof).
        compute: u128,
        /// Data units (rows, from the proof).
        data: u128,
    },
    /// Stake was slashed.
    Slashed {
        /// The node.
        node: Address,
        /// The round.
        round: u64,
        /// Wei.
        amount: u128,
        /// Why.
        reason: SlashReason,
    },
    /// A round closed and its pool was fixed.
    RoundClosed {
        /// The round.
        round: u64,
        /// The round's pool, in wei.
        pool: u128,
        /// Compute units of the round.
        total_compute: u128,
        /// Data units of the round.
        total_data: u128,
        /// The next round's global model commitment.
        next_model: [u8; 32],
    },
    /// A node claimed its reward.
    Claimed {
        /// The node.
        node: Address,
        /// The round.
        round: u64,
        /// Wei.
        amount: u128,
    },
}
