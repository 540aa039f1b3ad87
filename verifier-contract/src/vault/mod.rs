//! The reward vault's rules, step for step what `RewardVault.sol` computes (docs/CHAIN.md):
//! staking, a verifier registry set by the owner, dataset registration by validation proof
//! into a pooled histogram, per-round submissions of training proofs scored by compute (with a
//! loyalty bonus) and by the data's KL divergence from the other registered datasets, the
//! decaying compute pool and the 7:3 split, committee-signed checkpoints, slashing (invalid
//! proof, unregistered data, refused update, inactivity) that ends a membership, exit with
//! unbonding, and claims. Amounts are integers (wei); every division rounds as Solidity's does
//! ([`crate::math::mul_div`], [`crate::fixed`]).
//!
//! The vault verifies the proofs itself, from the same calldata words as the contract, with
//! the public inputs it builds: `round << 220 | sender << 60` and the statement digest it
//! recomputes ([`statement`]); the training statement's starting model is the checkpoint of
//! the round, and its dataset must be one the sender registered.

pub mod signatures;
pub mod statement;
mod types;

pub use types::{Address, Event, Params, RelationId, SlashReason, VaultError, BPS};

use crate::fixed::{add_word, kl_wad, sub_word, MAX_HISTOGRAM_WORDS};
use crate::groth16::{EvmCommittedProof, EvmProof, PreparedCommittedKey, PreparedKey};
use crate::math::mul_div;
use crate::solidity::Word;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use sha3::{Digest, Keccak256};
use signatures::{checkpoint_message, recover, refusal_message, update_message, SignatureWords};
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
    /// The last round with accepted work.
    last_active: Option<u64>,
    joined_round: u64,
    /// Accepted rounds in a row ending at `last_active`.
    streak: u64,
    /// The round the membership ended (slashed or exiting), and whether by a slash.
    left: Option<(u64, bool)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Work {
    weight: u128,
    score: u128,
    accepted: bool,
    claimed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Round {
    work: BTreeMap<Address, Work>,
    total_weight: u128,
    total_score: u128,
}

/// A registered dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// The node that registered it.
    pub owner: Address,
    /// Its rows.
    pub rows: u64,
    /// The round it was registered in.
    pub registered_round: u64,
    /// Its keys' parameters id (its pool).
    pub params_id: Word,
    histogram_hash: [u8; 32],
    /// The pool registration count its cached score was computed against (0: none), and it.
    cached: (u64, u128),
}

/// A parameters id's pooled histogram, frozen on the first registration of each round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Pool {
    live: Vec<Word>,
    live_count: u64,
    frozen: Option<(u64, Vec<Word>, u64)>,
    rows: u64,
}

impl Pool {
    /// The pool as it was when `round` opened, and its registration count.
    fn opening(&self, round: u64) -> (&[Word], u64) {
        match &self.frozen {
            Some((frozen_round, words, count)) if *frozen_round == round => (words, *count),
            _ => (&self.live, self.live_count),
        }
    }
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

/// The vault: owner, committee, verifiers, datasets and pools, nodes, the open round and
/// every closed round.
pub struct Vault {
    /// The configuration.
    pub params: Params,
    /// Who sets verifiers.
    pub owner: Address,
    /// The vault's own address (signed messages name it).
    pub address: Address,
    committee: BTreeSet<Address>,
    threshold: usize,
    committee_id: Vec<u8>,
    verifiers: BTreeMap<(RelationId, Word), Verifier>,
    datasets: BTreeMap<Word, Dataset>,
    pools: BTreeMap<Word, Pool>,
    models: BTreeMap<u64, Word>,
    model_digests: BTreeMap<u64, Word>,
    nodes: BTreeMap<Address, Node>,
    /// The open round.
    pub round: u64,
    rounds: BTreeMap<u64, Round>,
    /// Stake slashed so far (kept by the vault).
    pub slashed: u128,
}

/// Who checkpoints rounds and refuses updates: member addresses, how many must sign, and the
/// secure-aggregation committee's id text (what clients sign).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committee {
    /// Member addresses, distinct.
    pub members: Vec<Address>,
    /// Signatures required.
    pub threshold: usize,
    /// The committee's content id, as text.
    pub id: Vec<u8>,
}

