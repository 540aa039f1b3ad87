//! vsies-kernels' CUDA sources run by its CPU emulator behind both seams.
//!
//! - The linear layer (`kernels/cuda/lwe.cu`): compact lists go through the kernel;
//!   secret-key rows (whose masks are regenerated from seeds by tfhe-rs's CSPRNG, which has
//!   no kernel) stay on [`Cpu`].
//! - Bootstraps and key switches (`kernels/cuda/bootstrap.cu`, `keyswitch.cu`): the key is
//!   prepared once in the kernels' NTT domain, and the outputs are tfhe-rs's bit for bit.

use super::bootstrap::{check_bootstrap, check_key, check_keyswitch, ntt_modulus, BootstrapBackend, KeyShape};
use super::cpu::Cpu;
use super::linear::LinearBackend;
use crate::dataset::{Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;
use crate::FheError;
use tfhe::core_crypto::prelude::{
    GlweCiphertextOwned, GlweSize, LweBootstrapKeyOwned, LweCiphertextList, LweCiphertextListOwned, LweDimension,
    LweKeyswitchKeyOwned, LweSize, PolynomialSize,
};
use vsies_kernels::tfhe::{self as kernels, BootstrapShape, KeyswitchShape, PreparedBootstrapKey};

/// The GPU kernel's code path without a GPU; the same bits as [`Cpu`] (tested).
#[derive(Clone, Copy, Debug, Default)]
pub struct Emulated;

impl LinearBackend for Emulated {
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>> {
        match data.ciphertexts() {
            Ciphertexts::SeededRows { .. } => Cpu.weighted_rows(data, weights),
            Ciphertexts::CompactLists { rows_per_list, lists }
            | Ciphertexts::ProvedLists { rows_per_list, lists, .. } => lists
                .iter()
                .flat_map(|container| {
                    let (mask, bodies) = container.split_at(LWE_DIMENSION);
                    let rows = (bodies.len() / data.columns).min(*rows_per_list);
                    // A loaded dataset's lists hold rows_per_list rows of `columns` values
                    // within one mask's 2048 slots (checked when it was read).
                    vsies_kernels::lwe::compact_rows_emulated(mask, bodies, weights, rows)
                        .expect("a loaded dataset's lists fit their mask")
                })
                .collect(),
        }
    }
}

fn refused(error: vsies_kernels::KernelError) -> FheError {
    FheError::Evaluation(error.to_string())
}

/// A list of `size`-value ciphertexts from a kernel's output.
fn list(values: Vec<u64>, size: usize) -> LweCiphertextListOwned<u64> {
    LweCiphertextList::from_container(values, LweSize(size), ntt_modulus())
}

impl BootstrapBackend for Emulated {
    type Key = PreparedBootstrapKey;

    fn prepare_key(&self, standard: &LweBootstrapKeyOwned<u64>) -> Result<Self::Key, FheError> {
        let shape = check_key(standard)?;
        let shape = BootstrapShape {
            lwe_dimension: shape.input_lwe_dimension.0,
            polynomial_size: shape.polynomial_size.0,
            glwe_size: shape.glwe_size.0,
            base_log: standard.decomposition_base_log().0,
            levels: standard.decomposition_level_count().0,
        };
        kernels::prepare_bootstrap_key_emulated(standard.as_ref(), shape).map_err(refused)
    }

    fn bootstrap(
        &self,
        key: &Self::Key,
        accumulator: &GlweCiphertextOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        let shape = KeyShape {
            input_lwe_dimension: LweDimension(key.shape.lwe_dimension),
            glwe_size: GlweSize(key.shape.glwe_size),
            polynomial_size: PolynomialSize(key.shape.polynomial_size),
        };
        check_bootstrap(shape, accumulator, inputs)?;
        let out = kernels::bootstrap_emulated(key, accumulator.as_ref(), inputs.as_ref()).map_err(refused)?;
        Ok(list(out, key.shape.output_lwe_size()))
    }

    fn keyswitch(
        &self,
        key: &LweKeyswitchKeyOwned<u64>,
        inputs: &LweCiphertextListOwned<u64>,
    ) -> Result<LweCiphertextListOwned<u64>, FheError> {
        check_keyswitch(key, inputs)?;
        let shape = KeyswitchShape {
            input_dimension: key.input_key_lwe_dimension().0,
            output_dimension: key.output_key_lwe_dimension().0,
            base_log: key.decomposition_base_log().0,
            levels: key.decomposition_level_count().0,
        };
        let out = kernels::keyswitch_emulated(shape, key.as_ref(), inputs.as_ref()).map_err(refused)?;
        Ok(list(out, key.output_lwe_size().0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;
    use tfhe::core_crypto::prelude::DefaultRandomGenerator;
    use vsies_core::{ContentId, FixedFormat, QuantizedDataset};

    /// On public-key data (compact lists, several lists and a short last one) and on
    /// secret-key data, with weights of every sign and size, the emulated linear layer equals
    /// the CPU's bit for bit.
    #[test]
    fn emulated_linear_layer_equals_the_cpu() {
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(21));
        let keys = crate::Keys::generate_with_seeder(&mut seeder);
        let columns = 30;
        let rows = 150;
        let values: Vec<i32> = (0..rows * columns).map(|i| ((i * 7919) % 256) as i32 - 128).collect();
        let data =
            QuantizedDataset::from_values(ContentId::of(b"schema"), FixedFormat::FEATURES, columns, values, None)
                .unwrap();
        let weights: Vec<u64> = (0..columns as i64).map(|j| ((j * 131 - 2000) * (j % 3 - 1)) as u64).collect();
        for encrypted in [
            EncryptedDataset::encrypt_with_public_key(&data, &keys.public).unwrap(),
            EncryptedDataset::encrypt_with_secret_key(&data, &keys.secret).unwrap(),
        ] {
            assert_eq!(Emulated.weighted_rows(&encrypted, &weights), Cpu.weighted_rows(&encrypted, &weights));
        }
    }

    /// The emulated bootstrap and key switch give tfhe-rs's bytes (through [`Cpu`]) on honest
    /// encryptions and on chosen ciphertexts: zero mask elements (skipped by tfhe-rs),
    /// elements next to 0, p/2 and p (the modulus switch's rounding and its wrap to 2N) and
    /// uniformly random values. Shapes cover k = 1 and 2, several decompositions and N from 128
    /// to 2048.
    #[test]
    fn emulated_bootstraps_and_key_switches_equal_tfhe_rs() {
        use crate::backend::fixture::{Toy, ToyShape};
        use crate::backend::NTT_PRIME;
        let shapes = [
            ToyShape { small: 24, glwe_dimension: 1, polynomial: 256, bootstrap: (10, 3), keyswitch: (4, 5) },
            ToyShape { small: 12, glwe_dimension: 2, polynomial: 128, bootstrap: (7, 4), keyswitch: (3, 7) },
            ToyShape { small: 16, glwe_dimension: 1, polynomial: 2048, bootstrap: (15, 2), keyswitch: (2, 10) },
            ToyShape { small: 8, glwe_dimension: 1, polynomial: 512, bootstrap: (21, 2), keyswitch: (1, 31) },
        ];
        // splitmix64: arbitrary values, reproducibly.
        let mut state = 17u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (state ^ (state >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for (seed, shape) in shapes.into_iter().enumerate() {
            let mut toy = Toy::new(shape, seed as u128 + 40);
            let messages = 8u64;
            let delta = (NTT_PRIME / 2) / messages;
            let lut = toy.lut(messages, delta, |x| (5 * x + 3) % messages);
            let mut inputs = toy.encrypt(&(0..messages).map(|m| m * delta).collect::<Vec<_>>());
            let width = shape.small + 1;
            // The modulus switch's ties: x · 2N ≡ (p - 1)/2 mod p exactly (round half up), and
            // their neighbours.
            let two_n = 2 * shape.polynomial as u128;
            let (p, half) = (u128::from(NTT_PRIME), u128::from(NTT_PRIME / 2));
            let tie = (0..two_n).map(|q| q * p + half).find(|v| v % two_n == 0).map(|v| (v / two_n) as u64).unwrap();
            let edges = [
                0,
                1,
                NTT_PRIME / 2 - 1,
                NTT_PRIME / 2,
                NTT_PRIME / 2 + 1,
                NTT_PRIME - 2,
                NTT_PRIME - 1,
                tie - 1,
                tie,
                tie + 1,
            ];
            let mut chosen: Vec<u64> = (0..3 * width)
                .map(|i| match i % 3 {
                    0 => edges[(i / 3) % edges.len()],
                    1 => next() % NTT_PRIME,
                    _ => 0,
                })
                .collect();
            chosen.extend((0..width).map(|_| next() % NTT_PRIME));
            let mut all = inputs.as_ref().to_vec();
            all.extend(chosen);
            inputs = LweCiphertextList::from_container(all, LweSize(width), ntt_modulus());

            let cpu_key = Cpu.prepare_key(&toy.standard).unwrap();
            let emulated_key = Emulated.prepare_key(&toy.standard).unwrap();
            let expected = Cpu.bootstrap(&cpu_key, &lut, &inputs).unwrap();
            let got = Emulated.bootstrap(&emulated_key, &lut, &inputs).unwrap();
            assert_eq!(got.as_ref(), expected.as_ref(), "bootstrap at {shape:?}");
            let switched = Cpu.keyswitch(&toy.ksk, &expected).unwrap();
            assert_eq!(
                Emulated.keyswitch(&toy.ksk, &expected).unwrap().as_ref(),
                switched.as_ref(),
                "key switch at {shape:?}"
            );
        }
    }

    /// Both backends refuse, with the same error, a ciphertext holding a value not reduced
    /// modulo the NTT prime, a table or inputs of the wrong shape, and a key over another
    /// modulus; an empty batch gives an empty result.
    #[test]
    fn both_backends_refuse_malformed_bootstrap_inputs() {
        use crate::backend::fixture::{Toy, ToyShape};
        use crate::backend::NTT_PRIME;
        let shape = ToyShape { small: 8, glwe_dimension: 1, polynomial: 128, bootstrap: (10, 2), keyswitch: (4, 4) };
        let mut toy = Toy::new(shape, 9);
        let lut = toy.lut(4, NTT_PRIME / 8, |x| x);
        let honest = toy.encrypt(&[0, NTT_PRIME / 8]);
        let mut unreduced = honest.as_ref().to_vec();
        unreduced[3] = NTT_PRIME;
        let unreduced = LweCiphertextList::from_container(unreduced, honest.lwe_size(), ntt_modulus());
        let short = LweCiphertextList::from_container(vec![1u64; 8], LweSize(8), ntt_modulus());
        let other_toy = Toy::new(ToyShape { polynomial: 256, ..shape }, 10);
        let wrong_table = other_toy.lut(4, NTT_PRIME / 8, |x| x);
        let cpu_key = Cpu.prepare_key(&toy.standard).unwrap();
        let emulated_key = Emulated.prepare_key(&toy.standard).unwrap();
        for (name, table, inputs) in
            [("unreduced", &lut, &unreduced), ("dimension", &lut, &short), ("table", &wrong_table, &honest)]
        {
            let cpu = Cpu.bootstrap(&cpu_key, table, inputs).unwrap_err().to_string();
            let emulated = Emulated.bootstrap(&emulated_key, table, inputs).unwrap_err().to_string();
            assert_eq!(cpu, emulated, "{name}");
            assert!(cpu.starts_with("evaluation refused"), "{name}: {cpu}");
        }
        assert!(Cpu.keyswitch(&toy.ksk, &unreduced).is_err() && Emulated.keyswitch(&toy.ksk, &short).is_err());
        let mut unreduced_key = toy.standard.clone();
        unreduced_key.as_mut()[0] = NTT_PRIME + 1;
        assert!(Cpu.prepare_key(&unreduced_key).is_err() && Emulated.prepare_key(&unreduced_key).is_err());
        let empty = LweCiphertextList::from_container(Vec::new(), honest.lwe_size(), ntt_modulus());
        assert_eq!(Emulated.bootstrap(&emulated_key, &lut, &empty).unwrap().as_ref().len(), 0);
    }
}
