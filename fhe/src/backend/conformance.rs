//! A conformance suite for the seams: each check runs a backend and [`Cpu`] (tfhe-rs) on the
//! same keys and inputs, honest and chosen, and panics at the first difference. Every backend
//! of this crate passes it in the tests (`Emulated` in CI, `Cuda` on a GPU through
//! `scripts/gpu-check.sh`); a new backend should too.

use super::bootstrap::{ntt_modulus, BootstrapBackend, NTT_PRIME};
use super::cpu::Cpu;
use super::fixture::{edge_values, Toy, ToyShape};
use super::linear::LinearBackend;
use crate::dataset::EncryptedDataset;
use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::{
    extract_lwe_sample_from_glwe_ciphertext, programmable_bootstrap_ntt64_lwe_ciphertext, DefaultRandomGenerator,
    LweCiphertext, LweCiphertextList, LweSize, MonomialDegree,
};
use tfhe::core_crypto::prelude::{ContiguousEntityContainer, ContiguousEntityContainerMut};
use vsies_core::{ContentId, FixedFormat, QuantizedDataset};

/// On public-key data (compact lists, several lists and a short last one) and on
/// secret-key data, with weights of every sign and size, the linear layer equals
/// the CPU's bit for bit.
pub fn linear_layer_equals_the_cpu(backend: &impl LinearBackend) {
    let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(21));
    let keys = crate::Keys::generate_with_seeder(&mut seeder);
    let columns = 30;
    let rows = 150;
    let values: Vec<i32> = (0..rows * columns).map(|i| ((i * 7919) % 256) as i32 - 128).collect();
    let data =
        QuantizedDataset::from_values(ContentId::of(b"schema"), FixedFormat::FEATURES, columns, values, None).unwrap();
    let weights: Vec<u64> = (0..columns as i64).map(|j| ((j * 131 - 2000) * (j % 3 - 1)) as u64).collect();
    for encrypted in [
        EncryptedDataset::encrypt_with_public_key(&data, &keys.public).unwrap(),
        EncryptedDataset::encrypt_with_secret_key(&data, &keys.secret).unwrap(),
    ] {
        assert_eq!(backend.weighted_rows(&encrypted, &weights), Cpu.weighted_rows(&encrypted, &weights));
    }
}

/// The bootstrap, blind rotation and key switch give tfhe-rs's bytes (through [`Cpu`]) on honest
/// encryptions and on chosen ciphertexts: zero mask elements (skipped by tfhe-rs),
/// elements next to 0, p/2 and p (the modulus switch's rounding and its wrap to 2N) and
/// uniformly random values. Shapes cover k = 1 and 2, several decompositions and N from 128
/// to 2048.
pub fn bootstraps_and_key_switches_equal_tfhe_rs<B: BootstrapBackend>(backend: &B) {
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
        let mut edges = edge_values().to_vec();
        edges.extend([tie - 1, tie, tie + 1]);
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
        let backend_key = backend.prepare_key(&toy.standard).unwrap();
        // tfhe-rs's own bootstrap is the reference for the CPU backend and every other one.
        let tfhe_key = super::bootstrap::ntt_bootstrap_key(&toy.standard);
        let mut expected = LweCiphertextList::new(
            0u64,
            LweSize(shape.glwe_dimension * shape.polynomial + 1),
            inputs.lwe_ciphertext_count(),
            ntt_modulus(),
        );
        for (mut output, input) in expected.iter_mut().zip(inputs.iter()) {
            programmable_bootstrap_ntt64_lwe_ciphertext(&input, &mut output, &lut, &tfhe_key);
        }
        assert_eq!(Cpu.bootstrap(&cpu_key, &lut, &inputs).unwrap().as_ref(), expected.as_ref(), "CPU at {shape:?}");
        let got = backend.bootstrap(&backend_key, &lut, &inputs).unwrap();
        assert_eq!(got.as_ref(), expected.as_ref(), "bootstrap at {shape:?}");
        let rotated = Cpu.blind_rotate(&cpu_key, &lut, &inputs).unwrap();
        assert_eq!(
            backend.blind_rotate(&backend_key, &lut, &inputs).unwrap().as_ref(),
            rotated.as_ref(),
            "blind rotation at {shape:?}"
        );
        // A bootstrap is the blind rotation's constant coefficient, extracted.
        for (accumulator, bootstrapped) in rotated.iter().zip(expected.iter()) {
            let mut extracted = LweCiphertext::new(0u64, bootstrapped.lwe_size(), ntt_modulus());
            extract_lwe_sample_from_glwe_ciphertext(&accumulator, &mut extracted, MonomialDegree(0));
            assert_eq!(extracted.as_ref(), bootstrapped.as_ref(), "extraction at {shape:?}");
        }
        let switched = Cpu.keyswitch(&toy.ksk, &expected).unwrap();
        assert_eq!(
            backend.keyswitch(&toy.ksk, &expected).unwrap().as_ref(),
            switched.as_ref(),
            "key switch at {shape:?}"
        );
    }
}

/// The backend refuses as [`Cpu`] does, with the same error, a ciphertext holding a value not reduced
/// modulo the NTT prime, a table or inputs of the wrong shape, and a key over another
/// modulus; an empty batch gives an empty result.
pub fn refusals_equal_the_cpu<B: BootstrapBackend>(backend: &B) {
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
    let backend_key = backend.prepare_key(&toy.standard).unwrap();
    for (name, table, inputs) in
        [("unreduced", &lut, &unreduced), ("dimension", &lut, &short), ("table", &wrong_table, &honest)]
    {
        let cpu = Cpu.bootstrap(&cpu_key, table, inputs).unwrap_err().to_string();
        let refused = backend.bootstrap(&backend_key, table, inputs).unwrap_err().to_string();
        assert_eq!(cpu, refused, "{name}");
        let rotation = backend.blind_rotate(&backend_key, table, inputs).unwrap_err().to_string();
        assert_eq!(cpu, rotation, "{name}: blind rotation");
        assert!(cpu.starts_with("evaluation refused"), "{name}: {cpu}");
    }
    assert!(Cpu.keyswitch(&toy.ksk, &unreduced).is_err() && backend.keyswitch(&toy.ksk, &short).is_err());
    let mut unreduced_key = toy.standard.clone();
    unreduced_key.as_mut()[0] = NTT_PRIME + 1;
    assert!(Cpu.prepare_key(&unreduced_key).is_err() && backend.prepare_key(&unreduced_key).is_err());
    let empty = LweCiphertextList::from_container(Vec::new(), honest.lwe_size(), ntt_modulus());
    assert_eq!(backend.bootstrap(&backend_key, &lut, &empty).unwrap().as_ref().len(), 0);
    assert_eq!(backend.blind_rotate(&backend_key, &lut, &empty).unwrap().as_ref().len(), 0);
}
