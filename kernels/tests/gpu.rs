//! GPU parity and benchmarks (the `cuda` feature, `#[ignore]`d: they need an NVIDIA GPU).
//! `scripts/gpu-check.sh` runs them with `--ignored --nocapture`; each figure is printed as a
//! `FIGURE|name|value|unit` line for its table. Parity is checked on fresh random inputs
//! against the CPU paths (arkworks' FFT, the CPU sums) and the emulator.
#![cfg(feature = "cuda")]

use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use common::{affine, fr, from_jacobian, limbs};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::time::Instant;

mod common;
use vsies_kernels::cuda::Gpu;
use vsies_kernels::ntt::{fr_ntt_emulated, Limbs};
use vsies_kernels::nvrtc::{default_dir, Nvrtc};

fn gpu() -> Gpu {
    let nvrtc = Nvrtc::load(&default_dir()).expect("NVRTC (scripts/install-nvrtc.sh)");
    let gpu = Gpu::open(0, &nvrtc).expect("a CUDA GPU");
    println!("FIGURE|device|{}|", gpu.description);
    gpu
}

fn figure(name: &str, value: f64, unit: &str) {
    println!("FIGURE|{name}|{value:.3}|{unit}");
}

fn seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7)
}

#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_ntt_equals_the_emulator_and_arkworks() {
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    for log_n in [1u32, 5, 9, 10, 13, 20] {
        let n = 1usize << log_n;
        let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("domain");
        let coefficients: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let twiddles: Vec<Limbs> = std::iter::successors(Some(Fr::from(1u64)), |w| Some(*w * domain.group_gen()))
            .take(n / 2)
            .map(limbs)
            .collect();
        let mut on_gpu: Vec<Limbs> = coefficients.iter().map(|&c| limbs(c)).collect();
        let start = Instant::now();
        gpu.fr_ntt(&mut on_gpu, &twiddles).expect("GPU NTT");
        let gpu_seconds = start.elapsed().as_secs_f64();
        let mut expected = coefficients.clone();
        let start = Instant::now();
        domain.fft_in_place(&mut expected);
        let cpu_seconds = start.elapsed().as_secs_f64();
        let got: Vec<Fr> = on_gpu.iter().map(|&l| fr(l)).collect();
        assert_eq!(got, expected, "GPU NTT of 2^{log_n} against arkworks");
        if log_n <= 13 {
            let mut emulated: Vec<Limbs> = coefficients.iter().map(|&c| limbs(c)).collect();
            fr_ntt_emulated(&mut emulated, &twiddles).expect("emulated NTT");
            assert_eq!(emulated, on_gpu, "emulator against GPU at 2^{log_n}");
        }
        if log_n == 20 {
            figure("Fr NTT 2^20, GPU (copies included)", gpu_seconds * 1e3, "ms");
            figure("Fr NTT 2^20, CPU (arkworks, all cores)", cpu_seconds * 1e3, "ms");
            figure("Fr NTT 2^20, speedup", cpu_seconds / gpu_seconds, "x");
        }
    }
}

#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_sums_equal_the_emulator_and_reach_copy_bandwidth() {
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    for (bits, count) in [(96u32, 1usize), (88, 4097), (128, 100_000)] {
        let width = (bits as usize).div_ceil(8);
        let mut acc: Vec<u128> =
            (0..count).map(|_| (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())).collect();
        let mut input = vec![0u8; count * width];
        rng.fill_bytes(&mut input);
        let mut emulated = acc.clone();
        vsies_kernels::aggregate::add_packed_emulated(&mut emulated, &input, width, bits).expect("shape");
        gpu.add_packed(&mut acc, &input, width, bits).expect("GPU sum");
        assert_eq!(acc, emulated, "{count} fields of {bits} bits");
    }
    // Bandwidth: 2^26 fields of 96 bits resident on the device, against a device-to-device copy
    // of the same bytes.
    let (count, width) = (1usize << 26, 12usize);
    let stream = gpu.stream();
    let mut acc = stream.alloc_zeros::<u64>(2 * count).expect("alloc");
    let input = stream.alloc_zeros::<u8>(count * width).expect("alloc");
    gpu.add_packed_resident(&mut acc, &input, width, 96).expect("warm-up");
    stream.synchronize().expect("sync");
    let rounds = 10;
    let start = Instant::now();
    for _ in 0..rounds {
        gpu.add_packed_resident(&mut acc, &input, width, 96).expect("sum");
    }
    stream.synchronize().expect("sync");
    let sum_seconds = start.elapsed().as_secs_f64() / rounds as f64;
    let moved = (count * width + 2 * 2 * 8 * count) as f64;
    let mut copy = stream.alloc_zeros::<u8>(count * width).expect("alloc");
    stream.memcpy_dtod(&input, &mut copy).expect("copy");
    stream.synchronize().expect("sync");
    let start = Instant::now();
    for _ in 0..rounds {
        stream.memcpy_dtod(&input, &mut copy).expect("copy");
    }
    stream.synchronize().expect("sync");
    let copy_seconds = start.elapsed().as_secs_f64() / rounds as f64;
    let sum_bandwidth = moved / sum_seconds / 1e9;
    let copy_bandwidth = 2.0 * (count * width) as f64 / copy_seconds / 1e9;
    figure("aggregation sum bandwidth", sum_bandwidth, "GB/s");
    figure("device-to-device copy bandwidth", copy_bandwidth, "GB/s");
    figure("aggregation / copy bandwidth", 100.0 * sum_bandwidth / copy_bandwidth, "%");
}

