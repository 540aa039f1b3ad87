//! Stages `initial model` and `trained model`: the starting weights (committed witnesses, each
//! looked up in the clamp table as `(w, w)`, which holds exactly for a weight inside the
//! format) and the two model commitments, computed in the circuit as
//! [`TrainingRelation::model_commitment`] computes them.

use super::lookups::Lookups;
use super::relation::{table, TrainingRelation};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::relations::model_commitment;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The starting weights as wires, each checked inside the weight format.
pub(super) fn initial_weights<S: ConstraintSink>(
    builder: &Builder<S>,
    weights: &[i64],
    lookups: &mut Lookups,
) -> Result<Vec<Wire>, SynthesisError> {
    builder.stage("initial model");
    weights
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            builder.locate(&[("weight", j)]);
            let wire = builder.committed_witness(Fr::from(w))?;
            lookups.record(builder, table::CLAMP, wire.clone(), Some(wire.clone()));
            Ok(wire)
        })
        .collect()
}

/// `C(W, ρ)` in the circuit ([`crate::relations::model_commitment`]), for weights already
/// known to lie in the format (table outputs).
pub(super) fn commitment<S: ConstraintSink>(
    relation: &TrainingRelation,
    builder: &Builder<S>,
    weights: &[Wire],
    blinding: Fr,
) -> Result<Wire, SynthesisError> {
    model_commitment::gadget(builder, relation.params.training.weight_format, weights, blinding)
}
