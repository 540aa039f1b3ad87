//! # vsies-verifier-contract
//!
//! What a chain needs to check vsies proofs before paying rewards: a Solidity Groth16
//! verifier generated from a vsies verifying key, a reward vault contract (70% by proven
//! compute, 30% by proven data, slashing for invalid or missing work), and this `no_std`
//! crate with the same verification and reward rules for chains that embed Rust.
//!
//! [`solidity`] renders the verifier contract; `contracts/RewardVault.sol` is the vault;
//! [`groth16`] verifies the same proofs from the same calldata words, [`vault`] applies the
//! same reward and slashing rules with [`math`]'s `uint256`-exact arithmetic. The crate is
//! `no_std` + `alloc` and builds for `wasm32-unknown-unknown`. `cli/tests/evm.rs` runs the
//! contracts in revm against this crate; `docs/CHAIN.md` documents the ABI.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod fixed;
pub mod groth16;
pub mod math;
pub mod poseidon;
pub mod solidity;
pub mod vault;

pub use vault::{Address, Event, Params, RelationId, SlashReason, Vault, VaultError};
