//! # vsies-chain
//!
//! An in-memory EVM (revm, Cancun rules) holding the vsies contracts, for tests, benchmarks,
//! examples and local networks: [`solc`] compiles Solidity with the project's pinned solcjs
//! (`scripts/solc.sh`, which installs it with npm on first use), [`evm`] runs transactions and
//! reports their gas, [`abi`] encodes calls, [`calldata`] turns vsies proof files into the
//! words the contracts take, and [`vault`] deploys the reward vault with its verifiers and
//! drives it.
//!
//! Nothing here is trusted by the contracts: a proof file's words go to the chain as they
//! are, and the contracts (and their Rust twin, `vsies_verifier_contract::Vault`) decide.

pub mod abi;
pub mod account;
pub mod bytecode;
pub mod calldata;
pub mod error;
pub mod evm;
pub mod solc;
pub mod vault;

pub use error::ChainError;
pub use evm::{Chain, Log, Receipt};
pub use revm::primitives::{Address, U256};
