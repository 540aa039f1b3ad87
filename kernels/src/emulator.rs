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
    pub(crate) fn vsies_emu_msm_digits(
        grid: u32,
        block: u32,
        scalars: *const u64,
        n: u64,
        c: u32,
        windows: u32,
        digits: *mut i32,
    );
    pub(crate) fn vsies_emu_msm_count(
        grid: u32,
        block: u32,
        digits: *const i32,
        n: u64,
        windows: u32,
        slots: u32,
        counts: *mut u32,
    );
    pub(crate) fn vsies_emu_msm_offsets(
        grid: u32,
        block: u32,
        counts: *const u32,
        total_slots: u32,
        offsets: *mut u32,
        cursors: *mut u32,
    );
    pub(crate) fn vsies_emu_msm_scatter(
        grid: u32,
        block: u32,
        digits: *const i32,
        n: u64,
        windows: u32,
        slots: u32,
        cursors: *mut u32,
        entries: *mut u32,
    );
    pub(crate) fn vsies_emu_lwe_compact_rows(
        grid: u32,
        block: u32,
        mask: *const u64,
        bodies: *const u64,
        weights: *const u64,
        n: u64,
        rows: u64,
        columns: u64,
        out: *mut u64,
    );
    pub(crate) fn vsies_emu_tfhe_ntt_forward(
        grid: u32,
        block: u32,
        polys: *mut u64,
        psi_rev: *const u64,
        log_n: u32,
        count: u64,
    );
    pub(crate) fn vsies_emu_tfhe_ntt_inverse(
        grid: u32,
        block: u32,
        polys: *mut u64,
        psi_inv_rev: *const u64,
        log_n: u32,
        n_inv: u64,
        count: u64,
    );
    pub(crate) fn vsies_emu_tfhe_blind_rotate(
        grid: u32,
        block: u32,
        key: *const u64,
        lut: *const u64,
        inputs: *const u64,
        count: u64,
        lwe_dimension: u64,
        log_n: u32,
        glwe_size: u32,
        base_log: u32,
        levels: u32,
        psi_rev: *const u64,
        psi_inv_rev: *const u64,
        n_inv: u64,
        scratch: *mut u64,
        out: *mut u64,
    );
    pub(crate) fn vsies_emu_tfhe_keyswitch(
        grid: u32,
        block: u32,
        key: *const u64,
        inputs: *const u64,
        count: u64,
        input_dimension: u64,
        output_dimension: u64,
        base_log: u32,
        levels: u32,
        out: *mut u64,
    );
}

/// The four point stages of the MSM in one group, as `emulator.cpp`'s `VSIES_EMU_MSM_GROUP`
/// defines them (the same signatures in every group; the points' limb counts differ).
macro_rules! msm_point_stages {
    ($buckets:ident, $segments:ident, $windows:ident, $combine:ident) => {
        unsafe extern "C" {
            pub(crate) fn $buckets(
                grid: u32,
                block: u32,
                bases: *const u64,
                offsets: *const u32,
                counts: *const u32,
                entries: *const u32,
                total_slots: u32,
                buckets: *mut u64,
            );
            pub(crate) fn $segments(
                grid: u32,
                block: u32,
                buckets: *const u64,
                windows: u32,
                slots: u32,
                segments: u32,
                partial: *mut u64,
            );
            pub(crate) fn $windows(
                grid: u32,
                block: u32,
                partial: *const u64,
                windows: u32,
                segments: u32,
                window_sums: *mut u64,
            );
            pub(crate) fn $combine(grid: u32, block: u32, window_sums: *const u64, windows: u32, c: u32, out: *mut u64);
        }
    };
}

msm_point_stages!(vsies_emu_msm_buckets, vsies_emu_msm_segments, vsies_emu_msm_windows, vsies_emu_msm_combine);
msm_point_stages!(
    vsies_emu_msm_g2_buckets,
    vsies_emu_msm_g2_segments,
    vsies_emu_msm_g2_windows,
    vsies_emu_msm_g2_combine
);
