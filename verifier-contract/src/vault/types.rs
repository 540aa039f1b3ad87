//! The vault's configuration, errors, events and the names it keys verifiers by.

/// A node's address (20 bytes, as on the EVM).
pub type Address = [u8; 20];

/// Basis points in a whole.
pub const BPS: u128 = 10_000;

use crate::fixed::{wad_pow, WAD};
use crate::math::mul_div;

/// The vault's configuration, fixed at deployment (the contract's `Config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The pool of round 0, in wei.
    pub round_reward: u128,
    /// The pool halves every this many rounds (0: never; AI Infinet's schedule).
    pub halving_rounds: u64,
    /// The compute pool's decay per round, `e^{-λ}` in WAD (1e18: none): round `r`'s compute
    /// pool is `λ e^{-λ r}`-shaped (2PM.Network), `compute share × decay^r`.
    pub decay_wad: u128,
    /// Share of a round's pool paid by proven compute, in basis points (7,000: the 7:3 split).
    pub compute_bps: u16,
    /// Share of stake slashed for an invalid proof, training on data the sender did not
    /// register, or an update the committee refused.
    pub invalid_slash_bps: u16,
    /// Share of stake slashed for `max_missed_rounds` rounds in a row without accepted work.
    pub inactivity_slash_bps: u16,
    /// Closed rounds in a row without accepted work that make a node reportable (K; 0: never).
    pub max_missed_rounds: u64,
    /// Least stake to join.
    pub min_stake: u128,
    /// Accepted rounds in a row that earn the loyalty bonus (DFAIT: 10; 0: no bonus).
    pub loyalty_rounds: u64,
    /// The bonus on a loyal node's compute weight, in basis points.
    pub loyalty_bps: u16,
    /// Rounds between the end of a membership and the stake's withdrawal.
    pub unbonding_rounds: u64,
}

impl Params {
    /// The seeds' rules with a pool of `round_reward` wei a round and a least stake of
    /// `min_stake`: the 7:3 compute:data split, compute rewards decaying 5% a round
    /// (2PM.Network's `λ e^{-λ x}` with `λ = -ln 0.95`), no halving, 50% of stake slashed for
    /// cheating and 10% for K = 3 missed rounds (DFAIT), a 10% compute bonus after 10 accepted
    /// rounds in a row (DFAIT), and 2 rounds of unbonding.
    pub fn with_seed_rules(round_reward: u128, min_stake: u128) -> Self {
        Self {
            round_reward,
            halving_rounds: 0,
            decay_wad: 950_000_000_000_000_000,
            compute_bps: 7_000,
            invalid_slash_bps: 5_000,
            inactivity_slash_bps: 1_000,
            max_missed_rounds: 3,
            min_stake,
            loyalty_rounds: 10,
            loyalty_bps: 1_000,
            unbonding_rounds: 2,
        }
    }

    /// The pool of `round` before the split: `round_reward >> (round / halving_rounds)`.
    pub fn pool(&self, round: u64) -> u128 {
        let halvings = round.checked_div(self.halving_rounds).unwrap_or(0);
        if halvings >= 128 {
            0
        } else {
            self.round_reward >> halvings
        }
    }

    /// The compute pool of `round`: `compute_bps` of the pool, times `decay^round`.
    pub fn compute_pool(&self, round: u64) -> u128 {
        let share = mul_div(self.pool(round), u128::from(self.compute_bps), BPS).expect("bps <= 10,000");
        mul_div(share, wad_pow(self.decay_wad, round), WAD).expect("decay <= 1")
    }

    /// The data pool of `round`: what the pool leaves after `compute_bps` (no decay).
    pub fn data_pool(&self, round: u64) -> u128 {
        let pool = self.pool(round);
        pool - mul_div(pool, u128::from(self.compute_bps), BPS).expect("bps <= 10,000")
    }

    /// Whether the contract's constructor accepts these parameters.
    pub fn valid(&self) -> bool {
        [self.compute_bps, self.invalid_slash_bps, self.inactivity_slash_bps].iter().all(|&bps| u128::from(bps) <= BPS)
            && self.decay_wad <= WAD
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
    /// The node has no reward in this round (or no stake to withdraw).
    #[error("the node has no reward in this round")]
    NothingToClaim,
    /// Parameters or committee the constructor refuses.
    #[error("the vault's parameters or committee are invalid")]
    BadConfig,
    /// The node was slashed or is exiting: its membership ended.
    #[error("the node's membership has ended")]
    Removed,
    /// A report of a node that has not missed `max_missed_rounds` rounds.
    #[error("the node is not inactive")]
    NotInactive,
    /// A histogram that is not the registered one, or of another shape than its pool's.
    #[error("the histogram does not match")]
    HistogramMismatch,
    /// The pool would hold 2^32 rows or more.
    #[error("the data pool is full")]
    PoolFull,
    /// Too few, unordered, non-member or malformed signatures.
    #[error("the signatures do not authorise this")]
    BadSignatures,
    /// A withdrawal before the unbonding period ended, or by a member.
    #[error("the stake is still bonded")]
    StillBonded,
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
    /// The committee refused the node's update of the round (3).
    RefusedUpdate = 3,
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
        /// Compute weight: compute units × (10,000 + the loyalty bonus).
        weight: u128,
        /// Data score: data units × KL in WAD nats.
        score: u128,
    },
    /// Stake was slashed and the membership ended.
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
    /// A round closed with the committee's checkpoint.
    RoundClosed {
        /// The round.
        round: u64,
        /// Its compute pool, in wei.
        compute_pool: u128,
        /// Its data pool, in wei.
        data_pool: u128,
        /// The next round's global model commitment.
        next_model: [u8; 32],
        /// The sha2-256 digest of the next global model's file.
        model_digest: [u8; 32],
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
    /// A node ended its membership.
    Exiting {
        /// The node.
        node: Address,
        /// The round it left in.
        round: u64,
    },
    /// A former node withdrew its stake.
    Withdrawn {
        /// The node.
        node: Address,
        /// Wei.
        amount: u128,
    },
}
