//! Booleans and bit decompositions: the canonical range check.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

impl<S: ConstraintSink> Builder<S> {
    /// A boolean witness, one constraint: `b * (1 - b) = 0`.
    pub fn boolean(&self, bit: bool) -> Result<Wire, SynthesisError> {
        let wire = self.witness(Fr::from(bit))?;
        self.enforce_named("boolean", &wire, &Wire::one().sub(&wire), &Wire::zero())?;
        Ok(wire)
    }

    /// The `bits` low bits of `value` as boolean witnesses, and their weighted sum: `bits`
    /// constraints. The sum equals `value` only if `value < 2^bits`, so a caller that ties the
    /// sum to `value` range-checks it.
    pub fn bits(&self, value: u64, bits: u32) -> Result<Wire, SynthesisError> {
        if bits < 64 && value >> bits != 0 {
            // The decomposition keeps the low bits only, so a later constraint tying `value`
            // fails; the culprit is here.
            self.report(
                "value wider than its bits",
                [Fr::from(value), power_of_two(bits), Fr::from(value % (1 << bits))],
            );
        }
        let wires: Vec<Wire> = (0..bits).map(|bit| self.boolean(value >> bit & 1 == 1)).collect::<Result<_, _>>()?;
        Ok(Wire::weighted_sum((0..bits).map(power_of_two).zip(&wires)))
    }
}
