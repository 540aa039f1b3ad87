//! Multi-scalar multiplication on BN254 G1 and G2 on the kernel path (`cuda/msm.cu`):
//! Pippenger with signed digits, buckets on the device. The result equals arkworks'
//! `VariableBaseMSM::msm` as a group element (tested); its Jacobian limbs may differ between
//! runs on a GPU, where atomics order each bucket's additions.

use crate::emulator::{self, Launch};
use crate::ntt::Limbs;
use crate::KernelError;

/// An affine G1 point: `x` then `y`, Montgomery limbs of Fq (arkworks' representation).
pub type G1Affine = [u64; 8];
/// A Jacobian G1 point: `X, Y, Z`, Montgomery limbs of Fq (arkworks' `Projective`).
pub type G1Jacobian = [u64; 12];
/// An affine G2 point: `x.c0, x.c1, y.c0, y.c1`, Montgomery limbs of Fq (arkworks' order).
pub type G2Affine = [u64; 16];
/// A Jacobian G2 point: `X, Y, Z` over Fq2, each `c0` then `c1` (arkworks' `Projective`).
pub type G2Jacobian = [u64; 24];

/// The group an MSM runs in: the scalar stages are shared, the point stages have one entry
/// point per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// BN254 G1, over Fq.
    G1,
    /// BN254 G2, over Fq2.
    G2,
}

impl Group {
    /// Limbs of one affine point.
    pub fn affine_limbs(self) -> usize {
        match self {
            Self::G1 => 8,
            Self::G2 => 16,
        }
    }

    /// Limbs of one Jacobian point.
    pub fn jacobian_limbs(self) -> usize {
        self.affine_limbs() / 2 * 3
    }

    /// The kernel of a point stage (`buckets`, `segments`, `windows`, `combine`) in this group.
    pub fn kernel(self, stage: &str) -> String {
        match self {
            Self::G1 => format!("vsies_msm_{stage}"),
            Self::G2 => format!("vsies_msm_g2_{stage}"),
        }
    }

    /// The points of `limbs` affine limbs, or the reason they are not whole points.
    pub fn points(self, limbs: usize) -> Result<usize, KernelError> {
        if !limbs.is_multiple_of(self.affine_limbs()) {
            return Err(KernelError::Shape(format!("{limbs} limbs of {self:?} bases: not whole points")));
        }
        Ok(limbs / self.affine_limbs())
    }
}

/// Threads per block: the atomic kernels' concurrent threads in the emulator.
const BLOCK: u32 = 64;

/// The shape of one MSM: sizes of every buffer and the launches, shared by the emulator and
/// the GPU.
#[derive(Clone, Copy, Debug)]
pub struct MsmPlan {
    /// Points.
    pub n: u64,
    /// Window width `c` in bits.
    pub window_bits: u32,
    /// Windows: enough for 254-bit scalars plus the signed recoding's last carry.
    pub windows: u32,
    /// Buckets per window, index 0 unused: `2^(c-1) + 1`.
    pub slots: u32,
    /// One thread per scalar, or per (window, scalar).
    pub per_scalar: Launch,
    /// One thread per (window, scalar).
    pub per_digit: Launch,
    /// One thread per bucket.
    pub per_bucket: Launch,
    /// Segments each window's buckets are reduced in, one thread each.
    pub segments: u32,
    /// One thread per (window, segment).
    pub per_segment: Launch,
}

/// arkworks' default window for `n` points: about `ln n + 2` bits.
pub fn default_window_bits(n: usize) -> u32 {
    if n < 32 {
        3
    } else {
        ((n as f64).ln() as u32 + 2).min(16)
    }
}

impl MsmPlan {
    /// Checks the shape and plans it: as many scalars as bases, fewer than 2^31, a window of
    /// 1 to 16 bits.
    pub fn new(bases: usize, scalars: usize, window_bits: u32) -> Result<Self, KernelError> {
        if bases != scalars {
            return Err(KernelError::Shape(format!("{scalars} scalars for {bases} bases")));
        }
        if bases >= 1 << 31 {
            return Err(KernelError::Shape(format!("{bases} points: at most 2^31 - 1")));
        }
        if !(1..=16).contains(&window_bits) {
            return Err(KernelError::Shape(format!("a {window_bits}-bit window: 1 to 16 bits")));
        }
        let n = bases as u64;
        let windows = 254u32.div_ceil(window_bits) + 1;
        let slots = (1u32 << (window_bits - 1)) + 1;
        // About 64 buckets per segment, at most 256 segments per window.
        let segments = slots.div_ceil(64).clamp(1, 256);
        Ok(Self {
            n,
            window_bits,
            windows,
            slots,
            per_scalar: Launch::covering(n, BLOCK, 1024),
            per_digit: Launch::covering(n * u64::from(windows), BLOCK, 256),
            per_bucket: Launch::covering(u64::from(windows * slots), BLOCK, 1024),
            segments,
            per_segment: Launch::covering(u64::from(windows * segments), BLOCK, 1024),
        })
    }

    /// Bucket slots over all windows.
    pub fn total_slots(&self) -> u32 {
        self.windows * self.slots
    }

    /// Segment shares over all windows.
    pub fn partials(&self) -> usize {
        self.windows as usize * self.segments as usize
    }

