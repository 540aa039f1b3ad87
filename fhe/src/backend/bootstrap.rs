//! The bootstrap and key-switch seam.

use tfhe::core_crypto::prelude::{
    convert_standard_lwe_bootstrap_key_to_ntt64, GlweCiphertextOwned, LweBootstrapKeyOwned, LweCiphertextListOwned,
    LweKeyswitchKeyOwned, NttLweBootstrapKey, NttLweBootstrapKeyOption, NttLweBootstrapKeyOwned,
};

/// `standard` (generated over the NTT prime `2^64 - 2^32 + 1`) in the NTT domain, as
/// [`BootstrapBackend::bootstrap`] takes it.
pub fn ntt_bootstrap_key(standard: &LweBootstrapKeyOwned<u64>) -> NttLweBootstrapKeyOwned<u64> {
    let mut key = NttLweBootstrapKey::new(
        0u64,
        standard.input_lwe_dimension(),
        standard.glwe_size(),
        standard.polynomial_size(),
        standard.decomposition_base_log(),
        standard.decomposition_level_count(),
        standard.ciphertext_modulus(),
    );
    convert_standard_lwe_bootstrap_key_to_ntt64(standard, &mut key, NttLweBootstrapKeyOption::Normalize);
    key
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
