//! The seam where the prover's and key generation's heavy arithmetic runs: multi-scalar
//! multiplications over the proving key's queries, the FFTs of the quotient polynomial, and
//! the fixed-base multiplications that compute the keys. [`Cpu`] (arkworks, rayon) is the
//! default and the reference; an accelerator (the `kernels` crate's CUDA backend) must give the
//! same group elements and field vectors, so keys and proofs stay byte-identical. [`Emulated`]
//! runs the kernels' own CUDA sources (G1 and G2 MSMs, NTT) on vsies-kernels' CPU emulator;
//! `Cuda` (the `cuda` feature) runs them on the GPU.

#[cfg(feature = "cuda")]
mod cuda;
mod emulated;
mod kernel;

#[cfg(feature = "cuda")]
pub use cuda::Cuda;
pub use emulated::Emulated;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::VariableBaseMSM;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};

/// A radix-2 evaluation domain (or a coset of one).
pub type Domain = GeneralEvaluationDomain<Fr>;

/// MSMs, FFTs and fixed-base multiplications.
pub trait Backend: Sync {
    /// `Σ_i scalars_i · bases_i` in G1 (`bases.len() == scalars.len()`, checked by the caller).
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Projective;
    /// `Σ_i scalars_i · bases_i` in G2.
    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Fr]) -> G2Projective;
    /// Evaluations of the polynomial with coefficients `values` over `domain`, in place
    /// (`values` is resized to the domain).
    fn fft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>);
    /// Coefficients of the polynomial with evaluations `values` over `domain`, in place.
    fn ifft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>);
    /// `scalars_i · base` for every scalar, with the base's precomputed window table.
    /// No backend has a kernel for them yet, so every backend takes arkworks's by default.
    fn fixed_base_g1(&self, table: &BatchMulPreprocessing<G1Projective>, scalars: &[Fr]) -> Vec<G1Affine> {
        table.batch_mul(scalars)
    }
    /// As [`Backend::fixed_base_g1`], in G2.
    fn fixed_base_g2(&self, table: &BatchMulPreprocessing<G2Projective>, scalars: &[Fr]) -> Vec<G2Affine> {
        table.batch_mul(scalars)
    }
}

/// arkworks on the CPU's threads.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu;

impl Backend for Cpu {
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
        G1Projective::msm_unchecked(bases, scalars)
    }

    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
        G2Projective::msm_unchecked(bases, scalars)
    }

    fn fft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        domain.fft_in_place(values);
    }

    fn ifft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        domain.ifft_in_place(values);
    }
}
