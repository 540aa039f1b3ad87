// TFHE's blind rotation on the integer NTT, bit for bit tfhe-rs's
// `blind_rotate_ntt64_assign` (the loop of `programmable_bootstrap_ntt64_lwe_ciphertext`):
// modulus switch to 2N, blind rotation of the lookup table by CMUXes (an external product per
// nonzero mask element, signed decomposition mod p). The whole GLWE accumulator is written
// out: the host extracts the constant coefficient (a bootstrap) or first multiplies the
// accumulator by small polynomials (several lookups from one rotation). One block per
// ciphertext (grid-stride); its GLWE accumulator and work buffers live in `scratch`, one region
// per block. Polynomials are (k + 1) x N coefficients, masks first; the key is in this file's
// NTT domain (vsies_tfhe_ntt_forward of tfhe-rs's standard-domain key), laid out as tfhe-rs
// lays out a bootstrap key: input element, level (in the order tfhe-rs's decomposition yields
// them, least significant first), row, output polynomial.
#include "p64.cuh"

// tfhe-rs's `pbs_modulus_switch_non_native`: round(x · 2N / p), in [0, 2N]. With
// x · 2^log_2n = hi · 2^64 + lo and 2^64 = p + ε, the quotient is hi plus a small correction.
VSIES_DEVICE u64 vsies_tfhe_modulus_switch(u64 x, u32 log_2n) {
    u64 hi = x >> (64 - log_2n), lo = x << log_2n;
    u64 quotient = hi;
    u64 rest = lo + hi * VSIES_P64_EPSILON;
    bool above = rest < lo;  // the remainder is 2^64 + rest
    while (above || rest >= VSIES_P64) {
        if (above) {
            rest += VSIES_P64_EPSILON;
            above = false;
        } else {
            rest -= VSIES_P64;
        }
        quotient += 1;
    }
    return quotient + (rest >= VSIES_P64 / 2 ? 1 : 0);
}

// Coefficient j of X^degree · poly (degree in [0, 2N]) in Z_p[X]/(X^N + 1).
VSIES_DEVICE u64 vsies_tfhe_rotated(const u64* poly, u64 n, u64 degree, u64 j) {
    bool negate = (degree / n) % 2 == 1;
    u64 r = degree % n;
    u64 value = j >= r ? poly[j - r] : vsies_p64_neg(poly[n + j - r]);
    return negate ? vsies_p64_neg(value) : value;
}

// Transforms `count` polynomials of 2^log_n coefficients in place, one block per polynomial.
VSIES_KERNEL void vsies_tfhe_ntt_forward(u64* polys, const u64* psi_rev, u32 log_n, u64 count) {
    for (u64 c = VSIES_BLOCK_X; c < count; c += VSIES_GRID_DIM_X) vsies_p64_ntt_forward(polys + (c << log_n), psi_rev, log_n);
}

// The inverse of vsies_tfhe_ntt_forward.
VSIES_KERNEL void vsies_tfhe_ntt_inverse(u64* polys, const u64* psi_inv_rev, u32 log_n, u64 n_inv, u64 count) {
    for (u64 c = VSIES_BLOCK_X; c < count; c += VSIES_GRID_DIM_X)
        vsies_p64_ntt_inverse(polys + (c << log_n), psi_inv_rev, log_n, n_inv);
}

// Blind-rotates `lut` ((k + 1) · N coefficients) by each of `count` LWE ciphertexts of
// dimension `lwe_dimension` (mask then body) into `out` ((k + 1) · N each). `scratch` holds
// (3 (k + 1) + 1) · N values per block.
VSIES_KERNEL void vsies_tfhe_blind_rotate(const u64* key, const u64* lut, const u64* inputs, u64 count, u64 lwe_dimension,
                                       u32 log_n, u32 glwe_size, u32 base_log, u32 levels, const u64* psi_rev,
                                       const u64* psi_inv_rev, u64 n_inv, u64* scratch, u64* out) {
    u64 n = 1ull << log_n, width = (u64)glwe_size * n;
    u64* acc = scratch + (u64)VSIES_BLOCK_X * (3 * width + n);
    u64* diff = acc + width;   // X^a · acc - acc, then its decomposition states
    u64* sums = diff + width;  // the external product's accumulators, NTT domain
    u64* digits = sums + width;
    u64 ggsw = (u64)levels * glwe_size * width;
    for (u64 c = VSIES_BLOCK_X; c < count; c += VSIES_GRID_DIM_X) {
        const u64* ct = inputs + c * (lwe_dimension + 1);
        // acc = lut / X^switch(body): coefficient j of lut · X^(2N - d).
        u64 shift = 2 * n - vsies_tfhe_modulus_switch(ct[lwe_dimension], log_n + 1);
        for (u64 t = VSIES_THREAD_X; t < width; t += VSIES_BLOCK_DIM_X)
            acc[t] = vsies_tfhe_rotated(lut + (t / n) * n, n, shift, t % n);
        VSIES_SYNC();
        for (u64 i = 0; i < lwe_dimension; ++i) {
            if (ct[i] == 0) continue;  // tfhe-rs skips a zero mask element (uniform per block)
            u64 degree = vsies_tfhe_modulus_switch(ct[i], log_n + 1);
            for (u64 t = VSIES_THREAD_X; t < width; t += VSIES_BLOCK_DIM_X) {
                u64 rotated = vsies_tfhe_rotated(acc + (t / n) * n, n, degree, t % n);
                diff[t] = vsies_decomposition_start(vsies_p64_sub(rotated, acc[t]), base_log * levels);
                sums[t] = 0;
            }
            VSIES_SYNC();
            const u64* level_key = key + i * ggsw;
            for (u32 level = 0; level < levels; ++level) {
                for (u32 row = 0; row < glwe_size; ++row) {
                    for (u64 j = VSIES_THREAD_X; j < n; j += VSIES_BLOCK_DIM_X)
                        digits[j] = vsies_decomposition_next(&diff[row * n + j], base_log);
                    VSIES_SYNC();
                    vsies_p64_ntt_forward(digits, psi_rev, log_n);
                    const u64* row_key = level_key + ((u64)level * glwe_size + row) * width;
                    for (u64 t = VSIES_THREAD_X; t < width; t += VSIES_BLOCK_DIM_X)
                        sums[t] = vsies_p64_add(sums[t], vsies_p64_mul(digits[t % n], row_key[t]));
                    VSIES_SYNC();
                }
            }
            for (u32 poly = 0; poly < glwe_size; ++poly) vsies_p64_ntt_inverse(sums + poly * n, psi_inv_rev, log_n, n_inv);
            for (u64 t = VSIES_THREAD_X; t < width; t += VSIES_BLOCK_DIM_X) acc[t] = vsies_p64_add(acc[t], sums[t]);
            VSIES_SYNC();
        }
        u64* result = out + c * width;
        for (u64 t = VSIES_THREAD_X; t < width; t += VSIES_BLOCK_DIM_X) result[t] = acc[t];
        VSIES_SYNC();
    }
}
