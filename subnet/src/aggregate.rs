//! The round's aggregation under the hostile-input rules: the aggregator checks every update
//! (signed by a registered node, once; proved an honest encryption of the node's proved
//! training) and sums the ones that pass; each decrypting member recomputes that sum from the
//! same updates itself, checks its decryption record, and decrypts; the shares combine into the
//! FedAvg model.

use crate::error::SubnetError;
use crate::task::Task;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::math::random::Seeder;
use vsies_core::Model;
use vsies_secure_agg::signing::Address;
use vsies_secure_agg::{
    check_aggregate_of, check_signed, combine, Aggregator, ClientRegistry, ClientSignature, DecryptionRecord,
    DecryptionShare, EncryptedUpdate, ProvedTraining, ShareCheck, UpdateChecker,
};

/// An update the aggregator refused, with what the chain needs to slash its sender.
pub struct Refusal {
    /// The node (index into the round's updates).
    pub node: usize,
    /// Why.
    pub reason: String,
    /// The ciphertext id the node signed.
    pub ciphertext_id: [u8; 32],
    /// The node's signature of it, when it is valid (evidence the node sent it).
    pub signature: Option<ClientSignature>,
}

/// What aggregation produced.
pub struct Aggregation {
    /// Nodes whose updates are in the sum.
    pub included: Vec<usize>,
    /// Refused updates.
    pub refused: Vec<Refusal>,
    /// The FedAvg model, when at least `min_clients` updates passed.
    pub model: Option<Model>,
    /// Members whose shares decrypted (numbers from 1).
    pub members: Vec<usize>,
}

fn label(node: usize) -> PathBuf {
    PathBuf::from(format!("node {node}'s update"))
}

/// Aggregates `updates` (node number, update), each checked against `trainings` (the proved
/// trainings the vault accepted this round, by address); members decrypt only with
/// `min_clients` or more, `records` holding their decryption records.
pub fn aggregate(
    task: &Task,
    updates: &[(usize, EncryptedUpdate)],
    trainings: &BTreeMap<Address, ProvedTraining>,
    registry: &ClientRegistry,
    min_clients: usize,
    records: &Path,
    seeder: &mut dyn Seeder,
) -> Result<Aggregation, SubnetError> {
    let checker = UpdateChecker::new(task.update.1.clone(), task.public.clone()).with_trainings(trainings.clone());
    let mut signers = BTreeSet::new();
    let (mut included, mut refused, mut accepted) = (Vec::new(), Vec::new(), Vec::new());
    for (node, update) in updates {
        let path = label(*node);
        let signed = check_signed(update, &path, registry, &mut signers);
        let verdict = signed.and_then(|()| checker.check(update, &path).map(|_| ()));
        match verdict {
            Ok(()) => {
                included.push(*node);
                accepted.push((*node, update.clone()));
            }
            Err(err) => {
                let valid_signature = update
                    .signature
                    .filter(|signature| signature.verify(&update.committee_id, update.round, &update.contributors[0]));
                refused.push(Refusal {
                    node: *node,
                    reason: err.to_string(),
                    ciphertext_id: update.contributors[0],
                    signature: valid_signature,
                });
            }
        }
    }
    let mut outcome = Aggregation { included, refused, model: None, members: Vec::new() };
    let Some(((_, first), rest)) = accepted.split_first() else { return Ok(outcome) };
    // The members' floor applies here too: fewer would be refused by every member.
    let min_clients = min_clients.max(vsies_secure_agg::DEFAULT_MIN_CLIENTS);
    if accepted.len() < min_clients {
        return Ok(outcome);
    }
    let mut aggregator = Aggregator::new(first.clone());
    for (node, update) in rest {
        aggregator.add(update, &label(*node))?;
    }
    let sum = aggregator.finish();
    // T + 1 members when the committee has them, so that every key piece is cross-checked.
    let committee = task.public.committee;
    let count = if committee.members > committee.threshold { committee.threshold + 1 } else { committee.threshold };
    let mut shares = Vec::new();
    let labels: Vec<PathBuf> = accepted.iter().map(|(node, _)| label(*node)).collect();
    for share in task.shares.iter().take(count) {
        let updates = accepted.iter().zip(&labels).map(|((_, update), path)| Ok((path.as_path(), update.clone())));
        check_aggregate_of(&sum, updates, min_clients, Some(registry), Some(&checker))?;
        let record_path = records.join(format!("member-{}.decrypted", share.member));
        let mut record = DecryptionRecord::open(&record_path)?;
        record.check(&sum, share)?;
        let partial = DecryptionShare::decrypt(share, &sum, seeder)?;
        record.append(&sum, share)?;
        shares.push((Path::new("a member's share"), partial));
        outcome.members.push(share.member);
    }
    let check = if count > committee.threshold { ShareCheck::CrossChecked } else { ShareCheck::Unchecked };
    outcome.model = Some(combine(&sum, &shares, None, check)?);
    Ok(outcome)
}
