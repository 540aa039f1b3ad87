// The radix-2 NTT over BN254's Fr (the Groth16 prover's quotient polynomial): natural-order
// evaluations `a_k = Σ_j a_j ω^(jk)` of a bit-reversed input, Cooley-Tukey in place.
// `twiddles[k] = ω^k` for k < n/2, in Montgomery form. Element i occupies limbs 4i..4i+3.
#include "bn254.cuh"

VSIES_DEVICE void vsies_butterfly(u64* values, const u64* twiddles, u64 n, u64 half, u64 t) {
    u64 j = t % half;
    u64 i = (t / half) * 2 * half + j;
    Fr w = vsies_fr_load(twiddles + 4 * (j * (n / (2 * half))));
    Fr u = vsies_fr_load(values + 4 * i);
    Fr v = vsies_fr_mul(vsies_fr_load(values + 4 * (i + half)), w);
    vsies_fr_store(values + 4 * i, vsies_fr_add(u, v));
    vsies_fr_store(values + 4 * (i + half), vsies_fr_sub(u, v));
}

// Permutes `values` (n = 2^log_n elements) into bit-reversed order.
VSIES_KERNEL void vsies_fr_bit_reverse(u64* values, u64 n, u32 log_n) {
    for (u64 i = VSIES_GLOBAL_X; i < n; i += VSIES_GRID_THREADS_X) {
        u64 r = 0;
        for (u32 b = 0; b < log_n; ++b) r |= ((i >> b) & 1) << (log_n - 1 - b);
        if (i < r) {
            for (int k = 0; k < 4; ++k) {
                u64 tmp = values[4 * i + k];
                values[4 * i + k] = values[4 * r + k];
                values[4 * r + k] = tmp;
            }
        }
    }
}

// One stage of butterflies of span `half` over the whole array (n/2 butterflies).
VSIES_KERNEL void vsies_fr_ntt_stage(u64* values, const u64* twiddles, u64 n, u64 half) {
    for (u64 t = VSIES_GLOBAL_X; t < n / 2; t += VSIES_GRID_THREADS_X) vsies_butterfly(values, twiddles, n, half, t);
}

#define VSIES_NTT_TILE_MAX 512

// The first stages, up to span `tile/2`, inside shared memory: block b owns elements
// [b * tile, (b + 1) * tile) with tile = 2 * blockDim (at most VSIES_NTT_TILE_MAX), and its
// threads do one butterfly each per stage, with a barrier between stages.
VSIES_KERNEL void vsies_fr_ntt_tile(u64* values, const u64* twiddles, u64 n) {
    VSIES_SHARED u64 tile[4 * VSIES_NTT_TILE_MAX];
    u64 size = 2 * (u64)VSIES_BLOCK_DIM_X;
    u64 base = (u64)VSIES_BLOCK_X * size;
    u32 t = VSIES_THREAD_X;
    for (int k = 0; k < 4; ++k) {
        tile[4 * t + k] = values[4 * (base + t) + k];
        tile[4 * (t + size / 2) + k] = values[4 * (base + t + size / 2) + k];
    }
    VSIES_SYNC();
    for (u64 half = 1; half < size; half *= 2) {
        vsies_butterfly(tile, twiddles, n, half, t);
        VSIES_SYNC();
    }
    for (int k = 0; k < 4; ++k) {
        values[4 * (base + t) + k] = tile[4 * t + k];
        values[4 * (base + t + size / 2) + k] = tile[4 * (t + size / 2) + k];
    }
}
