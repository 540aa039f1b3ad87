//! Update proofs on the command line: `vsies setup update`, `vsies agg verify-update`, and the
//! flags with which `agg encrypt` proves an update and `agg sum` / `agg decrypt-share` check
//! every update they read.

use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use vsies_core::Model;
use vsies_secure_agg::{update_params, EncryptedUpdate, ProvedTraining, PublicKey, UpdateChecker};
use vsies_zk::groth16::{Prover, Relation, Verifier};
use vsies_zk::relations::training::{commitment_element, ModelOpening, TrainingProof, TrainingVerifier};
use vsies_zk::relations::update::UpdateRelation;

#[derive(Args)]
pub struct SetupUpdateArgs {
    /// The committee's public.key (its packing is part of the relation; any committee of the
    /// same packing can use the keys).
    #[arg(long)]
    public: PathBuf,
    /// A model of the round's shape (the global model, or any client's): its width and weight
    /// format fix the relation.
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    keys: super::zk::KeyOutput,
}

/// `vsies setup update`: keys for proving committee-encrypted updates well formed.
pub fn setup(args: SetupUpdateArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let public = PublicKey::load(&args.public)?;
    let model = Model::load(&args.model)?;
    let params = update_params(public.committee.packing, model.weights.len() + 1, model.training.weight_format);
    let relation = UpdateRelation::new(params)?;
    let shape = relation.shape()?;
    say!(
        "relation: updates of {} values under a ring of degree {}, packing {}: {} constraints, {} committed",
        relation.coordinates(),
        relation.params.ring.degree,
        relation.params.ring.packing,
        shape.constraints,
        shape.committed
    );
    args.keys.write_relation(start, relation)?;
    Ok(0)
}

/// How `agg encrypt` proves its update.
#[derive(Args)]
pub struct ProveFlags {
    /// Prove the update well formed with these keys (`vsies setup update`): members and the
    /// aggregator refuse updates without a valid proof. Needs --sign and --opening.
    #[arg(long, requires_all = ["opening", "sign"])]
    pub proof_keys: Option<PathBuf>,
    /// The trained model's opening from `vsies prove train --opening`: the proof opens the
    /// training proof's model commitment, so the update is tied to the proved training.
    #[arg(long, requires = "proof_keys")]
    pub opening: Option<PathBuf>,
    /// Derive the update proof's randomness from this seed (tests only).
    #[arg(long)]
    pub insecure_proof_seed: Option<u64>,
}

impl ProveFlags {
    /// Proves `update` (signed, with its `randomness`) for `model` when asked to.
    pub fn prove(
        &self,
        update: &mut EncryptedUpdate,
        public: &PublicKey,
        randomness: &vsies_secure_agg::EncryptionRandomness,
        model: (&Model, &Path),
    ) -> anyhow::Result<()> {
        let (Some(keys), Some(opening_path)) = (&self.proof_keys, &self.opening) else { return Ok(()) };
        let (model, model_path) = model;
        let opening = ModelOpening::load(opening_path)?;
        if opening.model_id != model.content_id() {
            anyhow::bail!(
                "{} opens model {}, not {} ({})",
                opening_path.display(),
                opening.model_id,
                model.content_id(),
                model_path.display()
            );
        }
        let blinding = opening.blinding(opening_path)?;
        let prover = Prover::<UpdateRelation>::load(keys)?;
        let mut rng = super::zk::rng(self.insecure_proof_seed);
        let trained = commitment_element(&opening.commitment);
        vsies_secure_agg::prove_update(update, public, randomness, model, trained, blinding, &prover, &mut rng)
            .with_context(|| format!("proving the update of {}", model_path.display()))?;
        Ok(())
    }
}

/// How `agg sum` and `agg decrypt-share` check the updates they read.
#[derive(Args)]
pub struct CheckFlags {
    /// Refuse any update without a valid proof for these keys (`vsies setup update`).
    #[arg(long, requires = "public")]
    pub proof_keys: Option<PathBuf>,
    /// The committee's public.key, which the proofs are checked against.
    #[arg(long)]
    pub public: Option<PathBuf>,
    /// Accept updates without proofs: a crafted update (a chosen mask) then makes this
    /// member's share reveal its key pieces, and T such shares the committee's secret.
    #[arg(long, conflicts_with = "proof_keys")]
    pub unproved: bool,
    /// The clients' training proofs (`vsies prove train`): every update must then state its
    /// signer's proved training exactly (model commitment, rows, round).
    #[arg(long, num_args = 1.., requires_all = ["proof_keys", "training_keys"])]
    pub training_proofs: Vec<PathBuf>,
    /// The key directories the training proofs were made with (`vsies setup train`; one per
    /// row count), each proof checked with the keys it names.
    #[arg(long, num_args = 1..)]
    pub training_keys: Vec<PathBuf>,
}

