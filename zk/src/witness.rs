//! The prover's pass over a circuit: the assignment and, per constraint, the values of its `A`
//! and `B` combinations, and nothing else. arkworks' prover materializes every constraint's
//! three linear combinations and then evaluates them; this sink reads the values the wires
//! already carry, so proving memory is a few field elements per constraint instead of about
//! two kilobytes.

use crate::gadget::{ConstraintSink, Wire};
use ark_bn254::Fr;
use ark_ff::One;
use ark_relations::gr1cs::{LinearCombination, SynthesisError};

/// The assignment `z = [1, inputs…, witnesses…]` and the evaluations `A·z`, `B·z` of every
/// constraint, in arkworks' order.
pub struct WitnessSink {
    /// `[1, inputs…]`.
    pub instance: Vec<Fr>,
    pub witness: Vec<Fr>,
    /// `A·z` per constraint.
    pub a: Vec<Fr>,
    /// `B·z` per constraint.
    pub b: Vec<Fr>,
    /// The first constraint with `A·z · B·z ≠ C·z`, if any.
    pub first_unsatisfied: Option<usize>,
}

impl WitnessSink {
    /// An empty sink whose per-constraint vectors can grow to `capacity` (the QAP domain's size,
    /// so that they become the domain vectors without a copy).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            instance: vec![Fr::one()],
            witness: Vec::new(),
            a: Vec::with_capacity(capacity),
            b: Vec::with_capacity(capacity),
            first_unsatisfied: None,
        }
    }

    pub fn constraint_count(&self) -> usize {
        self.a.len()
    }
}

impl ConstraintSink for WitnessSink {
    // Only values matter here: wires keep their values and carry no combinations, so building
    // the circuit costs about what computing its witness natively would.
    fn new_input(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.instance.push(value);
        Ok(LinearCombination::zero())
    }

    fn new_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.witness.push(value);
        Ok(LinearCombination::zero())
    }

    fn name(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn name_round_state(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<(), SynthesisError> {
        if self.first_unsatisfied.is_none() && a.value * b.value != c.value {
            self.first_unsatisfied = Some(self.a.len());
        }
        self.a.push(a.value);
        self.b.push(b.value);
        Ok(())
    }
}