#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_msm_equals_arkworks_and_the_emulator() {
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::PrimeField;
    use vsies_kernels::msm::{default_window_bits, msm_g1_emulated};
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    let point = |limbs: [u64; 12]| from_jacobian(limbs).into_affine();
    // Bases: a random start and its successive sums with another random point (cheap to make
    // in the millions), normalized together.
    let make_bases = |n: usize, rng: &mut rand_chacha::ChaCha20Rng| {
        let step = ark_bn254::G1Projective::rand(rng);
        let projective: Vec<_> =
            std::iter::successors(Some(ark_bn254::G1Projective::rand(rng)), |p| Some(*p + step)).take(n).collect();
        ark_bn254::G1Projective::normalize_batch(&projective)
    };
    for log_n in [10u32, 20, 24] {
        let n = 1usize << log_n;
        let points = make_bases(n, &mut rng);
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let limbs: Vec<Limbs> = scalars.iter().map(|s| s.into_bigint().0).collect();
        let bases: Vec<_> = points.iter().map(|&p| affine(p)).collect();
        let resident = gpu.upload_bases(bases.as_flattened()).expect("upload");
        let c = default_window_bits(n);
        gpu.msm_g1(&resident, &limbs, c).expect("warm-up");
        let start = Instant::now();
        let got = gpu.msm_g1(&resident, &limbs, c).expect("GPU MSM");
        let gpu_seconds = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let expected = ark_bn254::G1Projective::msm(&points, &scalars).expect("lengths").into_affine();
        let cpu_seconds = start.elapsed().as_secs_f64();
        assert_eq!(point(got), expected, "GPU MSM of 2^{log_n} against arkworks");
        if log_n == 10 {
            let emulated = msm_g1_emulated(&bases, &limbs, c).expect("emulated");
            assert_eq!(point(emulated), expected, "emulator at 2^{log_n}");
        } else {
            figure(&format!("G1 MSM 2^{log_n}, GPU (bases resident, scalars uploaded)"), gpu_seconds * 1e3, "ms");
            figure(&format!("G1 MSM 2^{log_n}, CPU (arkworks, all cores)"), cpu_seconds * 1e3, "ms");
            figure(&format!("G1 MSM 2^{log_n}, speedup"), cpu_seconds / gpu_seconds, "x");
        }
    }
}

/// The GPU bootstrap and key switch equal the emulator's (itself tested equal to tfhe-rs's
/// NTT bootstrap in vsies-fhe) on random reduced keys, tables and ciphertexts, and the
/// throughput at the deterministic N = 2048 shape (n = 918, base 2^15 x 2: the decomposition
/// whose output noise BENCHMARKS.md measured) is recorded. Random values stand in for keys:
/// bit-exactness does not depend on them being encryptions.
#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_bootstrap_and_keyswitch_equal_the_emulator() {
    use vsies_kernels::tfhe::{
        bootstrap_emulated, keyswitch_emulated, prepare_bootstrap_key_emulated, BootstrapShape, KeyswitchShape, P64,
    };
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    let mut reduced = |len: usize| -> Vec<u64> { (0..len).map(|_| rng.next_u64() % P64).collect() };
    for (shape, count, emulated) in [
        (BootstrapShape { lwe_dimension: 24, polynomial_size: 256, glwe_size: 3, base_log: 10, levels: 3 }, 64, 64),
        (BootstrapShape { lwe_dimension: 918, polynomial_size: 2048, glwe_size: 2, base_log: 15, levels: 2 }, 4096, 1),
    ] {
        let standard = reduced(shape.key_len());
        let lut = reduced(shape.glwe_len());
        let inputs = reduced(count * (shape.lwe_dimension + 1));
        let key = gpu.prepare_bootstrap_key(&standard, shape).expect("GPU key");
        gpu.bootstrap(&key, &lut, &inputs[..shape.lwe_dimension + 1]).expect("warm-up");
        let start = Instant::now();
        let on_gpu = gpu.bootstrap(&key, &lut, &inputs).expect("GPU bootstrap");
        let seconds = start.elapsed().as_secs_f64();
        let emulated_key = prepare_bootstrap_key_emulated(&standard, shape).expect("emulated key");
        let prefix = emulated * (shape.lwe_dimension + 1);
        let expected = bootstrap_emulated(&emulated_key, &lut, &inputs[..prefix]).expect("emulated bootstrap");
        assert_eq!(on_gpu[..expected.len()], expected[..], "GPU bootstrap against the emulator at {shape:?}");
        if shape.polynomial_size == 2048 {
            figure(
                "bootstraps per second, n 918 -> N 2048, 2^15 x 2 (4096 in one batch, copies included)",
                count as f64 / seconds,
                "PBS/s",
            );
        }
    }
    let shape = KeyswitchShape { input_dimension: 2048, output_dimension: 918, base_log: 4, levels: 5 };
    let key = reduced(shape.key_len());
    let inputs = reduced(1024 * (shape.input_dimension + 1));
    gpu.keyswitch(shape, &key, &inputs[..shape.input_dimension + 1]).expect("warm-up");
    let start = Instant::now();
    let on_gpu = gpu.keyswitch(shape, &key, &inputs).expect("GPU key switch");
    let seconds = start.elapsed().as_secs_f64();
    let prefix = 8 * (shape.input_dimension + 1);
    let expected = keyswitch_emulated(shape, &key, &inputs[..prefix]).expect("emulated key switch");
    assert_eq!(on_gpu[..expected.len()], expected[..], "GPU key switch against the emulator");
    figure(
        "key switches per second, 2048 -> 918, 2^4 x 5 (1024 in one batch, key upload included)",
        1024.0 / seconds,
        "KS/s",
    );
}