impl CheckFlags {
    /// The checker the flags ask for (`None` with --unproved).
    pub fn checker(&self) -> anyhow::Result<Option<UpdateChecker>> {
        let (Some(keys), Some(public)) = (&self.proof_keys, &self.public) else {
            if self.unproved {
                return Ok(None);
            }
            anyhow::bail!(
                "updates are checked against their proofs: give --proof-keys KEYS --public public.key \
                 (keys from `vsies setup update`), or --unproved to accept updates without proofs"
            );
        };
        let checker = UpdateChecker::new(Verifier::<UpdateRelation>::load(keys)?, PublicKey::load(public)?);
        if self.training_proofs.is_empty() {
            return Ok(Some(checker));
        }
        Ok(Some(checker.with_trainings(proved_trainings(&self.training_proofs, &self.training_keys)?)))
    }
}

/// The trainings that `proofs` prove, by node, each proof verified with the one of `keys` it
/// names; a node with two proofs is refused.
fn proved_trainings(
    proofs: &[PathBuf],
    keys: &[PathBuf],
) -> anyhow::Result<std::collections::BTreeMap<[u8; 20], ProvedTraining>> {
    let verifiers = keys.iter().map(|dir| TrainingVerifier::load(dir)).collect::<Result<Vec<_>, _>>()?;
    let mut trainings = std::collections::BTreeMap::new();
    for path in proofs {
        let proof = TrainingProof::load(path)?;
        let verifier = verifiers.iter().find(|v| v.id == proof.verifying_key).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: made with verifying key {}, which no --training-keys holds",
                path.display(),
                proof.verifying_key
            )
        })?;
        let statement = verifier.verify_training(&proof, path)?;
        let training = ProvedTraining {
            trained: commitment_element(&statement.trained),
            rows: proof.rows as u64,
            round: statement.round,
        };
        if trainings.insert(statement.node, training).is_some() {
            anyhow::bail!("{}: a second training proof of node {}", path.display(), proof.node);
        }
    }
    Ok(trainings)
}

#[derive(Args)]
pub struct VerifyUpdateArgs {
    /// A client's encrypted update.
    update: PathBuf,
    /// Keys from `vsies setup update`.
    #[arg(long)]
    proof_keys: PathBuf,
    /// The committee's public.key.
    #[arg(long)]
    public: PathBuf,
    /// The client's training proof (`vsies prove train`): checks that the update proof opens
    /// its trained-model commitment and states its rows, round and node.
    #[arg(long, requires = "training_keys")]
    training_proof: Option<PathBuf>,
    /// The training proof's keys (`vsies setup train`).
    #[arg(long)]
    training_keys: Option<PathBuf>,
}

/// `vsies agg verify-update`: exit 0 when the update's proof holds (and matches the training
/// proof given), 1 when it does not.
pub fn verify_update(args: VerifyUpdateArgs) -> anyhow::Result<i32> {
    let update = EncryptedUpdate::load(&args.update)?;
    let checker =
        UpdateChecker::new(Verifier::<UpdateRelation>::load(&args.proof_keys)?, PublicKey::load(&args.public)?);
    let (trained, rows) = checker.check(&update, &args.update)?;
    let signer = update.signature.map(|s| vsies_secure_agg::signing::format_address(&s.address)).unwrap_or_default();
    say!(
        "valid: {} is an honest encryption of {rows} rows times the weights of commitment {}, for round {}, signed by {signer}",
        args.update.display(),
        vsies_zk::field::field_hex(&trained),
        update.round
    );
    if let (Some(path), Some(keys)) = (&args.training_proof, &args.training_keys) {
        let proof = TrainingProof::load(path)?;
        let verifier = TrainingVerifier::load(keys)?;
        let statement = match verifier.verify_training(&proof, path) {
            Ok(statement) => statement,
            Err(err) => return Ok(super::zk::refusal(&err)),
        };
        let mismatch = [
            (commitment_element(&statement.trained) != trained, "trained-model commitment"),
            (proof.rows as u64 != rows, "row count"),
            (statement.round != update.round, "round"),
            (Some(statement.node) != update.signature.map(|s| s.address), "node (signer)"),
        ];
        if let Some((_, what)) = mismatch.iter().find(|(differs, _)| *differs) {
            eprintln!(
                "invalid: {} states another {what} than the training proof {}",
                args.update.display(),
                path.display()
            );
            return Ok(crate::failure::EXIT_INVALID);
        }
        say!("and it opens the trained commitment and states the rows, round and node of {}", path.display());
    }
    Ok(0)
}