impl Vault {
    /// An empty vault at `address`, round 0, whose global model is `initial_model`.
    pub fn new(
        params: Params,
        owner: Address,
        address: Address,
        committee: &Committee,
        initial_model: Word,
    ) -> Result<Self, VaultError> {
        let members: BTreeSet<Address> = committee.members.iter().copied().collect();
        let distinct = members.len() == committee.members.len() && !members.contains(&[0; 20]);
        if !params.valid() || committee.threshold == 0 || committee.threshold > members.len() || !distinct {
            return Err(VaultError::BadConfig);
        }
        if !in_field(&initial_model) {
            return Err(VaultError::NotInField);
        }
        Ok(Self {
            params,
            owner,
            address,
            committee: members,
            threshold: committee.threshold,
            committee_id: committee.id.clone(),
            verifiers: BTreeMap::new(),
            datasets: BTreeMap::new(),
            pools: BTreeMap::new(),
            models: BTreeMap::from([(0, initial_model)]),
            model_digests: BTreeMap::new(),
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

    /// Whether `node` joined and its membership has not ended.
    pub fn is_member(&self, node: &Address) -> bool {
        self.member(node).is_ok()
    }

    /// The global model commitment of `round`, once it opened.
    pub fn model(&self, round: u64) -> Option<Word> {
        self.models.get(&round).copied()
    }

    /// The model file digest the committee signed when `round` closed.
    pub fn model_digest(&self, round: u64) -> Option<Word> {
        self.model_digests.get(&round).copied()
    }

    /// The registration of a dataset commitment.
    pub fn dataset(&self, commitment: &Word) -> Option<&Dataset> {
        self.datasets.get(commitment)
    }

    /// Round `round`'s totals: compute weight and data score.
    pub fn totals(&self, round: u64) -> (u128, u128) {
        self.rounds.get(&round).map_or((0, 0), |entry| (entry.total_weight, entry.total_score))
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
        self.nodes.insert(node, Node { stake, joined_round: self.round, ..Node::default() });
        Ok(Event::Joined { node, stake })
    }

    /// A node whose membership has not ended.
    fn member(&self, node: &Address) -> Result<&Node, VaultError> {
        let entry = self.nodes.get(node).ok_or(VaultError::NotANode)?;
        match entry.left {
            Some(_) => Err(VaultError::Removed),
            None => Ok(entry),
        }
    }

    /// Slashes `bps` of the stake and ends the membership; work accepted in the open round
    /// leaves its totals.
    fn slash(&mut self, node: Address, bps: u16, reason: SlashReason) -> Event {
        let round = self.round;
        let entry = self.nodes.get_mut(&node).expect("slashing a node");
        let amount = mul_div(entry.stake, u128::from(bps), BPS).expect("bps <= 10,000");
        entry.stake -= amount;
        entry.left = Some((round, true));
        self.slashed += amount;
        if let Some(current) = self.rounds.get_mut(&round) {
            if let Some(work) = current.work.get_mut(&node).filter(|work| work.accepted) {
                current.total_weight -= work.weight;
                current.total_score -= work.score;
                work.accepted = false;
            }
        }
        Event::Slashed { node, round, amount, reason }
    }

    /// A node registers the dataset of a data-validation proof (`proof` for the statement
    /// `params_id, commitment, rows, histogram` and the sender). An invalid proof registers
    /// nothing and slashes; a commitment is registered once, by the first valid proof; the
    /// histogram joins its parameters id's pool.
    pub fn register_data(
        &mut self,
        node: Address,
        proof: &EvmProof,
        params_id: Word,
        commitment: Word,
        rows: u64,
        histogram: &[Word],
    ) -> Result<Vec<Event>, VaultError> {
        self.member(&node)?;
        if histogram.is_empty() || histogram.len() > MAX_HISTOGRAM_WORDS {
            return Err(VaultError::HistogramMismatch);
        }
        let digest = data_digest(&params_id, &commitment, rows, histogram).ok_or(VaultError::NotInField)?;
        let Some(Verifier::Plain(verifier)) = self.verifiers.get(&(RelationId::DataValidation, params_id)) else {
            return Err(VaultError::UnknownVerifier);
        };
        if self.datasets.contains_key(&commitment) {
            return Err(VaultError::AlreadyRegistered);
        }
        let pool = self.pools.get(&params_id);
        if pool.is_some_and(|pool| pool.live_count > 0 && pool.live.len() != histogram.len()) {
            return Err(VaultError::HistogramMismatch);
        }
        if u128::from(pool.map_or(0, |pool| pool.rows)) + u128::from(rows) >= 1 << 32 {
            return Err(VaultError::PoolFull);
        }
        if !verifier.verify(proof, &[packed_input(0, &node), digest]) {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::InvalidProof)]);
        }
        self.add_dataset(node, params_id, commitment, rows, histogram);
        Ok(alloc::vec![Event::DataRegistered { node, commitment, rows }])
    }

