//! Criterion benches of the kernel seams on the CPU: the backend traits cost nothing on the CPU
//! path (arkworks called directly against `groth16::Cpu` through `&dyn Backend`, and the
//! aggregation sum directly against the `SumBackend` seam), and the CPU emulator's speed on the
//! kernels' own sources (a correctness vehicle, not a performance path). The TFHE bootstrap
//! seam (`vsies_fhe::BootstrapBackend` for `Cpu`) against tfhe-rs's NTT bootstrap called
//! directly, and the emulated bootstrap kernel, at n = 918 → N = 2048, base 2^15 x 2.
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use criterion::{criterion_main, Criterion};
use std::hint::black_box;
use vsies_zk::groth16::{Backend, Cpu, Emulated};

fn points(n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
    let mut rng = ark_std::test_rng();
    let step = G1Projective::rand(&mut rng);
    let projective: Vec<_> =
        std::iter::successors(Some(G1Projective::rand(&mut rng)), |p| Some(*p + step)).take(n).collect();
    (G1Projective::normalize_batch(&projective), (0..n).map(|_| Fr::rand(&mut rng)).collect())
}

fn g2_points(n: usize) -> (Vec<G2Affine>, Vec<Fr>) {
    let mut rng = ark_std::test_rng();
    let projective: Vec<_> = (0..n).map(|_| G2Projective::rand(&mut rng)).collect();
    (G2Projective::normalize_batch(&projective), (0..n).map(|_| Fr::rand(&mut rng)).collect())
}

fn seams(c: &mut Criterion) {
    let (bases, scalars) = points(1 << 12);
    let domain = GeneralEvaluationDomain::<Fr>::new(1 << 14).unwrap();
    let coefficients: Vec<Fr> = (0..1u64 << 14).map(Fr::from).collect();
    let backend: &dyn Backend = &Cpu;
    let mut group = c.benchmark_group("seams");
    group.sample_size(20);
    group.bench_function("msm_g1_2^12_arkworks_direct", |b| {
        b.iter(|| G1Projective::msm_unchecked(black_box(&bases), &scalars))
    });
    group.bench_function("msm_g1_2^12_through_the_seam", |b| b.iter(|| backend.msm_g1(black_box(&bases), &scalars)));
    group.bench_function("fft_2^14_arkworks_direct", |b| {
        b.iter(|| {
            let mut values = coefficients.clone();
            domain.fft_in_place(&mut values);
            values
        })
    });
    group.bench_function("fft_2^14_through_the_seam", |b| {
        b.iter(|| {
            let mut values = coefficients.clone();
            backend.fft_in_place(&domain, &mut values);
            values
        })
    });
    group.finish();
}

fn emulator(c: &mut Criterion) {
    let (bases, scalars) = points(1 << 10);
    let domain = GeneralEvaluationDomain::<Fr>::new(1 << 12).unwrap();
    let coefficients: Vec<Fr> = (0..1u64 << 12).map(Fr::from).collect();
    let mut group = c.benchmark_group("emulator");
    group.sample_size(10);
    group.bench_function("msm_g1_2^10", |b| b.iter(|| Emulated.msm_g1(black_box(&bases), &scalars)));
    group.bench_function("msm_g1_2^10_cpu", |b| b.iter(|| Cpu.msm_g1(black_box(&bases), &scalars)));
    let (g2_bases, g2_scalars) = g2_points(1 << 8);
    group.bench_function("msm_g2_2^8", |b| b.iter(|| Emulated.msm_g2(black_box(&g2_bases), &g2_scalars)));
    group.bench_function("msm_g2_2^8_cpu", |b| b.iter(|| Cpu.msm_g2(black_box(&g2_bases), &g2_scalars)));
    group.bench_function("ntt_2^12", |b| {
        b.iter(|| {
            let mut values = coefficients.clone();
            Emulated.fft_in_place(&domain, &mut values);
            values
        })
    });
    group.finish();
}

fn bootstrap(c: &mut Criterion) {
    use tfhe::core_crypto::prelude::*;
    use vsies_fhe::backend::fixture::{Toy, ToyShape};
    use vsies_fhe::backend::{ntt_modulus, BootstrapBackend, NTT_PRIME};
    let shape = ToyShape { small: 918, glwe_dimension: 1, polynomial: 2048, bootstrap: (15, 2), keyswitch: (4, 5) };
    let mut toy = Toy::new(shape, 8);
    let modulus = ntt_modulus();
    let delta = (NTT_PRIME / 2) / 4;
    let lut = toy.lut(4, delta, |x| x);
    let inputs = toy.encrypt(&[0, delta]);
    let standard = &toy.standard;
    let cpu_key = vsies_fhe::Cpu.prepare_key(standard).unwrap();
    let emulated_key = vsies_fhe::Emulated.prepare_key(standard).unwrap();
    let mut group = c.benchmark_group("tfhe_bootstrap");
    group.sample_size(10);
    group.bench_function("2_bootstraps_tfhe_direct", |b| {
        b.iter(|| {
            let mut outputs = LweCiphertextList::new(0u64, LweSize(2049), LweCiphertextCount(2), modulus);
            for (mut output, input) in outputs.iter_mut().zip(inputs.iter()) {
                programmable_bootstrap_ntt64_lwe_ciphertext(&input, &mut output, &lut, &cpu_key);
            }
            outputs
        })
    });
    let one_thread = rayon_one_thread();
    group.bench_function("2_bootstraps_through_the_seam", |b| {
        b.iter(|| one_thread.install(|| vsies_fhe::Cpu.bootstrap(&cpu_key, &lut, black_box(&inputs)).unwrap()))
    });
    group.bench_function("2_bootstraps_emulated_kernel", |b| {
        b.iter(|| vsies_fhe::Emulated.bootstrap(&emulated_key, &lut, black_box(&inputs)).unwrap())
    });
    group.finish();
}

/// One worker, so the seam's batch runs on one thread as the direct loop does.
fn rayon_one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap()
}

mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::seams, super::emulator, super::bootstrap);
}
criterion_main!(group::benches);
