//! The C entry points of the CPU emulator (`emulator/emulator.cpp`), one per kernel, and the
//! launch shape they take. Callers use the safe wrappers of [`crate::aggregate`] and
//! [`crate::ntt`], which check every bound a kernel relies on before launching.

/// Grid and block sizes of a one-dimensional launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    /// Blocks.
    pub grid: u32,
    /// Threads per block.
    pub block: u32,
}

impl Launch {
    /// Enough blocks of `block` threads for `work` items, capped at `max_grid` blocks (kernels
    /// loop over the rest with a grid stride).
    pub fn covering(work: u64, block: u32, max_grid: u32) -> Self {
        let grid = work.div_ceil(u64::from(block)).clamp(1, u64::from(max_grid)) as u32;
        Self { grid, block }
    }
}

unsafe extern "C" {
    pub(crate) fn vsies_emu_add_packed(
        grid: u32,
        block: u32,
        acc: *mut u64,
        input: *const u8,
        count: u64,
        width: u32,
        bits: u32,
    );
    pub(crate) fn vsies_emu_fr_bit_reverse(grid: u32, block: u32, values: *mut u64, n: u64, log_n: u32);
    pub(crate) fn vsies_emu_fr_ntt_stage(
        grid: u32,
        block: u32,
        values: *mut u64,
        twiddles: *const u64,
        n: u64,
        half: u64,
    );
    pub(crate) fn vsies_emu_fr_ntt_tile(grid: u32, block: u32, values: *mut u64, twiddles: *const u64, n: u64);
}
