// BN254's G1 (over Fq) and G2 (over Fq2), both y^2 = x^3 + b with a = 0, in Jacobian
// coordinates (X, Y, Z) ↔ (X/Z^2, Y/Z^3), as arkworks' `Projective` stores them; the point at
// infinity has Z = 0. The formulas never use b, so one template over the coordinate field F
// serves both groups. A field enters through the overloads below; its limbs are
// sizeof(F) / 8 (4 for Fq, 8 for Fq2), an affine point is 2 fields and a Jacobian one 3.
#pragma once
#include "fq2.cuh"

VSIES_DEVICE Fq field_add(Fq a, Fq b) { return vsies_fq_add(a, b); }
VSIES_DEVICE Fq field_sub(Fq a, Fq b) { return vsies_fq_sub(a, b); }
VSIES_DEVICE Fq field_mul(Fq a, Fq b) { return vsies_fq_mul(a, b); }
VSIES_DEVICE Fq field_neg(Fq a) { return vsies_fq_neg(a); }
VSIES_DEVICE bool field_is_zero(Fq a) { return vsies_fq_is_zero(a); }
VSIES_DEVICE void field_set(Fq* a, bool one) { *a = one ? vsies_fq_one() : vsies_fq_zero(); }

VSIES_DEVICE Fq2 field_add(Fq2 a, Fq2 b) { return vsies_fq2_add(a, b); }
VSIES_DEVICE Fq2 field_sub(Fq2 a, Fq2 b) { return vsies_fq2_sub(a, b); }
VSIES_DEVICE Fq2 field_mul(Fq2 a, Fq2 b) { return vsies_fq2_mul(a, b); }
VSIES_DEVICE Fq2 field_neg(Fq2 a) { return vsies_fq2_neg(a); }
VSIES_DEVICE bool field_is_zero(Fq2 a) { return vsies_fq2_is_zero(a); }
VSIES_DEVICE void field_set(Fq2* a, bool one) {
    field_set(&a->c0, one);
    field_set(&a->c1, false);
}

// A field's limbs, in memory order (both fields are plain arrays of u64).
template <class F> VSIES_DEVICE F field_load(const u64* p) {
    F r;
    u64* limbs = (u64*)&r;
    for (u32 i = 0; i < sizeof(F) / 8; ++i) limbs[i] = p[i];
    return r;
}

template <class F> VSIES_DEVICE void field_store(u64* p, F a) {
    const u64* limbs = (const u64*)&a;
    for (u32 i = 0; i < sizeof(F) / 8; ++i) p[i] = limbs[i];
}

template <class F> VSIES_DEVICE F field_double(F a) { return field_add(a, a); }

template <class F> struct Jacobian { F x, y, z; };
template <class F> struct Affine { F x, y; };

// Limbs of an affine and of a Jacobian point.
template <class F> VSIES_DEVICE u64 affine_limbs() { return 2 * sizeof(F) / 8; }
template <class F> VSIES_DEVICE u64 jacobian_limbs() { return 3 * sizeof(F) / 8; }

// arkworks' zero: (1, 1, 0).
template <class F> VSIES_DEVICE Jacobian<F> jacobian_infinity() {
    Jacobian<F> p;
    field_set(&p.x, true);
    field_set(&p.y, true);
    field_set(&p.z, false);
    return p;
}

template <class F> VSIES_DEVICE bool jacobian_is_infinity(Jacobian<F> p) { return field_is_zero(p.z); }

template <class F> VSIES_DEVICE Jacobian<F> jacobian_neg(Jacobian<F> p) {
    p.y = field_neg(p.y);
    return p;
}

// dbl-2009-l (a = 0).
template <class F> VSIES_DEVICE_CALL Jacobian<F> jacobian_double(Jacobian<F> p) {
    if (jacobian_is_infinity(p)) return p;
    F a = field_mul(p.x, p.x);
    F b = field_mul(p.y, p.y);
    F c = field_mul(b, b);
    F xb = field_add(p.x, b);
    F d = field_double(field_sub(field_sub(field_mul(xb, xb), a), c));
    F e = field_add(field_double(a), a);
    F f = field_mul(e, e);
    Jacobian<F> r;
    r.x = field_sub(f, field_double(d));
    F c8 = field_double(field_double(field_double(c)));
    r.y = field_sub(field_mul(e, field_sub(d, r.x)), c8);
    r.z = field_double(field_mul(p.y, p.z));
    return r;
}

