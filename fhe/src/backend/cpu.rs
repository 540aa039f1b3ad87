//! The CPU backend: today's code, the default, and the reference every accelerator is
//! tested against bit for bit.

use super::bootstrap::BootstrapBackend;
use super::linear::LinearBackend;
use crate::dataset::{seeded_row, Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;
use rayon::prelude::*;
use tfhe::core_crypto::prelude::*;

/// Multi-threaded CPU evaluation (rayon), exact integer arithmetic throughout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu;

/// `accumulator += weight · (a · X^shift)` in `Z/2^64[X]/(X^n + 1)`: coefficient `k` of
/// `a · X^shift` is `a[k - shift]` for `k ≥ shift` and `-a[n + k - shift]` below.
fn add_rotated(accumulator: &mut [u64], a: &[u64], shift: usize, weight: u64) {
    let n = a.len();
    let (low, high) = accumulator.split_at_mut(shift);
    for (acc, &c) in high.iter_mut().zip(&a[..n - shift]) {
        *acc = acc.wrapping_add(c.wrapping_mul(weight));
    }
    for (acc, &c) in low.iter_mut().zip(&a[n - shift..]) {
        *acc = acc.wrapping_sub(c.wrapping_mul(weight));
    }
}

impl LinearBackend for Cpu {
    /// The weighted sum `Σ_j weights_j · ct_(row, j)` of every row's ciphertexts, as one LWE
    /// ciphertext (mask then body) per row, computed in parallel.
    ///
    /// Secret-key rows regenerate each feature's mask from the row seed. Compact lists never
    /// expand: feature `i` of a list has mask `a · X^i` in `Z[X]/(X^n + 1)` (tfhe-rs's
    /// expansion), so the row's weighted mask is accumulated from rotations of the one shared
    /// mask `a`, with no 16 KiB-per-feature intermediate.
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>> {
        let columns = data.columns;
        let weighted = |masks: &mut dyn FnMut(usize, &mut [u64], u64), bodies: &[u64]| {
            let mut accumulator = vec![0u64; LWE_DIMENSION + 1];
            let (mask, body) = accumulator.split_at_mut(LWE_DIMENSION);
            for (j, (&weight, &b)) in weights.iter().zip(bodies).enumerate() {
                masks(j, mask, weight);
                body[0] = body[0].wrapping_add(b.wrapping_mul(weight));
            }
            accumulator
        };
        match data.ciphertexts() {
            Ciphertexts::SeededRows { seeds, bodies } => seeds
                .par_iter()
                .zip(bodies.par_chunks(columns))
                .map(|(&seed, row_bodies)| {
                    let list = seeded_row(seed, row_bodies).decompress_into_lwe_ciphertext_list();
                    let mut add_mask = |j: usize, mask: &mut [u64], weight: u64| {
                        let ciphertext =
                            &list.as_ref()[j * (LWE_DIMENSION + 1)..j * (LWE_DIMENSION + 1) + LWE_DIMENSION];
                        for (m, &c) in mask.iter_mut().zip(ciphertext) {
                            *m = m.wrapping_add(c.wrapping_mul(weight));
                        }
                    };
                    weighted(&mut add_mask, row_bodies)
                })
                .collect(),
            Ciphertexts::CompactLists { rows_per_list, lists }
            | Ciphertexts::ProvedLists { rows_per_list, lists, .. } => lists
                .par_iter()
                .flat_map_iter(|container| {
                    let (shared, list_bodies) = container.split_at(LWE_DIMENSION);
                    let rows = list_bodies.len() / columns;
                    (0..rows.min(*rows_per_list)).map(move |row| {
                        let mut add_mask = |j: usize, mask: &mut [u64], weight: u64| {
                            add_rotated(mask, shared, row * columns + j, weight);
                        };
                        weighted(&mut add_mask, &list_bodies[row * columns..(row + 1) * columns])
                    })
                })
                .collect(),
        }
    }
}

impl BootstrapBackend for Cpu {
    fn bootstrap(
        &self,
        key: &NttLweBootstrapKeyOwned<u64>,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> LweCiphertextListOwned<u64> {
        let output_size = key.output_lwe_dimension().to_lwe_size();
        let modulus = accumulator.ciphertext_modulus();
        let mut outputs = LweCiphertextList::new(0u64, output_size, inputs.lwe_ciphertext_count(), modulus);
        // One NTT plan per thread; each bootstrap is independent, so the result does not
        // depend on the thread count.
        outputs.par_iter_mut().zip(inputs.par_iter()).for_each(|(mut output, input)| {
            programmable_bootstrap_ntt64_lwe_ciphertext(&input, &mut output, accumulator, key);
        });
        outputs
    }

    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> LweCiphertextListOwned<u64> {
        let output_size = key.output_lwe_size();
        let mut outputs =
            LweCiphertextList::new(0u64, output_size, inputs.lwe_ciphertext_count(), key.ciphertext_modulus());
        outputs.par_iter_mut().zip(inputs.par_iter()).for_each(|(mut output, input)| {
            keyswitch_lwe_ciphertext(key, &input, &mut output);
        });
        outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;

    /// The CPU backend's bootstraps and key switches compute the lookup table exactly, and the
    /// batched call equals one-by-one calls (so a batch's result cannot depend on threads).
    /// Toy parameters (tfhe-rs's own NTT example set): a test of the seam, not of security.
    #[test]
    fn batched_bootstraps_and_key_switches_evaluate_the_lookup_table() {
        let modulus = CiphertextModulus::try_new((1u128 << 64) - (1 << 32) + 1).unwrap();
        let (small, glwe_dimension, polynomial) = (LweDimension(742), GlweDimension(1), PolynomialSize(2048));
        let lwe_noise = Gaussian::from_dispersion_parameter(StandardDev(0.000007069849454709433), 0.0);
        let glwe_noise = Gaussian::from_dispersion_parameter(StandardDev(0.00000000000000029403601535432533), 0.0);
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(3));
        let mut secret = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let mut encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), &mut seeder);
        let small_key = LweSecretKey::generate_new_binary(small, &mut secret);
        let glwe_key = GlweSecretKey::generate_new_binary(glwe_dimension, polynomial, &mut secret);
        let big_key = glwe_key.clone().into_lwe_secret_key();
        let standard = par_allocate_and_generate_new_lwe_bootstrap_key(
            &small_key,
            &glwe_key,
            DecompositionBaseLog(23),
            DecompositionLevelCount(1),
            glwe_noise,
            modulus,
            &mut encryption,
        );
        let bsk = crate::backend::ntt_bootstrap_key(&standard);
        let ksk = allocate_and_generate_new_lwe_keyswitch_key(
            &big_key,
            &small_key,
            DecompositionBaseLog(4),
            DecompositionLevelCount(5),
            lwe_noise,
            modulus,
            &mut encryption,
        );
        let messages = 1u64 << 4;
        let delta = (1u64 << 63) / messages;
        let table = |x: u64| (3 * x + 1) % messages;
        let lut = generate_programmable_bootstrap_glwe_lut(
            polynomial,
            glwe_dimension.to_glwe_size(),
            messages as usize,
            modulus,
            delta,
            table,
        );
        let mut inputs =
            LweCiphertextList::new(0u64, small.to_lwe_size(), LweCiphertextCount(messages as usize), modulus);
        for (m, mut ct) in inputs.iter_mut().enumerate() {
            encrypt_lwe_ciphertext(&small_key, &mut ct, Plaintext(m as u64 * delta), lwe_noise, &mut encryption);
        }
        let bootstrapped = Cpu.bootstrap(&bsk, &lut, &inputs);
        let decode = |key: &LweSecretKeyOwned<u64>, ct: &LweCiphertextView<'_, u64>| {
            let phase = decrypt_lwe_ciphertext(key, ct).0;
            divide_round(phase, delta) % messages
        };
        for (m, ct) in bootstrapped.iter().enumerate() {
            assert_eq!(decode(&big_key, &ct), table(m as u64), "bootstrap of {m}");
        }
        let one = LweCiphertextList::from_container(inputs.get(5).as_ref().to_vec(), small.to_lwe_size(), modulus);
        assert_eq!(Cpu.bootstrap(&bsk, &lut, &one).get(0).as_ref(), bootstrapped.get(5).as_ref());
        let switched = Cpu.keyswitch(&ksk, &bootstrapped);
        for (m, ct) in switched.iter().enumerate() {
            assert_eq!(decode(&small_key, &ct), table(m as u64), "key switch of {m}");
        }
    }
}
