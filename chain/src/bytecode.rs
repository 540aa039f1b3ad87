//! The contracts' creation bytecode, committed under `chain/bytecode/` so that a chain, a round
//! and a user's node need no Solidity compiler at run time. `tests/bytecode.rs` checks that the
//! pinned solc (`scripts/solc.sh`) reproduces every one from the committed sources, so the
//! bytes on chain are the audited Solidity's.

use crate::error::ChainError;
use std::path::PathBuf;

/// A contract whose bytecode is committed.
#[derive(Clone, Copy, Debug)]
pub struct CommittedContract {
    /// The contract's name in its sources.
    pub name: &'static str,
    /// Its sources, relative to the repository's root (the first defines the contract).
    pub sources: &'static [&'static str],
    /// The committed file under `chain/bytecode/`.
    pub file: &'static str,
    hex: &'static str,
}

/// The reward vault (`RewardVault.sol` with the `Poseidon9` and `VaultMath` libraries it inlines).
pub const REWARD_VAULT: CommittedContract = CommittedContract {
    name: "RewardVault",
    sources: &[
        "verifier-contract/contracts/RewardVault.sol",
        "verifier-contract/contracts/Poseidon9.sol",
        "verifier-contract/contracts/VaultMath.sol",
    ],
    file: "RewardVault.hex",
    hex: include_str!("../bytecode/RewardVault.hex"),
};

/// The plain Groth16 verifier for two-input statements, its key as constructor data (the
/// vault's data-validation relation).
pub const VERIFIER_WITH_KEY: CommittedContract = CommittedContract {
    name: "Groth16VerifierWithKey",
    sources: &["verifier-contract/contracts/Groth16VerifierWithKey.sol"],
    file: "Groth16VerifierWithKey.hex",
    hex: include_str!("../bytecode/Groth16VerifierWithKey.hex"),
};

/// The committed Groth16 verifier for two-input statements, its key as constructor data (the
/// vault's training relation).
pub const COMMITTED_VERIFIER_WITH_KEY: CommittedContract = CommittedContract {
    name: "Groth16CommittedVerifierWithKey",
    sources: &["verifier-contract/contracts/Groth16CommittedVerifierWithKey.sol"],
    file: "Groth16CommittedVerifierWithKey.hex",
    hex: include_str!("../bytecode/Groth16CommittedVerifierWithKey.hex"),
};

/// Every committed contract.
pub const ALL: [CommittedContract; 3] = [REWARD_VAULT, VERIFIER_WITH_KEY, COMMITTED_VERIFIER_WITH_KEY];

impl CommittedContract {
    /// The creation bytecode (constructor arguments are appended by the deployer).
    pub fn creation_code(&self) -> Result<Vec<u8>, ChainError> {
        decode_hex(self.hex.trim()).ok_or_else(|| ChainError::Solc(format!("chain/bytecode/{} is not hex", self.file)))
    }

    /// The sources' paths in this checkout.
    pub fn source_paths(&self) -> Vec<PathBuf> {
        self.sources.iter().map(|source| crate::solc::root().join(source)).collect()
    }

    /// The committed file's path in this checkout.
    pub fn path(&self) -> PathBuf {
        crate::solc::root().join("chain/bytecode").join(self.file)
    }
}

/// Bytes from hex without a prefix; `None` for an odd length or a non-hex digit.
pub(crate) fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// Lowercase hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
