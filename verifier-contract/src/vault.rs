//! The reward vault's rules, step for step what `RewardVault.sol` is to compute: staking,
//! per-round submissions of proven work, slashing, the round pool with its halving schedule,
//! the 70/30 compute/data split and claims. All amounts are integers (wei) and every division
//! rounds down as Solidity's does ([`crate::math::mul_div`]); what rounding leaves unpaid stays
//! in the vault.
//!
//! Whether a submission's proof is valid is decided by the Groth16 verifier before the vault
//! sees it: [`Vault::submit`] takes the verdict.

use crate::math::mul_div;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

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
    /// Share of stake slashed for a submission whose proof fails verification.
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

/// Why the vault refuses a call (the contract reverts with the same reason).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VaultError {
    /// The stake is below the minimum.
    StakeTooLow,
    /// The node has joined already.
    AlreadyJoined,
    /// The caller never joined.
    NotANode,
    /// A submission for another round than the open one.
    WrongRound {
        /// The open round.
        expected: u64,
        /// The round submitted for.
        found: u64,
    },
    /// A work count of 2^30 or more (the proof's packed input holds 30 bits of each).
    WorkTooLarge,
    /// The node submitted this round already.
    AlreadySubmitted,
    /// A claim for a round still open.
    RoundNotClosed,
    /// The node claimed this round already.
    AlreadyClaimed,
    /// The node has no reward in this round.
    NothingToClaim,
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
    /// Proven work was recorded.
    Submitted {
        /// The node.
        node: Address,
        /// The round.
        round: u64,
        /// Compute units.
        compute: u128,
        /// Data units.
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

/// Why stake was slashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlashReason {
    /// A submitted proof failed verification.
    InvalidProof,
    /// The node missed `max_missed_rounds` consecutive rounds.
    Inactivity,
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

/// The vault: nodes, the open round and every closed round's contributions.
#[derive(Clone, Debug)]
pub struct Vault {
    /// The configuration.
    pub params: Params,
    nodes: BTreeMap<Address, Node>,
    /// The open round.
    pub round: u64,
    rounds: BTreeMap<u64, Round>,
    /// Stake slashed so far (kept by the vault).
    pub slashed: u128,
}

impl Vault {
    /// An empty vault at round 0.
    pub fn new(params: Params) -> Self {
        Self { params, nodes: BTreeMap::new(), round: 0, rounds: BTreeMap::new(), slashed: 0 }
    }

    /// A node's stake, if it joined.
    pub fn stake(&self, node: &Address) -> Option<u128> {
        self.nodes.get(node).map(|n| n.stake)
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

    fn slash(&mut self, node: Address, bps: u16, reason: SlashReason, events: &mut Vec<Event>) {
        let entry = self.nodes.get_mut(&node).expect("slashing a node");
        let amount = mul_div(entry.stake, u128::from(bps), BPS).expect("bps <= 10,000");
        entry.stake -= amount;
        self.slashed += amount;
        events.push(Event::Slashed { node, round: self.round, amount, reason });
    }

    /// A node submits proven work for the open round. `proof_valid` is the verifier's verdict:
    /// an invalid proof records nothing and slashes. One submission per node and round.
    pub fn submit(
        &mut self,
        node: Address,
        round: u64,
        proof_valid: bool,
        compute: u128,
        data: u128,
    ) -> Result<Vec<Event>, VaultError> {
        if !self.nodes.contains_key(&node) {
            return Err(VaultError::NotANode);
        }
        if round != self.round {
            return Err(VaultError::WrongRound { expected: self.round, found: round });
        }
        if compute >= 1 << 30 || data >= 1 << 30 || round >= 1 << 32 {
            return Err(VaultError::WorkTooLarge);
        }
        let entry = self.rounds.entry(round).or_default();
        if entry.compute.contains_key(&node) {
            return Err(VaultError::AlreadySubmitted);
        }
        let mut events = Vec::new();
        if !proof_valid {
            self.slash(node, self.params.invalid_slash_bps, SlashReason::InvalidProof, &mut events);
            return Ok(events);
        }
        entry.compute.insert(node, compute);
        entry.data.insert(node, data);
        entry.total_compute += compute;
        entry.total_data += data;
        self.nodes.get_mut(&node).expect("checked").last_active = Some(round);
        events.push(Event::Submitted { node, round, compute, data });
        Ok(events)
    }

    /// Closes the open round: slashes every node that has now missed `max_missed_rounds`
    /// consecutive rounds (then counts it as active again, so it is slashed once per K
    /// misses), and opens the next round.
    pub fn close_round(&mut self) -> Vec<Event> {
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
            self.slash(node, self.params.inactivity_slash_bps, SlashReason::Inactivity, &mut events);
            self.nodes.get_mut(&node).expect("listed").last_active = Some(round);
        }
        events.push(Event::RoundClosed {
            round,
            pool: self.params.pool(round),
            total_compute: entry.total_compute,
            total_data: entry.total_data,
        });
        self.round += 1;
        events
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
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            round_reward: 1_000_000_000_000_000_000,
            halving_rounds: 4,
            compute_bps: 7_000,
            invalid_slash_bps: 5_000,
            inactivity_slash_bps: 1_000,
            max_missed_rounds: 2,
            min_stake: 100,
        }
    }

    fn address(i: u8) -> Address {
        [i; 20]
    }

    #[test]
    fn a_round_pays_seventy_percent_by_compute_and_thirty_by_data() {
        let mut vault = Vault::new(params());
        for i in 1..=3 {
            vault.join(address(i), 1_000).unwrap();
        }
        vault.submit(address(1), 0, true, 3, 0).unwrap();
        vault.submit(address(2), 0, true, 1, 10).unwrap();
        vault.submit(address(3), 0, true, 0, 30).unwrap();
        vault.close_round();
        let pool = params().round_reward;
        let (compute, data) = (pool * 7 / 10, pool - pool * 7 / 10);
        assert_eq!(vault.reward(&address(1), 0), compute * 3 / 4);
        assert_eq!(vault.reward(&address(2), 0), compute / 4 + data / 4);
        assert_eq!(vault.reward(&address(3), 0), data * 3 / 4);
        let paid: u128 = (1..=3).map(|i| vault.reward(&address(i), 0)).sum();
        assert!(paid <= pool && pool - paid < 3, "rounding leaves at most dust");
    }

    #[test]
    fn the_pool_halves_on_schedule() {
        let p = params();
        assert_eq!(p.pool(3), p.round_reward);
        assert_eq!(p.pool(4), p.round_reward / 2);
        assert_eq!(p.pool(9), p.round_reward / 4);
        assert_eq!(Params { halving_rounds: 1, ..p }.pool(200), 0);
        assert_eq!(Params { halving_rounds: 0, ..p }.pool(200), p.round_reward);
    }

    #[test]
    fn invalid_proofs_and_inactivity_are_slashed() {
        let mut vault = Vault::new(params());
        for i in 1..=3 {
            vault.join(address(i), 1_000).unwrap();
        }
        // Node 2 submits an invalid proof: half its stake, nothing recorded.
        let events = vault.submit(address(2), 0, false, 5, 5).unwrap();
        assert_eq!(
            events,
            [Event::Slashed { node: address(2), round: 0, amount: 500, reason: SlashReason::InvalidProof }]
        );
        assert_eq!(vault.stake(&address(2)), Some(500));
        vault.submit(address(1), 0, true, 1, 1).unwrap();
        assert!(vault.close_round().iter().all(|e| !matches!(e, Event::Slashed { .. })), "one missed round is allowed");
        vault.submit(address(1), 1, true, 1, 1).unwrap();
        // Nodes 2 and 3 have now missed rounds 0 and 1: K = 2.
        let slashed: Vec<(Address, u128)> = vault
            .close_round()
            .into_iter()
            .filter_map(|e| match e {
                Event::Slashed { node, amount, reason: SlashReason::Inactivity, .. } => Some((node, amount)),
                _ => None,
            })
            .collect();
        assert_eq!(slashed, [(address(2), 50), (address(3), 100)]);
        assert_eq!(vault.slashed, 650);
    }

    #[test]
    fn claims_are_once_for_oneself_and_only_after_closing() {
        let mut vault = Vault::new(params());
        vault.join(address(1), 1_000).unwrap();
        vault.join(address(2), 1_000).unwrap();
        vault.submit(address(1), 0, true, 1, 1).unwrap();
        assert_eq!(vault.claim(address(1), 0), Err(VaultError::RoundNotClosed));
        assert_eq!(vault.submit(address(1), 0, true, 1, 1), Err(VaultError::AlreadySubmitted));
        assert_eq!(vault.submit(address(2), 1, true, 1, 1), Err(VaultError::WrongRound { expected: 0, found: 1 }));
        assert_eq!(vault.submit(address(2), 0, true, 1 << 30, 1), Err(VaultError::WorkTooLarge));
        assert_eq!(vault.submit(address(2), 0, true, 1, 1 << 30), Err(VaultError::WorkTooLarge));
        vault.close_round();
        let pool = params().round_reward;
        assert_eq!(vault.claim(address(1), 0), Ok(Event::Claimed { node: address(1), round: 0, amount: pool }));
        assert_eq!(vault.claim(address(1), 0), Err(VaultError::AlreadyClaimed));
        assert_eq!(vault.claim(address(2), 0), Err(VaultError::NothingToClaim));
        assert_eq!(vault.submit(address(9), 1, true, 1, 1), Err(VaultError::NotANode));
        assert_eq!(vault.join(address(3), 99), Err(VaultError::StakeTooLow));
        assert_eq!(vault.join(address(1), 1_000), Err(VaultError::AlreadyJoined));
    }
}
