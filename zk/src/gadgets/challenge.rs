//! The engine's challenges in the circuit: the seed (the last public input, which the
//! verifier derives from the proof's commitment) expanded by one Poseidon permutation
//! ([`crate::transcript`] says why this is sound and what a verifier computes).

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::gadgets::poseidon::initial_state;
use crate::poseidon::domain;
use crate::transcript::{CHALLENGE_DOMAIN, MAX_CHALLENGES};
use ark_relations::gr1cs::SynthesisError;

impl<S: ConstraintSink> Builder<S> {
    /// The relation's `count` challenges, once per circuit, after its committed witnesses and
    /// its own public inputs: makes the seed input ([`Builder::challenge_seed`]) and expands it
    /// as [`crate::transcript::expand_challenges`] does, in one permutation.
    pub fn challenges(&self, count: usize) -> Result<Vec<Wire>, SynthesisError> {
        if count == 0 || count > MAX_CHALLENGES {
            return Err(SynthesisError::Unsatisfiable);
        }
        let seed = self.challenge_seed()?;
        let state = self.absorb_block(&initial_state(domain(CHALLENGE_DOMAIN)), &[seed])?;
        Ok(state[1..=count].to_vec())
    }
}
