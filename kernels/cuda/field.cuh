// Prime fields of four 64-bit limbs in Montgomery form (R = 2^256), little endian: the
// representation arkworks stores, so limbs cross between host and device unchanged. One macro
// defines a field's type and arithmetic from its modulus and -p^-1 mod 2^64; it requires
// p < 2^254 (sums of two reduced values never carry out of 256 bits).
#pragma once
#include "prelude.cuh"

// lo + carry-out of x + a * b + c (the 128-bit result's halves).
VSIES_DEVICE u64 vsies_mac(u64 x, u64 a, u64 b, u64* carry) {
    u64 lo = a * b;
    u64 hi = vsies_mulhi(a, b);
    lo += x;
    hi += lo < x ? 1 : 0;
    lo += *carry;
    hi += lo < *carry ? 1 : 0;
    *carry = hi;
    return lo;
}

#define VSIES_DEFINE_FIELD(T, F, P0, P1, P2, P3, INV) \
struct T { u64 l[4]; }; \
VSIES_DEVICE u64 vsies_##F##_p(int i) { \
    return i == 0 ? P0 : i == 1 ? P1 : i == 2 ? P2 : P3; \
} \
/* a >= r */ \
VSIES_DEVICE bool vsies_##F##_geq_p(const u64* a) { \
    for (int i = 3; i >= 0; --i) { \
        if (a[i] != vsies_##F##_p(i)) return a[i] > vsies_##F##_p(i); \
    } \
    return true; \
} \
 \
VSIES_DEVICE void vsies_##F##_sub_p(u64* a) { \
    u64 borrow = 0; \
    for (int i = 0; i < 4; ++i) { \
        u64 p = vsies_##F##_p(i); \
        u64 d = a[i] - p - borrow; \
        borrow = (a[i] < p || (a[i] == p && borrow)) ? 1 : 0; \
        a[i] = d; \
    } \
} \
 \
VSIES_DEVICE T vsies_##F##_add(T a, T b) { \
    T r; \
    u64 carry = 0; \
    for (int i = 0; i < 4; ++i) { \
        u64 s = a.l[i] + b.l[i]; \
        u64 c1 = s < a.l[i] ? 1 : 0; \
        u64 t = s + carry; \
        u64 c2 = t < s ? 1 : 0; \
        r.l[i] = t; \
        carry = c1 | c2; \
    } \
    /* r < 2^255 since a, b < r < 2^254: no carry out, one conditional subtraction. */ \
    if (vsies_##F##_geq_p(r.l)) vsies_##F##_sub_p(r.l); \
    return r; \
} \
 \
VSIES_DEVICE T vsies_##F##_sub(T a, T b) { \
    T r; \
    u64 borrow = 0; \
    for (int i = 0; i < 4; ++i) { \
        u64 d = a.l[i] - b.l[i] - borrow; \
        borrow = (a.l[i] < b.l[i] || (a.l[i] == b.l[i] && borrow)) ? 1 : 0; \
        r.l[i] = d; \
    } \
    if (borrow) { \
        u64 carry = 0; \
        for (int i = 0; i < 4; ++i) { \
            u64 p = vsies_##F##_p(i); \
            u64 s = r.l[i] + p; \
            u64 c1 = s < p ? 1 : 0; \
            u64 t = s + carry; \
            u64 c2 = t < s ? 1 : 0; \
            r.l[i] = t; \
            carry = c1 | c2; \
        } \
    } \
    return r; \
} \
 \
/* Montgomery product a * b * 2^-256 mod r (CIOS). */ \
VSIES_DEVICE T vsies_##F##_mul(T a, T b) { \
    u64 t[6] = {0, 0, 0, 0, 0, 0}; \
    for (int i = 0; i < 4; ++i) { \
        u64 carry = 0; \
        for (int j = 0; j < 4; ++j) t[j] = vsies_mac(t[j], a.l[j], b.l[i], &carry); \
        u64 s = t[4] + carry; \
        t[5] = s < carry ? 1 : 0; \
        t[4] = s; \
        u64 m = t[0] * INV; \
        carry = 0; \
        vsies_mac(t[0], m, P0, &carry); \
        for (int j = 1; j < 4; ++j) t[j - 1] = vsies_mac(t[j], m, vsies_##F##_p(j), &carry); \
        s = t[4] + carry; \
        t[3] = s; \
        t[4] = t[5] + (s < carry ? 1 : 0); \
    } \
    T r; \
    for (int i = 0; i < 4; ++i) r.l[i] = t[i]; \
    if (t[4] != 0 || vsies_##F##_geq_p(r.l)) vsies_##F##_sub_p(r.l); \
    return r; \
} \
 \
VSIES_DEVICE T vsies_##F##_load(const u64* p) { \
    T r; \
    for (int i = 0; i < 4; ++i) r.l[i] = p[i]; \
    return r; \
} \
 \
VSIES_DEVICE void vsies_##F##_store(u64* p, T a) { \
    for (int i = 0; i < 4; ++i) p[i] = a.l[i]; \
} \
 \
VSIES_DEVICE bool vsies_##F##_is_zero(T a) { return (a.l[0] | a.l[1] | a.l[2] | a.l[3]) == 0; } \
 \
VSIES_DEVICE bool vsies_##F##_eq(T a, T b) { \
    return a.l[0] == b.l[0] && a.l[1] == b.l[1] && a.l[2] == b.l[2] && a.l[3] == b.l[3]; \
}
