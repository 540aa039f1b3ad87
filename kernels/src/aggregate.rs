//! Secure aggregation's sums on the kernel path: `acc += input` for packed ring coefficients,
//! the same operation as vsies-secure-agg's CPU `add_packed_into` (tested equal there).

use crate::emulator::{self, Launch};
use crate::KernelError;

/// Threads per block of the aggregation kernel.
const BLOCK: u32 = 256;

/// `acc[i] += (little-endian field i of width bytes of input) mod 2^bits`, kept mod 2^128,
/// run by the emulator.
#[allow(unsafe_code, reason = "launches an emulated kernel through its C entry point, after checking its bounds")]
pub fn add_packed_emulated(acc: &mut [u128], input: &[u8], width: usize, bits: u32) -> Result<(), KernelError> {
    if !(1..=128).contains(&bits) || width == 0 || width > 16 || width * 8 < bits as usize {
        return Err(KernelError::Shape(format!("a {bits}-bit value does not fit a {width}-byte field")));
    }
    if acc.len().checked_mul(width) != Some(input.len()) {
        return Err(KernelError::Shape(format!(
            "{} bytes of input for {} fields of {width} bytes",
            input.len(),
            acc.len()
        )));
    }
    let mut limbs = to_limbs(acc);
    let launch = Launch::covering(acc.len() as u64, BLOCK, 1024);
    // SAFETY: `limbs` holds 2 * acc.len() limbs and `input` acc.len() * width bytes, checked
    // above, which are all the kernel indexes.
    unsafe {
        emulator::vsies_emu_add_packed(
            launch.grid,
            launch.block,
            limbs.as_mut_ptr(),
            input.as_ptr(),
            acc.len() as u64,
            width as u32,
            bits,
        )
    };
    from_limbs(acc, &limbs);
    Ok(())
}

/// The kernel's layout of accumulators: each `u128` as two 64-bit limbs, low first.
pub(crate) fn to_limbs(acc: &[u128]) -> Vec<u64> {
    acc.iter().flat_map(|&a| [a as u64, (a >> 64) as u64]).collect()
}

/// Reads accumulators back from [`to_limbs`]' layout.
pub(crate) fn from_limbs(acc: &mut [u128], limbs: &[u64]) {
    for (a, pair) in acc.iter_mut().zip(limbs.chunks_exact(2)) {
        *a = u128::from(pair[0]) | (u128::from(pair[1]) << 64);
    }
}

/// The bounds the kernel indexes by: `count` fields of `width` bytes (at most 16) holding
/// `bits` bits (1 to 128).
pub fn check_shape(count: usize, input_bytes: usize, width: usize, bits: u32) -> Result<(), KernelError> {
    if !(1..=128).contains(&bits) || width == 0 || width > 16 || width * 8 < bits as usize {
        return Err(KernelError::Shape(format!("a {bits}-bit value does not fit a {width}-byte field")));
    }
    if count.checked_mul(width) != Some(input_bytes) {
        return Err(KernelError::Shape(format!("{input_bytes} bytes of input for {count} fields of {width} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_fields_that_do_not_fit() {
        let mut acc = vec![0u128; 4];
        assert!(add_packed_emulated(&mut acc, &[0u8; 16], 4, 33).is_err());
        assert!(add_packed_emulated(&mut acc, &[0u8; 15], 4, 32).is_err());
        assert!(add_packed_emulated(&mut acc, &[0u8; 68], 17, 128).is_err());
        assert!(add_packed_emulated(&mut acc, &[0u8; 16], 4, 32).is_ok());
    }
}
