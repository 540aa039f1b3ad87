// Multi-scalar multiplication on BN254 G1, Pippenger with signed c-bit digits and the buckets
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
// Scalars are canonical (not Montgomery) little-endian limbs; bases are affine (x, y) in
// Montgomery form, 8 limbs each; points out are Jacobian, 12 limbs each. A bucket's additions
// happen in scatter order, which atomics make vary between runs on a GPU: the Jacobian limbs may
// differ, the group element (its affine form) may not.
#include "g1.cuh"

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

VSIES_KERNEL void vsies_msm_buckets(const u64* bases, const u32* offsets, const u32* counts, const u32* entries,
                                    u32 total_slots, u64* buckets) {
    for (u64 k = VSIES_GLOBAL_X; k < total_slots; k += VSIES_GRID_THREADS_X) {
        G1J acc = vsies_g1_infinity();
        for (u32 e = offsets[k]; e < offsets[k] + counts[k]; ++e) {
            u32 entry = entries[e];
            u64 index = entry & 0x7fffffffu;
            G1A point;
            point.x = vsies_fq_load(bases + 8 * index);
            point.y = vsies_fq_load(bases + 8 * index + 4);
            if (entry & 0x80000000u) point.y = vsies_fq_neg(point.y);
            acc = vsies_g1_add_affine(acc, point);
        }
        vsies_g1_store(buckets + 12 * k, acc);
    }
}

// k · p for a small k, double-and-add from the top bit.
VSIES_DEVICE G1J vsies_g1_scale(G1J p, u32 k) {
    G1J r = vsies_g1_infinity();
    for (int bit = 31; bit >= 0; --bit) {
        r = vsies_g1_double(r);
        if ((k >> bit) & 1) r = vsies_g1_add(r, p);
    }
    return r;
}

// One thread per (window, segment of its buckets): the segment's share Σ_b b · bucket_b of the
// window sum, by the running-sum trick inside the segment and one small scalar multiple:
// over [lo, hi), the trick gives Σ (b - lo + 1) · bucket_b, and (lo - 1) · Σ bucket_b completes it.
VSIES_KERNEL void vsies_msm_segments(const u64* buckets, u32 windows, u32 slots, u32 segments, u64* partial) {
    for (u64 t = VSIES_GLOBAL_X; t < (u64)windows * segments; t += VSIES_GRID_THREADS_X) {
        u32 w = (u32)(t / segments), segment = (u32)(t % segments);
        u32 width = (slots + segments - 1) / segments;
        u32 lo = segment * width;
        u32 hi = lo + width < slots ? lo + width : slots;
        G1J running = vsies_g1_infinity();
        G1J total = vsies_g1_infinity();
        for (u32 b = hi; b > lo;) {
            --b;
            running = vsies_g1_add(running, vsies_g1_load(buckets + 12 * ((u64)w * slots + b)));
            total = vsies_g1_add(total, running);
        }
        if (lo > 1) total = vsies_g1_add(total, vsies_g1_scale(running, lo - 1));
        // lo = 0: the segment counted each bucket b as b + 1; take one of each back.
        if (lo == 0) {
            G1J minus = running;
            minus.y = vsies_fq_neg(minus.y);
            total = vsies_g1_add(total, minus);
        }
        vsies_g1_store(partial + 12 * t, total);
    }
}

// One thread per window: the sum of its segments' shares.
VSIES_KERNEL void vsies_msm_windows(const u64* partial, u32 windows, u32 segments, u64* window_sums) {
    for (u64 w = VSIES_GLOBAL_X; w < windows; w += VSIES_GRID_THREADS_X) {
        G1J total = vsies_g1_infinity();
        for (u32 s = 0; s < segments; ++s) total = vsies_g1_add(total, vsies_g1_load(partial + 12 * (w * segments + s)));
        vsies_g1_store(window_sums + 12 * w, total);
    }
}

VSIES_KERNEL void vsies_msm_combine(const u64* window_sums, u32 windows, u32 c, u64* out) {
    if (VSIES_GLOBAL_X != 0) return;
    G1J acc = vsies_g1_infinity();
    for (u32 w = windows; w-- > 0;) {
        for (u32 k = 0; k < c; ++k) acc = vsies_g1_double(acc);
        acc = vsies_g1_add(acc, vsies_g1_load(window_sums + 12 * w));
    }
    vsies_g1_store(out, acc);
}
