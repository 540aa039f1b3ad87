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
use crate::key_file::{self, ProvingKeyReader};
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

/// What a prover needs: the relation, its proving key (in memory, or the file it streams from)
/// and the verifying key its proofs are checked against before they are returned.
pub struct DataProver {
    pub relation: DataRelation,
    pub key: ProvingKeyLocation,
    pub verifier: DataVerifier,
}

/// Where a prover's proving key is.
pub enum ProvingKeyLocation {
    Memory(Box<ProvingKey<Bn254>>),
    /// `proving.key`, read through once per proof (the key is never held in memory).
    File(PathBuf),
}

/// What a verifier needs: the relation and its verifying key.
#[derive(Clone)]
pub struct DataVerifier {
    pub relation: DataRelation,
    pub key: VerifyingKey<Bn254>,
    pub prepared: PreparedVerifyingKey<Bn254>,
    pub id: ContentId,
}

fn encode(params: &RelationParams, key: &impl CanonicalSerialize, compress: Compress) -> Vec<u8> {
    let mut payload = key_file::params_header(params);
    key.serialize_with_mode(&mut payload, compress).expect("writing to memory");
    payload
}

fn decode<K: CanonicalDeserialize>(
    payload: &[u8],
    path: &Path,
    compress: Compress,
    validate: Validate,
) -> Result<(DataRelation, K), ZkError> {
    let mut rest = payload;
    let relation = key_file::read_params(&mut rest, path)?;
    let key = K::deserialize_with_mode(&mut rest, compress, validate)
        .map_err(|err| ZkError::malformed(path, "key file", format!("key: {err}")))?;
    if !rest.is_empty() {
        return Err(ZkError::malformed(path, "key file", "bytes after the key"));
    }
    Ok((relation, key))
}

impl DataKeys {
    /// Generates the keys for `relation` with randomness from `rng` (the operating system's
    /// entropy for real keys).
    pub fn setup<R: RngCore + CryptoRng>(relation: DataRelation, rng: &mut R) -> Result<Self, ZkError> {
        let (proving, verifying) = Groth16::<Bn254>::circuit_specific_setup(DataCircuit::for_setup(&relation), rng)?;
        let verifier = DataVerifier::new(relation.clone(), verifying);
        let key = ProvingKeyLocation::Memory(Box::new(proving));
        Ok(Self { prover: DataProver { relation, key, verifier: verifier.clone() }, verifier })
    }

    /// Generates the keys for `relation` straight into `directory`, never holding the proving
    /// key in memory ([`crate::keygen`]); the same files as [`DataKeys::setup`] then
    /// [`DataKeys::save`] with the same randomness. Returns the verifier.
    pub fn generate<R: RngCore + CryptoRng>(
        relation: DataRelation,
        rng: &mut R,
        directory: &Path,
    ) -> Result<DataVerifier, ZkError> {
        crate::keygen::generate(relation, rng, directory, key_file::CHUNK_POINTS)
    }

    /// Writes `proving.key`, `verifying.key` and `verification_key.json` into `directory`.
    pub fn save(&self, directory: &Path) -> Result<(), ZkError> {
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        self.verifier.save(directory)?;
        let ProvingKeyLocation::Memory(key) = &self.prover.key else {
            return Err(ZkError::Relation("the proving key is already a file".into()));
        };
        let header = key_file::params_header(&self.prover.relation.params);
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

impl DataProver {
    /// Opens `directory/proving.key` (its relation and fixed elements only; the queries are
    /// streamed by each proof) and `verifying.key`, and checks that they belong together.
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        let path = directory.join(PROVING_KEY_FILE);
        let key = ProvingKeyReader::open(&path, key_file::CHUNK_POINTS)?;
        let verifier = DataVerifier::load(directory)?;
        if verifier.relation.params != key.relation.params || verifier.key != key.vk {
            return Err(ZkError::malformed(path, "key file", "the proving key does not belong to verifying.key"));
        }
        Ok(Self { relation: key.relation, key: ProvingKeyLocation::File(path), verifier })
    }

    /// The id of the verifying key this prover's proofs are for.
    pub fn verifying_key_id(&self) -> ContentId {
        self.verifier.id
    }
}

impl DataVerifier {
    pub(crate) fn new(relation: DataRelation, key: VerifyingKey<Bn254>) -> Self {
        let id = ContentId::of(&encode(&relation.params, &key, Compress::Yes));
        let prepared = ark_groth16::prepare_verifying_key(&key);
        Self { relation, key, prepared, id }
    }

    pub(crate) fn save(&self, directory: &Path) -> Result<(), ZkError> {
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
