//! Backend seams: the two hot loops of encrypted evaluation behind traits, so that an
//! accelerator (the `kernels` crate's CUDA backend) plugs in without touching the protocol
//! code. [`Cpu`] is today's implementation and the default; every other backend must give the
//! same bits on the same inputs and keys (exact integer arithmetic: NTT, never a
//! floating-point FFT, wherever bytes must match).
//!
//! - [`LinearBackend`]: the LWE linear layer of encrypted inference, `Σ_j w_j · ct_j` per row.
//! - [`BootstrapBackend`]: batched programmable bootstrapping (NTT blind rotation, sample
//!   extraction) and LWE key switching, which encrypted training calls per sample and weight.

mod cpu;

pub use cpu::Cpu;

use crate::dataset::EncryptedDataset;
use tfhe::core_crypto::prelude::{
    GlweCiphertextOwned, LweCiphertextListOwned, LweKeyswitchKeyOwned, NttLweBootstrapKeyOwned,
};

/// Evaluates linear combinations of an encrypted dataset's ciphertexts with clear weights.
pub trait LinearBackend: Sync {
    /// `Σ_j weights_j · ct_(row, j)` for every row of `data`, as one LWE ciphertext over
    /// `Z/2^64` (2048 mask coefficients, then the body) per row, in row order. Weights are
    /// two's-complement `u64`s; all arithmetic wraps (it is arithmetic on the torus).
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>>;
}

/// Bootstraps and key switches, batched.
pub trait BootstrapBackend: Sync {
    /// Programmable bootstrapping of every input: blind rotation of `accumulator` (the lookup
    /// table) by the input's phase under `key`, then sample extraction of the constant
    /// coefficient. Outputs are under the key's GLWE secret key seen as an LWE key.
    fn bootstrap(
        &self,
        key: &NttLweBootstrapKeyOwned<u64>,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> LweCiphertextListOwned<u64>;

    /// Switches every input from the key's input LWE key to its output LWE key.
    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> LweCiphertextListOwned<u64>;
}
