// BN254's quadratic extension Fq2 = Fq[u] / (u^2 + 1), G2's coordinate field: c0 + c1·u, the
// two Fq elements in Montgomery form, c0 first (arkworks' `QuadExtField` order), 8 limbs.
#pragma once
#include "bn254.cuh"

struct Fq2 { Fq c0, c1; };

VSIES_DEVICE Fq2 vsies_fq2_add(Fq2 a, Fq2 b) {
    Fq2 r;
    r.c0 = vsies_fq_add(a.c0, b.c0);
    r.c1 = vsies_fq_add(a.c1, b.c1);
    return r;
}

VSIES_DEVICE Fq2 vsies_fq2_sub(Fq2 a, Fq2 b) {
    Fq2 r;
    r.c0 = vsies_fq_sub(a.c0, b.c0);
    r.c1 = vsies_fq_sub(a.c1, b.c1);
    return r;
}

// Karatsuba with u^2 = -1: (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u.
VSIES_DEVICE_CALL Fq2 vsies_fq2_mul(Fq2 a, Fq2 b) {
    Fq v0 = vsies_fq_mul(a.c0, b.c0);
    Fq v1 = vsies_fq_mul(a.c1, b.c1);
    Fq cross = vsies_fq_mul(vsies_fq_add(a.c0, a.c1), vsies_fq_add(b.c0, b.c1));
    Fq2 r;
    r.c0 = vsies_fq_sub(v0, v1);
    r.c1 = vsies_fq_sub(vsies_fq_sub(cross, v0), v1);
    return r;
}

VSIES_DEVICE Fq2 vsies_fq2_neg(Fq2 a) {
    Fq2 r;
    r.c0 = vsies_fq_neg(a.c0);
    r.c1 = vsies_fq_neg(a.c1);
    return r;
}

VSIES_DEVICE bool vsies_fq2_is_zero(Fq2 a) { return vsies_fq_is_zero(a.c0) && vsies_fq_is_zero(a.c1); }
