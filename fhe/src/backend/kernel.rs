//! What every kernel backend (the emulator, the GPU) shares: the seams' types as the kernels'
//! flat buffers and shapes, and the checks each seam makes before a kernel sees its inputs.

use super::bootstrap::{check_bootstrap, check_key, check_keyswitch, ntt_modulus, KeyShape};
use super::cpu::Cpu;
use super::linear::LinearBackend;
use crate::dataset::{Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;
use crate::FheError;
use tfhe::core_crypto::prelude::{
    GlweCiphertextList, GlweCiphertextListOwned, GlweCiphertextOwned, GlweSize, LweBootstrapKeyOwned,
    LweCiphertextList, LweCiphertextListOwned, LweDimension, LweKeyswitchKeyOwned, LweSize, PolynomialSize,
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

fn key_shape(shape: BootstrapShape) -> KeyShape {
    KeyShape {
        input_lwe_dimension: LweDimension(shape.lwe_dimension),
        glwe_size: GlweSize(shape.glwe_size),
        polynomial_size: PolynomialSize(shape.polynomial_size),
    }
}

/// A bootstrap on a kernel path: [`check_bootstrap`] for a key prepared with `shape`, then
/// `run` on the table's and inputs' flat values, its output as a list.
pub fn bootstrap<E: std::fmt::Display>(
    shape: BootstrapShape,
    accumulator: &GlweCiphertextOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
    run: impl FnOnce(&[u64], &[u64]) -> Result<Vec<u64>, E>,
) -> Result<LweCiphertextListOwned<u64>, FheError> {
    check_bootstrap(key_shape(shape), accumulator, inputs)?;
    Ok(list(run(accumulator.as_ref(), inputs.as_ref()).map_err(refused)?, shape.output_lwe_size()))
}

/// A blind rotation on a kernel path, as [`bootstrap`]: `run` returns the accumulators.
pub fn blind_rotate<E: std::fmt::Display>(
    shape: BootstrapShape,
    accumulator: &GlweCiphertextOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
    run: impl FnOnce(&[u64], &[u64]) -> Result<Vec<u64>, E>,
) -> Result<GlweCiphertextListOwned<u64>, FheError> {
    check_bootstrap(key_shape(shape), accumulator, inputs)?;
    let values = run(accumulator.as_ref(), inputs.as_ref()).map_err(refused)?;
    Ok(GlweCiphertextList::from_container(
        values,
        GlweSize(shape.glwe_size),
        PolynomialSize(shape.polynomial_size),
        ntt_modulus(),
    ))
}

/// A key switch on a kernel path: [`check_keyswitch`], then `run` on the kernels' shape and
/// the key's and inputs' flat values, its output as a list.
pub fn keyswitch<E: std::fmt::Display>(
    key: &LweKeyswitchKeyOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
    run: impl FnOnce(KeyswitchShape, &[u64], &[u64]) -> Result<Vec<u64>, E>,
) -> Result<LweCiphertextListOwned<u64>, FheError> {
    check_keyswitch(key, inputs)?;
    let shape = KeyswitchShape {
        input_dimension: key.input_key_lwe_dimension().0,
        output_dimension: key.output_key_lwe_dimension().0,
        base_log: key.decomposition_base_log().0,
        levels: key.decomposition_level_count().0,
    };
    Ok(list(run(shape, key.as_ref(), inputs.as_ref()).map_err(refused)?, key.output_lwe_size().0))
}
