//! Poseidon in a circuit: the permutation ([`crate::poseidon::permute`]) as 405 constraints,
//! sponge blocks, the selection of a sponge state, and one-block hashes.

pub use crate::poseidon::{block_count, domain, CONSTRAINTS_PER_PERMUTATION, RATE, WIDTH};

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::poseidon::{is_full_round, parameters, FULL_ROUNDS, PARTIAL_ROUNDS};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The sponge's initial state in a circuit: the domain tag in the capacity element.
pub fn initial_state(domain_tag: Fr) -> [Wire; WIDTH] {
    std::array::from_fn(|index| if index == 0 { Wire::constant(domain_tag) } else { Wire::zero() })
}

impl<S: ConstraintSink> Builder<S> {
    /// `x^5`: three constraints.
    fn sbox(&self, x: &Wire) -> Result<Wire, SynthesisError> {
        let square = self.mul(x, x)?;
        let fourth = self.mul(&square, &square)?;
        self.mul(&fourth, x)
    }

    /// The Poseidon permutation ([`permute`]), 405 constraints.
    pub fn permute(&self, state: &[Wire; WIDTH]) -> Result<[Wire; WIDTH], SynthesisError> {
        let parameters = parameters();
        let mark = self.names_mark();
        let mut state = state.clone();
        for round in 0..FULL_ROUNDS + PARTIAL_ROUNDS {
            for (wire, constant) in state.iter_mut().zip(&parameters.round_constants[round]) {
                *wire = wire.add_constant(*constant);
            }
            let sboxes = if is_full_round(round) { WIDTH } else { 1 };
            for wire in &mut state[..sboxes] {
                *wire = self.sbox(wire)?;
            }
            // After a full round every element is a fresh S-box output; through the partial
            // rounds eight elements stay linear in all earlier ones, so they are named.
            let mixed: Vec<Wire> = parameters
                .mds
                .iter()
                .map(|row| {
                    let wire = Wire::weighted_sum(row.iter().copied().zip(&state));
                    if is_full_round(round) {
                        return Ok(wire);
                    }
                    self.named_round_state(wire)
                })
                .collect::<Result<_, SynthesisError>>()?;
            state = mixed.try_into().expect("WIDTH wires");
        }
        // The last rounds are full: the output refers to S-box outputs only, never to the
        // names made above.
        self.fold_names(mark);
        Ok(state)
    }

    /// The state after absorbing one block (`state[1..] += block`, then permute).
    pub fn absorb_block(&self, state: &[Wire; WIDTH], block: &[Wire]) -> Result<[Wire; WIDTH], SynthesisError> {
        let mut next = state.clone();
        for (wire, element) in next[1..].iter_mut().zip(block) {
            *wire = wire.add(element);
        }
        self.permute(&next)
    }

    /// `if condition { a } else { b }` for a boolean `condition`: one constraint per element,
    /// `condition * (a - b) = selected - b`. Each selected element is a fresh witness, so a
    /// chain of selections (the sponge over a dataset's blocks) does not grow a combination
    /// by one term per link.
    pub fn select_state(
        &self,
        condition: &Wire,
        a: &[Wire; WIDTH],
        b: &[Wire; WIDTH],
    ) -> Result<[Wire; WIDTH], SynthesisError> {
        let selected: Vec<Wire> = a
            .iter()
            .zip(b)
            .map(|(a, b)| {
                let difference = a.sub(b);
                let selected = self.witness(b.value + condition.value * difference.value)?;
                self.enforce_named("selection", condition, &difference, &selected.sub(b))?;
                Ok(selected)
            })
            .collect::<Result<_, SynthesisError>>()?;
        Ok(selected.try_into().expect("WIDTH wires"))
    }

    /// Poseidon of up to 8 elements under a domain tag (one permutation), as [`hash_block`].
    pub fn hash_block(&self, domain_tag: Fr, elements: &[Wire]) -> Result<Wire, SynthesisError> {
        let state = initial_state(domain_tag);
        Ok(self.absorb_block(&state, elements)?[1].clone())
    }
}
