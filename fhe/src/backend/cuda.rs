//! The kernels on the process's GPU (the `cuda` feature) behind both seams, as [`Emulated`]
//! runs them on the CPU (the same launches, the same bits).
//!
//! [`Emulated`]: super::Emulated

use super::bootstrap::BootstrapBackend;
use super::kernel::{self, refused};
use super::linear::LinearBackend;
use crate::dataset::EncryptedDataset;
use crate::FheError;
use tfhe::core_crypto::prelude::{
    GlweCiphertextListOwned, GlweCiphertextOwned, LweBootstrapKeyOwned, LweCiphertextListOwned, LweKeyswitchKeyOwned,
};
use vsies_kernels::cuda::{on_gpu_or_cpu, shared, GpuBootstrapKey};

/// vsies-kernels' kernels on the GPU that [`vsies_kernels::cuda::shared`] opens. The linear
/// layer falls back to the CPU (with one warning) when the GPU fails, since its seam cannot
/// fail; bootstraps and key switches return the GPU's error, since their key lives on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cuda;

impl LinearBackend for Cuda {
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>> {
        on_gpu_or_cpu(
            |gpu| {
                kernel::weighted_rows(data, weights, |mask, bodies, weights, rows| {
                    gpu.compact_rows(mask, bodies, weights, rows)
                })
            },
            || super::Cpu.weighted_rows(data, weights),
        )
    }
}

impl BootstrapBackend for Cuda {
    type Key = GpuBootstrapKey;

    fn prepare_key(&self, standard: &LweBootstrapKeyOwned<u64>) -> Result<Self::Key, FheError> {
        let shape = kernel::bootstrap_shape(standard)?;
        shared().and_then(|gpu| gpu.prepare_bootstrap_key(standard.as_ref(), shape)).map_err(refused)
    }

    fn bootstrap(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        kernel::bootstrap(key.shape, accumulator, inputs, |table, inputs| shared()?.bootstrap(key, table, inputs))
    }

    fn blind_rotate(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<GlweCiphertextListOwned<u64>, FheError> {
        kernel::blind_rotate(key.shape, accumulator, inputs, |table, inputs| shared()?.blind_rotate(key, table, inputs))
    }

    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        kernel::keyswitch(key, inputs, |shape, key, inputs| shared()?.keyswitch(shape, key, inputs))
    }
}
