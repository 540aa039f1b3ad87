//! What a simulated subnet is: its nodes, rounds, committee, adversaries and seed, and the
//! reward vault's parameters.

use crate::error::SubnetError;
use std::collections::BTreeMap;
use std::str::FromStr;
use vsies_core::TrainingConfig;
use vsies_verifier_contract::Params;

/// How a node misbehaves (`--adversary NODE:KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdversaryKind {
    /// Trains on rows other than its registered shard (proved, but for another dataset).
    WrongData,
    /// Trains and proves honestly, then encrypts values other than its trained model.
    CorruptUpdate,
    /// Submits last round's training proof again (the first round: honest).
    Replay,
    /// Submits in the first training round, then stops.
    Inactive,
    /// Submits a training proof with a tampered point.
    InvalidProof,
}

impl AdversaryKind {
    /// Every kind, in `--adversary` spelling.
    pub const ALL: [(&'static str, AdversaryKind); 5] = [
        ("wrong-data", AdversaryKind::WrongData),
        ("corrupt-update", AdversaryKind::CorruptUpdate),
        ("replay", AdversaryKind::Replay),
        ("inactive", AdversaryKind::Inactive),
        ("invalid-proof", AdversaryKind::InvalidProof),
    ];

    /// The kind's `--adversary` spelling.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, kind)| *kind == self).expect("every kind is listed").0
    }
}

impl FromStr for AdversaryKind {
    type Err = SubnetError;
    fn from_str(text: &str) -> Result<Self, SubnetError> {
        Self::ALL.iter().find(|(name, _)| *name == text).map(|(_, kind)| *kind).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|(name, _)| *name).collect();
            SubnetError::Usage(format!("unknown adversary kind `{text}` (one of {})", names.join(", ")))
        })
    }
}

/// Parses `NODE:KIND` (nodes numbered from 1).
pub fn parse_adversary(text: &str) -> Result<(usize, AdversaryKind), SubnetError> {
    let (node, kind) = text
        .split_once(':')
        .ok_or_else(|| SubnetError::Usage(format!("`{text}` is not NODE:KIND (for example 3:replay)")))?;
    let node: usize =
        node.parse().map_err(|_| SubnetError::Usage(format!("`{node}` in `{text}` is not a node number")))?;
    Ok((node, kind.parse()?))
}

/// A subnet to simulate.
#[derive(Clone, Debug)]
pub struct SubnetConfig {
    /// Nodes, numbered 1 to `nodes`.
    pub nodes: usize,
    /// Rounds.
    pub rounds: u64,
    /// Committee members (M).
    pub members: usize,
    /// Members whose shares decrypt (T).
    pub threshold: usize,
    /// Misbehaving nodes, by number.
    pub adversaries: BTreeMap<usize, AdversaryKind>,
    /// Seeds the split, the shards, every key and every proof's randomness.
    pub seed: u64,
    /// Local training (the spec's parameters; every node trains with them).
    pub training: TrainingConfig,
    /// The vault's parameters.
    pub vault: Params,
    /// Histogram buckets per column in data-validation proofs.
    pub buckets: usize,
    /// Share of the rows held out for test accuracy.
    pub test_fraction: f64,
    /// Fewest clients a member decrypts an aggregate of.
    pub min_clients: usize,
}

impl SubnetConfig {
    /// The defaults for `nodes` and `rounds` with an `members`/`threshold` committee: the
    /// spec's training, K = 3 missed rounds, a 2PM-style decay of 5% a round, DFAIT's loyalty
    /// after 10 rounds.
    pub fn new(nodes: usize, rounds: u64, members: usize, threshold: usize) -> Self {
        Self {
            nodes,
            rounds,
            members,
            threshold,
            adversaries: BTreeMap::new(),
            seed: 0,
            training: TrainingConfig::default(),
            vault: Params::with_seed_rules(10u128.pow(18), 10u128.pow(17)),
            buckets: 8,
            test_fraction: 0.25,
            min_clients: vsies_secure_agg::justify::DEFAULT_MIN_CLIENTS,
        }
    }

    /// Checks the numbers fit together (usage errors).
    pub fn check(&self) -> Result<(), SubnetError> {
        let usage = |message: String| Err(SubnetError::Usage(message));
        if self.nodes == 0 || self.rounds == 0 {
            return usage("a subnet needs at least one node and one round".into());
        }
        if self.threshold == 0 || self.threshold > self.members {
            return usage(format!("a committee of {} cannot have threshold {}", self.members, self.threshold));
        }
        if let Some((&node, _)) = self.adversaries.iter().find(|(&node, _)| node == 0 || node > self.nodes) {
            return usage(format!("adversary node {node} is not one of the nodes 1 to {}", self.nodes));
        }
        if !self.vault.valid() {
            return usage("the vault's parameters are out of range".into());
        }
        Ok(())
    }

    /// Node `node`'s kind (`None`: honest).
    pub fn adversary(&self, node: usize) -> Option<AdversaryKind> {
        self.adversaries.get(&node).copied()
    }
}
