//! The project's Solidity compiler: pinned solcjs via `scripts/solc.sh` (optimizer on, 200
//! runs, Cancun), which needs Node.js and npm and installs the compiler into `.tools/` once.

use crate::error::ChainError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root (the scripts and contracts live there).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The vault's sources: `RewardVault.sol` and the `Poseidon9.sol` it imports.
pub fn vault_sources() -> [PathBuf; 2] {
    let dir = root().join("verifier-contract/contracts");
    [dir.join("RewardVault.sol"), dir.join("Poseidon9.sol")]
}

/// Creation bytecode of every contract in `sources`, by contract name.
pub fn compile(sources: &[&Path]) -> Result<BTreeMap<String, Vec<u8>>, ChainError> {
    let out = Command::new(root().join("scripts/solc.sh"))
        .args(sources)
        .output()
        .map_err(|err| ChainError::Solc(format!("running scripts/solc.sh: {err}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| ChainError::Solc(format!("{}{}", text, String::from_utf8_lossy(&out.stderr))))?;
    if !out.status.success() {
        return Err(ChainError::Solc(parsed["errors"].to_string()));
    }
    let mut contracts = BTreeMap::new();
    for (name, contract) in parsed.as_object().into_iter().flatten() {
        if let Some(hex) = contract["bytecode"].as_str() {
            contracts.insert(name.clone(), decode_hex(hex.trim_start_matches("0x"))?);
        }
    }
    Ok(contracts)
}

/// Creation bytecode of `contract` in `sources`.
pub fn compile_one(sources: &[&Path], contract: &str) -> Result<Vec<u8>, ChainError> {
    compile(sources)?
        .remove(contract)
        .ok_or_else(|| ChainError::Solc(format!("no contract `{contract}` in the sources")))
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, ChainError> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or(""), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| ChainError::Solc("bytecode is not hex".into()))
}
