// BN254's scalar field Fr in Montgomery form (R = 2^256), four 64-bit limbs, little endian:
// the representation arkworks stores, so limbs cross between host and device unchanged.
#pragma once
#include "prelude.cuh"

struct Fr { u64 l[4]; };

// r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#define VSIES_FR_P0 0x43e1f593f0000001ull
#define VSIES_FR_P1 0x2833e84879b97091ull
#define VSIES_FR_P2 0xb85045b68181585dull
#define VSIES_FR_P3 0x30644e72e131a029ull
// -r^-1 mod 2^64
#define VSIES_FR_INV 0xc2e1f593efffffffull

VSIES_DEVICE u64 vsies_fr_p(int i) {
    return i == 0 ? VSIES_FR_P0 : i == 1 ? VSIES_FR_P1 : i == 2 ? VSIES_FR_P2 : VSIES_FR_P3;
}

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

// a >= r
VSIES_DEVICE bool vsies_fr_geq_p(const u64* a) {
    for (int i = 3; i >= 0; --i) {
        if (a[i] != vsies_fr_p(i)) return a[i] > vsies_fr_p(i);
    }
    return true;
}

VSIES_DEVICE void vsies_fr_sub_p(u64* a) {
    u64 borrow = 0;
    for (int i = 0; i < 4; ++i) {
        u64 p = vsies_fr_p(i);
        u64 d = a[i] - p - borrow;
        borrow = (a[i] < p || (a[i] == p && borrow)) ? 1 : 0;
        a[i] = d;
    }
}

VSIES_DEVICE Fr vsies_fr_add(Fr a, Fr b) {
    Fr r;
    u64 carry = 0;
    for (int i = 0; i < 4; ++i) {
        u64 s = a.l[i] + b.l[i];
        u64 c1 = s < a.l[i] ? 1 : 0;
        u64 t = s + carry;
        u64 c2 = t < s ? 1 : 0;
        r.l[i] = t;
        carry = c1 | c2;
    }
    // r < 2^255 since a, b < r < 2^254: no carry out, one conditional subtraction.
    if (vsies_fr_geq_p(r.l)) vsies_fr_sub_p(r.l);
    return r;
}

VSIES_DEVICE Fr vsies_fr_sub(Fr a, Fr b) {
    Fr r;
    u64 borrow = 0;
    for (int i = 0; i < 4; ++i) {
        u64 d = a.l[i] - b.l[i] - borrow;
        borrow = (a.l[i] < b.l[i] || (a.l[i] == b.l[i] && borrow)) ? 1 : 0;
        r.l[i] = d;
    }
    if (borrow) {
        u64 carry = 0;
        for (int i = 0; i < 4; ++i) {
            u64 p = vsies_fr_p(i);
            u64 s = r.l[i] + p;
            u64 c1 = s < p ? 1 : 0;
            u64 t = s + carry;
            u64 c2 = t < s ? 1 : 0;
            r.l[i] = t;
            carry = c1 | c2;
        }
    }
    return r;
}

// Montgomery product a * b * 2^-256 mod r (CIOS).
VSIES_DEVICE Fr vsies_fr_mul(Fr a, Fr b) {
    u64 t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
        u64 carry = 0;
        for (int j = 0; j < 4; ++j) t[j] = vsies_mac(t[j], a.l[j], b.l[i], &carry);
        u64 s = t[4] + carry;
        t[5] = s < carry ? 1 : 0;
        t[4] = s;
        u64 m = t[0] * VSIES_FR_INV;
        carry = 0;
        vsies_mac(t[0], m, VSIES_FR_P0, &carry);
        for (int j = 1; j < 4; ++j) t[j - 1] = vsies_mac(t[j], m, vsies_fr_p(j), &carry);
        s = t[4] + carry;
        t[3] = s;
        t[4] = t[5] + (s < carry ? 1 : 0);
    }
    Fr r;
    for (int i = 0; i < 4; ++i) r.l[i] = t[i];
    if (t[4] != 0 || vsies_fr_geq_p(r.l)) vsies_fr_sub_p(r.l);
    return r;
}

VSIES_DEVICE Fr vsies_fr_load(const u64* p) {
    Fr r;
    for (int i = 0; i < 4; ++i) r.l[i] = p[i];
    return r;
}

VSIES_DEVICE void vsies_fr_store(u64* p, Fr a) {
    for (int i = 0; i < 4; ++i) p[i] = a.l[i];
}