    /// Registers a proved dataset: its histogram joins the pool, which is first frozen for the
    /// open round if this is the round's first registration.
    fn add_dataset(&mut self, node: Address, params_id: Word, commitment: Word, rows: u64, histogram: &[Word]) {
        let round = self.round;
        let pool = self.pools.entry(params_id).or_default();
        if pool.frozen.as_ref().is_none_or(|(frozen_round, _, _)| *frozen_round < round) {
            pool.frozen = Some((round, pool.live.clone(), pool.live_count));
        }
        if pool.live.is_empty() {
            pool.live = histogram.to_vec();
        } else {
            for (live, word) in pool.live.iter_mut().zip(histogram) {
                *live = add_word(live, word).expect("lanes stay below 2^32");
            }
        }
        pool.live_count += 1;
        pool.rows += rows;
        let dataset = Dataset {
            owner: node,
            rows,
            registered_round: round,
            params_id,
            histogram_hash: hash_words(histogram),
            cached: (0, 0),
        };
        self.datasets.insert(commitment, dataset);
    }

    /// `KL(dataset || the other datasets of the pool as the open round opened)`, in WAD nats,
    /// cached per pool state.
    fn score(&mut self, commitment: &Word, histogram: &[Word]) -> Result<u128, VaultError> {
        let round = self.round;
        let dataset = &self.datasets[commitment];
        if hash_words(histogram) != dataset.histogram_hash {
            return Err(VaultError::HistogramMismatch);
        }
        let (opening, count) = self.pools[&dataset.params_id].opening(round);
        if dataset.cached.0 == count && count > 0 {
            return Ok(dataset.cached.1);
        }
        let included = dataset.registered_round < round;
        let others: Vec<Word> = if opening.is_empty() {
            alloc::vec![[0; 32]; histogram.len()]
        } else if included {
            opening.iter().zip(histogram).map(|(pool, own)| sub_word(pool, own).expect("own is in the pool")).collect()
        } else {
            opening.to_vec()
        };
        let kl = kl_wad(histogram, &others);
        self.datasets.get_mut(commitment).expect("scored").cached = (count, kl);
        Ok(kl)
    }

