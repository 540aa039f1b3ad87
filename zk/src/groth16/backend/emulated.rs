//! The kernels' CUDA sources on vsies-kernels' CPU emulator.

use super::kernel::{self, KernelCurve};
use super::{Backend, Domain};
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective};
use vsies_kernels::msm::{default_window_bits, msm_emulated};
use vsies_kernels::ntt::fr_ntt_emulated;

/// vsies-kernels' CUDA sources run by its CPU emulator: the G1 and G2 MSMs and the FFTs
/// (cosets included) on the kernel path; the fixed-base tables of key generation (no kernel)
/// on [`Cpu`](super::Cpu). Keys and proofs are byte-identical to [`Cpu`](super::Cpu)'s (tested): the kernels give the
/// same group elements and field vectors.
#[derive(Clone, Copy, Debug, Default)]
pub struct Emulated;

fn msm<P: KernelCurve>(bases: &[Affine<P>], scalars: &[Fr]) -> Projective<P> {
    let (points, scalars) = kernel::msm_inputs(bases, scalars);
    let window = default_window_bits(scalars.len());
    // The caller checked equal lengths, and the inputs are whole points of the group.
    kernel::point(&msm_emulated(P::GROUP, &points, &scalars, window).expect("as many scalars as bases"))
}

impl Backend for Emulated {
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
        msm(bases, scalars)
    }

    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
        msm(bases, scalars)
    }

    fn fft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        kernel::transform(domain, values, false, fr_ntt_emulated).expect("a radix-2 domain and n/2 twiddles");
    }

    fn ifft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        kernel::transform(domain, values, true, fr_ntt_emulated).expect("a radix-2 domain and n/2 twiddles");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groth16::backend::Cpu;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_poly::EvaluationDomain;
    use ark_std::{test_rng, UniformRand, Zero};

    /// G1 and G2 MSMs with a point at infinity among the bases, and the FFTs on a one-point
    /// domain, a subgroup and a coset: the emulated kernels equal arkworks exactly.
    #[test]
    fn emulated_backend_equals_the_cpu_backend() {
        let rng = &mut test_rng();
        let scalars: Vec<Fr> = (0..300).map(|_| Fr::rand(rng)).collect();
        let mut g1: Vec<G1Affine> = (0..300).map(|_| G1Projective::rand(rng).into_affine()).collect();
        let mut g2: Vec<G2Affine> = (0..300).map(|_| G2Projective::rand(rng).into_affine()).collect();
        (g1[7], g2[7]) = (G1Affine::zero(), G2Affine::zero());
        assert_eq!(Emulated.msm_g1(&g1, &scalars), Cpu.msm_g1(&g1, &scalars));
        assert_eq!(Emulated.msm_g2(&g2, &scalars), Cpu.msm_g2(&g2, &scalars));
        assert_eq!(Emulated.msm_g2(&g2[7..8], &scalars[7..8]), G2Projective::zero());
        let one_point = Domain::new(1).unwrap();
        let (mut emulated, mut on_cpu) = (scalars[..1].to_vec(), scalars[..1].to_vec());
        Emulated.fft_in_place(&one_point, &mut emulated);
        Cpu.fft_in_place(&one_point, &mut on_cpu);
        assert_eq!(emulated, on_cpu, "a one-point domain");
        Emulated.ifft_in_place(&one_point, &mut emulated);
        Cpu.ifft_in_place(&one_point, &mut on_cpu);
        assert_eq!(emulated, on_cpu, "a one-point domain");
        let subgroup = Domain::new(256).unwrap();
        for domain in [subgroup, subgroup.get_coset(Fr::from(7u64)).unwrap()] {
            let (mut emulated, mut on_cpu) = (scalars[..200].to_vec(), scalars[..200].to_vec());
            Emulated.fft_in_place(&domain, &mut emulated);
            Cpu.fft_in_place(&domain, &mut on_cpu);
            assert_eq!(emulated, on_cpu);
            Emulated.ifft_in_place(&domain, &mut emulated);
            Cpu.ifft_in_place(&domain, &mut on_cpu);
            assert_eq!(emulated, on_cpu);
            assert_eq!(emulated[..200], scalars[..200]);
        }
    }
}
