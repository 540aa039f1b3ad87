//! The challenges of a committing proof and how a statement is bound to them.
//!
//! A relation whose lookups check values the prover chooses during proving (remainders, clamp
//! outputs) needs challenges drawn *after* those values are fixed. The engine commits to them
//! first ([`crate::groth16::commitment`]: a hiding commitment `D` in G1 and a proof of
//! knowledge `P`), then derives the challenges from the commitment exactly as a verifier (or
//! the EVM) does:
//!
//! `c_k = keccak256(D.x ‖ D.y ‖ P.x ‖ P.y ‖ k) mod r`, each coordinate and `k` as a 32-byte
//! big-endian word (the EVM's encoding; the point at infinity is `(0, 0)`).
//!
//! The circuit receives the challenges as private witnesses and binds them into its last
//! public input, `s = Poseidon(vsies/challenge-binding/v1, [base, c_1, …, c_k])`, where `base`
//! is the value the relation would otherwise make public (a statement digest). The verifier
//! computes `s` from the statement and the proof's `D`, `P`; by collision resistance a proof
//! for that `s` used exactly those challenges.

use crate::field::field_bytes;
use crate::poseidon;
use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use sha3::{Digest, Keccak256};

/// Domain tag of the binding hash.
pub const CHALLENGE_BINDING_DOMAIN: &str = "vsies/challenge-binding/v1";

/// Most challenges one proof may draw (the binding hash is one Poseidon block of 8).
pub const MAX_CHALLENGES: usize = poseidon::RATE - 1;

fn coordinate(value: &Fq) -> [u8; 32] {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 coordinates are 32 bytes")
}

/// A G1 point as the EVM's two words.
pub fn point_words(point: &G1Affine) -> [[u8; 32]; 2] {
    point.xy().map_or([[0; 32]; 2], |(x, y)| [coordinate(&x), coordinate(&y)])
}

/// The `count` challenges of a commitment `point` and its proof of knowledge `knowledge`.
pub fn derive_challenges(point: &G1Affine, knowledge: &G1Affine, count: usize) -> Vec<Fr> {
    let mut prefix = Keccak256::new();
    for word in point_words(point).iter().chain(&point_words(knowledge)) {
        prefix.update(word);
    }
    (0..count as u64)
        .map(|k| {
            let mut hasher = prefix.clone();
            let mut index = [0u8; 32];
            index[24..].copy_from_slice(&k.to_be_bytes());
            hasher.update(index);
            Fr::from_be_bytes_mod_order(&hasher.finalize())
        })
        .collect()
}

/// `s = Poseidon(vsies/challenge-binding/v1, [base, c_1, …, c_k])`.
pub fn bind_challenges(base: Fr, challenges: &[Fr]) -> Fr {
    assert!(challenges.len() <= MAX_CHALLENGES, "at most {MAX_CHALLENGES} challenges");
    let elements: Vec<Fr> = std::iter::once(base).chain(challenges.iter().copied()).collect();
    poseidon::hash_block(poseidon::domain(CHALLENGE_BINDING_DOMAIN), &elements)
}

/// A challenge as a 32-byte big-endian word (for messages and the EVM).
pub fn challenge_word(challenge: &Fr) -> [u8; 32] {
    field_bytes(challenge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;

    #[test]
    fn challenges_depend_on_every_word_and_index() {
        let g = G1Affine::generator();
        let two = (g + g).into_affine();
        let base = derive_challenges(&g, &two, 2);
        assert_ne!(base[0], base[1]);
        assert_ne!(derive_challenges(&two, &g, 2), base);
        assert_eq!(derive_challenges(&g, &two, 1)[0], base[0]);
        assert_ne!(bind_challenges(Fr::from(1u64), &base), bind_challenges(Fr::from(2u64), &base));
    }
}
