// Multi-scalar multiplication on BN254 G1 and G2, Pippenger with signed c-bit digits and the buckets
// accumulated on the device:
//   digits  one thread per scalar recodes it into `windows` digits in [-2^(c-1), 2^(c-1)];
//   count   one thread per (window, scalar) counts the nonzero digits of each bucket (atomics);
//   offsets one thread turns the counts into each bucket's start (exclusive prefix sum);
//   scatter one thread per (window, scalar) writes the scalar's index (and sign) into its bucket;
//   buckets one thread per bucket adds its points (mixed additions with the affine bases);
//   segments one thread per (window, segment of its buckets) reduces the segment with the
//           running-sum trick and a small scalar multiple;
//   windows one thread per window adds its segments;
//   combine one thread adds the windows, doubling c times between them.
// The first four kernels see only scalars and serve both groups; the last four are templates
// over the coordinate field (curve.cuh), one entry point per group (`vsies_msm_*` for G1,
// `vsies_msm_g2_*` for G2). Scalars are canonical (not Montgomery) little-endian limbs; bases
// are affine (x, y) in Montgomery form, 8 limbs each in G1 and 16 in G2; points out are
// Jacobian, 12 limbs each in G1 and 24 in G2. A bucket's additions
// happen in scatter order, which atomics make vary between runs on a GPU: the Jacobian limbs may
// differ, the group element (its affine form) may not.
#include "curve.cuh"

VSIES_DEVICE u32 vsies_scalar_bits(const u64* s, u32 offset, u32 count) {
    if (offset >= 256) return 0;
    u32 limb = offset / 64, shift = offset % 64;
    u64 value = s[limb] >> shift;
    if (shift + count > 64 && limb + 1 < 4) value |= s[limb + 1] << (64 - shift);
    return (u32)(value & ((1ull << count) - 1));
}

VSIES_KERNEL void vsies_msm_digits(const u64* scalars, u64 n, u32 c, u32 windows, i32* digits) {
    for (u64 i = VSIES_GLOBAL_X; i < n; i += VSIES_GRID_THREADS_X) {
        u32 carry = 0;
        for (u32 w = 0; w < windows; ++w) {
            u32 v = vsies_scalar_bits(scalars + 4 * i, w * c, c) + carry;
            i32 d;
            if (v > (1u << (c - 1))) {
                d = (i32)v - (i32)(1u << c);
                carry = 1;
            } else {
                d = (i32)v;
                carry = 0;
            }
            digits[(u64)w * n + i] = d;
        }
    }
}

VSIES_DEVICE u32 vsies_abs_digit(i32 d) { return (u32)(d < 0 ? -d : d); }

VSIES_KERNEL void vsies_msm_count(const i32* digits, u64 n, u32 windows, u32 slots, u32* counts) {
    for (u64 t = VSIES_GLOBAL_X; t < n * windows; t += VSIES_GRID_THREADS_X) {
        i32 d = digits[t];
        if (d != 0) vsies_atomic_add_u32(counts + (t / n) * slots + vsies_abs_digit(d), 1);
    }
}

VSIES_KERNEL void vsies_msm_offsets(const u32* counts, u32 total_slots, u32* offsets, u32* cursors) {
    if (VSIES_GLOBAL_X != 0) return;
    u32 sum = 0;
    for (u32 k = 0; k < total_slots; ++k) {
        offsets[k] = sum;
        cursors[k] = sum;
        sum += counts[k];
    }
}

VSIES_KERNEL void vsies_msm_scatter(const i32* digits, u64 n, u32 windows, u32 slots, u32* cursors, u32* entries) {
    for (u64 t = VSIES_GLOBAL_X; t < n * windows; t += VSIES_GRID_THREADS_X) {
        i32 d = digits[t];
        if (d == 0) continue;
        u32 position = vsies_atomic_add_u32(cursors + (t / n) * slots + vsies_abs_digit(d), 1);
        entries[position] = (u32)(t % n) | (d < 0 ? 0x80000000u : 0u);
    }
}

template <class F>
VSIES_DEVICE void msm_buckets(const u64* bases, const u32* offsets, const u32* counts, const u32* entries, u32 total_slots,
                              u64* buckets) {
    for (u64 k = VSIES_GLOBAL_X; k < total_slots; k += VSIES_GRID_THREADS_X) {
        Jacobian<F> acc = jacobian_infinity<F>();
        for (u32 e = offsets[k]; e < offsets[k] + counts[k]; ++e) {
            u32 entry = entries[e];
            u64 index = entry & 0x7fffffffu;
            Affine<F> point = affine_load<F>(bases + affine_limbs<F>() * index);
            if (entry & 0x80000000u) point.y = field_neg(point.y);
            acc = jacobian_add_affine(acc, point);
        }
        jacobian_store(buckets + jacobian_limbs<F>() * k, acc);
    }
}

