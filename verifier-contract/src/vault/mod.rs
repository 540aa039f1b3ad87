//! The reward vault's rules, step for step what `RewardVault.sol` computes: staking, a
//! verifier registry set by the owner, dataset registration by validation proof, per-round
//! submissions of training proofs, slashing, the round pool with its halving schedule, the
//! 70/30 compute/data split and claims. All amounts are integers (wei) and every division
//! rounds down as Solidity's does ([`crate::math::mul_div`]); what rounding leaves unpaid
//! stays in the vault.
//!
//! The vault verifies the proofs itself, from the same calldata words as the contract, with
//! the public inputs it builds: `round << 220 | sender << 60` and the statement digest it
//! recomputes ([`statement`]); the training statement's starting model is the one the vault
//! stored when the round opened, and its dataset must be one the sender registered. Compute
//! and data counts come from the proved statement (rows × epochs and rows), never from the
//! node's word alone.

pub mod statement;
mod types;

pub use types::{Address, Event, Params, RelationId, SlashReason, VaultError, BPS};

use crate::groth16::{EvmCommittedProof, EvmProof, PreparedCommittedKey, PreparedKey};
use crate::math::mul_div;
use crate::solidity::Word;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use statement::{data_digest, in_field, packed_input, training_digest};

/// A verifier the registry holds.
pub enum Verifier {
    /// Plain Groth16 (data validation).
    Plain(alloc::boxed::Box<PreparedKey>),
    /// Groth16 with a commitment (training).
    Committed(alloc::boxed::Box<PreparedCommittedKey>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Node {
    stake: u128,
    /// The last round the node submitted in, or joined before.
    last_active: Option<u64>,
    joined_round: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Round {
    compute: BTreeMap<Address, u128>,
    data: BTreeMap<Address, u128>,
    total_compute: u128,
    total_data: u128,
    claimed: BTreeSet<Address>,
}

/// A registered dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// The node that registered it.
    pub owner: Address,
    /// Its rows.
    pub rows: u64,
}

/// A training submission's calldata after the proof: what the statement digest covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingClaim {
    /// The keys' parameters id (selects the verifier).
    pub params_id: Word,
    /// The dataset commitment `D` trained on.
    pub data_commitment: Word,
    /// The trained model's commitment `C_out`.
    pub trained: Word,
    /// Compute units the proof states.
    pub compute: u64,
    /// Data units the proof states.
    pub data: u64,
}

/// The vault: owner, verifiers, datasets, nodes, the open round and every closed round.
pub struct Vault {
    /// The configuration.
    pub params: Params,
    /// Who may set verifiers and close rounds.
    pub owner: Address,
    verifiers: BTreeMap<(RelationId, Word), Verifier>,
    datasets: BTreeMap<Word, Dataset>,
    models: BTreeMap<u64, Word>,
    nodes: BTreeMap<Address, Node>,
    /// The open round.
    pub round: u64,
    rounds: BTreeMap<u64, Round>,
    /// Stake slashed so far (kept by the vault).
    pub slashed: u128,
}

impl Vault {
    /// An empty vault at round 0, whose global model is `initial_model` (a model commitment).
    pub fn new(params: Params, owner: Address, initial_model: Word) -> Result<Self, VaultError> {
        if !in_field(&initial_model) {
            return Err(VaultError::NotInField);
        }
        Ok(Self {
            params,
            owner,
            verifiers: BTreeMap::new(),
            datasets: BTreeMap::new(),
            models: BTreeMap::from([(0, initial_model)]),
            nodes: BTreeMap::new(),
            round: 0,
            rounds: BTreeMap::new(),
            slashed: 0,
        })
    }

    /// A node's stake, if it joined.
    pub fn stake(&self, node: &Address) -> Option<u128> {
        self.nodes.get(node).map(|n| n.stake)
    }

    /// The global model commitment of `round`, once it opened.
    pub fn model(&self, round: u64) -> Option<Word> {
        self.models.get(&round).copied()
    }

