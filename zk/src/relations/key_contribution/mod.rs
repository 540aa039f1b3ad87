//! The key-contribution relation: a dealer's contribution to the committee's public key is
//! well formed, and the key pieces it dealt sum to the secret inside it.
//!
//! **What is proved.** For the session's `a`, the dealer's contribution `b_j` (public) and the
//! per-set hashes `h_A` (public), there are binary polynomials `s_j`, errors `|e_j| < 2^35`
//! and, for each piece set `A`, the piece `s_{A,j}` that the dealer committed to in round 1 of
//! the key generation, such that in `Z_{2^128}[X]/(X^n + 1)`
//! `b_j = a·s_j + e_j` and `Σ_A s_{A,j} = s_j`; and `h_A = Poseidon(salt_A, s_{A,0}(z), …)`
//! at the proof's point `z`. The error bound is the fresh noise's `2^34` with one bit of slack.
//!
//! **How.** The contribution's congruence is the integer identity
//! `a·s + e − b − 2^128·K = (X^n + 1)·H` with carries `|K| ≤ n + 2` (range-checked) and a free
//! quotient, checked at `z` as in the update relation ([`crate::relations::ring`]). The pieces
//! never enter the circuit as wires: the circuit takes their evaluations `P_A = s_A(z)` as
//! witnesses and checks `Σ_A P_{A,j} = s_j(z) + 2^128·K'_j(z)`, with carries range-checked to
//! `|K'| < 2^bit_length(pieces)` (an honest dealer's are `0 ≤ K' < pieces`). Each holder of set `A` evaluates the piece it received (and checked against
//! the dealer's round-1 commitment) at `z` and checks `h_A`; by Poseidon's collision
//! resistance the circuit's `P_A` is then its piece's evaluation. The pieces are fixed before
//! `z` (the statement digest absorbs the round-1 commitment), `s`, `K'` and the rest by the
//! proof's commitment to its committed witnesses, from which `z` is derived; so the sum
//! identity at `z` holds for the polynomials themselves except with probability `n/p`, and,
//! every coefficient being below `pieces·2^128 ≪ p`, over the integers, hence mod 2^128.
//! A holder whose check fails publishes its (dealer-signed) piece: anyone can recompute `h_A`
//! and see that the dealer dealt a piece its proof does not sum.
//!
//! **Statement** (first public input): `Poseidon(vsies/keygen-statement/v1, [params
//! id, session (two halves), dealer, keccak of the round-1 commitment (two halves), keccak of
//! `a` and `b` (two halves)])`. The verifier appends the challenge seed, then `a(z)`, each
//! `b_j(z)` and each `h_A`. The dealer learns the `h_A` only once the seed is drawn:
//! [`crate::groth16::Prover::prove_committed_completing`] fills them in after proving.
//!
//! **What it reveals.** Nothing beyond the statement (Groth16 is zero-knowledge); `h_A` hides
//! `s_A(z)` from everyone without the salt, which only the holders of `A` have.
//!
//! **Keys** are per (ring degree, noise, packing, piece sets): one setup (or ceremony) serves
//! every key generation of a committee shape.

mod circuit;
mod relation;

pub use relation::{
    piece_evaluations, piece_hash, piece_salt, ContributionParams, ContributionStatement, ContributionWitness,
    KeyContributionParams, KeyContributionRelation, RELATION,
};

use crate::circuit::{Builder, ConstraintSink};
use crate::error::ZkError;
use crate::groth16::Relation;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

impl Relation for KeyContributionRelation {
    type Params = KeyContributionParams;
    type Statement = ContributionStatement;
    type Witness = ContributionWitness;

    const NAME: &'static str = RELATION;
    const CHALLENGES: usize = 1;

    fn new(params: KeyContributionParams) -> Result<Self, ZkError> {
        KeyContributionRelation::new(params)
    }

    fn params(&self) -> &KeyContributionParams {
        &self.params
    }

    /// `[digest]` (the verifier appends the seed, the evaluations and the piece hashes).
    fn public_inputs(&self, statement: &ContributionStatement) -> Vec<Fr> {
        vec![self.digest(statement)]
    }

    fn derived_inputs(&self, statement: &ContributionStatement, seed: Fr) -> Vec<Fr> {
        self.derived_at(statement, self.point(statement, seed))
    }

    /// The piece hashes.
    fn complete_statement(&self, statement: &mut ContributionStatement, witness: &ContributionWitness, seed: Fr) {
        statement.piece_hashes = self.piece_hashes(statement, witness, seed);
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &ContributionStatement,
        witness: &ContributionWitness,
    ) -> Result<(), SynthesisError> {
        circuit::synthesize(self, builder, statement, witness)
    }

    fn setup_assignment(&self) -> (ContributionStatement, ContributionWitness) {
        self.zero_assignment()
    }

    /// Counted once per relation.
    fn shape(&self) -> Result<crate::groth16::Shape, ZkError> {
        crate::groth16::count_shape_once(self, &self.shape)
    }
}
