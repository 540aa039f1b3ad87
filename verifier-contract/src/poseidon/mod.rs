//! Poseidon over BN254's scalar field, the permutation `vsies_zk::poseidon` defines (width 9,
//! `x^5`, 8 full and 63 partial rounds), in the schedule a contract runs cheaply: the round
//! constants that a partial round adds to the eight elements without an S-box are moved
//! through the linear layer into the next round's constants (they commute with the S-box of
//! element 0), so a partial round adds one constant and a full round nine. The permutation is
//! the same function; `zk/tests/chain_constants.rs` generates [`constants`] from the zk crate's
//! parameters and checks both, and the Solidity library [`crate::solidity::render_poseidon`]
//! renders from the same constants.
//!
//! The vault recomputes statement digests with [`hash`]: the sponge of `vsies_zk::poseidon`
//! (capacity element `state[0]` = the domain tag, blocks of 8 added to `state[1..]`, zero-padded,
//! one permutation per block, digest `state[1]`).

mod constants;

use crate::solidity::Word;
use alloc::vec::Vec;
use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, Zero};

/// State width.
pub const WIDTH: usize = 9;
/// Elements absorbed per permutation.
pub const RATE: usize = WIDTH - 1;
/// Rounds with an S-box on every element (half before the partial rounds, half after).
pub const FULL_ROUNDS: usize = 8;
/// Rounds with one S-box.
pub const PARTIAL_ROUNDS: usize = 63;

/// The constants as words: per full round nine, per partial round one, and the MDS matrix by
/// rows.
pub struct Constants {
    /// Nine constants per full round, in round order.
    pub full: &'static [[&'static str; WIDTH]; FULL_ROUNDS],
    /// One constant per partial round.
    pub partial: &'static [&'static str; PARTIAL_ROUNDS],
    /// The MDS matrix, row by row.
    pub mds: &'static [[&'static str; WIDTH]; WIDTH],
}

/// The generated constants.
pub const CONSTANTS: Constants =
    Constants { full: &constants::FULL_ROUNDS, partial: &constants::PARTIAL_ROUNDS, mds: &constants::MDS };

/// A `0x`-prefixed hex constant as a word.
pub fn word(hex: &str) -> Word {
    let digits = hex.strip_prefix("0x").expect("constants are 0x-prefixed").as_bytes();
    assert_eq!(digits.len(), 64, "constants are 32 bytes");
    let nibble = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("constants are lowercase hex"),
    };
    core::array::from_fn(|i| (nibble(digits[2 * i]) << 4) | nibble(digits[2 * i + 1]))
}

fn element(hex: &str) -> Fr {
    Fr::from_be_bytes_mod_order(&word(hex))
}

/// Whether round `round` is full.
pub fn is_full_round(round: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&round)
}

/// The permutation, in place.
pub fn permute(state: &mut [Fr; WIDTH]) {
    let mds: [[Fr; WIDTH]; WIDTH] = CONSTANTS.mds.map(|row| row.map(element));
    let (mut full, mut partial) = (CONSTANTS.full.iter(), CONSTANTS.partial.iter());
    for round in 0..FULL_ROUNDS + PARTIAL_ROUNDS {
        if is_full_round(round) {
            let constants = full.next().expect("eight full rounds");
            for (value, constant) in state.iter_mut().zip(constants) {
                *value = sbox(*value + element(constant));
            }
        } else {
            state[0] = sbox(state[0] + element(partial.next().expect("63 partial rounds")));
        }
        *state = core::array::from_fn(|row| mds[row].iter().zip(state.iter()).map(|(m, v)| *m * v).sum());
    }
}

fn sbox(x: Fr) -> Fr {
    let square = x.square();
    square.square() * x
}

/// The digest of `elements` under `domain_tag`: the sponge described above.
pub fn hash(domain_tag: Fr, elements: &[Fr]) -> Fr {
    let mut state = [Fr::zero(); WIDTH];
    state[0] = domain_tag;
    for block in elements.chunks(RATE) {
        for (value, element) in state[1..].iter_mut().zip(block) {
            *value += element;
        }
        permute(&mut state);
    }
    state[1]
}

/// A domain tag: the label's bytes as a big-endian integer (labels are under 32 bytes), what
/// Solidity's `uint256(uint(bytesN("label")))` for an `N`-byte label gives.
pub fn domain(label: &str) -> Fr {
    assert!(label.len() < 32, "domain labels fit one field element");
    Fr::from_be_bytes_mod_order(label.as_bytes())
}

/// [`hash`] of words, each read as a field element; `None` when one is not below the modulus
/// (what the vault refuses).
pub fn hash_words(domain_tag: Fr, words: &[Word]) -> Option<Fr> {
    let elements: Option<Vec<Fr>> = words.iter().map(canonical).collect();
    Some(hash(domain_tag, &elements?))
}

/// A word as a field element, if below the modulus.
pub fn canonical(word: &Word) -> Option<Fr> {
    let value = Fr::from_be_bytes_mod_order(word);
    let mut bytes = [0u8; 32];
    let big = value.into_bigint();
    for (i, limb) in big.0.iter().enumerate() {
        bytes[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    (&bytes == word).then_some(value)
}
