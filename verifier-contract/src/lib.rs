//! # vsies-verifier-contract
//!
//! What a chain needs to check vsies proofs before paying rewards: a Solidity Groth16
//! verifier generated from a vsies verifying key, a reward vault contract (70% by proven
//! compute, 30% by proven data, slashing for invalid or missing work), and this `no_std`
//! crate with the same verification and reward rules for chains that embed Rust.
//!
//! Status: the Solidity verifier renderer ([`solidity`], tested in revm by
//! `cli/tests/evm.rs`), the reward rules ([`vault`]) and the `uint256`-exact arithmetic they
//! use ([`math`]) are here; `RewardVault.sol`, Groth16 verification from EVM bytes in Rust and
//! the differential tests of the vault are not built yet (issue "Thin on-chain verifier and
//! reward vault"). The crate depends on nothing but `alloc`, so it builds for
//! `wasm32-unknown-unknown`.
#![no_std]

extern crate alloc;

pub mod groth16;
pub mod math;
pub mod solidity;
pub mod vault;

pub use vault::{Address, Event, Params, SlashReason, Vault, VaultError};
