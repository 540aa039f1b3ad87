//! Every kernel compiles under NVRTC, and runs on the CPU emulator with the same results as the
//! CPU implementation it replaces, on random inputs.

use ark_bn254::Fr;
use ark_ff::{Field, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use common::{affine, fr, from_jacobian, limbs};
use std::process::Command;

mod common;
use vsies_kernels::ntt::{fr_ntt_emulated, Limbs};
use vsies_kernels::nvrtc::Nvrtc;
use vsies_kernels::source::{kernel_names, programs};

fn nvrtc() -> Nvrtc {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/install-nvrtc.sh");
    let out = Command::new(script).output().expect("run scripts/install-nvrtc.sh");
    assert!(out.status.success(), "install-nvrtc.sh: {}", String::from_utf8_lossy(&out.stderr));
    let dir = String::from_utf8(out.stdout).expect("a path").trim().to_owned();
    Nvrtc::load(dir.as_ref()).expect("load NVRTC")
}

/// Each program compiles for Hopper (the H100/H200 the GPU script targets) and for Ampere, and
/// its PTX defines every kernel entry point of its source.
#[test]
fn every_kernel_compiles_under_nvrtc() {
    let nvrtc = nvrtc();
    assert_eq!(nvrtc.version().expect("version").0, 12);
    for program in programs() {
        for arch in ["compute_90", "compute_80"] {
            let start = std::time::Instant::now();
            let ptx = nvrtc.compile(program, arch).unwrap_or_else(|e| panic!("{e}"));
            eprintln!("{} for {arch}: {:.1} s under NVRTC", program.name, start.elapsed().as_secs_f64());
            let names = kernel_names(program.text);
            assert!(!names.is_empty(), "{} has no kernel", program.name);
            for name in names {
                assert!(ptx.contains(&format!(".entry {name}(")), "{} for {arch}: no entry {name}", program.name);
            }
        }
    }
}

/// A kernel with a syntax error is reported with NVRTC's log, not compiled.
#[test]
fn a_broken_kernel_is_reported() {
    let broken = vsies_kernels::source::SourceFile {
        name: "broken.cu",
        text: "#include \"prelude.cuh\"\nVSIES_KERNEL void k(u64* x) { x[0] = undefined_name; }\n",
    };
    let error = nvrtc().compile(&broken, "compute_90").expect_err("must not compile");
    assert!(error.to_string().contains("undefined_name"), "{error}");
}

/// The emulated NTT equals arkworks' FFT bit for bit, at sizes below, at and above one tile.
#[test]
fn emulated_ntt_equals_arkworks_fft() {
    let mut rng = ark_std::test_rng();
    for log_n in [1u32, 3, 9, 10, 12] {
        let n = 1usize << log_n;
        let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("domain");
        let coefficients: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let mut expected = coefficients.clone();
        domain.fft_in_place(&mut expected);
        let twiddles: Vec<Limbs> = (0..n / 2).map(|k| limbs(domain.group_gen().pow([k as u64]))).collect();
        let mut values: Vec<Limbs> = coefficients.iter().map(|&c| limbs(c)).collect();
        fr_ntt_emulated(&mut values, &twiddles).expect("shape");
        let got: Vec<Fr> = values.iter().map(|&l| fr(l)).collect();
        assert_eq!(got, expected, "n = 2^{log_n}");
    }
}

/// Field edge cases through the kernel's arithmetic: an NTT of size 2 is `(a + b, a - b)`, so
/// operands at 0, 1, r - 1 and the largest limbs exercise every carry and borrow.
#[test]
fn emulated_butterflies_at_field_edges() {
    let edges = [
        Fr::from(0u64),
        Fr::from(1u64),
        -Fr::from(1u64),
        -Fr::from(2u64),
        Fr::from(u64::MAX),
        Fr::from(2u64).pow([253u64]),
    ];
    for &a in &edges {
        for &b in &edges {
            let mut values = vec![limbs(a), limbs(b)];
            fr_ntt_emulated(&mut values, &[limbs(Fr::from(1u64))]).expect("shape");
            assert_eq!(values, vec![limbs(a + b), limbs(a - b)], "{a} {b}");
        }
    }
    // Products: twiddle b on the second operand gives (a + b·w, a - b·w).
    for &w in &edges {
        for &b in &edges {
            let mut values = vec![limbs(Fr::from(0u64)), limbs(b)];
            fr_ntt_emulated(&mut values, &[limbs(w)]).expect("shape");
            assert_eq!(values[0], limbs(b * w), "{b} * {w}");
        }
    }
}

/// The emulated MSM of `group` equals arkworks' as a group element, on random points and
/// scalars at several window widths, and on the cases that hit every special branch: zero and
/// one scalars, r - 1 (a negative top digit), repeated points (doublings inside a bucket), a
/// point and its negation (a bucket summing to infinity), and no points at all.
fn emulated_msm_equals_arkworks_in<P>(group: vsies_kernels::msm::Group, random_points: usize, windows: &[u32])
where
    P: ark_ec::short_weierstrass::SWCurveConfig<ScalarField = Fr>,
    P::BaseField: Field<BasePrimeField = ark_bn254::Fq>,
{
    use ark_ec::short_weierstrass::{Affine, Projective};
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::PrimeField;
    use vsies_kernels::msm::msm_emulated;
    let mut rng = ark_std::test_rng();
    let check = |points: &[Affine<P>], scalars: &[Fr], window_bits: u32| {
        let expected = Projective::<P>::msm(points, scalars).expect("lengths").into_affine();
        let bases: Vec<u64> = points.iter().flat_map(|&p| common::affine_limbs(p)).collect();
        let limbs: Vec<Limbs> = scalars.iter().map(|s| s.into_bigint().0).collect();
        let got = msm_emulated(group, &bases, &limbs, window_bits).expect("shape");
        assert_eq!(got.len(), group.jacobian_limbs());
        let got = common::from_jacobian_limbs::<P>(&got).into_affine();
        assert_eq!(got, expected, "{group:?}: {} points, c = {window_bits}", points.len());
    };
    let random: Vec<Affine<P>> = (0..random_points).map(|_| Projective::<P>::rand(&mut rng).into_affine()).collect();
    let scalars: Vec<Fr> = (0..random_points).map(|_| Fr::rand(&mut rng)).collect();
    for &window_bits in windows {
        check(&random, &scalars, window_bits);
    }
    let p = random[0];
    let edge_points = [p, p, p, -p, random[1], random[2], random[2]];
    let edge_scalars = [
        Fr::from(3u64),
        Fr::from(3u64),
        -Fr::from(1u64),
        Fr::from(5u64),
        Fr::from(0u64),
        Fr::from(1u64),
        Fr::from(1u64),
    ];
    for window_bits in [2u32, 8] {
        check(&edge_points, &edge_scalars, window_bits);
        check(&[p, -p], &[Fr::from(7u64), Fr::from(7u64)], window_bits);
        check(&[], &[], window_bits);
    }
    let one = common::affine_limbs(p);
    assert!(msm_emulated(group, &one, &[], 4).is_err(), "fewer scalars than bases");
    assert!(msm_emulated(group, &one, &[[0; 4]], 17).is_err(), "a 17-bit window");
    assert!(msm_emulated(group, &one[1..], &[[0; 4]], 4).is_err(), "a partial point");
}

#[test]
fn emulated_g1_msm_equals_arkworks() {
    emulated_msm_equals_arkworks_in::<ark_bn254::g1::Config>(vsies_kernels::msm::Group::G1, 200, &[1, 4, 7, 13]);
    // The typed entry point is the same computation.
    let mut rng = ark_std::test_rng();
    let p = ark_bn254::G1Affine::rand(&mut rng);
    let typed = vsies_kernels::msm::msm_g1_emulated(&[affine(p)], &[[5, 0, 0, 0]], 4).expect("shape");
    assert_eq!(from_jacobian(typed), p * Fr::from(5u64));
}

#[test]
fn emulated_g2_msm_equals_arkworks() {
    emulated_msm_equals_arkworks_in::<ark_bn254::g2::Config>(vsies_kernels::msm::Group::G2, 64, &[1, 5, 9]);
    let mut rng = ark_std::test_rng();
    let p = ark_bn254::G2Affine::rand(&mut rng);
    let base: vsies_kernels::msm::G2Affine = common::affine_limbs(p).try_into().expect("16 limbs");
    let typed = vsies_kernels::msm::msm_g2_emulated(&[base], &[[5, 0, 0, 0]], 4).expect("shape");
    assert_eq!(common::from_jacobian_limbs::<ark_bn254::g2::Config>(&typed), p * Fr::from(5u64));
}

/// The negacyclic NTT modulo tfhe-rs's prime: the inverse undoes the forward transform, and a
/// pointwise product in its domain is the schoolbook product in Z_p[X]/(X^N + 1), on random
/// coefficients and on the values next to 0, 2^32 and p.
#[test]
fn emulated_negacyclic_ntt_multiplies_modulo_x_n_plus_1() {
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    use vsies_kernels::tfhe::{negacyclic_ntt_emulated, NegacyclicPlan, P64};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(64);
    let edges = [0, 1, 2, (1 << 32) - 1, 1 << 32, (1 << 32) + 1, P64 / 2, P64 / 2 + 1, P64 - 2, P64 - 1];
    let mulmod = |a: u64, b: u64| ((u128::from(a) * u128::from(b)) % u128::from(P64)) as u64;
    for n in [2usize, 16, 256, 2048] {
        let plan = NegacyclicPlan::new(n).expect("plan");
        let mut random =
            |i: usize| if i.is_multiple_of(5) { edges[(i / 5) % edges.len()] } else { rng.next_u64() % P64 };
        let a: Vec<u64> = (0..n).map(&mut random).collect();
        let b: Vec<u64> = (0..n).map(|i| random(i + 3)).collect();
        let mut expected = vec![0u64; n];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                let (k, term) = ((i + j) % n, mulmod(x, y));
                let term = if i + j >= n { (P64 - term) % P64 } else { term };
                expected[k] = ((u128::from(expected[k]) + u128::from(term)) % u128::from(P64)) as u64;
            }
        }
        let mut both = [a.clone(), b].concat();
        negacyclic_ntt_emulated(&mut both, &plan, false).expect("forward");
        let mut round_trip = both[..n].to_vec();
        negacyclic_ntt_emulated(&mut round_trip, &plan, true).expect("inverse");
        assert_eq!(round_trip, a, "inverse of forward at N = {n}");
        let mut product: Vec<u64> = (0..n).map(|k| mulmod(both[k], both[n + k])).collect();
        negacyclic_ntt_emulated(&mut product, &plan, true).expect("inverse");
        assert_eq!(product, expected, "negacyclic product at N = {n}");
    }
    assert!(NegacyclicPlan::new(3).is_err() && NegacyclicPlan::new(1 << 17).is_err());
    let plan = NegacyclicPlan::new(4).expect("plan");
    assert!(negacyclic_ntt_emulated(&mut [P64, 0, 0, 0], &plan, false).is_err(), "unreduced input accepted");
}
