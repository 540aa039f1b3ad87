//! Key generation and the three key files of `vsies keygen`.
//!
//! | file | holds | who may hold it |
//! |---|---|---|
//! | `secret.key` | the binary LWE secret key (2048 bits) and the key id | the data owner only: it decrypts everything encrypted under this key set. Written 0600, zeroized in memory on drop |
//! | `public.key` | the LWE compact public key (2 x 2048 coefficients, 32 KiB) | anyone who contributes data: it encrypts, and cannot decrypt |
//! | `eval.key` | the parameters and the key id; after `vsies keygen --training`, also the training keys ([`crate::train::TrainingKey`]: a bootstrap key and a key-switching key, 120 MB) | the compute node: encrypted inference is a linear combination with clear weights and needs no more; training under TFHE needs the training keys, which are encryptions under this key set and reveal nothing. The file lets the node refuse ciphertexts of another key set |
//!
//! The key id is the content id of the public key's canonical bytes; every ciphertext records
//! it, so material from another `keygen` is refused by name, not decrypted to garbage.

use crate::error::FheError;
use crate::params::{LWE_DIMENSION, NOISE_BOUND_LOG2};
use std::path::Path;
use tfhe::core_crypto::prelude::*;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{CodecError, Reader, Writer};
use vsies_core::ContentId;
use zeroize::Zeroize;

/// File name of the secret key in a key directory.
pub const SECRET_KEY_FILE: &str = "secret.key";
/// File name of the compact public key.
pub const PUBLIC_KEY_FILE: &str = "public.key";
/// File name of the evaluation key.
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
        self.key.as_mut().zeroize();
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
    /// The key set's id.
    pub key_id: ContentId,
}

/// A full key set, as `keygen` produces it.
pub struct Keys {
    /// The owner's secret key.
    pub secret: SecretKey,
    /// The contributors' encryption key.
    pub public: PublicKey,
    /// The compute node's key.
    pub evaluation: EvaluationKey,
}

/// Parameter header of every key file: n, log2 of the noise bound.
pub(crate) fn parameter_header() -> [u8; 8] {
    let mut header = Writer::with_capacity(8);
    header.u32(LWE_DIMENSION as u32).u32(NOISE_BOUND_LOG2);
    header.into_bytes().try_into().expect("8 bytes")
}

pub(crate) fn check_parameter_header(reader: &mut Reader<'_>, path: &Path) -> Result<(), FheError> {
    if reader.take("parameters", 8).ok() != Some(&parameter_header()[..]) {
        return Err(FheError::malformed(path, "key parameters differ from this build's (n = 2048, TUniform(17))"));
    }
    Ok(())
}

/// A codec error in the file at `path`.
pub(crate) fn decode_error(path: &Path) -> impl FnOnce(CodecError) -> FheError + '_ {
    move |err| FheError::malformed(path, &err.to_string())
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
    /// The key set's id.
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = Writer::with_capacity(8 + 36 + LWE_DIMENSION);
        payload.raw(&parameter_header()).cid(&self.key_id);
        let mut bits: Vec<u8> = self.key.as_ref().iter().map(|&bit| bit as u8).collect();
        payload.raw(&bits);
        bits.zeroize();
        let mut payload = payload.into_bytes();
        let mut bytes = artifact::encode_binary(ArtifactKind::FheSecretKey, &payload);
        payload.zeroize();
        let result = artifact::write_atomic_private(path, &bytes);
        bytes.zeroize();
        result.map_err(|source| FheError::Io { path: path.into(), source })
    }

    /// Reads `secret.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let mut payload = artifact::read_binary(path, ArtifactKind::FheSecretKey)?;
        let result = Self::decode(&payload, path);
        payload.zeroize();
        result
    }

    fn decode(payload: &[u8], path: &Path) -> Result<Self, FheError> {
        let mut reader = Reader::new(payload);
        check_parameter_header(&mut reader, path)?;
        let key_id = reader.cid("key id").map_err(decode_error(path))?;
        let bits = reader.take("secret key", LWE_DIMENSION).map_err(decode_error(path))?;
        reader.finish().map_err(decode_error(path))?;
        if bits.iter().any(|&bit| bit > 1) {
            return Err(FheError::malformed(path, "not a 2048-bit binary LWE secret key"));
        }
        let key = LweSecretKey::from_container(bits.iter().map(|&bit| u64::from(bit)).collect::<Vec<_>>());
        Ok(Self { key, key_id })
    }
}

impl PublicKey {
    /// The key set's id (the content id of this key).
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = Writer::with_capacity(8 + 8 * 2 * LWE_DIMENSION);
        payload.raw(&parameter_header());
        self.key.as_ref().iter().for_each(|&coefficient| {
            payload.u64(coefficient);
        });
        artifact::write_binary(path, ArtifactKind::FhePublicKey, &payload.into_bytes()).map_err(FheError::from)
    }

    /// Reads `public.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::FhePublicKey)?;
        let mut reader = Reader::new(&payload);
        check_parameter_header(&mut reader, path)?;
        if reader.remaining() != 8 * 2 * LWE_DIMENSION {
            return Err(FheError::malformed(path, "a compact public key has 2 x 2048 coefficients"));
        }
        let coefficients = read_u64s(&mut reader, 2 * LWE_DIMENSION, path)?;
        let key = LweCompactPublicKey::from_container(coefficients, CiphertextModulus::new_native());
        let key_id = public_key_id(&key);
        Ok(Self { key, key_id })
    }
}

impl EvaluationKey {
    fn save(&self, path: &Path) -> Result<(), FheError> {
        let mut payload = Writer::new();
        payload.raw(&parameter_header()).cid(&self.key_id);
        artifact::write_binary(path, ArtifactKind::FheEvaluationKey, &payload.into_bytes()).map_err(FheError::from)
    }

    /// Reads `eval.key`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::FheEvaluationKey)?;
        let mut reader = Reader::new(&payload);
        check_parameter_header(&mut reader, path)?;
        let key_id = reader.cid("key id").map_err(decode_error(path))?;
        // `keygen --training` appends the training keys (`crate::train::TrainingKey`).
        if reader.remaining() > 0 {
            reader.expect("training keys", crate::train::keys::SECTION_TAG).map_err(decode_error(path))?;
        }
        Ok(Self { key_id })
    }
}

/// `count` little-endian `u64`s.
pub(crate) fn read_u64s(reader: &mut Reader<'_>, count: usize, path: &Path) -> Result<Vec<u64>, FheError> {
    let count = reader.count("coefficients", count as u64, 8).map_err(decode_error(path))?;
    (0..count).map(|_| reader.u64("coefficients").map_err(decode_error(path))).collect()
}
