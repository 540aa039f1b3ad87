//! # vsies-verifier-contract
//!
//! What a chain needs to check vsies proofs before paying rewards: a Solidity Groth16
//! verifier generated from a vsies verifying key, a reward vault contract (70% by proven
//! compute, 30% by proven data, slashing for invalid or missing work), and this `no_std`
//! crate with the same verification and reward rules for chains that embed Rust.
//!
//! Status: planned (issue "Thin on-chain verifier and reward vault"). The crate is `no_std`
//! from the start and depends on nothing, so it keeps building for `wasm32-unknown-unknown`.
#![no_std]
