//! A node of the subnet: its chain account (whose key also signs its encrypted updates), its
//! shard, its registration, and what it does in a round, honestly or as its adversary kind.

use crate::config::AdversaryKind;
use crate::error::SubnetError;
use crate::task::Task;
use ark_bn254::Fr;
use ark_std::rand::rngs::StdRng;
use std::path::Path;
use tfhe::core_crypto::commons::math::random::Seeder;
use vsies_chain::account::Account;
use vsies_chain::calldata::{training_submission, DataRegistration, TrainingSubmission};
use vsies_core::{Model, QuantizedDataset};
use vsies_secure_agg::{prove_update, ClientKey, EncryptedUpdate};
use vsies_zk::relations::training::{commitment_element, TrainingProof};

/// A node.
pub struct Node {
    /// Its number, from 1.
    pub number: usize,
    /// Its chain account.
    pub account: Account,
    /// The same key, as secure aggregation signs with it.
    pub client: ClientKey,
    /// Its adversary kind (`None`: honest).
    pub kind: Option<AdversaryKind>,
    /// Its shard.
    pub shard: QuantizedDataset,
    /// Rows it trains on when it plays `wrong-data`: its shard with one row of another's.
    pub other_rows: QuantizedDataset,
    /// Its dataset registration (after it registered).
    pub registration: Option<DataRegistration>,
    /// Its last accepted submission (what `replay` resubmits).
    pub last_submission: Option<TrainingSubmission>,
}

/// What a node hands in for a round.
pub struct Work {
    /// The training submission for the vault.
    pub submission: TrainingSubmission,
    /// Its training proof (the aggregator links the update to it).
    pub proof: TrainingProof,
    /// The model it trained (what an honest update encrypts).
    pub model: Model,
    /// The model commitment's blinding.
    pub blinding: Fr,
}

impl Node {
    /// The node's address bytes.
    pub fn address(&self) -> [u8; 20] {
        self.account.address().0 .0
    }

    /// Whether the node submits in `round` (an inactive node only in the first training round).
    pub fn submits(&self, round: u64) -> bool {
        !(self.kind == Some(AdversaryKind::Inactive) && round > crate::simulation::FIRST_ROUND)
    }

    /// Trains from `global` and proves it, as its kind does; `None` for a replay, which sends
    /// last round's submission instead.
    pub fn train(
        &self,
        task: &Task,
        global: Option<&Model>,
        round: u64,
        rng: &mut StdRng,
    ) -> Result<(TrainingSubmission, Option<Work>), SubnetError> {
        if self.kind == Some(AdversaryKind::Replay) {
            if let Some(last) = &self.last_submission {
                return Ok((last.clone(), None));
            }
        }
        let rows = if self.kind == Some(AdversaryKind::WrongData) { &self.other_rows } else { &self.shard };
        let proved = task.training.prove_training(rows, global, round, self.address(), rng)?;
        let label = format!("node {}'s training proof", self.number);
        let mut submission = training_submission(&proved.proof, Path::new(&label))?;
        if self.kind == Some(AdversaryKind::InvalidProof) {
            // Move C: the proof no longer satisfies the pairing equation.
            submission.proof.proof.c = submission.proof.proof.a;
        }
        let blinding = proved.opening.blinding(Path::new(&label))?;
        let work = Work { submission: submission.clone(), proof: proved.proof, model: proved.model, blinding };
        Ok((submission, Some(work)))
    }

    /// Encrypts the update of accepted `work` for the committee, signs it and proves it well
    /// formed; a `corrupt-update` node encrypts other weights, which it can prove only for
    /// another commitment than its training proof's.
    pub fn encrypt_update(
        &self,
        task: &Task,
        work: &Work,
        round: u64,
        rng: &mut StdRng,
        seeder: &mut dyn Seeder,
    ) -> Result<EncryptedUpdate, SubnetError> {
        let (model, trained, blinding) = if self.kind == Some(AdversaryKind::CorruptUpdate) {
            let mut corrupt = work.model.clone();
            for weight in &mut corrupt.weights {
                *weight = weight.saturating_add(1 << 10);
            }
            let commitment = task.training.verifier.relation.public_model_commitment(Some(&corrupt))?;
            (corrupt, commitment_element(&commitment), Fr::from(0u64))
        } else {
            (work.model.clone(), commitment_element(&work.proof.trained_commitment), work.blinding)
        };
        let (mut update, randomness) =
            EncryptedUpdate::encrypt_keeping_randomness(&task.public, &model, round, seeder)?;
        update.sign(&self.client)?;
        let (prover, _) = &task.update;
        prove_update(&mut update, &task.public, &randomness, &model, trained, blinding, prover, rng)?;
        Ok(update)
    }
}