// p + q for an affine q (madd-2007-bl), every special case handled.
template <class F> VSIES_DEVICE_CALL Jacobian<F> jacobian_add_affine(Jacobian<F> p, Affine<F> q) {
    if (jacobian_is_infinity(p)) {
        Jacobian<F> r;
        r.x = q.x;
        r.y = q.y;
        field_set(&r.z, true);
        return r;
    }
    F z1z1 = field_mul(p.z, p.z);
    F u2 = field_mul(q.x, z1z1);
    F s2 = field_mul(q.y, field_mul(p.z, z1z1));
    F h = field_sub(u2, p.x);
    F r2 = field_double(field_sub(s2, p.y));
    if (field_is_zero(h)) {
        if (field_is_zero(r2)) return jacobian_double(p);
        return jacobian_infinity<F>();
    }
    F hh = field_mul(h, h);
    F i = field_double(field_double(hh));
    F j = field_mul(h, i);
    F v = field_mul(p.x, i);
    Jacobian<F> r;
    r.x = field_sub(field_sub(field_mul(r2, r2), j), field_double(v));
    r.y = field_sub(field_mul(r2, field_sub(v, r.x)), field_double(field_mul(p.y, j)));
    F zh = field_add(p.z, h);
    r.z = field_sub(field_sub(field_mul(zh, zh), z1z1), hh);
    return r;
}

// p + q (add-2007-bl), every special case handled.
template <class F> VSIES_DEVICE_CALL Jacobian<F> jacobian_add(Jacobian<F> p, Jacobian<F> q) {
    if (jacobian_is_infinity(p)) return q;
    if (jacobian_is_infinity(q)) return p;
    F z1z1 = field_mul(p.z, p.z);
    F z2z2 = field_mul(q.z, q.z);
    F u1 = field_mul(p.x, z2z2);
    F u2 = field_mul(q.x, z1z1);
    F s1 = field_mul(p.y, field_mul(q.z, z2z2));
    F s2 = field_mul(q.y, field_mul(p.z, z1z1));
    F h = field_sub(u2, u1);
    F r2 = field_double(field_sub(s2, s1));
    if (field_is_zero(h)) {
        if (field_is_zero(r2)) return jacobian_double(p);
        return jacobian_infinity<F>();
    }
    F h2 = field_double(h);
    F i = field_mul(h2, h2);
    F j = field_mul(h, i);
    F v = field_mul(u1, i);
    Jacobian<F> r;
    r.x = field_sub(field_sub(field_mul(r2, r2), j), field_double(v));
    r.y = field_sub(field_mul(r2, field_sub(v, r.x)), field_double(field_mul(s1, j)));
    F zz = field_add(p.z, q.z);
    r.z = field_mul(field_sub(field_sub(field_mul(zz, zz), z1z1), z2z2), h);
    return r;
}

// k · p for a small k, double-and-add from the top bit.
template <class F> VSIES_DEVICE Jacobian<F> jacobian_scale(Jacobian<F> p, u32 k) {
    Jacobian<F> r = jacobian_infinity<F>();
    for (int bit = 31; bit >= 0; --bit) {
        r = jacobian_double(r);
        if ((k >> bit) & 1) r = jacobian_add(r, p);
    }
    return r;
}

template <class F> VSIES_DEVICE Affine<F> affine_load(const u64* p) {
    Affine<F> r;
    r.x = field_load<F>(p);
    r.y = field_load<F>(p + sizeof(F) / 8);
    return r;
}

template <class F> VSIES_DEVICE Jacobian<F> jacobian_load(const u64* p) {
    Jacobian<F> r;
    r.x = field_load<F>(p);
    r.y = field_load<F>(p + sizeof(F) / 8);
    r.z = field_load<F>(p + 2 * sizeof(F) / 8);
    return r;
}

template <class F> VSIES_DEVICE void jacobian_store(u64* p, Jacobian<F> a) {
    field_store(p, a.x);
    field_store(p + sizeof(F) / 8, a.y);
    field_store(p + 2 * sizeof(F) / 8, a.z);
}
