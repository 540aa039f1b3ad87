//! snarkjs's JSON layouts (`verification_key.json`, `proof.json`, `public.json`) for our keys
//! and proofs, so `snarkjs groth16 verify` checks them. Coordinates are affine, decimal
//! strings; a G2 coordinate is `[c0, c1]`; points carry a third projective coordinate.

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
