//! Every kernel compiles under NVRTC, and runs on the CPU emulator with the same results as the
//! CPU implementation it replaces, on random inputs.

use ark_bn254::Fr;
use ark_ff::{BigInt, Field, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use std::process::Command;
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
            let ptx = nvrtc.compile(program, arch).unwrap_or_else(|e| panic!("{e}"));
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

fn limbs(x: Fr) -> Limbs {
    x.0 .0
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
        let got: Vec<Fr> = values.iter().map(|&l| Fr::new_unchecked(BigInt(l))).collect();
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