    /// A node submits a training proof for the open round, trained from the round's
    /// checkpoint on a dataset it registered, with that dataset's `histogram`. A dataset it
    /// did not register, or an invalid proof, records nothing and slashes.
    pub fn submit(
        &mut self,
        node: Address,
        round: u64,
        proof: &EvmCommittedProof,
        claim: &TrainingClaim,
        histogram: &[Word],
    ) -> Result<Vec<Event>, VaultError> {
        self.member(&node)?;
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
        let accepted = |entry: &Round| entry.work.get(&node).is_some_and(|work| work.accepted);
        if self.rounds.get(&round).is_some_and(accepted) {
            return Err(VaultError::AlreadySubmitted);
        }
        let registered = self.datasets.get(&claim.data_commitment).is_some_and(|dataset| dataset.owner == node);
        if !registered {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::UnregisteredData)]);
        }
        if !verifier.verify(proof, &[packed_input(round, &node), digest]) {
            return Ok(alloc::vec![self.slash(node, self.params.invalid_slash_bps, SlashReason::InvalidProof)]);
        }
        let kl = self.score(&claim.data_commitment, histogram)?;
        Ok(alloc::vec![self.accept(node, round, claim, kl)])
    }

    /// Records accepted work: the loyalty streak, the compute weight and the data score.
    fn accept(&mut self, node: Address, round: u64, claim: &TrainingClaim, kl: u128) -> Event {
        let params = self.params;
        let entry = self.nodes.get_mut(&node).expect("a member");
        entry.streak = match entry.last_active {
            Some(last) if last + 1 == round => entry.streak + 1,
            _ => 1,
        };
        entry.last_active = Some(round);
        let loyal = params.loyalty_rounds > 0 && entry.streak >= params.loyalty_rounds;
        let bonus = if loyal { u128::from(params.loyalty_bps) } else { 0 };
        let weight = u128::from(claim.compute) * (BPS + bonus);
        let score = u128::from(claim.data) * kl;
        let current = self.rounds.entry(round).or_default();
        current.work.insert(node, Work { weight, score, accepted: true, claimed: false });
        current.total_weight += weight;
        current.total_score += score;
        Event::Submitted { node, round, trained: claim.trained, weight, score }
    }

    /// Whether `signatures` hold `threshold` members' signatures of `message`, signers in
    /// increasing address order.
    fn committee_signed(&self, message: &[u8; 32], signatures: &[SignatureWords]) -> bool {
        if signatures.len() < self.threshold {
            return false;
        }
        let mut previous: Address = [0; 20];
        for signature in signatures {
            match recover(message, signature) {
                Some(signer) if signer > previous && self.committee.contains(&signer) => previous = signer,
                _ => return false,
            }
        }
        true
    }

    /// Closes the open round with the checkpoint `threshold` members signed (the next global
    /// model's commitment and its file's digest) and opens the next. Anyone may send it.
    pub fn close_round(
        &mut self,
        next_model: Word,
        model_digest: Word,
        signatures: &[SignatureWords],
    ) -> Result<Event, VaultError> {
        if !in_field(&next_model) {
            return Err(VaultError::NotInField);
        }
        let round = self.round;
        if !self.committee_signed(&checkpoint_message(&self.address, round, &next_model, &model_digest), signatures) {
            return Err(VaultError::BadSignatures);
        }
        let event = Event::RoundClosed {
            round,
            compute_pool: self.params.compute_pool(round),
            data_pool: self.params.data_pool(round),
            next_model,
            model_digest,
        };
        self.round += 1;
        self.models.insert(self.round, next_model);
        self.model_digests.insert(round, model_digest);
        Ok(event)
    }

    /// Slashes a node after `max_missed_rounds` closed rounds in a row without accepted work
    /// (from its last accepted round, or the round it joined). Anyone may report.
    pub fn report_inactive(&mut self, node: Address) -> Result<Event, VaultError> {
        let entry = self.member(&node)?;
        let since = entry.last_active.map_or(entry.joined_round, |last| last + 1);
        let k = self.params.max_missed_rounds;
        if k == 0 || u128::from(self.round) < u128::from(since) + u128::from(k) {
            return Err(VaultError::NotInactive);
        }
        Ok(self.slash(node, self.params.inactivity_slash_bps, SlashReason::Inactivity))
    }

    /// Slashes a node whose update of the open round the committee refused: its own
    /// signature of the update (`node_signature` over the ciphertext id) and `threshold`
    /// members' signatures of the refusal.
    pub fn slash_refused_update(
        &mut self,
        node: Address,
        ciphertext_id: Word,
        node_signature: &SignatureWords,
        signatures: &[SignatureWords],
    ) -> Result<Event, VaultError> {
        self.member(&node)?;
        let round = self.round;
        let sent = recover(&update_message(&self.committee_id, round, &ciphertext_id), node_signature) == Some(node);
        if !sent || !self.committee_signed(&refusal_message(&self.address, round, &node, &ciphertext_id), signatures) {
            return Err(VaultError::BadSignatures);
        }
        Ok(self.slash(node, self.params.invalid_slash_bps, SlashReason::RefusedUpdate))
    }

    /// Ends `node`'s membership: no more submissions, claims of earlier rounds only.
    pub fn exit(&mut self, node: Address) -> Result<Event, VaultError> {
        self.member(&node)?;
        let round = self.round;
        self.nodes.get_mut(&node).expect("a member").left = Some((round, false));
        Ok(Event::Exiting { node, round })
    }

    /// A node that exited or was slashed withdraws its stake, `unbonding_rounds` after.
    pub fn withdraw(&mut self, node: Address) -> Result<Event, VaultError> {
        let round = self.round;
        let unbonding = self.params.unbonding_rounds;
        let entry = self.nodes.get_mut(&node).ok_or(VaultError::StillBonded)?;
        let Some((left, _)) = entry.left else { return Err(VaultError::StillBonded) };
        if u128::from(round) < u128::from(left) + u128::from(unbonding) {
            return Err(VaultError::StillBonded);
        }
        if entry.stake == 0 {
            return Err(VaultError::NothingToClaim);
        }
        let amount = core::mem::take(&mut entry.stake);
        Ok(Event::Withdrawn { node, amount })
    }

    /// What `node` is owed for closed round `round`: its share of the compute pool by weight
    /// and of the data pool by score; nothing for rounds at or after its membership ended.
    pub fn reward(&self, node: &Address, round: u64) -> u128 {
        let ended = self.nodes.get(node).and_then(|entry| entry.left).is_some_and(|(left, _)| round >= left);
        let Some(entry) = self.rounds.get(&round) else { return 0 };
        let Some(work) = entry.work.get(node).filter(|work| work.accepted && !ended) else { return 0 };
        let share = |pool: u128, mine: u128, total: u128| {
            if total > 0 {
                mul_div(pool, mine, total).expect("mine <= total")
            } else {
                0
            }
        };
        share(self.params.compute_pool(round), work.weight, entry.total_weight)
            + share(self.params.data_pool(round), work.score, entry.total_score)
    }

    /// `node` claims its reward for closed round `round`; only for itself, once.
    pub fn claim(&mut self, node: Address, round: u64) -> Result<Event, VaultError> {
        if round >= self.round {
            return Err(VaultError::RoundNotClosed);
        }
        let amount = self.reward(&node, round);
        let entry = self.rounds.entry(round).or_default();
        let work = entry.work.entry(node).or_default();
        if work.claimed {
            return Err(VaultError::AlreadyClaimed);
        }
        if amount == 0 {
            return Err(VaultError::NothingToClaim);
        }
        work.claimed = true;
        Ok(Event::Claimed { node, round, amount })
    }
}

/// keccak256 of the words concatenated (`keccak256(abi.encodePacked(uint256[]))`).
fn hash_words(words: &[Word]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for word in words {
        hasher.update(word);
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests;
