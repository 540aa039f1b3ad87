//! The training keys a compute node needs, appended to `eval.key` by `vsies keygen --training`.
//!
//! A bootstrap key (the small key's 918 bits, each a GGSW ciphertext under the key set's
//! 2048-coefficient key read as one GLWE polynomial) and a key-switching key from the 2048-
//! coefficient key to the small one, both modulo the NTT prime. The small key is generated,
//! used for these two keys and zeroized: nothing decrypts under it, so no file holds it.
//! tfhe-rs's seeded (compressed) keys are not available for non-power-of-two moduli, so the
//! keys are stored in full: 7.5 M coefficients each, 120 MB together.

use super::params::{
    BOOTSTRAP_DECOMPOSITION, GLWE_NOISE_BOUND_LOG2, KEYSWITCH_DECOMPOSITION, POLYNOMIAL_SIZE, SMALL_LWE_DIMENSION,
    SMALL_NOISE_BOUND_LOG2,
};
use crate::backend::{ntt_modulus, NTT_PRIME};
use crate::keys::{check_parameter_header, decode_error, parameter_header, read_u64s, EVALUATION_KEY_FILE};
use crate::{EvaluationKey, FheError, SecretKey};
use std::path::Path;
use tfhe::core_crypto::prelude::*;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::ContentId;
use zeroize::Zeroize;

/// Marks the training section of `eval.key`.
pub const SECTION_TAG: &[u8; 16] = b"vsies/train-v1\n\0";

/// The bootstrap and key-switching keys of encrypted training.
pub struct TrainingKey {
    key_id: ContentId,
    pub(crate) bootstrap: LweBootstrapKeyOwned<u64>,
    pub(crate) keyswitch: LweKeyswitchKeyOwned<u64>,
}

fn bootstrap_len() -> usize {
    SMALL_LWE_DIMENSION * 4 * POLYNOMIAL_SIZE * BOOTSTRAP_DECOMPOSITION.1
}

fn keyswitch_len() -> usize {
    POLYNOMIAL_SIZE * KEYSWITCH_DECOMPOSITION.1 * (SMALL_LWE_DIMENSION + 1)
}

impl TrainingKey {
    /// Generates the training keys of `secret` from the operating system's entropy.
    pub fn generate(secret: &SecretKey) -> Self {
        let mut seeder = new_seeder();
        Self::generate_with_seeder(secret, seeder.as_mut())
    }

    /// Generates the training keys of `secret` from `seeder` (fixed seeds: tests only).
    pub fn generate_with_seeder(secret: &SecretKey, seeder: &mut dyn Seeder) -> Self {
        let (key, mut small) = Self::generate_with_small_key(secret, seeder);
        small.as_mut().zeroize();
        key
    }

