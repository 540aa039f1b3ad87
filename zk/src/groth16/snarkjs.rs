//! snarkjs's JSON layouts (`verification_key.json`, `proof.json`, `public.json`) for our keys
//! and proofs, so `snarkjs groth16 verify` checks them. Coordinates are affine, decimal
//! strings; a G2 coordinate is `[c0, c1]`; points carry a third projective coordinate.
//!
//! Keys and proofs with a commitment ([`super::commitment`]) carry one more field,
//! `vsies_commitment`, in the same point layout: the key's `sigma_gamma_2` (`σγ` in G2) and
//! committed-witness count, the proof's `D` and `P`. snarkjs ignores it, and so cannot verify
//! such proofs: their check adds `D` to the inputs' accumulation and the proof of knowledge
//! `e(D, σγ) = e(P, γ)`, and their last public input is the seed `keccak256(D.x ‖ D.y ‖ P.x ‖
//! P.y) mod r`. The field says so, for tools that implement the extension.

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};

fn decimal<F: PrimeField>(value: &F) -> String {
    value.into_bigint().to_string()
}

fn fq2(value: &Fq2) -> Value {
    json!([decimal::<Fq>(&value.c0), decimal::<Fq>(&value.c1)])
}

/// A G1 point as `[x, y, "1"]` (the point at infinity `["0", "1", "0"]`).
pub fn g1(point: &G1Affine) -> Value {
    match point.xy() {
        Some((x, y)) => json!([decimal(&x), decimal(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

/// A G2 point as `[[x0, x1], [y0, y1], ["1", "0"]]`.
pub fn g2(point: &G2Affine) -> Value {
    match point.xy() {
        Some((x, y)) => json!([fq2(&x), fq2(&y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json`.
pub fn verifying_key(key: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": key.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1(&key.alpha_g1),
        "vk_beta_2": g2(&key.beta_g2),
        "vk_gamma_2": g2(&key.gamma_g2),
        "vk_delta_2": g2(&key.delta_g2),
        "IC": key.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `verification_key.json` of a committing key: [`verifying_key`] with `vsies_commitment`.
pub fn committed_verifying_key(key: &VerifyingKey<Bn254>, commitment: &super::CommitmentKey) -> Value {
    let mut value = verifying_key(key);
    value["vsies_commitment"] = json!({
        "scheme": "groth16 with a Pedersen commitment to witnesses (gnark's extension)",
        "sigma_gamma_2": g2(&commitment.sigma_gamma_g2),
        "committed": commitment.committed,
        "last_public_input": "keccak256(D.x || D.y || P.x || P.y) mod r, 32-byte big-endian words",
        "check": "e(A, B) = e(alpha, beta) e(vk_x + D, gamma) e(C, delta) and e(D, sigma_gamma) = e(P, gamma)",
    });
    value
}

/// `proof.json` of a committing proof: [`proof`] with `vsies_commitment` (`D`, `P`).
pub fn committed_proof(committed: &super::CommittedProof) -> Value {
    let mut value = proof(&committed.proof);
    value["vsies_commitment"] =
        json!({ "D": g1(&committed.commitment.point), "P": g1(&committed.commitment.knowledge) });
    value
}

/// `proof.json`.
pub fn proof(proof: &Proof<Bn254>) -> Value {
    json!({
        "pi_a": g1(&proof.a),
        "pi_b": g2(&proof.b),
        "pi_c": g1(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// `public.json`.
pub fn public_inputs(inputs: &[Fr]) -> Value {
    Value::Array(inputs.iter().map(|input| Value::String(decimal(input))).collect())
}
