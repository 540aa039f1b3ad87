//! Circuit-specific Groth16 keys for a relation, its provers and verifiers, and their files.
//!
//! `proving.key` (for provers) and `verifying.key` (for everyone) each carry the relation's
//! parameters before the key itself; `verification_key.json` is the verifying key in snarkjs's
//! layout. The verifying key's id is the content id of `verifying.key`'s payload; every proof
//! names it.

use super::backend::{Backend, Cpu};
use super::commitment::{knowledge_holds, CommitmentKey, CommittedProof};
use super::key_file::{
    self, ProvingKeyReader, CHUNK_POINTS, PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE,
};
use super::prover::{self, KeySource};
use super::relation::Relation;
use super::{keygen, snarkjs};
use crate::circuit::Builder;
use crate::error::ZkError;
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::ContentId;

/// A relation with one assignment, as arkworks' [`ConstraintSynthesizer`] (in-memory setup and
/// proving, for small relations and for tests that compare with arkworks).
pub struct Circuit<'a, R: Relation> {
    /// The relation.
    pub relation: &'a R,
    /// The public statement.
    pub statement: &'a R::Statement,
    /// The witness.
    pub witness: &'a R::Witness,
}

impl<R: Relation> ConstraintSynthesizer<Fr> for Circuit<'_, R> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.relation.synthesize(&Builder::new(cs), self.statement, self.witness)
    }
}

/// Both keys of a relation.
pub struct Keys<R: Relation> {
    /// For provers.
    pub prover: Prover<R>,
    /// For everyone.
    pub verifier: Verifier<R>,
}

/// What a prover needs: the relation, its proving key (in memory, or the file it streams from)
/// and the verifying key its proofs are checked against before they are returned.
pub struct Prover<R: Relation> {
    /// The relation.
    pub relation: R,
    /// The proving key.
    pub key: ProvingKeyLocation,
    /// The matching verifier.
    pub verifier: Verifier<R>,
}

/// Where a prover's proving key is.
pub enum ProvingKeyLocation {
    /// In memory (small relations, tests).
    Memory(Box<ProvingKey<Bn254>>),
    /// `proving.key`, read through once per proof (the key is never held in memory).
    File(PathBuf),
}

/// What a verifier needs: the relation and its verifying key (with the commitment key of a
/// committing relation).
pub struct Verifier<R: Relation> {
    /// The relation.
    pub relation: R,
    /// The verifying key.
    pub key: VerifyingKey<Bn254>,
    /// The commitment key, for a committing relation.
    pub commitment: Option<CommitmentKey>,
    /// The key prepared for pairings.
    pub prepared: PreparedVerifyingKey<Bn254>,
    /// Content id of `verifying.key`'s payload.
    pub id: ContentId,
}

impl<R: Relation + Clone> Clone for Verifier<R> {
    fn clone(&self) -> Self {
        Self {
            relation: self.relation.clone(),
            key: self.key.clone(),
            commitment: self.commitment.clone(),
            prepared: self.prepared.clone(),
            id: self.id,
        }
    }
}

/// `verifying.key`'s payload: the parameters, the compressed verifying key, and for a
/// committing relation the committed count (`u64` LE) and `σγ` (compressed).
fn encode_verifying_key<R: Relation>(
    params: &R::Params,
    key: &VerifyingKey<Bn254>,
    commitment: Option<&CommitmentKey>,
) -> Vec<u8> {
    let mut payload = key_file::params_header::<R>(params);
    key.serialize_compressed(&mut payload).expect("writing to memory");
    if let Some(commitment) = commitment {
        payload.extend_from_slice(&commitment.committed.to_le_bytes());
        commitment.sigma_gamma_g2.serialize_compressed(&mut payload).expect("writing to memory");
    }
    payload
}

