//! # vsies-zk
//!
//! Groth16 proofs on BN254 (arkworks) that a committed quantized dataset passes its schema
//! (ranges, classes, histogram) and that a model update is exactly the result of the integer
//! training spec in `vsies_core::spec` on committed data.
//!
//! Status: planned (issue "Groth16 proofs of dataset validation"). The crate exists so the
//! workspace layout is fixed; it exposes nothing yet.

/// The training-spec version whose relation this crate will prove.
pub const SPEC_VERSION: u32 = 1;
