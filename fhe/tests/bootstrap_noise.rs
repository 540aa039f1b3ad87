//! Measures the output noise of tfhe-rs's NTT bootstrap at N = 2048, and its time against the
//! f64 FFT bootstrap at the published decomposition (the numbers in
//! `docs/design/encrypted-training-notes.md` and `BENCHMARKS.md`). Run with `--ignored
//! --nocapture`; it asserts only that every bootstrap decrypts to its lookup value.

use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::*;

#[test]
#[ignore = "measurement: prints the NTT bootstrap's output noise per decomposition"]
fn ntt_bootstrap_output_noise_at_n_2048() {
    let p = (1u128 << 64) - (1 << 32) + 1;
    let modulus = CiphertextModulus::try_new(p).unwrap();
    let (small, glwe_dimension, polynomial) = (LweDimension(918), GlweDimension(1), PolynomialSize(2048));
    let lwe_noise = TUniform::<u64>::new(45);
    let glwe_noise = TUniform::<u64>::new(17);
    let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(5));
    let mut secret = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
    let mut encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), &mut seeder);
    let small_key = LweSecretKey::generate_new_binary(small, &mut secret);
    let glwe_key = GlweSecretKey::generate_new_binary(glwe_dimension, polynomial, &mut secret);
    let big_key = glwe_key.clone().into_lwe_secret_key();
    for (base_log, levels) in [(23usize, 1usize), (15, 2), (11, 3), (8, 5)] {
        let standard = par_allocate_and_generate_new_lwe_bootstrap_key(
            &small_key,
            &glwe_key,
            DecompositionBaseLog(base_log),
            DecompositionLevelCount(levels),
            glwe_noise,
            modulus,
            &mut encryption,
        );
        let bsk = vsies_fhe::backend::ntt_bootstrap_key(&standard);
        let messages = 4u64;
        let delta = ((p / 2) / messages as u128) as u64;
        let lut = generate_programmable_bootstrap_glwe_lut(
            polynomial,
            glwe_dimension.to_glwe_size(),
            messages as usize,
            modulus,
            delta,
            |x| x,
        );
        let samples = 24;
        let mut squares = 0f64;
        let start = std::time::Instant::now();
        for i in 0..samples {
            let m = i as u64 % messages;
            let mut input = LweCiphertext::new(0u64, small.to_lwe_size(), modulus);
            encrypt_lwe_ciphertext(&small_key, &mut input, Plaintext(m * delta), lwe_noise, &mut encryption);
            let mut output = LweCiphertext::new(0u64, big_key.lwe_dimension().to_lwe_size(), modulus);
            programmable_bootstrap_ntt64_lwe_ciphertext(&input, &mut output, &lut, &bsk);
            let phase = decrypt_lwe_ciphertext(&big_key, &output).0 as u128;
            let error = (phase + p - (m * delta) as u128) % p;
            let signed = if error > p / 2 { error as f64 - p as f64 } else { error as f64 };
            assert!(signed.abs() < delta as f64 / 2.0, "bootstrap of {m} failed");
            squares += signed * signed;
        }
        let per = start.elapsed().as_secs_f64() / samples as f64;
        println!(
            "base 2^{base_log} x {levels} levels: output noise std 2^{:.1}, {:.1} ms per bootstrap (one thread)",
            (squares / samples as f64).sqrt().log2(),
            per * 1e3
        );
    }

    // The f64 FFT bootstrap (native modulus) at the published decomposition, for its cost.
    let native = CiphertextModulus::new_native();
    let standard = par_allocate_and_generate_new_lwe_bootstrap_key(
        &small_key,
        &glwe_key,
        DecompositionBaseLog(23),
        DecompositionLevelCount(1),
        glwe_noise,
        native,
        &mut encryption,
    );
    let mut fourier = FourierLweBootstrapKey::new(
        standard.input_lwe_dimension(),
        standard.glwe_size(),
        standard.polynomial_size(),
        standard.decomposition_base_log(),
        standard.decomposition_level_count(),
    );
    convert_standard_lwe_bootstrap_key_to_fourier(&standard, &mut fourier);
    let messages = 4u64;
    let delta = (1u64 << 63) / messages;
    let lut = generate_programmable_bootstrap_glwe_lut(
        polynomial,
        glwe_dimension.to_glwe_size(),
        messages as usize,
        native,
        delta,
        |x| x,
    );
    let samples = 24;
    let start = std::time::Instant::now();
    for i in 0..samples {
        let m = i as u64 % messages;
        let mut input = LweCiphertext::new(0u64, small.to_lwe_size(), native);
        encrypt_lwe_ciphertext(&small_key, &mut input, Plaintext(m * delta), lwe_noise, &mut encryption);
        let mut output = LweCiphertext::new(0u64, big_key.lwe_dimension().to_lwe_size(), native);
        programmable_bootstrap_lwe_ciphertext(&input, &mut output, &lut, &fourier);
        let phase = decrypt_lwe_ciphertext(&big_key, &output).0;
        assert_eq!(phase.wrapping_add(delta / 2) / delta % messages, m, "FFT bootstrap of {m} failed");
    }
    println!(
        "f64 FFT bootstrap, base 2^23 x 1 level: {:.1} ms per bootstrap (one thread)",
        start.elapsed().as_secs_f64() / samples as f64 * 1e3
    );
}

/// The CPU path's batched NTT bootstrap throughput on every core (the `Cpu` backend, rayon),
/// at the shape the GPU test measures (n = 918 → N = 2048, base 2^15 x 2), printed as a
/// `FIGURE` line for `scripts/gpu-check.sh`'s table; the same batch through the `Emulated`
/// backend's first ciphertexts must give the same bits.
#[test]
#[ignore = "measurement: CPU bootstraps per second on all cores (scripts/gpu-check.sh)"]
fn cpu_bootstrap_throughput_on_all_cores() {
    use vsies_fhe::backend::fixture::{Toy, ToyShape};
    use vsies_fhe::backend::{BootstrapBackend, NTT_PRIME};
    use vsies_fhe::{Cpu, Emulated};
    let shape = ToyShape { small: 918, glwe_dimension: 1, polynomial: 2048, bootstrap: (15, 2), keyswitch: (4, 5) };
    let mut toy = Toy::new(shape, 6);
    let delta = (NTT_PRIME / 2) / 4;
    let lut = toy.lut(4, delta, |x| x);
    let count = 16 * rayon::current_num_threads();
    let inputs = toy.encrypt(&(0..count as u64).map(|i| (i % 4) * delta).collect::<Vec<_>>());
    let standard = &toy.standard;
    let key = Cpu.prepare_key(standard).expect("key");
    let start = std::time::Instant::now();
    let outputs = Cpu.bootstrap(&key, &lut, &inputs).expect("bootstrap");
    let per_second = count as f64 / start.elapsed().as_secs_f64();
    let first = LweCiphertextList::from_container(
        inputs.as_ref()[..shape.small + 1].to_vec(),
        inputs.lwe_size(),
        inputs.ciphertext_modulus(),
    );
    let emulated_key = Emulated.prepare_key(standard).expect("emulated key");
    let emulated = Emulated.bootstrap(&emulated_key, &lut, &first).expect("emulated bootstrap");
    assert_eq!(emulated.as_ref(), outputs.get(0).as_ref(), "the emulated kernel against tfhe-rs at full size");
    println!(
        "FIGURE|CPU bootstraps per second, n 918 -> N 2048, 2^15 x 2 ({count} on {} threads)|{per_second:.1}|PBS/s",
        rayon::current_num_threads()
    );
}
