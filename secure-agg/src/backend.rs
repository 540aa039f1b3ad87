//! The backend seam of aggregation: the one hot loop, adding a packed ciphertext into the
//! running sum, behind a trait so an accelerator plugs in ([`Cpu`] is the default and the
//! reference; another backend must give the same sums bit for bit).

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
