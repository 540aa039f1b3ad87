//! The kernels' data layout, shared by every kernel backend: arkworks points and scalars as
//! vsies-kernels' limbs and back, and the FFTs (cosets included) as the kernels' plain NTT.

use super::Domain;
use ark_bn254::{Fq, Fr};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field, PrimeField};
use ark_poly::EvaluationDomain;
use ark_std::Zero;
use vsies_kernels::msm::Group;
use vsies_kernels::ntt::Limbs;

/// A curve whose coordinates are Fq or an extension of it (BN254's G1 and G2).
pub trait KernelCurve: SWCurveConfig<ScalarField = Fr, BaseField: Field<BasePrimeField = Fq>> {
    /// The kernels' group.
    const GROUP: Group;
}

impl KernelCurve for ark_bn254::g1::Config {
    const GROUP: Group = Group::G1;
}

impl KernelCurve for ark_bn254::g2::Config {
    const GROUP: Group = Group::G2;
}

/// The MSM's inputs as the kernels take them: the finite bases' affine limbs (Montgomery, `x`
/// then `y`, each base-field component in arkworks' order) and their scalars' canonical
/// limbs. The point at infinity adds nothing, and the kernels take finite points only.
pub fn msm_inputs<P: KernelCurve>(bases: &[Affine<P>], scalars: &[Fr]) -> (Vec<u64>, Vec<Limbs>) {
    let finite = || bases.iter().zip(scalars).filter(|(base, _)| !base.is_zero());
    let mut limbs = Vec::with_capacity(P::GROUP.affine_limbs() * finite().count());
    let mut canonical = Vec::with_capacity(finite().count());
    for (base, scalar) in finite() {
        for coordinate in [base.x, base.y] {
            limbs.extend(coordinate.to_base_prime_field_elements().flat_map(|fq| fq.0 .0));
        }
        canonical.push(scalar.into_bigint().0);
    }
    (limbs, canonical)
}

/// A kernel's Jacobian limbs (`X, Y, Z`) as arkworks' projective point (the same coordinates).
pub fn point<P: KernelCurve>(limbs: &[u64]) -> Projective<P> {
    let mut coordinates = limbs.chunks_exact(limbs.len() / 3).map(|coordinate| {
        let elements = coordinate.chunks_exact(4).map(|l| Fq::new_unchecked(BigInt(l.try_into().expect("4 limbs"))));
        P::BaseField::from_base_prime_field_elems(elements).expect("a coordinate of the curve's field")
    });
    let mut next = || coordinates.next().expect("three coordinates");
    Projective::new_unchecked(next(), next(), next())
}

/// The evaluations (or, `inverse`, the coefficients) of `values` over `domain` through `ntt`,
/// the kernels' NTT over the subgroup (`values`, `twiddles`: Montgomery limbs). The coset's
/// shifts and the inverse's scaling run here; `values` is unchanged (but for its zero
/// padding) when `ntt` fails.
pub fn transform<E>(
    domain: &Domain,
    values: &mut Vec<Fr>,
    inverse: bool,
    ntt: impl FnOnce(&mut [Limbs], &[Limbs]) -> Result<(), E>,
) -> Result<(), E> {
    let (generator, pre, post, shift) = if inverse {
        (domain.group_gen_inv(), Fr::ONE, domain.size_inv(), domain.coset_offset_inv())
    } else {
        (domain.group_gen(), domain.coset_offset(), Fr::ONE, Fr::ONE)
    };
    let powers = |base: Fr| std::iter::successors(Some(Fr::ONE), move |power| Some(*power * base));
    values.resize(domain.size(), Fr::zero());
    let twiddles: Vec<Limbs> = powers(generator).take(domain.size() / 2).map(|w| w.0 .0).collect();
    let mut buffer: Vec<Limbs> = values.iter().zip(powers(pre)).map(|(&value, power)| (value * power).0 .0).collect();
    // A one-point domain's transform is the identity (the kernel needs two points or more).
    if domain.size() > 1 {
        ntt(&mut buffer, &twiddles)?;
    }
    for ((value, limbs), power) in values.iter_mut().zip(buffer).zip(powers(shift)) {
        *value = Fr::new_unchecked(BigInt(limbs)) * post * power;
    }
    Ok(())
}
