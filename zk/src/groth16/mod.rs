//! The Groth16 engine (BN254), written once for any [`Relation`]: bounded-memory key
//! generation and proving, key files, verification, snarkjs layouts.
//!
//! One file per protocol stage, as ark-groth16 lays itself out:
//!
//! | file | stage |
//! |---|---|
//! | [`qap`] | libsnark's R1CS-to-QAP reduction, from streams: the setup's QAP pass and the prover's quotient |
//! | [`witness`] | the prover's witness pass (the assignment and each constraint's `A·z`, `B·z`) |
//! | [`keygen`] | streamed key generation into `proving.key` |
//! | [`prover`] | the streamed prover |
//! | [`keys`] | keys, provers and verifiers of a relation, and their files |
//! | [`key_file`] | the key files' layout, read and written in pieces |
//! | [`backend`] | the seam where MSMs and FFTs run (the CPU by default) |
//! | [`snarkjs`] | snarkjs's JSON layouts |
//!
//! A relation is a [`Relation`]: its parameters (what the keys fix), its public statement as
//! one struct, its witness as another, and a `synthesize` that builds its constraints into any
//! [`crate::circuit::ConstraintSink`]. Adding a relation never touches these files.
//!
//! **Trusted setup.** Key generation is a circuit-specific Groth16 setup run by one party:
//! whoever keeps its randomness (the "toxic waste") can forge proofs for the relation. vsies
//! drops it when setup returns; [`crate::ceremony`] makes the same keys by a multi-party
//! ceremony instead, sound if one contributor was honest.

pub mod backend;
pub mod commitment;
pub mod key_file;
pub mod keygen;
pub mod keys;
pub mod prover;
pub mod qap;
mod relation;
pub mod snarkjs;
pub mod witness;

#[cfg(feature = "cuda")]
pub use backend::Cuda;
pub use backend::{Backend, Cpu, Emulated};
pub use commitment::{Commitment, CommitmentKey, CommittedProof};
pub use keys::{Circuit, Keys, Prover, ProvingKeyLocation, Verifier};
pub use relation::{
    check_satisfied, check_satisfied_with_seed, constraints_by_stage, count_shape, count_shape_once, Relation, Shape,
};