// One thread per (window, segment of its buckets): the segment's share Σ_b b · bucket_b of the
// window sum, by the running-sum trick inside the segment and one small scalar multiple:
// over [lo, hi), the trick gives Σ (b - lo + 1) · bucket_b, and (lo - 1) · Σ bucket_b completes it.
template <class F>
VSIES_DEVICE void msm_segments(const u64* buckets, u32 windows, u32 slots, u32 segments, u64* partial) {
    const u64 stride = jacobian_limbs<F>();
    for (u64 t = VSIES_GLOBAL_X; t < (u64)windows * segments; t += VSIES_GRID_THREADS_X) {
        u32 w = (u32)(t / segments), segment = (u32)(t % segments);
        u32 width = (slots + segments - 1) / segments;
        u32 lo = segment * width;
        u32 hi = lo + width < slots ? lo + width : slots;
        Jacobian<F> running = jacobian_infinity<F>();
        Jacobian<F> total = jacobian_infinity<F>();
        for (u32 b = hi; b > lo;) {
            --b;
            running = jacobian_add(running, jacobian_load<F>(buckets + stride * ((u64)w * slots + b)));
            total = jacobian_add(total, running);
        }
        if (lo > 1) total = jacobian_add(total, jacobian_scale(running, lo - 1));
        // lo = 0: the segment counted each bucket b as b + 1; take one of each back.
        if (lo == 0) total = jacobian_add(total, jacobian_neg(running));
        jacobian_store(partial + stride * t, total);
    }
}

// One thread per window: the sum of its segments' shares.
template <class F> VSIES_DEVICE void msm_windows(const u64* partial, u32 windows, u32 segments, u64* window_sums) {
    const u64 stride = jacobian_limbs<F>();
    for (u64 w = VSIES_GLOBAL_X; w < windows; w += VSIES_GRID_THREADS_X) {
        Jacobian<F> total = jacobian_infinity<F>();
        for (u32 s = 0; s < segments; ++s) total = jacobian_add(total, jacobian_load<F>(partial + stride * (w * segments + s)));
        jacobian_store(window_sums + stride * w, total);
    }
}

template <class F> VSIES_DEVICE void msm_combine(const u64* window_sums, u32 windows, u32 c, u64* out) {
    if (VSIES_GLOBAL_X != 0) return;
    Jacobian<F> acc = jacobian_infinity<F>();
    for (u32 w = windows; w-- > 0;) {
        for (u32 k = 0; k < c; ++k) acc = jacobian_double(acc);
        acc = jacobian_add(acc, jacobian_load<F>(window_sums + jacobian_limbs<F>() * w));
    }
    jacobian_store(out, acc);
}

// The entry points, one per group and stage (source::kernel_names reads these lines).
VSIES_KERNEL void vsies_msm_buckets(const u64* bases, const u32* offsets, const u32* counts, const u32* entries, u32 total_slots, u64* buckets) {
    msm_buckets<Fq>(bases, offsets, counts, entries, total_slots, buckets);
}
VSIES_KERNEL void vsies_msm_g2_buckets(const u64* bases, const u32* offsets, const u32* counts, const u32* entries, u32 total_slots, u64* buckets) {
    msm_buckets<Fq2>(bases, offsets, counts, entries, total_slots, buckets);
}
VSIES_KERNEL void vsies_msm_segments(const u64* buckets, u32 windows, u32 slots, u32 segments, u64* partial) {
    msm_segments<Fq>(buckets, windows, slots, segments, partial);
}
VSIES_KERNEL void vsies_msm_g2_segments(const u64* buckets, u32 windows, u32 slots, u32 segments, u64* partial) {
    msm_segments<Fq2>(buckets, windows, slots, segments, partial);
}
VSIES_KERNEL void vsies_msm_windows(const u64* partial, u32 windows, u32 segments, u64* window_sums) {
    msm_windows<Fq>(partial, windows, segments, window_sums);
}
VSIES_KERNEL void vsies_msm_g2_windows(const u64* partial, u32 windows, u32 segments, u64* window_sums) {
    msm_windows<Fq2>(partial, windows, segments, window_sums);
}
VSIES_KERNEL void vsies_msm_combine(const u64* window_sums, u32 windows, u32 c, u64* out) { msm_combine<Fq>(window_sums, windows, c, out); }
VSIES_KERNEL void vsies_msm_g2_combine(const u64* window_sums, u32 windows, u32 c, u64* out) { msm_combine<Fq2>(window_sums, windows, c, out); }
