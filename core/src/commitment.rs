//! The dataset commitment `D`: the one value that ties a dataset's encryption, its validation
//! proof and (later) its training proofs to the same rows.
//!
//! `D` is an element of BN254's scalar field, the Poseidon sponge digest that
//! `vsies-zk`'s data-validation relation defines over the dataset's packed offsets (its
//! docs give the exact layout). This crate does not compute it (that needs the circuit's
//! field arithmetic); it owns the *representation* every crate passes around: 32 big-endian
//! bytes of a canonical field element, printed as 64 lowercase hex digits. A value at or above
//! the field modulus never becomes a [`DataCommitment`], so two spellings of one commitment
//! cannot exist.
//!
//! What it reveals: a binding, hiding-only-by-entropy digest of the rows. Like a content id,
//! anyone holding the same rows recomputes it; low-entropy data can be guessed and checked.

use crate::codec;
use std::fmt;
use std::str::FromStr;

/// BN254's scalar field modulus `r`, big-endian.
const SCALAR_MODULUS: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d, 0x28, 0x33, 0xe8,
    0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// A dataset commitment: a canonical BN254 scalar, 32 bytes big-endian.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataCommitment([u8; 32]);

/// Why bytes or text are not a dataset commitment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommitmentError {
    /// Not 64 lowercase hex digits.
    #[error("a data commitment is 64 lowercase hex digits")]
    NotHex,
    /// The value is not below BN254's scalar modulus.
    #[error("a data commitment must be below BN254's scalar field modulus (a canonical field element)")]
    NotCanonical,
}

impl DataCommitment {
    /// The commitment whose big-endian bytes are `bytes`, if they are a canonical scalar.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, CommitmentError> {
        // Big-endian byte arrays compare as the numbers they spell.
        if bytes >= SCALAR_MODULUS {
            return Err(CommitmentError::NotCanonical);
        }
        Ok(Self(bytes))
    }

    /// The 32 big-endian bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The 32 big-endian bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for DataCommitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&codec::hex(&self.0))
    }
}

impl fmt::Debug for DataCommitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataCommitment({self})")
    }
}

impl FromStr for DataCommitment {
    type Err = CommitmentError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(codec::unhex_array(text).ok_or(CommitmentError::NotHex)?)
    }
}

codec::serde_via_text!(DataCommitment);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_round_trip_through_text() {
        let mut bytes = SCALAR_MODULUS;
        bytes[31] -= 1; // r - 1, the largest scalar
        let largest = DataCommitment::from_bytes(bytes).unwrap();
        assert_eq!(largest.to_string().parse::<DataCommitment>().unwrap(), largest);
        assert_eq!(DataCommitment::from_bytes([0; 32]).unwrap().to_string(), "0".repeat(64));
    }

    #[test]
    fn values_at_or_above_the_modulus_and_other_spellings_are_refused() {
        assert_eq!(DataCommitment::from_bytes(SCALAR_MODULUS), Err(CommitmentError::NotCanonical));
        assert_eq!(DataCommitment::from_bytes([0xff; 32]), Err(CommitmentError::NotCanonical));
        let text = "0f6644272cefde63cd98ab1094343b9d72d362ae386edc857b9e4dc57964a0e5";
        assert!(text.parse::<DataCommitment>().is_ok());
        for bad in [&text.to_uppercase()[..], &text[..62], "0x0f", &format!("{text}00")] {
            assert_eq!(bad.parse::<DataCommitment>(), Err(CommitmentError::NotHex), "{bad}");
        }
    }
}
