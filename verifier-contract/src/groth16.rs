//! Groth16 proofs and keys in the EVM's layout, both ways: encoded from arkworks' types (for
//! `vsies export-verifier` and on-chain submission) and decoded and verified from the same
//! bytes the Solidity verifier takes: the proof as `(a, b, c)` words (`b` as
//! `[[x_im, x_re], [y_im, y_re]]`), the public inputs as 32-byte big-endian words, the key in
//! [`EvmVerifyingKey`] layout. Same verdicts as the contract: false, never a panic, for an
//! input outside the scalar field, a coordinate outside the base field, a point off the curve
//! (or, for G2, outside the prime-order subgroup, which the EVM's pairing precompile also
//! rejects) or a failed pairing.

use crate::solidity::{EvmVerifyingKey, Word, G1, G2};
use alloc::vec::Vec;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, One, PrimeField, Zero};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, VerifyingKey};
use sha3::{Digest, Keccak256};

/// A proof as the verifier's `(a, b, c)` arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmProof {
    /// `A`, a G1 point.
    pub a: G1,
    /// `B`, a G2 point as `[[x_im, x_re], [y_im, y_re]]`.
    pub b: [[Word; 2]; 2],
    /// `C`, a G1 point.
    pub c: G1,
}

impl EvmProof {
    /// The EVM words of an arkworks proof.
    pub fn from_proof(proof: &Proof<Bn254>) -> Self {
        let b = encode_g2(&proof.b);
        Self { a: encode_g1(&proof.a), b: [[b[0], b[1]], [b[2], b[3]]], c: encode_g1(&proof.c) }
    }

    /// The eight words in calldata order: `a`, `b`, `c`.
    pub fn words(&self) -> [Word; 8] {
        let [[b0, b1], [b2, b3]] = self.b;
        [self.a[0], self.a[1], b0, b1, b2, b3, self.c[0], self.c[1]]
    }
}

impl EvmVerifyingKey {
    /// The EVM layout of an arkworks verifying key.
    pub fn from_key(key: &VerifyingKey<Bn254>) -> Self {
        Self {
            alpha: encode_g1(&key.alpha_g1),
            beta: encode_g2(&key.beta_g2),
            gamma: encode_g2(&key.gamma_g2),
            delta: encode_g2(&key.delta_g2),
            ic: key.gamma_abc_g1.iter().map(encode_g1).collect(),
        }
    }
}

fn word(value: &Fq) -> Word {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 coordinates are 32 bytes")
}

/// A G1 point as `(x, y)`; the point at infinity is `(0, 0)`, as the precompiles encode it.
pub fn encode_g1(point: &G1Affine) -> G1 {
    point.xy().map_or([[0; 32]; 2], |(x, y)| [word(&x), word(&y)])
}

/// A G2 point as `[x_im, x_re, y_im, y_re]`.
pub fn encode_g2(point: &G2Affine) -> G2 {
    point.xy().map_or([[0; 32]; 4], |(x, y)| [word(&x.c1), word(&x.c0), word(&y.c1), word(&y.c0)])
}

fn field<F: PrimeField<BigInt = BigInt<4>>>(word: &Word) -> Option<F> {
    let limbs = core::array::from_fn(|i| u64::from_be_bytes(word[24 - 8 * i..32 - 8 * i].try_into().expect("8 bytes")));
    F::from_bigint(BigInt::new(limbs))
}

fn g1(point: &G1) -> Option<G1Affine> {
    let (x, y) = (field::<Fq>(&point[0])?, field::<Fq>(&point[1])?);
    if x.is_zero() && y.is_zero() {
        return Some(G1Affine::zero());
    }
    let point = G1Affine::new_unchecked(x, y);
    point.is_on_curve().then_some(point)
}

fn g2(point: &G2) -> Option<G2Affine> {
    let [x_im, x_re, y_im, y_re] = point;
    let x = Fq2::new(field(x_re)?, field(x_im)?);
    let y = Fq2::new(field(y_re)?, field(y_im)?);
    if x.is_zero() && y.is_zero() {
        return Some(G2Affine::zero());
    }
    let point = G2Affine::new_unchecked(x, y);
    (point.is_on_curve() && point.is_in_correct_subgroup_assuming_on_curve()).then_some(point)
}

/// A verifying key prepared for repeated verification.
pub struct PreparedKey {
    prepared: PreparedVerifyingKey<Bn254>,
    inputs: usize,
}

impl PreparedKey {
    /// `None` when a point of the key is invalid.
    pub fn new(key: &EvmVerifyingKey) -> Option<Self> {
        let vk = VerifyingKey::<Bn254> {
            alpha_g1: g1(&key.alpha)?,
            beta_g2: g2(&key.beta)?,
            gamma_g2: g2(&key.gamma)?,
            delta_g2: g2(&key.delta)?,
            gamma_abc_g1: key.ic.iter().map(g1).collect::<Option<Vec<_>>>()?,
        };
        Some(Self { inputs: key.ic.len() - 1, prepared: ark_groth16::prepare_verifying_key(&vk) })
    }

