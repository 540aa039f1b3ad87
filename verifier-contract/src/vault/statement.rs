//! The public inputs the vault builds for a proof, exactly as the circuits define them: the
//! packed first input from the round and the sender, and the statement digests recomputed from
//! calldata with [`crate::poseidon`].

use crate::poseidon::{self, canonical};
use crate::solidity::Word;
use alloc::vec::Vec;
use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, PrimeField};

/// The data-validation statement's domain label.
pub const DATA_STATEMENT_DOMAIN: &str = "vsies/data-statement/v1";
/// The training statement's domain label.
pub const TRAINING_STATEMENT_DOMAIN: &str = "vsies/training-statement/v1";

/// A field element as a word.
pub fn word(value: &Fr) -> Word {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 scalars are 32 bytes")
}

/// `round << 220 | node << 60`, the first input of every relation the vault takes (below
/// `2^252` for rounds below `2^32`, which the vault requires, so the integer is the element).
pub fn packed_input(round: u64, node: &[u8; 20]) -> Word {
    let two = Fr::from(2u64);
    word(&(Fr::from(round) * two.pow([220]) + Fr::from_be_bytes_mod_order(node) * two.pow([60])))
}

/// The data-validation digest of `[params id, D, rows, histogram words…]`; `None` when a word
/// is not below the modulus.
pub fn data_digest(params_id: &Word, commitment: &Word, rows: u64, histogram: &[Word]) -> Option<Word> {
    let mut words: Vec<Word> = alloc::vec![*params_id, *commitment, word(&Fr::from(rows))];
    words.extend_from_slice(histogram);
    poseidon::hash_words(poseidon::domain(DATA_STATEMENT_DOMAIN), &words).map(|digest| word(&digest))
}

/// The training digest of `[D, params id, C_in, C_out, compute, data]`; `None` when a word is
/// not below the modulus.
pub fn training_digest(
    commitment: &Word,
    params_id: &Word,
    initial: &Word,
    trained: &Word,
    compute: u64,
    data: u64,
) -> Option<Word> {
    let words = [*commitment, *params_id, *initial, *trained, word(&Fr::from(compute)), word(&Fr::from(data))];
    poseidon::hash_words(poseidon::domain(TRAINING_STATEMENT_DOMAIN), &words).map(|digest| word(&digest))
}

/// Whether `word` is below the scalar field's modulus.
pub fn in_field(word: &Word) -> bool {
    canonical(word).is_some()
}