    /// Digits (and bucket entries) over all windows.
    pub fn digits(&self) -> usize {
        self.n as usize * self.windows as usize
    }
}

/// The emulator's entry points of one group's point stages.
struct PointStages {
    buckets: unsafe extern "C" fn(u32, u32, *const u64, *const u32, *const u32, *const u32, u32, *mut u64),
    segments: unsafe extern "C" fn(u32, u32, *const u64, u32, u32, u32, *mut u64),
    windows: unsafe extern "C" fn(u32, u32, *const u64, u32, u32, *mut u64),
    combine: unsafe extern "C" fn(u32, u32, *const u64, u32, u32, *mut u64),
}

fn point_stages(group: Group) -> PointStages {
    match group {
        Group::G1 => PointStages {
            buckets: emulator::vsies_emu_msm_buckets,
            segments: emulator::vsies_emu_msm_segments,
            windows: emulator::vsies_emu_msm_windows,
            combine: emulator::vsies_emu_msm_combine,
        },
        Group::G2 => PointStages {
            buckets: emulator::vsies_emu_msm_g2_buckets,
            segments: emulator::vsies_emu_msm_g2_segments,
            windows: emulator::vsies_emu_msm_g2_windows,
            combine: emulator::vsies_emu_msm_g2_combine,
        },
    }
}

/// `Σ scalars[i] · bases[i]` in G1 (scalars canonical, not Montgomery), run by the emulator.
pub fn msm_g1_emulated(bases: &[G1Affine], scalars: &[Limbs], window_bits: u32) -> Result<G1Jacobian, KernelError> {
    let out = msm_emulated(Group::G1, bases.as_flattened(), scalars, window_bits)?;
    Ok(out.try_into().expect("a G1 point"))
}

/// `Σ scalars[i] · bases[i]` in G2 (scalars canonical, not Montgomery), run by the emulator.
pub fn msm_g2_emulated(bases: &[G2Affine], scalars: &[Limbs], window_bits: u32) -> Result<G2Jacobian, KernelError> {
    let out = msm_emulated(Group::G2, bases.as_flattened(), scalars, window_bits)?;
    Ok(out.try_into().expect("a G2 point"))
}

/// `Σ scalars[i] · bases[i]` in `group`, bases as flat affine limbs, run by the emulator; the
/// Jacobian limbs of the sum.
#[allow(unsafe_code, reason = "launches emulated kernels through their C entry points, after checking their bounds")]
pub fn msm_emulated(group: Group, bases: &[u64], scalars: &[Limbs], window_bits: u32) -> Result<Vec<u64>, KernelError> {
    let plan = MsmPlan::new(group.points(bases.len())?, scalars.len(), window_bits)?;
    let point = group.jacobian_limbs();
    let stages = point_stages(group);
    let total = plan.total_slots();
    let mut digits = vec![0i32; plan.digits()];
    let mut counts = vec![0u32; total as usize];
    let mut offsets = vec![0u32; total as usize];
    let mut cursors = vec![0u32; total as usize];
    let mut entries = vec![0u32; plan.digits()];
    let mut buckets = vec![0u64; point * total as usize];
    let mut partial = vec![0u64; point * plan.partials()];
    let mut window_sums = vec![0u64; point * plan.windows as usize];
    let mut out = vec![0u64; point];
    let (n, c, windows, slots) = (plan.n, plan.window_bits, plan.windows, plan.slots);
    // SAFETY: every buffer is sized from the plan exactly as the kernels index it: digits and
    // entries windows·n, counts/offsets/cursors total slots, buckets one Jacobian point per
    // slot, partial one per (window, segment), window sums one per window; scalars 4 limbs and
    // bases one affine point per point (checked equal counts), all in the group's limb sizes.
    unsafe {
        let (s, d, b) = (plan.per_scalar, plan.per_digit, plan.per_bucket);
        emulator::vsies_emu_msm_digits(
            s.grid,
            s.block,
            scalars.as_flattened().as_ptr(),
            n,
            c,
            windows,
            digits.as_mut_ptr(),
        );
        emulator::vsies_emu_msm_count(d.grid, d.block, digits.as_ptr(), n, windows, slots, counts.as_mut_ptr());
        emulator::vsies_emu_msm_offsets(1, 1, counts.as_ptr(), total, offsets.as_mut_ptr(), cursors.as_mut_ptr());
        emulator::vsies_emu_msm_scatter(
            d.grid,
            d.block,
            digits.as_ptr(),
            n,
            windows,
            slots,
            cursors.as_mut_ptr(),
            entries.as_mut_ptr(),
        );
        (stages.buckets)(
            b.grid,
            b.block,
            bases.as_ptr(),
            offsets.as_ptr(),
            counts.as_ptr(),
            entries.as_ptr(),
            total,
            buckets.as_mut_ptr(),
        );
        let g = plan.per_segment;
        (stages.segments)(g.grid, g.block, buckets.as_ptr(), windows, slots, plan.segments, partial.as_mut_ptr());
        (stages.windows)(1, BLOCK, partial.as_ptr(), windows, plan.segments, window_sums.as_mut_ptr());
        (stages.combine)(1, 1, window_sums.as_ptr(), windows, c, out.as_mut_ptr());
    }
    Ok(out)
}
