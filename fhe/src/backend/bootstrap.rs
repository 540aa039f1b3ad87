//! The bootstrap and key-switch seam.

use tfhe::core_crypto::prelude::{
    GlweCiphertextOwned, LweCiphertextListOwned, LweKeyswitchKeyOwned, NttLweBootstrapKeyOwned,
};

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
