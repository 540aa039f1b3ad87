//! # vsies-fhe
//!
//! The **E**ncrypt stage of VSIES and encrypted logistic-regression inference under TFHE
//! (`tfhe` crate). A data owner encrypts a [`vsies_core::QuantizedDataset`]; a compute node
//! holding only evaluation keys scores it with a model's clear quantized weights and returns
//! ciphertexts that decrypt to exactly the integer scores of `vsies_core::spec::score`.
//!
//! Status: planned (issue "Encrypted logistic-regression inference under TFHE"). The crate
//! exists so the workspace layout is fixed; it exposes nothing yet.

/// The training-spec version this crate will reproduce.
pub const SPEC_VERSION: u32 = 1;
