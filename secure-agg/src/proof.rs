//! Update proofs: each client update carries a Groth16 proof (`vsies/update/v1`,
//! [`vsies_zk::relations::update`]) that its ciphertext is an honest encryption under the
//! committee key (binary `r`, bounded noise) of `n·W_out` and `n`, for the model commitment
//! `C(W_out)` and the row count its training proof states, bound to the committee, the round,
//! the client's address and the ciphertext. Members and the aggregator refuse updates without a
//! valid one ([`UpdateChecker`]): a crafted mask (the chosen-mask key recovery) or a
//! noise beyond the flooding's reach cannot be proved.

use crate::committee::PublicKey;
use crate::error::AggError;
use crate::params::{BODY_BITS, DELTA_LOG2, MASK_BITS, NOISE_BOUND_LOG2, RING_DEGREE};
use crate::signing::{format_address, Address};
use crate::update::EncryptedUpdate;
use ark_bn254::Fr;
use ark_std::rand::{CryptoRng, RngCore};
use std::path::Path;
use vsies_core::{ContentId, FixedFormat, Model};
use vsies_zk::groth16::{CommittedProof, Prover, Verifier};
use vsies_zk::relations::update::{RingParams, UpdateParams, UpdateRelation, UpdateStatement, RELATION};
use zeroize::Zeroize;

/// Bytes of an encoded [`UpdateProof`]: verifying key id, `C(W_out)`, rows, the proof.
pub const UPDATE_PROOF_BYTES: usize = 32 + 32 + 8 + vsies_zk::groth16::commitment::COMMITTED_PROOF_BYTES;

/// The ring of committee encryption with `packing` bodies per mask, as the update relation
/// states it.
pub fn ring_params(packing: usize) -> RingParams {
    RingParams {
        degree: RING_DEGREE,
        mask_bits: MASK_BITS,
        body_bits: BODY_BITS,
        delta_log2: DELTA_LOG2,
        noise_bound_log2: NOISE_BOUND_LOG2,
        packing,
    }
}

/// The update relation's parameters for models of `width` weights (features and bias) in
/// `format`, under a committee of `packing`.
pub fn update_params(packing: usize, width: usize, format: FixedFormat) -> UpdateParams {
    UpdateParams { relation: RELATION.into(), ring: ring_params(packing), width, weight_format: format }
}

/// An update's proof and what it states besides the update's own fields.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateProof {
    /// The verifying key it was made for.
    pub verifying_key: ContentId,
    /// `C(W_out)`, the training proof's trained-model commitment.
    pub trained: [u8; 32],
    /// The training rows `n`.
    pub rows: u64,
    /// The proof.
    pub proof: CommittedProof,
}

impl UpdateProof {
    /// The encoding inside an update file.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(UPDATE_PROOF_BYTES);
        out.extend_from_slice(self.verifying_key.digest());
        out.extend_from_slice(&self.trained);
        out.extend_from_slice(&self.rows.to_le_bytes());
        out.extend_from_slice(&self.proof.to_bytes());
        out
    }

    /// Reads the encoding (exactly [`UPDATE_PROOF_BYTES`]); points are checked on the curve.
    pub(crate) fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, AggError> {
        if bytes.len() != UPDATE_PROOF_BYTES {
            return Err(AggError::malformed(path, "the update proof has the wrong length"));
        }
        let (key, rest) = bytes.split_at(32);
        let (trained, rest) = rest.split_at(32);
        let (rows, proof) = rest.split_at(8);
        let proof = CommittedProof::from_bytes(proof, path)
            .map_err(|err| AggError::malformed(path, format!("the update proof: {err}")))?;
        Ok(Self {
            verifying_key: ContentId::from_digest(key.try_into().expect("32 bytes")),
            trained: trained.try_into().expect("32 bytes"),
            rows: u64::from_le_bytes(rows.try_into().expect("8 bytes")),
            proof,
        })
    }
}

/// The binary polynomials of an encryption, one per mask: what its proof needs. Zeroized on
/// drop (with them and the ciphertext anyone can strip the encryption).
pub struct EncryptionRandomness {
    pub(crate) binary: Vec<Vec<bool>>,
}

impl Drop for EncryptionRandomness {
    fn drop(&mut self) {
        self.binary.iter_mut().for_each(|r| r.zeroize());
    }
}

