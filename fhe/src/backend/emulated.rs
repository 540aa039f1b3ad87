//! The linear layer on vsies-kernels' CUDA source (`kernels/cuda/lwe.cu`), run by its CPU
//! emulator: compact lists go through the kernel; secret-key rows (whose masks are
//! regenerated from seeds by tfhe-rs's CSPRNG, which has no kernel) stay on [`Cpu`].

use super::cpu::Cpu;
use super::linear::LinearBackend;
use crate::dataset::{Ciphertexts, EncryptedDataset};
use crate::params::LWE_DIMENSION;

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
}
