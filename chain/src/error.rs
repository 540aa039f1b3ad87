//! Why a chain operation failed.

use std::path::PathBuf;

/// A failed compilation, transaction or conversion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The Solidity compiler could not run or rejected a source.
    #[error("solc: {0}")]
    Solc(String),
    /// A transaction reverted; the revert data in hex.
    #[error("reverted: 0x{0}")]
    Revert(String),
    /// A transaction halted (out of gas, invalid opcode) or was refused by the EVM.
    #[error("transaction failed: {0}")]
    Failed(String),
    /// A proof file could not be turned into calldata.
    #[error("{path}: {reason}")]
    Calldata {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
