//! arkworks ↔ kernel limbs, shared by the emulator and GPU tests.
#![allow(dead_code)] // each test file uses its own subset

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ff::BigInt;
use vsies_kernels::ntt::Limbs;

/// A field element's Montgomery limbs.
pub fn limbs(x: Fr) -> Limbs {
    x.0 .0
}

/// The field element of Montgomery limbs.
pub fn fr(limbs: Limbs) -> Fr {
    Fr::new_unchecked(BigInt(limbs))
}

/// An affine point as the MSM kernels take it.
pub fn affine(point: G1Affine) -> vsies_kernels::msm::G1Affine {
    let mut limbs = [0u64; 8];
    limbs[..4].copy_from_slice(&point.x.0 .0);
    limbs[4..].copy_from_slice(&point.y.0 .0);
    limbs
}

/// The point of a kernel's Jacobian limbs.
pub fn from_jacobian(limbs: vsies_kernels::msm::G1Jacobian) -> G1Projective {
    let coordinate = |i: usize| Fq::new_unchecked(BigInt(limbs[4 * i..4 * i + 4].try_into().unwrap()));
    G1Projective::new_unchecked(coordinate(0), coordinate(1), coordinate(2))
}
