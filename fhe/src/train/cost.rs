//! What a training under TFHE costs, counted without running it: the number of bootstraps
//! depends only on the sizes (which values are public, which encrypted), never on the data,
//! so running a batch's arithmetic on a backend that only counts gives the exact figure.

use super::engine::{Ct, Engine, CT_LEN};
use super::params::{BOOTSTRAP_DECOMPOSITION, KEYSWITCH_DECOMPOSITION, POLYNOMIAL_SIZE, SMALL_LWE_DIMENSION};
use super::step::{known_weights, train_batch, EncryptedRow, Layout};
use crate::backend::{ntt_modulus, BootstrapBackend};
use crate::FheError;
use tfhe::core_crypto::prelude::*;
use vsies_core::{FixedFormat, TrainingConfig};

/// A backend whose bootstraps, blind rotations and key switches return zero ciphertexts of the
/// right shape.
struct Counting;

impl BootstrapBackend for Counting {
    type Key = ();

    fn prepare_key(&self, _: &LweBootstrapKeyOwned<u64>) -> Result<(), FheError> {
        Ok(())
    }

    fn bootstrap(
        &self,
        _: &(),
        _: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        Ok(LweCiphertextList::new(0, LweSize(CT_LEN), inputs.lwe_ciphertext_count(), ntt_modulus()))
    }

    fn blind_rotate(
        &self,
        _: &(),
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<GlweCiphertextListOwned<u64>, FheError> {
        let count = GlweCiphertextCount(inputs.lwe_ciphertext_count().0);
        Ok(GlweCiphertextList::new(0, accumulator.glwe_size(), accumulator.polynomial_size(), count, ntt_modulus()))
    }

    fn keyswitch(
        &self,
        _: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        let size = LweSize(SMALL_LWE_DIMENSION + 1);
        Ok(LweCiphertextList::new(0, size, inputs.lwe_ciphertext_count(), ntt_modulus()))
    }
}

/// Bootstraps of one batch of `rows` rows: from public weights (the first batch, from the
/// round's public model: which of their bits are set changes the count slightly) or from
/// encrypted ones (`None`: every later batch).
pub fn bootstraps_per_batch(
    config: &TrainingConfig,
    format: FixedFormat,
    features: usize,
    rows: usize,
    public_weights: Option<&[i64]>,
) -> Result<u64, FheError> {
    let layout = Layout::new(config, format, features)?;
    let bootstrap_key = LweBootstrapKey::new(
        0u64,
        GlweSize(2),
        PolynomialSize(POLYNOMIAL_SIZE),
        DecompositionBaseLog(BOOTSTRAP_DECOMPOSITION.0),
        DecompositionLevelCount(BOOTSTRAP_DECOMPOSITION.1),
        LweDimension(1),
        ntt_modulus(),
    );
    let keyswitch_key = LweKeyswitchKey::new(
        0u64,
        DecompositionBaseLog(KEYSWITCH_DECOMPOSITION.0),
        DecompositionLevelCount(KEYSWITCH_DECOMPOSITION.1),
        LweDimension(POLYNOMIAL_SIZE),
        LweDimension(1),
        ntt_modulus(),
    );
    let engine = Engine::new(&Counting, &bootstrap_key, &keyswitch_key, None)?;
    let encrypted = || Ct::fresh(vec![0; CT_LEN]);
    let weights = match public_weights {
        Some(weights) => known_weights(weights, config.weight_format),
        None => vec![vec![encrypted(); config.weight_format.bits as usize]; features + 1],
    };
    let row = EncryptedRow { features: vec![vec![encrypted(); format.bits as usize]; features], label: encrypted() };
    train_batch(&engine, &layout, &weights, &vec![row; rows])?;
    Ok(engine.bootstraps())
}
