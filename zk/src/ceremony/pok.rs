//! Proofs of knowledge of a contribution's secret factors, and the pairing checks that tie a
//! factor to the state it changed.
//!
//! For a secret `x`, a contributor draws a random `s·G1` and publishes `s·G1`, `x·s·G1` and
//! `x·H`, where `H` is a point of G2 hashed from the state it changes, its position and the two
//! G1 points ([`hash_to_g2`]): `e(s·G1, x·H) = e(x·s·G1, H)` shows the same `x` in both, and
//! since nobody knows `H`'s logarithm, only someone who knows `x` can make `x·H` (BGM17 §3).
//! The same `x·H` then proves that a point of the state was multiplied by `x`:
//! `e(new, H) = e(old, x·H)`.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::One;
use ark_serialize::CanonicalSerialize;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a contribution publishes about one secret factor `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorKey {
    /// `s·G1` for a random `s`.
    #[serde(with = "super::files::g1_hex")]
    pub s_g1: G1Affine,
    /// `x·s·G1`.
    #[serde(with = "super::files::g1_hex")]
    pub sx_g1: G1Affine,
    /// `x·H`, `H` = [`hash_to_g2`] of the challenge and the two G1 points.
    #[serde(with = "super::files::g2_hex")]
    pub spx_g2: G2Affine,
}

/// The 32 bytes a proof of knowledge is bound to: the ceremony, the phase, the state's
/// checksum before the contribution, the contribution's position and which secret it is.
pub fn challenge(phase: &str, previous_state: &[u8; 32], position: usize, secret: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [b"vsies/ceremony/pok/v1".as_slice(), phase.as_bytes(), previous_state, secret.as_bytes()] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.update((position as u64).to_le_bytes());
    hash.finalize().into()
}

/// A point of G2 whose discrete logarithm nobody knows: a ChaCha20 stream seeded by the hash of
/// `challenge` and the two G1 points picks an x coordinate until one is on the curve, and the
/// cofactor is cleared (arkworks' `rand` for short Weierstrass curves).
pub fn hash_to_g2(challenge: &[u8; 32], s_g1: &G1Affine, sx_g1: &G1Affine) -> G2Affine {
    let mut hash = Sha256::new();
    hash.update(b"vsies/ceremony/hash-to-g2/v1");
    hash.update(challenge);
    let mut bytes = Vec::with_capacity(64);
    s_g1.serialize_compressed(&mut bytes).expect("writing to memory");
    sx_g1.serialize_compressed(&mut bytes).expect("writing to memory");
    hash.update(&bytes);
    let mut rng = ChaCha20Rng::from_seed(hash.finalize().into());
    G2Projective::rand(&mut rng).into_affine()
}

impl FactorKey {
    /// The proof of knowledge of `x`, bound to `challenge`.
    pub fn new<G: RngCore + CryptoRng>(x: &Fr, challenge: &[u8; 32], rng: &mut G) -> Self {
        let s_g1 = G1Projective::rand(rng).into_affine();
        let sx_g1 = (s_g1 * x).into_affine();
        let spx_g2 = (hash_to_g2(challenge, &s_g1, &sx_g1) * x).into_affine();
        Self { s_g1, sx_g1, spx_g2 }
    }

    /// `H` for this key and `challenge`.
    pub fn h(&self, challenge: &[u8; 32]) -> G2Affine {
        hash_to_g2(challenge, &self.s_g1, &self.sx_g1)
    }

    /// Whether the key proves knowledge of one factor for `challenge`: no identity point, and
    /// `e(s·G1, x·H) = e(x·s·G1, H)`.
    pub fn proves_knowledge(&self, challenge: &[u8; 32]) -> bool {
        if self.s_g1.is_zero() || self.sx_g1.is_zero() || self.spx_g2.is_zero() || self.s_g1 == self.sx_g1 {
            // The identity carries no knowledge; x = 1 changes nothing.
            return false;
        }
        same_ratio((self.s_g1, self.sx_g1), (self.h(challenge), self.spx_g2))
    }

    /// Whether `new = x·old` in G1, for this key's `x` and `challenge`'s `H`.
    pub fn scales_g1(&self, challenge: &[u8; 32], old: &G1Affine, new: &G1Affine) -> bool {
        same_ratio((*old, *new), (self.h(challenge), self.spx_g2))
    }

    /// Whether `new = x·old` in G2, for this key's `x`.
    pub fn scales_g2(&self, old: &G2Affine, new: &G2Affine) -> bool {
        same_ratio((self.s_g1, self.sx_g1), (*old, *new))
    }
}

/// Whether `g1.1 / g1.0 = g2.1 / g2.0` as discrete logarithms: `e(g1.0, g2.1) = e(g1.1, g2.0)`.
pub fn same_ratio(g1: (G1Affine, G1Affine), g2: (G2Affine, G2Affine)) -> bool {
    if g1.0.is_zero() || g2.0.is_zero() {
        return false;
    }
    let left = [g1.0, (-g1.1.into_group()).into_affine()];
    Bn254::multi_pairing(left, [g2.1, g2.0]).0.is_one()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ark_ff::Field;
    use ark_std::rand::rngs::StdRng;

    #[test]
    fn a_key_proves_its_factor_only_for_its_challenge_and_state() {
        let mut rng = StdRng::seed_from_u64(1);
        let x = Fr::rand(&mut rng);
        let challenge = challenge("test", &[7; 32], 1, "tau");
        let key = FactorKey::new(&x, &challenge, &mut rng);
        assert!(key.proves_knowledge(&challenge));
        assert!(!key.proves_knowledge(&super::challenge("test", &[7; 32], 2, "tau")), "another position");
        let old = G1Projective::rand(&mut rng).into_affine();
        assert!(key.scales_g1(&challenge, &old, &(old * x).into_affine()));
        assert!(!key.scales_g1(&challenge, &old, &(old * (x + Fr::one())).into_affine()));
        let g2 = G2Projective::generator().into_affine();
        assert!(key.scales_g2(&g2, &(g2 * x).into_affine()));
        assert!(!key.scales_g2(&g2, &(g2 * x.square()).into_affine()));
        // A forged x·H (another factor) fails.
        let forged = FactorKey { spx_g2: (key.h(&challenge) * (x + Fr::one())).into_affine(), ..key };
        assert!(!forged.proves_knowledge(&challenge));
        // x = 1 is no contribution.
        assert!(!FactorKey::new(&Fr::one(), &challenge, &mut rng).proves_knowledge(&challenge));
    }
}
