//! Renders Solidity: the Groth16 verifier for one verifying key ([`render_verifier`]), the
//! verifier for keys with a commitment ([`render_committed_verifier`]) and the Poseidon library
//! the vault hashes statements with ([`render_poseidon`]).
//!
//! The plain verifier is one `view` function in assembly over the EIP-196/197 precompiles: for each
//! public input one `ecMul` (0x07) and one `ecAdd` (0x06) into `vk_x`, then one 4-pair
//! `ecPairing` (0x08) checking `e(-A, B) e(alpha, beta) e(vk_x, gamma) e(C, delta) = 1`. The
//! key is compiled in as constants. The ABI is snarkjs's:
//! `verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[N] input) returns (bool)`,
//! with `b`'s coordinates as `[[x_im, x_re], [y_im, y_re]]` (the precompile's order). It
//! returns false for an input outside the scalar field, a coordinate outside the base field, a
//! point off the curve or a failed pairing; it never reverts on bad proofs.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

mod committed;
mod groth16;
mod key;
mod poseidon;

/// Ends a verifier's assembly block: one pairing check of `pairs` pairs laid out from `q`, its
/// result anded into `ok` (the caller returns `ok`).
fn push_pairing_and_close(out: &mut String, pairs: usize) {
    out.push_str(&format!("            ok := and(ok, staticcall(gas(), 0x08, q, {}, q, 32))\n", 192 * pairs));
    out.push_str("            ok := and(ok, mload(q))\n");
    out.push_str("        }\n    }\n}\n");
}

/// Distinct small constants for the renderers' tests.
#[cfg(test)]
mod fixtures {
    use super::{EvmVerifyingKey, Word};

    /// The word holding `value`.
    pub fn word(value: u8) -> Word {
        let mut word = [0u8; 32];
        word[31] = value;
        word
    }

    /// Asserts that `contracts/FILE` is `rendered` (with `VSIES_WRITE_CONTRACTS` set, writes it
    /// first): committed contracts are generated, never edited by hand.
    pub fn assert_committed(file: &str, rendered: &str) {
        let path = std::format!("{}/contracts/{file}", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("VSIES_WRITE_CONTRACTS").is_some() {
            std::fs::write(&path, rendered).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == rendered,
            "contracts/{file} is stale: run VSIES_WRITE_CONTRACTS=1 cargo test -p vsies-verifier-contract"
        );
    }

    /// A key whose every coordinate is a distinct word, with `points` input points.
    pub fn key(points: u8) -> EvmVerifyingKey {
        EvmVerifyingKey {
            alpha: [word(1), word(2)],
            beta: [word(3), word(4), word(5), word(6)],
            gamma: [word(7), word(8), word(9), word(10)],
            delta: [word(11), word(12), word(13), word(14)],
            ic: (0..points).map(|i| [word(20 + i), word(40 + i)]).collect(),
        }
    }
}

pub use committed::{render_committed_verifier, render_committed_verifier_with_key};
pub use groth16::{render_verifier, render_verifier_with_key};
pub use key::constructor_words;
pub use poseidon::render_poseidon;

/// A 256-bit big-endian integer (a field element or coordinate).
pub type Word = [u8; 32];

/// A G1 point `(x, y)`.
pub type G1 = [Word; 2];

/// A G2 point in the precompile's order: `[x_im, x_re, y_im, y_re]`.
pub type G2 = [Word; 4];

/// A Groth16 verifying key in EVM layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvmVerifyingKey {
    /// `α` in G1.
    pub alpha: G1,
    /// `β` in G2.
    pub beta: G2,
    /// `γ` in G2.
    pub gamma: G2,
    /// `δ` in G2.
    pub delta: G2,
    /// `IC[0]` and one point per public input.
    pub ic: Vec<G1>,
}

/// BN254's scalar field modulus (public inputs must be below it).
pub const SCALAR_MODULUS: &str = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
/// BN254's base field modulus.
pub const BASE_MODULUS: &str = "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";

pub(crate) fn hex(word: &Word) -> String {
    let mut out = String::from("0x");
    for byte in word {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}
