// BN254's two prime fields: Fr (scalars, the NTT's field) and Fq (curve coordinates).
#pragma once
#include "field.cuh"

// r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
VSIES_DEFINE_FIELD(Fr, fr, 0x43e1f593f0000001ull, 0x2833e84879b97091ull, 0xb85045b68181585dull, 0x30644e72e131a029ull,
                   0xc2e1f593efffffffull)
// q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
VSIES_DEFINE_FIELD(Fq, fq, 0x3c208c16d87cfd47ull, 0x97816a916871ca8dull, 0xb85045b68181585dull, 0x30644e72e131a029ull,
                   0x87d20782e4866389ull)

// Montgomery one of Fq: R mod q.
VSIES_DEVICE Fq vsies_fq_one() {
    Fq one;
    one.l[0] = 0xd35d438dc58f0d9dull;
    one.l[1] = 0x0a78eb28f5c70b3dull;
    one.l[2] = 0x666ea36f7879462cull;
    one.l[3] = 0x0e0a77c19a07df2full;
    return one;
}

VSIES_DEVICE Fq vsies_fq_zero() {
    Fq zero;
    for (int i = 0; i < 4; ++i) zero.l[i] = 0;
    return zero;
}

// -a (0 - a mod q).
VSIES_DEVICE Fq vsies_fq_neg(Fq a) { return vsies_fq_sub(vsies_fq_zero(), a); }
