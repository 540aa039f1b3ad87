//! The naive relation the benchmarks compare against: each value range-checked by 16 boolean
//! constraints, and a Poseidon sponge (the same width-9 permutation) over the unpacked values,
//! its digest public. No packing, no lookups, no histogram. Only for `vsies bench zk`.

use crate::gadget::{initial_state, Builder, Wire};
use crate::poseidon::{self, RATE};
use crate::relation::block_count;
use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

const DOMAIN: &str = "vsies/naive/v1";
/// Bits per value.
pub const VALUE_BITS: u32 = 16;

/// Values below 2^16 and their sponge digest (public).
pub struct NaiveCircuit {
    pub values: Vec<u64>,
}

impl NaiveCircuit {
    /// The native digest of `values`.
    pub fn digest(values: &[u64]) -> Fr {
        let mut sponge = poseidon::BlockSponge::new(poseidon::domain(DOMAIN));
        sponge.absorb(&values.iter().map(|&v| Fr::from(v)).collect::<Vec<_>>());
        sponge.digest()
    }

    /// Constraints for `values` values.
    pub fn constraint_count(values: usize) -> usize {
        values * VALUE_BITS as usize + block_count(values) * poseidon::CONSTRAINTS_PER_PERMUTATION + 1
    }
}

impl ConstraintSynthesizer<Fr> for NaiveCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let builder = Builder::new(cs);
        let digest = builder.input(Self::digest(&self.values))?;
        let wires: Vec<Wire> = self
            .values
            .iter()
            .map(|&value| builder.bits(value, VALUE_BITS).and_then(|wire| builder.named(wire)))
            .collect::<Result<_, _>>()?;
        let mut state = initial_state(poseidon::domain(DOMAIN));
        for block in wires.chunks(RATE) {
            state = builder.absorb_block(&state, block)?;
        }
        builder.enforce_equal(&state[1], &digest)
    }
}
