//! Our keys and proofs in the EVM's layout (big-endian 32-byte words, G2 coordinates imaginary
//! part first), for `vsies export-verifier` and on-chain submission.

use ark_bn254::{Bn254, Fq, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use vsies_verifier_contract::solidity::{EvmVerifyingKey, Word, G1, G2};

fn word(value: &Fq) -> Word {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 coordinates are 32 bytes")
}

/// A G1 point; the point at infinity is `(0, 0)`, as the precompiles encode it.
pub fn g1(point: &G1Affine) -> G1 {
    point.xy().map_or([[0; 32]; 2], |(x, y)| [word(&x), word(&y)])
}

/// A G2 point as `[x_im, x_re, y_im, y_re]`.
pub fn g2(point: &G2Affine) -> G2 {
    point.xy().map_or([[0; 32]; 4], |(x, y)| [word(&x.c1), word(&x.c0), word(&y.c1), word(&y.c0)])
}

pub fn verifying_key(key: &VerifyingKey<Bn254>) -> EvmVerifyingKey {
    EvmVerifyingKey {
        alpha: g1(&key.alpha_g1),
        beta: g2(&key.beta_g2),
        gamma: g2(&key.gamma_g2),
        delta: g2(&key.delta_g2),
        ic: key.gamma_abc_g1.iter().map(g1).collect(),
    }
}

/// A proof as the verifier's `(a, b, c)` arguments.
pub fn proof(proof: &Proof<Bn254>) -> (G1, [[Word; 2]; 2], G1) {
    let b = g2(&proof.b);
    (g1(&proof.a), [[b[0], b[1]], [b[2], b[3]]], g1(&proof.c))
}
