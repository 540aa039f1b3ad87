//! Key generation and the three key files of `vsies keygen`.
//!
//! | file | holds | who may hold it |
//! |---|---|---|
//! | `secret.key` | the binary LWE secret key (2048 bits) and the key id | the data owner only: it decrypts everything encrypted under this key set. Written 0600, zeroized in memory on drop |
//! | `public.key` | the LWE compact public key (2 x 2048 coefficients, 32 KiB) | anyone who contributes data: it encrypts, and cannot decrypt |
//! | `eval.key` | the parameters and the key id | the compute node: encrypted inference here is a linear combination with clear weights, so it needs no bootstrapping or keyswitching key; the file lets the node refuse ciphertexts of another key set |
//!
//! The key id is the content id of the public key's canonical bytes; every ciphertext records
//! it, so material from another `keygen` is refused by name, not decrypted to garbage.

use crate::error::FheError;
use crate::params::{LWE_DIMENSION, NOISE_BOUND_LOG2};
use std::path::Path;
use tfhe::core_crypto::prelude::*;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::ContentId;

pub const SECRET_KEY_FILE: &str = "secret.key";
pub const PUBLIC_KEY_FILE: &str = "public.key";
pub const EVALUATION_KEY_FILE: &str = "eval.key";

/// TUniform noise of every encryption.
pub(crate) fn noise_distribution() -> DynamicDistribution<u64> {
    DynamicDistribution::new_t_uniform(NOISE_BOUND_LOG2)
}

/// The owner's binary LWE secret key. Its coefficients are overwritten with zeros on drop.
pub struct SecretKey {
    pub(crate) key: LweSecretKeyOwned<u64>,
    key_id: ContentId,
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        for coefficient in self.key.as_mut().iter_mut() {
            // Volatile so the compiler cannot elide stores to memory about to be freed.
            unsafe { std::ptr::write_volatile(coefficient, 0) };
        }
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// The compact public key: encrypts without the secret key.
#[derive(Clone)]
pub struct PublicKey {
    pub(crate) key: LweCompactPublicKeyOwned<u64>,
    key_id: ContentId,
}

/// What a compute node needs: the key id (and, implicitly, the parameters of this crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvaluationKey {
    pub key_id: ContentId,
}

/// A full key set, as `keygen` produces it.
pub struct Keys {
    pub secret: SecretKey,
    pub public: PublicKey,
    pub evaluation: EvaluationKey,
}

/// Parameter header of every key file: n, log2 of the noise bound.
fn parameter_header() -> [u8; 8] {
    let mut header = [0u8; 8];
    header[..4].copy_from_slice(&(LWE_DIMENSION as u32).to_le_bytes());
    header[4..].copy_from_slice(&NOISE_BOUND_LOG2.to_le_bytes());
    header
}

fn check_parameter_header(bytes: &[u8], path: &Path) -> Result<(), FheError> {
    if bytes.len() < 8 || bytes[..8] != parameter_header() {
        return Err(FheError::malformed(path, "key parameters differ from this build's (n = 2048, TUniform(17))"));
    }
    Ok(())
}

fn public_key_id(key: &LweCompactPublicKeyOwned<u64>) -> ContentId {
    let mut bytes = b"vsies/fhe-public-key/v1\n".to_vec();
    bytes.extend_from_slice(&parameter_header());
    for coefficient in key.as_ref() {
        bytes.extend_from_slice(&coefficient.to_le_bytes());
    }
    ContentId::of(&bytes)
}

impl Keys {
    /// Generates a key set from the operating system's entropy (tfhe-rs's seeder).
    pub fn generate() -> Self {
        let mut seeder = new_seeder();
        Self::generate_with_seeder(seeder.as_mut())
    }

