//! arkworks ↔ kernel limbs, shared by the emulator and GPU tests.
#![allow(dead_code)] // each test file uses its own subset

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::{BigInt, Field};
use vsies_kernels::ntt::Limbs;

/// A field element's Montgomery limbs.
pub fn limbs(x: Fr) -> Limbs {
    x.0 .0
}

/// The field element of Montgomery limbs.
pub fn fr(limbs: Limbs) -> Fr {
    Fr::new_unchecked(BigInt(limbs))
}

/// A finite affine point of G1 or G2 as the MSM kernels take it: x then y, each coordinate's
/// Fq components in arkworks' order.
pub fn affine_limbs<P: SWCurveConfig>(point: Affine<P>) -> Vec<u64>
where
    P::BaseField: Field<BasePrimeField = Fq>,
{
    [point.x, point.y].iter().flat_map(|c| c.to_base_prime_field_elements()).flat_map(|e| e.0 .0).collect()
}

/// The point of a kernel's Jacobian limbs, in G1 or G2.
pub fn from_jacobian_limbs<P: SWCurveConfig>(limbs: &[u64]) -> Projective<P>
where
    P::BaseField: Field<BasePrimeField = Fq>,
{
    let fields: Vec<Fq> = limbs.chunks(4).map(|c| Fq::new_unchecked(BigInt(c.try_into().expect("4 limbs")))).collect();
    let degree = fields.len() / 3;
    let coordinate = |i: usize| {
        P::BaseField::from_base_prime_field_elems(fields[i * degree..(i + 1) * degree].iter().copied()).expect("degree")
    };
    Projective::new_unchecked(coordinate(0), coordinate(1), coordinate(2))
}

/// A G1 point as the MSM kernels take it.
pub fn affine(point: G1Affine) -> vsies_kernels::msm::G1Affine {
    affine_limbs(point).try_into().expect("8 limbs")
}

/// The G1 point of a kernel's Jacobian limbs.
pub fn from_jacobian(limbs: vsies_kernels::msm::G1Jacobian) -> G1Projective {
    from_jacobian_limbs(&limbs)
}
