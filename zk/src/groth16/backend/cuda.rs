//! The kernels on the process's GPU (the `cuda` feature).

use super::kernel::{self, KernelCurve};
use super::{Backend, Cpu, Domain};
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_std::Zero;
use vsies_kernels::cuda::{on_gpu_or_cpu, Gpu, GpuError};
use vsies_kernels::msm::default_window_bits;

/// vsies-kernels' kernels on the GPU that [`vsies_kernels::cuda::shared`] opens: the G1 and G2
/// MSMs, in chunks of [`Cuda::CHUNK`] points whose bases are uploaded as the prover reads
/// them, and the FFTs; the fixed-base tables on [`Cpu`]. The same keys and proofs as [`Cpu`]
/// (the kernels are tested equal to arkworks on the emulator in CI, and on a GPU by
/// `scripts/gpu-check.sh`). When the GPU
/// fails mid-run (out of memory, a lost device), the operation runs on [`Cpu`] instead, with
/// one warning on stderr: the result is the same either way.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cuda;

impl Cuda {
    /// Points per MSM launch: the bases of one chunk are resident while its scalars stream.
    pub const CHUNK: usize = 1 << 22;
}

fn msm_chunk<P: KernelCurve>(gpu: &Gpu, bases: &[Affine<P>], scalars: &[Fr]) -> Result<Projective<P>, GpuError> {
    let (points, scalars) = kernel::msm_inputs(bases, scalars);
    if scalars.is_empty() {
        return Ok(Projective::zero());
    }
    let resident = gpu.upload_bases(&points)?;
    Ok(kernel::point(&gpu.msm(P::GROUP, &resident, &scalars, default_window_bits(scalars.len()))?))
}

fn msm<P: KernelCurve>(bases: &[Affine<P>], scalars: &[Fr]) -> Projective<P> {
    on_gpu_or_cpu(
        |gpu| {
            bases
                .chunks(Cuda::CHUNK)
                .zip(scalars.chunks(Cuda::CHUNK))
                .try_fold(Projective::zero(), |sum, (bases, scalars)| Ok(sum + msm_chunk(gpu, bases, scalars)?))
        },
        || ark_ec::VariableBaseMSM::msm_unchecked(bases, scalars),
    )
}

impl Backend for Cuda {
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
        msm(bases, scalars)
    }

    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
        msm(bases, scalars)
    }

    fn fft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        transform(domain, values, false);
    }

    fn ifft_in_place(&self, domain: &Domain, values: &mut Vec<Fr>) {
        transform(domain, values, true);
    }
}

fn transform(domain: &Domain, values: &mut Vec<Fr>, inverse: bool) {
    // On failure `values` is as it was (zero-padded), so the CPU starts from the same input.
    let on_gpu = on_gpu_or_cpu(
        |gpu| {
            kernel::transform(domain, values, inverse, |values, twiddles| gpu.fr_ntt(values, twiddles)).map(|()| true)
        },
        || false,
    );
    match (on_gpu, inverse) {
        (true, _) => {}
        (false, true) => Cpu.ifft_in_place(domain, values),
        (false, false) => Cpu.fft_in_place(domain, values),
    }
}