/// The statement of `update` (a client's, signed) under `public`, for `trained` and `rows`.
fn statement(
    update: &EncryptedUpdate,
    public: &PublicKey,
    client: [u8; 20],
    trained: Fr,
    rows: u64,
) -> UpdateStatement {
    let chunks = update.coordinates().div_ceil(RING_DEGREE).div_ceil(update.committee.packing);
    let polys = update.coordinates().div_ceil(RING_DEGREE);
    let masks = (0..chunks).map(|chunk| update.stored_mask(chunk)).collect();
    let values: Vec<u128> = update.stored_bodies().collect();
    let bodies = values.chunks(RING_DEGREE).map(<[u128]>::to_vec).collect();
    UpdateStatement {
        committee: *public.id().digest(),
        round: update.round,
        client,
        trained,
        rows,
        mask_key: public.a.clone(),
        body_keys: public.b[..update.committee.packing.min(polys)].to_vec(),
        masks,
        bodies,
    }
}

fn zk_error(path: &Path) -> impl FnOnce(vsies_zk::ZkError) -> AggError + '_ {
    move |err| AggError::Committee(format!("{}: {err}", path.display()))
}

/// Proves `update` (encrypted with `randomness` under `public`, and signed) honest for
/// `model`, whose trained commitment `trained` opens with `blinding` (the training proof's
/// opening), and attaches the proof.
#[allow(clippy::too_many_arguments)]
pub fn prove_update<G: RngCore + CryptoRng>(
    update: &mut EncryptedUpdate,
    public: &PublicKey,
    randomness: &EncryptionRandomness,
    model: &Model,
    trained: Fr,
    blinding: Fr,
    prover: &Prover<UpdateRelation>,
    rng: &mut G,
) -> Result<(), AggError> {
    let signature = update
        .signature
        .ok_or_else(|| AggError::Committee("sign the update before proving it (the proof names its client)".into()))?;
    let relation = &prover.relation;
    let expected = update_params(public.committee.packing, model.weights.len() + 1, model.training.weight_format);
    if relation.params != expected {
        return Err(AggError::Committee(
            "the update keys are for another committee packing, model width or weight format (run `vsies setup update` for this model)".into(),
        ));
    }
    let statement = statement(update, public, signature.address, trained, model.training_samples);
    let here = Path::new("the update");
    let witness = relation
        .witness(&statement, &model.augmented_weights(), blinding, &randomness.binary)
        .map_err(zk_error(here))?;
    let proof = prover.prove_committed(&statement, &witness, rng).map_err(zk_error(here))?;
    update.proof = Some(UpdateProof {
        verifying_key: prover.verifying_key_id(),
        trained: vsies_zk::field::field_bytes(&trained),
        rows: model.training_samples,
        proof,
    });
    Ok(())
}

/// What a client's training proof states that its update must match: the trained model's
/// commitment, the rows and the round (the caller verified the training proof, or read the
/// vault's record of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProvedTraining {
    /// `C(W_out)`.
    pub trained: Fr,
    /// Training rows.
    pub rows: u64,
    /// The round the training was proved for.
    pub round: u64,
}

/// What a member or the aggregator checks every client update with: the update relation's
/// verifying key, the committee's public key and, optionally, each client's proved training.
pub struct UpdateChecker {
    verifier: Verifier<UpdateRelation>,
    public: PublicKey,
    trainings: Option<std::collections::BTreeMap<Address, ProvedTraining>>,
}

impl UpdateChecker {
    /// A checker for updates under `public`, with `verifier`'s keys.
    pub fn new(verifier: Verifier<UpdateRelation>, public: PublicKey) -> Self {
        Self { verifier, public, trainings: None }
    }

    /// The checker that also requires every update to state exactly its signer's proved
    /// training (model commitment, rows, round): an update without a training proof, or
    /// proved for another model than the one trained, is refused.
    pub fn with_trainings(self, trainings: std::collections::BTreeMap<Address, ProvedTraining>) -> Self {
        Self { trainings: Some(trainings), ..self }
    }

    /// The committee's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Checks that `update` (read from `path`) is a signed client update of this committee
    /// carrying a valid proof for these keys; returns what it states (`C(W_out)`, rows).
    pub fn check(&self, update: &EncryptedUpdate, path: &Path) -> Result<(Fr, u64), AggError> {
        let unproved = |reason: String| AggError::UnprovedUpdate { path: path.into(), reason };
        if update.committee_id != self.public.id() {
            return Err(AggError::WrongCommittee {
                path: path.into(),
                expected: self.public.id(),
                found: update.committee_id,
            });
        }
        let Some(proof) = &update.proof else {
            return Err(unproved("it carries no proof (`agg encrypt --proof-keys`)".into()));
        };
        let Some(signature) = update.signature else {
            return Err(unproved("it is not signed, and the proof names its client".into()));
        };
        if proof.verifying_key != self.verifier.id {
            return Err(unproved(format!(
                "proved with verifying key {}, the keys here are {}",
                proof.verifying_key, self.verifier.id
            )));
        }
        let relation = &self.verifier.relation;
        let expected = update_params(update.committee.packing, relation.params.width, relation.params.weight_format);
        if relation.params != expected || update.coordinates() != relation.coordinates() {
            return Err(unproved("the update keys are for another model shape or committee packing".into()));
        }
        let trained = canonical_field(&proof.trained)
            .ok_or_else(|| AggError::malformed(path, "the proof's model commitment is not a field element"))?;
        let statement = statement(update, &self.public, signature.address, trained, proof.rows);
        relation.check_statement(&statement).map_err(|err| unproved(err.to_string()))?;
        let signer = format_address(&signature.address);
        self.verifier
            .verify_committed(&statement, &proof.proof, path)
            .map_err(|err| unproved(format!("{err} (signed by {signer})")))?;
        if let Some(trainings) = &self.trainings {
            let expected = trainings
                .get(&signature.address)
                .ok_or_else(|| unproved(format!("no training proof of its signer {signer} was given")))?;
            let stated = ProvedTraining { trained, rows: proof.rows, round: update.round };
            if stated != *expected {
                return Err(unproved(format!(
                    "it states another model commitment, row count or round than {signer}'s training proof"
                )));
            }
        }
        Ok((trained, proof.rows))
    }
}

