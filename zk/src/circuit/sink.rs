//! Where a circuit's variables and constraints go.

use super::wire::Wire;
use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError};

/// Where a [`super::Builder`] sends variables and constraints. Variables are numbered as
/// arkworks numbers them: instance variables (after the constant one) and witnesses, each in
/// creation order; constraints in the order they are enforced. A new variable comes back as
/// the combination that stands for it (a sink that only records values may return an empty
/// one).
pub trait ConstraintSink {
    /// A new public input.
    fn new_input(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError>;
    /// A new private witness.
    fn new_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError>;
    /// A new private witness that the proof commits to before any challenge is drawn (see
    /// [`crate::groth16::commitment`]). A sink that does not prove treats it as a witness.
    fn new_committed_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.new_witness(value)
    }
    /// A short combination standing for `lc` in later combinations (it adds no constraint).
    fn name(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError>;
    /// [`ConstraintSink::name`] for the Poseidon state between rounds, whose combinations
    /// otherwise grow by a term per partial round. arkworks keeps each named combination and
    /// its inlined copy, so for it this returns `lc` itself.
    fn name_round_state(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(lc)
    }
    /// A mark for [`ConstraintSink::fold_names`]: the names made from now on.
    fn names_mark(&self) -> usize {
        0
    }
    /// Declares that nothing built from now on refers to the names made since `mark` (they
    /// were internal to a gadget), so a sink that keeps names may resolve and drop them.
    fn fold_names(&mut self, _mark: usize) {}
    /// Enforces `a * b = c`.
    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<(), SynthesisError>;
}

impl ConstraintSink for ConstraintSystemRef<Fr> {
    fn new_input(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(self.new_input_variable(|| Ok(value))?.into())
    }

    fn new_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(self.new_witness_variable(|| Ok(value))?.into())
    }

    fn name(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        // A symbolic variable that arkworks inlines when it finalizes.
        Ok(LinearCombination::from(self.new_lc(|| lc)?))
    }

    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<(), SynthesisError> {
        self.enforce_r1cs_constraint(|| a.lc.clone(), || b.lc.clone(), || c.lc.clone())
    }
}

/// Counts inputs and constraints and keeps nothing else: the engine's way to size a relation
/// that does not compute its shape from its layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountingSink {
    /// Public inputs (the constant one excluded).
    pub inputs: usize,
    /// Witnesses (committed ones included).
    pub witnesses: usize,
    /// Committed witnesses.
    pub committed: usize,
    /// Constraints.
    pub constraints: usize,
}

impl ConstraintSink for CountingSink {
    fn new_input(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.inputs += 1;
        Ok(LinearCombination::zero())
    }

    fn new_witness(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.witnesses += 1;
        Ok(LinearCombination::zero())
    }

    fn new_committed_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.committed += 1;
        self.new_witness(value)
    }

    fn name(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn name_round_state(&mut self, _lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(LinearCombination::zero())
    }

    fn enforce(&mut self, _a: &Wire, _b: &Wire, _c: &Wire) -> Result<(), SynthesisError> {
        self.constraints += 1;
        Ok(())
    }
}
