//! Keys for tests and benchmarks of the backend seams: tfhe-rs's own NTT example noise, any
//! shape, from a fixed seed. For the seams' arithmetic and speed, never for security.

use super::bootstrap::ntt_modulus;
use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::*;

/// Values modulo the NTT prime at the edges of reductions and roundings: next to 0, `p/2`
/// and `p`. Chosen ciphertexts of the conformance and key-switch tests are made of them.
pub fn edge_values() -> [u64; 7] {
    let p = super::bootstrap::NTT_PRIME;
    [0, 1, p / 2 - 1, p / 2, p / 2 + 1, p - 2, p - 1]
}

/// The dimensions of a test key set.
#[derive(Clone, Copy, Debug)]
pub struct ToyShape {
    /// The small LWE dimension (the bootstrap's input).
    pub small: usize,
    /// k.
    pub glwe_dimension: usize,
    /// N.
    pub polynomial: usize,
    /// The bootstrap key's decomposition (base log, levels).
    pub bootstrap: (usize, usize),
    /// The key-switching key's decomposition.
    pub keyswitch: (usize, usize),
}

/// Secret keys, a bootstrap key and a key-switching key back to the small key, all modulo the
/// NTT prime, from a fixed seed.
pub struct Toy {
    /// The bootstrap's input key.
    pub small_key: LweSecretKeyOwned<u64>,
    /// The GLWE key seen as an LWE key: the bootstrap's output key.
    pub big_key: LweSecretKeyOwned<u64>,
    /// `k + 1`.
    pub glwe_size: GlweSize,
    /// `N`.
    pub polynomial: PolynomialSize,
    /// The standard-domain bootstrap key.
    pub standard: LweBootstrapKeyOwned<u64>,
    /// The key-switching key from the big key back to the small one.
    pub ksk: LweKeyswitchKeyOwned<u64>,
    lwe_noise: Gaussian<f64>,
    encryption: EncryptionRandomGenerator<DefaultRandomGenerator>,
}

impl Toy {
    /// Generates the key set of `shape` from `seed`.
    pub fn new(shape: ToyShape, seed: u128) -> Self {
        let modulus = ntt_modulus();
        let lwe_noise = Gaussian::from_dispersion_parameter(StandardDev(0.000007069849454709433), 0.0);
        let glwe_noise = Gaussian::from_dispersion_parameter(StandardDev(0.00000000000000029403601535432533), 0.0);
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(seed));
        let mut secret = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let mut encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), &mut seeder);
        let small_key = LweSecretKey::generate_new_binary(LweDimension(shape.small), &mut secret);
        let (glwe_dimension, polynomial) = (GlweDimension(shape.glwe_dimension), PolynomialSize(shape.polynomial));
        let glwe_key = GlweSecretKey::generate_new_binary(glwe_dimension, polynomial, &mut secret);
        let big_key = glwe_key.clone().into_lwe_secret_key();
        let standard = par_allocate_and_generate_new_lwe_bootstrap_key(
            &small_key,
            &glwe_key,
            DecompositionBaseLog(shape.bootstrap.0),
            DecompositionLevelCount(shape.bootstrap.1),
            glwe_noise,
            modulus,
            &mut encryption,
        );
        let ksk = allocate_and_generate_new_lwe_keyswitch_key(
            &big_key,
            &small_key,
            DecompositionBaseLog(shape.keyswitch.0),
            DecompositionLevelCount(shape.keyswitch.1),
            lwe_noise,
            modulus,
            &mut encryption,
        );
        let glwe_size = glwe_dimension.to_glwe_size();
        Self { small_key, big_key, glwe_size, polynomial, standard, ksk, lwe_noise, encryption }
    }

    /// Encryptions of `plaintexts` under the small key.
    pub fn encrypt(&mut self, plaintexts: &[u64]) -> LweCiphertextListOwned<u64> {
        Self::encrypt_under(&self.small_key, self.lwe_noise, &mut self.encryption, plaintexts)
    }

    /// Encryptions of `plaintexts` under the big key (a key switch's inputs).
    pub fn encrypt_big(&mut self, plaintexts: &[u64]) -> LweCiphertextListOwned<u64> {
        Self::encrypt_under(&self.big_key, self.lwe_noise, &mut self.encryption, plaintexts)
    }

    fn encrypt_under(
        key: &LweSecretKeyOwned<u64>,
        noise: Gaussian<f64>,
        encryption: &mut EncryptionRandomGenerator<DefaultRandomGenerator>,
        plaintexts: &[u64],
    ) -> LweCiphertextListOwned<u64> {
        let size = key.lwe_dimension().to_lwe_size();
        let mut list = LweCiphertextList::new(0u64, size, LweCiphertextCount(plaintexts.len()), ntt_modulus());
        for (&m, mut ct) in plaintexts.iter().zip(list.iter_mut()) {
            encrypt_lwe_ciphertext(key, &mut ct, Plaintext(m), noise, encryption);
        }
        list
    }

    /// The lookup table of `table` on `messages` values at scale `delta`.
    pub fn lut(&self, messages: u64, delta: u64, table: impl Fn(u64) -> u64) -> GlweCiphertextOwned<u64> {
        generate_programmable_bootstrap_glwe_lut(
            self.polynomial,
            self.glwe_size,
            messages as usize,
            ntt_modulus(),
            delta,
            table,
        )
    }
}
