//! A public random beacon's contribution (snarkjs's `beacon`): its secrets are a hash of the
//! beacon's value iterated `2^N` times, so anyone recomputes them and nobody could choose them
//! in the time between the beacon's publication and the last contribution.

use super::secret::Secrets;
use crate::error::ZkError;
use sha2::{Digest, Sha256};

/// Largest accepted exponent (2^40 SHA-256 iterations is hours of work).
pub const MAX_ITERATIONS_EXP: u32 = 40;

/// The beacon's bytes from hex, checked.
pub fn parse_hex(hex: &str) -> Result<Vec<u8>, ZkError> {
    let bytes = hex::decode(hex.trim_start_matches("0x"))
        .map_err(|err| ZkError::Relation(format!("the beacon is not hex: {err}")))?;
    if bytes.is_empty() || bytes.len() > 1024 {
        return Err(ZkError::Relation("a beacon has 1 to 1,024 bytes".into()));
    }
    Ok(bytes)
}

/// The secrets of a beacon contribution: SHA-256 of the beacon, iterated `2^iterations_exp`
/// times, seeds [`Secrets::from_seed`].
pub fn secrets(hex: &str, iterations_exp: u32, count: usize) -> Result<Secrets, ZkError> {
    if iterations_exp > MAX_ITERATIONS_EXP {
        return Err(ZkError::Relation(format!("at most 2^{MAX_ITERATIONS_EXP} beacon iterations")));
    }
    let mut digest: [u8; 32] = Sha256::digest(parse_hex(hex)?).into();
    for _ in 1..(1u64 << iterations_exp) {
        digest = Sha256::digest(digest).into();
    }
    Ok(Secrets::from_seed(digest, count))
}