/// `Fr` from 32 big-endian bytes, only when they are below the modulus (the canonical form).
pub(crate) fn canonical_field(bytes: &[u8; 32]) -> Option<Fr> {
    use ark_ff::PrimeField;
    let value = Fr::from_be_bytes_mod_order(bytes);
    (vsies_zk::field::field_bytes(&value) == *bytes).then_some(value)
}

/// The stored coefficients of the update, for the statement.
impl EncryptedUpdate {
    /// Mask polynomial of chunk `chunk` as stored (96-bit coefficients).
    pub(crate) fn stored_mask(&self, chunk: usize) -> Vec<u128> {
        self.mask(chunk).into_iter().map(|c| c >> (128 - MASK_BITS)).collect()
    }

    /// Body values as stored (88-bit).
    pub(crate) fn stored_bodies(&self) -> impl Iterator<Item = u128> + '_ {
        self.bodies().map(|c| c >> (128 - BODY_BITS))
    }
}

#[cfg(test)]
mod tests {
    //! The chosen-mask attack and its relatives against real 4096-degree updates: each crafted
    //! update is refused by the checker members and the aggregator use.
    use super::*;
    use crate::committee::{generate, Committee};
    use crate::signing::ClientKey;
    use crate::test_support::CountingSeeder;
    use crate::tests::toy_model;
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use std::sync::OnceLock;
    use vsies_zk::groth16::Keys;

