//! The radix-2 NTT over BN254's scalar field on the kernel path: natural-order evaluations
//! `a_k = Σ_j a_j ω^(jk)` over the domain of size `n`, the operation of arkworks'
//! `Radix2EvaluationDomain::fft_in_place` (tested equal). Field elements are four 64-bit
//! limbs in Montgomery form, as arkworks stores them.

use crate::emulator::{self, Launch};
use crate::KernelError;

/// Threads per block; a block's tile of `2 · BLOCK` elements runs its first stages in shared
/// memory (the kernel's `VSIES_NTT_TILE_MAX` is 512).
const BLOCK: u32 = 256;

/// A field element's Montgomery limbs, little endian.
pub type Limbs = [u64; 4];

/// Transforms `values` in place given `twiddles[k] = ω^k` for `k < n/2`, run by the emulator:
/// a bit-reversal permutation, the first stages tile by tile in shared memory, then one launch
/// per remaining stage.
#[allow(unsafe_code, reason = "launches an emulated kernel through its C entry point, after checking its bounds")]
pub fn fr_ntt_emulated(values: &mut [Limbs], twiddles: &[Limbs]) -> Result<(), KernelError> {
    let n = values.len();
    if n < 2 || !n.is_power_of_two() {
        return Err(KernelError::Shape(format!("an NTT of {n} elements: the size must be a power of two, at least 2")));
    }
    if twiddles.len() != n / 2 {
        return Err(KernelError::Shape(format!("{} twiddles for an NTT of {n} (needs n/2)", twiddles.len())));
    }
    let log_n = n.trailing_zeros();
    let flat = values.as_flattened_mut().as_mut_ptr();
    let twiddles = twiddles.as_flattened().as_ptr();
    let n64 = n as u64;
    let block = BLOCK.min((n / 2) as u32);
    let tile = 2 * u64::from(block);
    // SAFETY: `values` holds n elements and `twiddles` n/2, checked above; every kernel
    // indexes below those bounds for this n (tiles divide n since both are powers of two).
    unsafe {
        let all = Launch::covering(n64, BLOCK, 1024);
        emulator::vsies_emu_fr_bit_reverse(all.grid, all.block, flat, n64, log_n);
        emulator::vsies_emu_fr_ntt_tile((n64 / tile) as u32, block, flat, twiddles, n64);
        let butterflies = Launch::covering(n64 / 2, BLOCK, 1024);
        let mut half = tile;
        while half < n64 {
            emulator::vsies_emu_fr_ntt_stage(butterflies.grid, butterflies.block, flat, twiddles, n64, half);
            half *= 2;
        }
    }
    Ok(())
}
