//! Poseidon over BN254's scalar field: width 9 (rate 8, capacity 1), `x^5` S-box, 8 full and 63
//! partial rounds, round constants and MDS matrix from the Poseidon paper's Grain LFSR
//! (`ark_crypto_primitives::sponge::poseidon::find_poseidon_ark_and_mds`).
//!
//! Why width 9: an `x^5` S-box costs 3 constraints, so a permutation costs
//! `3 * (8 * 9 + 63) = 405` constraints for 8 absorbed field elements, about 51 per element,
//! against 121 per element for the common width 3. The 63 partial rounds are the Poseidon
//! paper's figure for `t = 9` over a 254-bit field at 128-bit security (circomlib uses the same).
//! These are not circomlib's constants: a commitment computed here is checked by this crate's
//! circuit, not by circomlib's Poseidon.

use ark_bn254::Fr;
use ark_crypto_primitives::sponge::poseidon::find_poseidon_ark_and_mds;
use ark_ff::{AdditiveGroup, Field, PrimeField};
use std::sync::OnceLock;

/// State width.
pub const WIDTH: usize = 9;
/// Field elements absorbed per permutation.
pub const RATE: usize = WIDTH - 1;
/// Rounds with an S-box on every element.
pub const FULL_ROUNDS: usize = 8;
/// Rounds with one S-box.
pub const PARTIAL_ROUNDS: usize = 63;
/// Constraints per permutation in the circuit: three per S-box.
pub const CONSTRAINTS_PER_PERMUTATION: usize = 3 * (FULL_ROUNDS * WIDTH + PARTIAL_ROUNDS);

/// Round constants (one row per round) and MDS matrix.
pub struct Parameters {
    /// One row of [`WIDTH`] constants per round.
    pub round_constants: Vec<Vec<Fr>>,
    /// The MDS matrix.
    pub mds: Vec<Vec<Fr>>,
}

/// The parameters, generated once per process.
pub fn parameters() -> &'static Parameters {
    static PARAMETERS: OnceLock<Parameters> = OnceLock::new();
    PARAMETERS.get_or_init(|| {
        let (round_constants, mds) = find_poseidon_ark_and_mds::<Fr>(
            Fr::MODULUS_BIT_SIZE as u64,
            RATE,
            FULL_ROUNDS as u64,
            PARTIAL_ROUNDS as u64,
            0,
        );
        Parameters { round_constants, mds }
    })
}

/// Whether round `round` applies the S-box to every element (the first and last
/// `FULL_ROUNDS / 2`) or only to the first.
pub fn is_full_round(round: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&round)
}

/// The permutation, in place.
pub fn permute(state: &mut [Fr; WIDTH]) {
    let parameters = parameters();
    for round in 0..FULL_ROUNDS + PARTIAL_ROUNDS {
        for (value, constant) in state.iter_mut().zip(&parameters.round_constants[round]) {
            *value += constant;
        }
        let sboxes = if is_full_round(round) { WIDTH } else { 1 };
        for value in &mut state[..sboxes] {
            *value = value.pow([5]);
        }
        *state = mix(&parameters.mds, state);
    }
}

/// `mds * state`.
fn mix(mds: &[Vec<Fr>], state: &[Fr; WIDTH]) -> [Fr; WIDTH] {
    std::array::from_fn(|row| mds[row].iter().zip(state).map(|(m, v)| *m * v).sum())
}

/// A field element from a domain-separation label (its bytes as a big-endian integer; labels
/// are at most 31 bytes, so the map is injective).
pub fn domain(label: &str) -> Fr {
    assert!(label.len() < 32, "domain labels fit one field element");
    Fr::from_be_bytes_mod_order(label.as_bytes())
}

/// A sponge that absorbs whole blocks of [`RATE`] elements: `state[1..] += block`, then
/// permute. The capacity element `state[0]` starts at the domain tag.
#[derive(Clone, Debug)]
pub struct BlockSponge {
    /// The permutation state.
    pub state: [Fr; WIDTH],
}

impl BlockSponge {
    /// A sponge under `domain_tag`.
    pub fn new(domain_tag: Fr) -> Self {
        let mut state = [Fr::ZERO; WIDTH];
        state[0] = domain_tag;
        Self { state }
    }

    /// Absorbs `elements`, zero-padded to whole blocks.
    pub fn absorb(&mut self, elements: &[Fr]) {
        for block in elements.chunks(RATE) {
            for (value, element) in self.state[1..].iter_mut().zip(block) {
                *value += element;
            }
            permute(&mut self.state);
        }
    }

    /// The digest: the first rate element.
    pub fn digest(&self) -> Fr {
        self.state[1]
    }
}

/// Poseidon hash of up to [`RATE`] elements under `domain_tag`: one permutation.
pub fn hash_block(domain_tag: Fr, elements: &[Fr]) -> Fr {
    assert!(elements.len() <= RATE);
    let mut sponge = BlockSponge::new(domain_tag);
    sponge.absorb(elements);
    sponge.digest()
}

/// Blocks of the sponge for `elements` elements: [`RATE`] elements each.
pub fn block_count(elements: usize) -> usize {
    elements.div_ceil(RATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_have_the_documented_shape() {
        let parameters = parameters();
        assert_eq!(parameters.round_constants.len(), FULL_ROUNDS + PARTIAL_ROUNDS);
        assert!(parameters.round_constants.iter().all(|row| row.len() == WIDTH));
        assert_eq!(parameters.mds.len(), WIDTH);
        assert_eq!(CONSTRAINTS_PER_PERMUTATION, 405);
    }

    #[test]
    fn the_permutation_diffuses_and_is_deterministic() {
        let mut a = [Fr::ZERO; WIDTH];
        let mut b = a;
        b[8] = Fr::ONE;
        permute(&mut a);
        permute(&mut b);
        assert!(a.iter().zip(&b).all(|(x, y)| x != y), "one input change alters every output");
        let mut again = [Fr::ZERO; WIDTH];
        permute(&mut again);
        assert_eq!(a, again);
    }
}
