//! The backend seam of aggregation: the one hot loop, adding a packed ciphertext into the
//! running sum, behind a trait so an accelerator plugs in ([`Cpu`] is the default and the
//! reference; another backend must give the same sums bit for bit). [`Emulated`] runs the GPU
//! kernel's own source (vsies-kernels) on the CPU emulator.

use crate::ring;

/// Adds packed ciphertext coefficients into a running sum.
pub trait SumBackend {
    /// `acc[i] += input[i]` for `acc.len()` values packed in `input` at `bits` bits each
    /// (`bits / 8` little-endian bytes), wrapping mod 2^128; the caller reduces mod 2^bits.
    fn add_packed_into(&self, acc: &mut [u128], input: &[u8], bits: u32);
}

/// The CPU: one load, mask and add per value.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu;

impl SumBackend for Cpu {
    fn add_packed_into(&self, acc: &mut [u128], input: &[u8], bits: u32) {
        ring::add_packed_into(acc, input, bits);
    }
}

/// vsies-kernels' aggregation kernel (`kernels/cuda/aggregate.cu`), run by its CPU emulator:
/// the GPU code path, testable without a GPU, and equal to [`Cpu`] bit for bit (tested).
#[derive(Clone, Copy, Debug, Default)]
pub struct Emulated;

impl SumBackend for Emulated {
    fn add_packed_into(&self, acc: &mut [u128], input: &[u8], bits: u32) {
        // The aggregator has checked both operands' shapes (same model and chunk count), so
        // the kernel's own shape check cannot fail here.
        vsies_kernels::aggregate::add_packed_emulated(acc, input, ring::width(bits), bits)
            .expect("the aggregator passes operands of one shape");
    }
}

/// The aggregation kernel on the process's GPU (the `cuda` feature): each addition copies the
/// sum and the input over and back. Falls back to [`Cpu`] (with one warning) when the GPU
/// fails: the same sums either way.
#[cfg(feature = "cuda")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Cuda;

#[cfg(feature = "cuda")]
impl SumBackend for Cuda {
    fn add_packed_into(&self, acc: &mut [u128], input: &[u8], bits: u32) {
        let width = ring::width(bits);
        // `add_packed` writes `acc` only after the kernel succeeded, so the CPU starts from
        // the same sum.
        let on_gpu =
            vsies_kernels::cuda::on_gpu_or_cpu(|gpu| gpu.add_packed(acc, input, width, bits).map(|()| true), || false);
        if !on_gpu {
            ring::add_packed_into(acc, input, bits);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BODY_BITS, MASK_BITS};
    use tfhe::core_crypto::commons::math::random::Seed;
    use tfhe::core_crypto::prelude::DefaultRandomGenerator;

    /// On random accumulators and packed inputs at both stored widths (and at 128 bits, where
    /// the low limb's carry matters most), the emulated kernel equals the CPU sum.
    #[test]
    fn emulated_kernel_sums_equal_the_cpu_sums() {
        let mut generator =
            tfhe::core_crypto::commons::math::random::RandomGenerator::<DefaultRandomGenerator>::new(Seed(9));
        for bits in [MASK_BITS, BODY_BITS, 128] {
            for count in [1usize, 255, 256, 1000] {
                let mut acc = vec![0u128; count];
                generator.fill_slice_with_random_uniform(&mut acc);
                let mut input = vec![0u8; count * ring::width(bits)];
                generator.fill_slice_with_random_uniform(&mut input);
                let mut expected = acc.clone();
                Cpu.add_packed_into(&mut expected, &input, bits);
                Emulated.add_packed_into(&mut acc, &input, bits);
                assert_eq!(acc, expected, "{count} values of {bits} bits");
            }
        }
    }
}
