//! The CPU backend: today's code, the default, and the reference every accelerator is
//! tested against bit for bit. Bootstraps and blind rotations call tfhe-rs; the key switch is
//! the crate's exact key switch (`backend/keyswitch.rs`), tfhe-rs's bits in fewer cycles.

use super::bootstrap::{check_bootstrap, check_key, check_keyswitch, ntt_bootstrap_key, BootstrapBackend, KeyShape};
use super::linear::LinearBackend;
use crate::dataset::{seeded_row, Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;
use crate::FheError;
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

fn shape_of(key: &NttLweBootstrapKeyOwned<u64>) -> KeyShape {
    KeyShape {
        input_lwe_dimension: key.input_lwe_dimension(),
        glwe_size: key.glwe_size(),
        polynomial_size: key.polynomial_size(),
    }
}

impl BootstrapBackend for Cpu {
    type Key = NttLweBootstrapKeyOwned<u64>;

    fn prepare_key(&self, standard: &LweBootstrapKeyOwned<u64>) -> Result<Self::Key, FheError> {
        check_key(standard)?;
        Ok(ntt_bootstrap_key(standard))
    }

    fn bootstrap(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        check_bootstrap(shape_of(key), accumulator, inputs)?;
        let output_size = key.output_lwe_dimension().to_lwe_size();
        let modulus = accumulator.ciphertext_modulus();
        let mut outputs = LweCiphertextList::new(0u64, output_size, inputs.lwe_ciphertext_count(), modulus);
        // One NTT plan per thread; each bootstrap is independent, so the result does not
        // depend on the thread count.
        outputs.par_iter_mut().zip(inputs.par_iter()).for_each(|(mut output, input)| {
            programmable_bootstrap_ntt64_lwe_ciphertext(&input, &mut output, accumulator, key);
        });
        Ok(outputs)
    }

    fn blind_rotate(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<GlweCiphertextListOwned<u64>, FheError> {
        check_bootstrap(shape_of(key), accumulator, inputs)?;
        let count = GlweCiphertextCount(inputs.lwe_ciphertext_count().0);
        let mut outputs = GlweCiphertextList::from_container(
            accumulator.as_ref().repeat(count.0),
            accumulator.glwe_size(),
            accumulator.polynomial_size(),
            accumulator.ciphertext_modulus(),
        );
        debug_assert_eq!(outputs.glwe_ciphertext_count(), count);
        outputs.par_iter_mut().zip(inputs.par_iter()).for_each(|(mut output, input)| {
            blind_rotate_ntt64_assign(&input, &mut output, key);
        });
        Ok(outputs)
    }

    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        check_keyswitch(key, inputs)?;
        let outputs = super::keyswitch::keyswitch_exact(key, inputs.as_ref());
        Ok(LweCiphertextList::from_container(outputs, key.output_lwe_size(), key.ciphertext_modulus()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::fixture::{Toy, ToyShape};

    /// The CPU backend's bootstraps and key switches compute the lookup table exactly, and the
    /// batched call equals one-by-one calls (so a batch's result cannot depend on threads).
    /// Toy parameters (tfhe-rs's own NTT example set): a test of the seam, not of security.
    #[test]
    fn batched_bootstraps_and_key_switches_evaluate_the_lookup_table() {
        let shape = ToyShape { small: 742, glwe_dimension: 1, polynomial: 2048, bootstrap: (23, 1), keyswitch: (4, 5) };
        let mut toy = Toy::new(shape, 3);
        let bsk = Cpu.prepare_key(&toy.standard).unwrap();
        let messages = 1u64 << 4;
        let delta = (1u64 << 63) / messages;
        let table = |x: u64| (3 * x + 1) % messages;
        let lut = toy.lut(messages, delta, table);
        let inputs = toy.encrypt(&(0..messages).map(|m| m * delta).collect::<Vec<_>>());
        let bootstrapped = Cpu.bootstrap(&bsk, &lut, &inputs).unwrap();
        let decode = |key: &LweSecretKeyOwned<u64>, ct: &LweCiphertextView<'_, u64>| {
            let phase = decrypt_lwe_ciphertext(key, ct).0;
            divide_round(phase, delta) % messages
        };
        for (m, ct) in bootstrapped.iter().enumerate() {
            assert_eq!(decode(&toy.big_key, &ct), table(m as u64), "bootstrap of {m}");
        }
        let modulus = inputs.ciphertext_modulus();
        let one = LweCiphertextList::from_container(inputs.get(5).as_ref().to_vec(), inputs.lwe_size(), modulus);
        assert_eq!(Cpu.bootstrap(&bsk, &lut, &one).unwrap().get(0).as_ref(), bootstrapped.get(5).as_ref());
        let switched = Cpu.keyswitch(&toy.ksk, &bootstrapped).unwrap();
        for (m, ct) in switched.iter().enumerate() {
            assert_eq!(decode(&toy.small_key, &ct), table(m as u64), "key switch of {m}");
        }
    }
}