    /// The registration of a dataset commitment.
    pub fn dataset(&self, commitment: &Word) -> Option<Dataset> {
        self.datasets.get(commitment).copied()
    }

    /// The owner sets (or replaces) the verifier of `relation` under keys `params_id`.
    pub fn set_verifier(
        &mut self,
        caller: Address,
        relation: RelationId,
        params_id: Word,
        verifier: Verifier,
    ) -> Result<Event, VaultError> {
        if caller != self.owner {
            return Err(VaultError::NotOwner);
        }
        self.verifiers.insert((relation, params_id), verifier);
        Ok(Event::VerifierSet { relation, params_id })
    }

    /// A node joins with `stake`.
    pub fn join(&mut self, node: Address, stake: u128) -> Result<Event, VaultError> {
        if stake < self.params.min_stake {
            return Err(VaultError::StakeTooLow);
        }
        if self.nodes.contains_key(&node) {
            return Err(VaultError::AlreadyJoined);
        }
        self.nodes.insert(node, Node { stake, last_active: None, joined_round: self.round });
        Ok(Event::Joined { node, stake })
    }

    fn slash(&mut self, node: Address, bps: u16, reason: SlashReason) -> Event {
        let entry = self.nodes.get_mut(&node).expect("slashing a node");
        let amount = mul_div(entry.stake, u128::from(bps), BPS).expect("bps <= 10,000");
        entry.stake -= amount;
        self.slashed += amount;
        Event::Slashed { node, round: self.round, amount, reason }
    }

