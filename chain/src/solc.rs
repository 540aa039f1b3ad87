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
            let bytes = crate::bytecode::decode_hex(hex.trim_start_matches("0x"))
                .ok_or_else(|| ChainError::Solc("bytecode is not hex".into()))?;
            contracts.insert(name.clone(), bytes);
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