    struct Fixture {
        public: PublicKey,
        other: PublicKey,
        keys: tempfile::TempDir,
        model: Model,
        blinding: Fr,
        trained: Fr,
        client: ClientKey,
    }

    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let (public, _) = generate(Committee::with_packing(3, 2, 1).unwrap(), &mut CountingSeeder(1));
            let (other, _) = generate(Committee::with_packing(3, 2, 1).unwrap(), &mut CountingSeeder(99));
            let model = toy_model(3, 40);
            let keys = tempfile::tempdir().unwrap();
            let params = update_params(1, model.weights.len() + 1, model.training.weight_format);
            Keys::generate(UpdateRelation::new(params).unwrap(), &mut StdRng::seed_from_u64(1), keys.path()).unwrap();
            let blinding = Fr::from(123_456_789u64);
            let trained = vsies_zk::relations::model_commitment::commit(
                model.training.weight_format,
                &model.augmented_weights(),
                blinding,
            );
            let client = ClientKey::from_bytes(&[7; 32]).unwrap();
            Fixture { public, other, keys, model, blinding, trained, client }
        })
    }

    fn prover() -> Prover<UpdateRelation> {
        Prover::load(fixture().keys.path()).unwrap()
    }

    fn checker(public: &PublicKey) -> UpdateChecker {
        UpdateChecker::new(Verifier::load(fixture().keys.path()).unwrap(), public.clone())
    }

    /// An honest client's signed and proved update for `round`.
    fn proved(round: u64, seed: u128) -> EncryptedUpdate {
        let f = fixture();
        let (mut update, randomness) =
            EncryptedUpdate::encrypt_keeping_randomness(&f.public, &f.model, round, &mut CountingSeeder(seed)).unwrap();
        update.sign(&f.client).unwrap();
        let mut rng = StdRng::seed_from_u64(5);
        prove_update(&mut update, &f.public, &randomness, &f.model, f.trained, f.blinding, &prover(), &mut rng)
            .unwrap();
        update
    }

    fn refused(update: &EncryptedUpdate, public: &PublicKey, needle: &str) {
        let err = checker(public).check(update, Path::new("u.vsies")).unwrap_err();
        assert!(err.is_checked_invalid() && err.to_string().contains(needle), "{err}");
    }

    #[test]
    fn an_honest_update_proves_verifies_and_survives_its_file() {
        let f = fixture();
        let update = proved(4, 10);
        let (trained, rows) = checker(&f.public).check(&update, Path::new("u.vsies")).unwrap();
        assert_eq!((trained, rows), (f.trained, 40));
        let dir = tempfile::tempdir().unwrap();
        update.save(&dir.path().join("u.vsies")).unwrap();
        let loaded = EncryptedUpdate::load(&dir.path().join("u.vsies")).unwrap();
        assert_eq!(loaded.proof, update.proof);
        checker(&f.public).check(&loaded, Path::new("u.vsies")).unwrap();
    }

    #[test]
    fn a_chosen_mask_is_refused_with_or_without_a_borrowed_proof() {
        let f = fixture();
        let honest = proved(4, 20);
        // The key-recovery attack: a mask that is a large constant, not a·r + e, re-signed by
        // the (registered, malicious) client, carrying the honest update's proof.
        let mut crafted = honest.clone();
        let mut mask = vec![0u128; RING_DEGREE];
        mask[0] = 1 << 90;
        let mut masks = Vec::new();
        crate::ring::pack(mask, MASK_BITS, &mut masks);
        crafted.replace_masks(masks);
        crafted.sign(&f.client).unwrap();
        refused(&crafted, &f.public, "Groth16");
        // Without any proof.
        crafted.proof = None;
        refused(&crafted, &f.public, "carries no proof");
        // Its own proof cannot be made: no binary r and small error give that mask.
        let (_, randomness) =
            EncryptedUpdate::encrypt_keeping_randomness(&f.public, &f.model, 4, &mut CountingSeeder(20)).unwrap();
        let mut rng = StdRng::seed_from_u64(6);
        let err =
            prove_update(&mut crafted, &f.public, &randomness, &f.model, f.trained, f.blinding, &prover(), &mut rng)
                .unwrap_err();
        assert!(err.to_string().contains("not an encryption"), "{err}");
    }

    #[test]
    fn a_proof_counts_only_for_its_committee_round_client_rows_and_model() {
        let f = fixture();
        let honest = proved(4, 30);
        // Another committee's key.
        refused(&honest, &f.other, "another `agg keygen`");
        // Replayed into round 5 (header rewritten and re-signed): the proof states round 4.
        let mut replayed = honest.clone();
        replayed.round = 5;
        replayed.sign(&f.client).unwrap();
        refused(&replayed, &f.public, "Groth16");
        // Re-signed by another client: the proof names the first.
        let mut stolen = honest.clone();
        stolen.sign(&ClientKey::from_bytes(&[8; 32]).unwrap()).unwrap();
        refused(&stolen, &f.public, "Groth16");
        // Claiming more rows, or another model commitment.
        let mut more = honest.clone();
        more.proof.as_mut().unwrap().rows += 1;
        refused(&more, &f.public, "Groth16");
        let mut other = honest.clone();
        other.proof.as_mut().unwrap().trained = vsies_zk::field::field_bytes(&(f.trained + Fr::from(1u64)));
        refused(&other, &f.public, "Groth16");
        // Unsigned: the proof names a client that is not there.
        let mut unsigned = honest.clone();
        unsigned.signature = None;
        refused(&unsigned, &f.public, "not signed");
        // A model the opening does not open cannot be proved.
        let (mut update, randomness) =
            EncryptedUpdate::encrypt_keeping_randomness(&f.public, &f.model, 4, &mut CountingSeeder(31)).unwrap();
        update.sign(&f.client).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let wrong = f.blinding + Fr::from(1u64);
        let err = prove_update(&mut update, &f.public, &randomness, &f.model, f.trained, wrong, &prover(), &mut rng)
            .unwrap_err();
        assert!(err.to_string().contains("do not open"), "{err}");
    }

    #[test]
    fn with_trainings_an_update_must_state_its_signers_proved_training() {
        let f = fixture();
        let honest = proved(4, 40);
        let address = f.client.address();
        let training = ProvedTraining { trained: f.trained, rows: 40, round: 4 };
        let with = |trainings: &[(Address, ProvedTraining)]| {
            checker(&f.public).with_trainings(trainings.iter().copied().collect()).check(&honest, Path::new("u.vsies"))
        };
        with(&[(address, training)]).unwrap();
        // No training proof of the signer; a training of another model, other rows, another round.
        assert!(with(&[]).unwrap_err().to_string().contains("no training proof of its signer"));
        for other in [
            ProvedTraining { trained: f.trained + Fr::from(1u64), ..training },
            ProvedTraining { rows: 41, ..training },
            ProvedTraining { round: 3, ..training },
        ] {
            let err = with(&[(address, other)]).unwrap_err();
            assert!(err.is_checked_invalid() && err.to_string().contains("training proof"), "{err}");
        }
    }
}