    /// Whether `proof` is valid for `inputs`: the contract's `verifyProof`.
    pub fn verify(&self, proof: &EvmProof, inputs: &[Word]) -> bool {
        if inputs.len() != self.inputs {
            return false;
        }
        let Some(inputs) = inputs.iter().map(field::<Fr>).collect::<Option<Vec<_>>>() else { return false };
        let [[x_im, x_re], [y_im, y_re]] = proof.b;
        let points = (g1(&proof.a), g2(&[x_im, x_re, y_im, y_re]), g1(&proof.c));
        let (Some(a), Some(b), Some(c)) = points else { return false };
        Groth16::<Bn254>::verify_proof(&self.prepared, &Proof { a, b, c }, &inputs).unwrap_or(false)
    }
}

/// A proof of a committing relation as the committed verifier's calldata: `(a, b, c)`, the
/// commitment `D` and its proof of knowledge `P`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmCommittedProof {
    /// `(A, B, C)`.
    pub proof: EvmProof,
    /// `D`.
    pub commitment: G1,
    /// `P = σD`.
    pub knowledge: G1,
}

impl EvmCommittedProof {
    /// The EVM words of an arkworks proof with its commitment.
    pub fn new(proof: &Proof<Bn254>, commitment: &G1Affine, knowledge: &G1Affine) -> Self {
        Self { proof: EvmProof::from_proof(proof), commitment: encode_g1(commitment), knowledge: encode_g1(knowledge) }
    }

    /// The twelve words in calldata order: `a`, `b`, `c`, `commitment`, `knowledge`.
    pub fn words(&self) -> [Word; 12] {
        let [a0, a1, b0, b1, b2, b3, c0, c1] = self.proof.words();
        let ([d0, d1], [p0, p1]) = (self.commitment, self.knowledge);
        [a0, a1, b0, b1, b2, b3, c0, c1, d0, d1, p0, p1]
    }
}

fn keccak_scalar(words: &[Word]) -> Fr {
    let mut hasher = Keccak256::new();
    for word in words {
        hasher.update(word);
    }
    Fr::from_be_bytes_mod_order(&hasher.finalize())
}

/// A committing verifying key (`IC` with the seed's point last, and `σγ`), prepared.
pub struct PreparedCommittedKey {
    key: VerifyingKey<Bn254>,
    sigma_gamma: G2Affine,
}

impl PreparedCommittedKey {
    /// `None` when a point of the key is invalid or it has no seed input.
    pub fn new(key: &EvmVerifyingKey, sigma_gamma: &G2) -> Option<Self> {
        if key.ic.len() < 2 {
            return None;
        }
        let key = VerifyingKey::<Bn254> {
            alpha_g1: g1(&key.alpha)?,
            beta_g2: g2(&key.beta)?,
            gamma_g2: g2(&key.gamma)?,
            delta_g2: g2(&key.delta)?,
            gamma_abc_g1: key.ic.iter().map(g1).collect::<Option<Vec<_>>>()?,
        };
        Some(Self { key, sigma_gamma: g2(sigma_gamma)? })
    }

    /// Statement inputs a proof takes (the seed excluded).
    pub fn inputs(&self) -> usize {
        self.key.gamma_abc_g1.len() - 2
    }

    /// Whether `proof` is valid for `inputs`: the committed contract's `verifyProof`, the same
    /// words hashed into the same seed and batching scalar, the same five pairs.
    pub fn verify(&self, proof: &EvmCommittedProof, inputs: &[Word]) -> bool {
        if inputs.len() != self.inputs() {
            return false;
        }
        let Some(scalars) = inputs.iter().map(field::<Fr>).collect::<Option<Vec<_>>>() else { return false };
        let [[x_im, x_re], [y_im, y_re]] = proof.proof.b;
        let points = (
            g1(&proof.proof.a),
            g2(&[x_im, x_re, y_im, y_re]),
            g1(&proof.proof.c),
            g1(&proof.commitment),
            g1(&proof.knowledge),
        );
        let (Some(a), Some(b), Some(c), Some(d), Some(p)) = points else { return false };
        if d.is_zero() {
            return false;
        }
        let seed = keccak_scalar(&[proof.commitment[0], proof.commitment[1], proof.knowledge[0], proof.knowledge[1]]);
        let mut words: Vec<Word> = proof.words().to_vec();
        words.extend_from_slice(inputs);
        let rho = keccak_scalar(&words);
        let ic = &self.key.gamma_abc_g1;
        let mut vk_x = ic[0].into_group() + ic[ic.len() - 1] * seed + d - p * rho;
        for (point, scalar) in ic[1..ic.len() - 1].iter().zip(&scalars) {
            vk_x += *point * scalar;
        }
        let left = [(-a.into_group()).into_affine(), self.key.alpha_g1, vk_x.into_affine(), c, (d * rho).into_affine()];
        let right = [b, self.key.beta_g2, self.key.gamma_g2, self.key.delta_g2, self.sigma_gamma];
        Bn254::multi_pairing(left, right).0.is_one()
    }
}
