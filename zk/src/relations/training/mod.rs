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
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ark_std::rand::{rngs::StdRng, SeedableRng};
//! use vsies_core::TrainingConfig;
//! use vsies_zk::relations::training::{
//!     TrainingKeys, TrainingParams, TrainingProver, TrainingRelation, TrainingVerifier, RELATION,
//! };
//!
//! let (schema, dataset) = vsies_zk::doc_dataset();
//! let training = TrainingConfig { epochs: 1, batch_size_log2: 1, ..TrainingConfig::default() };
//! let params = TrainingParams { relation: RELATION.into(), schema, rows: dataset.rows(), training };
//! // The task owner makes the keys (a seeded rng here: never for real keys).
//! let keys = tempfile::tempdir()?;
//! TrainingKeys::generate(TrainingRelation::new(params)?, &mut StdRng::seed_from_u64(1), keys.path())?;
//! // A node proves its training for round 0 from zero weights.
//! let prover = TrainingProver::load(keys.path())?;
//! let proved = prover.prove_training(&dataset, None, 0, [7; 20], &mut StdRng::seed_from_u64(2))?;
//! // Anyone with verifying.key checks it; whoever holds the opening checks the model.
//! let verifier = TrainingVerifier::load(keys.path())?;
//! let statement = verifier.verify_training(&proved.proof, "proof.json".as_ref())?;
//! verifier.check_initial(&statement, None, "proof.json".as_ref())?;
//! verifier.check_trained(&statement, &proved.model, &proved.opening, "proof.json".as_ref())?;
//! assert_eq!(proved.proof.compute, 5);
//! # Ok(())
//! # }
//! ```

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