    /// A node registers the dataset of a data-validation proof (`proof` for the statement
    /// `params_id, commitment, rows, histogram` and the sender). An invalid proof registers
    /// nothing and slashes; a commitment is registered once, by the first valid proof.
    pub fn register_data(
        &mut self,
        node: Address,
        proof: &EvmProof,
        params_id: Word,
        commitment: Word,
        rows: u64,
        histogram: &[Word],
    ) -> Result<Vec<Event>, VaultError> {
        if !self.nodes.contains_key(&node) {
            return Err(VaultError::NotANode);
        }
        let digest = data_digest(&params_id, &commitment, rows, histogram).ok_or(VaultError::NotInField)?;
        let Some(Verifier::Plain(verifier)) = self.verifiers.get(&(RelationId::DataValidation, params_id)) else {
            return Err(VaultError::UnknownVerifier);
        };
        if self.datasets.contains_key(&commitment) {
            return Err(VaultError::AlreadyRegistered);
        }
        if !verifier.verify(proof, &[packed_input(0, &node), digest]) {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::InvalidProof)]);
        }
        self.datasets.insert(commitment, Dataset { owner: node, rows });
        Ok(alloc::vec![Event::DataRegistered { node, commitment, rows }])
    }

    /// A node submits a training proof for the open round: trained from the round's global
    /// model on a dataset it registered. A dataset it did not register, or an invalid proof,
    /// records nothing and slashes. One accepted submission per node and round.
    pub fn submit(
        &mut self,
        node: Address,
        round: u64,
        proof: &EvmCommittedProof,
        claim: &TrainingClaim,
    ) -> Result<Vec<Event>, VaultError> {
        if !self.nodes.contains_key(&node) {
            return Err(VaultError::NotANode);
        }
        if round != self.round {
            return Err(VaultError::WrongRound { expected: self.round, found: round });
        }
        if round >= 1 << 32 {
            return Err(VaultError::WorkTooLarge);
        }
        let initial = self.models[&round];
        let digest = training_digest(
            &claim.data_commitment,
            &claim.params_id,
            &initial,
            &claim.trained,
            claim.compute,
            claim.data,
        )
        .ok_or(VaultError::NotInField)?;
        let Some(Verifier::Committed(verifier)) = self.verifiers.get(&(RelationId::Training, claim.params_id)) else {
            return Err(VaultError::UnknownVerifier);
        };
        if self.rounds.get(&round).is_some_and(|entry| entry.compute.contains_key(&node)) {
            return Err(VaultError::AlreadySubmitted);
        }
        let registered = self.datasets.get(&claim.data_commitment).is_some_and(|dataset| dataset.owner == node);
        if !registered {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::UnregisteredData)]);
        }
        if !verifier.verify(proof, &[packed_input(round, &node), digest]) {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::InvalidProof)]);
        }
        Ok(alloc::vec![self.record(node, round, claim.trained, claim.compute, claim.data)])
    }

    /// Records accepted work.
    fn record(&mut self, node: Address, round: u64, trained: Word, compute: u64, data: u64) -> Event {
        let (compute, data) = (u128::from(compute), u128::from(data));
        let entry = self.rounds.entry(round).or_default();
        entry.compute.insert(node, compute);
        entry.data.insert(node, data);
        entry.total_compute += compute;
        entry.total_data += data;
        self.nodes.get_mut(&node).expect("checked").last_active = Some(round);
        Event::Submitted { node, round, trained, compute, data }
    }

    /// The owner closes the open round with the next round's global model: slashes every node
    /// that has now missed `max_missed_rounds` consecutive rounds (then counts it as active
    /// again, so it is slashed once per K misses), and opens the next round.
    pub fn close_round(&mut self, caller: Address, next_model: Word) -> Result<Vec<Event>, VaultError> {
        if caller != self.owner {
            return Err(VaultError::NotOwner);
        }
        if !in_field(&next_model) {
            return Err(VaultError::NotInField);
        }
        let round = self.round;
        let entry = self.rounds.entry(round).or_default().clone();
        let mut events = Vec::new();
        let k = self.params.max_missed_rounds;
        let inactive: Vec<Address> = self
            .nodes
            .iter()
            .filter(|(_, node)| {
                // Rounds missed in a row, up to and including this one.
                let since = node.last_active.map_or(node.joined_round, |r| r + 1);
                k > 0 && round + 1 >= since + k
            })
            .map(|(address, _)| *address)
            .collect();
        for node in inactive {
            events.push(self.slash(node, self.params.inactivity_slash_bps, SlashReason::Inactivity));
            self.nodes.get_mut(&node).expect("listed").last_active = Some(round);
        }
        events.push(Event::RoundClosed {
            round,
            pool: self.params.pool(round),
            total_compute: entry.total_compute,
            total_data: entry.total_data,
            next_model,
        });
        self.round += 1;
        self.models.insert(self.round, next_model);
        Ok(events)
    }

    /// What `node` is owed for closed round `round`:
    /// `pool * 7/10 * compute / total_compute + (pool - pool * 7/10) * data / total_data`.
    pub fn reward(&self, node: &Address, round: u64) -> u128 {
        let Some(entry) = self.rounds.get(&round) else { return 0 };
        let pool = self.params.pool(round);
        let compute_pool = mul_div(pool, u128::from(self.params.compute_bps), BPS).expect("bps <= 10,000");
        let data_pool = pool - compute_pool;
        let share = |pool: u128, mine: Option<&u128>, total: u128| match mine {
            Some(&mine) if total > 0 => mul_div(pool, mine, total).expect("mine <= total"),
            _ => 0,
        };
        share(compute_pool, entry.compute.get(node), entry.total_compute)
            + share(data_pool, entry.data.get(node), entry.total_data)
    }

    /// `node` claims its reward for closed round `round`; only for itself, once.
    pub fn claim(&mut self, node: Address, round: u64) -> Result<Event, VaultError> {
        if round >= self.round {
            return Err(VaultError::RoundNotClosed);
        }
        let amount = self.reward(&node, round);
        let entry = self.rounds.entry(round).or_default();
        if entry.claimed.contains(&node) {
            return Err(VaultError::AlreadyClaimed);
        }
        if amount == 0 {
            return Err(VaultError::NothingToClaim);
        }
        entry.claimed.insert(node);
        Ok(Event::Claimed { node, round, amount })
    }
}

#[cfg(test)]
mod tests;