    /// Generates the keys and returns the small key too (for noise measurements in tests).
    #[doc(hidden)]
    pub fn generate_with_small_key(secret: &SecretKey, seeder: &mut dyn Seeder) -> (Self, LweSecretKeyOwned<u64>) {
        let mut secret_generator = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let mut encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder);
        let small = LweSecretKey::generate_new_binary(LweDimension(SMALL_LWE_DIMENSION), &mut secret_generator);
        let mut glwe_coefficients = secret.key.as_ref().to_vec();
        let glwe = GlweSecretKey::from_container(glwe_coefficients.as_slice(), PolynomialSize(POLYNOMIAL_SIZE));
        let mut bootstrap = LweBootstrapKey::new(
            0u64,
            GlweSize(2),
            PolynomialSize(POLYNOMIAL_SIZE),
            DecompositionBaseLog(BOOTSTRAP_DECOMPOSITION.0),
            DecompositionLevelCount(BOOTSTRAP_DECOMPOSITION.1),
            LweDimension(SMALL_LWE_DIMENSION),
            ntt_modulus(),
        );
        par_generate_lwe_bootstrap_key(
            &small,
            &glwe,
            &mut bootstrap,
            DynamicDistribution::<u64>::new_t_uniform(GLWE_NOISE_BOUND_LOG2),
            &mut encryption,
        );
        let keyswitch = allocate_and_generate_new_lwe_keyswitch_key(
            &secret.key,
            &small,
            DecompositionBaseLog(KEYSWITCH_DECOMPOSITION.0),
            DecompositionLevelCount(KEYSWITCH_DECOMPOSITION.1),
            DynamicDistribution::<u64>::new_t_uniform(SMALL_NOISE_BOUND_LOG2),
            ntt_modulus(),
            &mut encryption,
        );
        glwe_coefficients.zeroize();
        (Self { key_id: secret.key_id(), bootstrap, keyswitch }, small)
    }

    /// The key set's id.
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    /// The bootstrap key (standard domain, modulo the NTT prime).
    pub fn bootstrap_key(&self) -> &LweBootstrapKeyOwned<u64> {
        &self.bootstrap
    }

    /// The key-switching key from the 2048-coefficient key to the small one.
    pub fn keyswitch_key(&self) -> &LweKeyswitchKeyOwned<u64> {
        &self.keyswitch
    }

    /// Bytes of the two keys' coefficients.
    pub fn size_bytes(&self) -> usize {
        8 * (bootstrap_len() + keyswitch_len())
    }

    /// Writes `eval.key` into `directory`: the evaluation key and these keys, atomically (an
    /// existing `eval.key` of the same key set is replaced by one holding more, nothing else).
    pub fn save(&self, evaluation: &EvaluationKey, directory: &Path) -> Result<(), FheError> {
        if evaluation.key_id != self.key_id {
            return Err(FheError::Evaluation("training keys of another key set".into()));
        }
        let mut payload = Writer::with_capacity(64 + self.size_bytes());
        payload.raw(&parameter_header()).cid(&self.key_id).raw(SECTION_TAG);
        payload
            .u32(SMALL_LWE_DIMENSION as u32)
            .u32(BOOTSTRAP_DECOMPOSITION.0 as u32)
            .u32(BOOTSTRAP_DECOMPOSITION.1 as u32)
            .u32(KEYSWITCH_DECOMPOSITION.0 as u32)
            .u32(KEYSWITCH_DECOMPOSITION.1 as u32);
        for &c in self.bootstrap.as_ref().iter().chain(self.keyswitch.as_ref()) {
            payload.u64(c);
        }
        let path = directory.join(EVALUATION_KEY_FILE);
        artifact::write_binary(&path, ArtifactKind::FheEvaluationKey, &payload.into_bytes()).map_err(FheError::from)
    }

    /// Reads the training keys from `eval.key`; refuses one without them, of other
    /// parameters, or with unreduced coefficients.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::FheEvaluationKey)?;
        let mut reader = Reader::new(&payload);
        check_parameter_header(&mut reader, path)?;
        let key_id = reader.cid("key id").map_err(decode_error(path))?;
        if reader.remaining() == 0 {
            return Err(FheError::malformed(path, "no training keys: run `vsies keygen --training` on this key set"));
        }
        reader.expect("training keys", SECTION_TAG).map_err(decode_error(path))?;
        let expected = [
            SMALL_LWE_DIMENSION,
            BOOTSTRAP_DECOMPOSITION.0,
            BOOTSTRAP_DECOMPOSITION.1,
            KEYSWITCH_DECOMPOSITION.0,
            KEYSWITCH_DECOMPOSITION.1,
        ];
        for (field, want) in
            ["small dimension", "bootstrap base", "bootstrap levels", "key-switch base", "key-switch levels"]
                .into_iter()
                .zip(expected)
        {
            let found = reader.u32(field).map_err(decode_error(path))?;
            if found as usize != want {
                return Err(FheError::malformed(
                    path,
                    &format!("training keys: {field} {found}, this build uses {want}"),
                ));
            }
        }
        let bootstrap = read_u64s(&mut reader, bootstrap_len(), path)?;
        let keyswitch = read_u64s(&mut reader, keyswitch_len(), path)?;
        reader.finish().map_err(decode_error(path))?;
        if let Some(i) = bootstrap.iter().chain(&keyswitch).position(|&c| c >= NTT_PRIME) {
            return Err(FheError::malformed(path, &format!("training keys: coefficient {i} is not reduced modulo p")));
        }
        let bootstrap = LweBootstrapKey::from_container(
            bootstrap,
            GlweSize(2),
            PolynomialSize(POLYNOMIAL_SIZE),
            DecompositionBaseLog(BOOTSTRAP_DECOMPOSITION.0),
            DecompositionLevelCount(BOOTSTRAP_DECOMPOSITION.1),
            ntt_modulus(),
        );
        let keyswitch = LweKeyswitchKey::from_container(
            keyswitch,
            DecompositionBaseLog(KEYSWITCH_DECOMPOSITION.0),
            DecompositionLevelCount(KEYSWITCH_DECOMPOSITION.1),
            LweSize(SMALL_LWE_DIMENSION + 1),
            ntt_modulus(),
        );
        Ok(Self { key_id, bootstrap, keyswitch })
    }
}
