//! What every kernel backend (the emulator, the GPU) shares: the seams' types as the kernels'
//! flat buffers and shapes, and the checks each seam makes before a kernel sees its inputs.

use super::bootstrap::{check_bootstrap, check_key, check_keyswitch, ntt_modulus, KeyShape};
use super::cpu::Cpu;
use super::linear::LinearBackend;
use crate::dataset::{Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;
use crate::FheError;
use tfhe::core_crypto::prelude::{
    GlweCiphertextOwned, GlweSize, LweBootstrapKeyOwned, LweCiphertextList, LweCiphertextListOwned, LweDimension,
    LweKeyswitchKeyOwned, LweSize, PolynomialSize,
};
use vsies_kernels::tfhe::{BootstrapShape, KeyswitchShape};

/// A kernel's refusal as the seams' error.
pub fn refused(error: impl std::fmt::Display) -> FheError {
    FheError::Evaluation(error.to_string())
}

/// A list of `size`-value ciphertexts from a kernel's output.
pub fn list(values: Vec<u64>, size: usize) -> LweCiphertextListOwned<u64> {
    LweCiphertextList::from_container(values, LweSize(size), ntt_modulus())
}

/// The linear layer with compact lists through `compact_rows` (the kernel: mask, bodies,
/// weights, rows of the list) and secret-key rows (masks regenerated from seeds by tfhe-rs's
/// CSPRNG, which has no kernel) on [`Cpu`]; the first refusal of the kernel, if any.
pub fn weighted_rows<E>(
    data: &EncryptedDataset,
    weights: &[u64],
    compact_rows: impl Fn(&[u64], &[u64], &[u64], usize) -> Result<Vec<Vec<u64>>, E>,
) -> Result<Vec<Vec<u64>>, E> {
    let (rows_per_list, lists) = match data.ciphertexts() {
        Ciphertexts::SeededRows { .. } => return Ok(Cpu.weighted_rows(data, weights)),
        Ciphertexts::CompactLists { rows_per_list, lists } | Ciphertexts::ProvedLists { rows_per_list, lists, .. } => {
            (*rows_per_list, lists)
        }
    };
    let mut out = Vec::with_capacity(data.rows);
    for container in lists {
        let (mask, bodies) = container.split_at(LWE_DIMENSION);
        let rows = (bodies.len() / data.columns).min(rows_per_list);
        out.extend(compact_rows(mask, bodies, weights, rows)?);
    }
    Ok(out)
}

/// The kernels' shape of a checked standard-domain bootstrap key.
pub fn bootstrap_shape(standard: &LweBootstrapKeyOwned<u64>) -> Result<BootstrapShape, FheError> {
    let shape = check_key(standard)?;
    Ok(BootstrapShape {
        lwe_dimension: shape.input_lwe_dimension.0,
        polynomial_size: shape.polynomial_size.0,
        glwe_size: shape.glwe_size.0,
        base_log: standard.decomposition_base_log().0,
        levels: standard.decomposition_level_count().0,
    })
}

/// [`check_bootstrap`] for a key prepared with `shape`.
pub fn check_bootstrap_for(
    shape: BootstrapShape,
    accumulator: &GlweCiphertextOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
) -> Result<(), FheError> {
    let shape = KeyShape {
        input_lwe_dimension: LweDimension(shape.lwe_dimension),
        glwe_size: GlweSize(shape.glwe_size),
        polynomial_size: PolynomialSize(shape.polynomial_size),
    };
    check_bootstrap(shape, accumulator, inputs)
}

/// The kernels' shape of a checked key switch.
pub fn keyswitch_shape(
    key: &LweKeyswitchKeyOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
) -> Result<KeyswitchShape, FheError> {
    check_keyswitch(key, inputs)?;
    Ok(KeyswitchShape {
        input_dimension: key.input_key_lwe_dimension().0,
        output_dimension: key.output_key_lwe_dimension().0,
        base_log: key.decomposition_base_log().0,
        levels: key.decomposition_level_count().0,
    })
}
