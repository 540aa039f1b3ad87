// Arithmetic modulo the NTT prime p = 2^64 - 2^32 + 1 of tfhe-rs's deterministic bootstrap
// (`programmable_bootstrap_ntt64_lwe_ciphertext`), with tfhe-rs's conventions: values are
// canonical (in [0, p)), a negation of 0 is 0, and a difference is `a - b` or `a - b + p`.
// The negacyclic NTT of Z_p[X]/(X^N + 1) is Cooley-Tukey forward and Gentleman-Sande inverse
// with the twist folded into bit-reversed powers of a primitive 2N-th root ψ (Longa and
// Naehrig, 2016), run by all threads of one block with a barrier between stages. Its domain
// order differs from tfhe-ntt's; the coefficient-domain products it computes are the same
// integers mod p, which is what bit-identical ciphertexts need.
#pragma once
#include "prelude.cuh"

#define VSIES_P64 0xFFFFFFFF00000001ull
// 2^64 mod p.
#define VSIES_P64_EPSILON 0xFFFFFFFFull

VSIES_DEVICE u64 vsies_p64_add(u64 a, u64 b) {
    u64 s = a + b;
    // An overflow loses 2^64 = p + ε; subtracting p with wraparound adds it back.
    if (s < a || s >= VSIES_P64) s -= VSIES_P64;
    return s;
}

VSIES_DEVICE u64 vsies_p64_sub(u64 a, u64 b) { return a >= b ? a - b : a - b + VSIES_P64; }

VSIES_DEVICE u64 vsies_p64_neg(u64 a) { return a == 0 ? 0 : VSIES_P64 - a; }

// The canonical a·b mod p of any two 64-bit values: with a·b = hi·2^64 + lo and
// hi = hh·2^32 + hl, 2^64 ≡ 2^32 - 1 and 2^96 ≡ -1 give a·b ≡ lo - hh + hl·(2^32 - 1).
VSIES_DEVICE u64 vsies_p64_mul(u64 a, u64 b) {
    u64 lo = a * b, hi = vsies_mulhi(a, b);
    u64 hh = hi >> 32, hl = hi & 0xFFFFFFFFull;
    u64 t = lo - hh;
    if (lo < hh) t += VSIES_P64;
    u64 u = (hl << 32) - hl;
    u64 r = t + u;
    if (r < t) r += VSIES_P64_EPSILON;  // t + u = 2^64 + r ≡ r + ε, and r + ε < 2^64 here
    if (r >= VSIES_P64) r -= VSIES_P64;
    return r;
}

// In-place forward negacyclic NTT of `a` (2^log_n coefficients, natural order in,
// bit-reversed out), psi_rev[k] = ψ^bitrev(k). Every thread of the block must call it.
VSIES_DEVICE void vsies_p64_ntt_forward(u64* a, const u64* psi_rev, u32 log_n) {
    u64 n = 1ull << log_n;
    for (u64 m = 1, t = n / 2; m < n; m *= 2, t /= 2) {
        for (u64 u = VSIES_THREAD_X; u < n / 2; u += VSIES_BLOCK_DIM_X) {
            u64 i = u / t, j = u % t, index = 2 * i * t + j;
            u64 x = a[index], y = vsies_p64_mul(a[index + t], psi_rev[m + i]);
            a[index] = vsies_p64_add(x, y);
            a[index + t] = vsies_p64_sub(x, y);
        }
        VSIES_SYNC();
    }
}

// The inverse of vsies_p64_ntt_forward (bit-reversed in, natural order out), including the
// factor n_inv = 1/N; psi_inv_rev[k] = ψ^-bitrev(k). Every thread of the block must call it.
VSIES_DEVICE void vsies_p64_ntt_inverse(u64* a, const u64* psi_inv_rev, u32 log_n, u64 n_inv) {
    u64 n = 1ull << log_n;
    for (u64 m = n, t = 1; m > 1; m /= 2, t *= 2) {
        for (u64 u = VSIES_THREAD_X; u < n / 2; u += VSIES_BLOCK_DIM_X) {
            u64 i = u / t, j = u % t, index = 2 * i * t + j;
            u64 x = a[index], y = a[index + t];
            a[index] = vsies_p64_add(x, y);
            a[index + t] = vsies_p64_mul(vsies_p64_sub(x, y), psi_inv_rev[m / 2 + i]);
        }
        VSIES_SYNC();
    }
    for (u64 j = VSIES_THREAD_X; j < n; j += VSIES_BLOCK_DIM_X) a[j] = vsies_p64_mul(a[j], n_inv);
    VSIES_SYNC();
}

// tfhe-rs's signed gadget decomposition modulo p (`SignedDecomposerNonNative`): the value's
// absolute representative (v, or p - v above p/2) rounded to its top base_log·levels bits,
// then balanced digits from the least significant level up, negated for a negative value and
// mapped into [0, p). The state fits 63 bits, so its sign rides in the top bit.
#define VSIES_DECOMPOSITION_SIGN (1ull << 63)

VSIES_DEVICE u64 vsies_decomposition_start(u64 v, u32 represented_bits) {
    u64 sign = 0, magnitude = v;
    if (v >= VSIES_P64 / 2 + 1) {
        sign = VSIES_DECOMPOSITION_SIGN;
        magnitude = VSIES_P64 - v;
    }
    u32 shift = 64 - represented_bits - 1;
    u64 rounded = (((magnitude >> shift) + 1) & ~1ull) << shift;
    return (rounded >> (64 - represented_bits)) | sign;
}

// The next digit (least significant level first), advancing `state`.
VSIES_DEVICE u64 vsies_decomposition_next(u64* state, u32 base_log) {
    u64 sign = *state & VSIES_DECOMPOSITION_SIGN;
    u64 s = *state & ~VSIES_DECOMPOSITION_SIGN;
    u64 mask = (1ull << base_log) - 1;
    u64 res = s & mask;
    s >>= base_log;  // s is below 2^62, so this is tfhe-rs's arithmetic shift
    u64 carry = (((res - 1) | s) & res) >> (base_log - 1);
    s += carry;
    *state = s | sign;
    u64 digit = res - (carry << base_log);
    if (sign) digit = 0 - digit;
    return (long long)digit >= 0 ? digit : VSIES_P64 + digit;
}