fn decode_verifying_key<R: Relation>(
    payload: &[u8],
    path: &Path,
) -> Result<(R, VerifyingKey<Bn254>, Option<CommitmentKey>), ZkError> {
    let malformed = |reason: String| ZkError::malformed(path, "key file", reason);
    let mut rest = payload;
    let relation = key_file::read_params::<R>(&mut rest, path)?;
    let key = VerifyingKey::deserialize_with_mode(&mut rest, Compress::Yes, Validate::Yes)
        .map_err(|err| malformed(format!("key: {err}")))?;
    let commitment = if R::CHALLENGES > 0 {
        let mut committed = [0u8; 8];
        std::io::Read::read_exact(&mut rest, &mut committed)
            .map_err(|err| malformed(format!("commitment key: {err}")))?;
        let sigma_gamma_g2 = ark_bn254::G2Affine::deserialize_with_mode(&mut rest, Compress::Yes, Validate::Yes)
            .map_err(|err| malformed(format!("commitment key: {err}")))?;
        Some(CommitmentKey { committed: u64::from_le_bytes(committed), sigma_gamma_g2 })
    } else {
        None
    };
    if !rest.is_empty() {
        return Err(malformed("bytes after the key".into()));
    }
    Ok((relation, key, commitment))
}

impl<R: Relation + Clone> Keys<R> {
    /// Generates the keys for `relation` in memory with arkworks, with randomness from `rng`
    /// (the operating system's entropy for real keys).
    pub fn setup<G: RngCore + CryptoRng>(relation: R, rng: &mut G) -> Result<Self, ZkError> {
        let (statement, witness) = relation.setup_assignment();
        let circuit = Circuit { relation: &relation, statement: &statement, witness: &witness };
        if R::CHALLENGES > 0 {
            return Err(ZkError::Relation(format!(
                "{} commits to witnesses: generate its keys with `generate`",
                R::NAME
            )));
        }
        let (proving, verifying) = Groth16::<Bn254>::circuit_specific_setup(circuit, rng)?;
        let verifier = Verifier::new(relation.clone(), verifying, None);
        let key = ProvingKeyLocation::Memory(Box::new(proving));
        Ok(Self { prover: Prover { relation, key, verifier: verifier.clone() }, verifier })
    }

    /// Generates the keys for `relation` straight into `directory`, never holding the proving
    /// key in memory ([`keygen`]); the same files as [`Keys::setup`] then [`Keys::save`] with
    /// the same randomness. Returns the verifier.
    pub fn generate<G: RngCore + CryptoRng>(
        relation: R,
        rng: &mut G,
        directory: &Path,
    ) -> Result<Verifier<R>, ZkError> {
        Self::generate_with(relation, rng, directory, &Cpu, CHUNK_POINTS)
    }

    /// [`Keys::generate`] on `backend`, writing `chunk_points` points at a time.
    pub fn generate_with<G: RngCore + CryptoRng>(
        relation: R,
        rng: &mut G,
        directory: &Path,
        backend: &dyn Backend,
        chunk_points: usize,
    ) -> Result<Verifier<R>, ZkError> {
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        let path = directory.join(PROVING_KEY_FILE);
        let (key, commitment) = keygen::write_proving_key(&relation, rng, backend, &path, chunk_points)?;
        let verifier = Verifier::new(relation, key, commitment);
        verifier.save(directory)?;
        Ok(verifier)
    }

    /// Writes `proving.key`, `verifying.key` and `verification_key.json` into `directory`.
    pub fn save(&self, directory: &Path) -> Result<(), ZkError> {
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        self.verifier.save(directory)?;
        let ProvingKeyLocation::Memory(key) = &self.prover.key else {
            return Err(ZkError::Relation("the proving key is already a file".into()));
        };
        let header = key_file::params_header::<R>(self.prover.relation.params());
        let len = (header.len() + key.uncompressed_size()) as u64;
        // Streamed: no second in-memory copy of a key of gigabytes.
        artifact::write_binary_streamed(
            &directory.join(PROVING_KEY_FILE),
            ArtifactKind::ZkProvingKey,
            len,
            |writer| {
                writer.write_all(&header)?;
                key.serialize_uncompressed(writer).map_err(std::io::Error::other)
            },
        )?;
        Ok(())
    }
}