/// The G2 MSM (the prover's `B` query) on the GPU equals arkworks and the emulator.
#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_g2_msm_equals_arkworks_and_the_emulator() {
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::PrimeField;
    use common::{affine_limbs, from_jacobian_limbs};
    use vsies_kernels::msm::{default_window_bits, msm_emulated, Group};
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    for log_n in [8u32, 16] {
        let n = 1usize << log_n;
        let step = ark_bn254::G2Projective::rand(&mut rng);
        let projective: Vec<_> =
            std::iter::successors(Some(ark_bn254::G2Projective::rand(&mut rng)), |p| Some(*p + step)).take(n).collect();
        let points = ark_bn254::G2Projective::normalize_batch(&projective);
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let limbs: Vec<Limbs> = scalars.iter().map(|s| s.into_bigint().0).collect();
        let bases: Vec<u64> = points.iter().flat_map(|&p| affine_limbs(p)).collect();
        let resident = gpu.upload_bases(&bases).expect("upload");
        let c = default_window_bits(n);
        gpu.msm(Group::G2, &resident, &limbs, c).expect("warm-up");
        let start = Instant::now();
        let got = gpu.msm(Group::G2, &resident, &limbs, c).expect("GPU G2 MSM");
        let gpu_seconds = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let expected = ark_bn254::G2Projective::msm(&points, &scalars).expect("lengths").into_affine();
        let cpu_seconds = start.elapsed().as_secs_f64();
        let point = |limbs: &[u64]| from_jacobian_limbs::<ark_bn254::g2::Config>(limbs).into_affine();
        assert_eq!(point(&got), expected, "GPU G2 MSM of 2^{log_n} against arkworks");
        if log_n == 8 {
            let emulated = msm_emulated(Group::G2, &bases, &limbs, c).expect("emulated");
            assert_eq!(point(&emulated), expected, "emulator at 2^{log_n}");
        } else {
            figure(&format!("G2 MSM 2^{log_n}, GPU (bases resident, scalars uploaded)"), gpu_seconds * 1e3, "ms");
            figure(&format!("G2 MSM 2^{log_n}, CPU (arkworks, all cores)"), cpu_seconds * 1e3, "ms");
            figure(&format!("G2 MSM 2^{log_n}, speedup"), cpu_seconds / gpu_seconds, "x");
        }
    }
}

/// The GPU linear layer equals the emulator on random lists (the vsies-fhe conformance suite
/// checks it against the CPU on real encryptions).
#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn gpu_linear_layer_equals_the_emulator() {
    let gpu = gpu();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed());
    let (n, columns, rows) = (2048usize, 30usize, 68usize);
    let mask: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let bodies: Vec<u64> = (0..rows * columns).map(|_| rng.next_u64()).collect();
    let weights: Vec<u64> = (0..columns).map(|_| rng.next_u64()).collect();
    let expected = vsies_kernels::lwe::compact_rows_emulated(&mask, &bodies, &weights, rows).expect("emulated");
    assert_eq!(gpu.compact_rows(&mask, &bodies, &weights, rows).expect("GPU linear layer"), expected);
    assert!(gpu.compact_rows(&mask, &bodies, &weights, rows + 1).is_err(), "a list too short for its rows");
}
