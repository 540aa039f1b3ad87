// BN254 G1 (y^2 = x^3 + 3 over Fq) in Jacobian coordinates (X, Y, Z) ↔ (X/Z^2, Y/Z^3), as
// arkworks' `Projective` stores it; the point at infinity has Z = 0. Affine points are (x, y).
#pragma once
#include "bn254.cuh"

struct G1J { Fq x, y, z; };
struct G1A { Fq x, y; };

// Montgomery one of Fq: R mod q.
VSIES_DEVICE Fq vsies_fq_one() {
    Fq one;
    one.l[0] = 0xd35d438dc58f0d9dull;
    one.l[1] = 0x0a78eb28f5c70b3dull;
    one.l[2] = 0x666ea36f7879462cull;
    one.l[3] = 0x0e0a77c19a07df2full;
    return one;
}

VSIES_DEVICE G1J vsies_g1_infinity() {
    G1J p;
    p.x = vsies_fq_one();
    p.y = vsies_fq_one();
    for (int i = 0; i < 4; ++i) p.z.l[i] = 0;
    return p;
}

// -y (0 - y mod q): the y coordinate of the negated point, affine or Jacobian.
VSIES_DEVICE Fq vsies_fq_neg(Fq y) {
    Fq zero;
    for (int i = 0; i < 4; ++i) zero.l[i] = 0;
    return vsies_fq_sub(zero, y);
}

VSIES_DEVICE bool vsies_g1_is_infinity(G1J p) { return vsies_fq_is_zero(p.z); }

VSIES_DEVICE Fq vsies_fq_double(Fq a) { return vsies_fq_add(a, a); }

// dbl-2009-l (a = 0).
VSIES_DEVICE G1J vsies_g1_double(G1J p) {
    if (vsies_g1_is_infinity(p)) return p;
    Fq a = vsies_fq_mul(p.x, p.x);
    Fq b = vsies_fq_mul(p.y, p.y);
    Fq c = vsies_fq_mul(b, b);
    Fq xb = vsies_fq_add(p.x, b);
    Fq d = vsies_fq_double(vsies_fq_sub(vsies_fq_sub(vsies_fq_mul(xb, xb), a), c));
    Fq e = vsies_fq_add(vsies_fq_double(a), a);
    Fq f = vsies_fq_mul(e, e);
    G1J r;
    r.x = vsies_fq_sub(f, vsies_fq_double(d));
    Fq c8 = vsies_fq_double(vsies_fq_double(vsies_fq_double(c)));
    r.y = vsies_fq_sub(vsies_fq_mul(e, vsies_fq_sub(d, r.x)), c8);
    r.z = vsies_fq_double(vsies_fq_mul(p.y, p.z));
    return r;
}

// p + q for an affine q (madd-2007-bl), every special case handled.
VSIES_DEVICE G1J vsies_g1_add_affine(G1J p, G1A q) {
    if (vsies_g1_is_infinity(p)) {
        G1J r;
        r.x = q.x;
        r.y = q.y;
        r.z = vsies_fq_one();
        return r;
    }
    Fq z1z1 = vsies_fq_mul(p.z, p.z);
    Fq u2 = vsies_fq_mul(q.x, z1z1);
    Fq s2 = vsies_fq_mul(q.y, vsies_fq_mul(p.z, z1z1));
    Fq h = vsies_fq_sub(u2, p.x);
    Fq r2 = vsies_fq_double(vsies_fq_sub(s2, p.y));
    if (vsies_fq_is_zero(h)) {
        if (vsies_fq_is_zero(r2)) return vsies_g1_double(p);
        return vsies_g1_infinity();
    }
    Fq hh = vsies_fq_mul(h, h);
    Fq i = vsies_fq_double(vsies_fq_double(hh));
    Fq j = vsies_fq_mul(h, i);
    Fq v = vsies_fq_mul(p.x, i);
    G1J r;
    r.x = vsies_fq_sub(vsies_fq_sub(vsies_fq_mul(r2, r2), j), vsies_fq_double(v));
    r.y = vsies_fq_sub(vsies_fq_mul(r2, vsies_fq_sub(v, r.x)), vsies_fq_double(vsies_fq_mul(p.y, j)));
    Fq zh = vsies_fq_add(p.z, h);
    r.z = vsies_fq_sub(vsies_fq_sub(vsies_fq_mul(zh, zh), z1z1), hh);
    return r;
}

// p + q (add-2007-bl), every special case handled.
VSIES_DEVICE G1J vsies_g1_add(G1J p, G1J q) {
    if (vsies_g1_is_infinity(p)) return q;
    if (vsies_g1_is_infinity(q)) return p;
    Fq z1z1 = vsies_fq_mul(p.z, p.z);
    Fq z2z2 = vsies_fq_mul(q.z, q.z);
    Fq u1 = vsies_fq_mul(p.x, z2z2);
    Fq u2 = vsies_fq_mul(q.x, z1z1);
    Fq s1 = vsies_fq_mul(p.y, vsies_fq_mul(q.z, z2z2));
    Fq s2 = vsies_fq_mul(q.y, vsies_fq_mul(p.z, z1z1));
    Fq h = vsies_fq_sub(u2, u1);
    Fq r2 = vsies_fq_double(vsies_fq_sub(s2, s1));
    if (vsies_fq_is_zero(h)) {
        if (vsies_fq_is_zero(r2)) return vsies_g1_double(p);
        return vsies_g1_infinity();
    }
    Fq h2 = vsies_fq_double(h);
    Fq i = vsies_fq_mul(h2, h2);
    Fq j = vsies_fq_mul(h, i);
    Fq v = vsies_fq_mul(u1, i);
    G1J r;
    r.x = vsies_fq_sub(vsies_fq_sub(vsies_fq_mul(r2, r2), j), vsies_fq_double(v));
    r.y = vsies_fq_sub(vsies_fq_mul(r2, vsies_fq_sub(v, r.x)), vsies_fq_double(vsies_fq_mul(s1, j)));
    Fq zz = vsies_fq_add(p.z, q.z);
    r.z = vsies_fq_mul(vsies_fq_sub(vsies_fq_sub(vsies_fq_mul(zz, zz), z1z1), z2z2), h);
    return r;
}

VSIES_DEVICE G1J vsies_g1_load(const u64* p) {
    G1J r;
    r.x = vsies_fq_load(p);
    r.y = vsies_fq_load(p + 4);
    r.z = vsies_fq_load(p + 8);
    return r;
}

VSIES_DEVICE void vsies_g1_store(u64* p, G1J a) {
    vsies_fq_store(p, a.x);
    vsies_fq_store(p + 4, a.y);
    vsies_fq_store(p + 8, a.z);
}
