//! Where a verifier contract keeps its verifying key: compiled in as constants (one contract
//! per key, `vsies export-verifier`), or in immutables set from constructor data (one bytecode,
//! committed to the repository, serving every key of a statement shape; keys made at run time
//! need no Solidity compiler).
//!
//! Both placements name the key's words alike (`ALPHA_X`, `BETA_X_IM`, …, `IC3_Y`), and the
//! renderers ask this module for the expression that reads a word, so one renderer writes both
//! contracts and they differ only in how a word is read.

use super::{hex, EvmVerifyingKey, Word, G2};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The suffixes of a G2 point's words, in the precompile's order.
pub(crate) const G2_SUFFIXES: [&str; 4] = ["X_IM", "X_RE", "Y_IM", "Y_RE"];

/// A verifying key's words and how the contract holds them.
pub(crate) struct KeyWords {
    names: Vec<String>,
    /// The values, for constants; `None` for constructor data.
    values: Option<Vec<Word>>,
}

impl KeyWords {
    /// `key`'s words as constants (with the knowledge key `sigma_gamma` of a committed key).
    pub(crate) fn constants(key: &EvmVerifyingKey, sigma_gamma: Option<&G2>) -> Self {
        Self { names: names(key.ic.len(), sigma_gamma.is_some()), values: Some(constructor_words(key, sigma_gamma)) }
    }

    /// A key of `ic_points` input points (with a knowledge key when `committed`), read from
    /// constructor data into immutables.
    pub(crate) fn constructor(ic_points: usize, committed: bool) -> Self {
        Self { names: names(ic_points, committed), values: None }
    }

    /// The contract-level declarations: constants, or immutables with the constructor that
    /// sets them and a view returning them.
    pub(crate) fn declarations(&self) -> String {
        let count = self.names.len();
        match &self.values {
            Some(values) => self
                .names
                .iter()
                .zip(values)
                .map(|(name, value)| format!("    uint256 internal constant {name} = {};\n", hex(value)))
                .collect(),
            None => {
                let mut out: String =
                    self.names.iter().map(|name| format!("    uint256 internal immutable {name};\n")).collect();
                out.push_str(&format!(
                    "\n    /// The verifying key's {count} words, in the order of `verifyingKey()`.\n    constructor(uint256[{count}] memory key) {{\n"
                ));
                for (i, name) in self.names.iter().enumerate() {
                    out.push_str(&format!("        {name} = key[{i}];\n"));
                }
                out.push_str("    }\n\n");
                out.push_str(&format!(
                    "    /// The key this contract verifies with: alpha, beta, gamma, delta{}, then the IC points.\n",
                    if self.names.iter().any(|name| name.starts_with("SIGMA")) { ", sigma gamma" } else { "" }
                ));
                out.push_str(&format!(
                    "    function verifyingKey() external view returns (uint256[{count}] memory key) {{\n        key = _key();\n    }}\n\n"
                ));
                out.push_str(&format!("    function _key() internal view returns (uint256[{count}] memory key) {{\n"));
                for (i, name) in self.names.iter().enumerate() {
                    out.push_str(&format!("        key[{i}] = {name};\n"));
                }
                out.push_str("    }\n");
                out
            }
        }
    }

    /// Solidity run at the start of `verifyProof`, before its assembly: immutables cannot be
    /// read from assembly, so they are first copied to memory at `k`.
    pub(crate) fn prelude(&self) -> String {
        match self.values {
            Some(_) => String::new(),
            None => format!("        uint256[{}] memory k = _key();\n", self.names.len()),
        }
    }

    /// The assembly expression reading the word `name`.
    pub(crate) fn get(&self, name: &str) -> String {
        match self.values {
            Some(_) => name.to_string(),
            None => {
                let index = self.names.iter().position(|n| n == name).expect("a word of the key");
                format!("mload(add(k, {}))", 32 * index)
            }
        }
    }
}

/// The key's word names, in order: alpha, beta, gamma, delta, sigma gamma (committed keys),
/// the IC points.
fn names(ic_points: usize, committed: bool) -> Vec<String> {
    let mut names: Vec<String> = ["ALPHA_X", "ALPHA_Y"].map(String::from).to_vec();
    let mut groups = alloc::vec!["BETA", "GAMMA", "DELTA"];
    if committed {
        groups.push("SIGMA_GAMMA");
    }
    for group in groups {
        names.extend(G2_SUFFIXES.map(|suffix| format!("{group}_{suffix}")));
    }
    for i in 0..ic_points {
        names.push(format!("IC{i}_X"));
        names.push(format!("IC{i}_Y"));
    }
    names
}

/// `key`'s words in constructor order (with the knowledge key of a committed key): the
/// constructor data of a verifier that takes its key at deployment.
pub fn constructor_words(key: &EvmVerifyingKey, sigma_gamma: Option<&G2>) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    words.extend(key.alpha);
    words.extend(key.beta);
    words.extend(key.gamma);
    words.extend(key.delta);
    if let Some(sigma_gamma) = sigma_gamma {
        words.extend(sigma_gamma);
    }
    words.extend(key.ic.iter().flatten());
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solidity::fixtures::{self, assert_committed, word};
    use crate::solidity::{
        render_committed_verifier, render_committed_verifier_with_key, render_verifier, render_verifier_with_key,
    };

    /// The vault's statements have two inputs; its verifiers for keys made at run time are
    /// committed (and their bytecode, `chain/bytecode/`).
    #[test]
    fn the_committed_verifiers_with_key_are_the_rendered_ones() {
        assert_committed("Groth16VerifierWithKey.sol", &render_verifier_with_key(2));
        assert_committed("Groth16CommittedVerifierWithKey.sol", &render_committed_verifier_with_key(2));
    }

    /// Both placements run the same checks: the rendered assembly differs only where a key
    /// word is read.
    #[test]
    fn a_constructor_key_changes_only_how_key_words_are_read() {
        let strip = |source: &str| -> alloc::vec::Vec<String> {
            let body = &source[source.find("assembly").unwrap()..];
            body.lines()
                .map(|line| {
                    let mut line = line.to_string();
                    while let Some(start) = line.find("mload(add(k, ") {
                        let end = start + line[start..].find("))").unwrap() + 2;
                        line.replace_range(start..end, "KEY");
                    }
                    line
                })
                .collect()
        };
        // Longest names first: GAMMA_X_IM is inside SIGMA_GAMMA_X_IM.
        let unname = |source: &str, ic_points: usize, committed: bool| {
            let mut names = names(ic_points, committed);
            names.sort_by_key(|name| core::cmp::Reverse(name.len()));
            let mut lines = strip(source);
            for name in names {
                lines = lines.into_iter().map(|line| line.replace(&name, "KEY")).collect();
            }
            lines
        };
        let key = fixtures::key(3);
        assert_eq!(unname(&render_verifier(&key, "test key"), 3, false), strip(&render_verifier_with_key(2)));
        let sigma = [word(15), word(16), word(17), word(18)];
        let key = fixtures::key(4);
        assert_eq!(
            unname(&render_committed_verifier(&key, &sigma, "test key"), 4, true),
            strip(&render_committed_verifier_with_key(2))
        );
        assert_eq!(constructor_words(&key, Some(&sigma)).len(), names(4, true).len());
    }
}
