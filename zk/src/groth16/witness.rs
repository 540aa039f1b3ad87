//! The prover's pass over a circuit: the assignment and, per constraint, the values of its `A`
//! and `B` combinations, and nothing else. arkworks' prover materializes every constraint's
//! three linear combinations and then evaluates them; this sink reads the values the wires
//! already carry, so proving memory is a few field elements per constraint instead of about
//! two kilobytes.

use crate::circuit::{ConstraintSink, Wire};
use ark_bn254::Fr;
use ark_ff::One;
use ark_relations::gr1cs::{LinearCombination, SynthesisError};

/// The assignment `z = [1, inputs…, witnesses…]` and the evaluations `A·z`, `B·z` of every
/// constraint, in arkworks' order.
pub struct WitnessSink {
    /// `[1, inputs…]`.
    pub instance: Vec<Fr>,
    /// The witnesses, in creation order.
    pub witness: Vec<Fr>,
    /// `A·z` per constraint.
    pub a: Vec<Fr>,
    /// `B·z` per constraint.
    pub b: Vec<Fr>,
    /// Indices (into `witness`) of the committed witnesses, in creation order.
    pub committed: Vec<usize>,
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
            committed: Vec::new(),
        }
    }

    /// Constraints recorded.
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

    fn new_committed_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.committed.push(self.witness.len());
        self.new_witness(value)
    }

    fn name(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn name_round_state(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    // The builder checks each constraint against the values (and locates the first failure).
    fn enforce(&mut self, a: &Wire, b: &Wire, _c: &Wire) -> Result<(), SynthesisError> {
        self.a.push(a.value);
        self.b.push(b.value);
        Ok(())
    }
}

/// Records the committed witnesses' values only: the prover's first pass, before the
/// challenges exist (every other value is the dummy challenges' and is thrown away).
#[derive(Default)]
pub struct CommittedValuesSink {
    /// The committed witnesses' values, in creation order.
    pub values: Vec<Fr>,
}

impl ConstraintSink for CommittedValuesSink {
    fn new_input(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn new_witness(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn new_committed_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.values.push(value);
        Ok(LinearCombination::zero())
    }

    fn name(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn name_round_state(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn enforce(&mut self, _a: &Wire, _b: &Wire, _c: &Wire) -> Result<(), SynthesisError> {
        Ok(())
    }
}
