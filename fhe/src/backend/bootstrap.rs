//! The bootstrap and key-switch seam.

use crate::FheError;
use tfhe::core_crypto::prelude::{
    convert_standard_lwe_bootstrap_key_to_ntt64, CiphertextModulus, GlweCiphertextListOwned, GlweCiphertextOwned,
    GlweSize, LweBootstrapKeyOwned, LweCiphertextListOwned, LweDimension, LweKeyswitchKeyOwned, NttLweBootstrapKey,
    NttLweBootstrapKeyOption, NttLweBootstrapKeyOwned, PolynomialSize,
};

/// The NTT prime `2^64 - 2^32 + 1` of tfhe-rs's deterministic bootstrap: bootstrap keys,
/// lookup tables and the ciphertexts bootstrapped or key-switched live modulo it.
pub const NTT_PRIME: u64 = 0xFFFF_FFFF_0000_0001;

/// The ciphertext modulus [`NTT_PRIME`].
pub fn ntt_modulus() -> CiphertextModulus<u64> {
    CiphertextModulus::try_new(u128::from(NTT_PRIME)).expect("the NTT prime is a valid modulus")
}

/// `standard` (generated over the NTT prime) in tfhe-rs's NTT domain, as [`Cpu`](super::Cpu)
/// bootstraps with it.
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

fn refuse(reason: String) -> FheError {
    FheError::Evaluation(reason)
}

fn reduced(what: &str, values: &[u64]) -> Result<(), FheError> {
    match values.iter().position(|&v| v >= NTT_PRIME) {
        Some(i) => Err(refuse(format!("{what}: value {i} ({}) is not reduced modulo the NTT prime", values[i]))),
        None => Ok(()),
    }
}

/// The dimensions of a bootstrap key that its inputs and lookup table must fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShape {
    /// The inputs' LWE dimension.
    pub input_lwe_dimension: LweDimension,
    /// The lookup table's GLWE size.
    pub glwe_size: GlweSize,
    /// The lookup table's polynomial size.
    pub polynomial_size: PolynomialSize,
}

/// Checks that `standard` is a key over the NTT prime, as every backend's `prepare_key` does;
/// returns its shape.
pub fn check_key(standard: &LweBootstrapKeyOwned<u64>) -> Result<KeyShape, FheError> {
    if standard.ciphertext_modulus() != ntt_modulus() {
        return Err(refuse("a bootstrap key must be generated modulo the NTT prime".into()));
    }
    reduced("the bootstrap key", standard.as_ref())?;
    Ok(KeyShape {
        input_lwe_dimension: standard.input_lwe_dimension(),
        glwe_size: standard.glwe_size(),
        polynomial_size: standard.polynomial_size(),
    })
}

/// What every backend checks before a bootstrap: the table and inputs modulo the NTT prime,
/// the table a GLWE ciphertext of the key's output shape, every input of the key's input
/// dimension, and every value reduced (a hostile ciphertext's unreduced values would make the
/// backends disagree, so they are refused, never evaluated).
pub fn check_bootstrap(
    key: KeyShape,
    accumulator: &GlweCiphertextOwned<u64>,
    inputs: &LweCiphertextListOwned<u64>,
) -> Result<(), FheError> {
    if accumulator.ciphertext_modulus() != ntt_modulus() || inputs.ciphertext_modulus() != ntt_modulus() {
        return Err(refuse("a bootstrap needs its table and inputs modulo the NTT prime".into()));
    }
    if accumulator.glwe_size() != key.glwe_size || accumulator.polynomial_size() != key.polynomial_size {
        return Err(refuse(format!(
            "a lookup table of GLWE size {} and {} coefficients for a key of GLWE size {} and {}",
            accumulator.glwe_size().0,
            accumulator.polynomial_size().0,
            key.glwe_size.0,
            key.polynomial_size.0
        )));
    }
    if inputs.lwe_size() != key.input_lwe_dimension.to_lwe_size() {
        return Err(refuse(format!(
            "ciphertexts of dimension {} for a bootstrap key from dimension {}",
            inputs.lwe_size().to_lwe_dimension().0,
            key.input_lwe_dimension.0
        )));
    }
    reduced("the lookup table", accumulator.as_ref())?;
    reduced("the ciphertexts", inputs.as_ref())
}

/// What every backend checks before a key switch, as [`check_bootstrap`] does, and a
/// decomposition of at least one level of at least one bit, covering fewer than 64 bits, whose
/// unreduced sum of products (`n · levels` terms below `2^(64 + base_log - 1)`) stays below
/// `2^127` (the CPU's exact key switch accumulates it in 128 bits).
pub fn check_keyswitch(key: &LweKeyswitchKeyOwned<u64>, inputs: &LweCiphertextListOwned<u64>) -> Result<(), FheError> {
    if key.ciphertext_modulus() != ntt_modulus() || inputs.ciphertext_modulus() != ntt_modulus() {
        return Err(refuse("a key switch needs its key and inputs modulo the NTT prime".into()));
    }
    let (base_log, levels) = (key.decomposition_base_log().0, key.decomposition_level_count().0);
    let terms = (key.input_key_lwe_dimension().0 * levels).max(1) as u128;
    let sum_bits = 64 + base_log.saturating_sub(1) as u32 + (128 - (terms - 1).leading_zeros());
    if base_log == 0 || levels == 0 || base_log * levels >= 64 || sum_bits > 127 {
        return Err(refuse(format!(
            "a key-switching key of {levels} levels of base 2^{base_log}: both must be at least 1, cover fewer than 64 bits, and keep {terms} products below 2^127"
        )));
    }
    reduced("the key-switching key", key.as_ref())?;
    if inputs.lwe_size() != key.input_key_lwe_dimension().to_lwe_size() {
        return Err(refuse(format!(
            "ciphertexts of dimension {} for a key-switching key from dimension {}",
            inputs.lwe_size().to_lwe_dimension().0,
            key.input_key_lwe_dimension().0
        )));
    }
    reduced("the ciphertexts", inputs.as_ref())
}

/// Bootstraps, blind rotations and key switches, batched, modulo the NTT prime. Every backend
/// gives the bits of tfhe-rs's `programmable_bootstrap_ntt64_lwe_ciphertext`,
/// `blind_rotate_ntt64_assign` and `keyswitch_lwe_ciphertext` ([`Cpu`](super::Cpu) calls
/// them), whatever the batch and thread count.
pub trait BootstrapBackend: Sync {
    /// A bootstrap key in this backend's own form: tfhe-rs's NTT domain on the CPU, the
    /// kernels' NTT domain (or device memory) on an accelerator. Prepared once per key.
    type Key: Send + Sync;

    /// Prepares `standard` (a standard-domain key over the NTT prime) for [`Self::bootstrap`].
    fn prepare_key(&self, standard: &LweBootstrapKeyOwned<u64>) -> Result<Self::Key, FheError>;

    /// Programmable bootstrapping of every input: blind rotation of `accumulator` (the lookup
    /// table) by the input's phase under `key`, then sample extraction of the constant
    /// coefficient. Outputs are under the key's GLWE secret key seen as an LWE key.
    fn bootstrap(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError>;

    /// Blind rotation of `accumulator` by every input's phase under `key`, without the sample
    /// extraction: one GLWE accumulator per input, under the key's GLWE secret key. A caller
    /// reads several lookups from one rotation by multiplying the accumulator by small
    /// polynomials before extracting (multi-value bootstrapping).
    fn blind_rotate(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<GlweCiphertextListOwned<u64>, FheError>;

    /// Switches every input from the key's input LWE key to its output LWE key.
    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError>;
}
