//! The training relation: running `docs/TRAINING_SPEC.md` (the same `vsies_core::spec` step)
//! from the weights `W_in` over the schedule of the keys' seed on the rows committed by `D`
//! yields `W_out`.
//!
//! **Statement** (two public inputs, the vault's layout): `round << 220 | node << 60`, and the
//! digest `Poseidon(vsies/training-statement/v1, [D, params id, C_in, C_out, compute, data])`
//! (the parameters' id fixes the schema, the row count and every training parameter); the verifier appends the challenge seed derived from the proof's commitment
//! ([`crate::transcript`]), which the circuit expands into the lookups' `γ, β`. `D` is exactly the
//! data-validation relation's commitment: the circuit re-derives the packed rows from
//! committed offsets and hashes them. `C_in` and `C_out` are model commitments
//! ([`TrainingRelation::model_commitment`]); `C_out` is hiding (its blinding is the prover's
//! opening). Work counts are derived, never declared: compute = rows × epochs, data = rows.
//!
//! **Keys** are per (schema, rows, training parameters): the batch order, a public function of
//! the seed and the row count, is wired in.
//!
//! **Soundness.** Every value the tables check (remainders, the sigmoid's parts, clamped
//! weights, data offsets, starting weights) and every multiplicity is a committed witness of
//! the engine's commitment extension ([`crate::groth16::commitment`]), so the lookup challenges
//! are drawn after they are fixed; everything else follows from them by constraints.

mod circuit;
mod data;
mod lookups;
mod model;
mod proof;
mod relation;
mod steps;
mod tables;

pub use crate::field::{node_hex, parse_node};
pub(crate) use circuit::{synthesize, LookupCheck};
pub use proof::{commitment_element, ModelOpening, ProvedTraining, TrainingProof};
pub use relation::{
    Bounds, ModelCommitment, TrainingKeys, TrainingParams, TrainingProver, TrainingRelation, TrainingStatement,
    TrainingTrace, TrainingVerifier, TrainingWitness, RELATION,
};
pub use tables::{Table, Tables};
