//! vsies-kernels' CUDA sources run by its CPU emulator behind both seams.
//!
//! - The linear layer (`kernels/cuda/lwe.cu`): compact lists go through the kernel;
//!   secret-key rows (whose masks are regenerated from seeds by tfhe-rs's CSPRNG, which has
//!   no kernel) stay on [`Cpu`](super::Cpu).
//! - Bootstraps and key switches (`kernels/cuda/bootstrap.cu`, `keyswitch.cu`): the key is
//!   prepared once in the kernels' NTT domain, and the outputs are tfhe-rs's bit for bit.

use super::bootstrap::BootstrapBackend;
use super::kernel::{self, refused};
use super::linear::LinearBackend;
use crate::dataset::EncryptedDataset;
use crate::FheError;
use tfhe::core_crypto::prelude::{
    GlweCiphertextListOwned, GlweCiphertextOwned, LweBootstrapKeyOwned, LweCiphertextListOwned, LweKeyswitchKeyOwned,
};
use vsies_kernels::tfhe::{self as kernels, PreparedBootstrapKey};

/// The GPU kernel's code path without a GPU; the same bits as [`Cpu`](super::Cpu) (tested).
#[derive(Clone, Copy, Debug, Default)]
pub struct Emulated;

impl LinearBackend for Emulated {
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>> {
        // A loaded dataset's lists hold rows_per_list rows of `columns` values within one
        // mask's 2048 slots (checked when it was read).
        kernel::weighted_rows(data, weights, vsies_kernels::lwe::compact_rows_emulated)
            .expect("a loaded dataset's lists fit their mask")
    }
}

impl BootstrapBackend for Emulated {
    type Key = PreparedBootstrapKey;

    fn prepare_key(&self, standard: &LweBootstrapKeyOwned<u64>) -> Result<Self::Key, FheError> {
        kernels::prepare_bootstrap_key_emulated(standard.as_ref(), kernel::bootstrap_shape(standard)?).map_err(refused)
    }

    fn bootstrap(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        kernel::bootstrap(key.shape, accumulator, inputs, |table, inputs| {
            kernels::bootstrap_emulated(key, table, inputs)
        })
    }

    fn blind_rotate(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<GlweCiphertextListOwned<u64>, FheError> {
        kernel::blind_rotate(key.shape, accumulator, inputs, |table, inputs| {
            kernels::blind_rotate_emulated(key, table, inputs)
        })
    }

    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        kernel::keyswitch(key, inputs, kernels::keyswitch_emulated)
    }
}

#[cfg(test)]
mod tests {
    use super::super::conformance;
    use super::*;

    #[test]
    fn emulated_linear_layer_equals_the_cpu() {
        conformance::linear_layer_equals_the_cpu(&Emulated);
    }

    #[test]
    fn emulated_bootstraps_and_key_switches_equal_tfhe_rs() {
        conformance::bootstraps_and_key_switches_equal_tfhe_rs(&Emulated);
    }

    #[test]
    fn emulated_backend_refuses_malformed_bootstrap_inputs_as_the_cpu() {
        conformance::refusals_equal_the_cpu(&Emulated);
    }
}