    /// Generates a key set from `seeder`: with a fixed seed (tests, benches) keys are
    /// reproducible; never use a fixed seed for real keys.
    pub fn generate_with_seeder(seeder: &mut dyn Seeder) -> Self {
        let mut secret_generator = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let mut encryption_generator = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder);
        let secret =
            allocate_and_generate_new_binary_lwe_secret_key(LweDimension(LWE_DIMENSION), &mut secret_generator);
        let public = allocate_and_generate_new_lwe_compact_public_key(
            &secret,
            noise_distribution(),
            CiphertextModulus::new_native(),
            &mut encryption_generator,
        );
        let key_id = public_key_id(&public);
        Self {
            secret: SecretKey { key: secret, key_id },
            public: PublicKey { key: public, key_id },
            evaluation: EvaluationKey { key_id },
        }
    }

    /// Writes the three key files into `directory` (created if needed); the secret key 0600.
    pub fn save(&self, directory: &Path) -> Result<(), FheError> {
        std::fs::create_dir_all(directory).map_err(|source| FheError::Io { path: directory.into(), source })?;
        self.evaluation.save(&directory.join(EVALUATION_KEY_FILE))?;
        self.public.save(&directory.join(PUBLIC_KEY_FILE))?;
        self.secret.save(&directory.join(SECRET_KEY_FILE))
    }
}

impl SecretKey {
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = parameter_header().to_vec();
        payload.extend_from_slice(&self.key_id.to_bytes());
        payload.extend(self.key.as_ref().iter().map(|&bit| bit as u8));
        let bytes = artifact::encode_binary(ArtifactKind::FheSecretKey, &payload);
        payload.fill(0);
        let result = artifact::write_atomic_private(path, &bytes);
        result.map_err(|source| FheError::Io { path: path.into(), source })
    }

    /// Reads `secret.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let mut payload = artifact::read_binary(path, ArtifactKind::FheSecretKey)?;
        check_parameter_header(&payload, path)?;
        let expected = 8 + 36 + LWE_DIMENSION;
        if payload.len() != expected || payload[44..].iter().any(|&bit| bit > 1) {
            payload.fill(0);
            return Err(FheError::malformed(path, "not a 2048-bit binary LWE secret key"));
        }
        let key_id = parse_cid(&payload[8..44], path)?;
        let key = LweSecretKey::from_container(payload[44..].iter().map(|&bit| u64::from(bit)).collect::<Vec<_>>());
        payload.fill(0);
        Ok(Self { key, key_id })
    }
}

impl PublicKey {
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = parameter_header().to_vec();
        for coefficient in self.key.as_ref() {
            payload.extend_from_slice(&coefficient.to_le_bytes());
        }
        artifact::write_binary(path, ArtifactKind::FhePublicKey, &payload).map_err(FheError::from)
    }

    /// Reads `public.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::FhePublicKey)?;
        check_parameter_header(&payload, path)?;
        let coefficients = read_u64s(&payload[8..], path)?;
        if coefficients.len() != 2 * LWE_DIMENSION {
            return Err(FheError::malformed(path, "a compact public key has 2 x 2048 coefficients"));
        }
        let key = LweCompactPublicKey::from_container(coefficients, CiphertextModulus::new_native());
        let key_id = public_key_id(&key);
        Ok(Self { key, key_id })
    }
}

impl EvaluationKey {
    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = parameter_header().to_vec();
        payload.extend_from_slice(&self.key_id.to_bytes());
        artifact::write_binary(path, ArtifactKind::FheEvaluationKey, &payload).map_err(FheError::from)
    }

    /// Reads `eval.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::FheEvaluationKey)?;
        check_parameter_header(&payload, path)?;
        if payload.len() != 8 + 36 {
            return Err(FheError::malformed(path, "an evaluation key holds parameters and a key id"));
        }
        Ok(Self { key_id: parse_cid(&payload[8..], path)? })
    }
}

pub(crate) fn parse_cid(bytes: &[u8], path: &Path) -> Result<ContentId, FheError> {
    let prefix = ContentId::from_digest([0; 32]).to_bytes();
    if bytes.len() != 36 || bytes[..4] != prefix[..4] {
        return Err(FheError::malformed(path, "bad content id"));
    }
    Ok(ContentId::from_digest(bytes[4..].try_into().expect("32 bytes")))
}

pub(crate) fn read_u64s(bytes: &[u8], path: &Path) -> Result<Vec<u64>, FheError> {
    if !bytes.len().is_multiple_of(8) {
        return Err(FheError::malformed(path, "coefficient bytes are not a multiple of 8"));
    }
    Ok(bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
}
