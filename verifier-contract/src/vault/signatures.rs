//! The messages committee members and clients sign, byte for byte as the contract hashes them
//! (`abi.encodePacked`, keccak256), and `ecrecover` over secp256k1 as the EVM computes it, with
//! the contract's extra rule: a signature with a high `s` (the malleated twin of a low-s one)
//! or a `v` other than 27 and 28 recovers no one.

use super::types::Address;
use crate::solidity::Word;
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use sha3::{Digest, Keccak256};

/// A signature as calldata words: `r`, `s`, `v`.
pub type SignatureWords = [Word; 3];

/// keccak256 of `parts` concatenated.
fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// What members sign to record round `round`'s outcome at `vault`.
pub fn checkpoint_message(vault: &Address, round: u64, next_model: &Word, model_digest: &Word) -> [u8; 32] {
    keccak(&[b"vsies/checkpoint/v1", vault, &round.to_be_bytes(), next_model, model_digest])
}

/// What members sign when they refuse `node`'s update of `round` (ciphertext `ciphertext_id`).
pub fn refusal_message(vault: &Address, round: u64, node: &Address, ciphertext_id: &Word) -> [u8; 32] {
    keccak(&[b"vsies/refused-update/v1", vault, &round.to_be_bytes(), node, ciphertext_id])
}

/// What a client signs for its update (`vsies_secure_agg::signing::signed_message`): the
/// committee id's text, the round and the ciphertext id.
pub fn update_message(committee_id: &[u8], round: u64, ciphertext_id: &Word) -> [u8; 32] {
    keccak(&[b"vsies/agg-update-signature/v1\n", committee_id, &round.to_be_bytes(), ciphertext_id])
}

/// The address that signed `message`, as the contract's `_recover` returns it; `None` where
/// it returns `address(0)`.
pub fn recover(message: &[u8; 32], signature: &SignatureWords) -> Option<Address> {
    let [r, s, v] = signature;
    let v = match v {
        v if v[..31].iter().all(|&b| b == 0) && (v[31] == 27 || v[31] == 28) => v[31],
        _ => return None,
    };
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(r);
    bytes[32..].copy_from_slice(s);
    let signature = Signature::from_slice(&bytes).ok()?;
    if signature.normalize_s().is_some() {
        return None; // high s
    }
    let key = VerifyingKey::recover_from_prehash(message, &signature, RecoveryId::from_byte(v - 27)?).ok()?;
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    hash[12..].try_into().ok()
}