impl<R: Relation> Prover<R> {
    /// Opens `directory/proving.key` (its relation and fixed elements only; the queries are
    /// streamed by each proof) and `verifying.key`, and checks that they belong together.
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        let path = directory.join(PROVING_KEY_FILE);
        let key = ProvingKeyReader::<R>::open(&path, CHUNK_POINTS)?;
        let verifier = Verifier::<R>::load(directory)?;
        if verifier.relation.params() != key.relation.params()
            || verifier.key != key.vk
            || verifier.commitment != key.commitment
        {
            return Err(ZkError::malformed(path, "key file", "the proving key does not belong to verifying.key"));
        }
        Ok(Self { relation: key.relation, key: ProvingKeyLocation::File(path), verifier })
    }

    /// The id of the verifying key this prover's proofs are for.
    pub fn verifying_key_id(&self) -> ContentId {
        self.verifier.id
    }

    /// A proof of a committing relation ([`super::commitment`]) that `statement` and `witness`
    /// satisfy it, from the key file, on `backend`; verified before it is returned.
    pub fn prove_committed_with<G: RngCore + CryptoRng>(
        &self,
        backend: &dyn Backend,
        statement: &R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<CommittedProof, ZkError> {
        let proof = self.prove_committed_unchecked(backend, statement, witness, rng)?;
        self.check_new_proof(statement, &proof)?;
        Ok(proof)
    }

    /// [`Prover::prove_committed_with`] for a relation whose statement holds values the prover
    /// learns only from the challenge seed ([`Relation::complete_statement`]): the statement
    /// is completed, then the proof verified against it.
    pub fn prove_committed_completing<G: RngCore + CryptoRng>(
        &self,
        backend: &dyn Backend,
        statement: &mut R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<CommittedProof, ZkError> {
        let proof = self.prove_committed_unchecked(backend, statement, witness, rng)?;
        self.relation.complete_statement(statement, witness, proof.challenge_seed());
        self.check_new_proof(statement, &proof)?;
        Ok(proof)
    }

    fn prove_committed_unchecked<G: RngCore + CryptoRng>(
        &self,
        backend: &dyn Backend,
        statement: &R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<CommittedProof, ZkError> {
        let ProvingKeyLocation::File(path) = &self.key else {
            return Err(ZkError::Relation(format!("{}'s proving key must be a file", R::NAME)));
        };
        prover::prove_committed(&self.relation, statement, witness, path, CHUNK_POINTS, backend, rng)
    }

    /// A new proof must verify: one that does not means a damaged key.
    fn check_new_proof(&self, statement: &R::Statement, proof: &CommittedProof) -> Result<(), ZkError> {
        self.verifier.verify_committed(statement, proof, Path::new("the new proof")).map_err(|err| {
            ZkError::Relation(format!(
                "the new proof does not verify ({err}): the proving key is damaged or was made by another vsies version; run the setup again"
            ))
        })
    }

    /// [`Prover::prove_committed_with`] on the CPU.
    pub fn prove_committed<G: RngCore + CryptoRng>(
        &self,
        statement: &R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<CommittedProof, ZkError> {
        self.prove_committed_with(&Cpu, statement, witness, rng)
    }

    /// A Groth16 proof that `statement` and `witness` satisfy the relation, on the CPU; it is
    /// verified before it is returned, so a damaged key never yields a proof.
    pub fn prove_groth16<G: RngCore + CryptoRng>(
        &self,
        statement: &R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<Proof<Bn254>, ZkError> {
        self.prove_groth16_with(&Cpu, statement, witness, rng)
    }

    /// [`Prover::prove_groth16`] with MSMs and FFTs on `backend`.
    pub fn prove_groth16_with<G: RngCore + CryptoRng>(
        &self,
        backend: &dyn Backend,
        statement: &R::Statement,
        witness: &R::Witness,
        rng: &mut G,
    ) -> Result<Proof<Bn254>, ZkError> {
        let source = match &self.key {
            ProvingKeyLocation::Memory(key) => KeySource::Memory(key),
            ProvingKeyLocation::File(path) => KeySource::File { path, chunk_points: CHUNK_POINTS },
        };
        let proof = prover::prove(&self.relation, statement, witness, &source, backend, rng)?;
        // Never hand out a proof that does not verify (a damaged or mismatched proving key).
        self.verifier.verify_groth16(statement, &proof, Path::new("the new proof")).map_err(|err| {
            ZkError::Relation(format!(
                "the new proof does not verify ({err}): the proving key is damaged or was made by another vsies version; run the setup again"
            ))
        })?;
        Ok(proof)
    }
}

impl<R: Relation> Verifier<R> {
    /// The verifier for `relation` with `key` (and `commitment`, for a committing relation).
    pub fn new(relation: R, key: VerifyingKey<Bn254>, commitment: Option<CommitmentKey>) -> Self {
        let id = ContentId::of(&encode_verifying_key::<R>(relation.params(), &key, commitment.as_ref()));
        let prepared = ark_groth16::prepare_verifying_key(&key);
        Self { relation, key, commitment, prepared, id }
    }

    /// Writes `verifying.key` and `verification_key.json` into `directory`.
    pub fn save(&self, directory: &Path) -> Result<(), ZkError> {
        let payload = encode_verifying_key::<R>(self.relation.params(), &self.key, self.commitment.as_ref());
        artifact::write_binary(&directory.join(VERIFYING_KEY_FILE), ArtifactKind::ZkVerifyingKey, &payload)?;
        let path = directory.join(SNARKJS_VERIFYING_KEY_FILE);
        let value = match &self.commitment {
            Some(commitment) => snarkjs::committed_verifying_key(&self.key, commitment),
            None => snarkjs::verifying_key(&self.key),
        };
        let json = serde_json::to_vec_pretty(&value).expect("JSON values serialize");
        artifact::write_atomic(&path, &json).map_err(|source| ZkError::Io { path, source })
    }

    /// Reads `directory/verifying.key`, checking every point; a key of another relation is
    /// refused by name.
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        let path: PathBuf = directory.join(VERIFYING_KEY_FILE);
        let payload = artifact::read_binary(&path, ArtifactKind::ZkVerifyingKey)?;
        let (relation, key, commitment) = decode_verifying_key::<R>(&payload, &path)?;
        Ok(Self::new(relation, key, commitment))
    }

    /// The public inputs a committing proof is checked against: the relation's, the
    /// challenge seed derived from the proof's commitment, then the relation's inputs derived
    /// from the seed ([`Relation::derived_inputs`]).
    pub fn committed_inputs(&self, statement: &R::Statement, proof: &CommittedProof) -> Vec<Fr> {
        let mut inputs = self.relation.public_inputs(statement);
        let seed = crate::transcript::challenge_seed(&proof.commitment.point, &proof.commitment.knowledge);
        inputs.push(seed);
        inputs.extend(self.relation.derived_inputs(statement, seed));
        inputs
    }

    /// Checks a proof of a committing relation: the commitment's proof of knowledge, then the
    /// Groth16 equation with the commitment added to the inputs' accumulation.
    pub fn verify_committed(
        &self,
        statement: &R::Statement,
        proof: &CommittedProof,
        path: &Path,
    ) -> Result<(), ZkError> {
        let invalid = |reason: &str| ZkError::InvalidProof { path: path.into(), reason: reason.into() };
        let Some(key) = &self.commitment else {
            return Err(invalid("these keys are for a relation without commitments"));
        };
        if !knowledge_holds(key, &self.key.gamma_g2, &proof.commitment) {
            return Err(invalid("the commitment's proof of knowledge fails"));
        }
        let inputs = self.committed_inputs(statement, proof);
        let accumulated = Groth16::<Bn254>::prepare_inputs(&self.prepared, &inputs)
            .map_err(|err| invalid(&err.to_string()))?
            + proof.commitment.point;
        match Groth16::<Bn254>::verify_proof_with_prepared_inputs(&self.prepared, &proof.proof, &accumulated) {
            Ok(true) => Ok(()),
            Ok(false) => Err(invalid("the Groth16 check fails")),
            Err(err) => Err(invalid(&err.to_string())),
        }
    }

    /// Checks a Groth16 proof of `statement`; [`ZkError::InvalidProof`] (naming `path`, where
    /// the proof came from) when it fails.
    pub fn verify_groth16(&self, statement: &R::Statement, proof: &Proof<Bn254>, path: &Path) -> Result<(), ZkError> {
        let inputs = self.relation.public_inputs(statement);
        match Groth16::<Bn254>::verify_with_processed_vk(&self.prepared, &inputs, proof) {
            Ok(true) => Ok(()),
            Ok(false) => Err(ZkError::InvalidProof { path: path.into(), reason: "the Groth16 check fails".into() }),
            Err(err) => Err(ZkError::InvalidProof { path: path.into(), reason: err.to_string() }),
        }
    }
}
