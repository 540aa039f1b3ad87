//! Circuit-specific Groth16 keys for a data-validation relation, and their files.
//!
//! `proving.key` (for provers) and `verifying.key` (for everyone) each carry the relation's
//! parameters (schema, maximum rows, buckets) before the key itself; `verification_key.json`
//! is the verifying key in snarkjs's layout. The verifying key's id is the content id of
//! `verifying.key`'s payload; every proof names it.
//!
//! **Trusted setup.** [`DataKeys::setup`] is a circuit-specific Groth16 setup run by one party:
//! whoever keeps its randomness (the "toxic waste") can forge proofs for this relation. vsies
//! drops it when setup returns; a multi-party phase-2 ceremony would remove that trust and is
//! not built.

use crate::circuit::DataCircuit;
use crate::error::ZkError;
use crate::relation::{DataRelation, RelationParams};
use crate::snarkjs;
use ark_bn254::Bn254;
use ark_groth16::{Groth16, PreparedVerifyingKey, ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::ContentId;

pub const PROVING_KEY_FILE: &str = "proving.key";
pub const VERIFYING_KEY_FILE: &str = "verifying.key";
pub const SNARKJS_VERIFYING_KEY_FILE: &str = "verification_key.json";

/// Both keys of a relation.
pub struct DataKeys {
    pub prover: DataProver,
    pub verifier: DataVerifier,
}

/// What a prover needs: the relation and its proving key.
pub struct DataProver {
    pub relation: DataRelation,
    pub key: ProvingKey<Bn254>,
    pub verifying_key_id: ContentId,
}

/// What a verifier needs: the relation and its verifying key.
pub struct DataVerifier {
    pub relation: DataRelation,
    pub key: VerifyingKey<Bn254>,
    pub prepared: PreparedVerifyingKey<Bn254>,
    pub id: ContentId,
}

fn encode(params: &RelationParams, key: &impl CanonicalSerialize, compress: Compress) -> Vec<u8> {
    let json = serde_json::to_vec(params).expect("relation parameters serialize");
    let mut payload = (json.len() as u32).to_le_bytes().to_vec();
    payload.extend_from_slice(&json);
    key.serialize_with_mode(&mut payload, compress).expect("writing to memory");
    payload
}

fn decode<K: CanonicalDeserialize>(
    payload: &[u8],
    path: &Path,
    compress: Compress,
    validate: Validate,
) -> Result<(DataRelation, K), ZkError> {
    let malformed = |reason: String| ZkError::malformed(path, "key file", reason);
    let length = payload.get(..4).ok_or_else(|| malformed("truncated".into()))?;
    let length = u32::from_le_bytes(length.try_into().expect("4 bytes")) as usize;
    let json = payload.get(4..4 + length).ok_or_else(|| malformed("truncated parameters".into()))?;
    let params: RelationParams = serde_json::from_slice(json).map_err(|err| malformed(format!("parameters: {err}")))?;
    let params = RelationParams {
        schema: params.schema.clone().validate().map_err(|err| malformed(err.to_string()))?,
        ..params
    };
    let relation = DataRelation::new(params)?;
    let mut rest = &payload[4 + length..];
    let key =
        K::deserialize_with_mode(&mut rest, compress, validate).map_err(|err| malformed(format!("key: {err}")))?;
    if !rest.is_empty() {
        return Err(malformed("bytes after the key".into()));
    }
    Ok((relation, key))
}

impl DataKeys {
    /// Generates the keys for `relation` with randomness from `rng` (the operating system's
    /// entropy for real keys).
    pub fn setup<R: RngCore + CryptoRng>(relation: DataRelation, rng: &mut R) -> Result<Self, ZkError> {
        let (proving, verifying) = Groth16::<Bn254>::circuit_specific_setup(DataCircuit::for_setup(&relation), rng)?;
        let verifier = DataVerifier::new(relation.clone(), verifying);
        Ok(Self { prover: DataProver { relation, key: proving, verifying_key_id: verifier.id }, verifier })
    }

    /// Writes `proving.key`, `verifying.key` and `verification_key.json` into `directory`.
    pub fn save(&self, directory: &Path) -> Result<(), ZkError> {
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        self.verifier.save(directory)?;
        let path = directory.join(PROVING_KEY_FILE);
        let payload = encode(&self.prover.relation.params, &self.prover.key, Compress::No);
        artifact::write_binary(&path, ArtifactKind::ZkProvingKey, &payload)?;
        Ok(())
    }
}

impl DataProver {
    /// Reads `directory/proving.key` (and the verifying key's id from `verifying.key`).
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        let path = directory.join(PROVING_KEY_FILE);
        let payload = artifact::read_binary(&path, ArtifactKind::ZkProvingKey)?;
        // The proving key is the prover's own file, checksummed: skip the slow subgroup checks.
        let (relation, key): (_, ProvingKey<Bn254>) = decode(&payload, &path, Compress::No, Validate::No)?;
        let verifier = DataVerifier::load(directory)?;
        if verifier.relation.params != relation.params || verifier.key != key.vk {
            return Err(ZkError::malformed(path, "key file", "the proving key does not belong to verifying.key"));
        }
        Ok(Self { relation, key, verifying_key_id: verifier.id })
    }
}

impl DataVerifier {
    fn new(relation: DataRelation, key: VerifyingKey<Bn254>) -> Self {
        let id = ContentId::of(&encode(&relation.params, &key, Compress::Yes));
        let prepared = ark_groth16::prepare_verifying_key(&key);
        Self { relation, key, prepared, id }
    }

    fn save(&self, directory: &Path) -> Result<(), ZkError> {
        let payload = encode(&self.relation.params, &self.key, Compress::Yes);
        artifact::write_binary(&directory.join(VERIFYING_KEY_FILE), ArtifactKind::ZkVerifyingKey, &payload)?;
        let path = directory.join(SNARKJS_VERIFYING_KEY_FILE);
        let json = serde_json::to_vec_pretty(&snarkjs::verifying_key(&self.key)).expect("JSON values serialize");
        artifact::write_atomic(&path, &json).map_err(|source| ZkError::Io { path, source })
    }

    /// Reads `directory/verifying.key`, checking every point.
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        let path: PathBuf = directory.join(VERIFYING_KEY_FILE);
        let payload = artifact::read_binary(&path, ArtifactKind::ZkVerifyingKey)?;
        let (relation, key) = decode(&payload, &path, Compress::Yes, Validate::Yes)?;
        Ok(Self::new(relation, key))
    }
}
