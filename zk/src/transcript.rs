//! The challenges of a committing proof.
//!
//! A relation whose lookups check values the prover chooses during proving (remainders, clamp
//! outputs) needs challenges drawn *after* those values are fixed. The engine commits to them
//! first ([`crate::groth16::commitment`]: a hiding commitment `D` in G1 and a proof of
//! knowledge `P`), then derives one *seed* from the commitment exactly as a verifier (or the
//! EVM, with one `keccak256`) does:
//!
//! `seed = keccak256(D.x ‖ D.y ‖ P.x ‖ P.y) mod r`, each coordinate a 32-byte big-endian word
//! (the EVM's encoding; the point at infinity is `(0, 0)`).
//!
//! The seed is the circuit's last public input, appended by the verifier (as gnark's
//! commitment extension appends its commitment hash), and the circuit expands it into its
//! challenges with one Poseidon permutation: `[c_1, …, c_k] = state[1..=k]` after absorbing
//! `[seed]` under the tag `vsies/challenges/v1` ([`expand_challenges`]). A verifier pays one
//! input's scalar multiplication for it, and no hash beyond the keccak.

use crate::field::field_bytes;
use crate::poseidon;
use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use sha3::{Digest, Keccak256};

/// Domain tag of the challenges' expansion.
pub const CHALLENGE_DOMAIN: &str = "vsies/challenges/v1";

/// Most challenges one proof may draw (one Poseidon permutation's rate).
pub const MAX_CHALLENGES: usize = poseidon::RATE;

fn coordinate(value: &Fq) -> [u8; 32] {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 coordinates are 32 bytes")
}

/// A G1 point as the EVM's two words.
pub fn point_words(point: &G1Affine) -> [[u8; 32]; 2] {
    point.xy().map_or([[0; 32]; 2], |(x, y)| [coordinate(&x), coordinate(&y)])
}

/// The seed of a commitment `point` and its proof of knowledge `knowledge`.
pub fn challenge_seed(point: &G1Affine, knowledge: &G1Affine) -> Fr {
    let mut hasher = Keccak256::new();
    for word in point_words(point).iter().chain(&point_words(knowledge)) {
        hasher.update(word);
    }
    Fr::from_be_bytes_mod_order(&hasher.finalize())
}

/// The `count` challenges of `seed`: the rate elements after one permutation of `[seed]`
/// under [`CHALLENGE_DOMAIN`] (what [`crate::gadgets::challenge`] computes in the circuit).
pub fn expand_challenges(seed: Fr, count: usize) -> Vec<Fr> {
    assert!(count <= MAX_CHALLENGES, "at most {MAX_CHALLENGES} challenges");
    let mut sponge = poseidon::BlockSponge::new(poseidon::domain(CHALLENGE_DOMAIN));
    sponge.absorb(&[seed]);
    sponge.state[1..=count].to_vec()
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
    fn the_seed_depends_on_every_point_and_expands_to_distinct_challenges() {
        let g = G1Affine::generator();
        let two = (g + g).into_affine();
        let seed = challenge_seed(&g, &two);
        assert_ne!(challenge_seed(&two, &g), seed);
        assert_ne!(challenge_seed(&g, &g), seed);
        let challenges = expand_challenges(seed, 3);
        assert_ne!(challenges[0], challenges[1]);
        assert_ne!(challenges[0], seed);
        assert_eq!(expand_challenges(seed, 1)[0], challenges[0]);
        assert_ne!(expand_challenges(seed + Fr::from(1u64), 1)[0], challenges[0]);
    }
}
