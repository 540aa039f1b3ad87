//! The update relation: a committee-encrypted update is an honest encryption, under the
//! committee's key, of `n·W_out` and `n` for the model commitment `C(W_out)` and the row count
//! `n` that the node's training proof states.
//!
//! **What is proved.** For the committee key `(a, b_j)` and the update's stored masks `M_c`
//! and bodies `B_p` (all public), there are binary polynomials `r_c` and errors with
//! `|e| < 2^35` (masks) and `|e| < 2^40` (bodies) such that, in `Z_{2^128}[X]/(X^n + 1)`,
//! `2^32·M_c = a·r_c + e_c` and, on every stored value `k` of body `p` (chunk `c`),
//! `2^40·B_p[k] = (b_j·r_c)[k] + e_p[k] + Δ·m_p[k]`, where `m = (n·w_0, …, n·w_d, n)` for weights
//! `W_out` in the weight format that open `C(W_out)` (the training relation's commitment,
//! [`crate::relations::model_commitment`]). The bounds are the fresh noise's `2^34` and the
//! rounding to the stored widths (`2^31`, `2^39`), one bit of slack each: an honest
//! encryption always satisfies them, and the flooding of the committee's partial decryptions
//! is sized for any update that does (`docs/SECURE_AGGREGATION.md`).
//!
//! **How.** Each congruence is an identity over the integers,
//! `a·r + e − 2^32·M − 2^128·K = (X^n + 1)·H`, with carries `|K| ≤ n + 2` (range-checked) and a
//! free quotient `H`; every coefficient of the left side is below `2^143`, far from the
//! field's `p/2`, so the identity holds over the integers exactly when it holds in
//! `F_p[X]`, and it is checked at one random point `z` (Schwartz–Zippel: a false identity
//! of degree below `2n` passes with probability below `2n/p ≈ 2^-241`). Body coefficients
//! past the stored values are free. The witness polynomials (`r`, errors, carries,
//! quotients, free coefficients) are committed witnesses of the engine's commitment
//! extension; `z = Poseidon(vsies/update-point/v1, [c, digest])` is computed in the circuit from
//! the challenge `c` (which the commitment to the witness polynomials fixes) and the statement
//! digest (which fixes the committee key and the ciphertext through their hash), so `z` is drawn after
//! everything the identities check. The public polynomials enter as their evaluations at
//! `z`, public inputs the verifier computes itself ([`crate::groth16::Relation::derived_inputs`]):
//! `n` multiplications per polynomial instead of a hash of every coefficient in the circuit.
//!
//! **Statement** (first public input): `Poseidon(vsies/update-statement/v1, [params id,
//! committee id (two halves), round·2^160 + client, Keccak of every public polynomial (two
//! halves), C(W_out), n])`: the committee key's and the ciphertext's polynomials are hashed
//! by the verifier, outside the circuit.
//! The verifier appends the challenge seed, then `a(z)`, each `M_c(z)`, and each body's
//! `b_j(z)` and `B_p(z)`.
//!
//! **Keys** are per (ring, model width, weight format): one setup serves every committee,
//! round and client of that shape.

mod circuit;
mod relation;

pub use relation::{RingParams, UpdateParams, UpdateRelation, UpdateStatement, UpdateWitness, MODULUS_BITS, RELATION};

use crate::circuit::{Builder, ConstraintSink};
use crate::error::ZkError;
use crate::groth16::Relation;
use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::SynthesisError;

impl Relation for UpdateRelation {
    type Params = UpdateParams;
    type Statement = UpdateStatement;
    type Witness = UpdateWitness;

    const NAME: &'static str = RELATION;
    const CHALLENGES: usize = 1;

    fn new(params: UpdateParams) -> Result<Self, ZkError> {
        UpdateRelation::new(params)
    }

    fn params(&self) -> &UpdateParams {
        &self.params
    }

    /// `[digest]` (the verifier appends the seed and the evaluations).
    fn public_inputs(&self, statement: &UpdateStatement) -> Vec<Fr> {
        vec![self.digest(statement)]
    }

    fn derived_inputs(&self, statement: &UpdateStatement, seed: Fr) -> Vec<Fr> {
        self.evaluations(statement, self.point(statement, seed))
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &UpdateStatement,
        witness: &UpdateWitness,
    ) -> Result<(), SynthesisError> {
        circuit::synthesize(self, builder, statement, witness)
    }

    /// All-zero polynomials of the relation's sizes.
    fn setup_assignment(&self) -> (UpdateStatement, UpdateWitness) {
        let n = self.params.ring.degree;
        let (chunks, polys) = (self.chunks(), self.polynomials());
        let stored: Vec<usize> = (0..polys).map(|p| self.values_in(p)).collect();
        let statement = UpdateStatement {
            committee: [0; 32],
            round: 0,
            client: [0; 20],
            trained: Fr::zero(),
            rows: 1,
            mask_key: vec![0; n],
            body_keys: vec![vec![0; n]; self.params.ring.packing.min(polys)],
            masks: vec![vec![0; n]; chunks],
            bodies: stored.iter().map(|&k| vec![0; k]).collect(),
        };
        let witness = UpdateWitness {
            weights: vec![0; self.params.width],
            blinding: Fr::zero(),
            binary: vec![vec![Fr::zero(); n]; chunks],
            mask_errors: vec![vec![Fr::zero(); n]; chunks],
            mask_carries: vec![vec![Fr::zero(); n]; chunks],
            mask_quotients: vec![vec![Fr::zero(); n - 1]; chunks],
            body_errors: stored.iter().map(|&k| vec![Fr::zero(); k]).collect(),
            body_carries: stored.iter().map(|&k| vec![Fr::zero(); k]).collect(),
            body_free: stored.iter().map(|&k| vec![Fr::zero(); n - k]).collect(),
            body_quotients: vec![vec![Fr::zero(); n - 1]; polys],
        };
        (statement, witness)
    }

    /// Counted once per relation.
    fn shape(&self) -> Result<crate::groth16::Shape, ZkError> {
        crate::groth16::count_shape_once(self, &self.shape)
    }
}
