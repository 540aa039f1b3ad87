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

/// The launches of one NTT, shared by the emulator and the GPU: a bit-reversal permutation,
/// the first stages tile by tile in shared memory, then one launch per remaining stage.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// log2 of the size.
    pub log_n: u32,
    /// The permutation's launch (one thread per element, grid-stride).
    pub all: Launch,
    /// One block per tile, one thread per butterfly of the tile.
    pub tiles: Launch,
    /// One thread per butterfly of a stage (grid-stride).
    pub butterflies: Launch,
    tile: u64,
}

impl Plan {
    /// Checks the shape (`n` a power of two, at least 2; `n/2` twiddles) and plans it.
    pub fn new(n: usize, twiddles: usize) -> Result<Self, KernelError> {
        if n < 2 || !n.is_power_of_two() {
            return Err(KernelError::Shape(format!(
                "an NTT of {n} elements: the size must be a power of two, at least 2"
            )));
        }
        if twiddles != n / 2 {
            return Err(KernelError::Shape(format!("{twiddles} twiddles for an NTT of {n} (needs n/2)")));
        }
        let n64 = n as u64;
        let block = BLOCK.min((n / 2) as u32);
        let tile = 2 * u64::from(block);
        Ok(Self {
            log_n: n.trailing_zeros(),
            all: Launch::covering(n64, BLOCK, 1024),
            tiles: Launch { grid: (n64 / tile) as u32, block },
            butterflies: Launch::covering(n64 / 2, BLOCK, 1024),
            tile,
        })
    }

    /// The spans of the stages after the tiles, `tile, 2·tile, …, n/2`.
    pub fn global_stages(&self) -> impl Iterator<Item = u64> {
        let n = 1u64 << self.log_n;
        std::iter::successors(Some(self.tile), |half| Some(half * 2)).take_while(move |&half| half < n)
    }
}

/// Transforms `values` in place given `twiddles[k] = ω^k` for `k < n/2`, run by the emulator.
#[allow(unsafe_code, reason = "launches emulated kernels through their C entry points, after checking their bounds")]
pub fn fr_ntt_emulated(values: &mut [Limbs], twiddles: &[Limbs]) -> Result<(), KernelError> {
    let plan = Plan::new(values.len(), twiddles.len())?;
    let n = values.len() as u64;
    let flat = values.as_flattened_mut().as_mut_ptr();
    let twiddles = twiddles.as_flattened().as_ptr();
    // SAFETY: `values` holds n elements and `twiddles` n/2, checked by the plan; every kernel
    // indexes below those bounds for this n (tiles divide n since both are powers of two).
    unsafe {
        emulator::vsies_emu_fr_bit_reverse(plan.all.grid, plan.all.block, flat, n, plan.log_n);
        emulator::vsies_emu_fr_ntt_tile(plan.tiles.grid, plan.tiles.block, flat, twiddles, n);
        for half in plan.global_stages() {
            emulator::vsies_emu_fr_ntt_stage(plan.butterflies.grid, plan.butterflies.block, flat, twiddles, n, half);
        }
    }
    Ok(())
}
